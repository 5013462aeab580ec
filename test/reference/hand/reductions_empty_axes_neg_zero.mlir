// Hand-computed reference-interpreter test, kept apart from reductions.mlir
// so that its outcome does not hide the other reduction cases: a reduction
// over empty axes is the identity, bit for bit (KilnNN.td: "Empty `axes`
// reduces nothing").
//
// RUN: kiln-run %s --function reduce_empty_axes_neg_zero --print | FileCheck %s --match-full-lines --check-prefix=EMPTYNZ

// Empty axes are the identity bit for bit: -0.0 stays -0.0 (an accumulator
// seeded with +0.0 would turn it into +0.0 in sum and mean).
func.func @reduce_empty_axes_neg_zero() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %x = kiln.constant dense<[-0.0, 1.0]> : tensor<2xf32>
  %s = kiln.reduce_sum %x {axes = array<i64>} : (tensor<2xf32>) -> tensor<2xf32>
  %m = kiln.reduce_mean %x {axes = array<i64>} : (tensor<2xf32>) -> tensor<2xf32>
  %mx = kiln.reduce_max %x {axes = array<i64>} : (tensor<2xf32>) -> tensor<2xf32>
  %p = kiln.reduce_prod %x {axes = array<i64>} : (tensor<2xf32>) -> tensor<2xf32>
  return %s, %m, %mx, %p : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}
// EMPTYNZ: result0: tensor<2xf32>
// EMPTYNZ-NEXT: [-0, 1]
// EMPTYNZ-NEXT: result1: tensor<2xf32>
// EMPTYNZ-NEXT: [-0, 1]
// EMPTYNZ-NEXT: result2: tensor<2xf32>
// EMPTYNZ-NEXT: [-0, 1]
// EMPTYNZ-NEXT: result3: tensor<2xf32>
// EMPTYNZ-NEXT: [-0, 1]
