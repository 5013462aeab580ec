// RUN: kiln-opt %s --kiln-assign-layout=target=cpu --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-assign-layout=target=cuda --split-input-file | FileCheck %s --check-prefix=CUDA
// RUN: kiln-opt %s --kiln-assign-layout=target=tpu 2> %t.err; test $? -eq 2
// RUN: FileCheck %s --check-prefix=BADTARGET < %t.err

// An unknown target is rejected before any function is rewritten.
// BADTARGET: error: kiln-assign-layout: unknown target 'tpu' (expected 'cpu' or 'cuda')

// An NCHW conv with a constant OIHW filter becomes an NHWC conv between two
// transposes; the filter itself is permuted to HWIO at compile time
// (w'[h][w][i][o] = w[o][i][h][w]), so no transpose of the weights remains.
// cuda wants NHWC activations too but leaves the filter OIHW.
// CUDA-LABEL:  func.func @conv_nchw_to_nhwc(
// CUDA:        kiln.conv2d %{{.*}}, %{{.*}} {filter_format = "OIHW", padding = array<i64: 0, 0, 0, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK-LABEL: func.func @conv_nchw_to_nhwc(
// CHECK:       %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00]], {{\[\[}}2.000000e+00, 4.000000e+00]]]]> : tensor<1x2x1x2xf32>
// The unit channel makes the input transpose a reshape.
// CHECK:       %[[X:.*]] = kiln.reshape %arg0 {shape = array<i64: 1, 4, 4, 1>}
// CHECK:       %[[C:.*]] = kiln.conv2d %[[X]], %[[W]] {padding = array<i64: 0, 0, 0, 1>} : (tensor<1x4x4x1xf32>, tensor<1x2x1x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK:       %[[S:.*]] = kiln.slice %[[C]] {limit = array<i64: 1, 4, 3, 2>, start = array<i64: 0, 0, 0, 0>}
// CHECK:       %[[T:.*]] = kiln.transpose %[[S]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:  return %[[T]]
func.func @conv_nchw_to_nhwc(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = kiln.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %y = kiln.conv2d %x, %w {data_format = "NCHW", filter_format = "OIHW", padding = array<i64: 0, 0, 0, 1>}
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x4xf32>
  %s = kiln.slice %y {start = array<i64: 0, 0, 0, 0>, limit = array<i64: 1, 2, 4, 3>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x3xf32>
  return %s : tensor<1x2x4x3xf32>
}

// -----

// Between two NCHW convs the output transpose of the first and the input
// transpose of the second meet across the bias add and relu and cancel: the
// [1,C,1,1] bias becomes [C] and only the transposes at the function's
// boundary remain.
// CHECK-LABEL: func.func @conv_chain(
// CHECK-DAG:   %[[B:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK:       kiln.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NEXT:  %[[C0:.*]] = kiln.conv2d
// CHECK-NEXT:  %[[A:.*]] = kiln.add %[[C0]], %[[B]] : (tensor<1x5x5x3xf32>, tensor<3xf32>) -> tensor<1x5x5x3xf32>
// CHECK-NEXT:  %[[R:.*]] = kiln.relu %[[A]] : tensor<1x5x5x3xf32>
// CHECK-NEXT:  %[[P:.*]] = kiln.max_pool2d %[[R]] {{.*}} -> tensor<1x5x5x3xf32>
// CHECK-NEXT:  %[[C1:.*]] = kiln.conv2d %[[P]], {{.*}} -> tensor<1x5x5x2xf32>
// CHECK-NEXT:  %[[T:.*]] = kiln.transpose %[[C1]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:  return %[[T]]
func.func @conv_chain(%x: tensor<1x3x5x5xf32>) -> tensor<1x2x5x5xf32> {
  %w0 = kiln.constant dense<1.0> : tensor<3x3x1x1xf32>
  %b = kiln.constant dense<[[[1.0]], [[2.0]], [[3.0]]]> : tensor<3x1x1xf32>
  %w2 = kiln.constant dense<2.0> : tensor<2x3x1x1xf32>
  %0 = kiln.conv2d %x, %w0 {data_format = "NCHW", filter_format = "OIHW"} : (tensor<1x3x5x5xf32>, tensor<3x3x1x1xf32>) -> tensor<1x3x5x5xf32>
  %1 = kiln.add %0, %b : (tensor<1x3x5x5xf32>, tensor<3x1x1xf32>) -> tensor<1x3x5x5xf32>
  %2 = kiln.relu %1 : tensor<1x3x5x5xf32>
  %3 = kiln.max_pool2d %2 {data_format = "NCHW", kernel_size = array<i64: 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>) -> tensor<1x3x5x5xf32>
  %4 = kiln.conv2d %3, %w2 {data_format = "NCHW", filter_format = "OIHW"} : (tensor<1x3x5x5xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x5x5xf32>
  return %4 : tensor<1x2x5x5xf32>
}

// -----

// A conv whose filter is computed at run time keeps it OIHW: permuting a
// non-constant weight would add a transpose on every call.
// CHECK-LABEL: func.func @conv_runtime_filter(
// CHECK:       %[[X:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NEXT:  %[[C:.*]] = kiln.conv2d %[[X]], %arg1 {filter_format = "OIHW"} : (tensor<1x5x5x3xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x3x4xf32>
// CHECK-NEXT:  kiln.transpose %[[C]] {perm = array<i64: 0, 3, 1, 2>}
func.func @conv_runtime_filter(%x: tensor<1x3x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %y = kiln.conv2d %x, %w {data_format = "NCHW", filter_format = "OIHW"} : (tensor<1x3x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

// avg_pool2d keeps its window, padding [t,b,l,r] and count_include_pad when
// it moves to NHWC.
// CHECK-LABEL: func.func @avg_pool(
// CHECK:       %[[X:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NEXT:  %[[P:.*]] = kiln.avg_pool2d %[[X]] {count_include_pad = true, kernel_size = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 1>, strides = array<i64: 1, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x3x2x2xf32>
// CHECK-NEXT:  kiln.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>}
func.func @avg_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x3x2xf32> {
  %y = kiln.avg_pool2d %x {data_format = "NCHW", kernel_size = array<i64: 2, 2>, strides = array<i64: 1, 2>, padding = array<i64: 0, 0, 0, 1>, count_include_pad = true}
      : (tensor<1x2x4x4xf32>) -> tensor<1x2x3x2xf32>
  return %y : tensor<1x2x3x2xf32>
}

// -----

// batch_norm on NCHW (axis 1) follows the transpose: it normalizes axis 3
// of the NHWC tensor, with the same statistics.
// CHECK-LABEL: func.func @batch_norm_axis(
// CHECK-NEXT:  %[[B:.*]] = kiln.batch_norm %arg0, %arg1, %arg1, %arg1, %arg1 {axis = 3 : i64} : (tensor<1x4x4x2xf32>
// CHECK-NEXT:  kiln.transpose %[[B]] {perm = array<i64: 0, 3, 1, 2>}
func.func @batch_norm_axis(%x: tensor<1x4x4x2xf32>, %s: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x4x4xf32>
  %y = kiln.batch_norm %t, %s, %s, %s, %s {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A spatial mean without keepdims reduces axes [1,2] of the NHWC tensor and
// its result [N,C] needs no transpose at all.
// CHECK-LABEL: func.func @reduce_mean_spatial(
// CHECK-NEXT:  %[[M:.*]] = kiln.reduce_mean %arg0 {axes = array<i64: 1, 2>} : (tensor<2x4x4x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:  return %[[M]]
func.func @reduce_mean_spatial(%x: tensor<2x4x4x3xf32>) -> tensor<2x3xf32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<2x4x4x3xf32>) -> tensor<2x3x4x4xf32>
  %y = kiln.reduce_mean %t {axes = array<i64: 2, 3>} : (tensor<2x3x4x4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// With keepdims the reduced dimensions stay (size 1) and the transpose
// moves below the reduction, where it only moves unit dimensions and so
// becomes a reshape.
// CHECK-LABEL: func.func @reduce_keepdims(
// CHECK-NEXT:  %[[M:.*]] = kiln.reduce_max %arg0 {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x4x4x3xf32>) -> tensor<2x1x1x3xf32>
// CHECK-NEXT:  %[[R:.*]] = kiln.reshape %[[M]] {shape = array<i64: 2, 3, 1, 1>}
// CHECK-NEXT:  return %[[R]]
func.func @reduce_keepdims(%x: tensor<2x4x4x3xf32>) -> tensor<2x3x1x1xf32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<2x4x4x3xf32>) -> tensor<2x3x4x4xf32>
  %y = kiln.reduce_max %t {axes = array<i64: -1, 2>, keepdims = true} : (tensor<2x3x4x4xf32>) -> tensor<2x3x1x1xf32>
  return %y : tensor<2x3x1x1xf32>
}

// -----

// softmax over the channel axis 1 of NCHW is over axis 3 of NHWC; the pad
// permutes its low/high amounts the same way.
// CHECK-LABEL: func.func @softmax_and_pad(
// CHECK-NEXT:  %[[S:.*]] = kiln.softmax %arg0 {axis = 3 : i64} : tensor<1x4x5x3xf32>
// CHECK-NEXT:  %[[P:.*]] = kiln.pad %[[S]] {high = array<i64: 0, 1, 0, 0>, low = array<i64: 0, 1, 2, 0>} : (tensor<1x4x5x3xf32>) -> tensor<1x6x7x3xf32>
// The transposes after the pad compose to one.
// CHECK-NEXT:  %[[T:.*]] = kiln.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:  return %[[T]]
func.func @softmax_and_pad(%x: tensor<1x4x5x3xf32>) -> tensor<1x3x6x7xf32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x4x5x3xf32>) -> tensor<1x3x4x5xf32>
  %s = kiln.softmax %t {axis = 1 : i64} : tensor<1x3x4x5xf32>
  %p = kiln.pad %s {low = array<i64: 0, 0, 1, 2>, high = array<i64: 0, 0, 1, 0>} : (tensor<1x3x4x5xf32>) -> tensor<1x3x6x7xf32>
  %r = kiln.transpose %p {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x6x7xf32>) -> tensor<1x6x7x3xf32>
  %back = kiln.transpose %r {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x6x7x3xf32>) -> tensor<1x3x6x7xf32>
  return %back : tensor<1x3x6x7xf32>
}

// -----

// A concat of inputs transposed alike along the channel axis 1 becomes a
// concat along axis 3 under one transpose; adding two values transposed
// alike likewise needs only one transpose.
// CHECK-LABEL: func.func @concat_and_add(
// CHECK-NEXT:  %[[C:.*]] = kiln.concat %arg0, %arg1 {axis = 3 : i64} : (tensor<1x2x2x3xf32>, tensor<1x2x2x5xf32>) -> tensor<1x2x2x8xf32>
// CHECK-NEXT:  %[[A:.*]] = kiln.add %[[C]], %[[C]] : (tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>)
// CHECK-NEXT:  %[[T:.*]] = kiln.transpose %[[A]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:  return %[[T]]
func.func @concat_and_add(%a: tensor<1x2x2x3xf32>, %b: tensor<1x2x2x5xf32>) -> tensor<1x8x2x2xf32> {
  %ta = kiln.transpose %a {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x3xf32>) -> tensor<1x3x2x2xf32>
  %tb = kiln.transpose %b {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x5xf32>) -> tensor<1x5x2x2xf32>
  %c = kiln.concat %ta, %tb {axis = 1 : i64} : (tensor<1x3x2x2xf32>, tensor<1x5x2x2xf32>) -> tensor<1x8x2x2xf32>
  %d = kiln.add %c, %c : (tensor<1x8x2x2xf32>, tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32>
  return %d : tensor<1x8x2x2xf32>
}

// -----

// The flatten after the last NCHW layer: instead of transposing the
// activations back to NCHW, the rows of the constant weights are permuted
// into NHWC order, W'[w*C + c] = W[c*W + w] (here C = 2, H = 1, W = 2).
// CHECK-LABEL: func.func @flatten_matmul(
// CHECK-NEXT:  %[[W:.*]] = kiln.constant dense<{{\[\[}}0.000000e+00], [2.000000e+00], [1.000000e+00], [3.000000e+00]]> : tensor<4x1xf32>
// CHECK-NEXT:  %[[F:.*]] = kiln.reshape %arg0 {shape = array<i64: 1, 4>} : (tensor<1x1x2x2xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:  %[[M:.*]] = kiln.matmul %[[F]], %[[W]]
// CHECK-NEXT:  return %[[M]]
// CHECK-NOT:   kiln.transpose
func.func @flatten_matmul(%x: tensor<1x1x2x2xf32>) -> tensor<1x1xf32> {
  %w = kiln.constant dense<[[0.0], [1.0], [2.0], [3.0]]> : tensor<4x1xf32>
  %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x1x2x2xf32>) -> tensor<1x2x1x2xf32>
  %f = kiln.reshape %t {shape = array<i64: 1, 4>} : (tensor<1x2x1x2xf32>) -> tensor<1x4xf32>
  %y = kiln.matmul %f, %w : (tensor<1x4xf32>, tensor<4x1xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// The same with PyTorch's Gemm layout (transpose_b): the columns of the
// [N, K] weights are permuted.
// CHECK-LABEL: func.func @flatten_matmul_transpose_b(
// CHECK-NEXT:  %[[W:.*]] = kiln.constant dense<{{\[\[}}0.000000e+00, 2.000000e+00, 1.000000e+00, 3.000000e+00]]> : tensor<1x4xf32>
// CHECK-NEXT:  %[[F:.*]] = kiln.reshape %arg0 {shape = array<i64: 1, 4>}
// CHECK-NEXT:  kiln.matmul %[[F]], %[[W]] {transpose_b = true}
func.func @flatten_matmul_transpose_b(%x: tensor<1x1x2x2xf32>) -> tensor<1x1xf32> {
  %w = kiln.constant dense<[[0.0, 1.0, 2.0, 3.0]]> : tensor<1x4xf32>
  %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x1x2x2xf32>) -> tensor<1x2x1x2xf32>
  %f = kiln.reshape %t {shape = array<i64: 1, 4>} : (tensor<1x2x1x2xf32>) -> tensor<1x4xf32>
  %y = kiln.matmul %f, %w {transpose_b = true} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// Does not permute a non-constant weight: with run-time weights the
// transpose before the flatten stays.
// CHECK-LABEL: func.func @flatten_matmul_runtime_weights(
// CHECK-NEXT:  %[[T:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:  %[[F:.*]] = kiln.reshape %[[T]] {shape = array<i64: 1, 4>}
// CHECK-NEXT:  kiln.matmul %[[F]], %arg1 :
func.func @flatten_matmul_runtime_weights(%x: tensor<1x1x2x2xf32>, %w: tensor<4x1xf32>) -> tensor<1x1xf32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x1x2x2xf32>) -> tensor<1x2x1x2xf32>
  %f = kiln.reshape %t {shape = array<i64: 1, 4>} : (tensor<1x2x1x2xf32>) -> tensor<1x4xf32>
  %y = kiln.matmul %f, %w : (tensor<1x4xf32>, tensor<4x1xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// Does not sink a transpose through a reshape that mixes the permuted
// dimensions: the flattened order depends on the layout.
// CHECK-LABEL: func.func @reshape_mixes_dims(
// CHECK-NEXT:  %[[T:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:  %[[F:.*]] = kiln.reshape %[[T]] {shape = array<i64: 1, 12>}
// CHECK-NEXT:  kiln.relu %[[F]] : tensor<1x12xf32>
func.func @reshape_mixes_dims(%x: tensor<1x2x2x3xf32>) -> tensor<1x12xf32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x3xf32>) -> tensor<1x3x2x2xf32>
  %f = kiln.reshape %t {shape = array<i64: 1, 12>} : (tensor<1x3x2x2xf32>) -> tensor<1x12xf32>
  %r = kiln.relu %f : tensor<1x12xf32>
  return %r : tensor<1x12xf32>
}

// -----

// Does not sink a transpose through a binary op whose other operand is
// neither a constant nor transposed alike: that would only move the
// transpose onto the other operand.
// CHECK-LABEL: func.func @binary_with_plain_operand(
// CHECK-NEXT:  %[[T:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:  kiln.sub %[[T]], %arg1 : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>)
func.func @binary_with_plain_operand(%x: tensor<1x2x2x3xf32>, %y: tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x3xf32>) -> tensor<1x3x2x2xf32>
  %s = kiln.sub %t, %y : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  return %s : tensor<1x3x2x2xf32>
}

// -----

// Does not sink a transpose through training-mode dropout, whose mask
// depends on each element's row-major position.
// CHECK-LABEL: func.func @dropout_training(
// CHECK-NEXT:  %[[T:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:  kiln.dropout %[[T]] {{.*}}training = true{{.*}} : tensor<1x3x2x2xf32>
func.func @dropout_training(%x: tensor<1x2x2x3xf32>) -> tensor<1x3x2x2xf32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x3xf32>) -> tensor<1x3x2x2xf32>
  %d = kiln.dropout %t {rate = 5.000000e-01 : f64, training = true} : tensor<1x3x2x2xf32>
  return %d : tensor<1x3x2x2xf32>
}

