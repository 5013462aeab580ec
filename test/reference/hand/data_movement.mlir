// Hand-computed reference-interpreter tests: reshape, transpose,
// broadcast_to, concat, slice, pad and gather. Expected values computed by
// hand from dialects/kiln/KilnShape.td.
//
// RUN: kiln-run %s --function reshape_infer --print | FileCheck %s --match-full-lines --check-prefix=RESHAPE
// RUN: kiln-run %s --function transpose_perm --print | FileCheck %s --match-full-lines --check-prefix=TRANSPOSE
// RUN: kiln-run %s --function broadcast_to_cases --print | FileCheck %s --match-full-lines --check-prefix=BCASTTO
// RUN: kiln-run %s --function concat_axes --print | FileCheck %s --match-full-lines --check-prefix=CONCAT
// RUN: kiln-run %s --function slice_strides --print | FileCheck %s --match-full-lines --check-prefix=SLICE
// RUN: kiln-run %s --function pad_values --print | FileCheck %s --match-full-lines --check-prefix=PAD
// RUN: kiln-run %s --function gather_negative --print | FileCheck %s --match-full-lines --check-prefix=GATHER

// reshape keeps row-major order; a -1 entry is inferred from the count
// (2x3 -> [3, -1] = 3x2, [-1] = 6, [-1, 1, 2] = 3x1x2).
func.func @reshape_infer() -> (tensor<3x2xf32>, tensor<6xf32>, tensor<3x1x2xf32>) {
  %x = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %a = kiln.reshape %x {shape = array<i64: 3, -1>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %b = kiln.reshape %x {shape = array<i64: -1>} : (tensor<2x3xf32>) -> tensor<6xf32>
  %c = kiln.reshape %x {shape = array<i64: -1, 1, 2>} : (tensor<2x3xf32>) -> tensor<3x1x2xf32>
  return %a, %b, %c : tensor<3x2xf32>, tensor<6xf32>, tensor<3x1x2xf32>
}
// RESHAPE: result0: tensor<3x2xf32>
// RESHAPE-NEXT: {{\[\[}}1, 2], [3, 4], [5, 6]]
// RESHAPE-NEXT: result1: tensor<6xf32>
// RESHAPE-NEXT: [1, 2, 3, 4, 5, 6]
// RESHAPE-NEXT: result2: tensor<3x1x2xf32>
// RESHAPE-NEXT: {{\[\[\[}}1, 2]], {{\[\[}}3, 4]], {{\[\[}}5, 6]]]

// transpose: result.shape[i] = x.shape[perm[i]] and
// result[i, j, k] = x[j, k, i] for perm [2, 0, 1]; also on i32.
func.func @transpose_perm() -> (tensor<3x2xf32>, tensor<3x2x1xi32>) {
  %x = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %a = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %y = kiln.constant dense<[[[1, 2, 3]], [[4, 5, 6]]]> : tensor<2x1x3xi32>
  %b = kiln.transpose %y {perm = array<i64: 2, 0, 1>} : (tensor<2x1x3xi32>) -> tensor<3x2x1xi32>
  return %a, %b : tensor<3x2xf32>, tensor<3x2x1xi32>
}
// TRANSPOSE: result0: tensor<3x2xf32>
// TRANSPOSE-NEXT: {{\[\[}}1, 4], [2, 5], [3, 6]]
// TRANSPOSE-NEXT: result1: tensor<3x2x1xi32>
// TRANSPOSE-NEXT: {{\[\[\[}}1], [4]], {{\[\[}}2], [5]], {{\[\[}}3], [6]]]

// broadcast_to: a missing leading dim, a size-1 dim, an i1 and a rank-0 value.
func.func @broadcast_to_cases() -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xi1>, tensor<2x2xi32>) {
  %r = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %a = kiln.broadcast_to %r {shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
  %c = kiln.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b = kiln.broadcast_to %c {shape = array<i64: 2, 3>} : (tensor<2x1xf32>) -> tensor<2x3xf32>
  %t = kiln.constant dense<[true]> : tensor<1xi1>
  %d = kiln.broadcast_to %t {shape = array<i64: 3>} : (tensor<1xi1>) -> tensor<3xi1>
  %s = kiln.constant dense<-4> : tensor<i32>
  %e = kiln.broadcast_to %s {shape = array<i64: 2, 2>} : (tensor<i32>) -> tensor<2x2xi32>
  return %a, %b, %d, %e : tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xi1>, tensor<2x2xi32>
}
// BCASTTO: result0: tensor<2x3xf32>
// BCASTTO-NEXT: {{\[\[}}1, 2, 3], [1, 2, 3]]
// BCASTTO-NEXT: result1: tensor<2x3xf32>
// BCASTTO-NEXT: {{\[\[}}1, 1, 1], [2, 2, 2]]
// BCASTTO-NEXT: result2: tensor<3xi1>
// BCASTTO-NEXT: [true, true, true]
// BCASTTO-NEXT: result3: tensor<2x2xi32>
// BCASTTO-NEXT: {{\[\[}}-4, -4], [-4, -4]]

// concat along axis 1 (and the same with axis -1), along axis 0, and of
// three i32 inputs of different lengths in argument order.
func.func @concat_axes() -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>, tensor<4xi32>) {
  %a = kiln.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b = kiln.constant dense<[[3.0, 4.0], [5.0, 6.0]]> : tensor<2x2xf32>
  %c1 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x1xf32>, tensor<2x2xf32>) -> tensor<2x3xf32>
  %c2 = kiln.concat %a, %b {axis = -1 : i64} : (tensor<2x1xf32>, tensor<2x2xf32>) -> tensor<2x3xf32>
  %r = kiln.constant dense<[[7.0, 8.0]]> : tensor<1x2xf32>
  %c3 = kiln.concat %r, %b {axis = 0 : i64} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %i = kiln.constant dense<[1]> : tensor<1xi32>
  %j = kiln.constant dense<[2, 3]> : tensor<2xi32>
  %k = kiln.constant dense<[4]> : tensor<1xi32>
  %c4 = kiln.concat %i, %j, %k {axis = 0 : i64} : (tensor<1xi32>, tensor<2xi32>, tensor<1xi32>) -> tensor<4xi32>
  return %c1, %c2, %c3, %c4 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>, tensor<4xi32>
}
// CONCAT: result0: tensor<2x3xf32>
// CONCAT-NEXT: {{\[\[}}1, 3, 4], [2, 5, 6]]
// CONCAT-NEXT: result1: tensor<2x3xf32>
// CONCAT-NEXT: {{\[\[}}1, 3, 4], [2, 5, 6]]
// CONCAT-NEXT: result2: tensor<3x2xf32>
// CONCAT-NEXT: {{\[\[}}7, 8], [3, 4], [5, 6]]
// CONCAT-NEXT: result3: tensor<4xi32>
// CONCAT-NEXT: [1, 2, 3, 4]

