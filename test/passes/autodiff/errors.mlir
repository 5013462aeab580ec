// Ops without a gradient rule on the differentiated path are named.
// RUN: kiln-opt --kiln-autodiff %s -split-input-file -verify-diagnostics

// Gradients are first order: the gradient ops themselves have no rule.
func.func @second_order(%dy: tensor<1x2x2x4xf32>, %w: tensor<3x3x4x4xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{'kiln.conv2d_backprop_input' op has no gradient rule}}
  %0 = kiln.conv2d_backprop_input %dy, %w {input_shape = array<i64: 1, 4, 4, 4>}
      : (tensor<1x2x2x4xf32>, tensor<3x3x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}