// -----

// Does not sink a transpose through layer_norm when the permutation moves
// the normalized trailing dimensions.
// CHECK-LABEL: func.func @layer_norm_permuted(
// CHECK-NEXT:  %[[T:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 2, 1>}
// CHECK-NEXT:  kiln.layer_norm %[[T]], %arg1, %arg1 : (tensor<2x4x3xf32>
func.func @layer_norm_permuted(%x: tensor<2x3x4xf32>, %g: tensor<3xf32>) -> tensor<2x4x3xf32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  %y = kiln.layer_norm %t, %g, %g : (tensor<2x4x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x4x3xf32>
  return %y : tensor<2x4x3xf32>
}

// -----

// A grouped conv (2 groups of 1 input channel) keeps its groups; its OIHW
// filter [O=4, I/G=1, 1, 2] becomes HWIO [1, 2, 1, 4].
// CHECK-LABEL: func.func @grouped_conv(
// CHECK:       %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00]], {{\[\[}}2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00]]]]> : tensor<1x2x1x4xf32>
// CHECK:       kiln.conv2d %{{.*}}, %[[W]] {groups = 2 : i64} : (tensor<1x3x3x2xf32>, tensor<1x2x1x4xf32>) -> tensor<1x3x2x4xf32>
func.func @grouped_conv(%x: tensor<1x2x3x3xf32>) -> tensor<1x4x3x2xf32> {
  %w = kiln.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]], [[[5.0, 6.0]]], [[[7.0, 8.0]]]]> : tensor<4x1x1x2xf32>
  %y = kiln.conv2d %x, %w {data_format = "NCHW", filter_format = "OIHW", groups = 2 : i64}
      : (tensor<1x2x3x3xf32>, tensor<4x1x1x2xf32>) -> tensor<1x4x3x2xf32>
  return %y : tensor<1x4x3x2xf32>
}

