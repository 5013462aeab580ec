#!/usr/bin/env bash
# Kiln's cuda artifacts vs PyTorch on the same NVIDIA GPU: batch-32 CNN and
# ResNet inference, MLP batch-1 latency, MLP and CNN train steps on
# Fashion-MNIST, and fused elementwise bandwidth as a fraction of a
# device-to-device copy (tools/bench/gpu_vs_torch.py). Needs a GPU and a
# Python with numpy and a CUDA build of torch ($KILN_BENCH_PYTHON, default
# python3); not part of the test suite.
#   tools/bench/gpu.sh [BUILD_DIR] [gpu_vs_torch.py options...]
# Without a GPU, `--emulate` dry-runs every step on the CPU. On a GPU
# machine without LLVM, compile on the build machine and run there:
#   build machine:  KILN_BENCH_WORK=bench tools/bench/gpu.sh build --prepare-only
#   GPU machine:    KILN_BENCH_WORK=bench tools/bench/gpu.sh build --prepared
# (carrying build/bin/kiln-run-artifact, build/bin/kiln-train,
# build/lib/libkiln_runtime.so and bench/).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
shift || true
python="${KILN_BENCH_PYTHON:-python3}"
if [ -n "${KILN_BENCH_WORK:-}" ]; then
  mkdir -p "$KILN_BENCH_WORK"
  work="$(cd "$KILN_BENCH_WORK" && pwd)"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
# Kiln's convolutions need cuDNN 9: without one on the library path, use
# the copy PyTorch's wheels carry.
if [ -z "${KILN_CUDNN:-}" ] && ! ldconfig -p 2>/dev/null | grep -q 'libcudnn.so.9 '; then
  cudnn_dir="$("$python" -c 'import nvidia.cudnn as m; print(list(m.__path__)[0])' 2>/dev/null || true)"
  if [ -n "$cudnn_dir" ] && [ -f "$cudnn_dir/lib/libcudnn.so.9" ]; then
    export KILN_CUDNN="$cudnn_dir/lib/libcudnn.so.9"
    export LD_LIBRARY_PATH="$cudnn_dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
fi
"$python" "$root/tools/bench/gpu_vs_torch.py" "$build" "$work" "$@"
