// Gradient rules of contractions, windows, reductions and normalization
// against f64 finite differences.
// RUN: kiln-gradcheck %s | FileCheck %s

// CHECK: @matmul_transposes: ok
func.func @matmul_transposes(%a: tensor<3x4xf64>, %b: tensor<4x5xf64>, %at: tensor<4x3xf64>,
                             %bt: tensor<5x4xf64>)
    -> (tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x5xf64>) {
  %0 = kiln.matmul %a, %b : (tensor<3x4xf64>, tensor<4x5xf64>) -> tensor<3x5xf64>
  %1 = kiln.matmul %at, %b {transpose_a = true} : (tensor<4x3xf64>, tensor<4x5xf64>) -> tensor<3x5xf64>
  %2 = kiln.matmul %a, %bt {transpose_b = true} : (tensor<3x4xf64>, tensor<5x4xf64>) -> tensor<3x5xf64>
  %3 = kiln.matmul %at, %bt {transpose_a = true, transpose_b = true} : (tensor<4x3xf64>, tensor<5x4xf64>) -> tensor<3x5xf64>
  return %0, %1, %2, %3 : tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x5xf64>
}

// CHECK: @matmul_batch_broadcast: ok
func.func @matmul_batch_broadcast(%a: tensor<2x3x4xf64>, %b: tensor<4x2xf64>) -> tensor<2x3x2xf64> {
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xf64>, tensor<4x2xf64>) -> tensor<2x3x2xf64>
  return %0 : tensor<2x3x2xf64>
}

// CHECK: @conv_valid: ok
func.func @conv_valid(%x: tensor<2x6x6x2xf64>, %w: tensor<3x3x2x3xf64>) -> tensor<2x4x4x3xf64> {
  %0 = kiln.conv2d %x, %w : (tensor<2x6x6x2xf64>, tensor<3x3x2x3xf64>) -> tensor<2x4x4x3xf64>
  return %0 : tensor<2x4x4x3xf64>
}

// CHECK: @conv_strided_same: ok
func.func @conv_strided_same(%x: tensor<1x7x6x2xf64>, %w: tensor<3x3x2x2xf64>) -> tensor<1x4x3x2xf64> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 1>}
      : (tensor<1x7x6x2xf64>, tensor<3x3x2x2xf64>) -> tensor<1x4x3x2xf64>
  return %0 : tensor<1x4x3x2xf64>
}

// CHECK: @conv_dilated_nchw_oihw: ok
func.func @conv_dilated_nchw_oihw(%x: tensor<1x2x7x7xf64>, %w: tensor<3x2x2x3xf64>) -> tensor<1x3x5x3xf64> {
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>,
                           data_format = "NCHW", filter_format = "OIHW"}
      : (tensor<1x2x7x7xf64>, tensor<3x2x2x3xf64>) -> tensor<1x3x5x3xf64>
  return %0 : tensor<1x3x5x3xf64>
}

// CHECK: @conv_large_padding: ok
func.func @conv_large_padding(%x: tensor<1x4x4x1xf64>, %w: tensor<2x2x1x2xf64>) -> tensor<1x3x3x2xf64> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 2, 1, 0, 2>}
      : (tensor<1x4x4x1xf64>, tensor<2x2x1x2xf64>) -> tensor<1x3x3x2xf64>
  return %0 : tensor<1x3x3x2xf64>
}

// CHECK: @conv_grouped: ok
func.func @conv_grouped(%x: tensor<2x5x5x4xf64>, %w: tensor<3x3x2x6xf64>) -> tensor<2x3x3x6xf64> {
  %0 = kiln.conv2d %x, %w {groups = 2 : i64, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x5x5x4xf64>, tensor<3x3x2x6xf64>) -> tensor<2x3x3x6xf64>
  return %0 : tensor<2x3x3x6xf64>
}

// CHECK: @conv_depthwise_nchw_oihw: ok
func.func @conv_depthwise_nchw_oihw(%x: tensor<1x3x6x6xf64>, %w: tensor<6x1x3x3xf64>) -> tensor<1x6x4x4xf64> {
  %0 = kiln.conv2d %x, %w {groups = 3 : i64, dilations = array<i64: 1, 2>, padding = array<i64: 0, 0, 1, 1>,
                           data_format = "NCHW", filter_format = "OIHW"}
      : (tensor<1x3x6x6xf64>, tensor<6x1x3x3xf64>) -> tensor<1x6x4x4xf64>
  return %0 : tensor<1x6x4x4xf64>
}