// slice takes start, start + stride, ... below limit: [1, 8) step 3 = 1 4 7,
// [1, 7) step 3 = 1 4; per-dim strides on 2-D; default stride 1; and an
// empty slice (start == limit) of size 0.
func.func @slice_strides() -> (tensor<3xi32>, tensor<2xi32>, tensor<2x2xi32>, tensor<2xi32>, tensor<0xi32>) {
  %x = kiln.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]> : tensor<10xi32>
  %a = kiln.slice %x {start = array<i64: 1>, limit = array<i64: 8>, strides = array<i64: 3>} : (tensor<10xi32>) -> tensor<3xi32>
  %b = kiln.slice %x {start = array<i64: 1>, limit = array<i64: 7>, strides = array<i64: 3>} : (tensor<10xi32>) -> tensor<2xi32>
  %m = kiln.constant dense<[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]> : tensor<3x4xi32>
  %c = kiln.slice %m {start = array<i64: 0, 1>, limit = array<i64: 3, 4>, strides = array<i64: 2, 2>} : (tensor<3x4xi32>) -> tensor<2x2xi32>
  %d = kiln.slice %x {start = array<i64: 1>, limit = array<i64: 3>} : (tensor<10xi32>) -> tensor<2xi32>
  %e = kiln.slice %x {start = array<i64: 2>, limit = array<i64: 2>} : (tensor<10xi32>) -> tensor<0xi32>
  return %a, %b, %c, %d, %e : tensor<3xi32>, tensor<2xi32>, tensor<2x2xi32>, tensor<2xi32>, tensor<0xi32>
}
// SLICE: result0: tensor<3xi32>
// SLICE-NEXT: [1, 4, 7]
// SLICE-NEXT: result1: tensor<2xi32>
// SLICE-NEXT: [1, 4]
// SLICE-NEXT: result2: tensor<2x2xi32>
// SLICE-NEXT: {{\[\[}}1, 3], [9, 11]]
// SLICE-NEXT: result3: tensor<2xi32>
// SLICE-NEXT: [1, 2]
// SLICE-NEXT: result4: tensor<0xi32>
// SLICE-NEXT: []

