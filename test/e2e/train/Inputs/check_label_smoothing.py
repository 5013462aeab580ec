"""Checks label-smoothing.mlir's losses against the formula, in float64.

    check_label_smoothing.py DIR SMOOTHING

DIR holds the inputs (x, w1, b1, w2, b2, y: i64 class ids) and the
train_step results of five runs: DIR/sparse (sparse_categorical_crossentropy
with the smoothing), DIR/categorical (categorical_crossentropy on the one-hot
labels, with the smoothing), DIR/plain (sparse, no smoothing), DIR/binary
(binary_crossentropy on the one-hot labels and the probabilities, with the
smoothing) and DIR/binary-logits (the same with from-logits). The model is
softmax(tanh(x·w1 + b1)·w2 + b2); with smoothing s over K classes the loss is
the batch mean of −Σ_k ((1 − s)·[k = y] + s/K)·log p_k. Standard library only.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_gradients import read_npy  # noqa: E402

out, smoothing = sys.argv[1], float(sys.argv[2])


def load(*parts):
    shape, values = read_npy(os.path.join(out, *parts))
    return list(shape), values


(n, d), x = load("x.npy")
(_, h), w1 = load("w1.npy")
_, b1 = load("b1.npy")
(_, c), w2 = load("w2.npy")
_, b2 = load("b2.npy")
_, y = load("y.npy")


def logits(i):
    hidden = [math.tanh(sum(x[i * d + j] * w1[j * h + u] for j in range(d)) + b1[u])
              for u in range(h)]
    return [sum(hidden[u] * w2[u * c + k] for u in range(h)) + b2[k] for k in range(c)]


def softmax(z):
    top = max(z)
    e = [math.exp(v - top) for v in z]
    return [v / sum(e) for v in e]


def loss_of(s):
    total = 0.0
    for i in range(n):
        logp = [math.log(p) for p in softmax(logits(i))]
        target = [(1 - s) * (k == y[i]) + s / c for k in range(c)]
        total -= sum(t * lp for t, lp in zip(target, logp))
    return total / n


def binary_loss_of(s, from_logits):
    # Per element, averaged over the classes, then over the batch; the
    # targets are the one-hot labels smoothed towards 1/2. Probabilities are
    # clipped to [1e-7, 1 - 1e-7] as Keras does; logits (the softmax's
    # outputs taken as logits) go through the stable logistic loss.
    total = 0.0
    for i in range(n):
        p = softmax(logits(i))
        for k in range(c):
            t = (1 - s) * (k == y[i]) + s / 2
            if from_logits:
                z = p[k]
                total += (max(z, 0) - z * t + math.log1p(math.exp(-abs(z)))) / c
            else:
                q = min(max(p[k], 1e-7), 1 - 1e-7)
                total -= (t * math.log(q) + (1 - t) * math.log(1 - q)) / c
    return total / n


for run, want in (("sparse", loss_of(smoothing)), ("categorical", loss_of(smoothing)),
                  ("plain", loss_of(0.0)),
                  ("binary", binary_loss_of(smoothing, False)),
                  ("binary-logits", binary_loss_of(smoothing, True))):
    got = load(run, "loss.npy")[1][0]
    assert abs(got - want) <= 1e-5 * abs(want), (run, got, want)
    print(f"{run}: loss {got:.6f} (formula {want:.6f})")
# Smoothing changes the loss (the check would pass vacuously otherwise).
assert abs(loss_of(smoothing) - loss_of(0.0)) > 1e-3
print("ok")
