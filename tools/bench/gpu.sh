#!/usr/bin/env bash
# Kiln's cuda artifacts vs PyTorch on the same NVIDIA GPU: batch-32 CNN and
# ResNet inference, MLP batch-1 latency, MLP and CNN train steps on
# Fashion-MNIST, and fused elementwise bandwidth as a fraction of a
# device-to-device copy (tools/bench/gpu_vs_torch.py). Needs a GPU and a
# Python with numpy and a CUDA build of torch ($KILN_BENCH_PYTHON, default
# python3); not part of the test suite.
#   tools/bench/gpu.sh [BUILD_DIR] [gpu_vs_torch.py options...]
# Without a GPU, `--emulate` dry-runs every step on the CPU.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
shift || true
python="${KILN_BENCH_PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" "$root/tools/bench/gpu_vs_torch.py" "$build" "$work" "$@"
