// kiln.pool2d_grad compiled equals the interpreter when the windows tile
// the input (the elementwise lowering; uncovered rows and columns get
// zeros) and when they overlap or are padded (the general lowering, also in
// conv-gradients.mlir).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/a.npy f32 2,11,11,3 "math.sin(k * 1.7)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/b.npy f32 2,5,5,3 "math.cos(k)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/c.npy f32 2,3,11,10 "math.sin(k * 2.3)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/d.npy f32 2,3,3,5 "k * 0.1"
// RUN: kiln-compile %s -q -o %t/pool.so
// RUN: kiln-run %s -f mx -i %t/a.npy -i %t/b.npy -o %t/mx > /dev/null
// RUN: kiln-run %t/pool.so -f mx -i %t/a.npy -i %t/b.npy --expect %t/mx/result0.npy --rtol 1e-6 --atol 1e-7 | FileCheck %s
// RUN: kiln-run %s -f av -i %t/c.npy -i %t/d.npy -o %t/av > /dev/null
// RUN: kiln-run %t/pool.so -f av -i %t/c.npy -i %t/d.npy --expect %t/av/result0.npy --rtol 1e-6 --atol 1e-7 | FileCheck %s
// RUN: kiln-run %s -f mxc -i %t/c.npy -i %t/d.npy -o %t/mxc > /dev/null
// RUN: kiln-run %t/pool.so -f mxc -i %t/c.npy -i %t/d.npy --expect %t/mxc/result0.npy --rtol 1e-6 --atol 1e-7 | FileCheck %s
// CHECK: result0: matches expected

func.func @mx(%x: tensor<2x11x11x3xf32>, %g: tensor<2x5x5x3xf32>) -> tensor<2x11x11x3xf32> {
  %0 = kiln.pool2d_grad %x, %g {mode = "max", kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : (tensor<2x11x11x3xf32>, tensor<2x5x5x3xf32>) -> tensor<2x11x11x3xf32>
  return %0 : tensor<2x11x11x3xf32>
}
func.func @av(%x: tensor<2x3x11x10xf32>, %g: tensor<2x3x3x5xf32>) -> tensor<2x3x11x10xf32> {
  %0 = kiln.pool2d_grad %x, %g {mode = "avg", kernel_size = array<i64: 3, 2>, strides = array<i64: 3, 2>, data_format = "NCHW"}
      : (tensor<2x3x11x10xf32>, tensor<2x3x3x5xf32>) -> tensor<2x3x11x10xf32>
  return %0 : tensor<2x3x11x10xf32>
}
func.func @mxc(%x: tensor<2x3x11x10xf32>, %g: tensor<2x3x3x5xf32>) -> tensor<2x3x11x10xf32> {
  %0 = kiln.pool2d_grad %x, %g {mode = "max", kernel_size = array<i64: 3, 2>, strides = array<i64: 3, 2>, data_format = "NCHW"}
      : (tensor<2x3x11x10xf32>, tensor<2x3x3x5xf32>) -> tensor<2x3x11x10xf32>
  return %0 : tensor<2x3x11x10xf32>
}
