#!/usr/bin/env bash
# Regenerates docs/dialect/KilnOps.md from the ODS definitions (the test
# suite fails while the committed copy is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build --preset default --target kiln-docs
mkdir -p docs/dialect
cp build/docs/dialect/KilnOps.md docs/dialect/KilnOps.md
echo "updated docs/dialect/KilnOps.md"