// CHECK: @pools: ok
func.func @pools(%x: tensor<2x5x5x3xf64>) -> (tensor<2x2x2x3xf64>, tensor<2x3x3x3xf64>, tensor<2x3x3x3xf64>, tensor<2x2x2x3xf64>) {
  %0 = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<2x5x5x3xf64>) -> tensor<2x2x2x3xf64>
  %1 = kiln.max_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x5x5x3xf64>) -> tensor<2x3x3x3xf64>
  %2 = kiln.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x5x5x3xf64>) -> tensor<2x3x3x3xf64>
  %3 = kiln.avg_pool2d %x {kernel_size = array<i64: 3, 2>, strides = array<i64: 2, 3>, padding = array<i64: 1, 0, 1, 1>, count_include_pad = true}
      : (tensor<2x5x5x3xf64>) -> tensor<2x2x2x3xf64>
  return %0, %1, %2, %3 : tensor<2x2x2x3xf64>, tensor<2x3x3x3xf64>, tensor<2x3x3x3xf64>, tensor<2x2x2x3xf64>
}

// CHECK: @pool_nchw: ok
func.func @pool_nchw(%x: tensor<1x2x4x4xf64>) -> (tensor<1x2x2x2xf64>, tensor<1x2x3x3xf64>) {
  %0 = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, data_format = "NCHW"}
      : (tensor<1x2x4x4xf64>) -> tensor<1x2x2x2xf64>
  %1 = kiln.avg_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 1, 1>, data_format = "NCHW"}
      : (tensor<1x2x4x4xf64>) -> tensor<1x2x3x3xf64>
  return %0, %1 : tensor<1x2x2x2xf64>, tensor<1x2x3x3xf64>
}

// CHECK: @reductions: ok
func.func @reductions(%x: tensor<3x4x5xf64>) -> (tensor<4xf64>, tensor<3x1x5xf64>, tensor<3x5xf64>, tensor<4xf64>, tensor<3x4xf64>) {
  %0 = kiln.reduce_sum %x {axes = array<i64: 0, 2>} : (tensor<3x4x5xf64>) -> tensor<4xf64>
  %1 = kiln.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : (tensor<3x4x5xf64>) -> tensor<3x1x5xf64>
  %2 = kiln.reduce_max %x {axes = array<i64: -2>} : (tensor<3x4x5xf64>) -> tensor<3x5xf64>
  %3 = kiln.reduce_min %x {axes = array<i64: 0, 2>} : (tensor<3x4x5xf64>) -> tensor<4xf64>
  %4 = kiln.reduce_prod %x {axes = array<i64: 2>} : (tensor<3x4x5xf64>) -> tensor<3x4xf64>
  return %0, %1, %2, %3, %4 : tensor<4xf64>, tensor<3x1x5xf64>, tensor<3x5xf64>, tensor<4xf64>, tensor<3x4xf64>
}

// CHECK: @softmaxes: ok
func.func @softmaxes(%x: tensor<4x6xf64>) -> (tensor<4x6xf64>, tensor<4x6xf64>) {
  %0 = kiln.softmax %x : tensor<4x6xf64>
  %1 = kiln.log_softmax %x {axis = 0 : i64} : tensor<4x6xf64>
  return %0, %1 : tensor<4x6xf64>, tensor<4x6xf64>
}

// CHECK: @batch_norm_inference: ok
func.func @batch_norm_inference(%x: tensor<2x3x3x4xf64>, %scale: tensor<4xf64>, %offset: tensor<4xf64>,
                                %mean: tensor<4xf64>,
                                %var: tensor<4xf64> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64})
    -> tensor<2x3x3x4xf64> {
  %0 = kiln.batch_norm %x, %scale, %offset, %mean, %var {epsilon = 1.0e-3 : f64}
      : (tensor<2x3x3x4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) -> tensor<2x3x3x4xf64>
  return %0 : tensor<2x3x3x4xf64>
}

