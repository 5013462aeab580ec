#!/usr/bin/env bash
# Single-thread GFLOP/s of Kiln-compiled f32 matmul artifacts vs OpenBLAS,
# measured side by side in one process (interleaved rounds, medians).
#   tools/bench/matmul.sh [BUILD_DIR]     (default: build)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
clang-19 -O2 -I"$root/runtime/include" "$root/tools/bench/matmul_vs_blas.c" \
  -L"$build/lib" -Wl,-rpath,"$build/lib" -lkiln_runtime -lopenblas \
  -o "$work/bench"
export OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1
# Peak: DESIGN.md's 243 GFLOP/s (Zen 5, zmm FMA); set KILN_PEAK_GFLOPS for
# the machine at hand (117 on the Zen 4-class CI VMs, measured).
echo "# M x N x K, single thread; % of peak = ${KILN_PEAK_GFLOPS:-243} GFLOP/s"
# 256^3 and 1024^3; the MLP's dense layers at batch 1 and 32; the CNN's
# im2col GEMMs (28x28x1 -> 3x3x32 conv, then 3x3x32 -> 64) at batch 32.
for shape in 256x256x256 1024x1024x1024 1x128x784 32x128x784 32x10x128 \
             21632x32x9 3872x64x288; do
  IFS=x read -r m n k <<<"$shape"
  cat >"$work/mm.mlir" <<MLIR
func.func @matmul(%a: tensor<${m}x${k}xf32>, %b: tensor<${k}x${n}xf32>) -> tensor<${m}x${n}xf32> {
  %c = kiln.matmul %a, %b : (tensor<${m}x${k}xf32>, tensor<${k}x${n}xf32>) -> tensor<${m}x${n}xf32>
  return %c : tensor<${m}x${n}xf32>
}
MLIR
  "$build/bin/kiln-compile" -q "$work/mm.mlir" -o "$work/mm.so"
  "$work/bench" "$work/mm.so" "$m" "$n" "$k" 15
done
