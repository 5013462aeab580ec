// The lowering of layer_norm and batch_norm to linalg, and (second RUN
// line) that each lowers all the way to the LLVM dialect.
// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-lower-to-llvm --split-input-file | FileCheck %s --check-prefix=LLVM --implicit-check-not="{{(kiln|linalg|tensor|memref|bufferization|arith|math|scf)\.[a-z_]+ ?[%{(:]}}"

// layer_norm from axis 1 of a rank-3 tensor normalizes each [3, 4] block:
// a sum over d1, d2 divided by 12 (the mean), the sum of squared
// deviations from it (the biased variance, two-pass like the interpreter),
// 1/sqrt(var + eps) per row, then one elementwise generic reading the row
// statistics by d0 and scale/offset by (d1, d2).
// CHECK-DAG:   #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG:   #[[TRAIL:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @layer_norm_axis1(
// CHECK:       %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK-SAME:      ins(%arg0 : tensor<2x3x4xf32>)
// CHECK:       %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<2xf32>)
// CHECK:         arith.constant 1.200000e+01 : f32
// CHECK:         arith.divf
// CHECK:       %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK-SAME:      ins(%arg0, %[[MEAN]] : tensor<2x3x4xf32>, tensor<2xf32>)
// CHECK:         %[[D:.*]] = arith.subf
// CHECK:         %[[D2:.*]] = arith.mulf %[[D]], %[[D]]
// CHECK:         arith.addf %{{.*}}, %[[D2]]
// CHECK:       %[[INV:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<2xf32>)
// CHECK:         %[[VAR:.*]] = arith.divf
// CHECK:         %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK:         %[[VE:.*]] = arith.addf %[[VAR]], %[[EPS]]
// CHECK:         %[[ROOT:.*]] = math.sqrt %[[VE]]
// CHECK:         arith.divf %{{.*}}, %[[ROOT]]
// CHECK:       %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[TRAIL]], #[[TRAIL]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%arg0, %[[MEAN]], %[[INV]], %arg1, %arg2 : tensor<2x3x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<3x4xf32>, tensor<3x4xf32>)
// CHECK:       ^bb0(%[[X:.*]]: f32, %[[M:.*]]: f32, %[[I:.*]]: f32, %[[S:.*]]: f32, %[[O:.*]]: f32, %{{.*}}: f32):
// CHECK:         %[[C:.*]] = arith.subf %[[X]], %[[M]]
// CHECK:         %[[N:.*]] = arith.mulf %[[C]], %[[I]]
// CHECK:         %[[NS:.*]] = arith.mulf %[[N]], %[[S]]
// CHECK:         %[[Y:.*]] = arith.addf %[[NS]], %[[O]]
// CHECK:         linalg.yield %[[Y]]
// CHECK:       return %[[R]]
// LLVM-LABEL:  llvm.func @layer_norm_axis1(
func.func @layer_norm_axis1(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>, %o: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %r = kiln.layer_norm %x, %s, %o {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  return %r : tensor<2x3x4xf32>
}

// -----

// bf16 layer_norm over the default (last) axis: statistics in f32, every
// bf16 operand extended and the result rounded back once.
// CHECK-LABEL: func.func @layer_norm_bf16(
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<8xf32>)
// CHECK:         arith.extf %{{.*}} : bf16 to f32
// CHECK:       linalg.generic {{.*}} ins(%arg0, %{{.*}}, %{{.*}}, %arg1, %arg2 : tensor<8x16xbf16>, tensor<8xf32>, tensor<8xf32>, tensor<16xbf16>, tensor<16xbf16>) outs(%{{.*}} : tensor<8x16xbf16>)
// CHECK-COUNT-3: arith.extf
// CHECK:         arith.truncf %{{.*}} : f32 to bf16
// LLVM-LABEL:  llvm.func @layer_norm_bf16(
func.func @layer_norm_bf16(%x: tensor<8x16xbf16>, %s: tensor<16xbf16>, %o: tensor<16xbf16>) -> tensor<8x16xbf16> {
  %r = kiln.layer_norm %x, %s, %o : (tensor<8x16xbf16>, tensor<16xbf16>, tensor<16xbf16>) -> tensor<8x16xbf16>
  return %r : tensor<8x16xbf16>
}

// -----

// batch_norm on NCHW (axis 1) is one elementwise generic reading scale,
// offset, mean and variance by the channel index d1:
// (x - mean) * scale / sqrt(var + eps) + offset.
// CHECK-DAG:   #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG:   #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm_nchw(
// CHECK:       %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%arg0, %arg1, %arg2, %arg3, %arg4 :
// CHECK:       ^bb0(%[[X:.*]]: f32, %[[S:.*]]: f32, %[[O:.*]]: f32, %[[M:.*]]: f32, %[[V:.*]]: f32, %{{.*}}: f32):
// CHECK:         %[[C:.*]] = arith.subf %[[X]], %[[M]]
// CHECK:         %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK:         %[[VE:.*]] = arith.addf %[[V]], %[[EPS]]
// CHECK:         %[[ROOT:.*]] = math.sqrt %[[VE]]
// CHECK:         %[[CS:.*]] = arith.mulf %[[C]], %[[S]]
// CHECK:         %[[Q:.*]] = arith.divf %[[CS]], %[[ROOT]]
// CHECK:         %[[Y:.*]] = arith.addf %[[Q]], %[[O]]
// CHECK:         linalg.yield %[[Y]]
// CHECK:       return %[[R]]
// LLVM-LABEL:  llvm.func @batch_norm_nchw(
func.func @batch_norm_nchw(%x: tensor<2x3x4x4xf32>, %a: tensor<3xf32>, %b: tensor<3xf32>, %c: tensor<3xf32>, %d: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %r = kiln.batch_norm %x, %a, %b, %c, %d {axis = 1 : i64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return %r : tensor<2x3x4x4xf32>
}

// -----

// batch_norm with the default axis (-1, NHWC and dense layers) reads its
// statistics by the last dimension.
// CHECK-DAG:   #[[CH:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @batch_norm_last(
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]], #[[CH]], #[[CH]], #{{.*}}]
// LLVM-LABEL:  llvm.func @batch_norm_last(
func.func @batch_norm_last(%x: tensor<4x3xf64>, %a: tensor<3xf64>, %b: tensor<3xf64>, %c: tensor<3xf64>, %d: tensor<3xf64>) -> tensor<4x3xf64> {
  %r = kiln.batch_norm %x, %a, %b, %c, %d : (tensor<4x3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> tensor<4x3xf64>
  return %r : tensor<4x3xf64>
}
