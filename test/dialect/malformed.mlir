// A syntax error is reported at its line and column, and kiln-opt exits with
// status 2 (malformed input), not 1 or a crash.
// RUN: not kiln-opt %s 2>&1 | FileCheck %s
// RUN: sh -c 'kiln-opt %s 2>/dev/null; test $? -eq 2'

// The type of a unary op must follow a ':'.
// CHECK: malformed.mlir:[[@LINE+3]]:19: error: expected ':'
// CHECK-NEXT: %0 = kiln.exp %x tensor<4xf32>
func.func @missing_colon(%x: tensor<4xf32>) {
  %0 = kiln.exp %x tensor<4xf32>
  return
}
