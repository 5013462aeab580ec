// Hand-computed reference-interpreter tests: batch_norm, layer_norm and
// dropout. Epsilons are chosen so that every sqrt is exact; expected values
// computed by hand from dialects/kiln/KilnNN.td.
//
// RUN: kiln-run %s --function batch_norm_last_axis --print | FileCheck %s --match-full-lines --check-prefix=BN
// RUN: kiln-run %s --function batch_norm_nchw --print | FileCheck %s --match-full-lines --check-prefix=BNNCHW
// RUN: kiln-run %s --function layer_norm_last_axis --print | FileCheck %s --match-full-lines --check-prefix=LN
// RUN: kiln-run %s --function layer_norm_two_axes --print | FileCheck %s --match-full-lines --check-prefix=LN2
// RUN: kiln-run %s --function dropout_inference --print | FileCheck %s --match-full-lines --check-prefix=DROPINF
// RUN: kiln-run %s --function dropout_training --print | FileCheck %s --match-full-lines --check-prefix=DROPTRAIN
// RUN: kiln-run %s --function dropout_training --print | FileCheck %s --match-full-lines --check-prefix=DROPMASK
// RUN: rm -rf %t.run1 %t.run2
// RUN: kiln-run %s --function dropout_training --output-dir %t.run1
// RUN: kiln-run %s --function dropout_training --output-dir %t.run2
// RUN: diff %t.run1/result0.npy %t.run2/result0.npy
// RUN: diff %t.run1/result1.npy %t.run2/result1.npy

// batch_norm over the last axis: (x - mean) * scale / sqrt(var + eps) + offset
// with eps = 0.25 added to var = [3.75, 0] -> divisors [2, 0.5].
func.func @batch_norm_last_axis() -> tensor<2x2xf32> {
  %x = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %scale = kiln.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %offset = kiln.constant dense<[0.0, 11.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.75, 0.0]> : tensor<2xf32>
  %y = kiln.batch_norm %x, %scale, %offset, %mean, %var {epsilon = 2.500000e-01 : f64} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
// BN: result0: tensor<2x2xf32>
// BN-NEXT: {{\[\[}}0, 11], [2, 15]]

// batch_norm with axis = 1 (NCHW): the channel is dim 1, not the last dim.
func.func @batch_norm_nchw() -> tensor<1x2x1x2xf32> {
  %x = kiln.constant dense<[[[[1.0, 2.0]], [[3.0, 4.0]]]]> : tensor<1x2x1x2xf32>
  %scale = kiln.constant dense<1.0> : tensor<2xf32>
  %offset = kiln.constant dense<0.0> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %var = kiln.constant dense<[0.75, 3.75]> : tensor<2xf32>
  %y = kiln.batch_norm %x, %scale, %offset, %mean, %var {epsilon = 2.500000e-01 : f64, axis = 1 : i64} : (tensor<1x2x1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x1x2xf32>
  return %y : tensor<1x2x1x2xf32>
}
// BNNCHW: result0: tensor<1x2x1x2xf32>
// BNNCHW-NEXT: {{\[\[\[\[}}0, 1]], {{\[\[}}0, 0.5]]]]

// layer_norm uses the biased variance: row [1.5, 2.5] has var 0.25, so with
// eps 0.75 the divisor is 1 (the unbiased 0.5 would give sqrt(1.25)); a
// constant row normalizes to 0 and yields the offset.
func.func @layer_norm_last_axis() -> tensor<2x2xf32> {
  %x = kiln.constant dense<[[1.5, 2.5], [5.0, 5.0]]> : tensor<2x2xf32>
  %scale = kiln.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %offset = kiln.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %y = kiln.layer_norm %x, %scale, %offset {epsilon = 7.500000e-01 : f64} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
// LN: result0: tensor<2x2xf32>
// LN-NEXT: {{\[\[}}-0.5, 0.5], [0.5, -1]]

// layer_norm with axis = 1 on rank 3 normalizes over the trailing 2x2 block
// (mean 2, var 4) with element-wise 2x2 scale and offset.
func.func @layer_norm_two_axes() -> tensor<1x2x2xf32> {
  %x = kiln.constant dense<[[[0.0, 0.0], [4.0, 4.0]]]> : tensor<1x2x2xf32>
  %scale = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %offset = kiln.constant dense<[[0.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %y = kiln.layer_norm %x, %scale, %offset {epsilon = 0.000000e+00 : f64, axis = 1 : i64} : (tensor<1x2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<1x2x2xf32>
  return %y : tensor<1x2x2xf32>
}
// LN2: result0: tensor<1x2x2xf32>
// LN2-NEXT: {{\[\[\[}}-1, -2], [3, 5]]]

// dropout is the identity at inference (training = false), whatever the rate.
func.func @dropout_inference() -> tensor<4xf32> {
  %x = kiln.constant dense<[1.0, -2.0, 3.0, 0x7FC00000]> : tensor<4xf32>
  %y = kiln.dropout %x {rate = 5.000000e-01 : f64, seed = 7 : i64} : tensor<4xf32>
  return %y : tensor<4xf32>
}
// DROPINF: result0: tensor<4xf32>
// DROPINF-NEXT: [1, -2, 3, nan]

// dropout in training with rate 0.5: element k is either 0 or exactly
// 2 * x[k]; the mask depends only on (seed, row-major index), so the 2x4
// copy drops the same positions, and two runs agree (diff of the .npy files).
func.func @dropout_training() -> (tensor<8xf32>, tensor<2x4xf32>) {
  %x = kiln.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %y = kiln.dropout %x {rate = 5.000000e-01 : f64, seed = 7 : i64, training = true} : tensor<8xf32>
  %x2 = kiln.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %y2 = kiln.dropout %x2 {rate = 5.000000e-01 : f64, seed = 7 : i64, training = true} : tensor<2x4xf32>
  return %y, %y2 : tensor<8xf32>, tensor<2x4xf32>
}
// DROPTRAIN: result0: tensor<8xf32>
// DROPTRAIN-NEXT: [{{(0|2)}}, {{(0|4)}}, {{(0|6)}}, {{(0|8)}}, {{(0|10|1e\+01)}}, {{(0|12)}}, {{(0|14)}}, {{(0|16)}}]
// DROPTRAIN-NEXT: result1: tensor<2x4xf32>
// DROPTRAIN-NEXT: {{\[\[}}{{(0|2)}}, {{(0|4)}}, {{(0|6)}}, {{(0|8)}}], [{{(0|10|1e\+01)}}, {{(0|12)}}, {{(0|14)}}, {{(0|16)}}]]
// The exact mask for seed 7, from the SplitMix64 formula in KilnNN.td
// (u = (h(seed ^ h(k)) >> 11) * 2^-53, dropped when u < rate); the same
// positions must be dropped in the 1-D and the 2-D tensor.
// DROPMASK: result0: tensor<8xf32>
// DROPMASK-NEXT: [0, 0, 0, 8, 0, 12, 0, 0]
// DROPMASK-NEXT: result1: tensor<2x4xf32>
// DROPMASK-NEXT: {{\[\[}}0, 0, 0, 8], [0, 12, 0, 0]]
