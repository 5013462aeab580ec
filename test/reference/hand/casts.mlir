// Hand-computed reference-interpreter tests: kiln.cast and low-precision
// float rounding (f16, bf16). Expected values computed by hand from the
// kiln.cast documentation in dialects/kiln/KilnElementwise.td.
//
// RUN: kiln-run %s --function float_to_int_trunc --print | FileCheck %s --match-full-lines --check-prefix=TRUNC
// RUN: kiln-run %s --function float_to_int_saturate --print | FileCheck %s --match-full-lines --check-prefix=SAT
// RUN: kiln-run %s --function to_i1 --print | FileCheck %s --match-full-lines --check-prefix=TOI1
// RUN: kiln-run %s --function from_i1 --print | FileCheck %s --match-full-lines --check-prefix=FROMI1
// RUN: kiln-run %s --function to_f16 --print | FileCheck %s --match-full-lines --check-prefix=F16
// RUN: kiln-run %s --function to_bf16 --print | FileCheck %s --match-full-lines --check-prefix=BF16
// RUN: kiln-run %s --function low_precision_arith --print | FileCheck %s --match-full-lines --check-prefix=LPARITH
// RUN: kiln-run %s --function int_to_int --print | FileCheck %s --match-full-lines --check-prefix=INTINT
// RUN: kiln-run %s --function int_to_float --print | FileCheck %s --match-full-lines --check-prefix=INTFLOAT

// Float -> int truncates toward zero on both sides of 0 (never floor/round).
func.func @float_to_int_trunc() -> tensor<6xi32> {
  %x = kiln.constant dense<[-2.5, -1.5, -0.5, 0.5, 1.9, 2.5]> : tensor<6xf32>
  %i = kiln.cast %x : tensor<6xf32> -> tensor<6xi32>
  return %i : tensor<6xi32>
}
// TRUNC: result0: tensor<6xi32>
// TRUNC-NEXT: [-2, -1, 0, 0, 1, 2]

// Float -> int saturates at the range (1e10 -> 2147483647, -1e10 ->
// -2147483648, +-inf likewise), NaN -> 0, and 2147483520 (largest f32 below
// 2^31) converts exactly; i8 saturates at 127/-128; f64 -> i64 at +-2^63.
func.func @float_to_int_saturate() -> (tensor<7xi32>, tensor<4xi8>, tensor<3xi64>) {
  %x = kiln.constant dense<[1.0e10, -1.0e10, 0x7F800000, 0xFF800000, 0x7FC00000, 2147483520.0, -2147483648.0]> : tensor<7xf32>
  %i = kiln.cast %x : tensor<7xf32> -> tensor<7xi32>
  %y = kiln.constant dense<[200.0, -200.0, 127.9, -128.9]> : tensor<4xf32>
  %j = kiln.cast %y : tensor<4xf32> -> tensor<4xi8>
  %z = kiln.constant dense<[1.0e19, -1.0e19, 0x7FF8000000000000]> : tensor<3xf64>
  %k = kiln.cast %z : tensor<3xf64> -> tensor<3xi64>
  return %i, %j, %k : tensor<7xi32>, tensor<4xi8>, tensor<3xi64>
}
// SAT: result0: tensor<7xi32>
// SAT-NEXT: [2147483647, -2147483648, 2147483647, -2147483648, 0, 2147483520, -2147483648]
// SAT-NEXT: result1: tensor<4xi8>
// SAT-NEXT: [127, -128, 127, -128]
// SAT-NEXT: result2: tensor<3xi64>
// SAT-NEXT: [9223372036854775807, -9223372036854775808, 0]

// Cast to i1 is x != 0: -0.0 is false, NaN and 0.5 are true; i32 2 is true
// (not truncated to its low bit), -1 is true.
func.func @to_i1() -> (tensor<5xi1>, tensor<4xi1>) {
  %x = kiln.constant dense<[0.0, -0.0, 0.5, -2.0, 0x7FC00000]> : tensor<5xf32>
  %b = kiln.cast %x : tensor<5xf32> -> tensor<5xi1>
  %i = kiln.constant dense<[0, 2, -1, 256]> : tensor<4xi32>
  %c = kiln.cast %i : tensor<4xi32> -> tensor<4xi1>
  return %b, %c : tensor<5xi1>, tensor<4xi1>
}
// TOI1: result0: tensor<5xi1>
// TOI1-NEXT: [false, false, true, true, true]
// TOI1-NEXT: result1: tensor<4xi1>
// TOI1-NEXT: [false, true, true, true]

// i1 -> number is 0 or 1 (true is 1, not the sign-extended -1).
func.func @from_i1() -> (tensor<2xf32>, tensor<2xi32>, tensor<2xi8>) {
  %b = kiln.constant dense<[true, false]> : tensor<2xi1>
  %f = kiln.cast %b : tensor<2xi1> -> tensor<2xf32>
  %i = kiln.cast %b : tensor<2xi1> -> tensor<2xi32>
  %j = kiln.cast %b : tensor<2xi1> -> tensor<2xi8>
  return %f, %i, %j : tensor<2xf32>, tensor<2xi32>, tensor<2xi8>
}
// FROMI1: result0: tensor<2xf32>
// FROMI1-NEXT: [1, 0]
// FROMI1-NEXT: result1: tensor<2xi32>
// FROMI1-NEXT: [1, 0]
// FROMI1-NEXT: result2: tensor<2xi8>
// FROMI1-NEXT: [1, 0]

