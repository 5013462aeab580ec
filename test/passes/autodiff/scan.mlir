// The gradient of kiln.scan (a reverse scan over the recomputed per-step
// state) against f64 finite differences: weights captured from above,
// initial state, sequences, stacked outputs, both directions, two carried
// values and an integer sequence.
// RUN: kiln-gradcheck %s | FileCheck %s

// CHECK: @simple_rnn: ok
func.func @simple_rnn(%h0: tensor<2x3xf64>, %xs: tensor<4x2x2xf64>, %wx: tensor<2x3xf64>,
                      %wh: tensor<3x3xf64>) -> (tensor<2x3xf64>, tensor<4x2x3xf64>) {
  %h, %hs = kiln.scan init(%h0 : tensor<2x3xf64>) over(%xs : tensor<4x2x2xf64>)
      -> (tensor<2x3xf64>, tensor<4x2x3xf64>) {
  ^bb0(%hprev: tensor<2x3xf64>, %x: tensor<2x2xf64>):
    %a = kiln.matmul %x, %wx : (tensor<2x2xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
    %b = kiln.matmul %hprev, %wh : (tensor<2x3xf64>, tensor<3x3xf64>) -> tensor<2x3xf64>
    %s = kiln.add %a, %b : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
    %hn = kiln.tanh %s : tensor<2x3xf64>
    kiln.yield %hn, %hn : tensor<2x3xf64>, tensor<2x3xf64>
  }
  return %h, %hs : tensor<2x3xf64>, tensor<4x2x3xf64>
}

// CHECK: @reverse_two_carries: ok
func.func @reverse_two_carries(%c0: tensor<3xf64>, %m0: tensor<3xf64>, %xs: tensor<3x5xf64>,
                               %ids: tensor<2x5xi64> {gradcheck.min = 0.0 : f64, gradcheck.max = 1.0 : f64},
                               %w: tensor<3xf64>) -> (tensor<3xf64>, tensor<3x5xf64>) {
  %c, %m, %ys = kiln.scan init(%c0, %m0 : tensor<3xf64>, tensor<3xf64>)
      over(%xs, %ids : tensor<3x5xf64>, tensor<2x5xi64>) attributes {axis = 1 : i64, reverse = true}
      -> (tensor<3xf64>, tensor<3xf64>, tensor<3x5xf64>) {
  ^bb0(%cp: tensor<3xf64>, %mp: tensor<3xf64>, %x: tensor<3xf64>, %i: tensor<2xi64>):
    %g = kiln.sigmoid %x : tensor<3xf64>
    %p = kiln.mul %cp, %g : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    %q = kiln.mul %mp, %w : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    %cn = kiln.add %p, %q : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    %mn = kiln.tanh %cn : tensor<3xf64>
    %y = kiln.mul %mn, %x : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    kiln.yield %cn, %mn, %y : tensor<3xf64>, tensor<3xf64>, tensor<3xf64>
  }
  return %m, %ys : tensor<3xf64>, tensor<3x5xf64>
}
