// RUN: kiln-opt %s --kiln-fold-constants --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-fold-constants=max-elements=4 --split-input-file | FileCheck %s --check-prefix=CAP

// A chain of ops on constants folds in one sweep to the value it computes.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[5.000000e+00, 7.000000e+00, 9.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @chain() -> tensor<3xf32> {
  %a = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b = kiln.constant dense<[4.0, 5.0, 6.0]> : tensor<3xf32>
  %s = kiln.add %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %t = kiln.sub %s, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %u = kiln.add %t, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %u : tensor<3xf32>
}

// -----

// A transpose and a matmul of constants fold; the operands go away.
// CHECK-LABEL: func.func @matmul_transpose
// [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]]
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[\[}}1.900000e+01, 2.200000e+01], [4.300000e+01, 5.000000e+01]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @matmul_transpose() -> tensor<2x2xf32> {
  %a = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<[[5.0, 7.0], [6.0, 8.0]]> : tensor<2x2xf32>
  %bt = kiln.transpose %b {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %m = kiln.matmul %a, %bt : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %m : tensor<2x2xf32>
}

// -----

// dense_resource weights fold too, and a large result stays a blob.
// CHECK-LABEL: func.func @resource
// CHECK-NEXT: kiln.constant dense_resource<folded0> : tensor<4x5xf32>
// CHECK-NEXT: return
// The transposed blob's first row is w[:, 0] = 1, 5, 9, 13, 17.
// CHECK: folded0: "0x080000000000803F0000A040000010410000504100008841
// CAP-LABEL: func.func @resource
// CAP: kiln.transpose
func.func @resource() -> tensor<4x5xf32> {
  %w = kiln.constant dense_resource<w> : tensor<5x4xf32>
  %t = kiln.transpose %w {perm = array<i64: 1, 0>} : (tensor<5x4xf32>) -> tensor<4x5xf32>
  return %t : tensor<4x5xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A041"
    }
  }
#-}

// -----

// Does not fold an op with a non-constant operand.
// CHECK-LABEL: func.func @not_constant
// CHECK: kiln.add %arg0
func.func @not_constant(%x: tensor<3xf32>) -> tensor<3xf32> {
  %a = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %s = kiln.add %x, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %s : tensor<3xf32>
}

// -----

// Does not fold a kiln.scan, even over constants (loops are left to code
// generation), and does not fold past max-elements.
// CHECK-LABEL: func.func @scan_and_cap
// CHECK: kiln.scan
// CHECK: kiln.constant dense<2.000000e+00> : tensor<6xf32>
// CAP-LABEL: func.func @scan_and_cap
// CAP: kiln.scan
// CAP: kiln.mul
func.func @scan_and_cap() -> (tensor<2xf32>, tensor<6xf32>) {
  %h0 = kiln.constant dense<0.0> : tensor<2xf32>
  %xs = kiln.constant dense<1.0> : tensor<3x2xf32>
  %h = kiln.scan init(%h0 : tensor<2xf32>) over(%xs : tensor<3x2xf32>) -> (tensor<2xf32>) {
  ^bb0(%c: tensor<2xf32>, %x: tensor<2xf32>):
    %n = kiln.add %c, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    kiln.yield %n : tensor<2xf32>
  }
  %o = kiln.constant dense<1.0> : tensor<6xf32>
  %t = kiln.constant dense<2.0> : tensor<6xf32>
  %m = kiln.mul %o, %t : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
  return %h, %m : tensor<2xf32>, tensor<6xf32>
}

// -----

// An evaluation error (a gather index out of range) leaves the op in place.
// CHECK-LABEL: func.func @evaluation_error
// CHECK: kiln.gather
func.func @evaluation_error() -> tensor<1xf32> {
  %p = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %i = kiln.constant dense<[5]> : tensor<1xi32>
  %g = kiln.gather %p, %i : (tensor<2xf32>, tensor<1xi32>) -> tensor<1xf32>
  return %g : tensor<1xf32>
}

// -----

// A result mixing +0.0 and -0.0 is not a splat: the sign of zero survives
// folding (1/x would turn it into +inf and -inf).
// CHECK-LABEL: func.func @signed_zeros
// CHECK-NEXT: kiln.constant dense<[0.000000e+00, -0.000000e+00]> : tensor<2xf32>
func.func @signed_zeros() -> tensor<2xf32> {
  %z = kiln.constant dense<[0.0, -0.0]> : tensor<2xf32>
  %o = kiln.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %m = kiln.mul %z, %o : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %m : tensor<2xf32>
}