// pad fills low/high borders with `value`: 9.0 on f32 (low [1, 0], high
// [0, 1]), -1 converted to i32, 1.0 converted to i1 true, default 0.
func.func @pad_values() -> (tensor<2x3xf32>, tensor<5xi32>, tensor<3xi1>, tensor<2xf32>) {
  %x = kiln.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %a = kiln.pad %x {low = array<i64: 1, 0>, high = array<i64: 0, 1>, value = 9.000000e+00 : f64} : (tensor<1x2xf32>) -> tensor<2x3xf32>
  %i = kiln.constant dense<[5, 6]> : tensor<2xi32>
  %b = kiln.pad %i {low = array<i64: 2>, high = array<i64: 1>, value = -1.000000e+00 : f64} : (tensor<2xi32>) -> tensor<5xi32>
  %f = kiln.constant dense<[false]> : tensor<1xi1>
  %c = kiln.pad %f {low = array<i64: 1>, high = array<i64: 1>, value = 1.000000e+00 : f64} : (tensor<1xi1>) -> tensor<3xi1>
  %y = kiln.constant dense<[3.0]> : tensor<1xf32>
  %d = kiln.pad %y {low = array<i64: 1>, high = array<i64: 0>} : (tensor<1xf32>) -> tensor<2xf32>
  return %a, %b, %c, %d : tensor<2x3xf32>, tensor<5xi32>, tensor<3xi1>, tensor<2xf32>
}
// PAD: result0: tensor<2x3xf32>
// PAD-NEXT: {{\[\[}}9, 9, 9], [1, 2, 9]]
// PAD-NEXT: result1: tensor<5xi32>
// PAD-NEXT: [-1, -1, 5, 6, -1]
// PAD-NEXT: result2: tensor<3xi1>
// PAD-NEXT: [true, false, true]
// PAD-NEXT: result3: tensor<2xf32>
// PAD-NEXT: [0, 3]

// gather: negative indices count from the end (-1 -> 2, -3 -> 0); axis 1
// with i64 indices gives params[:1] + indices.shape + params[2:]; an
// embedding lookup (axis 0) with 2x1 i32 ids on i32 params.
func.func @gather_negative() -> (tensor<4xf32>, tensor<2x1x2xf32>, tensor<2x1x2xi32>) {
  %p = kiln.constant dense<[1.5, 2.5, 3.5]> : tensor<3xf32>
  %i = kiln.constant dense<[-1, 0, -3, 2]> : tensor<4xi32>
  %a = kiln.gather %p, %i : (tensor<3xf32>, tensor<4xi32>) -> tensor<4xf32>
  %m = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %j = kiln.constant dense<[[2, -2]]> : tensor<1x2xi64>
  %b = kiln.gather %m, %j {axis = 1 : i64} : (tensor<2x3xf32>, tensor<1x2xi64>) -> tensor<2x1x2xf32>
  %t = kiln.constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi32>
  %ids = kiln.constant dense<[[2], [-3]]> : tensor<2x1xi32>
  %c = kiln.gather %t, %ids : (tensor<3x2xi32>, tensor<2x1xi32>) -> tensor<2x1x2xi32>
  return %a, %b, %c : tensor<4xf32>, tensor<2x1x2xf32>, tensor<2x1x2xi32>
}
// GATHER: result0: tensor<4xf32>
// GATHER-NEXT: [3.5, 1.5, 1.5, 3.5]
// GATHER-NEXT: result1: tensor<2x1x2xf32>
// GATHER-NEXT: {{\[\[\[}}3, 2]], {{\[\[}}6, 5]]]
// GATHER-NEXT: result2: tensor<2x1x2xi32>
// GATHER-NEXT: {{\[\[\[}}5, 6]], {{\[\[}}1, 2]]]
