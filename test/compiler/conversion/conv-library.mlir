// convert-kiln-to-linalg{conv-library=true} (the cuda target): ungrouped
// f32 convolutions become linalg.conv_2d_nhwc_fhwc on the zero-padded NHWC
// input and an OHWI filter, for kiln-cuda-conv-to-library to hand to cuDNN.
// RUN: kiln-opt --convert-kiln-to-linalg="conv-library=true" %s | FileCheck %s
// RUN: kiln-opt --convert-kiln-to-linalg %s | FileCheck %s --check-prefix=IM2COL

// A constant HWIO filter is transposed at compile time: element
// [kh, kw, c, o] lands at [o, kh, kw, c] (here value = 1000o + 100kh + 10kw + c).
// CHECK-LABEL: func.func @constant_filter(
// CHECK: arith.constant dense<{{\[\[\[\[}}0.000000e+00, 1.000000e+00], [1.000000e+01, 1.100000e+01]], {{\[\[}}1.000000e+02, 1.010000e+02], [1.100000e+02, 1.110000e+02]]], {{\[\[\[}}1.000000e+03
// CHECK-SAME: tensor<2x2x2x2xf32>
// CHECK: tensor.pad %arg0 low[0, 1, 0, 0] high[0, 1, 0, 0]
// CHECK: linalg.fill
// CHECK: linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK-SAME: tensor<1x4x3x2xf32>, tensor<2x2x2x2xf32>
// CHECK-NOT: linalg.transpose
// IM2COL-LABEL: func.func @constant_filter(
// IM2COL-NOT: linalg.conv_2d_nhwc_fhwc
// IM2COL: linalg.matmul
func.func @constant_filter(%x: tensor<1x2x3x2xf32>) -> tensor<1x3x2x2xf32> {
  %w = kiln.constant dense<[[[[0.0, 1000.0], [1.0, 1001.0]], [[10.0, 1010.0], [11.0, 1011.0]]],
                            [[[100.0, 1100.0], [101.0, 1101.0]], [[110.0, 1110.0], [111.0, 1111.0]]]]> : tensor<2x2x2x2xf32>
  %y = kiln.conv2d %x, %w {padding = array<i64: 1, 1, 0, 0>} : (tensor<1x2x3x2xf32>, tensor<2x2x2x2xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// A filter that is not a constant (a training step's parameter) is
// transposed by a linalg.transpose; NCHW data is transposed around the
// convolution; strides and dilations carry over.
// CHECK-LABEL: func.func @parameter_filter_nchw(
// CHECK: linalg.transpose ins(%arg0 : tensor<1x3x8x8xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK: linalg.transpose ins(%arg1 : tensor<4x3x3x3xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK: linalg.conv_2d_nhwc_fhwc {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK: linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
func.func @parameter_filter_nchw(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x3x2xf32> {
  %y = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 2>, data_format = "NCHW", filter_format = "OIHW"} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x2xf32>
  return %y : tensor<1x4x3x2xf32>
}

// Grouped convolutions and f64 keep the im2col lowering.
// CHECK-LABEL: func.func @grouped(
// CHECK-NOT: linalg.conv_2d_nhwc_fhwc
// CHECK: linalg.batch_matmul
func.func @grouped(%x: tensor<1x4x4x4xf32>, %w: tensor<3x3x2x4xf32>) -> tensor<1x2x2x4xf32> {
  %y = kiln.conv2d %x, %w {groups = 2 : i64} : (tensor<1x4x4x4xf32>, tensor<3x3x2x4xf32>) -> tensor<1x2x2x4xf32>
  return %y : tensor<1x2x2x4xf32>
}
// CHECK-LABEL: func.func @f64(
// CHECK-NOT: linalg.conv_2d_nhwc_fhwc
// CHECK: return
func.func @f64(%x: tensor<1x4x4x1xf64>, %w: tensor<3x3x1x1xf64>) -> tensor<1x2x2x1xf64> {
  %y = kiln.conv2d %x, %w : (tensor<1x4x4x1xf64>, tensor<3x3x1x1xf64>) -> tensor<1x2x2x1xf64>
  return %y : tensor<1x2x2x1xf64>
}
