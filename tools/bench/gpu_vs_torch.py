"""Kiln's cuda artifacts vs PyTorch on the same GPU, in one run (see
tools/bench/gpu.sh):

  infer   batch-32 inference of the CNN and ResNet fixtures and batch-1 MLP
          latency: end to end (host input -> host output, what kiln-run
          --benchmark times) and the GPU's own time (CUDA events around the
          model; Kiln's device_median_ms);
  train   the MLP and CNN trained on Fashion-MNIST, batch 32, Adam 1e-3:
          samples per second over one epoch of --train-samples images;
  bw      a fused elementwise chain over 16M f32 (tools/bench/inputs/
          elementwise.mlir) as a fraction of a device-to-device copy's
          bandwidth;
  check   correctness on the GPU: every fixture's cuda artifact against its
          golden within 1e-3, and the MLP (5 epochs) and the CNN (1 epoch on
          12800 images: cuDNN's convolution gradients) trained on
          Fashion-MNIST on the GPU against the same training on the CPU
          (test accuracy within 1 point) — for GPU machines where the lit
          tests cannot run (no LLVM there).

TF32 is off on both sides (Kiln's default; torch.backends.*.allow_tf32 =
False). PyTorch runs its best configuration for these shapes: cuDNN
autotuning on, channels-last convolutions. Rounds alternate Kiln and
PyTorch; medians are reported with the ratio PyTorch/Kiln (> 1: Kiln is
faster).

    gpu_vs_torch.py BUILD_DIR WORK_DIR [--only infer,train,bw] [--rounds R]
                    [--runs N] [--train-samples S] [--emulate]
                    [--prepare-only | --prepared] [--mnist DIR]
                    [--cuda-graphs auto|on|off]

By default it compiles the artifacts into WORK_DIR and runs them. A GPU
machine without LLVM splits the two: `--prepare-only` (on the build
machine) compiles the artifacts into WORK_DIR and copies Fashion-MNIST
there; `--prepared` (on the GPU machine) runs them with the runtime-only
tools kiln-run-artifact and kiln-train from BUILD_DIR/bin.

--emulate is a dry run for machines without a GPU: Kiln compiles with
--cuda-emulation and PyTorch runs on the CPU; the figures mean nothing, but
every step of the script runs.
"""
import argparse
import gzip
import os
import re
import shutil
import statistics
import subprocess
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MNIST = "/usr/share/datasets/fashion-mnist"

parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("work")
parser.add_argument("--only", default="check,infer,train,bw")
parser.add_argument("--rounds", type=int, default=5)
parser.add_argument("--runs", type=int, default=100)
parser.add_argument("--train-samples", type=int, default=19200)
parser.add_argument("--emulate", action="store_true")
parser.add_argument("--prepare-only", action="store_true")
parser.add_argument("--prepared", action="store_true")
parser.add_argument("--cuda-graphs", choices=["auto", "on", "off"],
                    default="auto",
                    help="Kiln's CUDA Graph replay (the runtime's default: "
                    "auto, for functions with enough launches)")
parser.add_argument("--mnist", default=None,
                    help="Fashion-MNIST's IDX files (default: WORK_DIR/mnist "
                    "with --prepared, else " + MNIST + ")")
args = parser.parse_args()
if args.mnist is None:
    args.mnist = os.path.join(args.work, "mnist") if args.prepared else MNIST
parts = set(args.only.split(","))

device = torch.device("cpu" if args.emulate else "cuda")
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
torch.manual_seed(0)


def tool(name):
    return os.path.join(args.build, "bin", name)


def kiln_compile(model, out, *extra):
    if args.prepared:
        if not os.path.exists(out):
            raise SystemExit("--prepared: %s is missing (run --prepare-only)" % out)
        return
    flags = ["--target=cuda"] + (["--cuda-emulation"] if args.emulate else [])
    subprocess.run([tool("kiln-compile"), "-q", model, "-o", out] + flags + list(extra),
                   check=True)


def kiln_benchmark(so, x_path):
    """(end-to-end median ms, device median ms or None) of one run."""
    out = subprocess.run([tool("kiln-run-artifact"), so, "--input", x_path,
                          "--benchmark", str(args.runs)] + GRAPHS,
                         check=True, capture_output=True, text=True).stdout
    total = float(re.search(r"median_ms: ([0-9.e+-]+)", out).group(1))
    dev = re.search(r"device_median_ms: ([0-9.e+-]+)", out)
    return total, float(dev.group(1)) if dev else None


def sync():
    if device.type == "cuda":
        torch.cuda.synchronize()


