#!/usr/bin/env bash
# Batch-1 / batch-32 latency of the MLP and CNN fixtures compiled by Kiln vs
# ONNX Runtime, single thread, in one run. Needs the fixture venv
# (tools/fixtures: numpy + onnxruntime), not part of the test suite.
#   tools/bench/models.sh [BUILD_DIR] [MODEL...]   (default: build mlp cnn28)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(mlp cnn28 torch_cnn)
python="${KILN_FIXTURE_PYTHON:-/opt/kiln-fixtures-venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" "$root/tools/bench/models_vs_ort.py" "$build" "$work" "${models[@]}"
