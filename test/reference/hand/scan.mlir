// Hand-computed reference-interpreter tests: kiln.scan (carried state,
// per-step outputs, reverse, axis, length, values from enclosing regions).
// Expected values computed by hand from dialects/kiln/KilnControl.td.
//
// RUN: kiln-run %s --function cumsum_forward --print | FileCheck %s --match-full-lines --check-prefix=FWD
// RUN: kiln-run %s --function cumsum_reverse --print | FileCheck %s --match-full-lines --check-prefix=REV
// RUN: kiln-run %s --function cumsum_axis1 --print | FileCheck %s --match-full-lines --check-prefix=AXIS1
// RUN: kiln-run %s --function counter_length --print | FileCheck %s --match-full-lines --check-prefix=COUNTER
// RUN: kiln-run %s --function two_carried_fibonacci --print | FileCheck %s --match-full-lines --check-prefix=FIB
// RUN: kiln-run %s --function two_sequences --print | FileCheck %s --match-full-lines --check-prefix=TWOSEQ
// RUN: kiln-run %s --function nested_outer_values --print | FileCheck %s --match-full-lines --check-prefix=NESTED

// Forward cumulative sum of [1, 2, 3]: per-step outputs [1, 3, 6], final 6.
func.func @cumsum_forward() -> (tensor<f32>, tensor<3xf32>) {
  %zero = kiln.constant dense<0.0> : tensor<f32>
  %xs = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %sum, %steps = kiln.scan init(%zero : tensor<f32>) over(%xs : tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  ^bb0(%acc: tensor<f32>, %x: tensor<f32>):
    %s = kiln.add %acc, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
    kiln.yield %s, %s : tensor<f32>, tensor<f32>
  }
  return %sum, %steps : tensor<f32>, tensor<3xf32>
}
// FWD: result0: tensor<f32>
// FWD-NEXT: 6
// FWD-NEXT: result1: tensor<3xf32>
// FWD-NEXT: [1, 3, 6]

// reverse = true runs from the last slice and stores step t's output at t:
// [6, 5, 3] (suffix sums), final 6.
func.func @cumsum_reverse() -> (tensor<f32>, tensor<3xf32>) {
  %zero = kiln.constant dense<0.0> : tensor<f32>
  %xs = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %sum, %steps = kiln.scan init(%zero : tensor<f32>) over(%xs : tensor<3xf32>) attributes {reverse = true} -> (tensor<f32>, tensor<3xf32>) {
  ^bb0(%acc: tensor<f32>, %x: tensor<f32>):
    %s = kiln.add %acc, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
    kiln.yield %s, %s : tensor<f32>, tensor<f32>
  }
  return %sum, %steps : tensor<f32>, tensor<3xf32>
}
// REV: result0: tensor<f32>
// REV-NEXT: 6
// REV-NEXT: result1: tensor<3xf32>
// REV-NEXT: [6, 5, 3]

// axis = 1 slices columns of a 2x3 sequence and stacks outputs along axis 1:
// row-wise prefix sums forward, suffix sums in reverse.
func.func @cumsum_axis1() -> (tensor<2xf32>, tensor<2x3xf32>, tensor<2xf32>, tensor<2x3xf32>) {
  %zero = kiln.constant dense<0.0> : tensor<2xf32>
  %xs = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %sum, %steps = kiln.scan init(%zero : tensor<2xf32>) over(%xs : tensor<2x3xf32>) attributes {axis = 1 : i64} -> (tensor<2xf32>, tensor<2x3xf32>) {
  ^bb0(%acc: tensor<2xf32>, %x: tensor<2xf32>):
    %s = kiln.add %acc, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    kiln.yield %s, %s : tensor<2xf32>, tensor<2xf32>
  }
  %rsum, %rsteps = kiln.scan init(%zero : tensor<2xf32>) over(%xs : tensor<2x3xf32>) attributes {axis = 1 : i64, reverse = true} -> (tensor<2xf32>, tensor<2x3xf32>) {
  ^bb0(%acc: tensor<2xf32>, %x: tensor<2xf32>):
    %s = kiln.add %acc, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    kiln.yield %s, %s : tensor<2xf32>, tensor<2xf32>
  }
  return %sum, %steps, %rsum, %rsteps : tensor<2xf32>, tensor<2x3xf32>, tensor<2xf32>, tensor<2x3xf32>
}
// AXIS1: result0: tensor<2xf32>
// AXIS1-NEXT: [6, 15]
// AXIS1-NEXT: result1: tensor<2x3xf32>
// AXIS1-NEXT: {{\[\[}}1, 3, 6], [4, 9, 15]]
// AXIS1-NEXT: result2: tensor<2xf32>
// AXIS1-NEXT: [6, 15]
// AXIS1-NEXT: result3: tensor<2x3xf32>
// AXIS1-NEXT: {{\[\[}}6, 5, 3], [15, 11, 6]]

