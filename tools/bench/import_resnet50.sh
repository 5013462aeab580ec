#!/usr/bin/env bash
# Times kiln-import on a Keras ResNet50 (weights=None) frozen GraphDef.
#
#   tools/bench/import_resnet50.sh [BUILD_DIR]
#
# The GraphDef (~100 MB) is generated once by tools/fixtures/make_model_fixtures.py
# into $KILN_BENCH_DIR (default /tmp/kiln-bench), which needs the fixture
# virtual environment ($KILN_FIXTURE_PYTHON, default
# /opt/kiln-fixtures-venv/bin/python; see that script for its packages).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
dir=${KILN_BENCH_DIR:-/tmp/kiln-bench}
python=${KILN_FIXTURE_PYTHON:-/opt/kiln-fixtures-venv/bin/python}
mkdir -p "$dir"
if [ ! -f "$dir/resnet50.pb" ]; then
  echo "generating $dir/resnet50.pb ..."
  "$python" "$root/tools/fixtures/make_model_fixtures.py" --resnet50 "$dir/resnet50.pb"
fi
echo "ResNet50 GraphDef: $(du -h "$dir/resnet50.pb" | cut -f1)"
best=""
for run in 1 2 3 4 5; do
  start=$(date +%s.%N)
  "$build/bin/kiln-import" "$dir/resnet50.pb" -o "$dir/resnet50.mlir"
  end=$(date +%s.%N)
  t=$(awk "BEGIN { printf \"%.3f\", $end - $start }")
  echo "run $run: ${t} s"
  if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then best=$t; fi
done
echo "kiln-import ResNet50 (877 nodes, 25.6 M weights, .mlir written): best ${best} s (target: < 5 s)"