// f32 -> f16 rounds to nearest even: 0.1 -> 0.0999755859375 (prints as 0.1 in
// f16 and as 0.099975586 once widened back to f32), 2049 -> 2048 and
// 2051 -> 2052 (ties to even), 70000 -> inf (above f16's max 65504).
func.func @to_f16() -> (tensor<4xf16>, tensor<4xf32>) {
  %x = kiln.constant dense<[0.1, 2049.0, 2051.0, 70000.0]> : tensor<4xf32>
  %h = kiln.cast %x : tensor<4xf32> -> tensor<4xf16>
  %w = kiln.cast %h : tensor<4xf16> -> tensor<4xf32>
  return %h, %w : tensor<4xf16>, tensor<4xf32>
}
// F16: result0: tensor<4xf16>
// F16-NEXT: [0.1, 2048, 2052, inf]
// F16-NEXT: result1: tensor<4xf32>
// F16-NEXT: [0.099975586, 2048, 2052, inf]

// f32 -> bf16 keeps 8 significant bits, ties to even: 1 + 2^-8 -> 1,
// 1 + 3*2^-8 -> 1.015625, 257 -> 256, 263 -> 264; the f32 widening is exact.
func.func @to_bf16() -> (tensor<4xbf16>, tensor<4xf32>) {
  %x = kiln.constant dense<[1.00390625, 1.01171875, 257.0, 263.0]> : tensor<4xf32>
  %h = kiln.cast %x : tensor<4xf32> -> tensor<4xbf16>
  %w = kiln.cast %h : tensor<4xbf16> -> tensor<4xf32>
  return %h, %w : tensor<4xbf16>, tensor<4xf32>
}
// BF16: result0: tensor<4xbf16>
// BF16-NEXT: [1, 1.016, 256, 264]
// BF16-NEXT: result1: tensor<4xf32>
// BF16-NEXT: [1, 1.015625, 256, 264]

// Arithmetic in f16/bf16 rounds each result to the element type:
// f16 2048 + 1 = 2048, bf16 256 + 1 = 256, bf16 256 + 7 = 264 (ties to even).
func.func @low_precision_arith() -> (tensor<1xf16>, tensor<2xbf16>) {
  %a = kiln.constant dense<[2048.0]> : tensor<1xf16>
  %b = kiln.constant dense<[1.0]> : tensor<1xf16>
  %s = kiln.add %a, %b : (tensor<1xf16>, tensor<1xf16>) -> tensor<1xf16>
  %c = kiln.constant dense<[256.0, 256.0]> : tensor<2xbf16>
  %d = kiln.constant dense<[1.0, 7.0]> : tensor<2xbf16>
  %t = kiln.add %c, %d : (tensor<2xbf16>, tensor<2xbf16>) -> tensor<2xbf16>
  return %s, %t : tensor<1xf16>, tensor<2xbf16>
}
// LPARITH: result0: tensor<1xf16>
// LPARITH-NEXT: [2048]
// LPARITH-NEXT: result1: tensor<2xbf16>
// LPARITH-NEXT: [256, 264]

// Integer narrowing keeps the low bits, two's complement: i32 300 -> i8 44,
// -129 -> 127, 128 -> -128; i64 2^32 + 1 -> i32 1; widening sign-extends.
func.func @int_to_int() -> (tensor<3xi8>, tensor<1xi32>, tensor<1xi64>) {
  %x = kiln.constant dense<[300, -129, 128]> : tensor<3xi32>
  %n = kiln.cast %x : tensor<3xi32> -> tensor<3xi8>
  %y = kiln.constant dense<[4294967297]> : tensor<1xi64>
  %m = kiln.cast %y : tensor<1xi64> -> tensor<1xi32>
  %z = kiln.constant dense<[-5]> : tensor<1xi8>
  %w = kiln.cast %z : tensor<1xi8> -> tensor<1xi64>
  return %n, %m, %w : tensor<3xi8>, tensor<1xi32>, tensor<1xi64>
}
// INTINT: result0: tensor<3xi8>
// INTINT-NEXT: [44, 127, -128]
// INTINT-NEXT: result1: tensor<1xi32>
// INTINT-NEXT: [1]
// INTINT-NEXT: result2: tensor<1xi64>
// INTINT-NEXT: [-5]

// Int -> float rounds to nearest even: 16777217 (2^24 + 1) -> 16777216 in f32,
// 16777223 -> 16777224 (ties to even); small negatives convert exactly.
func.func @int_to_float() -> tensor<3xf32> {
  %x = kiln.constant dense<[16777217, 16777223, -5]> : tensor<3xi32>
  %f = kiln.cast %x : tensor<3xi32> -> tensor<3xf32>
  return %f : tensor<3xf32>
}
// INTFLOAT: result0: tensor<3xf32>
// INTFLOAT-NEXT: [16777216, 16777224, -5]
