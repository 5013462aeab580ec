// kiln-simplify changes no bit of a result (NaN aside, whose sign and
// payload kiln leaves unspecified): each function runs through kiln-run
// before and after simplification on the same special values (signed zeros,
// infinities, NaN, subnormals, the largest floats, INT_MIN), and the results
// must match with zero tolerance and, bit for bit, under same_bits.py, which
// also sees the sign of a zero that --expect treats as equal.
// RUN: rm -rf %t && mkdir -p %t && %python %S/Inputs/special_values.py %t
// RUN: kiln-opt %s --kiln-simplify -o %t/simplified.mlir
// RUN: FileCheck %s < %t/simplified.mlir
// RUN: for fn in add_neg_zero div_pow2 max_relu sub_from_neg_zero; do \
// RUN:   kiln-run %s --function $fn --input %t/f32.npy --output-dir %t/$fn.before > /dev/null && \
// RUN:   kiln-run %t/simplified.mlir --function $fn --input %t/f32.npy --output-dir %t/$fn.after \
// RUN:     --expect %t/$fn.before/result0.npy --rtol 0 --atol 0 && \
// RUN:   %python %S/Inputs/same_bits.py %t/$fn.before/result0.npy %t/$fn.after/result0.npy \
// RUN:   || exit 1; \
// RUN: done | FileCheck %s --check-prefix=SAME
// RUN: kiln-run %s --function int_chain --input %t/i32.npy --output-dir %t/int.before > /dev/null
// RUN: kiln-run %t/simplified.mlir --function int_chain --input %t/i32.npy --output-dir %t/int.after \
// RUN:   --expect %t/int.before/result0.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=SAME-INT
// RUN: %python %S/Inputs/same_bits.py %t/int.before/result0.npy %t/int.after/result0.npy
//
// The check can fail: with fast-math, x + 0.0 becomes x, and -0.0 stays
// -0.0 where the interpreter's x + 0.0 gave +0.0. --expect cannot tell;
// same_bits.py can.
// RUN: kiln-opt %s --kiln-simplify=fast-math=true -o %t/fast.mlir
// RUN: kiln-run %s --function add_pos_zero --input %t/f32.npy --output-dir %t/pz.before > /dev/null
// RUN: kiln-run %t/fast.mlir --function add_pos_zero --input %t/f32.npy --output-dir %t/pz.after \
// RUN:   --expect %t/pz.before/result0.npy --rtol 0 --atol 0 > /dev/null
// RUN: not %python %S/Inputs/same_bits.py %t/pz.before/result0.npy %t/pz.after/result0.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FAST-DIFFERS

// SAME-COUNT-4: same bits
// SAME-NOT: differs
// SAME-INT: result0: matches expected (max |diff| 0)
// FAST-DIFFERS: element 0 differs: 0.0 vs -0.0

// CHECK-LABEL: func.func @add_neg_zero(
// CHECK-NEXT: return %arg0
func.func @add_neg_zero(%x: tensor<16xf32>) -> tensor<16xf32> {
  %z = kiln.constant dense<-0.0> : tensor<f32>
  %0 = kiln.add %x, %z : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// Division by 4 and by -0.5 become multiplications by 0.25 and -2; the
// subnormal 1e-45 / 4 rounds to zero either way.
// CHECK-LABEL: func.func @div_pow2(
// CHECK-NOT: kiln.div
// CHECK: kiln.mul
// CHECK: kiln.mul
// CHECK-NOT: kiln.div
func.func @div_pow2(%x: tensor<16xf32>) -> tensor<16xf32> {
  %c4 = kiln.constant dense<4.0> : tensor<f32>
  %ch = kiln.constant dense<-0.5> : tensor<f32>
  %0 = kiln.div %x, %c4 : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  %1 = kiln.div %0, %ch : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  return %1 : tensor<16xf32>
}

// CHECK-LABEL: func.func @max_relu(
// CHECK-NEXT: %[[R:.+]] = kiln.relu %arg0
// CHECK-NEXT: return %[[R]]
func.func @max_relu(%x: tensor<16xf32>) -> tensor<16xf32> {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.maximum %x, %z : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// CHECK-LABEL: func.func @sub_from_neg_zero(
// CHECK-NEXT: %[[N:.+]] = kiln.neg %arg0
// CHECK-NEXT: return %[[N]]
func.func @sub_from_neg_zero(%x: tensor<16xf32>) -> tensor<16xf32> {
  %z = kiln.constant dense<-0.0> : tensor<f32>
  %0 = kiln.sub %z, %x : (tensor<f32>, tensor<16xf32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// ((0 - x) * -1) / 1 + 0 is x, INT_MIN included (it wraps to itself).
// CHECK-LABEL: func.func @int_chain(
// CHECK-NEXT: return %arg0
func.func @int_chain(%x: tensor<8xi32>) -> tensor<8xi32> {
  %zero = kiln.constant dense<0> : tensor<i32>
  %one = kiln.constant dense<1> : tensor<i32>
  %minus = kiln.constant dense<-1> : tensor<i32>
  %0 = kiln.sub %zero, %x : (tensor<i32>, tensor<8xi32>) -> tensor<8xi32>
  %1 = kiln.mul %0, %minus : (tensor<8xi32>, tensor<i32>) -> tensor<8xi32>
  %2 = kiln.div %1, %one : (tensor<8xi32>, tensor<i32>) -> tensor<8xi32>
  %3 = kiln.add %2, %zero : (tensor<8xi32>, tensor<i32>) -> tensor<8xi32>
  return %3 : tensor<8xi32>
}

// Left alone without fast-math (x + 0.0 turns -0.0 into +0.0).
// CHECK-LABEL: func.func @add_pos_zero(
// CHECK: kiln.add
func.func @add_pos_zero(%x: tensor<16xf32>) -> tensor<16xf32> {
  %z = kiln.constant dense<0.0> : tensor<f32>
  %0 = kiln.add %x, %z : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}
