// RUN: kiln-opt %s --kiln-fuse --split-input-file | FileCheck %s

// A matmul with its epilogue (bias add, activation) becomes one "matmul"
// fusion; the weights and bias become inputs, the small constant is cloned.
// CHECK-LABEL: func.func @matmul_epilogue
// CHECK: %[[F:.*]] = kiln.fusion "matmul"(%arg0, %arg1, %arg2) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16xf32>):
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<2.000000e-01>
// CHECK-NEXT: %[[M:.*]] = kiln.matmul %[[X]], %[[W]]
// CHECK-NEXT: %[[A:.*]] = kiln.add %[[M]], %[[B]]
// CHECK-NEXT: %[[L:.*]] = kiln.mul %[[A]], %[[C]]
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[L]]
// CHECK-NEXT: kiln.yield %[[R]] : tensor<4x16xf32>
// CHECK: return %[[F]]
func.func @matmul_epilogue(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %c = kiln.constant dense<0.2> : tensor<f32>
  %m = kiln.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %a = kiln.add %m, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %l = kiln.mul %a, %c : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xf32>
  %r = kiln.relu %l : tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

// Does not fuse past a value with two users: the matmul's result is also
// returned, so the epilogue would have to compute it twice. The epilogue
// alone is still an elementwise chain.
// CHECK-LABEL: func.func @shared_producer
// CHECK: %[[M:.*]] = kiln.matmul
// CHECK: %[[F:.*]] = kiln.fusion "elementwise"(%[[M]]
// CHECK: kiln.exp
// CHECK: kiln.relu
// CHECK: return %[[M]], %[[F]]
func.func @shared_producer(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %m = kiln.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %e = kiln.exp %m : tensor<4x16xf32>
  %r = kiln.relu %e : tensor<4x16xf32>
  return %m, %r : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// A conv with bias, residual add and relu is one "conv" fusion.
// CHECK-LABEL: func.func @conv_residual
// CHECK: kiln.fusion "conv"(%arg0, %arg1, %arg2, %arg3)
// CHECK: kiln.conv2d
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.relu
// CHECK-NOT: kiln.fusion
func.func @conv_residual(%x: tensor<1x4x4x2xf32>, %w: tensor<1x1x2x2xf32>, %b: tensor<2xf32>, %s: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %c = kiln.conv2d %x, %w : (tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x4x4x2xf32>
  %a = kiln.add %c, %b : (tensor<1x4x4x2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  %r = kiln.add %a, %s : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %y = kiln.relu %r : tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}

// -----

// A reduction takes its elementwise producers and consumers: x - mean,
// squared, reduced, then scaled.
// CHECK-LABEL: func.func @reduction
// CHECK: kiln.fusion "reduction"(%arg0, %arg1)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: kiln.sub
// CHECK-NEXT: kiln.square
// CHECK-NEXT: kiln.reduce_mean
// CHECK-NEXT: kiln.sqrt
// CHECK-NEXT: kiln.yield
func.func @reduction(%x: tensor<4x8xf32>, %m: tensor<4x1xf32>) -> tensor<4xf32> {
  %d = kiln.sub %x, %m : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %q = kiln.square %d : tensor<4x8xf32>
  %v = kiln.reduce_mean %q {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  %s = kiln.sqrt %v : tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// A softmax with a producer that has another user keeps that producer
// outside (it would otherwise be computed twice).
// CHECK-LABEL: func.func @softmax_shared_input
// CHECK: %[[E:.*]] = kiln.mul %arg0, %arg0
// CHECK: kiln.fusion "reduction"(%[[E]])
// CHECK: kiln.softmax
// CHECK: kiln.log
func.func @softmax_shared_input(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = kiln.mul %x, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %s = kiln.softmax %e : tensor<4x8xf32>
  %l = kiln.log %s : tensor<4x8xf32>
  return %e, %l : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A single elementwise op is not a fusion; a chain of two is.
// CHECK-LABEL: func.func @chains
// CHECK: kiln.tanh %arg0
// CHECK: kiln.fusion "elementwise"(%arg1)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: kiln.neg
// CHECK-NEXT: kiln.exp
func.func @chains(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %t = kiln.tanh %x : tensor<4xf32>
  %n = kiln.neg %y : tensor<4xf32>
  %e = kiln.exp %n : tensor<4xf32>
  return %t, %e : tensor<4xf32>, tensor<4xf32>
}

// -----

// Fusion happens inside a scan body (an RNN cell), and the body keeps
// using values from outside the loop as fusion inputs.
// CHECK-LABEL: func.func @rnn_cell
// CHECK: kiln.scan
// CHECK: kiln.fusion "matmul"(%{{.*}}, %arg1, %arg2)
// CHECK: kiln.matmul
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.tanh
func.func @rnn_cell(%xs: tensor<5x2x3xf32>, %w: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<5x2x4xf32> {
  %h0 = kiln.constant dense<0.0> : tensor<2x4xf32>
  %h, %hs = kiln.scan init(%h0 : tensor<2x4xf32>) over(%xs : tensor<5x2x3xf32>) -> (tensor<2x4xf32>, tensor<5x2x4xf32>) {
  ^bb0(%c: tensor<2x4xf32>, %x: tensor<2x3xf32>):
    %m = kiln.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    %a = kiln.add %m, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %n = kiln.tanh %a : tensor<2x4xf32>
    kiln.yield %n, %n : tensor<2x4xf32>, tensor<2x4xf32>
  }
  return %hs : tensor<5x2x4xf32>
}
