#!/usr/bin/env python3
"""Keras training baseline: epoch wall time and test accuracy on Fashion-MNIST.

Trains the `mlp` and `cnn28` architectures of
tools/fixtures/make_model_fixtures.py (imported from it, not copied; fresh
Keras initialization from --seed) on the full Fashion-MNIST training set
(60000 images, x/255, integer labels) with

    model.compile(optimizer=tf.keras.optimizers.Adam(LR),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=E, shuffle=True, verbose=2)

where LR is --learning-rate (1e-3), or with --lr-schedule exponential
ExponentialDecay(LR, E * 1875, --decay-rate) over all E * 1875 steps, as
`kiln-compile --lr-schedule exponential --decay-steps E*1875` does, or with
--lr-schedule polynomial PolynomialDecay(LR, E * 1875, --end-learning-rate)
(linear), as `kiln-compile --lr-schedule polynomial --decay-steps E*1875
--end-learning-rate END` does.

then evaluates on the 10000 test images. The wall time of every epoch is
measured by a Keras callback (time.perf_counter at on_epoch_begin and
on_epoch_end); the first epoch includes tf.function tracing. Dropout is
active during fit, as Keras does.

Usage (with the fixtures venv, /opt/kiln-fixtures-venv):
  python tools/bench/train_keras.py                       # mlp,cnn28, 5 epochs
  python tools/bench/train_keras.py --models mlp --epochs 1 --threads 2 \\
      --json /tmp/train_keras.json

  --models LIST   comma-separated, from: mlp, cnn28 (default mlp,cnn28)
  --epochs E      default 5
  --threads N     TensorFlow intra-op and inter-op parallelism (default 2)
  --seed S        weight initialization and shuffling seed (default 1234)
  --learning-rate LR      Adam's (initial) learning rate (default 1e-3)
  --lr-schedule   constant (default), exponential or polynomial
  --decay-rate R  exponential's factor over all steps (default 0.1)
  --end-learning-rate E   polynomial's final learning rate (default 1e-4,
                          Keras' and kiln-compile's)
  --json OUT      writes {model: {"epoch_seconds": [...],
                                  "test_accuracy": x, "tf_version": ...}}

Needs TensorFlow 2.15 (Keras 2) and Debian's dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist). Run on an otherwise idle machine when
the numbers are to be reported.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

# make_model_fixtures re-executes itself with PYTHONHASHSEED=0 when imported;
# do it here first, explicitly.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures"))
import make_model_fixtures as mmf  # noqa: E402

DATASET = "/usr/share/datasets/fashion-mnist"
MODELS = ["mlp", "cnn28"]


def read_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    assert magic == 0x803 and rows == 28 and cols == 28
    pixels = np.frombuffer(data, np.uint8, count=count * 784, offset=16)
    return pixels.reshape(count, 28, 28).astype(np.float32) / 255.0


def read_labels(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    assert magic == 0x801
    return np.frombuffer(data, np.uint8, count=count, offset=8).astype(np.int64)


def load_fashion_mnist():
    def part(prefix):
        return (read_images(os.path.join(DATASET, f"{prefix}-images-idx3-ubyte.gz")),
                read_labels(os.path.join(DATASET, f"{prefix}-labels-idx1-ubyte.gz")))
    (x_train, y_train), (x_test, y_test) = part("train"), part("t10k")
    assert len(x_train) == len(y_train) == 60000 and len(x_test) == len(y_test) == 10000
    return x_train, y_train, x_test, y_test


STEPS_PER_EPOCH = 60000 // 32 + (60000 % 32 > 0)


def learning_rate(tf, args):
    steps = args.epochs * STEPS_PER_EPOCH
    if args.lr_schedule == "exponential":
        return tf.keras.optimizers.schedules.ExponentialDecay(
            args.learning_rate, steps, args.decay_rate)
    if args.lr_schedule == "polynomial":
        return tf.keras.optimizers.schedules.PolynomialDecay(
            args.learning_rate, steps, end_learning_rate=args.end_learning_rate)
    return args.learning_rate


def train(tf, name, data, epochs, seed, lr):
    x_train, y_train, x_test, y_test = data
    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(seed)
    model, _ = mmf.keras_models(tf)[name]()
    shape = tuple(model.input_shape[1:])
    x_train = x_train.reshape((-1,) + shape)
    x_test = x_test.reshape((-1,) + shape)
    model.compile(optimizer=tf.keras.optimizers.Adam(lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    class EpochTimer(tf.keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    timer = EpochTimer()
    print(f"== {name}: {model.count_params()} parameters, input {list(shape)}, "
          f"{len(x_train)} training images, batch 32, {epochs} epoch(s)", flush=True)
    model.fit(x_train, y_train, batch_size=32, epochs=epochs, shuffle=True, verbose=2,
              callbacks=[timer])
    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=32, verbose=2)
    return {"epoch_seconds": [round(s, 3) for s in timer.seconds],
            "test_accuracy": float(test_accuracy),
            "tf_version": tf.__version__}, float(test_loss)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--lr-schedule", choices=["constant", "exponential", "polynomial"],
                        default="constant")
    parser.add_argument("--decay-rate", type=float, default=0.1)
    parser.add_argument("--end-learning-rate", type=float, default=1e-4)
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args()
    names = args.models.split(",")
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        sys.exit(f"unknown models: {', '.join(unknown)} (choose from {', '.join(MODELS)})")

    import tensorflow as tf
    # Must precede any TensorFlow op.
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)

    data = load_fashion_mnist()
    results, losses = {}, {}
    for name in names:
        lr = learning_rate(tf, args)
        results[name], losses[name] = train(tf, name, data, args.epochs, args.seed, lr)

    from importlib.metadata import version
    print(f"\nTensorFlow {tf.__version__}, Keras {version('keras')}, "
          f"{args.threads} intra/inter-op threads, batch 32, Adam({args.learning_rate:g}), "
          f"learning rate {args.lr_schedule}")
    print(f"{'model':<8} {'epochs':>6} {'first s':>8} {'mean s':>8} {'mean s (2..)':>12} "
          f"{'test acc':>9} {'test loss':>9}")
    for name, r in results.items():
        s = r["epoch_seconds"]
        rest = f"{np.mean(s[1:]):.2f}" if len(s) > 1 else "-"
        print(f"{name:<8} {len(s):>6} {s[0]:>8.2f} {np.mean(s):>8.2f} {rest:>12} "
              f"{r['test_accuracy']:>9.4f} {losses[name]:>9.4f}")
        print(f"{'':<8} epoch seconds: {' '.join(f'{x:.2f}' for x in s)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
