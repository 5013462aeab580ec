// convert-kiln-to-linalg{conv-library=true} (the cuda target): ungrouped
// f32 convolutions become linalg.conv_2d_nhwc_fhwc on the zero-padded NHWC
// input and an OHWI filter, for kiln-cuda-conv-to-library to hand to cuDNN.
// RUN: kiln-opt --convert-kiln-to-linalg="conv-library=true" %s | FileCheck %s
// RUN: kiln-opt --convert-kiln-to-linalg %s | FileCheck %s --check-prefix=IM2COL

// The gradient generics' indexing maps (@gradients below).
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d6, d4, d5, d3)>
// CHECK-DAG: #[[NHWC:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 * 2 + d1, d6 * 2 + d2, d3)>
// CHECK-DAG: #[[DY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d0)>

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

// The gradients become direct generics tagged for the backend (no im2col
// columns): the input gradient reads the OHWI filter (the forward's
// transpose) and, at each tap that meets an output position, the output
// gradient; the filter gradient multiplies the padded input by the output
// gradient into an OHWI result, transposed back to the graph's HWIO.
// CHECK-LABEL: func.func @gradients(
// CHECK: %[[F:.*]] = linalg.transpose ins(%arg1 : tensor<3x3x3x4xf32>) {{.*}} permutation = [3, 0, 1, 2]
// CHECK: linalg.generic {indexing_maps = [#[[W]], #[[NHWC]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[F]] : tensor<4x3x3x3xf32>) outs(%{{.*}} : tensor<2x7x7x3xf32>) attrs = {kiln.conv_backward = "data", kiln.conv_geometry = array<i64: 2, 2, 1, 1, 1, 1>}
// CHECK: arith.remsi
// CHECK: tensor.extract %arg2
// CHECK: %[[P:.*]] = tensor.pad %arg0 low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[DW:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[DY]], #[[NHWC]]], {{.*}} ins(%[[P]], %arg2 : tensor<2x9x9x3xf32>, tensor<2x4x4x4xf32>) outs(%{{.*}} : tensor<4x3x3x3xf32>) attrs = {kiln.conv_backward = "filter", kiln.conv_geometry = array<i64: 2, 2, 1, 1, 0, 0>}
// CHECK: linalg.transpose ins(%[[DW]] : tensor<4x3x3x3xf32>) {{.*}} permutation = [1, 2, 3, 0]
// IM2COL-LABEL: func.func @gradients(
// IM2COL-NOT: kiln.conv_backward
// IM2COL: linalg.matmul_transpose_b
func.func @gradients(%x: tensor<2x7x7x3xf32>, %w: tensor<3x3x3x4xf32>, %dy: tensor<2x4x4x4xf32>) -> (tensor<2x7x7x3xf32>, tensor<3x3x3x4xf32>) {
  %dx = kiln.conv2d_backprop_input %dy, %w {input_shape = array<i64: 2, 7, 7, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<2x4x4x4xf32>, tensor<3x3x3x4xf32>) -> tensor<2x7x7x3xf32>
  %dw = kiln.conv2d_backprop_filter %x, %dy {filter_shape = array<i64: 3, 3, 3, 4>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<2x7x7x3xf32>, tensor<2x4x4x4xf32>) -> tensor<3x3x3x4xf32>
  return %dx, %dw : tensor<2x7x7x3xf32>, tensor<3x3x3x4xf32>
}

// Asymmetric padding (TF's SAME at stride 2): cuDNN pads symmetrically, so
// the input gradient is the padded input's, unpadded by a slice.
// CHECK-LABEL: func.func @asymmetric_input_gradient(
// CHECK: %[[G:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x9x9x3xf32>) attrs = {kiln.conv_backward = "data", kiln.conv_geometry = array<i64: 2, 2, 1, 1, 0, 0>}
// CHECK: tensor.extract_slice %[[G]][0, 0, 0, 0] [2, 8, 8, 3] [1, 1, 1, 1]
func.func @asymmetric_input_gradient(%w: tensor<3x3x3x4xf32>, %dy: tensor<2x4x4x4xf32>) -> tensor<2x8x8x3xf32> {
  %dx = kiln.conv2d_backprop_input %dy, %w {input_shape = array<i64: 2, 8, 8, 3>, strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>} : (tensor<2x4x4x4xf32>, tensor<3x3x3x4xf32>) -> tensor<2x8x8x3xf32>
  return %dx : tensor<2x8x8x3xf32>
}

// Grouped gradients keep their generic lowering, untagged.
// CHECK-LABEL: func.func @grouped_gradient(
// CHECK-NOT: kiln.conv_backward
// CHECK: return
func.func @grouped_gradient(%x: tensor<1x4x4x4xf32>, %dy: tensor<1x2x2x4xf32>) -> tensor<3x3x2x4xf32> {
  %dw = kiln.conv2d_backprop_filter %x, %dy {filter_shape = array<i64: 3, 3, 2, 4>, groups = 2 : i64} : (tensor<1x4x4x4xf32>, tensor<1x2x2x4xf32>) -> tensor<3x3x2x4xf32>
  return %dw : tensor<3x3x2x4xf32>
}
