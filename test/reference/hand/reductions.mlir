// Hand-computed reference-interpreter tests: reductions, argmax/argmin,
// softmax and log_softmax. Expected values computed by hand from
// dialects/kiln/KilnNN.td.
//
// RUN: kiln-run %s --function reduce_empty_axes --print | FileCheck %s --match-full-lines --check-prefix=EMPTY
// RUN: kiln-run %s --function reduce_zero_size_float --print | FileCheck %s --match-full-lines --check-prefix=ZEROSIZE
// RUN: kiln-run %s --function reduce_keepdims --print | FileCheck %s --match-full-lines --check-prefix=KEEP
// RUN: kiln-run %s --function reduce_mean --print | FileCheck %s --match-full-lines --check-prefix=MEAN
// RUN: kiln-run %s --function reduce_prod --print | FileCheck %s --match-full-lines --check-prefix=PROD
// RUN: kiln-run %s --function reduce_max_min_nan --print | FileCheck %s --match-full-lines --check-prefix=RMAXNAN
// RUN: kiln-run %s --function reduce_max_min_extremes --print | FileCheck %s --match-full-lines --check-prefix=RMAXEXT
// RUN: kiln-run %s --function arg_ties --print | FileCheck %s --match-full-lines --check-prefix=ARGTIE
// RUN: kiln-run %s --function arg_nan --print | FileCheck %s --match-full-lines --check-prefix=ARGNAN
// RUN: kiln-run %s --function arg_axis_keepdims --print | FileCheck %s --match-full-lines --check-prefix=ARGAXIS
// RUN: kiln-run %s --function softmax_cases --print | FileCheck %s --match-full-lines --check-prefix=SOFTMAX
// RUN: kiln-run %s --function log_softmax_cases --print | FileCheck %s --match-full-lines --check-prefix=LOGSOFTMAX

