"""Writes the inputs of numeric.mlir into the directory argv[1]: f32.npy, 16
floats that tell exact rewrites from inexact ones (signed zeros, infinities,
NaN, subnormals, the largest finite values, values 1/3 does not divide
exactly), and i32.npy, 8 integers around the wrap-around points."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import npy  # noqa: E402


def f32(x):
    """x rounded to float32 (as struct.pack does)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


out = sys.argv[1]
inf, nan = float("inf"), float("nan")
floats = [-0.0, 0.0, 1.0, -1.0, 3.0, -2.5, inf, -inf, nan,
          f32(1e-45), f32(-1e-45), f32(3.4028235e38), f32(-3.4028235e38),
          f32(1.1754944e-38), f32(0.1), 7.0]
ints = [-2**31, 2**31 - 1, 0, -1, 1, 7, -8, 100]
npy.save(f"{out}/f32.npy", "<f4", floats)
npy.save(f"{out}/i32.npy", "<i4", ints)
