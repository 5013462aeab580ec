// Folders of the kiln dialect (dialects/kiln/Folders.cpp): constant folding
// with the scalar semantics of ScalarMath.h and removal of identity ops.
// Expected values were computed independently: by hand for integers and
// exact floats, with Python's math/numpy in f64 and rounded to the result
// type for the rest (e.g. numpy.float32(math.exp(1)) == 2.71828175).
// RUN: kiln-opt %s -canonicalize | FileCheck %s
//
// The size cap: a non-splat constant of 65536 elements folds, one of 65537
// does not (left to a constant-folding pass with its own budget).
// RUN: %python %S/Inputs/large_constant.py 65536 | kiln-opt -canonicalize | FileCheck %s --check-prefix=AT-CAP
// RUN: %python %S/Inputs/large_constant.py 65537 | kiln-opt -canonicalize --mlir-elide-elementsattrs-if-larger=16 | FileCheck %s --check-prefix=ABOVE-CAP
// RUN: %python %S/Inputs/large_constant.py 65537 reshape | kiln-opt -canonicalize --mlir-elide-elementsattrs-if-larger=16 | FileCheck %s --check-prefix=RESHAPE-ABOVE-CAP

// -neg([0, 1, 2, ..., 65535]) as little-endian f32: -0.0 is 0x80000000,
// -1.0 0xBF800000, -2.0 0xC0000000, ..., -65535.0 0xC77FFF00.
// AT-CAP-LABEL: func.func @large
// AT-CAP-NEXT: kiln.constant dense<"0x00000080000080BF000000C0{{[0-9A-F]+}}00FF7FC7"> : tensor<65536xf32>
// AT-CAP-NEXT: return
// ABOVE-CAP-LABEL: func.func @large
// ABOVE-CAP: kiln.neg %{{.+}} : tensor<65537xf32>
// A reshape of a constant above the cap is not folded into a second copy.
// RESHAPE-ABOVE-CAP-LABEL: func.func @large
// RESHAPE-ABOVE-CAP: kiln.reshape %{{.+}} -> tensor<1x65537xf32>

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

