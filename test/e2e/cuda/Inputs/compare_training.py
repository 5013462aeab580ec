"""Compares two kiln-train runs of one model (CPU and CUDA): the last
epoch's loss within 2% and the final test accuracy within 2 points.

usage: compare_training.py CPU_CSV CPU_OUT CUDA_CSV CUDA_OUT
(CSV: kiln-train's --csv curve; OUT: kiln-train's stdout).
Standard library only."""
import csv
import sys


def last_row(path):
    with open(path) as f:
        return list(csv.DictReader(f))[-1]


def test_accuracy(out_path):
    lines = [l for l in open(out_path).read().splitlines() if l.strip()]
    key, value = lines[-1].split(":")
    assert key == "test_accuracy", lines[-1]
    return float(value)


cpu, cuda = last_row(sys.argv[1]), last_row(sys.argv[3])
cpu_acc, cuda_acc = test_accuracy(sys.argv[2]), test_accuracy(sys.argv[4])
loss_cpu, loss_cuda = float(cpu["loss"]), float(cuda["loss"])
print(f"loss cpu {loss_cpu:.6f} cuda {loss_cuda:.6f}; "
      f"test_accuracy cpu {cpu_acc:.4f} cuda {cuda_acc:.4f}")
if abs(loss_cpu - loss_cuda) > 0.02 * abs(loss_cpu):
    sys.exit("the losses differ by more than 2%")
if abs(cpu_acc - cuda_acc) > 0.02:
    sys.exit("the test accuracies differ by more than 2 points")
print("cpu and cuda agree")
