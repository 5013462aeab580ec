// A one-step scan over a sequence with other unit dimensions (axis 3 of
// 1x2x2x1): each step's slice keeps its element order.
func.func @f(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %z = kiln.constant dense<0.000000e+00> : tensor<1x2x2xf32>
  %r:2 = kiln.scan init(%z : tensor<1x2x2xf32>) over(%x : tensor<1x2x2x1xf32>) attributes {axis = 3 : i64} -> (tensor<1x2x2xf32>, tensor<1x2x2x1xf32>) {
  ^bb0(%c: tensor<1x2x2xf32>, %s: tensor<1x2x2xf32>):
    %m = kiln.maximum %c, %s : (tensor<1x2x2xf32>, tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
    kiln.yield %m, %m : tensor<1x2x2xf32>, tensor<1x2x2xf32>
  }
  return %r#1 : tensor<1x2x2x1xf32>
}
