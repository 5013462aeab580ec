#!/usr/bin/env bash
# Builds tools/bench/matmul_ukernel.c with the matmul ukernel and OpenBLAS and
# runs it on one core (OpenBLAS pinned to its AVX-512 kernels, one thread).
#
#   tools/bench/matmul_ukernel.sh [SHAPE_SUBSTRING] [extra clang flags for Matmul.c...]
#
# KILN_PEAK_GFLOPS sets the peak the %peak column divides by (default 243,
# DESIGN.md's zmm FMA peak of a Zen 5 core).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${KILN_BENCH_DIR:-/tmp/kiln-bench}
mkdir -p "$out"
filter=${1:-}
shift || true
clang-19 -O3 -std=c11 -mavx512f -mavx512vl -mavx512bw -mavx512dq -mfma -mavx2 "$@" \
  -I"$root/runtime/include" -c "$root/compiler/ukernels/Matmul.c" -o "$out/Matmul.o"
clang-19 -O2 -std=c11 -I"$root" -I"$root/runtime/include" \
  -I/usr/include/x86_64-linux-gnu/openblas-pthread \
  "$root/tools/bench/matmul_ukernel.c" "$out/Matmul.o" -lopenblas -lm \
  -o "$out/matmul_ukernel"
OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 taskset -c 0 "$out/matmul_ukernel" $filter