// -----

// Keras' time-major transpose in front of an RNN disappears into the scan:
// stepping along axis 1 of [B, T, F] gives the same [B, F] slices as axis 0
// of the transposed [T, B, F]. The stacked output comes out [B, T, H], and
// the transpose that restores [T, B, H] cancels Keras' transpose back to
// batch-major.
// CHECK-LABEL: func.func @rnn_time_major
// CHECK-NOT: kiln.transpose
// CHECK: kiln.scan init(%{{.*}} : tensor<2x4xf32>) over(%arg0 : tensor<2x5x3xf32>) attributes {axis = 1 : i64} -> (tensor<2x4xf32>, tensor<2x5x4xf32>)
// CHECK-NOT: kiln.transpose
// CHECK: return
func.func @rnn_time_major(%x: tensor<2x5x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x5x4xf32> {
  %h0 = kiln.constant dense<0.0> : tensor<2x4xf32>
  %t = kiln.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<2x5x3xf32>) -> tensor<5x2x3xf32>
  %h, %hs = kiln.scan init(%h0 : tensor<2x4xf32>) over(%t : tensor<5x2x3xf32>) -> (tensor<2x4xf32>, tensor<5x2x4xf32>) {
  ^bb0(%c: tensor<2x4xf32>, %xt: tensor<2x3xf32>):
    %m = kiln.matmul %xt, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    %n = kiln.add %m, %c : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %a = kiln.tanh %n : tensor<2x4xf32>
    kiln.yield %a, %a : tensor<2x4xf32>, tensor<2x4xf32>
  }
  %y = kiln.transpose %hs {perm = array<i64: 1, 0, 2>} : (tensor<5x2x4xf32>) -> tensor<2x5x4xf32>
  return %y : tensor<2x5x4xf32>
}

