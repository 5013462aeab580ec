"""Imports each fixture at batch 8, adds `gradients` (kiln-opt
--kiln-train-step="gradients=true OPTIONS"), interprets it on the fixture's
train_x/train_y and compares with the framework's goldens
(compare_gradients.py). Prints "NAME: N tensors match" per fixture and exits
1 on the first mismatch.

    check_fixture.py MODELS_DIR WORK_DIR NAME.EXT:OPTIONS...

The tools come from PATH or KILN_TOOLS_DIR.
"""
import os
import subprocess
import sys

models, work = sys.argv[1:3]
tools = os.environ.get("KILN_TOOLS_DIR", "")
here = os.path.dirname(os.path.abspath(__file__))


def tool(name):
    return os.path.join(tools, name) if tools else name


for spec in sys.argv[3:]:
    model, options = spec.split(":", 1)
    name = model.rsplit(".", 1)[0]
    src = os.path.join(models, name, "model." + model.rsplit(".", 1)[1])
    base = os.path.join(work, name)
    subprocess.run([tool("kiln-import"), src, "--batch", "8", "-o", base + ".mlir"], check=True)
    subprocess.run([tool("kiln-opt"), "--kiln-train-step=gradients=true " + options,
                    base + ".mlir", "-o", base + ".train.mlir"], check=True)
    listing = subprocess.run(
        [tool("kiln-run"), base + ".train.mlir", "-f", "gradients",
         "-i", "x=" + os.path.join(models, name, "train_x.npy"),
         "-i", "y=" + os.path.join(models, name, "train_y.npy"), "-o", base],
        check=True, capture_output=True, text=True).stdout
    with open(base + ".listing", "w") as f:
        f.write(listing)
    # The variables' own values, for fixtures compared by value.
    subprocess.run([tool("kiln-run"), base + ".train.mlir", "-f", "init", "-o", base + ".init"],
                   check=True, capture_output=True)
    r = subprocess.run([sys.executable, os.path.join(here, "compare_gradients.py"),
                        base + ".listing", base, os.path.join(models, name), base + ".init"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout)
        print("%s: gradients differ" % name)
        sys.exit(1)
    matched = sum(line.startswith("ok ") for line in r.stdout.splitlines())
    print("%s: %d tensors match" % (name, matched))
