// Hand-computed reference-interpreter tests: matmul, conv2d and pooling on
// tiny inputs. Expected values computed by hand from dialects/kiln/KilnNN.td.
//
// RUN: kiln-run %s --function matmul_transposes --print | FileCheck %s --match-full-lines --check-prefix=MATMUL
// RUN: kiln-run %s --function matmul_batch_broadcast --print | FileCheck %s --match-full-lines --check-prefix=BATCH
// RUN: kiln-run %s --function matmul_int_wrap --print | FileCheck %s --match-full-lines --check-prefix=IMATMUL
// RUN: kiln-run %s --function conv_valid --print | FileCheck %s --match-full-lines --check-prefix=CONV
// RUN: kiln-run %s --function conv_pad_stride --print | FileCheck %s --match-full-lines --check-prefix=CONVPAD
// RUN: kiln-run %s --function conv_asym_pad --print | FileCheck %s --match-full-lines --check-prefix=CONVASYM
// RUN: kiln-run %s --function conv_dilation --print | FileCheck %s --match-full-lines --check-prefix=CONVDIL
// RUN: kiln-run %s --function conv_groups --print | FileCheck %s --match-full-lines --check-prefix=CONVGRP
// RUN: kiln-run %s --function conv_depthwise_nchw_oihw --print | FileCheck %s --match-full-lines --check-prefix=CONVDW
// RUN: kiln-run %s --function max_pool_pad_negative --print | FileCheck %s --match-full-lines --check-prefix=MAXPOOL
// RUN: kiln-run %s --function max_pool_stride --print | FileCheck %s --match-full-lines --check-prefix=MAXPOOLS
// RUN: kiln-run %s --function avg_pool_count_pad --print | FileCheck %s --match-full-lines --check-prefix=AVGPOOL

// Plain matmul and the same product with a, b or both stored transposed
// (transpose_a / transpose_b swap the two innermost dims before multiplying).
func.func @matmul_transposes() -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %a = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %at = kiln.constant dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]> : tensor<3x2xf32>
  %b = kiln.constant dense<[[1.0, 2.0], [1.0, 0.0], [0.0, 1.0]]> : tensor<3x2xf32>
  %bt = kiln.constant dense<[[1.0, 1.0, 0.0], [2.0, 0.0, 1.0]]> : tensor<2x3xf32>
  %p = kiln.matmul %a, %b : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %q = kiln.matmul %at, %b {transpose_a = true} : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %r = kiln.matmul %a, %bt {transpose_b = true} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %s = kiln.matmul %at, %bt {transpose_a = true, transpose_b = true} : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  return %p, %q, %r, %s : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}
// MATMUL: result0: tensor<2x2xf32>
// MATMUL-NEXT: {{\[\[}}3, 5], [9, 14]]
// MATMUL-NEXT: result1: tensor<2x2xf32>
// MATMUL-NEXT: {{\[\[}}3, 5], [9, 14]]
// MATMUL-NEXT: result2: tensor<2x2xf32>
// MATMUL-NEXT: {{\[\[}}3, 5], [9, 14]]
// MATMUL-NEXT: result3: tensor<2x2xf32>
// MATMUL-NEXT: {{\[\[}}3, 5], [9, 14]]

// Batch dims broadcast like numpy.matmul: a's batch [2, 1] with b's batch
// [3] gives [2, 3]; result[i][j] = a[i] . b[j]. Also a rank-2 operand against
// a batched one (the matrix is reused for every batch).
func.func @matmul_batch_broadcast() -> (tensor<2x3x1x1xf32>, tensor<2x1x2xf32>) {
  %a = kiln.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %b = kiln.constant dense<[[[1.0], [0.0]], [[0.0], [1.0]], [[1.0], [1.0]]]> : tensor<3x2x1xf32>
  %p = kiln.matmul %a, %b : (tensor<2x1x1x2xf32>, tensor<3x2x1xf32>) -> tensor<2x3x1x1xf32>
  %c = kiln.constant dense<[[[1.0, 2.0]], [[3.0, 4.0]]]> : tensor<2x1x2xf32>
  %w = kiln.constant dense<[[1.0, 1.0], [0.0, 2.0]]> : tensor<2x2xf32>
  %q = kiln.matmul %c, %w : (tensor<2x1x2xf32>, tensor<2x2xf32>) -> tensor<2x1x2xf32>
  return %p, %q : tensor<2x3x1x1xf32>, tensor<2x1x2xf32>
}
// BATCH: result0: tensor<2x3x1x1xf32>
// BATCH-NEXT: {{\[\[\[\[}}1]], {{\[\[}}2]], {{\[\[}}3]]], {{\[\[\[}}3]], {{\[\[}}4]], {{\[\[}}7]]]]
// BATCH-NEXT: result1: tensor<2x1x2xf32>
// BATCH-NEXT: {{\[\[\[}}1, 5]], {{\[\[}}3, 11]]]

