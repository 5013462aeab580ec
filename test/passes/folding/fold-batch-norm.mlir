// Folding into the producer alone (decomposition of what does not fold is
// tested in fold-batch-norm-affine.mlir).
// RUN: kiln-opt %s --kiln-fold-batch-norm=decompose-unfolded=false --split-input-file | FileCheck %s

// Statistics throughout: scale [2, 6], variance [3, 8], epsilon 1, so
// s = scale / sqrt(variance + 1) = [1, 2] exactly; mean [1, 2], offset 0.5.
// Without a bias, bias' = (0 - mean) * s + offset = [-0.5, -3.5].

// An NHWC conv with HWIO weights and no bias: the weights are scaled along
// their last (O) dimension and a bias add of shape [C] replaces batch_norm.
// CHECK-LABEL: func.func @conv_nhwc(
// CHECK-DAG:   %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00, 4.000000e+00]]]]> : tensor<1x1x1x2xf32>
// CHECK-DAG:   %[[B:.*]] = kiln.constant dense<[-5.000000e-01, -3.500000e+00]> : tensor<2xf32>
// CHECK:       %[[C:.*]] = kiln.conv2d %arg0, %[[W]]
// CHECK:       %[[A:.*]] = kiln.add %[[C]], %[[B]] : (tensor<1x2x2x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:  return %[[A]]
// CHECK-NOT:   kiln.batch_norm
func.func @conv_nhwc(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %w = kiln.constant dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>
  %c = kiln.conv2d %x, %w : (tensor<1x2x2x1xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %c, %scale, %offset, %mean, %var {epsilon = 1.0 : f64}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// An NCHW conv with OIHW weights and an ONNX-style [1, C, 1, 1] bias add:
// weights scale along O (the first dimension), the existing add gets the
// new bias (b - mean) * s + offset = [(3 - 1) * 1 + 0.5, (4 - 2) * 2 + 0.5]
// as a [C, 1, 1] constant, which broadcasts along NCHW's channel axis.
// CHECK-LABEL: func.func @conv_nchw_bias(
// CHECK-DAG:   %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG:   %[[B:.*]] = kiln.constant dense<{{\[\[\[}}2.500000e+00]], {{\[\[}}4.500000e+00]]]> : tensor<2x1x1xf32>
// CHECK:       %[[C:.*]] = kiln.conv2d %arg0, %[[W]] {data_format = "NCHW", filter_format = "OIHW"}
// CHECK:       %[[A:.*]] = kiln.add %[[C]], %[[B]] : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT:  return %[[A]]
func.func @conv_nchw_bias(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = kiln.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %c = kiln.conv2d %x, %w {data_format = "NCHW", filter_format = "OIHW"}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %b = kiln.constant dense<[[[[3.0]], [[4.0]]]]> : tensor<1x2x1x1xf32>
  %z = kiln.add %c, %b : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %z, %scale, %offset, %mean, %var {axis = 1 : i64, epsilon = 1.0 : f64}
      : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// A grouped OIHW conv (2 groups, one output channel each): output channels
// are still the O dimension, so each filter row scales by its own s.
// CHECK-LABEL: func.func @conv_grouped(
// CHECK-DAG:   %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG:   %[[B:.*]] = kiln.constant dense<{{\[\[\[}}-5.000000e-01]], {{\[\[}}-3.500000e+00]]]> : tensor<2x1x1xf32>
// CHECK:       %[[C:.*]] = kiln.conv2d %arg0, %[[W]] {data_format = "NCHW", filter_format = "OIHW", groups = 2 : i64}
// CHECK:       kiln.add %[[C]], %[[B]]
// CHECK-NOT:   kiln.batch_norm
func.func @conv_grouped(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = kiln.constant dense<[[[[1.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %c = kiln.conv2d %x, %w {data_format = "NCHW", filter_format = "OIHW", groups = 2 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %c, %scale, %offset, %mean, %var {axis = 1 : i64, epsilon = 1.0 : f64}
      : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// A dense layer (matmul + bias, batch_norm over the last axis): W [K, N]
// scales along N (its columns); bias' = ([3, 4] - mean) * s + offset.
// CHECK-LABEL: func.func @matmul_bias(
// CHECK-DAG:   %[[W:.*]] = kiln.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [3.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG:   %[[B:.*]] = kiln.constant dense<[2.500000e+00, 4.500000e+00]> : tensor<2xf32>
// CHECK:       %[[M:.*]] = kiln.matmul %arg0, %[[W]]
// CHECK:       %[[A:.*]] = kiln.add %[[M]], %[[B]]
// CHECK-NEXT:  return %[[A]]
func.func @matmul_bias(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %m = kiln.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %b = kiln.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %z = kiln.add %m, %b : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %z, %scale, %offset, %mean, %var {epsilon = 1.0 : f64}
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// With transpose_b the weights are [N, K]: they scale along N, their rows.
// CHECK-LABEL: func.func @matmul_transpose_b(
// CHECK-DAG:   %[[W:.*]] = kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [6.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
// CHECK:       kiln.matmul %arg0, %[[W]] {transpose_b = true}
// CHECK-NOT:   kiln.batch_norm
func.func @matmul_transpose_b(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %m = kiln.matmul %x, %w {transpose_b = true} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %m, %scale, %offset, %mean, %var {epsilon = 1.0 : f64}
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// batch_norm after a transpose (an NCHW conv read back as NHWC, as ONNX
// imports of TensorFlow models do): axis 3 of the transposed value is the
// conv's axis 1, so it folds, and the bias is added before the transpose.
// CHECK-LABEL: func.func @conv_then_transpose(
// CHECK-DAG:   %[[B:.*]] = kiln.constant dense<{{\[\[\[}}-5.000000e-01]], {{\[\[}}-3.500000e+00]]]> : tensor<2x1x1xf32>
// CHECK:       %[[C:.*]] = kiln.conv2d
// CHECK:       %[[A:.*]] = kiln.add %[[C]], %[[B]]
// CHECK:       %[[T:.*]] = kiln.transpose %[[A]] {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NEXT:  return %[[T]]
func.func @conv_then_transpose(%x: tensor<1x1x3x3xf32>) -> tensor<1x3x3x2xf32> {
  %w = kiln.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %c = kiln.conv2d %x, %w {data_format = "NCHW", filter_format = "OIHW"}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %t = kiln.transpose %c {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x3x3xf32>) -> tensor<1x3x3x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %t, %scale, %offset, %mean, %var {epsilon = 1.0 : f64}
      : (tensor<1x3x3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x3x3x2xf32>
  return %y : tensor<1x3x3x2xf32>
}

// -----

// Does not fold when a statistic is not a constant (here the mean is an
// argument): the normalization cannot move into constant weights.
// CHECK-LABEL: func.func @stats_not_constant(
// CHECK:       kiln.conv2d
// CHECK:       kiln.batch_norm
func.func @stats_not_constant(%x: tensor<1x2x2x1xf32>, %mean: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %w = kiln.constant dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>
  %c = kiln.conv2d %x, %w : (tensor<1x2x2x1xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %c, %scale, %offset, %mean, %var {epsilon = 1.0 : f64}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Does not fold when the conv weights are not a constant.
// CHECK-LABEL: func.func @weights_not_constant(
// CHECK:       kiln.conv2d %arg0, %arg1
// CHECK:       kiln.batch_norm
func.func @weights_not_constant(%x: tensor<1x2x2x1xf32>, %w: tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32> {
  %c = kiln.conv2d %x, %w : (tensor<1x2x2x1xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %c, %scale, %offset, %mean, %var {epsilon = 1.0 : f64}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Does not fold when the conv result has another user: that user needs the
// unscaled result, and duplicating the conv would cost more than the norm.
// CHECK-LABEL: func.func @conv_used_elsewhere(
// CHECK:       %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]]]>
// CHECK:       %[[C:.*]] = kiln.conv2d %arg0, %[[W]]
// CHECK:       %[[Y:.*]] = kiln.batch_norm %[[C]]
// CHECK:       return %[[Y]], %[[C]]
func.func @conv_used_elsewhere(%x: tensor<1x2x2x1xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = kiln.constant dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>
  %c = kiln.conv2d %x, %w : (tensor<1x2x2x1xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %c, %scale, %offset, %mean, %var {epsilon = 1.0 : f64}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y, %c : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Does not fold when the bias add has another user either.
// CHECK-LABEL: func.func @bias_used_elsewhere(
// CHECK:       kiln.batch_norm
func.func @bias_used_elsewhere(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %m = kiln.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %b = kiln.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %z = kiln.add %m, %b : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %z, %scale, %offset, %mean, %var {epsilon = 1.0 : f64}
      : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y, %z : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// Does not fold when batch_norm normalizes another axis than the conv's
// output channels (an NHWC conv normalized over H, axis 1).
// CHECK-LABEL: func.func @axis_not_channel(
// CHECK:       kiln.batch_norm {{.*}}axis = 1
func.func @axis_not_channel(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %w = kiln.constant dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>
  %c = kiln.conv2d %x, %w : (tensor<1x2x2x1xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %c, %scale, %offset, %mean, %var {axis = 1 : i64, epsilon = 1.0 : f64}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Does not fold a matmul normalized over its rows (axis 0) rather than its
// output features.
// CHECK-LABEL: func.func @matmul_axis_not_last(
// CHECK:       kiln.batch_norm
func.func @matmul_axis_not_last(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %m = kiln.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %m, %scale, %offset, %mean, %var {axis = 0 : i64, epsilon = 1.0 : f64}
      : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Does not fold a bias that varies along a spatial dimension: it is not a
// per-channel bias, so (b - mean) * s + offset has no per-channel form.
// CHECK-LABEL: func.func @bias_not_per_channel(
// CHECK:       kiln.batch_norm
func.func @bias_not_per_channel(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %w = kiln.constant dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>
  %c = kiln.conv2d %x, %w : (tensor<1x2x2x1xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  %b = kiln.constant dense<[[[1.0, 2.0]], [[3.0, 4.0]]]> : tensor<2x1x2xf32>
  %z = kiln.add %c, %b : (tensor<1x2x2x2xf32>, tensor<2x1x2xf32>) -> tensor<1x2x2x2xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %z, %scale, %offset, %mean, %var {epsilon = 1.0 : f64}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// Does not fold batch_norm after a relu (Conv -> Relu -> BatchNorm, as in
// the torch_cnn fixture): relu does not commute with the scale and shift.
// CHECK-LABEL: func.func @after_relu(
// CHECK:       kiln.relu
// CHECK:       kiln.batch_norm
func.func @after_relu(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = kiln.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %c = kiln.conv2d %x, %w {data_format = "NCHW", filter_format = "OIHW"}
      : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %r = kiln.relu %c : tensor<1x2x3x3xf32>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<0.5> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %r, %scale, %offset, %mean, %var {axis = 1 : i64, epsilon = 1.0 : f64}
      : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Does not fold f16 (nor bf16): the pass folds f32 and f64 only, since
// weights rounded to f16 after scaling would be off by up to 2^-11 relative.
// CHECK-LABEL: func.func @f16_not_folded(
// CHECK:       kiln.conv2d
// CHECK:       kiln.batch_norm
func.func @f16_not_folded(%x: tensor<1x2x2x1xf16>) -> tensor<1x2x2x2xf16> {
  %w = kiln.constant dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf16>
  %c = kiln.conv2d %x, %w : (tensor<1x2x2x1xf16>, tensor<1x1x1x2xf16>) -> tensor<1x2x2x2xf16>
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf16>
  %offset = kiln.constant dense<0.5> : tensor<2xf16>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf16>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf16>
  %y = kiln.batch_norm %c, %scale, %offset, %mean, %var {epsilon = 1.0 : f64}
      : (tensor<1x2x2x2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>) -> tensor<1x2x2x2xf16>
  return %y : tensor<1x2x2x2xf16>
}
