#!/bin/bash
# Starts kiln-train with frequent checkpoints, kills it with SIGKILL once a
# checkpoint exists, resumes, and checks the final weights are bitwise those
# of an uninterrupted run.
#   kill_and_resume.sh KILN-TRAIN ARTIFACT WORKDIR EXPECTED.kckpt
set -u
train=$1 artifact=$2 work=$3 expected=$4
rm -rf "$work" && mkdir -p "$work"
args=(--epochs 2 --limit-train 960 --limit-test 64 --threads 1 --seed 5
      --progress never --checkpoint-dir "$work/ck" --checkpoint-every 3)
"$train" "$artifact" "${args[@]}" > "$work/first.txt" 2>&1 &
pid=$!
# Busy-wait (builtins only) for the first checkpoint, then kill at once.
SECONDS=0
until compgen -G "$work/ck/step-*.kckpt" > /dev/null; do
  (( SECONDS < 60 )) || { echo "no checkpoint appeared"; exit 1; }
done
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
echo "killed with checkpoints: $(cd "$work/ck" && echo step-*.kckpt)"
"$train" "$artifact" "${args[@]}" --resume --export "$work/resumed.kckpt" \
    > "$work/second.txt" 2>&1 || { cat "$work/second.txt"; exit 1; }
cmp "$expected" "$work/resumed.kckpt" || exit 1
echo "resumed to identical weights"
