// convert-kiln-to-linalg{parallel-scatter=true} (the cuda target, whose
// host code cannot read device tensors): kiln.scatter_add becomes three
// generics that link the updates of each row into a list, in the updates'
// order, and walk it: next[n] (the first later update with n's row), head[v]
// (the first update with row v; 4, the count, when none), then per result
// element a loop from head along next, adding each update to the zero it
// starts from. Where that is more work than each result element scanning
// all the updates (a tiny table, many updates), it is that scan. Without
// the option it is a host loop over the indices.
// RUN: kiln-opt --convert-kiln-to-linalg="parallel-scatter=true" %s | FileCheck %s
// RUN: kiln-opt --convert-kiln-to-linalg %s | FileCheck %s --check-prefix=LOOP

// CHECK-DAG: #[[N:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[M:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[SIDX:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-DAG: #[[SUPD:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[SOUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @scatter(
// CHECK-NOT: scf.for
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<1x50x3xf32>
// CHECK: %[[UPD:.*]] = tensor.expand_shape %arg1 {{.*}} into tensor<1x4x3xf32>
// CHECK: %[[NONE:.*]] = arith.constant 4 : i64
// CHECK: %[[NEXT0:.*]] = linalg.fill ins(%[[NONE]] : i64) {{.*}} -> tensor<4xi64>
// CHECK: %[[NEXT:.*]] = linalg.generic {indexing_maps = [#[[N]], #[[M]], #[[N]]], iterator_types = ["parallel", "reduction"]} ins(%arg0, %arg0 : tensor<4xi32>, tensor<4xi32>) outs(%[[NEXT0]] : tensor<4xi64>)
// CHECK: ^bb0(%{{.*}}: i32, %{{.*}}: i32, %[[NACC:.*]]: i64):
// CHECK: %[[LATER:.*]] = arith.cmpi ugt
// CHECK: %[[SAME:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : index
// CHECK: %[[HIT:.*]] = arith.andi %[[LATER]], %[[SAME]]
// CHECK: %[[LOWER:.*]] = arith.minsi %[[NACC]], %{{.*}} : i64
// CHECK: arith.select %[[HIT]], %[[LOWER]], %[[NACC]] : i64
// CHECK: %[[HEAD0:.*]] = linalg.fill ins(%[[NONE]] : i64) {{.*}} -> tensor<50xi64>
// CHECK: %[[HEAD:.*]] = linalg.generic {indexing_maps = [#[[M]], #[[N]]], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<4xi32>) outs(%[[HEAD0]] : tensor<50xi64>)
// CHECK: linalg.generic {indexing_maps = [#[[ROW]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[HEAD]] : tensor<50xi64>) outs(%[[ZERO]] : tensor<1x50x3xf32>)
// CHECK: ^bb0(%[[FIRST:.*]]: i64, %[[START:.*]]: f32):
// CHECK: %[[P:.*]] = linalg.index 0 : index
// CHECK: %[[Q:.*]] = linalg.index 2 : index
// CHECK: %[[WALK:.*]]:2 = scf.while (%[[K:.*]] = %[[FIRST]], %[[S:.*]] = %[[START]]) : (i64, f32) -> (i64, f32)
// CHECK: arith.cmpi slt, %[[K]], %[[NONE]] : i64
// CHECK: ^bb0(%[[K2:.*]]: i64, %[[S2:.*]]: f32):
// CHECK: %[[AT:.*]] = arith.index_cast %[[K2]] : i64 to index
// CHECK: %[[U:.*]] = tensor.extract %[[UPD]][%[[P]], %[[AT]], %[[Q]]]
// CHECK: %[[SUM:.*]] = arith.addf %[[S2]], %[[U]] : f32
// CHECK: %[[FOLLOW:.*]] = tensor.extract %[[NEXT]][%[[AT]]]
// CHECK: scf.yield %[[FOLLOW]], %[[SUM]]
// CHECK: linalg.yield %[[WALK]]#1 : f32
// LOOP-LABEL: func.func @scatter(
// LOOP: scf.for
// LOOP: tensor.extract %arg0
func.func @scatter(%ids: tensor<4xi32>, %u: tensor<4x3xf32>) -> tensor<50x3xf32> {
  %r = kiln.scatter_add %ids, %u {shape = array<i64: 50, 3>} : (tensor<4xi32>, tensor<4x3xf32>) -> tensor<50x3xf32>
  return %r : tensor<50x3xf32>
}

// Two result elements, eight updates: 2·8 terms scanned beat the lists'
// 8² + 2·8 + 2 + 8.
// CHECK-LABEL: func.func @small(
// CHECK-NOT: scf.while
// CHECK: linalg.generic {indexing_maps = [#[[SIDX]], #[[SUPD]], #[[SOUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %{{.*}} : tensor<8xi64>, tensor<1x8x1xf32>) outs(%{{.*}} : tensor<1x2x1xf32>)
// CHECK: ^bb0(%{{.*}}: i64, %[[SU:.*]]: f32, %[[SACC:.*]]: f32):
// CHECK: %[[SHIT:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : index
// CHECK: %[[SSUM:.*]] = arith.addf %[[SACC]], %[[SU]] : f32
// CHECK: arith.select %[[SHIT]], %[[SSUM]], %[[SACC]] : f32
// CHECK-NOT: scf.while
func.func @small(%ids: tensor<8xi64>, %u: tensor<8xf32>) -> tensor<2xf32> {
  %r = kiln.scatter_add %ids, %u {shape = array<i64: 2>} : (tensor<8xi64>, tensor<8xf32>) -> tensor<2xf32>
  return %r : tensor<2xf32>
}
