// RUN: kiln-opt %s --kiln-prune --split-input-file | FileCheck %s

// Inference-mode dropout is the identity and goes; training dropout stays.
// CHECK-LABEL: func.func @dropout
// CHECK-NOT: training = false
// CHECK: kiln.dropout %arg0 {rate = 5.000000e-01 : f64, training = true}
// CHECK: return %arg0, %{{.*}}
func.func @dropout(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = kiln.dropout %x {rate = 0.5 : f64, training = false} : tensor<4xf32>
  %b = kiln.dropout %x {rate = 0.5 : f64, training = true} : tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// Dead ops go, with the constants only they used.
// CHECK-LABEL: func.func @dead
// CHECK-NEXT: return %arg0
func.func @dead(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = kiln.constant dense<2.0> : tensor<4xf32>
  %m = kiln.mul %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %e = kiln.exp %m : tensor<4xf32>
  return %x : tensor<4xf32>
}

// -----

// A scan's per-step output nobody reads is dropped, and so is a counter
// that only advances itself; the state the result needs stays.
// CHECK-LABEL: func.func @scan
// CHECK: %[[R:.*]] = kiln.scan init(%{{.*}} : tensor<2xf32>) over(%arg0 : tensor<3x2xf32>) -> (tensor<2xf32>) {
// CHECK-NEXT: ^bb0(%[[H:.*]]: tensor<2xf32>, %[[X:.*]]: tensor<2xf32>):
// CHECK-NEXT: %[[N:.*]] = kiln.add %[[H]], %[[X]]
// CHECK-NEXT: kiln.yield %[[N]] : tensor<2xf32>
// CHECK: return %[[R]]
func.func @scan(%xs: tensor<3x2xf32>) -> tensor<2xf32> {
  %h0 = kiln.constant dense<0.0> : tensor<2xf32>
  %i0 = kiln.constant dense<0> : tensor<i32>
  %h, %i, %ys = kiln.scan init(%h0, %i0 : tensor<2xf32>, tensor<i32>) over(%xs : tensor<3x2xf32>) -> (tensor<2xf32>, tensor<i32>, tensor<3x2xf32>) {
  ^bb0(%c: tensor<2xf32>, %k: tensor<i32>, %x: tensor<2xf32>):
    %n = kiln.add %c, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %one = kiln.constant dense<1> : tensor<i32>
    %k1 = kiln.add %k, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %y = kiln.tanh %n : tensor<2xf32>
    kiln.yield %n, %k1, %y : tensor<2xf32>, tensor<i32>, tensor<2xf32>
  }
  return %h : tensor<2xf32>
}

// -----

// Does not drop carried state whose final value is unused when the body's
// other values depend on it (here the per-step output reads the counter).
// CHECK-LABEL: func.func @scan_state_needed
// CHECK: kiln.scan init(%{{.*}} : tensor<f32>) over(%arg0 : tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
func.func @scan_state_needed(%xs: tensor<3xf32>) -> tensor<3xf32> {
  %s0 = kiln.constant dense<0.0> : tensor<f32>
  %s, %ys = kiln.scan init(%s0 : tensor<f32>) over(%xs : tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  ^bb0(%c: tensor<f32>, %x: tensor<f32>):
    %n = kiln.add %c, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
    kiln.yield %n, %n : tensor<f32>, tensor<f32>
  }
  return %ys : tensor<3xf32>
}

// -----

// A scan without sequences keeps its length when results are dropped.
// CHECK-LABEL: func.func @scan_length
// CHECK: kiln.scan init(%{{.*}} : tensor<f32>) attributes {length = 4 : i64} -> (tensor<f32>)
func.func @scan_length() -> tensor<f32> {
  %s0 = kiln.constant dense<1.0> : tensor<f32>
  %s, %ys = kiln.scan init(%s0 : tensor<f32>) attributes {length = 4 : i64} -> (tensor<f32>, tensor<4xf32>) {
  ^bb0(%c: tensor<f32>):
    %n = kiln.add %c, %c : (tensor<f32>, tensor<f32>) -> tensor<f32>
    kiln.yield %n, %c : tensor<f32>, tensor<f32>
  }
  return %s : tensor<f32>
}

// -----

// Dropping an outer scan's unused step output frees the inner scan's step
// output, and then the inner carried slot that only fed it: one run of the
// pass reaches the end (running it again changes nothing).
// CHECK-LABEL: func.func @nested
// CHECK: kiln.scan init(%{{.*}} : tensor<f32>) over(%arg0 : tensor<2x3xf32>) -> (tensor<f32>) {
// CHECK: kiln.scan init(%{{.*}} : tensor<f32>) over(%{{.*}} : tensor<3xf32>) -> (tensor<f32>) {
// CHECK-NOT: kiln.mul
// RUN: kiln-opt %s --kiln-prune --split-input-file > %t.once.mlir
// RUN: kiln-opt %t.once.mlir --kiln-prune --split-input-file > %t.twice.mlir
// RUN: diff %t.once.mlir %t.twice.mlir
func.func @nested(%xs: tensor<2x3xf32>) -> tensor<f32> {
  %a0 = kiln.constant dense<1.0> : tensor<f32>
  %a, %zs = kiln.scan init(%a0 : tensor<f32>) over(%xs : tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>) {
  ^bb0(%ca: tensor<f32>, %row: tensor<3xf32>):
    %s, %q, %ys = kiln.scan init(%ca, %ca : tensor<f32>, tensor<f32>) over(%row : tensor<3xf32>) -> (tensor<f32>, tensor<f32>, tensor<3xf32>) {
    ^bb0(%c: tensor<f32>, %d: tensor<f32>, %x: tensor<f32>):
      %n = kiln.add %c, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
      %m = kiln.mul %d, %ca : (tensor<f32>, tensor<f32>) -> tensor<f32>
      kiln.yield %n, %m, %m : tensor<f32>, tensor<f32>, tensor<f32>
    }
    kiln.yield %s, %ys : tensor<f32>, tensor<3xf32>
  }
  return %a : tensor<f32>
}
