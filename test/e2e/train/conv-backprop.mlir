// Compiled convolution gradients (kiln.conv2d_backprop_input/_filter)
// equal the interpreter's for each lowering: matmul + col2im / im2col
// columns (NHWC and NCHW/OIHW, strided, padded, dilated, few and many
// input channels) and the direct loops of grouped and depthwise
// convolutions.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-opt --kiln-autodiff %s -o %t/vjp.mlir
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/x1.npy f32 2,9,8,12 "math.sin(k * 0.37)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w1.npy f32 3,3,12,5 "math.cos(k * 0.11)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/g1.npy f32 2,5,4,5 "math.sin(k * 0.23 + 1)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/x2.npy f32 2,10,7,7 "math.sin(k * 0.29)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w2.npy f32 4,10,2,3 "math.cos(k * 0.13)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/g2.npy f32 2,4,5,3 "math.sin(k * 0.31 + 2)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/x3.npy f32 2,6,6,4 "math.sin(k * 0.41)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w3.npy f32 3,3,2,6 "math.cos(k * 0.17)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/g3.npy f32 2,3,3,6 "math.sin(k * 0.19 + 3)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/x4.npy f32 1,3,6,6 "math.sin(k * 0.43)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w4.npy f32 6,1,3,3 "math.cos(k * 0.07)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/g4.npy f32 1,6,4,4 "math.sin(k * 0.53 + 4)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/x5.npy f32 2,7,7,3 "math.sin(k * 0.47)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w5.npy f32 3,3,3,4 "math.cos(k * 0.21)"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/g5.npy f32 2,3,3,4 "math.sin(k * 0.37 + 5)"
// RUN: kiln-compile %t/vjp.mlir -q -o %t/vjp.so
// RUN: for f in nhwc_many_channels nchw_oihw grouped depthwise_nchw few_channels_strided; do \
// RUN:   case $f in nhwc_many_channels) n=1;; nchw_oihw) n=2;; grouped) n=3;; depthwise_nchw) n=4;; few_channels_strided) n=5;; esac; \
// RUN:   kiln-run %t/vjp.mlir -f ${f}_vjp -i %t/x$n.npy -i %t/w$n.npy -i %t/g$n.npy -o %t/ref_$f > /dev/null && \
// RUN:   kiln-run %t/vjp.so -f ${f}_vjp -i %t/x$n.npy -i %t/w$n.npy -i %t/g$n.npy --rtol 1e-4 --atol 1e-5 \
// RUN:     --expect d_arg0=%t/ref_$f/d_arg0.npy --expect d_arg1=%t/ref_$f/d_arg1.npy || exit 1; \
// RUN: done | FileCheck %s
// CHECK-COUNT-10: matches expected

// im2col rows × channels: the filter gradient is colsᵀ · dy.
func.func @nhwc_many_channels(%x: tensor<2x9x8x12xf32>, %w: tensor<3x3x12x5xf32>) -> tensor<2x5x4x5xf32> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 0>}
      : (tensor<2x9x8x12xf32>, tensor<3x3x12x5xf32>) -> tensor<2x5x4x5xf32>
  return %0 : tensor<2x5x4x5xf32>
}

func.func @nchw_oihw(%x: tensor<2x10x7x7xf32>, %w: tensor<4x10x2x3xf32>) -> tensor<2x4x5x3xf32> {
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 2, 1>, strides = array<i64: 1, 2>, padding = array<i64: 0, 0, 0, 0>,
                           data_format = "NCHW", filter_format = "OIHW"}
      : (tensor<2x10x7x7xf32>, tensor<4x10x2x3xf32>) -> tensor<2x4x5x3xf32>
  return %0 : tensor<2x4x5x3xf32>
}

func.func @grouped(%x: tensor<2x6x6x4xf32>, %w: tensor<3x3x2x6xf32>) -> tensor<2x3x3x6xf32> {
  %0 = kiln.conv2d %x, %w {groups = 2 : i64, strides = array<i64: 2, 2>, padding = array<i64: 1, 0, 1, 0>}
      : (tensor<2x6x6x4xf32>, tensor<3x3x2x6xf32>) -> tensor<2x3x3x6xf32>
  return %0 : tensor<2x3x3x6xf32>
}

func.func @depthwise_nchw(%x: tensor<1x3x6x6xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %0 = kiln.conv2d %x, %w {groups = 3 : i64, dilations = array<i64: 1, 2>, padding = array<i64: 0, 0, 1, 1>,
                           data_format = "NCHW", filter_format = "OIHW"}
      : (tensor<1x3x6x6xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// Depth-major columns (fewer than 8 input channels).
func.func @few_channels_strided(%x: tensor<2x7x7x3xf32>, %w: tensor<3x3x3x4xf32>) -> tensor<2x3x3x4xf32> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 1, 0, 1, 0>}
      : (tensor<2x7x7x3xf32>, tensor<3x3x3x4xf32>) -> tensor<2x3x3x4xf32>
  return %0 : tensor<2x3x3x4xf32>
}