def torch_times(model, x_host):
    """(end-to-end ms, device ms) medians of args.runs runs of model."""
    totals, devices = [], []
    with torch.no_grad():
        x_dev = x_host.to(device)
        model(x_dev)
        sync()
        for _ in range(args.runs):
            t0 = time.perf_counter()
            model(x_host.to(device)).cpu()
            totals.append((time.perf_counter() - t0) * 1e3)
            if device.type == "cuda":
                start = torch.cuda.Event(enable_timing=True)
                stop = torch.cuda.Event(enable_timing=True)
                start.record()
                model(x_dev)
                stop.record()
                stop.synchronize()
                devices.append(start.elapsed_time(stop))
    return statistics.median(totals), statistics.median(devices) if devices else None


# The fixtures' architectures (tools/fixtures/make_model_fixtures.py), in
# PyTorch with random weights: the timings do not depend on the values.
def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(128, 10), nn.Softmax(dim=1))


def cnn28():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 5 * 5, 10), nn.Softmax(dim=1))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()

        def conv_bn(cin, cout, k, stride=1):
            return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False),
                                 nn.BatchNorm2d(cout))
        self.stem = conv_bn(3, 16, 3)
        self.a1, self.a2 = conv_bn(16, 16, 3), conv_bn(16, 16, 3)
        self.b1, self.b2 = conv_bn(16, 32, 3, 2), conv_bn(32, 32, 3)
        self.short = conv_bn(16, 32, 1, 2)
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        x = torch.relu(x + self.a2(torch.relu(self.a1(x))))
        x = torch.relu(self.short(x) + self.b2(torch.relu(self.b1(x))))
        return torch.softmax(self.head(x.mean(dim=(2, 3))), dim=1)


def ratio(torch_ms, kiln_ms):
    return "%5.2fx" % (torch_ms / kiln_ms) if torch_ms and kiln_ms else "  n/a"


def fmt(v):
    return "%9.4f" % v if v is not None else "      n/a"


def infer():
    print("# inference | kiln ms: end-to-end, device | pytorch ms: end-to-end, device "
          "| ratio pytorch/kiln: end-to-end, device")
    cases = [("mlp", 1, mlp, (784,)), ("cnn28", 32, cnn28, (28, 28, 1)),
             ("resnet", 32, ResNet, (32, 32, 3))]
    for name, batch, make, shape in cases:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((batch,) + shape).astype(np.float32)
        x_path = os.path.join(args.work, "%s_b%d.npy" % (name, batch))
        np.save(x_path, x)
        so = os.path.join(args.work, "%s_b%d.so" % (name, batch))
        kiln_compile(os.path.join(ROOT, "test", "models", name, "model.onnx"), so,
                     "--batch", str(batch))
        model = make().to(device).eval()
        x_torch = torch.from_numpy(x)
        if len(shape) == 3:  # NHWC fixture input; PyTorch takes NCHW (channels-last)
            x_torch = x_torch.permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
            model = model.to(memory_format=torch.channels_last)
        kt, kd, tt, td = [], [], [], []
        for _ in range(args.rounds):
            total, dev = kiln_benchmark(so, x_path)
            kt.append(total)
            if dev is not None:
                kd.append(dev)
            total, dev = torch_times(model, x_torch)
            tt.append(total)
            if dev is not None:
                td.append(dev)
        k_total, t_total = statistics.median(kt), statistics.median(tt)
        k_dev = statistics.median(kd) if kd else None
        t_dev = statistics.median(td) if td else None
        print("%-7s b%-3d | %s %s | %s %s | %s %s" % (
            name, batch, fmt(k_total), fmt(k_dev), fmt(t_total), fmt(t_dev),
            ratio(t_total, k_total), ratio(t_dev, k_dev)), flush=True)


