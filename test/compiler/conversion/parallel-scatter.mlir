// convert-kiln-to-linalg{parallel-scatter=true} (the cuda target, whose
// host code cannot read device tensors): kiln.scatter_add becomes a generic
// over the result — parallel over [P, V, Q], a reduction over the updates —
// whose element adds each update whose (wrapped, clamped) index is its row,
// in the updates' order. Without the option it is a host loop over the
// indices.
// RUN: kiln-opt --convert-kiln-to-linalg="parallel-scatter=true" %s | FileCheck %s
// RUN: kiln-opt --convert-kiln-to-linalg %s | FileCheck %s --check-prefix=LOOP

// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-DAG: #[[UPD:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @scatter(
// CHECK-NOT: scf.for
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<1x5x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[UPD]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %{{.*}} : tensor<4xi32>, tensor<1x4x3xf32>) outs(%[[ZERO]] : tensor<1x5x3xf32>)
// CHECK: ^bb0(%[[I:.*]]: i32, %[[U:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: arith.minsi
// CHECK: %[[ROW:.*]] = arith.index_cast
// CHECK: %[[V:.*]] = linalg.index 1 : index
// CHECK: %[[HIT:.*]] = arith.cmpi eq, %[[ROW]], %[[V]] : index
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %[[U]] : f32
// CHECK: arith.select %[[HIT]], %[[SUM]], %[[ACC]] : f32
// LOOP-LABEL: func.func @scatter(
// LOOP: scf.for
// LOOP: tensor.extract %arg0
func.func @scatter(%ids: tensor<4xi32>, %u: tensor<4x3xf32>) -> tensor<5x3xf32> {
  %r = kiln.scatter_add %ids, %u {shape = array<i64: 5, 3>} : (tensor<4xi32>, tensor<4x3xf32>) -> tensor<5x3xf32>
  return %r : tensor<5x3xf32>
}
