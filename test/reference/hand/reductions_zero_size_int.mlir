// Hand-computed reference-interpreter test, kept apart from reductions.mlir
// so that its outcome does not hide the other reduction cases: an integer
// reduce_max / reduce_min over a zero-size axis yields the identity of the
// element type (its minimum / maximum), the integer counterpart of the -inf /
// +inf that float reductions give, and the same for every width.
//
// RUN: kiln-run %s --function reduce_zero_size_int --print | FileCheck %s --match-full-lines --check-prefix=ZEROINT

// Empty integer max/min: i32 -2147483648 / 2147483647, i8 -128 / 127, and i64
// -9223372036854775808 / 9223372036854775807 (consistent across widths).
func.func @reduce_zero_size_int() -> (tensor<2xi32>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi64>, tensor<1xi64>) {
  %i = kiln.constant dense<> : tensor<2x0xi32>
  %imx = kiln.reduce_max %i {axes = array<i64: 1>} : (tensor<2x0xi32>) -> tensor<2xi32>
  %imn = kiln.reduce_min %i {axes = array<i64: 1>} : (tensor<2x0xi32>) -> tensor<2xi32>
  %j = kiln.constant dense<> : tensor<1x0xi8>
  %jmx = kiln.reduce_max %j {axes = array<i64: 1>} : (tensor<1x0xi8>) -> tensor<1xi8>
  %jmn = kiln.reduce_min %j {axes = array<i64: 1>} : (tensor<1x0xi8>) -> tensor<1xi8>
  %k = kiln.constant dense<> : tensor<1x0xi64>
  %kmx = kiln.reduce_max %k {axes = array<i64: 1>} : (tensor<1x0xi64>) -> tensor<1xi64>
  %kmn = kiln.reduce_min %k {axes = array<i64: 1>} : (tensor<1x0xi64>) -> tensor<1xi64>
  return %imx, %imn, %jmx, %jmn, %kmx, %kmn : tensor<2xi32>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi64>, tensor<1xi64>
}
// ZEROINT: result0: tensor<2xi32>
// ZEROINT-NEXT: [-2147483648, -2147483648]
// ZEROINT-NEXT: result1: tensor<2xi32>
// ZEROINT-NEXT: [2147483647, 2147483647]
// ZEROINT-NEXT: result2: tensor<1xi8>
// ZEROINT-NEXT: [-128]
// ZEROINT-NEXT: result3: tensor<1xi8>
// ZEROINT-NEXT: [127]
// ZEROINT-NEXT: result4: tensor<1xi64>
// ZEROINT-NEXT: [-9223372036854775808]
// ZEROINT-NEXT: result5: tensor<1xi64>
// ZEROINT-NEXT: [9223372036854775807]
