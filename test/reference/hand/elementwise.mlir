// Hand-computed reference-interpreter tests: elementwise unary and binary
// ops, comparisons, select and broadcasting. Every expected value below was
// computed by hand from the op documentation in dialects/kiln/*.td.
//
// RUN: kiln-run %s --function max_min_nan --print | FileCheck %s --match-full-lines --check-prefix=MAXMIN
// RUN: kiln-run %s --function relu_nan --print | FileCheck %s --match-full-lines --check-prefix=RELU
// RUN: kiln-run %s --function compare_nan --print | FileCheck %s --match-full-lines --check-prefix=CMPNAN
// RUN: kiln-run %s --function compare_int --print | FileCheck %s --match-full-lines --check-prefix=CMPINT
// RUN: kiln-run %s --function int_wrap --print | FileCheck %s --match-full-lines --check-prefix=WRAP
// RUN: kiln-run %s --function int_div --print | FileCheck %s --match-full-lines --check-prefix=IDIV
// RUN: kiln-run %s --function float_div_zero --print | FileCheck %s --match-full-lines --check-prefix=FDIV
// RUN: kiln-run %s --function int_pow --print | FileCheck %s --match-full-lines --check-prefix=IPOW
// RUN: kiln-run %s --function broadcast --print | FileCheck %s --match-full-lines --check-prefix=BCAST
// RUN: kiln-run %s --function select_broadcast --print | FileCheck %s --match-full-lines --check-prefix=SELECT
// RUN: kiln-run %s --function logical --print | FileCheck %s --match-full-lines --check-prefix=LOGIC
// RUN: kiln-run %s --function float_unary --print | FileCheck %s --match-full-lines --check-prefix=UNARY

// maximum/minimum propagate a NaN from either side (numpy.maximum), not fmax.
func.func @max_min_nan() -> (tensor<4xf32>, tensor<4xf32>) {
  %a = kiln.constant dense<[1.0, 0x7FC00000, 3.0, 0x7FC00000]> : tensor<4xf32>
  %b = kiln.constant dense<[2.0, 0.0, 0x7FC00000, 0x7FC00000]> : tensor<4xf32>
  %max = kiln.maximum %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %min = kiln.minimum %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %max, %min : tensor<4xf32>, tensor<4xf32>
}
// MAXMIN: result0: tensor<4xf32>
// MAXMIN-NEXT: [2, nan, nan, nan]
// MAXMIN-NEXT: result1: tensor<4xf32>
// MAXMIN-NEXT: [1, nan, nan, nan]

// relu(NaN) and relu6(NaN) stay NaN; relu6 clamps at 6; negatives become 0.
func.func @relu_nan() -> (tensor<4xf32>, tensor<4xf32>) {
  %x = kiln.constant dense<[-2.0, 0.0, 7.5, 0x7FC00000]> : tensor<4xf32>
  %r = kiln.relu %x : tensor<4xf32>
  %r6 = kiln.relu6 %x : tensor<4xf32>
  return %r, %r6 : tensor<4xf32>, tensor<4xf32>
}
// RELU: result0: tensor<4xf32>
// RELU-NEXT: [0, 0, 7.5, nan]
// RELU-NEXT: result1: tensor<4xf32>
// RELU-NEXT: [0, 0, 6, nan]

// Comparisons with a NaN operand are false, except not_equal which is true.
func.func @compare_nan() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
  %x = kiln.constant dense<[1.0, 0x7FC00000, 0x7FC00000]> : tensor<3xf32>
  %y = kiln.constant dense<[1.0, 1.0, 0x7FC00000]> : tensor<3xf32>
  %eq = kiln.equal %x, %y : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %ne = kiln.not_equal %x, %y : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %lt = kiln.less %x, %y : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %le = kiln.less_equal %x, %y : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %gt = kiln.greater %x, %y : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %ge = kiln.greater_equal %x, %y : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return %eq, %ne, %lt, %le, %gt, %ge : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}
