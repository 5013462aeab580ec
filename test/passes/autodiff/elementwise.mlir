// Every elementwise gradient rule against f64 finite differences.
// RUN: kiln-gradcheck %s | FileCheck %s

// CHECK: @unary_chain: ok
func.func @unary_chain(%x: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %a = kiln.tanh %x : tensor<3x4xf64>
  %b = kiln.sigmoid %a : tensor<3x4xf64>
  %c = kiln.exp %b : tensor<3x4xf64>
  %d = kiln.square %c : tensor<3x4xf64>
  %e = kiln.neg %d : tensor<3x4xf64>
  %f = kiln.softplus %e : tensor<3x4xf64>
  %g = kiln.erf %f : tensor<3x4xf64>
  return %g : tensor<3x4xf64>
}

// CHECK: @trigonometry: ok
func.func @trigonometry(%x: tensor<3x4xf64> {gradcheck.min = -4.0 : f64, gradcheck.max = 4.0 : f64})
    -> (tensor<3x4xf64>, tensor<3x4xf64>) {
  %a = kiln.sin %x : tensor<3x4xf64>
  %b = kiln.cos %x : tensor<3x4xf64>
  %c = kiln.mul %a, %b : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %d = kiln.cos %c : tensor<3x4xf64>
  return %a, %d : tensor<3x4xf64>, tensor<3x4xf64>
}

// CHECK: @positive_domain: ok
func.func @positive_domain(%x: tensor<5xf64> {gradcheck.min = 0.5 : f64, gradcheck.max = 3.0 : f64})
    -> (tensor<5xf64>, tensor<5xf64>, tensor<5xf64>) {
  %a = kiln.log %x : tensor<5xf64>
  %b = kiln.sqrt %x : tensor<5xf64>
  %c = kiln.rsqrt %x : tensor<5xf64>
  return %a, %b, %c : tensor<5xf64>, tensor<5xf64>, tensor<5xf64>
}

// CHECK: @activations: ok
func.func @activations(%x: tensor<16xf64>) -> (tensor<16xf64>, tensor<16xf64>, tensor<16xf64>,
    tensor<16xf64>, tensor<16xf64>, tensor<16xf64>, tensor<16xf64>, tensor<16xf64>) {
  %a = kiln.relu %x : tensor<16xf64>
  %b = kiln.leaky_relu %x {alpha = 0.1 : f64} : tensor<16xf64>
  %c = kiln.elu %x : tensor<16xf64>
  %d = kiln.gelu %x : tensor<16xf64>
  %e = kiln.gelu %x {approximate = true} : tensor<16xf64>
  %f = kiln.abs %x : tensor<16xf64>
  %s = kiln.constant dense<3.0> : tensor<f64>
  %xs = kiln.mul %x, %s : (tensor<16xf64>, tensor<f64>) -> tensor<16xf64>
  %g = kiln.relu6 %xs : tensor<16xf64>
  %h = kiln.floor %x : tensor<16xf64>
  return %a, %b, %c, %d, %e, %f, %g, %h : tensor<16xf64>, tensor<16xf64>, tensor<16xf64>,
    tensor<16xf64>, tensor<16xf64>, tensor<16xf64>, tensor<16xf64>, tensor<16xf64>
}

// Broadcasting operands receive gradients summed over broadcast dimensions.
// CHECK: @binary_broadcast: ok
func.func @binary_broadcast(%a: tensor<2x3x4xf64>, %b: tensor<3x1xf64>, %c: tensor<4xf64>,
                            %d: tensor<f64> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64})
    -> (tensor<2x3x4xf64>, tensor<2x3x4xf64>) {
  %0 = kiln.add %a, %b : (tensor<2x3x4xf64>, tensor<3x1xf64>) -> tensor<2x3x4xf64>
  %1 = kiln.mul %0, %c : (tensor<2x3x4xf64>, tensor<4xf64>) -> tensor<2x3x4xf64>
  %2 = kiln.sub %1, %b : (tensor<2x3x4xf64>, tensor<3x1xf64>) -> tensor<2x3x4xf64>
  %3 = kiln.div %2, %d : (tensor<2x3x4xf64>, tensor<f64>) -> tensor<2x3x4xf64>
  %4 = kiln.maximum %a, %c : (tensor<2x3x4xf64>, tensor<4xf64>) -> tensor<2x3x4xf64>
  %5 = kiln.minimum %4, %b : (tensor<2x3x4xf64>, tensor<3x1xf64>) -> tensor<2x3x4xf64>
  return %3, %5 : tensor<2x3x4xf64>, tensor<2x3x4xf64>
}

// CHECK: @pow_and_div: ok
func.func @pow_and_div(%a: tensor<6xf64> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64},
                       %b: tensor<6xf64> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64})
    -> tensor<6xf64> {
  %0 = kiln.pow %a, %b : (tensor<6xf64>, tensor<6xf64>) -> tensor<6xf64>
  %1 = kiln.div %0, %b : (tensor<6xf64>, tensor<6xf64>) -> tensor<6xf64>
  return %1 : tensor<6xf64>
}

// A value used twice accumulates both gradients; select routes by condition.
// CHECK: @select_and_reuse: ok
func.func @select_and_reuse(%x: tensor<8xf64>, %y: tensor<8xf64>) -> tensor<8xf64> {
  %zero = kiln.constant dense<0.0> : tensor<f64>
  %c = kiln.greater %x, %zero : (tensor<8xf64>, tensor<f64>) -> tensor<8xi1>
  %xx = kiln.mul %x, %x : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %s = kiln.select %c, %xx, %y : (tensor<8xi1>, tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %t = kiln.tanh %x : tensor<8xf64>
  %r = kiln.add %s, %t : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  return %r : tensor<8xf64>
}
