// A fused elementwise chain over 16M f32 (64 MiB in, 64 MiB out): the
// GPU benchmark's bandwidth kernel. y = tanh(relu(x * 1.5 + 0.25)).
func.func @predict(%x: tensor<4096x4096xf32> {kiln.name = "x"}) -> (tensor<4096x4096xf32> {kiln.name = "y"}) {
  %a = kiln.constant dense<1.5> : tensor<f32>
  %b = kiln.constant dense<0.25> : tensor<f32>
  %0 = kiln.mul %x, %a : (tensor<4096x4096xf32>, tensor<f32>) -> tensor<4096x4096xf32>
  %1 = kiln.add %0, %b : (tensor<4096x4096xf32>, tensor<f32>) -> tensor<4096x4096xf32>
  %2 = kiln.relu %1 : tensor<4096x4096xf32>
  %3 = kiln.tanh %2 : tensor<4096x4096xf32>
  return %3 : tensor<4096x4096xf32>
}