def load_idx(name):
    with gzip.open(os.path.join(args.mnist, name + ".gz")) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def torch_train_rate(make, images, labels):
    """Samples per second of one epoch of Adam 1e-3, batch 32; every batch
    copied from host memory like kiln-train's."""
    model = make()[:-1].to(device)  # the loss takes logits
    if images.ndim == 4:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    n = (len(images) // 32) * 32
    sync()
    t0 = time.perf_counter()
    for i in range(0, n, 32):
        x = torch.from_numpy(images[i:i + 32]).to(device)
        y = torch.from_numpy(labels[i:i + 32]).to(device)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    loss.item()
    sync()
    return n / (time.perf_counter() - t0)


def train():
    print("# train (batch 32, Adam) | kiln samples/s | pytorch samples/s | ratio kiln/pytorch")
    images = load_idx("train-images-idx3-ubyte")[:args.train_samples]
    labels = load_idx("train-labels-idx1-ubyte")[:args.train_samples].astype(np.int64)
    x = images.astype(np.float32) / 255.0
    for name, make, torch_x in [("mlp", mlp, x.reshape(-1, 784)),
                                ("cnn28", cnn28, x.reshape(-1, 1, 28, 28))]:
        so = os.path.join(args.work, "%s_train.so" % name)
        kiln_compile(os.path.join(ROOT, "test", "models", name, "model.pb"), so,
                     "--train", "--batch", "32", "--loss",
                     "sparse_categorical_crossentropy", "--optimizer", "adam",
                     "--learning-rate", "1e-3")
        kr, tr = [], []
        for _ in range(args.rounds):
            out = subprocess.run(
                [tool("kiln-train"), so, "--data", args.mnist, "--epochs", "1",
                 "--limit-train", str(args.train_samples), "--limit-test", "32",
                 "--progress", "never"] + GRAPHS,
                check=True, capture_output=True, text=True).stdout
            kr.append(float(re.search(r"\(([0-9.]+) samples/s\)", out).group(1)))
            tr.append(torch_train_rate(make, np.ascontiguousarray(torch_x), labels))
        k, t = statistics.median(kr), statistics.median(tr)
        print("%-7s | %10.0f | %10.0f | %5.2fx" % (name, k, t, k / t), flush=True)


def bandwidth():
    print("# fused elementwise, 16M f32 | kiln device ms, GB/s | D2D copy (pytorch) "
          "ms, GB/s | kiln / copy")
    n = 4096 * 4096
    moved = 2 * n * 4  # one read and one write per element
    so = os.path.join(args.work, "elementwise.so")
    kiln_compile(os.path.join(ROOT, "tools", "bench", "inputs", "elementwise.mlir"), so)
    x_path = os.path.join(args.work, "elementwise_x.npy")
    np.save(x_path, np.random.default_rng(0).standard_normal((4096, 4096)).astype(np.float32))
    src = torch.randn(n, device=device)
    dst = torch.empty_like(src)
    kd, cd = [], []
    for _ in range(args.rounds):
        total, dev = kiln_benchmark(so, x_path)
        kd.append(dev if dev is not None else total)
        times = []
        for _ in range(args.runs):
            if device.type == "cuda":
                start = torch.cuda.Event(enable_timing=True)
                stop = torch.cuda.Event(enable_timing=True)
                start.record()
                dst.copy_(src)
                stop.record()
                stop.synchronize()
                times.append(start.elapsed_time(stop))
            else:
                t0 = time.perf_counter()
                dst.copy_(src)
                times.append((time.perf_counter() - t0) * 1e3)
        cd.append(statistics.median(times))
    k, c = statistics.median(kd), statistics.median(cd)
    print("elementwise | %8.4f %7.1f | %8.4f %7.1f | %5.2f" % (
        k, moved / k / 1e6, c, moved / c / 1e6, c / k), flush=True)


GRAPHS = [] if args.emulate else ["--cuda-graphs", args.cuda_graphs]
FIXTURES = ["binary", "cnn28", "cnn32", "lstm", "mlp", "resnet", "rnn",
            "torch_cnn", "torch_lstm", "torch_mlp", "transformer"]
TRAIN_FLAGS = ["--train", "--batch", "32", "--loss", "sparse_categorical_crossentropy",
               "--optimizer", "adam", "--learning-rate", "1e-3"]


def test_accuracy(stdout):
    return float(re.search(r"test_accuracy: ([0-9.]+)\s*$", stdout).group(1))


# Training checks: (model, epochs, training images or None for all). The
# CNN's exercises cuDNN's backward convolutions; one epoch on a fifth of
# the data keeps the CPU side short.
TRAIN_CHECKS = [("mlp", 5, None), ("cnn28", 1, 12800)]


def train_check_args(epochs, limit):
    return ["--epochs", str(epochs), "--seed", "0", "--progress", "never",
            "--limit-test", "10000"] + (["--limit-train", str(limit)] if limit else [])


def prepare_check():
    """Fixture artifacts with their inputs and goldens, the training checks'
    artifacts, and the CPU's test accuracy for the same trainings."""
    fixtures = os.path.join(args.work, "fixtures")
    os.makedirs(fixtures, exist_ok=True)
    for name in FIXTURES:
        for fmt in ["pb", "onnx"]:
            model = os.path.join(ROOT, "test", "models", name, "model." + fmt)
            if os.path.exists(model):
                kiln_compile(model, os.path.join(fixtures, "%s.%s.so" % (name, fmt)),
                             "--batch", "2")
        for f in ["input", "golden"]:
            shutil.copy(os.path.join(ROOT, "test", "models", name, f + ".npy"),
                        os.path.join(fixtures, "%s.%s.npy" % (name, f)))
    for name, epochs, limit in TRAIN_CHECKS:
        model = os.path.join(ROOT, "test", "models", name, "model.pb")
        kiln_compile(model, os.path.join(args.work, "%s_train_check.so" % name),
                     *TRAIN_FLAGS)
        cpu_so = os.path.join(args.work, "%s_train_cpu.so" % name)
        subprocess.run([tool("kiln-compile"), "-q", model, "-o", cpu_so] + TRAIN_FLAGS,
                       check=True)
        out = subprocess.run([tool("kiln-train"), cpu_so, "--data", MNIST]
                             + train_check_args(epochs, limit),
                             check=True, capture_output=True, text=True).stdout
        with open(os.path.join(args.work, "%s_cpu_accuracy.txt" % name), "w") as f:
            f.write("%.4f\n" % test_accuracy(out))


def check():
    if not args.prepared:
        prepare_check()
    print("# check: fixtures against their goldens (rtol 1e-3) on the GPU")
    fixtures = os.path.join(args.work, "fixtures")
    failures = 0
    for name in FIXTURES:
        for fmt in ["pb", "onnx"]:
            so = os.path.join(fixtures, "%s.%s.so" % (name, fmt))
            if not os.path.exists(so):
                continue
            run = subprocess.run(
                [tool("kiln-run-artifact"), so, "--input",
                 os.path.join(fixtures, name + ".input.npy"), "--expect",
                 os.path.join(fixtures, name + ".golden.npy"), "--rtol", "1e-3",
                 "--atol", "1e-4"], capture_output=True, text=True)
            verdict = run.stdout.strip().splitlines()[-1] if run.returncode == 0 \
                else "FAILED: " + (run.stderr + run.stdout).strip().replace("\n", " | ")
            failures += run.returncode != 0
            print("%-11s %-4s %s" % (name, fmt, verdict), flush=True)
    for name, epochs, limit in TRAIN_CHECKS:
        out = subprocess.run([tool("kiln-train"),
                              os.path.join(args.work, "%s_train_check.so" % name),
                              "--data", args.mnist] + train_check_args(epochs, limit),
                             check=True, capture_output=True, text=True).stdout
        gpu = test_accuracy(out)
        cpu = float(open(os.path.join(args.work, "%s_cpu_accuracy.txt" % name)).read())
        same = abs(gpu - cpu) <= 0.01
        failures += not same
        print("%s training, %d epoch(s)%s: test_accuracy gpu %.4f, cpu %.4f: %s" %
              (name, epochs, " on %d images" % limit if limit else "", gpu, cpu,
               "same" if same else "DIFFERENT"), flush=True)
    print("check: %s" % ("all passed" if failures == 0 else "%d failed" % failures))


if args.prepare_only:
    if "check" in parts:
        prepare_check()
    # Compile everything here (kiln-compile needs LLVM); the GPU machine
    # runs it with --prepared.
    for name, batch in [("mlp", 1), ("cnn28", 32), ("resnet", 32)]:
        kiln_compile(os.path.join(ROOT, "test", "models", name, "model.onnx"),
                     os.path.join(args.work, "%s_b%d.so" % (name, batch)),
                     "--batch", str(batch))
    for name in ["mlp", "cnn28"]:
        kiln_compile(os.path.join(ROOT, "test", "models", name, "model.pb"),
                     os.path.join(args.work, "%s_train.so" % name),
                     "--train", "--batch", "32", "--loss",
                     "sparse_categorical_crossentropy", "--optimizer", "adam",
                     "--learning-rate", "1e-3")
    kiln_compile(os.path.join(ROOT, "tools", "bench", "inputs", "elementwise.mlir"),
                 os.path.join(args.work, "elementwise.so"))
    os.makedirs(os.path.join(args.work, "mnist"), exist_ok=True)
    for f in os.listdir(MNIST):
        if f.endswith(".gz"):
            shutil.copy(os.path.join(MNIST, f), os.path.join(args.work, "mnist", f))
    print("prepared", args.work)
    raise SystemExit(0)
if not args.emulate and not torch.cuda.is_available():
    raise SystemExit("no CUDA device for PyTorch (use --emulate for a dry run)")
if device.type == "cuda":
    print("# %s, PyTorch %s" % (torch.cuda.get_device_name(0), torch.__version__))
if "check" in parts:
    check()
if "infer" in parts:
    infer()
if "train" in parts:
    train()
if "bw" in parts:
    bandwidth()
