"""Exits 1 unless the .npy files argv[1] and argv[2] hold the same dtype,
shape and bits, element by element; two NaNs match whatever their sign or
payload (kiln leaves them unspecified). kiln-run --expect cannot see the sign
of a zero, this can."""
import sys

import numpy as np

a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
if a.dtype != b.dtype or a.shape != b.shape:
    sys.exit(f"{a.dtype}{a.shape} vs {b.dtype}{b.shape}")
same = a.view(f"u{a.itemsize}") == b.view(f"u{b.itemsize}")
if a.dtype.kind == "f":
    same |= np.isnan(a) & np.isnan(b)
if not same.all():
    k = int(np.argmin(same))
    sys.exit(f"element {k} differs: {a.flat[k].item()!r} vs {b.flat[k].item()!r}")
print("same bits")