// Integer matmul wraps at the element width: i8 100*1 + 100*1 = 200 -> -56.
func.func @matmul_int_wrap() -> tensor<1x1xi8> {
  %a = kiln.constant dense<[[100, 100]]> : tensor<1x2xi8>
  %b = kiln.constant dense<[[1], [1]]> : tensor<2x1xi8>
  %p = kiln.matmul %a, %b : (tensor<1x2xi8>, tensor<2x1xi8>) -> tensor<1x1xi8>
  return %p : tensor<1x1xi8>
}
// IMATMUL: result0: tensor<1x1xi8>
// IMATMUL-NEXT: {{\[\[}}-56]]

// conv2d is cross-correlation (filter not flipped): NHWC 3x3 input 1..9 with
// HWIO filter [[1, 2], [3, 4]], no padding -> 2x2.
func.func @conv_valid() -> tensor<1x2x2x1xf32> {
  %x = kiln.constant dense<[[[[1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0]], [[7.0], [8.0], [9.0]]]]> : tensor<1x3x3x1xf32>
  %w = kiln.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %y = kiln.conv2d %x, %w : (tensor<1x3x3x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x1xf32>
  return %y : tensor<1x2x2x1xf32>
}
// CONV: result0: tensor<1x2x2x1xf32>
// CONV-NEXT: {{\[\[\[\[}}37], [47]], {{\[\[}}67], [77]]]]

// Zero padding 1 on every side with stride 2 and an all-ones 2x2 filter:
// out = (3 + 2 - 2) / 2 + 1 = 2; the corner window sees only x[0][0].
func.func @conv_pad_stride() -> tensor<1x2x2x1xf32> {
  %x = kiln.constant dense<[[[[1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0]], [[7.0], [8.0], [9.0]]]]> : tensor<1x3x3x1xf32>
  %w = kiln.constant dense<1.0> : tensor<2x2x1x1xf32>
  %y = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x3x3x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x1xf32>
  return %y : tensor<1x2x2x1xf32>
}
// CONVPAD: result0: tensor<1x2x2x1xf32>
// CONVPAD-NEXT: {{\[\[\[\[}}1], [5]], {{\[\[}}11], [28]]]]

// Padding order is [top, bottom, left, right]: [0, 1, 1, 0] pads below and
// to the left only, so the last row sees one input row and column 0 one column.
func.func @conv_asym_pad() -> tensor<1x3x3x1xf32> {
  %x = kiln.constant dense<[[[[1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0]], [[7.0], [8.0], [9.0]]]]> : tensor<1x3x3x1xf32>
  %w = kiln.constant dense<1.0> : tensor<2x2x1x1xf32>
  %y = kiln.conv2d %x, %w {padding = array<i64: 0, 1, 1, 0>} : (tensor<1x3x3x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x3x3x1xf32>
  return %y : tensor<1x3x3x1xf32>
}
// CONVASYM: result0: tensor<1x3x3x1xf32>
// CONVASYM-NEXT: {{\[\[\[\[}}5], [12], [16]], {{\[\[}}11], [24], [28]], {{\[\[}}7], [15], [17]]]]

// Dilation 2 spreads a 2x2 filter over the 3x3 corners: 1*1 + 2*3 + 3*7 + 4*9.
func.func @conv_dilation() -> tensor<1x1x1x1xf32> {
  %x = kiln.constant dense<[[[[1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0]], [[7.0], [8.0], [9.0]]]]> : tensor<1x3x3x1xf32>
  %w = kiln.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %y = kiln.conv2d %x, %w {dilations = array<i64: 2, 2>} : (tensor<1x3x3x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}
// CONVDIL: result0: tensor<1x1x1x1xf32>
// CONVDIL-NEXT: {{\[\[\[\[}}64]]]]

// groups = 2 splits C = 4 into [0, 1] -> output 0 and [2, 3] -> output 1:
// HWIO filter [ci][co] = [[1, 3], [5, 7]]: 1*1 + 2*5 = 11, 3*3 + 4*7 = 37.
func.func @conv_groups() -> tensor<1x1x1x2xf32> {
  %x = kiln.constant dense<[[[[1.0, 2.0, 3.0, 4.0]]]]> : tensor<1x1x1x4xf32>
  %w = kiln.constant dense<[[[[1.0, 3.0], [5.0, 7.0]]]]> : tensor<1x1x2x2xf32>
  %y = kiln.conv2d %x, %w {groups = 2 : i64} : (tensor<1x1x1x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x1x2xf32>
  return %y : tensor<1x1x1x2xf32>
}
// CONVGRP: result0: tensor<1x1x1x2xf32>
// CONVGRP-NEXT: {{\[\[\[\[}}11, 37]]]]

// Depthwise (groups = C = 2) in NCHW with an OIHW 1x2 filter per channel:
// channel 0 uses [1, -1] (x[w] - x[w+1]), channel 1 uses [2, 1].
func.func @conv_depthwise_nchw_oihw() -> tensor<1x2x2x1xf32> {
  %x = kiln.constant dense<[[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]]> : tensor<1x2x2x2xf32>
  %w = kiln.constant dense<[[[[1.0, -1.0]]], [[[2.0, 1.0]]]]> : tensor<2x1x1x2xf32>
  %y = kiln.conv2d %x, %w {groups = 2 : i64, data_format = "NCHW", filter_format = "OIHW"} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x2x1xf32>
  return %y : tensor<1x2x2x1xf32>
}
// CONVDW: result0: tensor<1x2x2x1xf32>
// CONVDW-NEXT: {{\[\[\[\[}}-1], [-1]], {{\[\[}}16], [22]]]]

// max_pool padding never wins: on an all-negative input every window holds
// the max of its in-bounds elements, never the pad's 0 (NCHW, pad 1, stride 1).
func.func @max_pool_pad_negative() -> tensor<1x1x3x3xf32> {
  %x = kiln.constant dense<[[[[-1.0, -2.0], [-3.0, -4.0]]]]> : tensor<1x1x2x2xf32>
  %y = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, data_format = "NCHW"} : (tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}
// MAXPOOL: result0: tensor<1x1x3x3xf32>
// MAXPOOL-NEXT: {{\[\[\[\[}}-1, -1, -2], [-1, -1, -2], [-3, -3, -4]]]]

// Non-overlapping 2x2 windows with stride 2 (NHWC, 2 channels pooled apart).
func.func @max_pool_stride() -> tensor<1x1x2x2xf32> {
  %x = kiln.constant dense<[[[[1.0, -1.0], [5.0, -2.0], [-2.0, -3.0], [-3.0, -4.0]], [[4.0, -5.0], [2.0, -6.0], [-7.0, -8.0], [-1.0, -9.0]]]]> : tensor<1x2x4x2xf32>
  %y = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x2xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}
// MAXPOOLS: result0: tensor<1x1x2x2xf32>
// MAXPOOLS-NEXT: {{\[\[\[\[}}5, -1], [-1, -3]]]]

// avg_pool with pad 1: count_include_pad = false (default) divides by the
// in-bounds count; true divides by the full window (4).
func.func @avg_pool_count_pad() -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) {
  %x = kiln.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %a = kiln.avg_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, data_format = "NCHW"} : (tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  %b = kiln.avg_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, data_format = "NCHW", count_include_pad = true} : (tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  return %a, %b : tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>
}
// AVGPOOL: result0: tensor<1x1x3x3xf32>
// AVGPOOL-NEXT: {{\[\[\[\[}}1, 1.5, 2], [2, 2.5, 3], [3, 3.5, 4]]]]
// AVGPOOL-NEXT: result1: tensor<1x1x3x3xf32>
// AVGPOOL-NEXT: {{\[\[\[\[}}0.25, 0.75, 0.5], [1, 2.5, 1.5], [0.75, 1.75, 1]]]]
