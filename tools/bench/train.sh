#!/usr/bin/env bash
# Training on Fashion-MNIST, Kiln vs Keras, in one run on this machine: the
# MLP and CNN fixtures, Adam 1e-3, batch 32, E epochs, each framework on the
# same number of threads. Prints, per model, both test accuracies and the
# median seconds per epoch (Keras: epochs 2.. only, the first traces its
# graph), and the ratio Keras/Kiln (> 1: Kiln is faster). Not part of the
# test suite; needs the fixture venv (TensorFlow) and a Release build.
#   tools/bench/train.sh [BUILD_DIR] [--epochs E] [--threads T] [--seed S] [--models mlp,cnn28]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/build"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then build="$(cd "$1" && pwd)"; shift; fi
epochs=5 threads=1 seed=0 models=mlp,cnn28
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    *) echo "usage: $0 [BUILD_DIR] [--epochs E] [--threads T] [--seed S] [--models LIST]" >&2; exit 2 ;;
  esac
done
python="${KILN_FIXTURE_PYTHON:-/opt/kiln-fixtures-venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for model in ${models//,/ }; do
  echo "== $model: Kiln" >&2
  "$build/bin/kiln-compile" "$root/test/models/$model/model.pb" --batch 32 --train \
      --loss sparse_categorical_crossentropy --optimizer adam --learning-rate 1e-3 \
      -q -o "$work/$model.train.kiln.so"
  "$build/bin/kiln-train" "$work/$model.train.kiln.so" --data fashion-mnist \
      --epochs "$epochs" --threads "$threads" --seed "$seed" --progress never \
      --csv "$work/$model.kiln.csv" >&2
  echo "== $model: Keras" >&2
  "$python" "$root/tools/bench/train_keras.py" --models "$model" --epochs "$epochs" \
      --threads "$threads" --json "$work/$model.keras.json" >&2
done

"$python" - "$work" "$models" "$threads" <<'PY'
import csv, json, statistics, sys
work, models, threads = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
print(f"Fashion-MNIST, Adam 1e-3, batch 32, {threads} thread(s)")
print(f"{'model':8} {'kiln acc':>9} {'keras acc':>9} {'kiln s/epoch':>13} {'keras s/epoch':>14} {'keras/kiln':>10}")
for m in models:
    rows = list(csv.DictReader(open(f"{work}/{m}.kiln.csv")))
    kiln_s = statistics.median(float(r["seconds"]) for r in rows)
    kiln_acc = float(rows[-1]["test_accuracy"])
    k = json.load(open(f"{work}/{m}.keras.json"))[m]
    secs = k["epoch_seconds"][1:] or k["epoch_seconds"]
    keras_s = statistics.median(secs)
    print(f"{m:8} {kiln_acc:9.4f} {k['test_accuracy']:9.4f} {kiln_s:13.2f} {keras_s:14.2f} {keras_s / kiln_s:10.2f}")
PY
