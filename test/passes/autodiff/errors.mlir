// Ops without a gradient rule on the differentiated path are named.
// RUN: kiln-opt --kiln-autodiff %s -split-input-file -verify-diagnostics

func.func @grouped(%x: tensor<1x4x4x4xf32>, %w: tensor<3x3x2x4xf32>) -> tensor<1x2x2x4xf32> {
  // expected-error @+1 {{'kiln.conv2d' op has no gradient rule for grouped convolution (groups = 2)}}
  %0 = kiln.conv2d %x, %w {groups = 2 : i64} : (tensor<1x4x4x4xf32>, tensor<3x3x2x4xf32>) -> tensor<1x2x2x4xf32>
  return %0 : tensor<1x2x2x4xf32>
}