// -----

// Does not move a transpose into a scan when the step slices would differ
// (here the transpose also swaps the two step dimensions).
// CHECK-LABEL: func.func @scan_slice_reordered
// CHECK: kiln.transpose %arg0 {perm = array<i64: 1, 2, 0>}
// CHECK: kiln.scan {{.*}}over(%{{.*}} : tensor<5x3x2xf32>)
func.func @scan_slice_reordered(%x: tensor<2x5x3xf32>) -> tensor<3x2xf32> {
  %s0 = kiln.constant dense<0.0> : tensor<3x2xf32>
  %t = kiln.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x5x3xf32>) -> tensor<5x3x2xf32>
  %s = kiln.scan init(%s0 : tensor<3x2xf32>) over(%t : tensor<5x3x2xf32>) -> (tensor<3x2xf32>) {
  ^bb0(%c: tensor<3x2xf32>, %xt: tensor<3x2xf32>):
    %n = kiln.add %c, %xt : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    kiln.yield %n : tensor<3x2xf32>
  }
  return %s : tensor<3x2xf32>
}

// -----

// Does not move transposes into a scan whose sequences are not all
// transposed the same way (one is not transposed at all).
// CHECK-LABEL: func.func @scan_mixed_sequences
// CHECK: kiln.transpose
// CHECK: kiln.scan
func.func @scan_mixed_sequences(%x: tensor<2x5x3xf32>, %y: tensor<5x2x3xf32>) -> tensor<2x3xf32> {
  %s0 = kiln.constant dense<0.0> : tensor<2x3xf32>
  %t = kiln.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<2x5x3xf32>) -> tensor<5x2x3xf32>
  %s = kiln.scan init(%s0 : tensor<2x3xf32>) over(%t, %y : tensor<5x2x3xf32>, tensor<5x2x3xf32>) -> (tensor<2x3xf32>) {
  ^bb0(%c: tensor<2x3xf32>, %a: tensor<2x3xf32>, %b: tensor<2x3xf32>):
    %n = kiln.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %m = kiln.add %c, %n : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    kiln.yield %m : tensor<2x3xf32>
  }
  return %s : tensor<2x3xf32>
}
