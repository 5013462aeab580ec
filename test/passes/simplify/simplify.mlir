// kiln-simplify's algebraic rules (passes/simplify/Simplify.cpp), each with
// the cases it must leave alone beside it. A rule is exact when the
// reference interpreter gives the same bits with and without it, signed
// zeros included; the FAST prefix shows what fast-math adds.
// RUN: kiln-opt %s --kiln-simplify --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-simplify=fast-math=true --split-input-file | FileCheck %s --check-prefix=FAST

//===----------------------------------------------------------------------===//
// x + 0
//===----------------------------------------------------------------------===//

// An integer zero addend goes, on either side.
// CHECK-LABEL: func.func @add_zero_int(
// CHECK-NEXT: return %arg0, %arg0
func.func @add_zero_int(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
  %z = kiln.constant dense<0> : tensor<i32>
  %0 = kiln.add %x, %z : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  %1 = kiln.add %z, %x : (tensor<i32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xi32>, tensor<4xi32>
}

// -----

// x + -0.0 is x for every x, -0.0 included.
// CHECK-LABEL: func.func @add_negative_zero(
// CHECK-NEXT: return %arg0
func.func @add_negative_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = kiln.constant dense<-0.0> : tensor<4xf32>
  %0 = kiln.add %z, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Does not fold float x + 0.0: -0.0 + 0.0 is +0.0. Fast-math does.
// CHECK-LABEL: func.func @add_positive_zero(
// CHECK: %[[SUM:.+]] = kiln.add %arg0, %{{.+}} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[SUM]]
// FAST-LABEL: func.func @add_positive_zero(
// FAST-NEXT: return %arg0
func.func @add_positive_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.add %x, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A Keras zero bias (a dense_resource of +0.0) after a matmul stays: the
// matmul may give -0.0. Fast-math drops it.
// CHECK-LABEL: func.func @zero_bias(
// CHECK: kiln.add
// FAST-LABEL: func.func @zero_bias(
// FAST-NOT: kiln.add
// FAST: return
func.func @zero_bias(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %b = kiln.constant dense_resource<bias> : tensor<2xf32>
  %0 = kiln.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %1 = kiln.add %0, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %1 : tensor<2x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      bias: "0x040000000000000000000000"
    }
  }
#-}

// -----

// x + 0.0 is exact when x is never -0.0: relu(-0.0) is +0.0.
// CHECK-LABEL: func.func @add_zero_after_relu(
// CHECK-NEXT: %[[R:.+]] = kiln.relu %arg0
// CHECK-NEXT: return %[[R]]
func.func @add_zero_after_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %r = kiln.relu %x : tensor<4xf32>
  %0 = kiln.add %r, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Does not drop a zero that broadcasts x to a larger shape, fast-math or not.
