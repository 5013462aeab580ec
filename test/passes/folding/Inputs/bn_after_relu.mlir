// @after_relu of fold-batch-norm-affine.mlir, on its own for kiln-run.
func.func @after_relu(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %r = kiln.relu %x : tensor<1x2x2x2xf32>
  %y = kiln.batch_norm %r, %scale, %offset, %mean, %var {epsilon = 1.0 : f64, axis = 3 : i64}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
