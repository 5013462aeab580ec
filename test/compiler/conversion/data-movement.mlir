// The lowering of shape and data movement ops to linalg/tensor, and (second
// RUN line) that each lowers all the way to the LLVM dialect.
// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-lower-to-llvm --split-input-file | FileCheck %s --check-prefix=LLVM --implicit-check-not="{{(kiln|linalg|tensor|memref|bufferization|arith|math|scf)\.[a-z_]+ ?[%{(:]}}"

// A reshape that merges whole dimensions is one collapse_shape (a view).
// CHECK-LABEL: func.func @reshape_collapse(
// CHECK:       %[[R:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0], [1, 2, 3]] : tensor<32x7x7x64xf32> into tensor<32x3136xf32>
// CHECK:       return %[[R]]
// LLVM-LABEL:  llvm.func @reshape_collapse(
func.func @reshape_collapse(%x: tensor<32x7x7x64xf32>) -> tensor<32x3136xf32> {
  %f = kiln.reshape %x {shape = array<i64: 32, -1>} : (tensor<32x7x7x64xf32>) -> tensor<32x3136xf32>
  return %f : tensor<32x3136xf32>
}

// -----

// A reshape that regroups dimensions collapses to 1-D and expands again.
// CHECK-LABEL: func.func @reshape_regroup(
// CHECK:       %[[F:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK:       tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
// LLVM-LABEL:  llvm.func @reshape_regroup(
func.func @reshape_regroup(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %t = kiln.reshape %x {shape = array<i64: 4, -1>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  return %t : tensor<4x6xf32>
}

// -----

// transpose is linalg.transpose with the same permutation.
// CHECK-LABEL: func.func @transpose(
// CHECK:       %[[INIT:.*]] = tensor.empty() : tensor<1x32x32x3xf32>
// CHECK:       linalg.transpose ins(%arg0 : tensor<1x3x32x32xf32>) outs(%[[INIT]] : tensor<1x32x32x3xf32>) permutation = [0, 2, 3, 1]
// LLVM-LABEL:  llvm.func @transpose(
func.func @transpose(%x: tensor<1x3x32x32xf32>) -> tensor<1x32x32x3xf32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x32x32xf32>) -> tensor<1x32x32x3xf32>
  return %t : tensor<1x32x32x3xf32>
}

// -----

// The identity permutation moves nothing: the consumer reads the input.
// CHECK-LABEL: func.func @transpose_identity(
// CHECK-NOT:   linalg.transpose
// CHECK:       linalg.generic {{.*}} ins(%arg0 : tensor<2x3xi32>)
// LLVM-LABEL:  llvm.func @transpose_identity(
func.func @transpose_identity(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %t = kiln.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  %n = kiln.neg %t : tensor<2x3xi32>
  return %n : tensor<2x3xi32>
}

// -----

