"""Prints a function that applies OP (neg, the default, or reshape to
[1, N]) to an N-element non-splat f32 constant [0, 1, ..., N-1]; fold.mlir
uses it to test the folders' size cap."""
import sys

n = int(sys.argv[1])
op = sys.argv[2] if len(sys.argv) > 2 else "neg"
values = ", ".join(f"{i}.0" for i in range(n))
result = f"tensor<{n}xf32>" if op == "neg" else f"tensor<1x{n}xf32>"
print(f"func.func @large() -> {result} {{")
print(f"  %c = kiln.constant dense<[{values}]> : tensor<{n}xf32>")
if op == "neg":
    print(f"  %0 = kiln.neg %c : tensor<{n}xf32>")
else:
    print(f"  %0 = kiln.reshape %c {{shape = array<i64: 1, {n}>}} : (tensor<{n}xf32>) -> {result}")
print(f"  return %0 : {result}")
print("}")
