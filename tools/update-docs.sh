#!/usr/bin/env bash
# Regenerates docs/dialect/KilnOps.md and docs/passes/KilnPasses.md from the
# TableGen definitions (the test suite fails while a committed copy is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build --preset default --target kiln-docs
mkdir -p docs/dialect
cp build/docs/dialect/KilnOps.md docs/dialect/KilnOps.md
mkdir -p docs/passes
cp build/docs/passes/KilnPasses.md docs/passes/KilnPasses.md
echo "updated docs/dialect/KilnOps.md and docs/passes/KilnPasses.md"
