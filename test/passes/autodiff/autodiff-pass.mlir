// The kiln-autodiff pass adds each function's vector-Jacobian product.
// RUN: kiln-opt --kiln-autodiff %s | FileCheck %s

// CHECK-LABEL: func.func @dense(
// CHECK-LABEL: func.func @dense_vjp(
// CHECK-SAME: %{{.*}}: tensor<2x3xf32> {kiln.name = "x"}, %{{.*}}: tensor<3x4xf32>, %{{.*}}: tensor<2x4xf32> {kiln.name = "d_y"})
// CHECK-SAME: -> (tensor<2x3xf32> {kiln.name = "d_x"}, tensor<3x4xf32> {kiln.name = "d_arg1"})
// CHECK: kiln.select
// CHECK: kiln.matmul %{{.*}}, %{{.*}} {transpose_b = true}
// CHECK: kiln.matmul %{{.*}}, %{{.*}} {transpose_a = true}
// CHECK: return
func.func @dense(%x: tensor<2x3xf32> {kiln.name = "x"}, %w: tensor<3x4xf32>)
    -> (tensor<2x4xf32> {kiln.name = "y"}) {
  %0 = kiln.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = kiln.relu %0 : tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}