// Empty axes reduce nothing: every reduction is the identity (NaN included,
// integers included), with the input's shape.
func.func @reduce_empty_axes() -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xi32>) {
  %x = kiln.constant dense<[[1.0, -2.0], [0x7FC00000, 4.0]]> : tensor<2x2xf32>
  %s = kiln.reduce_sum %x {axes = array<i64>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %m = kiln.reduce_mean %x {axes = array<i64>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %mx = kiln.reduce_max %x {axes = array<i64>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %mn = kiln.reduce_min %x {axes = array<i64>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %p = kiln.reduce_prod %x {axes = array<i64>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %i = kiln.constant dense<[-7, 9]> : tensor<2xi32>
  %is = kiln.reduce_sum %i {axes = array<i64>} : (tensor<2xi32>) -> tensor<2xi32>
  return %s, %m, %mx, %mn, %p, %is : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xi32>
}
// EMPTY: result0: tensor<2x2xf32>
// EMPTY-NEXT: {{\[\[}}1, -2], [nan, 4]]
// EMPTY-NEXT: result1: tensor<2x2xf32>
// EMPTY-NEXT: {{\[\[}}1, -2], [nan, 4]]
// EMPTY-NEXT: result2: tensor<2x2xf32>
// EMPTY-NEXT: {{\[\[}}1, -2], [nan, 4]]
// EMPTY-NEXT: result3: tensor<2x2xf32>
// EMPTY-NEXT: {{\[\[}}1, -2], [nan, 4]]
// EMPTY-NEXT: result4: tensor<2x2xf32>
// EMPTY-NEXT: {{\[\[}}1, -2], [nan, 4]]
// EMPTY-NEXT: result5: tensor<2xi32>
// EMPTY-NEXT: [-7, 9]

// Reducing a zero-size axis yields each reduction's identity element:
// sum 0, prod 1, max -inf, min +inf; the mean of nothing is 0/0 = NaN.
func.func @reduce_zero_size_float() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %x = kiln.constant dense<> : tensor<2x0xf32>
  %s = kiln.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x0xf32>) -> tensor<2xf32>
  %p = kiln.reduce_prod %x {axes = array<i64: 1>} : (tensor<2x0xf32>) -> tensor<2xf32>
  %mx = kiln.reduce_max %x {axes = array<i64: 1>} : (tensor<2x0xf32>) -> tensor<2xf32>
  %mn = kiln.reduce_min %x {axes = array<i64: 1>} : (tensor<2x0xf32>) -> tensor<2xf32>
  %me = kiln.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x0xf32>) -> tensor<2xf32>
  return %s, %p, %mx, %mn, %me : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}
// ZEROSIZE: result0: tensor<2xf32>
// ZEROSIZE-NEXT: [0, 0]
// ZEROSIZE-NEXT: result1: tensor<2xf32>
// ZEROSIZE-NEXT: [1, 1]
// ZEROSIZE-NEXT: result2: tensor<2xf32>
// ZEROSIZE-NEXT: [-inf, -inf]
// ZEROSIZE-NEXT: result3: tensor<2xf32>
// ZEROSIZE-NEXT: [inf, inf]
// ZEROSIZE-NEXT: result4: tensor<2xf32>
// ZEROSIZE-NEXT: [nan, nan]

// keepdims keeps reduced dims with size 1; negative axes count from the end;
// reducing all axes without keepdims gives a rank-0 tensor.
func.func @reduce_keepdims() -> (tensor<2xf32>, tensor<2x1xf32>, tensor<3xf32>, tensor<f32>, tensor<1x1xf32>) {
  %x = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %a = kiln.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %b = kiln.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %c = kiln.reduce_sum %x {axes = array<i64: -2>} : (tensor<2x3xf32>) -> tensor<3xf32>
  %d = kiln.reduce_sum %x {axes = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<f32>
  %e = kiln.reduce_sum %x {axes = array<i64: 0, 1>, keepdims = true} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %a, %b, %c, %d, %e : tensor<2xf32>, tensor<2x1xf32>, tensor<3xf32>, tensor<f32>, tensor<1x1xf32>
}
// KEEP: result0: tensor<2xf32>
// KEEP-NEXT: [6, 15]
// KEEP-NEXT: result1: tensor<2x1xf32>
// KEEP-NEXT: {{\[\[}}6], [15]]
// KEEP-NEXT: result2: tensor<3xf32>
// KEEP-NEXT: [5, 7, 9]
// KEEP-NEXT: result3: tensor<f32>
// KEEP-NEXT: 21
// KEEP-NEXT: result4: tensor<1x1xf32>
// KEEP-NEXT: {{\[\[}}21]]

// reduce_mean divides by the number of reduced elements (2 per row, 4 for
// all, 2 per column with keepdims).
func.func @reduce_mean() -> (tensor<2xf32>, tensor<f32>, tensor<1x2xf32>) {
  %x = kiln.constant dense<[[1.0, 2.0], [3.0, 5.0]]> : tensor<2x2xf32>
  %a = kiln.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x2xf32>) -> tensor<2xf32>
  %b = kiln.reduce_mean %x {axes = array<i64: 0, 1>} : (tensor<2x2xf32>) -> tensor<f32>
  %c = kiln.reduce_mean %x {axes = array<i64: 0>, keepdims = true} : (tensor<2x2xf32>) -> tensor<1x2xf32>
  return %a, %b, %c : tensor<2xf32>, tensor<f32>, tensor<1x2xf32>
}
// MEAN: result0: tensor<2xf32>
// MEAN-NEXT: [1.5, 4]
// MEAN-NEXT: result1: tensor<f32>
// MEAN-NEXT: 2.75
// MEAN-NEXT: result2: tensor<1x2xf32>
// MEAN-NEXT: {{\[\[}}2, 3.5]]

// reduce_prod: float rows, integer columns, and i8 16*16 wrapping to 0.
func.func @reduce_prod() -> (tensor<2xf32>, tensor<2xi32>, tensor<i8>) {
  %x = kiln.constant dense<[[1.0, 2.0, 3.0], [-1.0, 3.0, 7.0]]> : tensor<2x3xf32>
  %a = kiln.reduce_prod %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %i = kiln.constant dense<[[2, 3], [4, 5]]> : tensor<2x2xi32>
  %b = kiln.reduce_prod %i {axes = array<i64: 0>} : (tensor<2x2xi32>) -> tensor<2xi32>
  %j = kiln.constant dense<[16, 16]> : tensor<2xi8>
  %c = kiln.reduce_prod %j {axes = array<i64: 0>} : (tensor<2xi8>) -> tensor<i8>
  return %a, %b, %c : tensor<2xf32>, tensor<2xi32>, tensor<i8>
}
// PROD: result0: tensor<2xf32>
// PROD-NEXT: [6, -21]
// PROD-NEXT: result1: tensor<2xi32>
// PROD-NEXT: [8, 15]
// PROD-NEXT: result2: tensor<i8>
// PROD-NEXT: 0

// reduce_max / reduce_min propagate NaN along either axis, wherever it sits.
func.func @reduce_max_min_nan() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %x = kiln.constant dense<[[1.0, 0x7FC00000, 3.0], [4.0, 5.0, 6.0], [0x7FC00000, -1.0, -2.0]]> : tensor<3x3xf32>
  %a = kiln.reduce_max %x {axes = array<i64: 1>} : (tensor<3x3xf32>) -> tensor<3xf32>
  %b = kiln.reduce_min %x {axes = array<i64: 1>} : (tensor<3x3xf32>) -> tensor<3xf32>
  %c = kiln.reduce_max %x {axes = array<i64: 0>} : (tensor<3x3xf32>) -> tensor<3xf32>
  %d = kiln.reduce_min %x {axes = array<i64: 0>} : (tensor<3x3xf32>) -> tensor<3xf32>
  return %a, %b, %c, %d : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}
// RMAXNAN: result0: tensor<3xf32>
// RMAXNAN-NEXT: [nan, 6, nan]
// RMAXNAN-NEXT: result1: tensor<3xf32>
// RMAXNAN-NEXT: [nan, 4, nan]
// RMAXNAN-NEXT: result2: tensor<3xf32>
// RMAXNAN-NEXT: [nan, nan, 6]
// RMAXNAN-NEXT: result3: tensor<3xf32>
// RMAXNAN-NEXT: [nan, nan, -2]

// The max of all-negative floats is negative (no 0 seed); integer max/min
// at the type's limits (i8 -128 / 127) come back unchanged.
func.func @reduce_max_min_extremes() -> (tensor<f32>, tensor<i8>, tensor<i8>) {
  %x = kiln.constant dense<[-3.0, -1.0, -2.0]> : tensor<3xf32>
  %a = kiln.reduce_max %x {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<f32>
  %lo = kiln.constant dense<[-128, -128]> : tensor<2xi8>
  %b = kiln.reduce_max %lo {axes = array<i64: 0>} : (tensor<2xi8>) -> tensor<i8>
  %hi = kiln.constant dense<[127, 127]> : tensor<2xi8>
  %c = kiln.reduce_min %hi {axes = array<i64: 0>} : (tensor<2xi8>) -> tensor<i8>
  return %a, %b, %c : tensor<f32>, tensor<i8>, tensor<i8>
}
// RMAXEXT: result0: tensor<f32>
// RMAXEXT-NEXT: -1
// RMAXEXT-NEXT: result1: tensor<i8>
// RMAXEXT-NEXT: -128
// RMAXEXT-NEXT: result2: tensor<i8>
// RMAXEXT-NEXT: 127

// argmax/argmin ties resolve to the first index (row 0: 3 at 0 and 2;
// row 1: 1 at 1 and 2), also on integers.
func.func @arg_ties() -> (tensor<2xi64>, tensor<2xi64>, tensor<i64>) {
  %x = kiln.constant dense<[[3.0, 1.0, 3.0, 2.0], [2.0, 1.0, 1.0, 3.0]]> : tensor<2x4xf32>
  %a = kiln.argmax %x {axis = 1 : i64} : (tensor<2x4xf32>) -> tensor<2xi64>
  %b = kiln.argmin %x {axis = 1 : i64} : (tensor<2x4xf32>) -> tensor<2xi64>
  %i = kiln.constant dense<[-1, 7, 7]> : tensor<3xi32>
  %c = kiln.argmax %i {axis = 0 : i64} : (tensor<3xi32>) -> tensor<i64>
  return %a, %b, %c : tensor<2xi64>, tensor<2xi64>, tensor<i64>
}
// ARGTIE: result0: tensor<2xi64>
// ARGTIE-NEXT: [0, 3]
// ARGTIE-NEXT: result1: tensor<2xi64>
// ARGTIE-NEXT: [1, 1]
// ARGTIE-NEXT: result2: tensor<i64>
// ARGTIE-NEXT: 1

// A NaN counts as both the maximum and the minimum; the first NaN wins,
// even at index 0 or after a larger value.
func.func @arg_nan() -> (tensor<3xi64>, tensor<3xi64>) {
  %x = kiln.constant dense<[[1.0, 0x7FC00000, 5.0, 0x7FC00000], [0x7FC00000, 7.0, -7.0, 8.0], [9.0, 1.0, -9.0, 0x7FC00000]]> : tensor<3x4xf32>
  %a = kiln.argmax %x {axis = 1 : i64} : (tensor<3x4xf32>) -> tensor<3xi64>
  %b = kiln.argmin %x {axis = -1 : i64} : (tensor<3x4xf32>) -> tensor<3xi64>
  return %a, %b : tensor<3xi64>, tensor<3xi64>
}
// ARGNAN: result0: tensor<3xi64>
// ARGNAN-NEXT: [1, 0, 3]
// ARGNAN-NEXT: result1: tensor<3xi64>
// ARGNAN-NEXT: [1, 0, 3]

// argmax along axis 0 (per column, tie -> first row) and keepdims.
func.func @arg_axis_keepdims() -> (tensor<2xi64>, tensor<1x2xi64>) {
  %x = kiln.constant dense<[[1.0, 5.0], [3.0, 5.0]]> : tensor<2x2xf32>
  %a = kiln.argmax %x {axis = 0 : i64} : (tensor<2x2xf32>) -> tensor<2xi64>
  %b = kiln.argmax %x {axis = 0 : i64, keepdims = true} : (tensor<2x2xf32>) -> tensor<1x2xi64>
  return %a, %b : tensor<2xi64>, tensor<1x2xi64>
}
// ARGAXIS: result0: tensor<2xi64>
// ARGAXIS-NEXT: [1, 0]
// ARGAXIS-NEXT: result1: tensor<1x2xi64>
// ARGAXIS-NEXT: {{\[\[}}1, 0]]

// softmax of equal values is uniform; large equal logits do not overflow
// (max subtracted); -inf logits get probability 0; axis 0 normalizes columns.
func.func @softmax_cases() -> (tensor<4xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2x2xf32>) {
  %x = kiln.constant dense<[2.0, 2.0, 2.0, 2.0]> : tensor<4xf32>
  %a = kiln.softmax %x : tensor<4xf32>
  %big = kiln.constant dense<[1000.0, 1000.0]> : tensor<2xf32>
  %b = kiln.softmax %big : tensor<2xf32>
  %mask = kiln.constant dense<[0.0, 0xFF800000, 0.0]> : tensor<3xf32>
  %c = kiln.softmax %mask : tensor<3xf32>
  %m = kiln.constant dense<[[1.0, 5.0], [1.0, 5.0]]> : tensor<2x2xf32>
  %d = kiln.softmax %m {axis = 0 : i64} : tensor<2x2xf32>
  return %a, %b, %c, %d : tensor<4xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2x2xf32>
}
// SOFTMAX: result0: tensor<4xf32>
// SOFTMAX-NEXT: [0.25, 0.25, 0.25, 0.25]
// SOFTMAX-NEXT: result1: tensor<2xf32>
// SOFTMAX-NEXT: [0.5, 0.5]
// SOFTMAX-NEXT: result2: tensor<3xf32>
// SOFTMAX-NEXT: [0.5, 0, 0.5]
// SOFTMAX-NEXT: result3: tensor<2x2xf32>
// SOFTMAX-NEXT: {{\[\[}}0.5, 0.5], [0.5, 0.5]]

// log_softmax of two equal values is -ln 2 (f32: -0.6931472), also along
// axis 0; a -inf logit stays -inf and a lone survivor gets log(1) = 0.
func.func @log_softmax_cases() -> (tensor<2xf32>, tensor<2xf32>, tensor<2x1xf32>) {
  %x = kiln.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %a = kiln.log_softmax %x : tensor<2xf32>
  %mask = kiln.constant dense<[3.0, 0xFF800000]> : tensor<2xf32>
  %b = kiln.log_softmax %mask : tensor<2xf32>
  %col = kiln.constant dense<[[3.0], [3.0]]> : tensor<2x1xf32>
  %c = kiln.log_softmax %col {axis = 0 : i64} : tensor<2x1xf32>
  return %a, %b, %c : tensor<2xf32>, tensor<2xf32>, tensor<2x1xf32>
}
// LOGSOFTMAX: result0: tensor<2xf32>
// LOGSOFTMAX-NEXT: [-0.6931472, -0.6931472]
// LOGSOFTMAX-NEXT: result1: tensor<2xf32>
// LOGSOFTMAX-NEXT: [0, -inf]
// LOGSOFTMAX-NEXT: result2: tensor<2x1xf32>
// LOGSOFTMAX-NEXT: {{\[\[}}-0.6931472], [-0.6931472]]
