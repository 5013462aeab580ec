"""Imports each fixture at batch 8, adds `gradients` (kiln-opt
--kiln-train-step="gradients=true OPTIONS"), interprets it on the fixture's
train_x/train_y and compares with the framework's goldens
(compare_gradients.py). Prints "NAME: N tensors match" per fixture and exits
1 on the first mismatch.

    check_fixture.py [--compile=FLAGS] MODELS_DIR WORK_DIR NAME.EXT:OPTIONS...

With --compile, `gradients` is compiled (kiln-compile FLAGS, e.g.
"--target=cuda --cuda-emulation") and the artifact runs instead of the
interpreter. The tools come from PATH or KILN_TOOLS_DIR.
"""
import os
import subprocess
import sys

argv = sys.argv[1:]
compile_flags = None
if argv and argv[0].startswith("--compile="):
    compile_flags = argv.pop(0)[len("--compile="):].split()
models, work = argv[0:2]
tools = os.environ.get("KILN_TOOLS_DIR", "")
here = os.path.dirname(os.path.abspath(__file__))


def tool(name):
    return os.path.join(tools, name) if tools else name


for spec in argv[2:]:
    model, options = spec.split(":", 1)
    name = model.rsplit(".", 1)[0]
    src = os.path.join(models, name, "model." + model.rsplit(".", 1)[1])
    base = os.path.join(work, name)
    subprocess.run([tool("kiln-import"), src, "--batch", "8", "-o", base + ".mlir"], check=True)
    subprocess.run([tool("kiln-opt"), "--kiln-train-step=gradients=true " + options,
                    base + ".mlir", "-o", base + ".train.mlir"], check=True)
    program = base + ".train.mlir"
    if compile_flags is not None:
        program = base + ".gradients.so"
        subprocess.run([tool("kiln-compile"), "-q", base + ".train.mlir", "-o", program]
                       + compile_flags, check=True)
    listing = subprocess.run(
        [tool("kiln-run"), program, "-f", "gradients",
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
