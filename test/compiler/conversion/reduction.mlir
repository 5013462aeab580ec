// The lowering of reductions, arg-reductions and softmax to linalg, and
// (second RUN line) that each lowers all the way to the LLVM dialect.
// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-lower-to-llvm --split-input-file | FileCheck %s --check-prefix=LLVM --implicit-check-not="{{(kiln|linalg|tensor|memref|bufferization|arith|math|scf)\.[a-z_]+ ?[%{(:]}}"

// A sum is one generic with the reduced dimension as a reduction iterator,
// started from -0.0 (the identity of addition, as in the interpreter);
// keepdims expands the result afterwards.
// CHECK-DAG:   #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[KEPT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @sum_keepdims(
// CHECK:       %[[ZERO:.*]] = arith.constant -0.000000e+00 : f32
// CHECK:       %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK:       %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME:      ins(%arg0 : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK:         arith.addf
// CHECK:       %[[R:.*]] = tensor.expand_shape %[[SUM]] {{\[\[}}0], [1, 2]] output_shape [2, 1, 4]
// CHECK:       return %[[R]] : tensor<2x1x4xf32>
// LLVM-LABEL:  llvm.func @sum_keepdims(
func.func @sum_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %r = kiln.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return %r : tensor<2x1x4xf32>
}

// -----

// An f16 mean accumulates in f32 over both (negative and positive) axes,
// then divides by the element count and rounds to f16.
// CHECK-LABEL: func.func @mean_f16(
// CHECK:       %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]
// CHECK-SAME:      ins(%arg0 : tensor<2x3x4xf16>) outs(%{{.*}} : tensor<3xf32>)
// CHECK:         arith.extf %{{.*}} : f16 to f32
// CHECK:         arith.addf {{.*}} : f32
// CHECK:       linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xf32>) outs(%{{.*}} : tensor<3xf16>)
// CHECK:         %[[N:.*]] = arith.constant 8.000000e+00 : f32
// CHECK:         %[[M:.*]] = arith.divf %{{.*}}, %[[N]] : f32
// CHECK:         arith.truncf %[[M]] : f32 to f16
// LLVM-LABEL:  llvm.func @mean_f16(
func.func @mean_f16(%x: tensor<2x3x4xf16>) -> tensor<3xf16> {
  %r = kiln.reduce_mean %x {axes = array<i64: 0, -1>} : (tensor<2x3x4xf16>) -> tensor<3xf16>
  return %r : tensor<3xf16>
}

// -----

// A float max starts from -inf and uses maximumf, which propagates NaN.
// CHECK-LABEL: func.func @max_f32(
// CHECK:       arith.constant 0xFF800000 : f32
// CHECK:       linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK:         arith.maximumf
// LLVM-LABEL:  llvm.func @max_f32(
func.func @max_f32(%x: tensor<4x10xf32>) -> tensor<10xf32> {
  %r = kiln.reduce_max %x {axes = array<i64: 0>} : (tensor<4x10xf32>) -> tensor<10xf32>
  return %r : tensor<10xf32>
}

// -----

