"""Exits 1 unless the .npy files argv[1] and argv[2] hold the same dtype,
shape and bits, element by element; two NaNs match whatever their sign or
payload (kiln leaves them unspecified). kiln-run --expect cannot see the sign
of a zero, this can."""
import math
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import npy  # noqa: E402

(da, sa, a), (db, sb, b) = npy.load_raw(sys.argv[1]), npy.load_raw(sys.argv[2])
if da != db or sa != sb:
    sys.exit(f"{da}{sa} vs {db}{sb}")
floats = da[1] == "f"
fmt = {4: "<f", 8: "<d"} if floats else {4: "<i", 8: "<q"}


def value(chunk):
    return struct.unpack(fmt[len(chunk)], chunk)[0]


for k, (x, y) in enumerate(zip(a, b)):
    if x == y:
        continue
    if floats and math.isnan(value(x)) and math.isnan(value(y)):
        continue
    sys.exit(f"element {k} differs: {value(x)!r} vs {value(y)!r}")
print("same bits")
