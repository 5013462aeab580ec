#!/usr/bin/env bash
# Regenerates docs/dialect/KilnOps.md and docs/passes/*.md from the
# TableGen definitions (the test suite fails while a committed copy is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build --preset default --target kiln-docs
mkdir -p docs/dialect
cp build/docs/dialect/KilnOps.md docs/dialect/KilnOps.md
mkdir -p docs/passes
for f in KilnPasses KilnConversionPasses KilnCpuPasses KilnCudaPasses; do
  cp "build/docs/passes/$f.md" "docs/passes/$f.md"
done
echo "updated docs/dialect/KilnOps.md and docs/passes/*.md"
