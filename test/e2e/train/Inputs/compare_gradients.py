"""Compares Kiln's `gradients` results with a framework's goldens.

    compare_gradients.py LISTING KILN_DIR MODEL_DIR [INIT_DIR]

LISTING is kiln-run's output for `-f gradients -o KILN_DIR`, interpreted or
from an artifact (it names each result's file, in result order). MODEL_DIR holds train_loss.npy, the
framework's gradients (grad_names.txt lists them in the framework's
variable order with their shapes) and, for batch normalization, the updated
moving statistics (moving_*_mean.npy, moving_*_variance.npy). Kiln's
gradients are paired with the goldens in order among equal shapes (both list
variables layer by layer). Each pair must agree within 1e-4 relative to the
golden's largest magnitude (plus 1e-7 absolute for gradients that are zero
in exact arithmetic).

When MODEL_DIR also holds the framework's variable values (value_*.npy,
beside each grad_*.npy) and INIT_DIR holds Kiln's (kiln-run -f init with
the model's own weights), gradients are paired element by element through
the values instead: the importer may have rearranged a variable (an ONNX
LSTM/GRU's gate order and layout) or merged two (input and recurrent
biases, whose sum it keeps). Every element of a Kiln variable must equal
one framework element, or the float32 sum of a bias_ih/bias_hh pair at the
same position, and its gradient must equal that element's gradient (for a
sum, both biases' gradients, which the chain rule makes equal); every
framework element must be reached. Standard library only.
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
    code = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q"}[header["descr"]]
    count = 1
    for d in shape:
        count *= d
    body = data[start + hlen:]
    return shape, struct.unpack("<%d%s" % (count, code), body[:count * struct.calcsize(code)])


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def compare_by_value(kiln, model_dir, init_dir):
    """Pairs every Kiln gradient element with framework ones through the
    variables' values; returns the number of mismatches."""
    goldens = {}  # framework variable -> (values, gradient, max |gradient|)
    for line in open(os.path.join(model_dir, "grad_names.txt")):
        file, original = line.split()[:2]
        value_file = os.path.join(model_dir, "value_" + file[len("grad_"):])
        grad = read_npy(os.path.join(model_dir, file))[1]
        goldens[original] = (read_npy(value_file)[1], grad,
                             max((abs(x) for x in grad), default=0.0))
    where = {}  # value -> [(variable, index)] or [(("sum", ih, hh), index)]
    for name, (values, _, _) in goldens.items():
        for i, v in enumerate(values):
            where.setdefault(v, []).append((name, i))
        if "bias_ih" in name:
            hh = name.replace("bias_ih", "bias_hh")
            if hh in goldens:
                for i, (a, b) in enumerate(zip(values, goldens[hh][0])):
                    where.setdefault(f32(a + b), []).append((("sum", name, hh), i))
    reached = {name: set() for name in goldens}
    failures = 0
    for name, _, _, got in kiln:
        if not name.startswith("d_"):
            continue
        variable = name[2:]
        init = os.path.join(init_dir, variable.replace("/", "_") + ".npy")
        values = read_npy(init)[1]
        worst, bad = 0.0, None
        scale = 0.0
        # Random initial values rarely repeat, but across a few thousand
        # float32 draws some do, and constant ones (a norm's 1s) always do:
        # an element's match must come from a framework variable that the
        # variable's unambiguous elements come from, and among several at
        # one such variable, the same position, or else (a value repeated
        # within one variable) the position whose gradient it has; a wrong
        # pick leaves another element unreached.
        hits_of = [where.get(v, []) for v in values]
        sources = {h[0][0] for h in hits_of if len(h) == 1}
        if not sources:
            sources = {t for h in hits_of for t, _ in h}

        def golden_grad(hit):
            target, j = hit
            return goldens[target[1] if isinstance(target, tuple) else target][1][j]

        for i, (v, g) in enumerate(zip(values, got)):
            hits = [h for h in hits_of[i] if h[0] in sources]
            if len(hits) > 1:
                hits = [h for h in hits if h[1] == i] or \
                    [min(hits, key=lambda h: abs(golden_grad(h) - g))]
            if len(hits) != 1:
                bad = "element %d (%r) has %d framework matches" % (i, v, len(hits))
                break
            target, j = hits[0]
            parts = [target[1], target[2]] if isinstance(target, tuple) else [target]
            for src in parts:
                reached[src].add(j)
                _, grad, src_scale = goldens[src]
                scale = max(scale, src_scale)
                worst = max(worst, abs(g - grad[j]))
        ok = bad is None and worst <= 1e-4 * scale + 1e-7
        failures += not ok
        print("%s %s (by value): %s" % ("ok" if ok else "MISMATCH", name,
              bad or "max |diff| %.3g (scale %.3g)" % (worst, scale)))
    for name, (values, _, _) in goldens.items():
        if len(reached[name]) != len(values):
            failures += 1
            print("MISSING %s: %d of %d elements reached by no Kiln variable" %
                  (name, len(values) - len(reached[name]), len(values)))
    return failures


def main():
    listing, kiln_dir, model_dir = sys.argv[1:4]
    init_dir = sys.argv[4] if len(sys.argv) > 4 else None
    results = []  # (name, file) in result order
    for line in open(listing):
        # Interpreted ("tensor<8x3xf32>") or an artifact's ("f32[8,3]").
        m = re.match(r"\s+(\S+): (?:tensor<[^>]*>|\w+\[[^\]]*\]) -> (\S+)$", line)
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

    if init_dir and any(f.startswith("value_") for f in os.listdir(model_dir)):
        compare("loss", os.path.join(model_dir, "train_loss.npy"),
                next(e for e in kiln if e[0] == "loss"))
        failures += compare_by_value(kiln, model_dir, init_dir)
        print("%d mismatch(es)" % failures)
        sys.exit(1 if failures else 0)

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
