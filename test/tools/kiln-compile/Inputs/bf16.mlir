// f32 → bf16 → f32 round trip (round to nearest even).
func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.cast %a : tensor<4xf32> -> tensor<4xbf16>
  %1 = kiln.cast %0 : tensor<4xbf16> -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