// broadcast_to is an elementwise copy whose input map implements NumPy
// broadcasting: leading dimensions dropped, size-1 dimensions read at 0.
// CHECK-DAG:   #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG:   #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast_to(
// CHECK:       linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%arg0 : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x4xf32>)
// CHECK:       ^bb0(%[[IN_ARG:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:    linalg.yield %[[IN_ARG]] : f32
// LLVM-LABEL:  llvm.func @broadcast_to(
func.func @broadcast_to(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %b = kiln.broadcast_to %x {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %b : tensor<2x3x4xf32>
}

// -----

// concat inserts each input at its running offset along the (negative)
// axis of one result tensor; an empty input is skipped.
// CHECK-LABEL: func.func @concat(
// CHECK:       %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK:       %[[A:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
// CHECK-NEXT:  %[[B:.*]] = tensor.insert_slice %arg1 into %[[A]][0, 3] [2, 5] [1, 1] : tensor<2x5xf32> into tensor<2x8xf32>
// CHECK-NEXT:  return %[[B]]
// LLVM-LABEL:  llvm.func @concat(
func.func @concat(%a: tensor<2x3xf32>, %c: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %empty = kiln.slice %c {start = array<i64: 0, 0>, limit = array<i64: 2, 0>} : (tensor<2x5xf32>) -> tensor<2x0xf32>
  %r = kiln.concat %a, %empty, %c {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x0xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

// A strided slice is one tensor.extract_slice (a strided view).
// CHECK-LABEL: func.func @slice(
// CHECK:       %[[S:.*]] = tensor.extract_slice %arg0[0, 1] [2, 3] [1, 2] : tensor<4x8xf32> to tensor<2x3xf32>
// CHECK:       return %[[S]]
// LLVM-LABEL:  llvm.func @slice(
func.func @slice(%x: tensor<4x8xf32>) -> tensor<2x3xf32> {
  %s = kiln.slice %x {start = array<i64: 0, 1>, limit = array<i64: 2, 7>, strides = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<2x3xf32>
  return %s : tensor<2x3xf32>
}

// -----

// pad is tensor.pad with the value converted to the element type: 0.5 for
// f32 (default value elsewhere is 0).
// CHECK-LABEL: func.func @pad_f32(
// CHECK:       %[[V:.*]] = arith.constant 5.000000e-01 : f32
// CHECK:       tensor.pad %arg0 low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:         tensor.yield %[[V]] : f32
// CHECK:       } : tensor<1x28x28x1xf32> to tensor<1x30x30x1xf32>
// LLVM-LABEL:  llvm.func @pad_f32(
func.func @pad_f32(%x: tensor<1x28x28x1xf32>) -> tensor<1x30x30x1xf32> {
  %p = kiln.pad %x {low = array<i64: 0, 1, 1, 0>, high = array<i64: 0, 1, 1, 0>, value = 0.5 : f64} : (tensor<1x28x28x1xf32>) -> tensor<1x30x30x1xf32>
  return %p : tensor<1x30x30x1xf32>
}

// -----

// Integer padding values truncate toward zero and saturate (300.7 → 127 in
// i8); for i1 any nonzero value is true.
// CHECK-LABEL: func.func @pad_int(
// CHECK:       %[[V:.*]] = arith.constant 127 : i8
// CHECK:       tensor.yield %[[V]] : i8
// CHECK:       %[[T:.*]] = arith.constant true
// CHECK:       tensor.yield %[[T]] : i1
// LLVM-LABEL:  llvm.func @pad_int(
func.func @pad_int(%x: tensor<2x3xi8>, %b: tensor<2xi1>) -> (tensor<3x6xi8>, tensor<4xi1>) {
  %p = kiln.pad %x {low = array<i64: 1, 2>, high = array<i64: 0, 1>, value = 300.7 : f64} : (tensor<2x3xi8>) -> tensor<3x6xi8>
  %q = kiln.pad %b {low = array<i64: 1>, high = array<i64: 1>, value = -0.5 : f64} : (tensor<2xi1>) -> tensor<4xi1>
  return %p, %q : tensor<3x6xi8>, tensor<4xi1>
}

// -----

// gather (Embedding) is a generic over the result reading the i32 index
// through the indices' dimensions and extracting the params row: a negative
// index counts from the end, and one still out of range is clamped to
// [0, dim - 1] (the interpreter reports it as an error) so the code never
// reads outside the params.
// CHECK-DAG:   #[[IDX:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @gather_embedding(
// CHECK:       linalg.generic {indexing_maps = [#[[IDX]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%arg1 : tensor<8x20xi32>) outs(%{{.*}} : tensor<8x20x32xf32>)
// CHECK:       ^bb0(%[[I32:.*]]: i32, %{{.*}}: f32):
// CHECK:         %[[I:.*]] = arith.extsi %[[I32]] : i32 to i64
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:         %[[NEG:.*]] = arith.cmpi slt, %[[I]], %[[ZERO]] : i64
// CHECK:         %[[DIM:.*]] = arith.constant 1000 : i64
// CHECK:         %[[WRAP:.*]] = arith.addi %[[I]], %[[DIM]] : i64
// CHECK:         %[[J:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[I]] : i64
// CHECK:         %[[LO:.*]] = arith.maxsi %[[J]], %[[ZERO]] : i64
// CHECK:         %[[LAST:.*]] = arith.constant 999 : i64
// CHECK:         %[[K:.*]] = arith.minsi %[[LO]], %[[LAST]] : i64
// CHECK:         %[[ROW:.*]] = arith.index_cast %[[K]] : i64 to index
// CHECK:         %[[COL:.*]] = linalg.index 2 : index
// CHECK:         %[[V:.*]] = tensor.extract %arg0[%[[ROW]], %[[COL]]] : tensor<1000x32xf32>
// CHECK:         linalg.yield %[[V]] : f32
// LLVM-LABEL:  llvm.func @gather_embedding(
func.func @gather_embedding(%table: tensor<1000x32xf32>, %ids: tensor<8x20xi32>) -> tensor<8x20x32xf32> {
  %e = kiln.gather %table, %ids : (tensor<1000x32xf32>, tensor<8x20xi32>) -> tensor<8x20x32xf32>
  return %e : tensor<8x20x32xf32>
}

// -----

// gather along a middle axis with i64 indices: the result's dimensions are
// params[:axis] (d0), the indices' (d1, d2), then params[axis+1:] (d3).
// CHECK-DAG:   #[[IDX:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-LABEL: func.func @gather_axis1(
// CHECK:       linalg.generic {indexing_maps = [#[[IDX]], #{{.*}}]
// CHECK-SAME:      ins(%arg1 : tensor<4x2xi64>) outs(%{{.*}} : tensor<2x4x2x3xf32>)
// CHECK-NOT:     arith.extsi
// CHECK:         %[[D0:.*]] = linalg.index 0 : index
// CHECK:         %[[ROW:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK:         %[[D3:.*]] = linalg.index 3 : index
// CHECK:         tensor.extract %arg0[%[[D0]], %[[ROW]], %[[D3]]] : tensor<2x5x3xf32>
// LLVM-LABEL:  llvm.func @gather_axis1(
func.func @gather_axis1(%t: tensor<2x5x3xf32>, %i: tensor<4x2xi64>) -> tensor<2x4x2x3xf32> {
  %e = kiln.gather %t, %i {axis = 1 : i64} : (tensor<2x5x3xf32>, tensor<4x2xi64>) -> tensor<2x4x2x3xf32>
  return %e : tensor<2x4x2x3xf32>
}
