// A Keras-style time-major RNN on constant inputs, for scan-transpose.test.
func.func @predict() -> (tensor<2x4xf32>, tensor<2x5x4xf32>) {
  %x = kiln.constant dense<[[[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [0.7, -0.8, 0.9], [-1.0, 1.1, 1.2], [1.3, 1.4, -1.5]],
                            [[-0.5, 0.4, 0.3], [0.2, -0.1, 0.0], [0.6, 0.7, -0.8], [0.9, -1.0, 0.1], [0.2, 0.3, 0.4]]]> : tensor<2x5x3xf32>
  %w = kiln.constant dense<[[0.5, -0.5, 0.25, 1.0], [0.75, 0.1, -0.3, 0.2], [-0.6, 0.4, 0.9, -0.1]]> : tensor<3x4xf32>
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
  return %h, %y : tensor<2x4xf32>, tensor<2x5x4xf32>
}
