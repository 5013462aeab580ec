// RUN: kiln-opt %s --kiln-fold-batch-norm --split-input-file | FileCheck %s
// The decomposed @after_relu computes what NumPy computes for the batch norm
// (tools/fixtures/make_batchnorm_tests.py):
// RUN: kiln-opt %S/Inputs/bn_after_relu.mlir --kiln-fold-batch-norm -o %t.mlir
// RUN: FileCheck %s --check-prefix=NUMERIC < %t.mlir
// RUN: kiln-run %t.mlir --input %S/Inputs/bn_affine_x.npy --expect %S/Inputs/bn_affine_y.npy --rtol 1e-6 --atol 1e-6
// NUMERIC-NOT: kiln.batch_norm

// Statistics: scale [2, 6], variance [3, 8], epsilon 1 so s = [1, 2]
// exactly; mean [1, 2], offset [0.5, 0.5].

// A batch norm after a relu cannot fold into the conv: it becomes
// (x - mean) * s + offset with the constants along the last (channel) axis.
// CHECK-LABEL: func.func @after_relu(
// CHECK: %[[R:.*]] = kiln.relu %arg0
// CHECK-DAG: %[[MEAN:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[S:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[T:.*]] = kiln.constant dense<5.000000e-01> : tensor<2xf32>
// CHECK: %[[C:.*]] = kiln.sub %[[R]], %[[MEAN]]
// CHECK: %[[M:.*]] = kiln.mul %[[C]], %[[S]]
// CHECK: %[[A:.*]] = kiln.add %[[M]], %[[T]]
// CHECK: return %[[A]]
// CHECK-NOT: kiln.batch_norm
func.func @after_relu(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %r = kiln.relu %x : tensor<1x2x2x2xf32>
  %y = kiln.batch_norm %r, %scale, %offset, %mean, %var {epsilon = 1.0 : f64, axis = 3 : i64}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// On an NCHW tensor (axis 1) the mean, scale and offset are [C, 1, 1].
// CHECK-LABEL: func.func @nchw(
// CHECK-DAG: kiln.constant dense<{{\[\[\[}}1.000000e+00]], {{\[\[}}2.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK-DAG: kiln.constant dense<5.000000e-01> : tensor<2x1x1xf32>
// CHECK: kiln.sub
// CHECK: kiln.mul
// CHECK: kiln.add
// CHECK-NOT: kiln.batch_norm
func.func @nchw(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %x, %scale, %offset, %mean, %var {epsilon = 1.0 : f64, axis = 1 : i64}
      : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Statistics that are not constants stay a batch norm.
// CHECK-LABEL: func.func @stats_not_constant(
// CHECK: kiln.batch_norm
func.func @stats_not_constant(%x: tensor<2x2xf32>, %mean: tensor<2xf32>) -> tensor<2x2xf32> {
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %offset = kiln.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = kiln.batch_norm %x, %scale, %offset, %mean, %var {epsilon = 1.0 : f64, axis = 1 : i64}
      : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// An f16 batch norm stays: rounding s and t to f16 would lose accuracy.
// CHECK-LABEL: func.func @f16(
// CHECK: kiln.batch_norm
func.func @f16(%x: tensor<2x2xf16>) -> tensor<2x2xf16> {
  %scale = kiln.constant dense<[2.0, 6.0]> : tensor<2xf16>
  %offset = kiln.constant dense<[0.5, 0.5]> : tensor<2xf16>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf16>
  %var = kiln.constant dense<[3.0, 8.0]> : tensor<2xf16>
  %y = kiln.batch_norm %x, %scale, %offset, %mean, %var {epsilon = 1.0 : f64, axis = 1 : i64}
      : (tensor<2x2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>) -> tensor<2x2xf16>
  return %y : tensor<2x2xf16>
}

// -----

// An input close to a large mean keeps its precision: the mean is
// subtracted before scaling (x * s + (offset - mean * s) would cancel).
// CHECK-LABEL: func.func @large_mean(
// CHECK: kiln.sub %arg0
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.add
func.func @large_mean(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %scale = kiln.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %offset = kiln.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1000.0, 1000.0]> : tensor<2xf32>
  %var = kiln.constant dense<[0.01, 0.01]> : tensor<2xf32>
  %r = kiln.relu %x : tensor<2x2xf32>
  %y = kiln.batch_norm %x, %scale, %offset, %mean, %var {epsilon = 0.0 : f64, axis = 1 : i64}
      : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