// CMPNAN: result0: tensor<3xi1>
// CMPNAN-NEXT: [true, false, false]
// CMPNAN-NEXT: result1: tensor<3xi1>
// CMPNAN-NEXT: [false, true, true]
// CMPNAN-NEXT: result2: tensor<3xi1>
// CMPNAN-NEXT: [false, false, false]
// CMPNAN-NEXT: result3: tensor<3xi1>
// CMPNAN-NEXT: [true, false, false]
// CMPNAN-NEXT: result4: tensor<3xi1>
// CMPNAN-NEXT: [false, false, false]
// CMPNAN-NEXT: result5: tensor<3xi1>
// CMPNAN-NEXT: [true, false, false]

// Integer comparisons are signed (i8 -128 < 127) and broadcast a rank-0 rhs.
func.func @compare_int() -> (tensor<3xi1>, tensor<3xi1>) {
  %x = kiln.constant dense<[-128, 0, 127]> : tensor<3xi8>
  %z = kiln.constant dense<0> : tensor<i8>
  %lt = kiln.less %x, %z : (tensor<3xi8>, tensor<i8>) -> tensor<3xi1>
  %ge = kiln.greater_equal %x, %z : (tensor<3xi8>, tensor<i8>) -> tensor<3xi1>
  return %lt, %ge : tensor<3xi1>, tensor<3xi1>
}
// CMPINT: result0: tensor<3xi1>
// CMPINT-NEXT: [true, false, false]
// CMPINT-NEXT: result1: tensor<3xi1>
// CMPINT-NEXT: [false, true, true]

// Integer arithmetic wraps at its width: i8 127+1 = -128, -128-1 = 127,
// neg/abs(-128) = -128, 16*16 = 0; i32 2^16*2^16 = 0, 46341^2 = -2147479015.
func.func @int_wrap() -> (tensor<2xi8>, tensor<1xi8>, tensor<2xi8>, tensor<1xi8>, tensor<3xi32>) {
  %a = kiln.constant dense<[127, -128]> : tensor<2xi8>
  %b = kiln.constant dense<[1, -1]> : tensor<2xi8>
  %add = kiln.add %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %m = kiln.constant dense<[-128]> : tensor<1xi8>
  %one = kiln.constant dense<[1]> : tensor<1xi8>
  %sub = kiln.sub %m, %one : (tensor<1xi8>, tensor<1xi8>) -> tensor<1xi8>
  %neg = kiln.neg %m : tensor<1xi8>
  %abs = kiln.abs %m : tensor<1xi8>
  %negabs = kiln.concat %neg, %abs {axis = 0 : i64} : (tensor<1xi8>, tensor<1xi8>) -> tensor<2xi8>
  %s = kiln.constant dense<[16]> : tensor<1xi8>
  %sq = kiln.square %s : tensor<1xi8>
  %p = kiln.constant dense<[65536, 2147483647, 46341]> : tensor<3xi32>
  %q = kiln.constant dense<[65536, 2, 46341]> : tensor<3xi32>
  %mul = kiln.mul %p, %q : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %add, %sub, %negabs, %sq, %mul : tensor<2xi8>, tensor<1xi8>, tensor<2xi8>, tensor<1xi8>, tensor<3xi32>
}
// WRAP: result0: tensor<2xi8>
// WRAP-NEXT: [-128, 127]
// WRAP-NEXT: result1: tensor<1xi8>
// WRAP-NEXT: [127]
// WRAP-NEXT: result2: tensor<2xi8>
// WRAP-NEXT: [-128, -128]
// WRAP-NEXT: result3: tensor<1xi8>
// WRAP-NEXT: [0]
// WRAP-NEXT: result4: tensor<3xi32>
// WRAP-NEXT: [0, -2, -2147479015]

