func.func @add(%x: tensor<2x3xf32> {kiln.name = "x"}, %y: tensor<3xf32> {kiln.name = "y"})
    -> (tensor<2x3xf32> {kiln.name = "sum"}) {
  %0 = kiln.add %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func @twice(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  return %x, %x : tensor<2x3xf32>, tensor<2x3xf32>
}
