// Results that alias: an argument returned twice and a constant.
func.func @id(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>) {
  %c = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  return %x, %x, %c : tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>
}
