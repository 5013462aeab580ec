"""Checks lr-schedule.mlir's SGD updates: (w - w') scales with the learning
rate of the step (see the .mlir file). Standard library only.

    check_lr_schedule.py DIR
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_gradients import read_npy  # noqa: E402

out = sys.argv[1]


def values(*parts):
    return read_npy(os.path.join(out, *parts))[1]


COSINE = (1 + math.cos(3 * math.pi / 4)) / 2
for schedule, factor in (("exponential", 0.125), ("staircase", 0.25),
                         ("linear", 0.4), ("square", 0.25), ("ended", 0.2),
                         ("cosine", COSINE), ("cosine-alpha", 0.8 * COSINE + 0.2),
                         ("warming", 2.5),
                         ("warmed", 3 * (1 + math.cos(math.pi / 4)) / 2)):
    for name in ("w1", "b1", "w2", "b2"):
        start = values(name + ".npy")
        const = [a - b for a, b in zip(start, values("constant", name + ".npy"))]
        sched = [a - b for a, b in zip(start, values(schedule, name + ".npy"))]
        assert max(map(abs, const)) > 1e-4, (name, "no update")
        for c, s in zip(const, sched):
            assert abs(s - factor * c) <= 1e-4 * abs(factor * c) + 1e-7, \
                (schedule, name, s, factor * c)
print("ok")