// No sequences: `length` sets the step count. A counter that emits its value
// before incrementing (by an outer constant): [0, 1, 2, 3], final 4; reversed,
// the first step executed is t = 3, so [3, 2, 1, 0]; length 0 returns init
// and an empty stack.
func.func @counter_length() -> (tensor<i32>, tensor<4xi32>, tensor<i32>, tensor<4xi32>, tensor<i32>, tensor<0xi32>) {
  %zero = kiln.constant dense<0> : tensor<i32>
  %one = kiln.constant dense<1> : tensor<i32>
  %n, %c = kiln.scan init(%zero : tensor<i32>) attributes {length = 4 : i64} -> (tensor<i32>, tensor<4xi32>) {
  ^bb0(%i: tensor<i32>):
    %next = kiln.add %i, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    kiln.yield %next, %i : tensor<i32>, tensor<i32>
  }
  %rn, %rc = kiln.scan init(%zero : tensor<i32>) attributes {length = 4 : i64, reverse = true} -> (tensor<i32>, tensor<4xi32>) {
  ^bb0(%i: tensor<i32>):
    %next = kiln.add %i, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    kiln.yield %next, %i : tensor<i32>, tensor<i32>
  }
  %en, %ec = kiln.scan init(%zero : tensor<i32>) attributes {length = 0 : i64} -> (tensor<i32>, tensor<0xi32>) {
  ^bb0(%i: tensor<i32>):
    %next = kiln.add %i, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    kiln.yield %next, %i : tensor<i32>, tensor<i32>
  }
  return %n, %c, %rn, %rc, %en, %ec : tensor<i32>, tensor<4xi32>, tensor<i32>, tensor<4xi32>, tensor<i32>, tensor<0xi32>
}
// COUNTER: result0: tensor<i32>
// COUNTER-NEXT: 4
// COUNTER-NEXT: result1: tensor<4xi32>
// COUNTER-NEXT: [0, 1, 2, 3]
// COUNTER-NEXT: result2: tensor<i32>
// COUNTER-NEXT: 4
// COUNTER-NEXT: result3: tensor<4xi32>
// COUNTER-NEXT: [3, 2, 1, 0]
// COUNTER-NEXT: result4: tensor<i32>
// COUNTER-NEXT: 0
// COUNTER-NEXT: result5: tensor<0xi32>
// COUNTER-NEXT: []