// CHECK-LABEL: func.func @add_zero_broadcasting(
// CHECK: kiln.add %arg0, %{{.+}} : (tensor<3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
// FAST-LABEL: func.func @add_zero_broadcasting(
// FAST: kiln.add
func.func @add_zero_broadcasting(%x: tensor<3xi32>) -> tensor<2x3xi32> {
  %z = kiln.constant dense<0> : tensor<2x3xi32>
  %0 = kiln.add %x, %z : (tensor<3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

//===----------------------------------------------------------------------===//
// x - 0, 0 - x, x - x
//===----------------------------------------------------------------------===//

// -----

// x - 0.0 is x + -0.0: exact.
// CHECK-LABEL: func.func @sub_positive_zero(
// CHECK-NEXT: return %arg0
func.func @sub_positive_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.sub %x, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Does not fold x - -0.0 (it is x + 0.0); fast-math does.
// CHECK-LABEL: func.func @sub_negative_zero(
// CHECK: kiln.sub %arg0
// FAST-LABEL: func.func @sub_negative_zero(
// FAST-NEXT: return %arg0
func.func @sub_negative_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = kiln.constant dense<-0.0> : tensor<f32>
  %0 = kiln.sub %x, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// 0 - x is neg(x) for integers (both wrap at INT_MIN) and -0.0 - x for
// floats.
// CHECK-LABEL: func.func @sub_from_zero(
// CHECK-DAG: %[[I:.+]] = kiln.neg %arg0 : tensor<4xi32>
// CHECK-DAG: %[[F:.+]] = kiln.neg %arg1 : tensor<4xf32>
// CHECK: return %[[I]], %[[F]]
func.func @sub_from_zero(%i: tensor<4xi32>, %f: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xf32>) {
  %zi = kiln.constant dense<0> : tensor<i32>
  %zf = kiln.constant dense<-0.0> : tensor<f32>
  %0 = kiln.sub %zi, %i : (tensor<i32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = kiln.sub %zf, %f : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xi32>, tensor<4xf32>
}

// -----

// Does not rewrite 0.0 - x: 0.0 - 0.0 is +0.0 where -x is -0.0. Fast-math
// does.
// CHECK-LABEL: func.func @sub_from_positive_zero(
// CHECK: kiln.sub %{{.+}}, %arg0
// FAST-LABEL: func.func @sub_from_positive_zero(
// FAST-NEXT: %[[N:.+]] = kiln.neg %arg0
// FAST-NEXT: return %[[N]]
func.func @sub_from_positive_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.sub %z, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integer x - x is 0.
// CHECK-LABEL: func.func @sub_self_int(
// CHECK-NEXT: %[[Z:.+]] = kiln.constant dense<0> : tensor<4xi32>
// CHECK-NEXT: return %[[Z]]
func.func @sub_self_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.sub %x, %x : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Does not fold float x - x: inf - inf is NaN. Not with fast-math either.
// CHECK-LABEL: func.func @sub_self_float(
// CHECK: kiln.sub %arg0, %arg0
// FAST-LABEL: func.func @sub_self_float(
// FAST: kiln.sub %arg0, %arg0
func.func @sub_self_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.sub %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// x + neg(y) and neg(y) + x are x - y; x - neg(y) is x + y.
// CHECK-LABEL: func.func @negated_operand(
// CHECK-DAG: %[[A:.+]] = kiln.sub %arg0, %arg1
// CHECK-DAG: %[[B:.+]] = kiln.sub %arg0, %arg1
// CHECK-DAG: %[[C:.+]] = kiln.add %arg0, %arg1
// CHECK-NOT: kiln.neg
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @negated_operand(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %n = kiln.neg %y : tensor<4xf32>
  %0 = kiln.add %x, %n : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.add %n, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = kiln.sub %x, %n : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Does not rewrite x + (0.0 - y) (0.0 - y is not neg(y)) nor neg(y) - x.
// CHECK-LABEL: func.func @negated_operand_negative(
// CHECK: %[[D:.+]] = kiln.sub %{{.+}}, %arg1
// CHECK: kiln.add %arg0, %[[D]]
// CHECK: %[[N:.+]] = kiln.neg %arg1
// CHECK: kiln.sub %[[N]], %arg0
func.func @negated_operand_negative(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %d = kiln.sub %z, %y : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %0 = kiln.add %x, %d : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %n = kiln.neg %y : tensor<4xf32>
  %1 = kiln.sub %n, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// x * 1, x * -1, x * 0, x / 1, x / c
//===----------------------------------------------------------------------===//

// -----

// x * 1.0 and 1.0 * x are x, for every float.
// CHECK-LABEL: func.func @mul_one(
// CHECK-NEXT: return %arg0, %arg0
func.func @mul_one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %one = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.mul %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = kiln.mul %one, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Does not drop a 1 that broadcasts x.
// CHECK-LABEL: func.func @mul_one_broadcasting(
// CHECK: kiln.mul %arg0, %{{.+}} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @mul_one_broadcasting(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %one = kiln.constant dense<1.0> : tensor<2x3xf32>
  %0 = kiln.mul %x, %one : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// x * -1 is neg(x), floats and integers.
// CHECK-LABEL: func.func @mul_minus_one(
// CHECK-DAG: %[[F:.+]] = kiln.neg %arg0 : tensor<4xf32>
// CHECK-DAG: %[[I:.+]] = kiln.neg %arg1 : tensor<4xi64>
// CHECK: return %[[F]], %[[I]]
func.func @mul_minus_one(%x: tensor<4xf32>, %i: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %m = kiln.constant dense<-1.0> : tensor<f32>
  %mi = kiln.constant dense<-1> : tensor<i64>
  %0 = kiln.mul %m, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.mul %i, %mi : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// Does not turn x * -2.0 into a negation.
// CHECK-LABEL: func.func @mul_minus_two(
// CHECK: kiln.mul
// CHECK-NOT: kiln.neg
func.func @mul_minus_two(%x: tensor<4xf32>) -> tensor<4xf32> {
  %m = kiln.constant dense<-2.0> : tensor<f32>
  %0 = kiln.mul %x, %m : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integer x * 0 is a zero of the product's (broadcast) type.
// CHECK-LABEL: func.func @mul_zero_int(
// CHECK-NEXT: %[[Z:.+]] = kiln.constant dense<0> : tensor<2x4xi8>
// CHECK-NEXT: return %[[Z]]
func.func @mul_zero_int(%x: tensor<4xi8>) -> tensor<2x4xi8> {
  %z = kiln.constant dense<0> : tensor<2x1xi8>
  %0 = kiln.mul %z, %x : (tensor<2x1xi8>, tensor<4xi8>) -> tensor<2x4xi8>
  return %0 : tensor<2x4xi8>
}

// -----

// Does not fold float x * 0.0 (inf * 0 is NaN, -1 * 0 is -0.0), not even
// with fast-math.
// CHECK-LABEL: func.func @mul_zero_float(
// CHECK: kiln.mul %arg0
// FAST-LABEL: func.func @mul_zero_float(
// FAST: kiln.mul %arg0
func.func @mul_zero_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.mul %x, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// x / 1 is x.
// CHECK-LABEL: func.func @div_one(
// CHECK-NEXT: return %arg0, %arg1
func.func @div_one(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %one = kiln.constant dense<1.0> : tensor<f32>
  %onei = kiln.constant dense<1> : tensor<i32>
  %0 = kiln.div %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = kiln.div %i, %onei : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// Division by a power of two is multiplication by its exact reciprocal,
// elementwise for a non-splat divisor.
// CHECK-LABEL: func.func @div_power_of_two(
// CHECK-DAG: %[[Q:.+]] = kiln.constant dense<2.500000e-01> : tensor<f32>
// CHECK-DAG: %[[V:.+]] = kiln.constant dense<[-2.000000e+00, 1.250000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[A:.+]] = kiln.mul %arg0, %[[Q]]
// CHECK-DAG: %[[B:.+]] = kiln.mul %arg0, %[[V]]
// CHECK-NOT: kiln.div
// CHECK: return %[[A]], %[[B]]
func.func @div_power_of_two(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %c = kiln.constant dense<4.0> : tensor<f32>
  %v = kiln.constant dense<[-0.5, 8.0]> : tensor<2xf32>
  %0 = kiln.div %x, %c : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %1 = kiln.div %x, %v : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// Does not divide by 3 as multiplication by 1/3 (rounded); fast-math does,
// as the transformer's GELU divides by sqrt(2).
// CHECK-LABEL: func.func @div_inexact(
// CHECK: kiln.div %arg0
// FAST-LABEL: func.func @div_inexact(
// FAST: %[[R:.+]] = kiln.constant dense<0.333333343> : tensor<f32>
// FAST: kiln.mul %arg0, %[[R]]
func.func @div_inexact(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = kiln.constant dense<3.0> : tensor<f32>
  %0 = kiln.div %x, %c : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Never rewrites division by zero, nor by 2^127, whose reciprocal 2^-127 is
// subnormal in f32, nor integer division.
// CHECK-LABEL: func.func @div_kept(
// CHECK-COUNT-3: kiln.div
// FAST-LABEL: func.func @div_kept(
// FAST-COUNT-3: kiln.div
func.func @div_kept(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %big = kiln.constant dense<0x7F000000> : tensor<f32>
  %two = kiln.constant dense<2> : tensor<i32>
  %0 = kiln.div %x, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = kiln.div %x, %big : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %2 = kiln.div %i, %two : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
}

//===----------------------------------------------------------------------===//
// Unary chains
//===----------------------------------------------------------------------===//

// -----

// neg(neg(x)) is x.
// CHECK-LABEL: func.func @neg_neg(
// CHECK-NEXT: return %arg0
func.func @neg_neg(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.neg %x : tensor<4xi32>
  %1 = kiln.neg %0 : tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// abs(abs(x)) and abs(neg(x)) are abs(x) (two of them: the pass does not
// CSE).
// CHECK-LABEL: func.func @abs_chains(
// CHECK-NEXT: %[[A:.+]] = kiln.abs %arg0
// CHECK-NEXT: %[[B:.+]] = kiln.abs %arg0
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @abs_chains(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.abs %x : tensor<4xf32>
  %1 = kiln.abs %0 : tensor<4xf32>
  %n = kiln.neg %x : tensor<4xf32>
  %2 = kiln.abs %n : tensor<4xf32>
  return %1, %2 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Does not rewrite neg(abs(x)) (not x, not abs(x)) nor abs(square(x)).
// CHECK-LABEL: func.func @abs_kept(
// CHECK: %[[A:.+]] = kiln.abs %arg0
// CHECK: kiln.neg %[[A]]
// CHECK: %[[S:.+]] = kiln.square %arg0
// CHECK: kiln.abs %[[S]]
func.func @abs_kept(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.abs %x : tensor<4xf32>
  %1 = kiln.neg %0 : tensor<4xf32>
  %s = kiln.square %x : tensor<4xf32>
  %2 = kiln.abs %s : tensor<4xf32>
  return %1, %2 : tensor<4xf32>, tensor<4xf32>
}

// -----

// relu(relu(x)) is relu(x).
// CHECK-LABEL: func.func @relu_relu(
// CHECK-NEXT: %[[R:.+]] = kiln.relu %arg0
// CHECK-NEXT: return %[[R]]
func.func @relu_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  %1 = kiln.relu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Does not rewrite relu6(relu(x)) to relu6(x): relu6(-0.0) is -0.0.
// CHECK-LABEL: func.func @relu6_relu(
// CHECK: %[[R:.+]] = kiln.relu %arg0
// CHECK: kiln.relu6 %[[R]]
func.func @relu6_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  %1 = kiln.relu6 %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Does not rewrite exp(log(x)) nor log(exp(x)): neither is x in floating
// point (log(exp(100)) is inf, exp(log(3)) is not exactly 3), nor
// tanh(tanh(x)) or sigmoid(sigmoid(x)); not even with fast-math.
// CHECK-LABEL: func.func @transcendental_kept(
// CHECK: kiln.log
// CHECK: kiln.exp
// CHECK: kiln.exp
// CHECK: kiln.log
// CHECK: kiln.tanh
// CHECK: kiln.tanh
// CHECK: kiln.sigmoid
// CHECK: kiln.sigmoid
// FAST-LABEL: func.func @transcendental_kept(
// FAST-COUNT-2: kiln.log
func.func @transcendental_kept(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.log %x : tensor<4xf32>
  %1 = kiln.exp %0 : tensor<4xf32>
  %2 = kiln.exp %x : tensor<4xf32>
  %3 = kiln.log %2 : tensor<4xf32>
  %4 = kiln.tanh %x : tensor<4xf32>
  %5 = kiln.tanh %4 : tensor<4xf32>
  %6 = kiln.sigmoid %x : tensor<4xf32>
  %7 = kiln.sigmoid %6 : tensor<4xf32>
  return %1, %3, %5, %7 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// maximum(x, 0)
//===----------------------------------------------------------------------===//

// -----

// maximum(x, 0.0) is relu(x), -0.0 included (both give +0.0); for integers
// the zero may come first.
// CHECK-LABEL: func.func @maximum_zero(
// CHECK-DAG: %[[F:.+]] = kiln.relu %arg0 : tensor<4xf32>
// CHECK-DAG: %[[I:.+]] = kiln.relu %arg1 : tensor<4xi32>
// CHECK-NOT: kiln.maximum
// CHECK: return %[[F]], %[[I]]
func.func @maximum_zero(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %zi = kiln.constant dense<0> : tensor<i32>
  %0 = kiln.maximum %x, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = kiln.maximum %zi, %i : (tensor<i32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// maximum(0.0, relu(x)) and maximum(relu(x), 0.0) are relu(x): relu never
// gives -0.0.
// CHECK-LABEL: func.func @maximum_of_relu(
// CHECK-NEXT: %[[R:.+]] = kiln.relu %arg0
// CHECK-NEXT: return %[[R]], %[[R]]
func.func @maximum_of_relu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %r = kiln.relu %x : tensor<4xf32>
  %0 = kiln.maximum %z, %r : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.maximum %r, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Does not rewrite maximum(0.0, x) (it gives -0.0 for x = -0.0, relu
// +0.0) nor maximum(x, -0.0) (it gives -0.0 for x = +0.0); fast-math does.
// CHECK-LABEL: func.func @maximum_zero_kept(
// CHECK-COUNT-2: kiln.maximum
// CHECK-NOT: kiln.relu
// FAST-LABEL: func.func @maximum_zero_kept(
// FAST-NEXT: %[[R:.+]] = kiln.relu %arg0
// FAST-NEXT: %[[S:.+]] = kiln.relu %arg0
// FAST-NEXT: return %[[R]], %[[S]]
func.func @maximum_zero_kept(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %nz = kiln.constant dense<-0.0> : tensor<f32>
  %0 = kiln.maximum %z, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.maximum %x, %nz : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Does not rewrite a maximum whose zero broadcasts x.
// CHECK-LABEL: func.func @maximum_zero_broadcasting(
// CHECK: kiln.maximum
// CHECK-NOT: kiln.relu
func.func @maximum_zero_broadcasting(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %z = kiln.constant dense<0.0> : tensor<2x3xf32>
  %0 = kiln.maximum %x, %z : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

//===----------------------------------------------------------------------===//
// Transposes, reshapes, broadcasts, casts
//===----------------------------------------------------------------------===//

// -----

// A transpose and its inverse cancel (the pair around the LSTM's kiln.scan
// from tf2onnx); two others compose into one.
// CHECK-LABEL: func.func @transpose_pairs(
// CHECK-NEXT: %[[T:.+]] = kiln.transpose %arg0 {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: return %arg0, %[[T]]
func.func @transpose_pairs(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x2x3xf32>) {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 1, 0, 2>} : (tensor<3x2x4xf32>) -> tensor<2x3x4xf32>
  %2 = kiln.transpose %0 {perm = array<i64: 2, 1, 0>} : (tensor<3x2x4xf32>) -> tensor<4x2x3xf32>
  return %1, %2 : tensor<2x3x4xf32>, tensor<4x2x3xf32>
}

// -----

// Does not fold a lone transpose, nor one of a (non-splat) constant: that is
// kiln-fold-constants' work. A pair on a constant still composes, without
// creating a second constant.
// CHECK-LABEL: func.func @transpose_kept(
// CHECK-DAG: %[[C:.+]] = kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: %[[X:.+]] = kiln.transpose %arg0 {perm = array<i64: 1, 0>}
// CHECK-DAG: %[[T:.+]] = kiln.transpose %[[C]] {perm = array<i64: 1, 0>}
// CHECK: return %[[X]], %[[T]], %[[C]]
func.func @transpose_kept(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x3xf32>) {
  %c = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = kiln.transpose %c {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %2 = kiln.transpose %1 {perm = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x3xf32>
}

// -----

// A transpose that moves only dimensions of size 1 (NHWC to NCHW with one
// channel) moves no data: it is a reshape.
// CHECK-LABEL: func.func @transpose_unit_dims(
// CHECK-NEXT: %[[R:.+]] = kiln.reshape %arg0 {shape = array<i64: 2, 1, 28, 28>} : (tensor<2x28x28x1xf32>) -> tensor<2x1x28x28xf32>
// CHECK-NEXT: return %[[R]]
func.func @transpose_unit_dims(%x: tensor<2x28x28x1xf32>) -> tensor<2x1x28x28xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<2x28x28x1xf32>) -> tensor<2x1x28x28xf32>
  return %0 : tensor<2x1x28x28xf32>
}

// -----

// Does not make a reshape of a transpose that moves data.
// CHECK-LABEL: func.func @transpose_moves_data(
// CHECK: kiln.transpose %arg0 {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NOT: kiln.reshape
func.func @transpose_moves_data(%x: tensor<2x1x28x3xf32>) -> tensor<2x3x1x28xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<2x1x28x3xf32>) -> tensor<2x3x1x28xf32>
  return %0 : tensor<2x3x1x28xf32>
}

// -----

// Reshape chains collapse (the op folder): only the last shape matters, and
// a reshape back to x's type is x.
// CHECK-LABEL: func.func @reshape_chains(
// CHECK-NEXT: %[[R:.+]] = kiln.reshape %arg0 {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
// CHECK-NEXT: return %[[R]], %arg0
func.func @reshape_chains(%x: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<2x3x4xf32>) {
  %0 = kiln.reshape %x {shape = array<i64: 24>} : (tensor<2x3x4xf32>) -> tensor<24xf32>
  %1 = kiln.reshape %0 {shape = array<i64: 6, 4>} : (tensor<24xf32>) -> tensor<6x4xf32>
  %2 = kiln.reshape %1 {shape = array<i64: 2, 3, 4>} : (tensor<6x4xf32>) -> tensor<2x3x4xf32>
  return %1, %2 : tensor<6x4xf32>, tensor<2x3x4xf32>
}

// -----

// Does not remove a reshape that changes the type.
// CHECK-LABEL: func.func @reshape_kept(
// CHECK: kiln.reshape %arg0 {shape = array<i64: 6, 4>}
func.func @reshape_kept(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = kiln.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// broadcast_to of a scalar constant is a splat of the result type (the op
// folder); broadcast_to to x's own type is x; two broadcasts are one.
// CHECK-LABEL: func.func @broadcasts(
// CHECK-DAG: %[[S:.+]] = kiln.constant dense<2.000000e+00> : tensor<2x3xf32>
// CHECK-DAG: %[[B:.+]] = kiln.broadcast_to %arg0 {shape = array<i64: 4, 2, 3>} : (tensor<3xf32>) -> tensor<4x2x3xf32>
// CHECK: return %[[S]], %arg1, %[[B]]
func.func @broadcasts(%x: tensor<3xf32>, %y: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<4x2x3xf32>) {
  %c = kiln.constant dense<2.0> : tensor<f32>
  %0 = kiln.broadcast_to %c {shape = array<i64: 2, 3>} : (tensor<f32>) -> tensor<2x3xf32>
  %1 = kiln.broadcast_to %y {shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = kiln.broadcast_to %x {shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
  %3 = kiln.broadcast_to %2 {shape = array<i64: 4, 2, 3>} : (tensor<2x3xf32>) -> tensor<4x2x3xf32>
  return %0, %1, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<4x2x3xf32>
}

// -----

// Does not remove a broadcast of a non-constant that changes the shape.
// CHECK-LABEL: func.func @broadcast_kept(
// CHECK: kiln.broadcast_to %arg0 {shape = array<i64: 2, 3>}
func.func @broadcast_kept(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.broadcast_to %x {shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A cast to x's own type is x (the op folder); a round trip through f16 is
// not (it rounds), and stays.
// CHECK-LABEL: func.func @casts(
// CHECK-NEXT: %[[H:.+]] = kiln.cast %arg0 : tensor<4xf32> -> tensor<4xf16>
// CHECK-NEXT: %[[F:.+]] = kiln.cast %[[H]] : tensor<4xf16> -> tensor<4xf32>
// CHECK-NEXT: return %arg0, %[[F]]
func.func @casts(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<4xf32>
  %1 = kiln.cast %x : tensor<4xf32> -> tensor<4xf16>
  %2 = kiln.cast %1 : tensor<4xf16> -> tensor<4xf32>
  return %0, %2 : tensor<4xf32>, tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// Inside kiln.scan
//===----------------------------------------------------------------------===//

// -----

// The rules apply inside loop bodies too.
// CHECK-LABEL: func.func @in_scan(
// CHECK: kiln.scan
// CHECK-NOT: kiln.mul
// CHECK: kiln.add
// CHECK-NEXT: kiln.yield
func.func @in_scan(%h: tensor<2xf32>, %xs: tensor<5x2xf32>) -> tensor<2xf32> {
  %r:2 = kiln.scan init(%h : tensor<2xf32>) over(%xs : tensor<5x2xf32>) -> (tensor<2xf32>, tensor<5x2xf32>) {
  ^bb0(%c: tensor<2xf32>, %x: tensor<2xf32>):
    %one = kiln.constant dense<1.0> : tensor<f32>
    %0 = kiln.mul %x, %one : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
    %1 = kiln.add %c, %0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    kiln.yield %1, %1 : tensor<2xf32>, tensor<2xf32>
  }
  return %r#0 : tensor<2xf32>
}
