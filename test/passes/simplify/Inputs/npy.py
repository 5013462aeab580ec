"""Minimal .npy (version 1.0) reading and writing for 1-D little-endian f32
and i32 arrays, in plain Python, so these tests need no NumPy."""
import ast
import struct

CODES = {"<f4": "f", "<i4": "i"}


def save(path, descr, values):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }" % (
        descr, len(values))
    pad = 64 - (10 + len(header) + 1) % 64
    header += " " * pad + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack("<%d%s" % (len(values), CODES[descr]), *values))


def load_raw(path):
    """(descr, shape, raw element bytes as a list of 4-byte chunks)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise SystemExit(f"{path}: not a .npy file")
    major = data[6]
    if major == 1:
        (hlen,), start = struct.unpack("<H", data[8:10]), 10
    else:
        (hlen,), start = struct.unpack("<I", data[8:12]), 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    body = data[start + hlen:]
    size = 4 if header["descr"][1:] in ("f4", "i4") else 8
    chunks = [body[k:k + size] for k in range(0, len(body), size)]
    return header["descr"], tuple(header["shape"]), chunks
