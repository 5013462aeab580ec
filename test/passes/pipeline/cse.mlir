// kiln-optimize merges identical computations (MLIR's CSE) and then prunes
// what that leaves dead: the two equal `exp`s become one.
// RUN: kiln-opt %s --kiln-optimize | FileCheck %s

// CHECK-LABEL: func.func @duplicates
// CHECK: kiln.fusion "elementwise"(%arg0)
// CHECK-COUNT-1: kiln.exp
// CHECK-NOT: kiln.exp
func.func @duplicates(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = kiln.exp %x : tensor<4xf32>
  %b = kiln.exp %x : tensor<4xf32>
  %s = kiln.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}
