"""Writes the inputs of numeric.mlir into the directory argv[1]: f32.npy, 16
floats that tell exact rewrites from inexact ones (signed zeros, infinities,
NaN, subnormals, the largest finite values, values 1/3 does not divide
exactly), and i32.npy, 8 integers around the wrap-around points."""
import sys

import numpy as np

out = sys.argv[1]
floats = np.array(
    [-0.0, 0.0, 1.0, -1.0, 3.0, -2.5, np.inf, -np.inf, np.nan,
     1e-45, -1e-45, 3.4028235e38, -3.4028235e38, 1.1754944e-38, 0.1, 7.0],
    dtype=np.float32)
ints = np.array([-2**31, 2**31 - 1, 0, -1, 1, 7, -8, 100], dtype=np.int32)
np.save(f"{out}/f32.npy", floats)
np.save(f"{out}/i32.npy", ints)