// CHECK: @batch_norm_nchw: ok
func.func @batch_norm_nchw(%x: tensor<2x3x2x2xf64>, %scale: tensor<3xf64>, %offset: tensor<3xf64>,
                           %mean: tensor<3xf64>,
                           %var: tensor<3xf64> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64})
    -> tensor<2x3x2x2xf64> {
  %0 = kiln.batch_norm %x, %scale, %offset, %mean, %var {axis = 1 : i64}
      : (tensor<2x3x2x2xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> tensor<2x3x2x2xf64>
  return %0 : tensor<2x3x2x2xf64>
}

// CHECK: @layer_norm: ok
func.func @layer_norm(%x: tensor<2x3x4xf64>, %scale: tensor<3x4xf64>, %offset: tensor<3x4xf64>) -> tensor<2x3x4xf64> {
  %0 = kiln.layer_norm %x, %scale, %offset {axis = 1 : i64, epsilon = 1.0e-5 : f64}
      : (tensor<2x3x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<2x3x4xf64>
  return %0 : tensor<2x3x4xf64>
}

// CHECK: @shapes: ok
func.func @shapes(%x: tensor<2x3x4xf64>, %y: tensor<2x2x4xf64>, %z: tensor<3x1xf64>)
    -> (tensor<4x6xf64>, tensor<2x3x2xf64>, tensor<2x7x4xf64>, tensor<1x2x4xf64>, tensor<2x3x4xf64>) {
  %0 = kiln.reshape %x {shape = array<i64: 4, 6>} : (tensor<2x3x4xf64>) -> tensor<4x6xf64>
  %t = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf64>) -> tensor<4x2x3xf64>
  %1 = kiln.slice %t {start = array<i64: 1, 0, 0>, limit = array<i64: 4, 2, 2>, strides = array<i64: 2, 1, 1>}
      : (tensor<4x2x3xf64>) -> tensor<2x2x2xf64>
  %tt = kiln.transpose %1 {perm = array<i64: 1, 2, 0>} : (tensor<2x2x2xf64>) -> tensor<2x2x2xf64>
  %pp = kiln.pad %tt {low = array<i64: 0, 1, 0>, high = array<i64: 0, 0, 0>} : (tensor<2x2x2xf64>) -> tensor<2x3x2xf64>
  %2 = kiln.concat %x, %y, %x {axis = 1 : i64} : (tensor<2x3x4xf64>, tensor<2x2x4xf64>, tensor<2x3x4xf64>) -> tensor<2x8x4xf64>
  %cs = kiln.slice %2 {start = array<i64: 0, 1, 0>, limit = array<i64: 2, 8, 4>} : (tensor<2x8x4xf64>) -> tensor<2x7x4xf64>
  %3 = kiln.slice %y {start = array<i64: 1, 0, 0>, limit = array<i64: 2, 2, 4>} : (tensor<2x2x4xf64>) -> tensor<1x2x4xf64>
  %4 = kiln.broadcast_to %z {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf64>) -> tensor<2x3x4xf64>
  return %0, %pp, %cs, %3, %4 : tensor<4x6xf64>, tensor<2x3x2xf64>, tensor<2x7x4xf64>, tensor<1x2x4xf64>, tensor<2x3x4xf64>
}

// Dropout in training mode: the same mask scales the gradient.
// CHECK: @dropout_training: ok
func.func @dropout_training(%x: tensor<64xf64>) -> tensor<64xf64> {
  %0 = kiln.dropout %x {rate = 0.3 : f64, seed = 7 : i64, training = true} : tensor<64xf64>
  return %0 : tensor<64xf64>
}

// A small CNN classifier end to end: conv, bias, relu, pool, dense, softmax.
// CHECK: @tiny_cnn: ok
func.func @tiny_cnn(%x: tensor<2x6x6x1xf64>, %w: tensor<3x3x1x2xf64>, %b: tensor<2xf64>,
                    %d: tensor<8x3xf64>) -> tensor<2x3xf64> {
  %0 = kiln.conv2d %x, %w : (tensor<2x6x6x1xf64>, tensor<3x3x1x2xf64>) -> tensor<2x4x4x2xf64>
  %1 = kiln.add %0, %b : (tensor<2x4x4x2xf64>, tensor<2xf64>) -> tensor<2x4x4x2xf64>
  %2 = kiln.relu %1 : tensor<2x4x4x2xf64>
  %3 = kiln.max_pool2d %2 {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<2x4x4x2xf64>) -> tensor<2x2x2x2xf64>
  %4 = kiln.reshape %3 {shape = array<i64: 2, 8>} : (tensor<2x2x2x2xf64>) -> tensor<2x8xf64>
  %5 = kiln.matmul %4, %d : (tensor<2x8xf64>, tensor<8x3xf64>) -> tensor<2x3xf64>
  %6 = kiln.softmax %5 : tensor<2x3xf64>
  return %6 : tensor<2x3xf64>
}

// Embedding: gathered rows send their gradients back, repeated ids summed
// (kiln.scatter_add), along any axis and with negative ids.
// CHECK: @embedding: ok
func.func @embedding(%table: tensor<6x4xf64>, %ids: tensor<3x5xi64> {gradcheck.min = -6.0 : f64, gradcheck.max = 5.0 : f64},
                     %cols: tensor<2xi32> {gradcheck.min = 0.0 : f64, gradcheck.max = 3.0 : f64})
    -> (tensor<3x5x4xf64>, tensor<6x2xf64>) {
  %0 = kiln.gather %table, %ids : (tensor<6x4xf64>, tensor<3x5xi64>) -> tensor<3x5x4xf64>
  %1 = kiln.gather %table, %cols {axis = 1 : i64} : (tensor<6x4xf64>, tensor<2xi32>) -> tensor<6x2xf64>
  return %0, %1 : tensor<3x5x4xf64>, tensor<6x2xf64>
}