// Constants fold to their value, so equal ones are uniqued and unused ones
// erased.
// CHECK-LABEL: func.func @constant_uniqued(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]], %[[C]]
func.func @constant_uniqued() -> (tensor<2xf32>, tensor<2xf32>) {
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %2 = kiln.constant dense<[3.0, 4.0]> : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

//===----------------------------------------------------------------------===//
// Unary float ops
//===----------------------------------------------------------------------===//

// exp: e^0, e^1, e^-1 rounded to f32.
// CHECK-LABEL: func.func @fold_exp(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[1.000000e+00, 2.71828175, 0.36787945]> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_exp() -> tensor<3xf32> {
  %a = kiln.constant dense<[0.0, 1.0, -1.0]> : tensor<3xf32>
  %0 = kiln.exp %a : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// exp on f16 rounds to half precision: e = 2.71875, 1/e = 0.36792 in f16.
// CHECK-LABEL: func.func @fold_exp_f16(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[2.718750e+00, 3.679200e-01]> : tensor<2xf16>
// CHECK-NEXT: return %[[C]]
func.func @fold_exp_f16() -> tensor<2xf16> {
  %a = kiln.constant dense<[1.0, -1.0]> : tensor<2xf16>
  %0 = kiln.exp %a : tensor<2xf16>
  return %0 : tensor<2xf16>
}

// log: ln 1 = 0, ln 2, ln 0 = -inf (0xFF800000).
// CHECK-LABEL: func.func @fold_log(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[0.000000e+00, 0.693147182, 0xFF800000]> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_log() -> tensor<3xf32> {
  %a = kiln.constant dense<[1.0, 2.0, 0.0]> : tensor<3xf32>
  %0 = kiln.log %a : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// sqrt and rsqrt of 4 and 2.
// CHECK-LABEL: func.func @fold_sqrt_rsqrt(
// CHECK-DAG: %[[S:.+]] = kiln.constant dense<[2.000000e+00, 1.41421354]> : tensor<2xf32>
// CHECK-DAG: %[[R:.+]] = kiln.constant dense<[5.000000e-01, 0.707106769]> : tensor<2xf32>
// CHECK-NOT: kiln.sqrt
// CHECK-NOT: kiln.rsqrt
// CHECK: return %[[S]], %[[R]]
func.func @fold_sqrt_rsqrt() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[4.0, 2.0]> : tensor<2xf32>
  %0 = kiln.sqrt %a : tensor<2xf32>
  %1 = kiln.rsqrt %a : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// tanh(0.5), tanh(-2).
// CHECK-LABEL: func.func @fold_tanh(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[0.462117165, -0.964027583]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_tanh() -> tensor<2xf32> {
  %a = kiln.constant dense<[0.5, -2.0]> : tensor<2xf32>
  %0 = kiln.tanh %a : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// sigmoid(0) = 0.5, sigmoid(2), and sigmoid(-20) = 2.06e-9 without
// cancellation.
// CHECK-LABEL: func.func @fold_sigmoid(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[5.000000e-01, 0.880797088, 2.06115369E-9]> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_sigmoid() -> tensor<3xf32> {
  %a = kiln.constant dense<[0.0, 2.0, -20.0]> : tensor<3xf32>
  %0 = kiln.sigmoid %a : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// softplus(0) = ln 2; softplus(100) = 100 without overflow; softplus(-20).
// CHECK-LABEL: func.func @fold_softplus(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[0.693147182, 1.000000e+02, 2.06115369E-9]> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_softplus() -> tensor<3xf32> {
  %a = kiln.constant dense<[0.0, 100.0, -20.0]> : tensor<3xf32>
  %0 = kiln.softplus %a : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// erf(0.5), erf(-2).
// CHECK-LABEL: func.func @fold_erf(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[0.520499885, -0.995322287]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_erf() -> tensor<2xf32> {
  %a = kiln.constant dense<[0.5, -2.0]> : tensor<2xf32>
  %0 = kiln.erf %a : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// sin and cos of 0.5 and -2 (radians).
// CHECK-LABEL: func.func @fold_sin_cos(
// CHECK-DAG: %[[S:.+]] = kiln.constant dense<[0.47942555, -0.909297406]> : tensor<2xf32>
// CHECK-DAG: %[[C:.+]] = kiln.constant dense<[0.87758255, -0.416146845]> : tensor<2xf32>
// CHECK: return %[[S]], %[[C]]
func.func @fold_sin_cos() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[0.5, -2.0]> : tensor<2xf32>
  %0 = kiln.sin %a : tensor<2xf32>
  %1 = kiln.cos %a : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// floor and ceil of -1.5 and 2.5.
// CHECK-LABEL: func.func @fold_floor_ceil(
// CHECK-DAG: %[[F:.+]] = kiln.constant dense<[-2.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[C:.+]] = kiln.constant dense<[-1.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK: return %[[F]], %[[C]]
func.func @fold_floor_ceil() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[-1.5, 2.5]> : tensor<2xf32>
  %0 = kiln.floor %a : tensor<2xf32>
  %1 = kiln.ceil %a : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// gelu, exact (x * (1 + erf(x / sqrt 2)) / 2) and tanh form, at 1 and -1.
// CHECK-LABEL: func.func @fold_gelu(
// CHECK-DAG: %[[E:.+]] = kiln.constant dense<[0.841344773, -0.158655256]> : tensor<2xf32>
// CHECK-DAG: %[[A:.+]] = kiln.constant dense<[8.411920e-01, -0.158808008]> : tensor<2xf32>
// CHECK: return %[[E]], %[[A]]
func.func @fold_gelu() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %0 = kiln.gelu %a : tensor<2xf32>
  %1 = kiln.gelu %a {approximate = true} : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// leaky_relu with the default alpha 0.2 and with 0.1.
// CHECK-LABEL: func.func @fold_leaky_relu(
// CHECK-DAG: %[[D:.+]] = kiln.constant dense<[-4.000000e-01, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[A:.+]] = kiln.constant dense<[-2.000000e-01, 3.000000e+00]> : tensor<2xf32>
// CHECK: return %[[D]], %[[A]]
func.func @fold_leaky_relu() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[-2.0, 3.0]> : tensor<2xf32>
  %0 = kiln.leaky_relu %a : tensor<2xf32>
  %1 = kiln.leaky_relu %a {alpha = 0.1 : f64} : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// elu: alpha * (e^-2 - 1) for alpha 1 (default) and 0.5; identity above 0.
// CHECK-LABEL: func.func @fold_elu(
// CHECK-DAG: %[[D:.+]] = kiln.constant dense<[-0.864664733, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[A:.+]] = kiln.constant dense<[-0.432332367, 3.000000e+00]> : tensor<2xf32>
// CHECK: return %[[D]], %[[A]]
func.func @fold_elu() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[-2.0, 3.0]> : tensor<2xf32>
  %0 = kiln.elu %a : tensor<2xf32>
  %1 = kiln.elu %a {alpha = 0.5 : f64} : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// neg, abs, square and relu on floats.
// CHECK-LABEL: func.func @fold_float_numeric(
// CHECK-DAG: %[[N:.+]] = kiln.constant dense<[7.000000e+00, -3.000000e+00, 5.000000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[A:.+]] = kiln.constant dense<[7.000000e+00, 3.000000e+00, 5.000000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[S:.+]] = kiln.constant dense<[4.900000e+01, 9.000000e+00, 2.500000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[R:.+]] = kiln.constant dense<[0.000000e+00, 3.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK: return %[[N]], %[[A]], %[[S]], %[[R]]
func.func @fold_float_numeric() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %a = kiln.constant dense<[-7.0, 3.0, -0.5]> : tensor<3xf32>
  %0 = kiln.neg %a : tensor<3xf32>
  %1 = kiln.abs %a : tensor<3xf32>
  %2 = kiln.square %a : tensor<3xf32>
  %3 = kiln.relu %a : tensor<3xf32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// relu6 clamps to [0, 6] and propagates NaN (0x7FC00000).
// CHECK-LABEL: func.func @fold_relu6(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[6.000000e+00, 0.000000e+00, 2.500000e+00, 0x7FC00000]> : tensor<4xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_relu6() -> tensor<4xf32> {
  %a = kiln.constant dense<[7.0, -1.0, 2.5, 0x7FC00000]> : tensor<4xf32>
  %0 = kiln.relu6 %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// Unary integer and boolean ops
//===----------------------------------------------------------------------===//

// Integer unary ops wrap around: -(-128) and |-128| are -128 in i8, and
// 16 * 16 = 256 wraps to 0, -12 * -12 = 144 to -112.
// CHECK-LABEL: func.func @fold_int_unary_wrap(
// CHECK-DAG: %[[N:.+]] = kiln.constant dense<[-128, -5, 7]> : tensor<3xi8>
// CHECK-DAG: %[[A:.+]] = kiln.constant dense<[-128, 5, 7]> : tensor<3xi8>
// CHECK-DAG: %[[S:.+]] = kiln.constant dense<[0, -112, 121]> : tensor<3xi8>
// CHECK: return %[[N]], %[[A]], %[[S]]
func.func @fold_int_unary_wrap() -> (tensor<3xi8>, tensor<3xi8>, tensor<3xi8>) {
  %a = kiln.constant dense<[-128, 5, -7]> : tensor<3xi8>
  %0 = kiln.neg %a : tensor<3xi8>
  %1 = kiln.abs %a : tensor<3xi8>
  %b = kiln.constant dense<[16, -12, 11]> : tensor<3xi8>
  %2 = kiln.square %b : tensor<3xi8>
  return %0, %1, %2 : tensor<3xi8>, tensor<3xi8>, tensor<3xi8>
}

// relu and relu6 on integers.
// CHECK-LABEL: func.func @fold_int_relu(
// CHECK-DAG: %[[R:.+]] = kiln.constant dense<[0, 0, 4]> : tensor<3xi32>
// CHECK-DAG: %[[R6:.+]] = kiln.constant dense<[6, 0, 5]> : tensor<3xi8>
// CHECK: return %[[R]], %[[R6]]
func.func @fold_int_relu() -> (tensor<3xi32>, tensor<3xi8>) {
  %a = kiln.constant dense<[-3, 0, 4]> : tensor<3xi32>
  %0 = kiln.relu %a : tensor<3xi32>
  %b = kiln.constant dense<[10, -1, 5]> : tensor<3xi8>
  %1 = kiln.relu6 %b : tensor<3xi8>
  return %0, %1 : tensor<3xi32>, tensor<3xi8>
}

// logical_not flips booleans.
// CHECK-LABEL: func.func @fold_logical_not(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[false, true]> : tensor<2xi1>
// CHECK-NEXT: return %[[C]]
func.func @fold_logical_not() -> tensor<2xi1> {
  %a = kiln.constant dense<[true, false]> : tensor<2xi1>
  %0 = kiln.logical_not %a : tensor<2xi1>
  return %0 : tensor<2xi1>
}

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

// A cast to the operand's own type is the identity.
// CHECK-LABEL: func.func @cast_same_type(
// CHECK-NEXT: return %arg0
func.func @cast_same_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Float to integer truncates toward zero.
// CHECK-LABEL: func.func @cast_float_to_int(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[1, -1, 2, 0]> : tensor<4xi32>
// CHECK-NEXT: return %[[C]]
func.func @cast_float_to_int() -> tensor<4xi32> {
  %a = kiln.constant dense<[1.9, -1.9, 2.5, -0.5]> : tensor<4xf32>
  %0 = kiln.cast %a : tensor<4xf32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// Float to integer saturates at the integer range, infinities included.
// CHECK-LABEL: func.func @cast_float_saturates(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[127, -128, 127, -128, 127, -128]> : tensor<6xi8>
// CHECK-NEXT: return %[[C]]
func.func @cast_float_saturates() -> tensor<6xi8> {
  %a = kiln.constant dense<[300.0, -300.0, 127.9, -128.9, 0x7F800000, 0xFF800000]> : tensor<6xf32>
  %0 = kiln.cast %a : tensor<6xf32> -> tensor<6xi8>
  return %0 : tensor<6xi8>
}

// NaN becomes 0 (as documented on kiln.cast); +-1e10 saturate in i32.
// CHECK-LABEL: func.func @cast_nan_to_int(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[0, 2147483647, -2147483648]> : tensor<3xi32>
// CHECK-NEXT: return %[[C]]
func.func @cast_nan_to_int() -> tensor<3xi32> {
  %a = kiln.constant dense<[0x7FC00000, 1.0e10, -1.0e10]> : tensor<3xf32>
  %0 = kiln.cast %a : tensor<3xf32> -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// Saturation at the i64 range (2^63 - 1 and -2^63).
// CHECK-LABEL: func.func @cast_saturates_i64(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[9223372036854775807, -9223372036854775808]> : tensor<2xi64>
// CHECK-NEXT: return %[[C]]
func.func @cast_saturates_i64() -> tensor<2xi64> {
  %a = kiln.constant dense<[1.0e19, -1.0e19]> : tensor<2xf64>
  %0 = kiln.cast %a : tensor<2xf64> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// Integer to float rounds to nearest even: 2^24 + 1 becomes 2^24
// (0x4B800000).
// CHECK-LABEL: func.func @cast_int_to_float(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[0x4B800000, -3.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @cast_int_to_float() -> tensor<2xf32> {
  %a = kiln.constant dense<[16777217, -3]> : tensor<2xi32>
  %0 = kiln.cast %a : tensor<2xi32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// i64 to f32 rounds once, straight from the integer: 2^60 + 2^36 + 1 is just
// above the midpoint of 2^60 and 2^60 + 2^37, so it rounds up to
// 2^60 + 2^37 = 1.15292164E+18 (0x5D800001); rounding through f64 first
// would drop the +1 and tie to even, 2^60.
// CHECK-LABEL: func.func @cast_i64_to_f32_single_rounding(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<1.15292164E+18> : tensor<1xf32>
// CHECK-NEXT: return %[[C]]
func.func @cast_i64_to_f32_single_rounding() -> tensor<1xf32> {
  %a = kiln.constant dense<[1152921573326323713]> : tensor<1xi64>
  %0 = kiln.cast %a : tensor<1xi64> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// Narrowing integers keeps the low bits: 300 = 0x12C -> 0x2C = 44,
// -129 = 0x...F7F -> 0x7F = 127.
// CHECK-LABEL: func.func @cast_int_narrow(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[44, 127, 127]> : tensor<3xi8>
// CHECK-NEXT: return %[[C]]
func.func @cast_int_narrow() -> tensor<3xi8> {
  %a = kiln.constant dense<[300, -129, 127]> : tensor<3xi32>
  %0 = kiln.cast %a : tensor<3xi32> -> tensor<3xi8>
  return %0 : tensor<3xi8>
}

// Anything to i1 is x != 0: -0.0 is false, NaN is true.
// CHECK-LABEL: func.func @cast_to_bool(
// CHECK-DAG: %[[F:.+]] = kiln.constant dense<[false, false, true, true]> : tensor<4xi1>
// CHECK-DAG: %[[I:.+]] = kiln.constant dense<[false, true]> : tensor<2xi1>
// CHECK: return %[[F]], %[[I]]
func.func @cast_to_bool() -> (tensor<4xi1>, tensor<2xi1>) {
  %a = kiln.constant dense<[0.0, -0.0, 2.0, 0x7FC00000]> : tensor<4xf32>
  %0 = kiln.cast %a : tensor<4xf32> -> tensor<4xi1>
  %b = kiln.constant dense<[0, -5]> : tensor<2xi32>
  %1 = kiln.cast %b : tensor<2xi32> -> tensor<2xi1>
  return %0, %1 : tensor<4xi1>, tensor<2xi1>
}

// i1 to a number is 0 or 1 (true is 1, not -1).
// CHECK-LABEL: func.func @cast_from_bool(
// CHECK-DAG: %[[F:.+]] = kiln.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[I:.+]] = kiln.constant dense<[1, 0]> : tensor<2xi32>
// CHECK: return %[[F]], %[[I]]
func.func @cast_from_bool() -> (tensor<2xf32>, tensor<2xi32>) {
  %a = kiln.constant dense<[true, false]> : tensor<2xi1>
  %0 = kiln.cast %a : tensor<2xi1> -> tensor<2xf32>
  %1 = kiln.cast %a : tensor<2xi1> -> tensor<2xi32>
  return %0, %1 : tensor<2xf32>, tensor<2xi32>
}

// f32 to f16 rounds to nearest even: 65520 (half-way to 2^16) overflows to
// +inf (0x7C00), 0.1 becomes 0.0999755859375.
// CHECK-LABEL: func.func @cast_float_narrow(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[0x7C00, 9.997550e-02]> : tensor<2xf16>
// CHECK-NEXT: return %[[C]]
func.func @cast_float_narrow() -> tensor<2xf16> {
  %a = kiln.constant dense<[65520.0, 0.1]> : tensor<2xf32>
  %0 = kiln.cast %a : tensor<2xf32> -> tensor<2xf16>
  return %0 : tensor<2xf16>
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

// i8 arithmetic wraps: 100 + 100 = -56, -100 - 100 = 56, 16 * 16 = 0.
// CHECK-LABEL: func.func @fold_int_wrap(
// CHECK-DAG: %[[ADD:.+]] = kiln.constant dense<[-56, 0]> : tensor<2xi8>
// CHECK-DAG: %[[SUB:.+]] = kiln.constant dense<[0, 56]> : tensor<2xi8>
// CHECK-DAG: %[[MUL:.+]] = kiln.constant dense<[0, 9]> : tensor<2xi8>
// CHECK: return %[[ADD]], %[[SUB]], %[[MUL]]
func.func @fold_int_wrap() -> (tensor<2xi8>, tensor<2xi8>, tensor<2xi8>) {
  %a = kiln.constant dense<[100, -100]> : tensor<2xi8>
  %b = kiln.constant dense<[100, 100]> : tensor<2xi8>
  %0 = kiln.add %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %1 = kiln.sub %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %c = kiln.constant dense<[16, -3]> : tensor<2xi8>
  %2 = kiln.mul %c, %c : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  return %0, %1, %2 : tensor<2xi8>, tensor<2xi8>, tensor<2xi8>
}

// i32 wraps too: 2^16 * 2^16 = 2^32 = 0.
// CHECK-LABEL: func.func @fold_i32_wrap(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<0> : tensor<i32>
// CHECK-NEXT: return %[[C]]
func.func @fold_i32_wrap() -> tensor<i32> {
  %a = kiln.constant dense<65536> : tensor<i32>
  %0 = kiln.mul %a, %a : (tensor<i32>, tensor<i32>) -> tensor<i32>
  return %0 : tensor<i32>
}

// Integer division truncates toward zero; -128 / -1 wraps to -128 in i8.
// CHECK-LABEL: func.func @fold_int_div(
// CHECK-DAG: %[[D:.+]] = kiln.constant dense<[3, -3, -3, 3]> : tensor<4xi32>
// CHECK-DAG: %[[W:.+]] = kiln.constant dense<[-128, 3]> : tensor<2xi8>
// CHECK-NOT: kiln.div
// CHECK: return %[[D]], %[[W]]
func.func @fold_int_div() -> (tensor<4xi32>, tensor<2xi8>) {
  %a = kiln.constant dense<[7, -7, 7, -7]> : tensor<4xi32>
  %b = kiln.constant dense<[2, 2, -2, -2]> : tensor<4xi32>
  %0 = kiln.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %c = kiln.constant dense<[-128, 9]> : tensor<2xi8>
  %d = kiln.constant dense<[-1, 3]> : tensor<2xi8>
  %1 = kiln.div %c, %d : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  return %0, %1 : tensor<4xi32>, tensor<2xi8>
}

// i64 INT64_MIN / -1 wraps to INT64_MIN, like every other width (and the
// interpreter), rather than being left unfolded.
// CHECK-LABEL: func.func @fold_i64_div_min(
// CHECK: %[[R:.+]] = kiln.constant dense<-9223372036854775808> : tensor<i64>
// CHECK-NOT: kiln.div
// CHECK: return %[[R]]
func.func @fold_i64_div_min() -> tensor<i64> {
  %a = kiln.constant dense<-9223372036854775808> : tensor<i64>
  %b = kiln.constant dense<-1> : tensor<i64>
  %0 = kiln.div %a, %b : (tensor<i64>, tensor<i64>) -> tensor<i64>
  return %0 : tensor<i64>
}

// Integer division by zero is not folded: it is an error at run time.
// CHECK-LABEL: func.func @no_fold_int_div_by_zero(
// CHECK: %[[R:.+]] = kiln.div %{{.+}}, %{{.+}} : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
// CHECK-NEXT: return %[[R]]
func.func @no_fold_int_div_by_zero() -> tensor<2xi32> {
  %a = kiln.constant dense<[1, 2]> : tensor<2xi32>
  %b = kiln.constant dense<[1, 0]> : tensor<2xi32>
  %0 = kiln.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// Float division by zero follows IEEE: -1 / 0 = -inf, NaN stays NaN.
// CHECK-LABEL: func.func @fold_float_div(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[5.000000e-01, 0x7FC00000, 0xFF800000]> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_float_div() -> tensor<3xf32> {
  %a = kiln.constant dense<[1.0, 0x7FC00000, -1.0]> : tensor<3xf32>
  %b = kiln.constant dense<[2.0, 0.0, 0.0]> : tensor<3xf32>
  %0 = kiln.div %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// Float add, sub, mul; -1 * 0 is -0, and a result whose elements are all
// equal (1 - 2 and -1 - 0) is stored as a splat.
// CHECK-LABEL: func.func @fold_float_arith(
// CHECK-DAG: %[[ADD:.+]] = kiln.constant dense<[3.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[SUB:.+]] = kiln.constant dense<-1.000000e+00> : tensor<2xf32>
// CHECK-DAG: %[[MUL:.+]] = kiln.constant dense<[2.000000e+00, -0.000000e+00]> : tensor<2xf32>
// CHECK: return %[[ADD]], %[[SUB]], %[[MUL]]
func.func @fold_float_arith() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %b = kiln.constant dense<[2.0, 0.0]> : tensor<2xf32>
  %0 = kiln.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = kiln.sub %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = kiln.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// pow: 2^2 = 4, 0^0 = 1; integers: 3^4 = 81, 2^63 wraps to -2^63,
// (-2)^3 = -8.
// CHECK-LABEL: func.func @fold_pow(
// CHECK-DAG: %[[F:.+]] = kiln.constant dense<[4.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[I:.+]] = kiln.constant dense<[81, -9223372036854775808, -8]> : tensor<3xi64>
// CHECK: return %[[F]], %[[I]]
func.func @fold_pow() -> (tensor<2xf32>, tensor<3xi64>) {
  %a = kiln.constant dense<[2.0, 0.0]> : tensor<2xf32>
  %0 = kiln.pow %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %b = kiln.constant dense<[3, 2, -2]> : tensor<3xi64>
  %c = kiln.constant dense<[4, 63, 3]> : tensor<3xi64>
  %1 = kiln.pow %b, %c : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %0, %1 : tensor<2xf32>, tensor<3xi64>
}

// An integer power with a negative exponent is not folded.
// CHECK-LABEL: func.func @no_fold_int_pow_negative(
// CHECK: kiln.pow
func.func @no_fold_int_pow_negative() -> tensor<2xi32> {
  %a = kiln.constant dense<[2, 2]> : tensor<2xi32>
  %b = kiln.constant dense<[-1, 2]> : tensor<2xi32>
  %0 = kiln.pow %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// maximum and minimum propagate NaN (0x7FC00000), on floats and integers.
// CHECK-LABEL: func.func @fold_max_min(
// CHECK-DAG: %[[MAX:.+]] = kiln.constant dense<[2.000000e+00, 0x7FC00000]> : tensor<2xf32>
// CHECK-DAG: %[[MIN:.+]] = kiln.constant dense<[1.000000e+00, 0x7FC00000]> : tensor<2xf32>
// CHECK-DAG: %[[IMAX:.+]] = kiln.constant dense<[5, 4]> : tensor<2xi32>
// CHECK-DAG: %[[IMIN:.+]] = kiln.constant dense<[-2, -9]> : tensor<2xi32>
// CHECK: return %[[MAX]], %[[MIN]], %[[IMAX]], %[[IMIN]]
func.func @fold_max_min() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xi32>, tensor<2xi32>) {
  %a = kiln.constant dense<[1.0, 0x7FC00000]> : tensor<2xf32>
  %b = kiln.constant dense<[2.0, 0.0]> : tensor<2xf32>
  %0 = kiln.maximum %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = kiln.minimum %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %i = kiln.constant dense<[5, -9]> : tensor<2xi32>
  %j = kiln.constant dense<[-2, 4]> : tensor<2xi32>
  %2 = kiln.maximum %i, %j : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %3 = kiln.minimum %i, %j : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<2xf32>, tensor<2xi32>, tensor<2xi32>
}

// Comparisons fold to i1; every comparison with NaN is false except
// not_equal. The splat rhs (2.0) stretches to the result shape.
// CHECK-LABEL: func.func @fold_compare(
// CHECK-DAG: %[[EQ:.+]] = kiln.constant dense<[false, true, false, false]> : tensor<4xi1>
// CHECK-DAG: %[[NE:.+]] = kiln.constant dense<[true, false, true, true]> : tensor<4xi1>
// CHECK-DAG: %[[LT:.+]] = kiln.constant dense<[true, false, false, false]> : tensor<4xi1>
// CHECK-DAG: %[[LE:.+]] = kiln.constant dense<[true, true, false, false]> : tensor<4xi1>
// CHECK-DAG: %[[GT:.+]] = kiln.constant dense<[false, false, true, false]> : tensor<4xi1>
// CHECK-DAG: %[[GE:.+]] = kiln.constant dense<[false, true, true, false]> : tensor<4xi1>
// CHECK: return %[[EQ]], %[[NE]], %[[LT]], %[[LE]], %[[GT]], %[[GE]]
func.func @fold_compare() -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %a = kiln.constant dense<[1.0, 2.0, 3.0, 0x7FC00000]> : tensor<4xf32>
  %b = kiln.constant dense<2.0> : tensor<4xf32>
  %0 = kiln.equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = kiln.not_equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = kiln.less %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %3 = kiln.less_equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %4 = kiln.greater %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %5 = kiln.greater_equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// Integer comparisons are signed.
// CHECK-LABEL: func.func @fold_compare_int(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-NEXT: return %[[C]]
func.func @fold_compare_int() -> tensor<3xi1> {
  %a = kiln.constant dense<[-1, 0, 1]> : tensor<3xi64>
  %z = kiln.constant dense<0> : tensor<3xi64>
  %0 = kiln.less %a, %z : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// logical_and and logical_or.
// CHECK-LABEL: func.func @fold_logical(
// CHECK-DAG: %[[AND:.+]] = kiln.constant dense<[true, false, false, false]> : tensor<4xi1>
// CHECK-DAG: %[[OR:.+]] = kiln.constant dense<[true, true, true, false]> : tensor<4xi1>
// CHECK: return %[[AND]], %[[OR]]
func.func @fold_logical() -> (tensor<4xi1>, tensor<4xi1>) {
  %p = kiln.constant dense<[true, true, false, false]> : tensor<4xi1>
  %q = kiln.constant dense<[true, false, true, false]> : tensor<4xi1>
  %0 = kiln.logical_and %p, %q : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = kiln.logical_or %p, %q : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// Two splats fold to a splat; a rank-0 splat broadcasts against a
// non-splat operand of the result's shape.
// CHECK-LABEL: func.func @fold_splat_operands(
// CHECK-DAG: %[[S:.+]] = kiln.constant dense<3.000000e+00> : tensor<2x3xf32>
// CHECK-DAG: %[[D:.+]] = kiln.constant dense<{{\[\[}}0.000000e+00, 1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00, 5.000000e+00]]> : tensor<2x3xf32>
// CHECK: return %[[S]], %[[D]]
func.func @fold_splat_operands() -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %s = kiln.constant dense<1.5> : tensor<2x3xf32>
  %0 = kiln.add %s, %s : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %k = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %1 = kiln.sub %k, %one : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// A non-splat operand that needs broadcasting is not folded.
// CHECK-LABEL: func.func @no_fold_broadcast_non_splat(
// CHECK: kiln.add %{{.+}}, %{{.+}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @no_fold_broadcast_non_splat() -> tensor<2x3xf32> {
  %k = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %v = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %0 = kiln.add %k, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Ops on non-constant operands are not folded.
// CHECK-LABEL: func.func @no_fold_non_constant(
// CHECK-NEXT: %[[E:.+]] = kiln.exp %arg0 : tensor<4xf32>
// CHECK-NEXT: %[[A:.+]] = kiln.add %[[E]], %arg0
// CHECK-NEXT: return %[[A]]
func.func @no_fold_non_constant(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.exp %x : tensor<4xf32>
  %1 = kiln.add %0, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// A splat folds whatever its size: sqrt(2) over 100000 elements, far above
// the 65536-element cap.
// CHECK-LABEL: func.func @fold_large_splat(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<1.41421354> : tensor<100000xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_large_splat() -> tensor<100000xf32> {
  %a = kiln.constant dense<2.0> : tensor<100000xf32>
  %0 = kiln.sqrt %a : tensor<100000xf32>
  return %0 : tensor<100000xf32>
}

//===----------------------------------------------------------------------===//
// Select
//===----------------------------------------------------------------------===//

// A splat condition picks a branch: true (rank 0) and false (full shape).
// CHECK-LABEL: func.func @fold_select_splat(
// CHECK-NEXT: return %arg0, %arg1
func.func @fold_select_splat(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %t = kiln.constant dense<true> : tensor<i1>
  %f = kiln.constant dense<false> : tensor<2x3xi1>
  %0 = kiln.select %t, %x, %y : (tensor<i1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.select %f, %x, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// Not folded when the chosen branch would need broadcasting, or when the
// condition is not a splat constant.
// CHECK-LABEL: func.func @no_fold_select(
// CHECK: kiln.select %{{.+}}, %arg0, %arg1 : (tensor<i1>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: kiln.select %arg2, %arg1, %arg1 : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @no_fold_select(%y: tensor<3xf32>, %x: tensor<2x3xf32>, %c: tensor<2x3xi1>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %t = kiln.constant dense<true> : tensor<i1>
  %0 = kiln.select %t, %y, %x : (tensor<i1>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.select %c, %x, %x : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

//===----------------------------------------------------------------------===//
// Identities and shape ops
//===----------------------------------------------------------------------===//

// Shape ops that keep the type are identities: reshape to the same shape,
// the identity permutation, broadcast_to the same shape, concat of one
// input, a full slice, zero padding (whatever the pad value).
// CHECK-LABEL: func.func @fold_identities(
// CHECK-NEXT: return %arg0, %arg0, %arg0, %arg0, %arg0, %arg0
func.func @fold_identities(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = kiln.reshape %x {shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = kiln.broadcast_to %x {shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = kiln.concat %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = kiln.slice %x {start = array<i64: 0, 0>, limit = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = kiln.pad %x {low = array<i64: 0, 0>, high = array<i64: 0, 0>, value = 7.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// Shape ops that change the type stay: a real permutation, a partial slice,
// non-zero padding.
// CHECK-LABEL: func.func @no_fold_shape_ops(
// CHECK: kiln.transpose
// CHECK: kiln.slice
// CHECK: kiln.pad
func.func @no_fold_shape_ops(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2x4xf32>) {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = kiln.slice %x {start = array<i64: 0, 0>, limit = array<i64: 2, 2>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  %2 = kiln.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<2x2xf32>, tensor<2x4xf32>
}

// A splat keeps its value under transpose, broadcast_to and slice.
// CHECK-LABEL: func.func @fold_splat_shape_ops(
// CHECK-DAG: %[[T:.+]] = kiln.constant dense<1.500000e+00> : tensor<3x2xf32>
// CHECK-DAG: %[[B:.+]] = kiln.constant dense<1.500000e+00> : tensor<4x2x3xf32>
// CHECK-DAG: %[[S:.+]] = kiln.constant dense<1.500000e+00> : tensor<1x2xf32>
// CHECK: return %[[T]], %[[B]], %[[S]]
func.func @fold_splat_shape_ops() -> (tensor<3x2xf32>, tensor<4x2x3xf32>, tensor<1x2xf32>) {
  %s = kiln.constant dense<1.5> : tensor<2x3xf32>
  %0 = kiln.transpose %s {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = kiln.broadcast_to %s {shape = array<i64: 4, 2, 3>} : (tensor<2x3xf32>) -> tensor<4x2x3xf32>
  %2 = kiln.slice %s {start = array<i64: 1, 0>, limit = array<i64: 2, 3>, strides = array<i64: 1, 2>} : (tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<4x2x3xf32>, tensor<1x2xf32>
}

// A non-splat constant is not transposed or sliced by the folders.
// CHECK-LABEL: func.func @no_fold_non_splat_transpose(
// CHECK: kiln.transpose
func.func @no_fold_non_splat_transpose() -> tensor<3x2xf32> {
  %k = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = kiln.transpose %k {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// Reshaping a constant keeps its elements in row-major order.
// CHECK-LABEL: func.func @fold_reshape_constant(
// CHECK-NEXT: %[[C:.+]] = kiln.constant dense<{{\[\[}}1, 2], [3, 4], [5, 6]]> : tensor<3x2xi32>
// CHECK-NEXT: return %[[C]]
func.func @fold_reshape_constant() -> tensor<3x2xi32> {
  %k = kiln.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %0 = kiln.reshape %k {shape = array<i64: 3, -1>} : (tensor<2x3xi32>) -> tensor<3x2xi32>
  return %0 : tensor<3x2xi32>
}

// reshape(reshape(x)) is one reshape of x; a chain back to x's own shape
// disappears.
// CHECK-LABEL: func.func @fold_reshape_reshape(
// CHECK-NEXT: %[[R:.+]] = kiln.reshape %arg0 {shape = array<i64: 4, 6>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]], %arg0
func.func @fold_reshape_reshape(%x: tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<2x3x4xf32>) {
  %a = kiln.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %0 = kiln.reshape %a {shape = array<i64: 4, 6>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %b = kiln.reshape %x {shape = array<i64: 24>} : (tensor<2x3x4xf32>) -> tensor<24xf32>
  %1 = kiln.reshape %b {shape = array<i64: 2, 3, 4>} : (tensor<24xf32>) -> tensor<2x3x4xf32>
  return %0, %1 : tensor<4x6xf32>, tensor<2x3x4xf32>
}

// Dropout is the identity at inference, and in training with rate 0.
// CHECK-LABEL: func.func @fold_dropout(
// CHECK-NEXT: return %arg0, %arg0
func.func @fold_dropout(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = kiln.dropout %x {rate = 0.5 : f64} : tensor<2x3xf32>
  %1 = kiln.dropout %x {rate = 0.0 : f64, training = true} : tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// Training-mode dropout with a non-zero rate stays.
// CHECK-LABEL: func.func @no_fold_dropout_training(
// CHECK-NEXT: kiln.dropout %arg0 {rate = 5.000000e-01 : f64, training = true}
func.func @no_fold_dropout_training(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.dropout %x {rate = 0.5 : f64, training = true} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
