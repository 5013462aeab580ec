// Compiled gradients of convolutions (strided, padded, dilated), max and
// average pooling (kiln.pool2d_grad) and an embedding (kiln.scatter_add)
// equal the interpreter's.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/x.npy f32 2,9,9,2 "math.sin(k * 0.61)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/y.npy i64 2 "k + 1"
// RUN: kiln-opt --kiln-train-step="gradients=true" %s -o %t/train.mlir
// RUN: kiln-run %t/train.mlir -f gradients -i x=%t/x.npy -i y=%t/y.npy -o %t/ref > /dev/null
// RUN: kiln-compile %t/train.mlir -q -o %t/train.so
// RUN: kiln-run %t/train.so -f gradients -i x=%t/x.npy -i y=%t/y.npy --rtol 1e-4 --atol 1e-6 \
// RUN:   --expect loss=%t/ref/loss.npy --expect d_c1/kernel=%t/ref/d_c1_kernel.npy \
// RUN:   --expect d_c1/bias=%t/ref/d_c1_bias.npy --expect d_c2/kernel=%t/ref/d_c2_kernel.npy \
// RUN:   --expect d_d/kernel=%t/ref/d_d_kernel.npy --expect d_e/embeddings=%t/ref/d_e_embeddings.npy \
// RUN:   | FileCheck %s
// CHECK-COUNT-6: matches expected
// The same for cuda, emulated on this CPU: the convolution gradients are
// cuDNN's backward calls there (here the runtime's reference loops behind
// the same descriptors), the dilated one's input gradient included.
// RUN: kiln-compile %t/train.mlir --target=cuda --cuda-emulation -q -o %t/cuda.so
// RUN: kiln-run %t/cuda.so -f gradients -i x=%t/x.npy -i y=%t/y.npy --rtol 1e-4 --atol 1e-6 \
// RUN:   --expect loss=%t/ref/loss.npy --expect d_c1/kernel=%t/ref/d_c1_kernel.npy \
// RUN:   --expect d_c1/bias=%t/ref/d_c1_bias.npy --expect d_c2/kernel=%t/ref/d_c2_kernel.npy \
// RUN:   --expect d_d/kernel=%t/ref/d_d_kernel.npy --expect d_e/embeddings=%t/ref/d_e_embeddings.npy \
// RUN:   | FileCheck %s --check-prefix=CUDA
// CUDA-COUNT-6: matches expected
// RUN: kiln-compile %t/train.mlir --target=cuda --emit=mlir -q -o %t/cuda.mlir
// RUN: FileCheck %s --check-prefix=CALLS < %t/cuda.mlir
// Forward: two convolutions; gradients: two filter gradients and c2's
// input gradient, all cuDNN calls (no gradient left as a kernel).
// CALLS-LABEL: func.func @gradients(
// CALLS-COUNT-5: call @__kiln_cuda_conv(
// CALLS-NOT: call @__kiln_cuda_conv(
// CALLS: return

func.func @predict(%x: tensor<2x9x9x2xf32> {kiln.name = "x"}) -> (tensor<2x4xf32> {kiln.name = "p"}) {
  %w1 = kiln.constant dense<[[[[0.3, -0.2, 0.1], [0.05, 0.2, -0.3]], [[-0.1, 0.4, 0.2], [0.3, -0.1, 0.15]], [[0.2, 0.1, -0.25], [-0.2, 0.3, 0.1]]],
                             [[[0.1, 0.2, 0.3], [-0.3, 0.1, 0.2]], [[0.25, -0.15, 0.05], [0.1, 0.1, -0.1]], [[-0.2, 0.3, 0.2], [0.15, -0.25, 0.3]]],
                             [[[0.2, -0.3, 0.1], [0.1, 0.2, 0.05]], [[-0.1, 0.2, 0.3], [0.2, -0.2, 0.1]], [[0.3, 0.1, -0.1], [-0.05, 0.15, 0.2]]]]> : tensor<3x3x2x3xf32> loc("c1/Conv2D")
  %b1 = kiln.constant dense<[0.01, -0.02, 0.03]> : tensor<3xf32> loc("c1/BiasAdd")
  %w2 = kiln.constant dense<0.125> : tensor<2x2x3x4xf32> loc("c2/Conv2D")
  %d = kiln.constant dense<[[0.1, -0.2, 0.3, 0.05], [0.2, 0.1, -0.1, 0.3], [-0.3, 0.2, 0.1, 0.1], [0.05, 0.3, -0.2, 0.2]]> : tensor<4x4xf32> loc("d/MatMul")
  %e = kiln.constant dense<[[0.1, 0.2, 0.3, 0.4], [-0.1, 0.5, 0.2, 0.1], [0.3, -0.3, 0.1, 0.2]]> : tensor<3x4xf32> loc("e/embedding_lookup")
  %ids = kiln.constant dense<[1, 2]> : tensor<2xi64>
  %0 = kiln.conv2d %x, %w1 {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x9x9x2xf32>, tensor<3x3x2x3xf32>) -> tensor<2x5x5x3xf32> loc("c1/Conv2D")
  %1 = kiln.add %0, %b1 : (tensor<2x5x5x3xf32>, tensor<3xf32>) -> tensor<2x5x5x3xf32> loc("c1/BiasAdd")
  %2 = kiln.relu %1 : tensor<2x5x5x3xf32>
  %3 = kiln.max_pool2d %2 {kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<2x5x5x3xf32>) -> tensor<2x5x5x3xf32>
  %4 = kiln.conv2d %3, %w2 {dilations = array<i64: 2, 2>}
      : (tensor<2x5x5x3xf32>, tensor<2x2x3x4xf32>) -> tensor<2x3x3x4xf32> loc("c2/Conv2D")
  %5 = kiln.avg_pool2d %4 {kernel_size = array<i64: 3, 3>, strides = array<i64: 3, 3>}
      : (tensor<2x3x3x4xf32>) -> tensor<2x1x1x4xf32>
  %6 = kiln.reshape %5 {shape = array<i64: 2, 4>} : (tensor<2x1x1x4xf32>) -> tensor<2x4xf32>
  %7 = kiln.matmul %6, %d : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32> loc("d/MatMul")
  %g = kiln.gather %e, %ids : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2x4xf32> loc("e/embedding_lookup")
  %8 = kiln.add %7, %g : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %9 = kiln.softmax %8 : tensor<2x4xf32>
  return %9 : tensor<2x4xf32>
}
