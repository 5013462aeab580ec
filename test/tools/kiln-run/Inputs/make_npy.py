"""Writes a little-endian .npy file with the standard library only.

    make_npy.py OUT.npy DTYPE SHAPE EXPR

DTYPE is f32, f64, i32 or i64; SHAPE is comma-separated ("4,8"; "" for a
scalar); EXPR is a Python expression of the flat index k giving each element
(e.g. "0.25 * k - 3").
"""
import math
import struct
import sys

CODES = {"f32": ("<f4", "f"), "f64": ("<f8", "d"), "i32": ("<i4", "i"), "i64": ("<i8", "q")}

out, dtype, shape_text, expr = sys.argv[1:5]
shape = tuple(int(d) for d in shape_text.split(",") if d)
count = math.prod(shape)
descr, code = CODES[dtype]
values = [eval(expr, {"math": math}, {"k": k}) for k in range(count)]
shape_repr = "(%s)" % "".join("%d, " % d for d in shape).rstrip(" ")
if len(shape) > 1:
    shape_repr = "(%s)" % ", ".join(str(d) for d in shape)
header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (
    descr, shape_repr)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(out, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
    f.write(header.encode("ascii"))
    f.write(struct.pack("<%d%s" % (count, code), *values))
