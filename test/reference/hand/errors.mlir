// Hand-written run-time error tests for the reference interpreter: each
// error is a clean diagnostic at the offending op (naming the bad index and
// the operands where there are some), prints no result, and kiln-run exits
// with status 2 (tools/kiln-run/kiln-run.cpp: "2 ... run-time error").
//
// RUN: not kiln-run %s --function gather_out_of_range --print 2>&1 | FileCheck %s --check-prefix=GATHER --implicit-check-not=result0
// RUN: sh -c 'kiln-run "$0" --function gather_out_of_range --print >/dev/null 2>&1; test $? -eq 2' %s
// RUN: not kiln-run %s --function gather_negative_out_of_range --print 2>&1 | FileCheck %s --check-prefix=GATHERNEG --implicit-check-not=result0
// RUN: sh -c 'kiln-run "$0" --function gather_negative_out_of_range --print >/dev/null 2>&1; test $? -eq 2' %s
// RUN: not kiln-run %s --function int_div_by_zero --print 2>&1 | FileCheck %s --check-prefix=DIVZERO --implicit-check-not=result0
// RUN: sh -c 'kiln-run "$0" --function int_div_by_zero --print >/dev/null 2>&1; test $? -eq 2' %s
// RUN: not kiln-run %s --function int_pow_negative --print 2>&1 | FileCheck %s --check-prefix=POWNEG --implicit-check-not=result0
// RUN: sh -c 'kiln-run "$0" --function int_pow_negative --print >/dev/null 2>&1; test $? -eq 2' %s
// RUN: not kiln-run %s --function resource_missing --print 2>&1 | FileCheck %s --check-prefix=RESMISSING --implicit-check-not=result0
// RUN: sh -c 'kiln-run "$0" --function resource_missing --print >/dev/null 2>&1; test $? -eq 2' %s
// RUN: kiln-run %s --function resource_present --print | FileCheck %s --match-full-lines --check-prefix=RESOK

// A gather index equal to the dimension (3 for size 3) is out of range [-3, 3).
func.func @gather_out_of_range() -> tensor<2xf32> {
  %p = kiln.constant dense<[1.5, 2.5, 3.5]> : tensor<3xf32>
  %i = kiln.constant dense<[0, 3]> : tensor<2xi32>
  %g = kiln.gather %p, %i : (tensor<3xf32>, tensor<2xi32>) -> tensor<2xf32>
  return %g : tensor<2xf32>
}
// GATHER: error: index 3 at position 1 of operand 'indices' is out of range [-3, 3) for dimension 0 of operand 'params'
// GATHER-NEXT: %g = kiln.gather

// A negative gather index below -dim (-4 for size 3) is out of range too.
func.func @gather_negative_out_of_range() -> tensor<2x1xi32> {
  %p = kiln.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %i = kiln.constant dense<[-4]> : tensor<1xi64>
  %g = kiln.gather %p, %i {axis = 1 : i64} : (tensor<2x3xi32>, tensor<1xi64>) -> tensor<2x1xi32>
  return %g : tensor<2x1xi32>
}
// GATHERNEG: error: index -4 at position 0 of operand 'indices' is out of range [-3, 3) for dimension 1 of operand 'params'
// GATHERNEG-NEXT: %g = kiln.gather

// Integer division by zero is a run-time error (floats give inf/NaN instead).
func.func @int_div_by_zero() -> tensor<2xi32> {
  %x = kiln.constant dense<[1, 2]> : tensor<2xi32>
  %y = kiln.constant dense<[1, 0]> : tensor<2xi32>
  %q = kiln.div %x, %y : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %q : tensor<2xi32>
}
// DIVZERO: error: integer division by zero
// DIVZERO-NEXT: %q = kiln.div

// An integer pow with a negative exponent has no integer result: an error.
func.func @int_pow_negative() -> tensor<1xi32> {
  %x = kiln.constant dense<[2]> : tensor<1xi32>
  %e = kiln.constant dense<[-1]> : tensor<1xi32>
  %p = kiln.pow %x, %e : (tensor<1xi32>, tensor<1xi32>) -> tensor<1xi32>
  return %p : tensor<1xi32>
}
// POWNEG: error: {{.*}}negative integer exponent
// POWNEG-NEXT: %p = kiln.pow

// A dense_resource whose blob is absent from the dialect_resources section.
func.func @resource_missing() -> tensor<2xf32> {
  %c = kiln.constant dense_resource<missing_blob> : tensor<2xf32>
  return %c : tensor<2xf32>
}
// RESMISSING: error: dense_resource 'missing_blob' has no data
// RESMISSING-NEXT: %c = kiln.constant dense_resource<missing_blob>

// Control: a dense_resource present in the file reads back (f32 1.5, 2.5
// little-endian after the 4-byte alignment prefix).
func.func @resource_present() -> tensor<2xf32> {
  %c = kiln.constant dense_resource<present_blob> : tensor<2xf32>
  return %c : tensor<2xf32>
}
// RESOK: result0: tensor<2xf32>
// RESOK-NEXT: [1.5, 2.5]

{-#
  dialect_resources: {
    builtin: {
      present_blob: "0x040000000000C03F00002040"
    }
  }
#-}
