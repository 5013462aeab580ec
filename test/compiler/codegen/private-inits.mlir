// kiln-private-inits: a zero fill that CSE shared between several ops'
// inits is cloned right before each of them (one keeps the original),
// so bufferization gives each op a freshly filled buffer of its own instead
// of copies of one; then one-shot bufferization makes no copy at all.
// RUN: kiln-opt --kiln-private-inits %s | FileCheck %s
// RUN: kiln-opt --kiln-private-inits --one-shot-bufferize="bufferize-function-boundaries" %s | FileCheck %s --check-prefix=BUF
// RUN: kiln-opt --one-shot-bufferize="bufferize-function-boundaries" %s | FileCheck %s --check-prefix=SHARED

// CHECK-LABEL: func.func @two_matmuls(
// CHECK: %[[Z:.*]] = arith.constant 0.0
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK-NEXT: %[[F1:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E1]] : tensor<4x4xf32>)
// CHECK-NEXT: %[[M1:.*]] = linalg.matmul ins(%arg0, %arg1 : {{.*}}) outs(%[[F1]] : tensor<4x4xf32>)
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK-NEXT: %[[F0:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E0]] : tensor<4x4xf32>)
// CHECK-NOT: linalg.fill
// CHECK: linalg.matmul ins(%[[M1]], %arg1 : {{.*}}) outs(%[[F0]] : tensor<4x4xf32>)
// BUF-LABEL: func.func @two_matmuls(
// BUF-NOT: memref.copy
// BUF: return
// SHARED-LABEL: func.func @two_matmuls(
// SHARED: memref.copy
func.func @two_matmuls(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x4xf32>) -> tensor<4x4xf32>
  %m1 = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%fill : tensor<4x4xf32>) -> tensor<4x4xf32>
  %m2 = linalg.matmul ins(%m1, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%fill : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %m2 : tensor<4x4xf32>
}

// A fill that is also read as an input keeps it; each init gets a clone.
// CHECK-LABEL: func.func @read_too(
// CHECK: %[[F:.*]] = linalg.fill
// CHECK: %[[C:.*]] = linalg.fill
// CHECK-NEXT: linalg.matmul ins(%[[F]], %arg0 : {{.*}}) outs(%[[C]] : tensor<4x4xf32>)
func.func @read_too(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x4xf32>) -> tensor<4x4xf32>
  %m = linalg.matmul ins(%fill, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%fill : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %m : tensor<4x4xf32>
}
