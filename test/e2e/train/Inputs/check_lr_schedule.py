"""Checks lr-schedule.mlir's SGD updates: (w - w') scales with the learning
rate of the step (see the .mlir file)."""
import os
import sys

import numpy as np

out = sys.argv[1]
start = {n: np.load(os.path.join(out, n + ".npy")) for n in ("w1", "b1", "w2", "b2")}
for schedule, factor in (("exponential", 0.125), ("staircase", 0.25)):
    for name, w in start.items():
        const = w - np.load(os.path.join(out, "constant", name + ".npy"))
        sched = w - np.load(os.path.join(out, schedule, name + ".npy"))
        assert np.abs(const).max() > 1e-4, (name, "no update")
        np.testing.assert_allclose(sched, factor * const, rtol=1e-4, atol=1e-7,
                                   err_msg=f"{schedule} {name}")
print("ok")
