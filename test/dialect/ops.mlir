// Round trip of every kiln op: the custom form prints, reparses and prints
// again unchanged, and the generic form reparses to the same custom form.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

// Inline dense constants of float, integer and boolean type, splat or not;
// the result type is the value's type.
// CHECK-LABEL: func.func @constant_dense(
func.func @constant_dense() -> (tensor<2x2xf32>, tensor<3xi64>, tensor<4xi1>, tensor<bf16>) {
  // CHECK: kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: kiln.constant dense<[1, -2, 3]> : tensor<3xi64>
  %1 = kiln.constant dense<[1, -2, 3]> : tensor<3xi64>
  // CHECK: kiln.constant dense<true> : tensor<4xi1>
  %2 = kiln.constant dense<true> : tensor<4xi1>
  // CHECK: kiln.constant dense<1.500000e+00> : tensor<bf16>
  %3 = kiln.constant dense<1.5> : tensor<bf16>
  return %0, %1, %2, %3 : tensor<2x2xf32>, tensor<3xi64>, tensor<4xi1>, tensor<bf16>
}

// A dense_resource constant: the blob (4-byte alignment header, then 4 f32
// values) survives the round trip in the resource section.
// CHECK-LABEL: func.func @constant_resource(
func.func @constant_resource() -> tensor<2x2xf32> {
  // CHECK: kiln.constant dense_resource<kiln_weights> : tensor<2x2xf32>
  %0 = kiln.constant dense_resource<kiln_weights> : tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// Casts between every kind of element type keep the shape.
// CHECK-LABEL: func.func @cast(
func.func @cast(%f: tensor<2x3xf32>, %i: tensor<2x3xi32>, %b: tensor<2x3xi1>, %h: tensor<2x3xbf16>) {
  // CHECK: kiln.cast %arg0 : tensor<2x3xf32> -> tensor<2x3xi32>
  %0 = kiln.cast %f : tensor<2x3xf32> -> tensor<2x3xi32>
  // CHECK: kiln.cast %arg1 : tensor<2x3xi32> -> tensor<2x3xf16>
  %1 = kiln.cast %i : tensor<2x3xi32> -> tensor<2x3xf16>
  // CHECK: kiln.cast %arg0 : tensor<2x3xf32> -> tensor<2x3xi1>
  %2 = kiln.cast %f : tensor<2x3xf32> -> tensor<2x3xi1>
  // CHECK: kiln.cast %arg2 : tensor<2x3xi1> -> tensor<2x3xf32>
  %3 = kiln.cast %b : tensor<2x3xi1> -> tensor<2x3xf32>
  // CHECK: kiln.cast %arg3 : tensor<2x3xbf16> -> tensor<2x3xf64>
  %4 = kiln.cast %h : tensor<2x3xbf16> -> tensor<2x3xf64>
  // CHECK: kiln.cast %arg1 : tensor<2x3xi32> -> tensor<2x3xi8>
  %5 = kiln.cast %i : tensor<2x3xi32> -> tensor<2x3xi8>
  return
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

// The numeric unary ops accept floats and integers; the result type is the
// operand's.
// CHECK-LABEL: func.func @unary_numeric(
func.func @unary_numeric(%x: tensor<2x3xf32>, %i: tensor<4xi32>, %j: tensor<4xi8>) {
  // CHECK: kiln.neg %arg0 : tensor<2x3xf32>
  %0 = kiln.neg %x : tensor<2x3xf32>
  // CHECK: kiln.abs %arg0 : tensor<2x3xf32>
  %1 = kiln.abs %x : tensor<2x3xf32>
  // CHECK: kiln.square %arg0 : tensor<2x3xf32>
  %2 = kiln.square %x : tensor<2x3xf32>
  // CHECK: kiln.relu %arg0 : tensor<2x3xf32>
  %3 = kiln.relu %x : tensor<2x3xf32>
  // CHECK: kiln.relu6 %arg0 : tensor<2x3xf32>
  %4 = kiln.relu6 %x : tensor<2x3xf32>
  // CHECK: kiln.neg %arg1 : tensor<4xi32>
  %5 = kiln.neg %i : tensor<4xi32>
  // CHECK: kiln.abs %arg2 : tensor<4xi8>
  %6 = kiln.abs %j : tensor<4xi8>
  // CHECK: kiln.square %arg1 : tensor<4xi32>
  %7 = kiln.square %i : tensor<4xi32>
  // CHECK: kiln.relu %arg2 : tensor<4xi8>
  %8 = kiln.relu %j : tensor<4xi8>
  // CHECK: kiln.relu6 %arg1 : tensor<4xi32>
  %9 = kiln.relu6 %i : tensor<4xi32>
  return
}

// The float-only unary ops, on each float type.
// CHECK-LABEL: func.func @unary_float(
func.func @unary_float(%x: tensor<2x3xf32>, %h: tensor<8xf16>, %b: tensor<8xbf16>, %d: tensor<f64>) {
  // CHECK: kiln.exp %arg0 : tensor<2x3xf32>
  %0 = kiln.exp %x : tensor<2x3xf32>
  // CHECK: kiln.log %arg0 : tensor<2x3xf32>
  %1 = kiln.log %x : tensor<2x3xf32>
  // CHECK: kiln.sqrt %arg1 : tensor<8xf16>
  %2 = kiln.sqrt %h : tensor<8xf16>
  // CHECK: kiln.rsqrt %arg2 : tensor<8xbf16>
  %3 = kiln.rsqrt %b : tensor<8xbf16>
  // CHECK: kiln.tanh %arg3 : tensor<f64>
  %4 = kiln.tanh %d : tensor<f64>
  // CHECK: kiln.sigmoid %arg0 : tensor<2x3xf32>
  %5 = kiln.sigmoid %x : tensor<2x3xf32>
  // CHECK: kiln.softplus %arg0 : tensor<2x3xf32>
  %6 = kiln.softplus %x : tensor<2x3xf32>
  // CHECK: kiln.erf %arg0 : tensor<2x3xf32>
  %7 = kiln.erf %x : tensor<2x3xf32>
  // CHECK: kiln.sin %arg0 : tensor<2x3xf32>
  %s = kiln.sin %x : tensor<2x3xf32>
  // CHECK: kiln.cos %arg0 : tensor<2x3xf32>
  %c = kiln.cos %x : tensor<2x3xf32>
  // CHECK: kiln.floor %arg1 : tensor<8xf16>
  %8 = kiln.floor %h : tensor<8xf16>
  // CHECK: kiln.ceil %arg2 : tensor<8xbf16>
  %9 = kiln.ceil %b : tensor<8xbf16>
  return
}

// Unary ops with attributes: a non-default value is printed, a default one
// (leaky_relu alpha 0.2, elu alpha 1.0, gelu approximate false) is elided.
// CHECK-LABEL: func.func @unary_attributes(
func.func @unary_attributes(%x: tensor<8xf32>) {
  // CHECK: kiln.leaky_relu %arg0 {alpha = 1.000000e-01 : f64} : tensor<8xf32>
  %0 = kiln.leaky_relu %x {alpha = 0.1 : f64} : tensor<8xf32>
  // CHECK: kiln.leaky_relu %arg0 : tensor<8xf32>
  %1 = kiln.leaky_relu %x {alpha = 0.2 : f64} : tensor<8xf32>
  // CHECK: kiln.elu %arg0 {alpha = 5.000000e-01 : f64} : tensor<8xf32>
  %2 = kiln.elu %x {alpha = 0.5 : f64} : tensor<8xf32>
  // CHECK: kiln.elu %arg0 : tensor<8xf32>
  %3 = kiln.elu %x : tensor<8xf32>
  // CHECK: kiln.gelu %arg0 {approximate = true} : tensor<8xf32>
  %4 = kiln.gelu %x {approximate = true} : tensor<8xf32>
  // CHECK: kiln.gelu %arg0 : tensor<8xf32>
  %5 = kiln.gelu %x {approximate = false} : tensor<8xf32>
  return
}

// Boolean negation on i1.
// CHECK-LABEL: func.func @logical_not(
func.func @logical_not(%x: tensor<4xi1>) -> tensor<4xi1> {
  // CHECK: kiln.logical_not %arg0 : tensor<4xi1>
  %0 = kiln.logical_not %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

// Arithmetic with NumPy broadcasting: trailing alignment, size-1 stretching,
// rank-0 operands, integer operands.
// CHECK-LABEL: func.func @binary_arith(
func.func @binary_arith(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %c: tensor<4x1xf32>,
                        %d: tensor<1x5xf32>, %e: tensor<2x1x3xf32>, %s: tensor<f32>,
                        %i: tensor<4xi64>, %j: tensor<1xi64>) {
  // CHECK: kiln.add %arg0, %arg1 : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %0 = kiln.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: kiln.sub %arg2, %arg3 : (tensor<4x1xf32>, tensor<1x5xf32>) -> tensor<4x5xf32>
  %1 = kiln.sub %c, %d : (tensor<4x1xf32>, tensor<1x5xf32>) -> tensor<4x5xf32>
  // CHECK: kiln.mul %arg4, %arg2 : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  %2 = kiln.mul %e, %c : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  // CHECK: kiln.div %arg5, %arg0 : (tensor<f32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %3 = kiln.div %s, %a : (tensor<f32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  // CHECK: kiln.pow %arg0, %arg5 : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %4 = kiln.pow %a, %s : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  // CHECK: kiln.maximum %arg0, %arg0 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %5 = kiln.maximum %a, %a : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  // CHECK: kiln.minimum %arg1, %arg2 : (tensor<3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %6 = kiln.minimum %b, %c : (tensor<3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  // CHECK: kiln.div %arg6, %arg7 : (tensor<4xi64>, tensor<1xi64>) -> tensor<4xi64>
  %7 = kiln.div %i, %j : (tensor<4xi64>, tensor<1xi64>) -> tensor<4xi64>
  return
}

// Comparisons broadcast like arithmetic and return i1, for any element type.
// CHECK-LABEL: func.func @compare(
func.func @compare(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %i: tensor<2x1xi32>,
                   %j: tensor<5xi32>, %p: tensor<4xi1>) {
  // CHECK: kiln.equal %arg0, %arg1 : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  %0 = kiln.equal %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  // CHECK: kiln.not_equal %arg0, %arg1 : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  %1 = kiln.not_equal %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  // CHECK: kiln.less %arg2, %arg3 : (tensor<2x1xi32>, tensor<5xi32>) -> tensor<2x5xi1>
  %2 = kiln.less %i, %j : (tensor<2x1xi32>, tensor<5xi32>) -> tensor<2x5xi1>
  // CHECK: kiln.less_equal %arg2, %arg3 : (tensor<2x1xi32>, tensor<5xi32>) -> tensor<2x5xi1>
  %3 = kiln.less_equal %i, %j : (tensor<2x1xi32>, tensor<5xi32>) -> tensor<2x5xi1>
  // CHECK: kiln.greater %arg1, %arg0 : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xi1>
  %4 = kiln.greater %b, %a : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xi1>
  // CHECK: kiln.greater_equal %arg0, %arg0 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xi1>
  %5 = kiln.greater_equal %a, %a : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xi1>
  // CHECK: kiln.equal %arg4, %arg4 : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %6 = kiln.equal %p, %p : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return
}

// Logical and/or on i1 with broadcasting.
// CHECK-LABEL: func.func @logical_binary(
func.func @logical_binary(%a: tensor<4x1xi1>, %b: tensor<3xi1>) {
  // CHECK: kiln.logical_and %arg0, %arg1 : (tensor<4x1xi1>, tensor<3xi1>) -> tensor<4x3xi1>
  %0 = kiln.logical_and %a, %b : (tensor<4x1xi1>, tensor<3xi1>) -> tensor<4x3xi1>
  // CHECK: kiln.logical_or %arg1, %arg1 : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %1 = kiln.logical_or %b, %b : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}

// Select broadcasts all three operands; the condition may add dimensions.
// CHECK-LABEL: func.func @select(
func.func @select(%c: tensor<4x1xi1>, %a: tensor<4x3xf32>, %b: tensor<3xf32>,
                  %s: tensor<i1>, %d: tensor<2x1x1xi1>, %i: tensor<3xi32>) {
  // CHECK: kiln.select %arg0, %arg1, %arg2 : (tensor<4x1xi1>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %0 = kiln.select %c, %a, %b : (tensor<4x1xi1>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: kiln.select %arg3, %arg5, %arg5 : (tensor<i1>, tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %1 = kiln.select %s, %i, %i : (tensor<i1>, tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  // CHECK: kiln.select %arg4, %arg2, %arg2 : (tensor<2x1x1xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x1x3xf32>
  %2 = kiln.select %d, %b, %b : (tensor<2x1x1xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x1x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// Matmul, convolution, pooling
//===----------------------------------------------------------------------===//

// Matmul: plain, batched, broadcast batch dimensions, a 2-D operand against
// a batched one, transposed operands, integer operands.
// CHECK-LABEL: func.func @matmul(
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>, %ba: tensor<2x4x8xf32>,
                  %bb: tensor<2x8x5xf32>, %c: tensor<3x1x4x8xf32>, %d: tensor<6x8x5xf32>,
                  %at: tensor<8x4xf32>, %bt: tensor<5x8xf32>, %i: tensor<2x3xi32>) {
  // CHECK: kiln.matmul %arg0, %arg1 : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  // CHECK: kiln.matmul %arg2, %arg3 : (tensor<2x4x8xf32>, tensor<2x8x5xf32>) -> tensor<2x4x5xf32>
  %1 = kiln.matmul %ba, %bb : (tensor<2x4x8xf32>, tensor<2x8x5xf32>) -> tensor<2x4x5xf32>
  // CHECK: kiln.matmul %arg4, %arg5 : (tensor<3x1x4x8xf32>, tensor<6x8x5xf32>) -> tensor<3x6x4x5xf32>
  %2 = kiln.matmul %c, %d : (tensor<3x1x4x8xf32>, tensor<6x8x5xf32>) -> tensor<3x6x4x5xf32>
  // CHECK: kiln.matmul %arg2, %arg1 : (tensor<2x4x8xf32>, tensor<8x5xf32>) -> tensor<2x4x5xf32>
  %3 = kiln.matmul %ba, %b : (tensor<2x4x8xf32>, tensor<8x5xf32>) -> tensor<2x4x5xf32>
  // CHECK: kiln.matmul %arg6, %arg1 {transpose_a = true} : (tensor<8x4xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  %4 = kiln.matmul %at, %b {transpose_a = true} : (tensor<8x4xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  // CHECK: kiln.matmul %arg0, %arg7 {transpose_b = true} : (tensor<4x8xf32>, tensor<5x8xf32>) -> tensor<4x5xf32>
  %5 = kiln.matmul %a, %bt {transpose_b = true} : (tensor<4x8xf32>, tensor<5x8xf32>) -> tensor<4x5xf32>
  // CHECK: kiln.matmul %arg6, %arg7 {transpose_a = true, transpose_b = true} : (tensor<8x4xf32>, tensor<5x8xf32>) -> tensor<4x5xf32>
  %6 = kiln.matmul %at, %bt {transpose_a = true, transpose_b = true} : (tensor<8x4xf32>, tensor<5x8xf32>) -> tensor<4x5xf32>
  // CHECK: kiln.matmul %arg8, %arg8 {transpose_b = true} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x2xi32>
  %7 = kiln.matmul %i, %i {transpose_b = true} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x2xi32>
  return
}

// Conv2d: NHWC/HWIO (default), strides with asymmetric padding, dilations,
// NCHW/OIHW, grouped and depthwise convolution.
// CHECK-LABEL: func.func @conv2d(
func.func @conv2d(%x: tensor<1x28x28x1xf32>, %w: tensor<3x3x1x32xf32>,
                  %xc: tensor<1x3x32x32xf32>, %wc: tensor<16x3x5x5xf32>,
                  %x4: tensor<1x10x10x4xf32>, %w48: tensor<3x3x4x8xf32>,
                  %wg: tensor<3x3x2x6xf32>, %wd: tensor<3x3x1x4xf32>,
                  %xd: tensor<1x4x8x8xf16>, %wdm: tensor<8x1x3x3xf16>) {
  // CHECK: kiln.conv2d %arg0, %arg1 : (tensor<1x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<1x26x26x32xf32>
  %0 = kiln.conv2d %x, %w : (tensor<1x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<1x26x26x32xf32>
  // CHECK: kiln.conv2d %arg0, %arg1 {padding = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>} : (tensor<1x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<1x14x14x32xf32>
  %1 = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>}
      : (tensor<1x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<1x14x14x32xf32>
  // CHECK: kiln.conv2d %arg4, %arg5 {dilations = array<i64: 2, 2>} : (tensor<1x10x10x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  %2 = kiln.conv2d %x4, %w48 {dilations = array<i64: 2, 2>}
      : (tensor<1x10x10x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  // CHECK: kiln.conv2d %arg4, %arg5 {dilations = array<i64: 1, 2>, strides = array<i64: 3, 1>} : (tensor<1x10x10x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x3x6x8xf32>
  %3 = kiln.conv2d %x4, %w48 {strides = array<i64: 3, 1>, dilations = array<i64: 1, 2>}
      : (tensor<1x10x10x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x3x6x8xf32>
  // CHECK: kiln.conv2d %arg2, %arg3 {data_format = "NCHW", filter_format = "OIHW", padding = array<i64: 2, 2, 2, 2>} : (tensor<1x3x32x32xf32>, tensor<16x3x5x5xf32>) -> tensor<1x16x32x32xf32>
  %4 = kiln.conv2d %xc, %wc {data_format = "NCHW", filter_format = "OIHW", padding = array<i64: 2, 2, 2, 2>}
      : (tensor<1x3x32x32xf32>, tensor<16x3x5x5xf32>) -> tensor<1x16x32x32xf32>
  // CHECK: kiln.conv2d %arg4, %arg6 {groups = 2 : i64} : (tensor<1x10x10x4xf32>, tensor<3x3x2x6xf32>) -> tensor<1x8x8x6xf32>
  %5 = kiln.conv2d %x4, %wg {groups = 2 : i64}
      : (tensor<1x10x10x4xf32>, tensor<3x3x2x6xf32>) -> tensor<1x8x8x6xf32>
  // CHECK: kiln.conv2d %arg4, %arg7 {groups = 4 : i64, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x10x10x4xf32>, tensor<3x3x1x4xf32>) -> tensor<1x10x10x4xf32>
  %6 = kiln.conv2d %x4, %wd {groups = 4 : i64, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x10x10x4xf32>, tensor<3x3x1x4xf32>) -> tensor<1x10x10x4xf32>
  // CHECK: kiln.conv2d %arg8, %arg9 {data_format = "NCHW", filter_format = "OIHW", groups = 4 : i64} : (tensor<1x4x8x8xf16>, tensor<8x1x3x3xf16>) -> tensor<1x8x6x6xf16>
  %7 = kiln.conv2d %xd, %wdm {data_format = "NCHW", filter_format = "OIHW", groups = 4 : i64}
      : (tensor<1x4x8x8xf16>, tensor<8x1x3x3xf16>) -> tensor<1x8x6x6xf16>
  return
}

// The two convolution gradients, default and NCHW/OIHW grouped.
// CHECK-LABEL: func.func @conv2d_backprop(
func.func @conv2d_backprop(%x: tensor<2x13x13x32xf32>, %dy: tensor<2x11x11x64xf32>,
                           %w: tensor<3x3x32x64xf32>, %xc: tensor<1x4x8x8xf32>,
                           %dyc: tensor<1x6x4x4xf32>, %wc: tensor<6x2x3x3xf32>) {
  // CHECK: kiln.conv2d_backprop_input %arg1, %arg2 {input_shape = array<i64: 2, 13, 13, 32>} : (tensor<2x11x11x64xf32>, tensor<3x3x32x64xf32>) -> tensor<2x13x13x32xf32>
  %0 = kiln.conv2d_backprop_input %dy, %w {input_shape = array<i64: 2, 13, 13, 32>}
      : (tensor<2x11x11x64xf32>, tensor<3x3x32x64xf32>) -> tensor<2x13x13x32xf32>
  // CHECK: kiln.conv2d_backprop_filter %arg0, %arg1 {filter_shape = array<i64: 3, 3, 32, 64>} : (tensor<2x13x13x32xf32>, tensor<2x11x11x64xf32>) -> tensor<3x3x32x64xf32>
  %1 = kiln.conv2d_backprop_filter %x, %dy {filter_shape = array<i64: 3, 3, 32, 64>}
      : (tensor<2x13x13x32xf32>, tensor<2x11x11x64xf32>) -> tensor<3x3x32x64xf32>
  // CHECK: kiln.conv2d_backprop_input %arg4, %arg5 {data_format = "NCHW", filter_format = "OIHW", groups = 2 : i64, input_shape = array<i64: 1, 4, 8, 8>, padding = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>} : (tensor<1x6x4x4xf32>, tensor<6x2x3x3xf32>) -> tensor<1x4x8x8xf32>
  %2 = kiln.conv2d_backprop_input %dyc, %wc {input_shape = array<i64: 1, 4, 8, 8>, strides = array<i64: 2, 2>,
                                             padding = array<i64: 0, 1, 0, 1>, groups = 2 : i64, data_format = "NCHW", filter_format = "OIHW"}
      : (tensor<1x6x4x4xf32>, tensor<6x2x3x3xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: kiln.conv2d_backprop_filter %arg3, %arg4 {data_format = "NCHW", filter_format = "OIHW", filter_shape = array<i64: 6, 2, 3, 3>, groups = 2 : i64, padding = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<1x6x4x4xf32>) -> tensor<6x2x3x3xf32>
  %3 = kiln.conv2d_backprop_filter %xc, %dyc {filter_shape = array<i64: 6, 2, 3, 3>, strides = array<i64: 2, 2>,
                                              padding = array<i64: 0, 1, 0, 1>, groups = 2 : i64, data_format = "NCHW", filter_format = "OIHW"}
      : (tensor<1x4x8x8xf32>, tensor<1x6x4x4xf32>) -> tensor<6x2x3x3xf32>
  return
}

// Max pooling in both layouts, with padding smaller than the window.
// CHECK-LABEL: func.func @max_pool2d(
func.func @max_pool2d(%x: tensor<1x26x26x32xf32>, %y: tensor<1x3x7x7xf32>) {
  // CHECK: kiln.max_pool2d %arg0 {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x26x26x32xf32>) -> tensor<1x13x13x32xf32>
  %0 = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<1x26x26x32xf32>) -> tensor<1x13x13x32xf32>
  // CHECK: kiln.max_pool2d %arg1 {data_format = "NCHW", kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x7x7xf32>) -> tensor<1x3x4x4xf32>
  %1 = kiln.max_pool2d %y {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, data_format = "NCHW"}
      : (tensor<1x3x7x7xf32>) -> tensor<1x3x4x4xf32>
  return
}

// Average pooling: TensorFlow's default divisor and ONNX's count_include_pad.
// CHECK-LABEL: func.func @avg_pool2d(
func.func @avg_pool2d(%x: tensor<1x8x8x16xf32>) {
  // CHECK: kiln.avg_pool2d %arg0 {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x8x16xf32>) -> tensor<1x4x4x16xf32>
  %0 = kiln.avg_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<1x8x8x16xf32>) -> tensor<1x4x4x16xf32>
  // CHECK: kiln.avg_pool2d %arg0 {count_include_pad = true, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %1 = kiln.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = true}
      : (tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// Every reduction: dropped or kept axes, negative axes, several axes, no axes
// (the identity shape) and all axes (rank 0).
// CHECK-LABEL: func.func @reductions(
func.func @reductions(%x: tensor<2x3x4xf32>, %i: tensor<2x3x4xi32>) {
  // CHECK: kiln.reduce_sum %arg0 {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  // CHECK: kiln.reduce_sum %arg0 {axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %1 = kiln.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: kiln.reduce_mean %arg0 {axes = array<i64: -1>} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  %2 = kiln.reduce_mean %x {axes = array<i64: -1>} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  // CHECK: kiln.reduce_max %arg0 {axes = array<i64: 0, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  %3 = kiln.reduce_max %x {axes = array<i64: 0, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  // CHECK: kiln.reduce_min %arg1 {axes = array<i64>} : (tensor<2x3x4xi32>) -> tensor<2x3x4xi32>
  %4 = kiln.reduce_min %i {axes = array<i64>} : (tensor<2x3x4xi32>) -> tensor<2x3x4xi32>
  // CHECK: kiln.reduce_prod %arg1 {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xi32>) -> tensor<i32>
  %5 = kiln.reduce_prod %i {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xi32>) -> tensor<i32>
  // CHECK: kiln.reduce_mean %arg0 {axes = array<i64: 2, 0>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  %6 = kiln.reduce_mean %x {axes = array<i64: 2, 0>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  return
}

// argmax/argmin return i64 indices, with or without the reduced dimension.
// CHECK-LABEL: func.func @arg_reductions(
func.func @arg_reductions(%x: tensor<4x10xf32>, %i: tensor<4x10xi8>) {
  // CHECK: kiln.argmax %arg0 {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi64>
  %0 = kiln.argmax %x {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi64>
  // CHECK: kiln.argmax %arg1 {axis = -1 : i64, keepdims = true} : (tensor<4x10xi8>) -> tensor<4x1xi64>
  %1 = kiln.argmax %i {axis = -1 : i64, keepdims = true} : (tensor<4x10xi8>) -> tensor<4x1xi64>
  // CHECK: kiln.argmin %arg0 {axis = 0 : i64} : (tensor<4x10xf32>) -> tensor<10xi64>
  %2 = kiln.argmin %x {axis = 0 : i64} : (tensor<4x10xf32>) -> tensor<10xi64>
  // CHECK: kiln.argmin %arg1 {axis = 0 : i64, keepdims = true} : (tensor<4x10xi8>) -> tensor<1x10xi64>
  %3 = kiln.argmin %i {axis = 0 : i64, keepdims = true} : (tensor<4x10xi8>) -> tensor<1x10xi64>
  return
}

//===----------------------------------------------------------------------===//
// Softmax and normalization
//===----------------------------------------------------------------------===//

// Softmax and log-softmax along the default last axis and an explicit one.
// CHECK-LABEL: func.func @softmax(
func.func @softmax(%x: tensor<32x10xf32>) {
  // CHECK: kiln.softmax %arg0 : tensor<32x10xf32>
  %0 = kiln.softmax %x : tensor<32x10xf32>
  // CHECK: kiln.softmax %arg0 {axis = 0 : i64} : tensor<32x10xf32>
  %1 = kiln.softmax %x {axis = 0 : i64} : tensor<32x10xf32>
  // CHECK: kiln.log_softmax %arg0 : tensor<32x10xf32>
  %2 = kiln.log_softmax %x : tensor<32x10xf32>
  // CHECK: kiln.log_softmax %arg0 {axis = -2 : i64} : tensor<32x10xf32>
  %3 = kiln.log_softmax %x {axis = -2 : i64} : tensor<32x10xf32>
  return
}

// Batch norm over the last (NHWC) or second (NCHW) dimension.
// CHECK-LABEL: func.func @batch_norm(
func.func @batch_norm(%x: tensor<8x16x16x32xf32>, %p: tensor<32xf32>, %y: tensor<8x32x4x4xf32>) {
  // CHECK: kiln.batch_norm %arg0, %arg1, %arg1, %arg1, %arg1 : (tensor<8x16x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<8x16x16x32xf32>
  %0 = kiln.batch_norm %x, %p, %p, %p, %p
      : (tensor<8x16x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<8x16x16x32xf32>
  // CHECK: kiln.batch_norm %arg2, %arg1, %arg1, %arg1, %arg1 {axis = 1 : i64, epsilon = 1.000000e-05 : f64} : (tensor<8x32x4x4xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<8x32x4x4xf32>
  %1 = kiln.batch_norm %y, %p, %p, %p, %p {axis = 1 : i64, epsilon = 1.0e-5 : f64}
      : (tensor<8x32x4x4xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<8x32x4x4xf32>
  return
}

// Layer norm over the last dimension, or over the trailing two.
// CHECK-LABEL: func.func @layer_norm(
func.func @layer_norm(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>, %g2: tensor<16x64xf32>) {
  // CHECK: kiln.layer_norm %arg0, %arg1, %arg1 {epsilon = 9.9999999999999995E-7 : f64} : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %0 = kiln.layer_norm %x, %g, %g {epsilon = 1.0e-6 : f64}
      : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  // CHECK: kiln.layer_norm %arg0, %arg2, %arg2 {axis = 1 : i64} : (tensor<2x16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<2x16x64xf32>
  %1 = kiln.layer_norm %x, %g2, %g2 {axis = 1 : i64}
      : (tensor<2x16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// Dropout: inference form (only the rate) and training form with a seed.
// CHECK-LABEL: func.func @dropout(
func.func @dropout(%x: tensor<32x256xf32>) {
  // CHECK: kiln.dropout %arg0 {rate = 2.000000e-01 : f64} : tensor<32x256xf32>
  %0 = kiln.dropout %x {rate = 0.2 : f64} : tensor<32x256xf32>
  // CHECK: kiln.dropout %arg0 {rate = 5.000000e-01 : f64, seed = 42 : i64, training = true} : tensor<32x256xf32>
  %1 = kiln.dropout %x {rate = 0.5 : f64, seed = 42 : i64, training = true} : tensor<32x256xf32>
  return
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

// Reshape with an explicit shape, with -1 computed from the element count,
// and to rank 0.
// CHECK-LABEL: func.func @reshape(
func.func @reshape(%x: tensor<32x7x7x64xf32>, %s: tensor<1x1xi8>) {
  // CHECK: kiln.reshape %arg0 {shape = array<i64: 32, -1>} : (tensor<32x7x7x64xf32>) -> tensor<32x3136xf32>
  %0 = kiln.reshape %x {shape = array<i64: 32, -1>} : (tensor<32x7x7x64xf32>) -> tensor<32x3136xf32>
  // CHECK: kiln.reshape %arg0 {shape = array<i64: 224, 448>} : (tensor<32x7x7x64xf32>) -> tensor<224x448xf32>
  %1 = kiln.reshape %x {shape = array<i64: 224, 448>} : (tensor<32x7x7x64xf32>) -> tensor<224x448xf32>
  // CHECK: kiln.reshape %arg1 {shape = array<i64>} : (tensor<1x1xi8>) -> tensor<i8>
  %2 = kiln.reshape %s {shape = array<i64>} : (tensor<1x1xi8>) -> tensor<i8>
  return
}

// Transpose permutes dimensions: result.shape[i] = x.shape[perm[i]].
// CHECK-LABEL: func.func @transpose(
func.func @transpose(%x: tensor<1x3x32x16xf32>) {
  // CHECK: kiln.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x32x16xf32>) -> tensor<1x32x16x3xf32>
  %0 = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x32x16xf32>) -> tensor<1x32x16x3xf32>
  // CHECK: kiln.transpose %arg0 {perm = array<i64: 3, 2, 1, 0>} : (tensor<1x3x32x16xf32>) -> tensor<16x32x3x1xf32>
  %1 = kiln.transpose %x {perm = array<i64: 3, 2, 1, 0>} : (tensor<1x3x32x16xf32>) -> tensor<16x32x3x1xf32>
  return
}

// broadcast_to adds leading dimensions and stretches size-1 ones.
// CHECK-LABEL: func.func @broadcast_to(
func.func @broadcast_to(%x: tensor<3xf32>, %y: tensor<4x1xi1>) {
  // CHECK: kiln.broadcast_to %arg0 {shape = array<i64: 4, 3>} : (tensor<3xf32>) -> tensor<4x3xf32>
  %0 = kiln.broadcast_to %x {shape = array<i64: 4, 3>} : (tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: kiln.broadcast_to %arg1 {shape = array<i64: 2, 4, 5>} : (tensor<4x1xi1>) -> tensor<2x4x5xi1>
  %1 = kiln.broadcast_to %y {shape = array<i64: 2, 4, 5>} : (tensor<4x1xi1>) -> tensor<2x4x5xi1>
  return
}

// Concat along a positive or negative axis, of two, three or one input.
// CHECK-LABEL: func.func @concat(
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %c: tensor<4x3xf32>) {
  // CHECK: kiln.concat %arg0, %arg1 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  // CHECK: kiln.concat %arg0, %arg2, %arg0 {axis = -2 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<8x3xf32>
  %1 = kiln.concat %a, %c, %a {axis = -2 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<8x3xf32>
  // CHECK: kiln.concat %arg1 {axis = 0 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  %2 = kiln.concat %b {axis = 0 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return
}

// Slice with unit strides (no attribute), with strides, and to an empty
// extent; the result dimension is ceil((limit - start) / stride).
// CHECK-LABEL: func.func @slice(
func.func @slice(%x: tensor<4x8xf32>) {
  // CHECK: kiln.slice %arg0 {limit = array<i64: 3, 8>, start = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<2x8xf32>
  %0 = kiln.slice %x {start = array<i64: 1, 0>, limit = array<i64: 3, 8>} : (tensor<4x8xf32>) -> tensor<2x8xf32>
  // CHECK: kiln.slice %arg0 {limit = array<i64: 2, 7>, start = array<i64: 0, 1>, strides = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<2x3xf32>
  %1 = kiln.slice %x {start = array<i64: 0, 1>, limit = array<i64: 2, 7>, strides = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<2x3xf32>
  // CHECK: kiln.slice %arg0 {limit = array<i64: 4, 8>, start = array<i64: 0, 0>, strides = array<i64: 3, 5>} : (tensor<4x8xf32>) -> tensor<2x2xf32>
  %2 = kiln.slice %x {start = array<i64: 0, 0>, limit = array<i64: 4, 8>, strides = array<i64: 3, 5>} : (tensor<4x8xf32>) -> tensor<2x2xf32>
  // CHECK: kiln.slice %arg0 {limit = array<i64: 2, 8>, start = array<i64: 2, 0>} : (tensor<4x8xf32>) -> tensor<0x8xf32>
  %3 = kiln.slice %x {start = array<i64: 2, 0>, limit = array<i64: 2, 8>} : (tensor<4x8xf32>) -> tensor<0x8xf32>
  return
}

// Pad with zeros (the default value) or a given value, on floats and ints.
// CHECK-LABEL: func.func @pad(
func.func @pad(%x: tensor<1x28x28x1xf32>, %i: tensor<3xi32>) {
  // CHECK: kiln.pad %arg0 {high = array<i64: 0, 1, 1, 0>, low = array<i64: 0, 1, 1, 0>} : (tensor<1x28x28x1xf32>) -> tensor<1x30x30x1xf32>
  %0 = kiln.pad %x {low = array<i64: 0, 1, 1, 0>, high = array<i64: 0, 1, 1, 0>}
      : (tensor<1x28x28x1xf32>) -> tensor<1x30x30x1xf32>
  // CHECK: kiln.pad %arg1 {high = array<i64: 3>, low = array<i64: 2>, value = -1.000000e+00 : f64} : (tensor<3xi32>) -> tensor<8xi32>
  %1 = kiln.pad %i {low = array<i64: 2>, high = array<i64: 3>, value = -1.0 : f64} : (tensor<3xi32>) -> tensor<8xi32>
  return
}

// Gather along axis 0 (an embedding lookup, i32 ids) and along axis 1
// (i64 indices): params.shape[:axis] + indices.shape + params.shape[axis+1:].
// CHECK-LABEL: func.func @gather(
func.func @gather(%table: tensor<1000x32xf32>, %ids: tensor<8x20xi32>,
                  %p: tensor<2x5x3xi8>, %idx: tensor<4xi64>) {
  // CHECK: kiln.gather %arg0, %arg1 : (tensor<1000x32xf32>, tensor<8x20xi32>) -> tensor<8x20x32xf32>
  %0 = kiln.gather %table, %ids : (tensor<1000x32xf32>, tensor<8x20xi32>) -> tensor<8x20x32xf32>
  // CHECK: kiln.gather %arg2, %arg3 {axis = 1 : i64} : (tensor<2x5x3xi8>, tensor<4xi64>) -> tensor<2x4x3xi8>
  %1 = kiln.gather %p, %idx {axis = 1 : i64} : (tensor<2x5x3xi8>, tensor<4xi64>) -> tensor<2x4x3xi8>
  // CHECK: kiln.gather %arg2, %arg3 {axis = -1 : i64} : (tensor<2x5x3xi8>, tensor<4xi64>) -> tensor<2x5x4xi8>
  %2 = kiln.gather %p, %idx {axis = -1 : i64} : (tensor<2x5x3xi8>, tensor<4xi64>) -> tensor<2x5x4xi8>
  return
}

//===----------------------------------------------------------------------===//
// Scan and yield
//===----------------------------------------------------------------------===//

// A SimpleRNN: carried state and one sequence over axis 0; the body uses the
// weights defined above it and yields the next state and the step output.
// CHECK-LABEL: func.func @scan_rnn(
func.func @scan_rnn(%h0: tensor<4x8xf32>, %xs: tensor<20x4x3xf32>, %wx: tensor<3x8xf32>,
                    %wh: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<20x4x8xf32>) {
  // CHECK: kiln.scan init(%arg0 : tensor<4x8xf32>) over(%arg1 : tensor<20x4x3xf32>) -> (tensor<4x8xf32>, tensor<20x4x8xf32>) {
  // CHECK-NEXT: ^bb0(%[[H:.+]]: tensor<4x8xf32>, %[[X:.+]]: tensor<4x3xf32>):
  // CHECK-NEXT: kiln.matmul %[[X]], %arg2 : (tensor<4x3xf32>, tensor<3x8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: kiln.matmul %[[H]], %arg3 : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: kiln.add
  // CHECK-NEXT: %[[N:.+]] = kiln.tanh
  // CHECK-NEXT: kiln.yield %[[N]], %[[N]] : tensor<4x8xf32>, tensor<4x8xf32>
  // CHECK-NEXT: }
  %h, %hs = kiln.scan init(%h0 : tensor<4x8xf32>) over(%xs : tensor<20x4x3xf32>)
      -> (tensor<4x8xf32>, tensor<20x4x8xf32>) {
  ^bb0(%hprev: tensor<4x8xf32>, %x: tensor<4x3xf32>):
    %a = kiln.matmul %x, %wx : (tensor<4x3xf32>, tensor<3x8xf32>) -> tensor<4x8xf32>
    %b = kiln.matmul %hprev, %wh : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    %s = kiln.add %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %hn = kiln.tanh %s : tensor<4x8xf32>
    kiln.yield %hn, %hn : tensor<4x8xf32>, tensor<4x8xf32>
  }
  return %h, %hs : tensor<4x8xf32>, tensor<20x4x8xf32>
}

// A reversed scan over axis 1 ([batch, time, feature]): the step slice drops
// axis 1 and the per-step output is stacked back along it.
// CHECK-LABEL: func.func @scan_reverse_axis1(
func.func @scan_reverse_axis1(%c0: tensor<4xf32>, %xs: tensor<4x7x3xf32>) -> (tensor<4xf32>, tensor<4x7x3xf32>) {
  // CHECK: kiln.scan init(%arg0 : tensor<4xf32>) over(%arg1 : tensor<4x7x3xf32>) attributes {axis = 1 : i64, reverse = true} -> (tensor<4xf32>, tensor<4x7x3xf32>) {
  // CHECK-NEXT: ^bb0(%{{.+}}: tensor<4xf32>, %{{.+}}: tensor<4x3xf32>):
  // CHECK: kiln.yield %{{.+}}, %{{.+}} : tensor<4xf32>, tensor<4x3xf32>
  %c, %ys = kiln.scan init(%c0 : tensor<4xf32>) over(%xs : tensor<4x7x3xf32>)
      attributes {axis = 1 : i64, reverse = true} -> (tensor<4xf32>, tensor<4x7x3xf32>) {
  ^bb0(%acc: tensor<4xf32>, %x: tensor<4x3xf32>):
    %s = kiln.reduce_sum %x {axes = array<i64: 1>} : (tensor<4x3xf32>) -> tensor<4xf32>
    %n = kiln.add %acc, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %y = kiln.relu %x : tensor<4x3xf32>
    kiln.yield %n, %y : tensor<4xf32>, tensor<4x3xf32>
  }
  return %c, %ys : tensor<4xf32>, tensor<4x7x3xf32>
}

// Without sequences the step count comes from `length`; the per-step output
// is stacked to `length` rows.
// CHECK-LABEL: func.func @scan_length(
func.func @scan_length(%x0: tensor<2xi32>) -> (tensor<2xi32>, tensor<5x2xi32>) {
  // CHECK: kiln.scan init(%arg0 : tensor<2xi32>) attributes {length = 5 : i64} -> (tensor<2xi32>, tensor<5x2xi32>) {
  // CHECK-NEXT: ^bb0(%[[X:.+]]: tensor<2xi32>):
  // CHECK: kiln.yield %{{.+}}, %[[X]] : tensor<2xi32>, tensor<2xi32>
  %x, %xs = kiln.scan init(%x0 : tensor<2xi32>) attributes {length = 5 : i64}
      -> (tensor<2xi32>, tensor<5x2xi32>) {
  ^bb0(%prev: tensor<2xi32>):
    %n = kiln.add %prev, %prev : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
    kiln.yield %n, %prev : tensor<2xi32>, tensor<2xi32>
  }
  return %x, %xs : tensor<2xi32>, tensor<5x2xi32>
}

// An LSTM-like shape: two carried values, two sequences, two per-step
// outputs (one of rank 0, stacked to rank 1).
// CHECK-LABEL: func.func @scan_multiple(
func.func @scan_multiple(%h0: tensor<2x4xf32>, %c0: tensor<2x4xf32>, %xs: tensor<6x2x4xf32>,
                         %ms: tensor<6x2xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<6x2x4xf32>, tensor<6xf32>) {
  // CHECK: kiln.scan init(%arg0, %arg1 : tensor<2x4xf32>, tensor<2x4xf32>) over(%arg2, %arg3 : tensor<6x2x4xf32>, tensor<6x2xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<6x2x4xf32>, tensor<6xf32>) {
  // CHECK-NEXT: ^bb0(%{{.+}}: tensor<2x4xf32>, %{{.+}}: tensor<2x4xf32>, %{{.+}}: tensor<2x4xf32>, %{{.+}}: tensor<2xf32>):
  // CHECK: kiln.yield %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>
  %h, %c, %hs, %ss = kiln.scan init(%h0, %c0 : tensor<2x4xf32>, tensor<2x4xf32>)
      over(%xs, %ms : tensor<6x2x4xf32>, tensor<6x2xf32>)
      -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<6x2x4xf32>, tensor<6xf32>) {
  ^bb0(%hp: tensor<2x4xf32>, %cp: tensor<2x4xf32>, %x: tensor<2x4xf32>, %m: tensor<2xf32>):
    %cn = kiln.add %cp, %x : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %mm = kiln.reshape %m {shape = array<i64: 2, 1>} : (tensor<2xf32>) -> tensor<2x1xf32>
    %hn = kiln.mul %cn, %mm : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
    %s = kiln.reduce_sum %hn {axes = array<i64: 0, 1>} : (tensor<2x4xf32>) -> tensor<f32>
    kiln.yield %hn, %cn, %hn, %s : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>
  }
  return %h, %c, %hs, %ss : tensor<2x4xf32>, tensor<2x4xf32>, tensor<6x2x4xf32>, tensor<6xf32>
}

// A scan with sequences only (a map over steps) and no carried state.
// CHECK-LABEL: func.func @scan_map(
func.func @scan_map(%xs: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // CHECK: kiln.scan over(%arg0 : tensor<3x5xf32>) -> (tensor<3x5xf32>) {
  // CHECK: kiln.yield %{{.+}} : tensor<5xf32>
  %ys = kiln.scan over(%xs : tensor<3x5xf32>) -> (tensor<3x5xf32>) {
  ^bb0(%x: tensor<5xf32>):
    %y = kiln.exp %x : tensor<5xf32>
    kiln.yield %y : tensor<5xf32>
  }
  return %ys : tensor<3x5xf32>
}

// A scan without results prints an empty result list, `-> ()`, which
// reads back.
// CHECK-LABEL: func.func @scan_no_results(
// CHECK: kiln.scan over(%arg0 : tensor<3x5xf32>) -> () {
// CHECK: kiln.yield{{$}}
func.func @scan_no_results(%xs: tensor<3x5xf32>) {
  kiln.scan over(%xs : tensor<3x5xf32>) -> () {
  ^bb0(%x: tensor<5xf32>):
    kiln.yield
  }
  return
}

// CHECK-LABEL: func.func @fusion
// CHECK: %[[F:.*]] = kiln.fusion "matmul"(%arg0, %arg1, %arg2) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16xf32>):
// CHECK-NEXT: %[[M:.*]] = kiln.matmul %[[A]], %[[W]]
// CHECK-NEXT: %[[S:.*]] = kiln.add %[[M]], %[[B]]
// CHECK-NEXT: kiln.yield %[[S]] : tensor<4x16xf32>
// CHECK-NEXT: }
func.func @fusion(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %y = kiln.fusion "matmul"(%x, %w, %b) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<4x8xf32>, %c: tensor<8x16xf32>, %d: tensor<16xf32>):
    %m = kiln.matmul %a, %c : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
    %s = kiln.add %m, %d : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
    kiln.yield %s : tensor<4x16xf32>
  }
  return %y : tensor<4x16xf32>
}

// The blob behind @constant_resource: 4-byte alignment, then 1.0 2.0 3.0 4.0.
// CHECK: dialect_resources
// CHECK: kiln_weights: "0x040000000000803F000000400000404000008040"
{-#
  dialect_resources: {
    builtin: {
      kiln_weights: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

