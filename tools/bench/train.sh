#!/usr/bin/env bash
# Training on Fashion-MNIST, Kiln vs Keras, in one run on this machine: the
# MLP and CNN fixtures, batch 32, E epochs, each framework on the same number
# of threads and the same recipe: the MLP with Adam 1e-3; the CNN with Adam
# 2e-3 decayed linearly to 0 over the run (Keras' PolynomialDecay; constant
# Adam 1e-3 with --cnn-constant). Prints, per model, both test accuracies and the
# median seconds per epoch (Keras: epochs 2.. only, the first traces its
# graph), and the ratio Keras/Kiln (> 1: Kiln is faster). Not part of the
# test suite; needs the fixture venv (TensorFlow) and a Release build.
#   tools/bench/train.sh [BUILD_DIR] [--epochs E] [--threads T] [--seed S] [--models mlp,cnn28]
#                        [--cnn-constant]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/build"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then build="$(cd "$1" && pwd)"; shift; fi
epochs=5 threads=1 seed=0 models=mlp,cnn28 cnn_constant=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cnn-constant) cnn_constant=1; shift ;;
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    *) echo "usage: $0 [BUILD_DIR] [--epochs E] [--threads T] [--seed S] [--models LIST] [--cnn-constant]" >&2; exit 2 ;;
  esac
done
python="${KILN_FIXTURE_PYTHON:-/opt/kiln-fixtures-venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 60000 images at batch 32: 1875 steps per epoch.
steps=$((epochs * 1875))
for model in ${models//,/ }; do
  kiln_recipe=(--learning-rate 1e-3) keras_recipe=(--learning-rate 1e-3)
  recipe="Adam 1e-3"
  if [ "$model" = cnn28 ] && [ "$cnn_constant" = 0 ]; then
    kiln_recipe=(--learning-rate 2e-3 --lr-schedule polynomial --decay-steps "$steps" --end-learning-rate 0)
    keras_recipe=(--learning-rate 2e-3 --lr-schedule polynomial --end-learning-rate 0)
    recipe="Adam 2e-3 linear to 0"
  fi
  echo "$recipe" > "$work/$model.recipe"
  echo "== $model: Kiln ($recipe)" >&2
  "$build/bin/kiln-compile" "$root/test/models/$model/model.pb" --batch 32 --train \
      --loss sparse_categorical_crossentropy --optimizer adam "${kiln_recipe[@]}" \
      -q -o "$work/$model.train.kiln.so"
  "$build/bin/kiln-train" "$work/$model.train.kiln.so" --data fashion-mnist \
      --epochs "$epochs" --threads "$threads" --seed "$seed" --progress never \
      --csv "$work/$model.kiln.csv" >&2
  echo "== $model: Keras ($recipe)" >&2
  "$python" "$root/tools/bench/train_keras.py" --models "$model" --epochs "$epochs" \
      --threads "$threads" "${keras_recipe[@]}" --json "$work/$model.keras.json" >&2
done

"$python" - "$work" "$models" "$threads" <<'PY'
import csv, json, statistics, sys
work, models, threads = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
print(f"Fashion-MNIST, batch 32, {threads} thread(s)")
print(f"{'model':8} {'recipe':22} {'kiln acc':>9} {'keras acc':>9} {'kiln s/epoch':>13} {'keras s/epoch':>14} {'keras/kiln':>10}")
for m in models:
    rows = list(csv.DictReader(open(f"{work}/{m}.kiln.csv")))
    kiln_s = statistics.median(float(r["seconds"]) for r in rows)
    kiln_acc = float(rows[-1]["test_accuracy"])
    k = json.load(open(f"{work}/{m}.keras.json"))[m]
    secs = k["epoch_seconds"][1:] or k["epoch_seconds"]
    keras_s = statistics.median(secs)
    recipe = open(f"{work}/{m}.recipe").read().strip()
    print(f"{m:8} {recipe:22} {kiln_acc:9.4f} {k['test_accuracy']:9.4f} {kiln_s:13.2f} {keras_s:14.2f} {keras_s / kiln_s:10.2f}")
PY
