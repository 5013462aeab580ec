"""Compares Kiln's `gradients` results with a framework's goldens.

    compare_gradients.py LISTING KILN_DIR MODEL_DIR

LISTING is kiln-run's output for `-f gradients -o KILN_DIR` (it names each
result's file, in result order). MODEL_DIR holds train_loss.npy, the
framework's gradients (grad_names.txt lists them in the framework's
variable order with their shapes) and, for batch normalization, the updated
moving statistics (moving_*_mean.npy, moving_*_variance.npy). Kiln's
gradients are paired with the goldens in order among equal shapes (both list
variables layer by layer). Each pair must agree within 1e-4 relative to the
golden's largest magnitude (plus 1e-7 absolute for gradients that are zero
in exact arithmetic). Standard library only.
"""
import ast
import os
import re
import struct
import sys


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:6] == b"\x93NUMPY", path
    major = data[6]
    if major == 1:
        hlen = struct.unpack("<H", data[8:10])[0]
        start = 10
    else:
        hlen = struct.unpack("<I", data[8:12])[0]
        start = 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    shape = tuple(header["shape"])
    code = {"<f4": "f", "<f8": "d"}[header["descr"]]
    count = 1
    for d in shape:
        count *= d
    body = data[start + hlen:]
    return shape, struct.unpack("<%d%s" % (count, code), body[:count * struct.calcsize(code)])


def main():
    listing, kiln_dir, model_dir = sys.argv[1:4]
    results = []  # (name, file) in result order
    for line in open(listing):
        m = re.match(r"\s+(\S+): tensor<[^>]*> -> (\S+)$", line)
        if m:
            results.append((m.group(1), m.group(2)))
    kiln = [(n, f) + read_npy(f) for n, f in results]
    goldens = []
    for line in open(os.path.join(model_dir, "grad_names.txt")):
        file, original = line.split()[:2]
        goldens.append((original, os.path.join(model_dir, file)))
    moving = sorted(f for f in os.listdir(model_dir) if f.startswith("moving_"))
    failures = 0

    def norm(name):
        name = name[2:] if name.startswith("d_") else name
        name = name.split(":")[0]
        parts = name.split("/")
        if len(parts) > 1 and parts[0] in ("model", "sequential"):
            parts = parts[1:]
        return re.sub(r"[./]", "_", "/".join(parts))

    def compare(label, golden_path, entry):
        nonlocal failures
        name, _, kshape, got = entry
        shape, want = read_npy(golden_path)
        scale = max((abs(v) for v in want), default=0.0)
        if len(got) != len(want):
            failures += 1
            print("MISMATCH %s <-> %s: %d values, the golden has %d" %
                  (name, label, len(got), len(want)))
            return
        err = max((abs(a - b) for a, b in zip(got, want)), default=0.0)
        ok = err <= 1e-4 * scale + 1e-7
        failures += not ok
        print("%s %s <-> %s: max |diff| %.3g (scale %.3g)" %
              ("ok" if ok else "MISMATCH", name, label, err, scale))

    pairs = [("loss", os.path.join(model_dir, "train_loss.npy"), "loss")]
    for original, path in goldens:
        pairs.append((original, path, norm(original)))
    for f in moving:
        m = re.match(r"moving_(.*)_(mean|variance)\.npy$", f)
        if m:
            layer, kind = m.group(1), m.group(2)
            keys = [norm(layer) + "_moving_" + kind, norm(layer) + "_running_" + kind]
            if kind == "variance":
                keys.append(norm(layer) + "_running_var")
            pairs.append(("moving %s %s" % (layer, kind), os.path.join(model_dir, f), keys))
    unmatched = list(kiln)
    rest = []
    # By name (equal, then the golden's path components in order within
    # Kiln's: "query/kernel" in "query/einsum/kernel"), then, for names the
    # import changed (a decomposed layer norm), in order among tensors of as
    # many values.
    for label, path, key in pairs:
        keys = key if isinstance(key, list) else [key]
        found = None
        for i, entry in enumerate(unmatched):
            n = norm(entry[0]) if entry[0] != "loss" else "loss"
            if any(n == k or n.endswith("_" + k) for k in keys):
                found = i
                break
        if found is None:
            rest.append((label, path))
        else:
            compare(label, path, unmatched.pop(found))
    def parts(name):
        name = name[2:] if name.startswith("d_") else name
        return re.split(r"[./]", name.split(":")[0])

    def subsequence(small, big):
        it = iter(big)
        return all(p in it for p in small)

    still = []
    for label, path in rest:
        found = None
        for i, entry in enumerate(unmatched):
            if entry[0] != "loss" and subsequence(parts(label), parts(entry[0])):
                found = i
                break
        if found is None:
            still.append((label, path))
        else:
            compare(label, path, unmatched.pop(found))
    for label, path in still:
        shape, want = read_npy(path)
        found = None
        for i, entry in enumerate(unmatched):
            if entry[0].startswith("d_") == (not label.startswith("moving")) \
                    and len(entry[3]) == len(want):
                found = i
                break
        if found is None:
            failures += 1
            print("MISSING %s: no Kiln result with %d values" % (label, len(want)))
        else:
            compare(label, path, unmatched.pop(found))
    for entry in unmatched:
        if entry[0].startswith("d_"):
            failures += 1
            print("UNMATCHED Kiln gradient", entry[0])
    print("%d mismatch(es)" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
