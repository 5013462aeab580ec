// kiln.scatter_add (an embedding's gradient) on the cuda target: the
// updates of each row form a list in the updates' order, walked by one
// thread per result element (convert-kiln-to-linalg's parallel-scatter).
// It adds what the CPU's loop adds in the same order, so the two artifacts
// agree bit for bit: repeated indices, negative ones (wrapped), rows no index
// reaches (row 6 of 12), along axis 0 and axis 1, with
// updates of mixed magnitudes (where the order of the additions shows);
// and, where the lists would be more work (a table of two rows, sixteen
// updates), each result element scanning all the updates.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/ids.npy i32 20 "((k * 7) % 11) - 5"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/u0.npy f32 20,5 "math.sin(k * 0.37) * 10 ** (k % 5 - 2)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/u1.npy f32 3,20,4 "math.cos(k * 0.53) * 10 ** (k % 7 - 3)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/pairs.npy i32 16 "(k * 5) % 4 - 2"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/u2.npy f32 16,1 "math.sin(k * 0.91) * 10 ** (k % 6 - 3)"
// RUN: kiln-run %s -f scatter -i ids=%t/ids.npy -i u0=%t/u0.npy -i u1=%t/u1.npy -i pairs=%t/pairs.npy -i u2=%t/u2.npy -o %t/ref > /dev/null
// RUN: kiln-compile %s -q -o %t/cpu.so
// RUN: kiln-run %t/cpu.so -f scatter -i ids=%t/ids.npy -i u0=%t/u0.npy -i u1=%t/u1.npy -i pairs=%t/pairs.npy -i u2=%t/u2.npy -o %t/cpu \
// RUN:   --expect rows=%t/ref/rows.npy --expect cols=%t/ref/cols.npy --expect two=%t/ref/two.npy --rtol 1e-6 --atol 1e-7 > /dev/null
// RUN: kiln-compile %s --target=cuda --cuda-emulation -q -o %t/cuda.so
// RUN: kiln-run %t/cuda.so -f scatter -i ids=%t/ids.npy -i u0=%t/u0.npy -i u1=%t/u1.npy -i pairs=%t/pairs.npy -i u2=%t/u2.npy \
// RUN:   --expect rows=%t/cpu/rows.npy --expect cols=%t/cpu/cols.npy --expect two=%t/cpu/two.npy --rtol 0 --atol 0 | FileCheck %s
// CHECK: rows: matches expected (max |diff| 0)
// CHECK: cols: matches expected (max |diff| 0)
// CHECK: two: matches expected (max |diff| 0)
// The kernels that build the lists and walk them.
// RUN: kiln-compile %s --target=cuda --emit=mlir -q -o %t/cuda.mlir
// RUN: FileCheck %s --check-prefix=KERNELS < %t/cuda.mlir
// KERNELS: gpu.module @kiln_kernels
// KERNELS: scf.while
func.func @scatter(%ids: tensor<20xi32> {kiln.name = "ids"},
                   %u0: tensor<20x5xf32> {kiln.name = "u0"},
                   %u1: tensor<3x20x4xf32> {kiln.name = "u1"},
                   %pairs: tensor<16xi32> {kiln.name = "pairs"},
                   %u2: tensor<16x1xf32> {kiln.name = "u2"})
    -> (tensor<12x5xf32> {kiln.name = "rows"}, tensor<3x6x4xf32> {kiln.name = "cols"},
        tensor<2x1xf32> {kiln.name = "two"}) {
  %r = kiln.scatter_add %ids, %u0 {shape = array<i64: 12, 5>}
      : (tensor<20xi32>, tensor<20x5xf32>) -> tensor<12x5xf32>
  %c = kiln.scatter_add %ids, %u1 {shape = array<i64: 3, 6, 4>, axis = 1 : i64}
      : (tensor<20xi32>, tensor<3x20x4xf32>) -> tensor<3x6x4xf32>
  %t = kiln.scatter_add %pairs, %u2 {shape = array<i64: 2, 1>}
      : (tensor<16xi32>, tensor<16x1xf32>) -> tensor<2x1xf32>
  return %r, %c, %t : tensor<12x5xf32>, tensor<3x6x4xf32>, tensor<2x1xf32>
}