// Two carried values keep their order: (a, b) -> (b, a + b) emitting a, six
// steps from (0, 1): [0, 1, 1, 2, 3, 5], final (8, 13).
func.func @two_carried_fibonacci() -> (tensor<i64>, tensor<i64>, tensor<6xi64>) {
  %a0 = kiln.constant dense<0> : tensor<i64>
  %b0 = kiln.constant dense<1> : tensor<i64>
  %a, %b, %seq = kiln.scan init(%a0, %b0 : tensor<i64>, tensor<i64>) attributes {length = 6 : i64} -> (tensor<i64>, tensor<i64>, tensor<6xi64>) {
  ^bb0(%x: tensor<i64>, %y: tensor<i64>):
    %s = kiln.add %x, %y : (tensor<i64>, tensor<i64>) -> tensor<i64>
    kiln.yield %y, %s, %x : tensor<i64>, tensor<i64>, tensor<i64>
  }
  return %a, %b, %seq : tensor<i64>, tensor<i64>, tensor<6xi64>
}
// FIB: result0: tensor<i64>
// FIB-NEXT: 8
// FIB-NEXT: result1: tensor<i64>
// FIB-NEXT: 13
// FIB-NEXT: result2: tensor<6xi64>
// FIB-NEXT: [0, 1, 1, 2, 3, 5]

// Two sequences are sliced in lockstep (dot product [1,2,3].[4,5,6] = 32,
// per-step products [4, 10, 18]); per-step outputs keep their yield order.
func.func @two_sequences() -> (tensor<i32>, tensor<3xi32>, tensor<3xi32>) {
  %zero = kiln.constant dense<0> : tensor<i32>
  %xs = kiln.constant dense<[1, 2, 3]> : tensor<3xi32>
  %ys = kiln.constant dense<[4, 5, 6]> : tensor<3xi32>
  %dot, %prods, %copy = kiln.scan init(%zero : tensor<i32>) over(%xs, %ys : tensor<3xi32>, tensor<3xi32>) -> (tensor<i32>, tensor<3xi32>, tensor<3xi32>) {
  ^bb0(%acc: tensor<i32>, %x: tensor<i32>, %y: tensor<i32>):
    %p = kiln.mul %x, %y : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %s = kiln.add %acc, %p : (tensor<i32>, tensor<i32>) -> tensor<i32>
    kiln.yield %s, %p, %y : tensor<i32>, tensor<i32>, tensor<i32>
  }
  return %dot, %prods, %copy : tensor<i32>, tensor<3xi32>, tensor<3xi32>
}
// TWOSEQ: result0: tensor<i32>
// TWOSEQ-NEXT: 32
// TWOSEQ-NEXT: result1: tensor<3xi32>
// TWOSEQ-NEXT: [4, 10, 18]
// TWOSEQ-NEXT: result2: tensor<3xi32>
// TWOSEQ-NEXT: [4, 5, 6]

// A scan nested in a scan body uses the outer body's slice %x and the
// function's %w: each outer step adds 3 * x * w, so with w = 10 and
// xs = [1, 2]: per-step [30, 90], final 90.
func.func @nested_outer_values() -> (tensor<i32>, tensor<2xi32>) {
  %w = kiln.constant dense<10> : tensor<i32>
  %zero = kiln.constant dense<0> : tensor<i32>
  %xs = kiln.constant dense<[1, 2]> : tensor<2xi32>
  %total, %steps = kiln.scan init(%zero : tensor<i32>) over(%xs : tensor<2xi32>) -> (tensor<i32>, tensor<2xi32>) {
  ^bb0(%acc: tensor<i32>, %x: tensor<i32>):
    %inner = kiln.scan init(%acc : tensor<i32>) attributes {length = 3 : i64} -> (tensor<i32>) {
    ^bb0(%a: tensor<i32>):
      %t = kiln.mul %x, %w : (tensor<i32>, tensor<i32>) -> tensor<i32>
      %a2 = kiln.add %a, %t : (tensor<i32>, tensor<i32>) -> tensor<i32>
      kiln.yield %a2 : tensor<i32>
    }
    kiln.yield %inner, %inner : tensor<i32>, tensor<i32>
  }
  return %total, %steps : tensor<i32>, tensor<2xi32>
}
// NESTED: result0: tensor<i32>
// NESTED-NEXT: 90
// NESTED-NEXT: result1: tensor<2xi32>
// NESTED-NEXT: [30, 90]
