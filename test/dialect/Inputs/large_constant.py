"""Prints a function that negates an N-element non-splat f32 constant
[0, 1, ..., N-1]; fold.mlir uses it to test the folders' size cap."""
import sys

n = int(sys.argv[1])
values = ", ".join(f"{i}.0" for i in range(n))
print(f"func.func @large() -> tensor<{n}xf32> {{")
print(f"  %c = kiln.constant dense<[{values}]> : tensor<{n}xf32>")
print(f"  %0 = kiln.neg %c : tensor<{n}xf32>")
print(f"  return %0 : tensor<{n}xf32>")
print("}")
