#!/usr/bin/env bash
# Installs every system package Kiln needs to build, test and run its examples.
# Idempotent: prints nothing and changes nothing when everything is present.
set -euo pipefail

PACKAGES=(
  # LLVM/MLIR 19 toolchain (DESIGN.md §3)
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools clang-19 lld-19
  # LLD as a library: kiln-compile links artifacts in process
  liblld-19-dev
  # sanitizer runtimes for the asan preset
  libclang-rt-19-dev
  # build tools
  cmake ninja-build ccache
  # libraries
  libprotobuf-dev protobuf-compiler catch2 libcli11-dev zlib1g-dev libzstd-dev
  # the peer in tools/bench/matmul.sh
  libopenblas-dev
  # lit runs on python3
  python3
  # real data for training and examples
  dataset-fashion-mnist
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

echo "setup-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-deps: done"