// Integer division truncates toward zero (-7/2 = -3, 7/-2 = -3, -7/-2 = 3);
// i8 -128 / -1 wraps to -128 instead of trapping.
func.func @int_div() -> (tensor<5xi32>, tensor<2xi8>) {
  %x = kiln.constant dense<[-7, 7, -7, 7, 6]> : tensor<5xi32>
  %y = kiln.constant dense<[2, -2, -2, 2, 3]> : tensor<5xi32>
  %q = kiln.div %x, %y : (tensor<5xi32>, tensor<5xi32>) -> tensor<5xi32>
  %a = kiln.constant dense<[-128, -1]> : tensor<2xi8>
  %b = kiln.constant dense<[-1, 2]> : tensor<2xi8>
  %r = kiln.div %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  return %q, %r : tensor<5xi32>, tensor<2xi8>
}
// IDIV: result0: tensor<5xi32>
// IDIV-NEXT: [-3, -3, 3, 3, 2]
// IDIV-NEXT: result1: tensor<2xi8>
// IDIV-NEXT: [-128, 0]

// Float division by zero is IEEE (inf, -inf, NaN), not a run-time error.
func.func @float_div_zero() -> tensor<3xf32> {
  %x = kiln.constant dense<[1.0, -1.0, 0.0]> : tensor<3xf32>
  %z = kiln.constant dense<0.0> : tensor<3xf32>
  %q = kiln.div %x, %z : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %q : tensor<3xf32>
}
// FDIV: result0: tensor<3xf32>
// FDIV-NEXT: [inf, -inf, nan]

// Integer pow: 2^10, x^0 = 1 (also 0^0), odd power keeps sign, i8 2^7 wraps.
func.func @int_pow() -> (tensor<4xi32>, tensor<1xi8>) {
  %x = kiln.constant dense<[2, 3, -2, 0]> : tensor<4xi32>
  %e = kiln.constant dense<[10, 0, 3, 0]> : tensor<4xi32>
  %p = kiln.pow %x, %e : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %b = kiln.constant dense<[2]> : tensor<1xi8>
  %s = kiln.constant dense<[7]> : tensor<1xi8>
  %q = kiln.pow %b, %s : (tensor<1xi8>, tensor<1xi8>) -> tensor<1xi8>
  return %p, %q : tensor<4xi32>, tensor<1xi8>
}
// IPOW: result0: tensor<4xi32>
// IPOW-NEXT: [1024, 1, -8, 1]
// IPOW-NEXT: result1: tensor<1xi8>
// IPOW-NEXT: [-128]

