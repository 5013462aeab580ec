"""Reads `llvm-nm -D --undefined-only` output on stdin and fails when an
artifact imports anything beyond the C library and libm."""
import sys

ALLOWED = {
    "malloc", "free", "calloc", "realloc", "aligned_alloc", "posix_memalign",
    "memcpy", "memmove", "memset", "memcmp", "abort",
    "expf", "exp", "logf", "log", "log1pf", "log1p", "expm1f", "expm1",
    "tanhf", "tanh", "erff", "erf", "powf", "pow", "sqrtf", "sqrt",
    "floorf", "floor", "ceilf", "ceil", "fmaf", "fma", "sinf", "cosf", "sin", "cos",
}
bad = []
for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    name = parts[-1].split("@")[0]
    if name not in ALLOWED:
        bad.append(name)
if bad:
    sys.exit("unexpected imports: " + " ".join(bad))
print("imports ok")
