"""Batch-1 and batch-32 latency of Kiln-compiled fixtures vs ONNX Runtime,
single thread, interleaved rounds in one run (see tools/bench/models.sh).

    models_vs_ort.py BUILD_DIR WORK_DIR MODEL... [--rounds R] [--runs N]
"""
import argparse
import os
import re
import statistics
import subprocess
import time

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("work")
parser.add_argument("models", nargs="+")
parser.add_argument("--rounds", type=int, default=5)
parser.add_argument("--runs", type=int, default=200)
parser.add_argument("--batches", default="1,32")
args = parser.parse_args()

options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL

print("# model batch | kiln median/p90 ms | onnxruntime median/p90 ms | speedup (ORT/kiln)")
for model in args.models:
    onnx_path = os.path.join(ROOT, "test", "models", model, "model.onnx")
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    inp = session.get_inputs()[0]
    for batch in [int(b) for b in args.batches.split(",")]:
        shape = [batch] + [d for d in inp.shape[1:]]
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        x_path = os.path.join(args.work, "%s_b%d.npy" % (model, batch))
        np.save(x_path, x)
        so = os.path.join(args.work, "%s_b%d.so" % (model, batch))
        subprocess.run([os.path.join(args.build, "bin", "kiln-compile"), "-q",
                        onnx_path, "--batch", str(batch), "-o", so], check=True)
        kiln_medians, kiln_p90s, ort_times = [], [], []
        for _ in range(args.rounds):
            out = subprocess.run(
                [os.path.join(args.build, "bin", "kiln-run"), so, "--input", x_path,
                 "--threads", "1", "--benchmark", str(args.runs)],
                check=True, capture_output=True, text=True).stdout
            kiln_medians.append(float(re.search(r"median_ms: ([0-9.e+-]+)", out).group(1)))
            kiln_p90s.append(float(re.search(r"p90_ms: ([0-9.e+-]+)", out).group(1)))
            feed = {inp.name: x}
            session.run(None, feed)
            for _ in range(args.runs):
                t0 = time.perf_counter()
                session.run(None, feed)
                ort_times.append((time.perf_counter() - t0) * 1e3)
        k_med = statistics.median(kiln_medians)
        k_p90 = statistics.median(kiln_p90s)
        o_med = statistics.median(ort_times)
        o_p90 = sorted(ort_times)[int(len(ort_times) * 0.9)]
        print("%-10s %3d | %8.4f / %8.4f | %8.4f / %8.4f | %5.2fx" %
              (model, batch, k_med, k_p90, o_med, o_p90, o_med / k_med), flush=True)