// NumPy broadcasting: size-1 dims on both sides (2x1 + 1x3), a missing
// leading dim (2x3 + 3), and a rank-0 operand.
func.func @broadcast() -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) {
  %col = kiln.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %row = kiln.constant dense<[[10.0, 20.0, 30.0]]> : tensor<1x3xf32>
  %outer = kiln.add %col, %row : (tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %m = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %v = kiln.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %lead = kiln.sub %m, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %s = kiln.constant dense<5.0> : tensor<f32>
  %w = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %scalar = kiln.sub %s, %w : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32>
  return %outer, %lead, %scalar : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>
}
// BCAST: result0: tensor<2x3xf32>
// BCAST-NEXT: {{\[\[}}11, 21, 31], [12, 22, 32]]
// BCAST-NEXT: result1: tensor<2x3xf32>
// BCAST-NEXT: {{\[\[}}-9, -18, -27], [-6, -15, -24]]
// BCAST-NEXT: result2: tensor<2xf32>
// BCAST-NEXT: [4, 3]

// select broadcasts all three operands: a 2x1 condition picks whole rows of
// a 2x3 on_true or of a rank-1 on_false; also integer select.
func.func @select_broadcast() -> (tensor<2x3xf32>, tensor<3xi32>) {
  %c = kiln.constant dense<[[true], [false]]> : tensor<2x1xi1>
  %t = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %f = kiln.constant dense<[7.0, 8.0, 9.0]> : tensor<3xf32>
  %r = kiln.select %c, %t, %f : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %c2 = kiln.constant dense<[false, true, false]> : tensor<3xi1>
  %a = kiln.constant dense<7> : tensor<i32>
  %b = kiln.constant dense<[-1, -2, -3]> : tensor<3xi32>
  %r2 = kiln.select %c2, %a, %b : (tensor<3xi1>, tensor<i32>, tensor<3xi32>) -> tensor<3xi32>
  return %r, %r2 : tensor<2x3xf32>, tensor<3xi32>
}
// SELECT: result0: tensor<2x3xf32>
// SELECT-NEXT: {{\[\[}}1, 2, 3], [7, 8, 9]]
// SELECT-NEXT: result1: tensor<3xi32>
// SELECT-NEXT: [-1, 7, -3]

// Boolean ops: logical_and/or broadcast (2x1 with 2), logical_not flips.
func.func @logical() -> (tensor<2x2xi1>, tensor<2x2xi1>, tensor<2xi1>) {
  %a = kiln.constant dense<[[true], [false]]> : tensor<2x1xi1>
  %b = kiln.constant dense<[true, false]> : tensor<2xi1>
  %and = kiln.logical_and %a, %b : (tensor<2x1xi1>, tensor<2xi1>) -> tensor<2x2xi1>
  %or = kiln.logical_or %a, %b : (tensor<2x1xi1>, tensor<2xi1>) -> tensor<2x2xi1>
  %not = kiln.logical_not %b : tensor<2xi1>
  return %and, %or, %not : tensor<2x2xi1>, tensor<2x2xi1>, tensor<2xi1>
}
// LOGIC: result0: tensor<2x2xi1>
// LOGIC-NEXT: {{\[\[}}true, false], [false, false]]
// LOGIC-NEXT: result1: tensor<2x2xi1>
// LOGIC-NEXT: {{\[\[}}true, true], [true, false]]
// LOGIC-NEXT: result2: tensor<2xi1>
// LOGIC-NEXT: [false, true]

// Exactly representable unary results: floor/ceil of +-1.5 (toward -inf /
// +inf), sqrt(4), exp(0), log(1), sigmoid(0), leaky_relu's default alpha 0.2
// (-5 -> -1), elu at 0 (the x <= 0 branch, alpha*(e^0-1) = 0) and above 0.
func.func @float_unary() -> (tensor<2xf32>, tensor<2xf32>, tensor<4xf32>, tensor<2xf32>, tensor<2xf32>) {
  %x = kiln.constant dense<[-1.5, 1.5]> : tensor<2xf32>
  %fl = kiln.floor %x : tensor<2xf32>
  %ce = kiln.ceil %x : tensor<2xf32>
  %four = kiln.constant dense<[4.0]> : tensor<1xf32>
  %sq = kiln.sqrt %four : tensor<1xf32>
  %zero = kiln.constant dense<[0.0]> : tensor<1xf32>
  %e = kiln.exp %zero : tensor<1xf32>
  %onev = kiln.constant dense<[1.0]> : tensor<1xf32>
  %l = kiln.log %onev : tensor<1xf32>
  %sg = kiln.sigmoid %zero : tensor<1xf32>
  %a = kiln.concat %sq, %e, %l, %sg {axis = 0 : i64} : (tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4xf32>
  %y = kiln.constant dense<[-5.0, 3.0]> : tensor<2xf32>
  %lr = kiln.leaky_relu %y : tensor<2xf32>
  %g = kiln.constant dense<[0.0, 2.0]> : tensor<2xf32>
  %ge = kiln.elu %g : tensor<2xf32>
  return %fl, %ce, %a, %lr, %ge : tensor<2xf32>, tensor<2xf32>, tensor<4xf32>, tensor<2xf32>, tensor<2xf32>
}
// UNARY: result0: tensor<2xf32>
// UNARY-NEXT: [-2, 1]
// UNARY-NEXT: result1: tensor<2xf32>
// UNARY-NEXT: [-1, 2]
// UNARY-NEXT: result2: tensor<4xf32>
// UNARY-NEXT: [2, 1, 0, 0.5]
// UNARY-NEXT: result3: tensor<2xf32>
// UNARY-NEXT: [-1, 3]
// UNARY-NEXT: result4: tensor<2xf32>
// UNARY-NEXT: [0, 2]