// An integer min starts from the type's largest value.
// CHECK-LABEL: func.func @min_i32(
// CHECK:       arith.constant 2147483647 : i32
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:         arith.minsi
// LLVM-LABEL:  llvm.func @min_i32(
func.func @min_i32(%x: tensor<4x10xi32>) -> tensor<4xi32> {
  %r = kiln.reduce_min %x {axes = array<i64: 1>} : (tensor<4x10xi32>) -> tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

// An integer product over every axis gives a rank-0 result; i8 arithmetic
// wraps like the interpreter's.
// CHECK-DAG:   #[[NONE:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @prod_i8(
// CHECK:       arith.constant 1 : i8
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #[[NONE]]], iterator_types = ["reduction", "reduction"]}
// CHECK-SAME:      outs(%{{.*}} : tensor<i8>)
// CHECK:         arith.muli {{.*}} : i8
// LLVM-LABEL:  llvm.func @prod_i8(
func.func @prod_i8(%x: tensor<4x10xi8>) -> tensor<i8> {
  %r = kiln.reduce_prod %x {axes = array<i64: 0, 1>} : (tensor<4x10xi8>) -> tensor<i8>
  return %r : tensor<i8>
}

// -----

// Reducing no axes is the identity: the consumer reads the input directly.
// CHECK-LABEL: func.func @sum_no_axes(
// CHECK-NOT:   reduction
// CHECK:       linalg.generic {{.*}} ins(%arg0 : tensor<4x10xf32>)
// CHECK:         math.exp
// LLVM-LABEL:  llvm.func @sum_no_axes(
func.func @sum_no_axes(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %r = kiln.reduce_sum %x {axes = array<i64>} : (tensor<4x10xf32>) -> tensor<4x10xf32>
  %e = kiln.exp %r : tensor<4x10xf32>
  return %e : tensor<4x10xf32>
}

// -----

// The sum of nothing is +0.0, not the -0.0 identity.
// CHECK-LABEL: func.func @sum_empty(
// CHECK:       arith.constant 0.000000e+00 : f32
// CHECK:       linalg.generic {{.*}} ins(%arg0 : tensor<0x3xf32>)
// LLVM-LABEL:  llvm.func @sum_empty(
func.func @sum_empty(%x: tensor<0x3xf32>) -> tensor<3xf32> {
  %r = kiln.reduce_sum %x {axes = array<i64: 0>} : (tensor<0x3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

// argmax carries (value, index) through a two-result generic. A candidate
// wins when greater, when it is a NaN and the best is not, or when it ties
// (equal, or both NaN) with a smaller index: the first index of the
// maximum, a NaN counting as the maximum, in any iteration order.
// CHECK-LABEL: func.func @argmax_f32(
// CHECK-DAG:   %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:       %[[V0:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK:       %[[I0:.*]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.*}} : tensor<4xi64>)
// CHECK:       %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%arg0 : tensor<4x10xf32>) outs(%[[V0]], %[[I0]] : tensor<4xf32>, tensor<4xi64>)
// CHECK:       ^bb0(%[[X:.*]]: f32, %[[BEST:.*]]: f32, %[[BESTI:.*]]: i64):
// CHECK:         %[[IDX:.*]] = linalg.index 1 : index
// CHECK:         %[[T:.*]] = arith.index_cast %[[IDX]] : index to i64
// CHECK:         %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[BEST]] : f32
// CHECK:         %[[EQ:.*]] = arith.cmpf oeq, %[[X]], %[[BEST]] : f32
// CHECK:         %[[XNAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK:         %[[BNAN:.*]] = arith.cmpf uno, %[[BEST]], %[[BEST]] : f32
// CHECK:         %[[BORD:.*]] = arith.cmpf ord, %[[BEST]], %[[BEST]] : f32
// CHECK:         %[[NEWNAN:.*]] = arith.andi %[[XNAN]], %[[BORD]] : i1
// CHECK:         %[[BETTER:.*]] = arith.ori %[[GT]], %[[NEWNAN]] : i1
// CHECK:         %[[BOTHNAN:.*]] = arith.andi %[[XNAN]], %[[BNAN]] : i1
// CHECK:         %[[TIE:.*]] = arith.ori %[[EQ]], %[[BOTHNAN]] : i1
// CHECK:         %[[EARLIER:.*]] = arith.cmpi slt, %[[T]], %[[BESTI]] : i64
// CHECK:         %[[TIEWIN:.*]] = arith.andi %[[TIE]], %[[EARLIER]] : i1
// CHECK:         %[[TAKE:.*]] = arith.ori %[[BETTER]], %[[TIEWIN]] : i1
// CHECK:         %[[NV:.*]] = arith.select %[[TAKE]], %[[X]], %[[BEST]] : f32
// CHECK:         %[[NI:.*]] = arith.select %[[TAKE]], %[[T]], %[[BESTI]] : i64
// CHECK:         linalg.yield %[[NV]], %[[NI]] : f32, i64
// CHECK:       return %[[R]]#1 : tensor<4xi64>
// LLVM-LABEL:  llvm.func @argmax_f32(
func.func @argmax_f32(%x: tensor<4x10xf32>) -> tensor<4xi64> {
  %r = kiln.argmax %x {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi64>
  return %r : tensor<4xi64>
}

// -----

// argmin over integers along a negative axis, with keepdims: signed
// comparisons, no NaN handling, the index result expanded.
// CHECK-LABEL: func.func @argmin_i32(
// CHECK:       arith.constant 2147483647 : i32
// CHECK:       %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK:         linalg.index 0 : index
// CHECK:         arith.cmpi slt, %{{.*}} : i32
// CHECK:         arith.cmpi eq, %{{.*}} : i32
// CHECK-NOT:     arith.cmpf
// CHECK:       tensor.expand_shape %[[R]]#1 {{\[\[}}0, 1]] output_shape [1, 10] : tensor<10xi64> into tensor<1x10xi64>
// LLVM-LABEL:  llvm.func @argmin_i32(
func.func @argmin_i32(%x: tensor<4x10xi32>) -> tensor<1x10xi64> {
  %r = kiln.argmin %x {axis = -2 : i64, keepdims = true} : (tensor<4x10xi32>) -> tensor<1x10xi64>
  return %r : tensor<1x10xi64>
}

// -----

// softmax: the max along the axis (from -inf, NaN-propagating), the sum of
// exp(x - max) (from 0), then exp(x - max) / sum elementwise, the row
// statistics broadcast back along the axis.
// CHECK-DAG:   #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @softmax_axis0(
// CHECK:       %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["reduction", "parallel"]}
// CHECK:         arith.maximumf
// CHECK:       %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["reduction", "parallel"]}
// CHECK-SAME:      ins(%arg0, %[[MAX]] : tensor<4x10xf32>, tensor<10xf32>)
// CHECK:         arith.subf
// CHECK:         math.exp
// CHECK:         arith.addf
// CHECK:       %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%arg0, %[[MAX]], %[[SUM]] : tensor<4x10xf32>, tensor<10xf32>, tensor<10xf32>)
// CHECK:         %[[SH:.*]] = arith.subf
// CHECK:         %[[E:.*]] = math.exp %[[SH]]
// CHECK:         arith.divf %[[E]],
// CHECK:       return %[[R]]
// LLVM-LABEL:  llvm.func @softmax_axis0(
func.func @softmax_axis0(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %r = kiln.softmax %x {axis = 0 : i64} : tensor<4x10xf32>
  return %r : tensor<4x10xf32>
}

// -----

// log_softmax along the default (last) axis of an f16 tensor computes in
// f32: (x - max) - log(sum), rounded to f16 at the end.
// CHECK-LABEL: func.func @log_softmax_f16(
// CHECK:       %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<4xf32>)
// CHECK:       %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:       linalg.generic {{.*}} ins(%arg0, %[[MAX]], %[[SUM]] : tensor<4x10xf16>, tensor<4xf32>, tensor<4xf32>) outs(%{{.*}} : tensor<4x10xf16>)
// CHECK:         %[[X:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK:         %[[SH:.*]] = arith.subf %[[X]], %{{.*}} : f32
// CHECK:         %[[L:.*]] = math.log %{{.*}} : f32
// CHECK:         %[[Y:.*]] = arith.subf %[[SH]], %[[L]] : f32
// CHECK:         arith.truncf %[[Y]] : f32 to f16
// LLVM-LABEL:  llvm.func @log_softmax_f16(
func.func @log_softmax_f16(%x: tensor<4x10xf16>) -> tensor<4x10xf16> {
  %r = kiln.log_softmax %x : tensor<4x10xf16>
  return %r : tensor<4x10xf16>
}
