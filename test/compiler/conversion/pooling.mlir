// The lowering of max and average pooling to linalg, and (second RUN line)
// that each lowers all the way to the LLVM dialect.
// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-lower-to-llvm --split-input-file | FileCheck %s --check-prefix=LLVM --implicit-check-not="{{(kiln|linalg|tensor|memref|bufferization|arith|math|scf)\.[a-z_]+ ?[%{(:]}}"

// Unpadded NHWC max pooling is a generic over a -inf-filled result (window
// loops inside, channels innermost), the window a shape-only [2, 2] tensor;
// no tensor.pad.
// CHECK-LABEL: func.func @max_nhwc(
// CHECK-NOT:   tensor.pad
// CHECK:       %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:       %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<1x13x13x32xf32>)
// CHECK:       %[[WIN:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK:       %[[R:.*]] = linalg.generic {indexing_maps = [{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
// CHECK-SAME:      ins(%arg0, %[[WIN]] : tensor<1x26x26x32xf32>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<1x13x13x32xf32>)
// CHECK:       return %[[R]]
// LLVM-LABEL:  llvm.func @max_nhwc(
func.func @max_nhwc(%x: tensor<1x26x26x32xf32>) -> tensor<1x13x13x32xf32> {
  %y = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x26x26x32xf32>) -> tensor<1x13x13x32xf32>
  return %y : tensor<1x13x13x32xf32>
}

// -----

// Padded NCHW max pooling keeps the layout and pads H
// and W [top, bottom, left, right] with -inf, so padding never wins.
// CHECK-LABEL: func.func @max_nchw_padded(
// CHECK:       %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:       %[[P:.*]] = tensor.pad %arg0 low[0, 0, 1, 0] high[0, 0, 2, 1]
// CHECK:         tensor.yield %[[NEGINF]] : f32
// CHECK:       } : tensor<1x2x5x5xf32> to tensor<1x2x8x6xf32>
// CHECK:       linalg.generic {indexing_maps = [{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
// CHECK-SAME:      ins(%[[P]], %{{.*}} : tensor<1x2x8x6xf32>, tensor<3x3xf32>) outs(%{{.*}} : tensor<1x2x3x4xf32>)
// LLVM-LABEL:  llvm.func @max_nchw_padded(
func.func @max_nchw_padded(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x4xf32> {
  %y = kiln.max_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 1>, padding = array<i64: 1, 2, 0, 1>, data_format = "NCHW"} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x4xf32>
  return %y : tensor<1x2x3x4xf32>
}

// -----

// Unpadded average pooling: a window sum (generic) from 0, then a division by the
// window size, a constant.
// CHECK-LABEL: func.func @avg_nhwc(
// CHECK-NOT:   tensor.pad
// CHECK:       %[[SUM:.*]] = linalg.generic {indexing_maps = [{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
// CHECK-SAME:      ins(%arg0, %{{.*}} : tensor<1x8x8x16xf32>, tensor<2x2xf32>)
// CHECK:       linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x4x4x16xf32>)
// CHECK-NOT:     linalg.index
// CHECK:         %[[N:.*]] = arith.constant 4.000000e+00 : f32
// CHECK:         arith.divf %{{.*}}, %[[N]] : f32
// LLVM-LABEL:  llvm.func @avg_nhwc(
func.func @avg_nhwc(%x: tensor<1x8x8x16xf32>) -> tensor<1x4x4x16xf32> {
  %y = kiln.avg_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x8x16xf32>) -> tensor<1x4x4x16xf32>
  return %y : tensor<1x4x4x16xf32>
}

// -----

// Padded average pooling without count_include_pad (the default) pads with
// 0 and divides each window's sum by the number of input positions in it:
// per spatial dimension, [o·s, o·s + k) ∩ [pad_lo, pad_lo + in) in padded
// coordinates, from the output indices (d2 = H, d3 = W in NCHW).
// CHECK-LABEL: func.func @avg_nchw_exclude_pad(
// CHECK:       %[[P:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:       } : tensor<1x2x5x5xf32> to tensor<1x2x7x7xf32>
// CHECK:       %[[SUM:.*]] = linalg.generic {indexing_maps = [{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
// CHECK-SAME:      ins(%[[P]], %{{.*}} : tensor<1x2x7x7xf32>, tensor<3x3xf32>)
// CHECK:       linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x2x3x3xf32>)
// CHECK:         %[[OH:.*]] = linalg.index 2 : index
// CHECK:         %[[S:.*]] = arith.constant 2 : index
// CHECK:         %[[START:.*]] = arith.muli %[[OH]], %[[S]] : index
// CHECK:         %[[K:.*]] = arith.constant 3 : index
// CHECK:         %[[END:.*]] = arith.addi %[[START]], %[[K]] : index
// CHECK:         %[[LO:.*]] = arith.constant 1 : index
// CHECK:         %[[FIRST:.*]] = arith.maxsi %[[START]], %[[LO]] : index
// CHECK:         %[[HI:.*]] = arith.constant 6 : index
// CHECK:         %[[LAST:.*]] = arith.minsi %[[END]], %[[HI]] : index
// CHECK:         %[[ROWS:.*]] = arith.subi %[[LAST]], %[[FIRST]] : index
// CHECK:         linalg.index 3 : index
// CHECK:         %[[COLS:.*]] = arith.subi
// CHECK:         %[[COUNT:.*]] = arith.muli %[[ROWS]], %[[COLS]] : index
// CHECK:         %[[C64:.*]] = arith.index_cast %[[COUNT]] : index to i64
// CHECK:         %[[CF:.*]] = arith.sitofp %[[C64]] : i64 to f32
// CHECK:         arith.divf %{{.*}}, %[[CF]] : f32
// LLVM-LABEL:  llvm.func @avg_nchw_exclude_pad(
func.func @avg_nchw_exclude_pad(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %y = kiln.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, data_format = "NCHW"} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// With count_include_pad the divisor is the full window size even where
// the window covers padding.
// CHECK-LABEL: func.func @avg_include_pad(
// CHECK:       tensor.pad %arg0 low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:       linalg.generic {indexing_maps = [{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
// CHECK:       linalg.generic
// CHECK-NOT:     linalg.index
// CHECK:         %[[N:.*]] = arith.constant 9.000000e+00 : f32
// CHECK:         arith.divf %{{.*}}, %[[N]] : f32
// LLVM-LABEL:  llvm.func @avg_include_pad(
func.func @avg_include_pad(%x: tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32> {
  %y = kiln.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32>
  return %y : tensor<1x3x3x2xf32>
}

// -----

// f16 average pooling sums into f32 (the named op extends each element) and
// rounds the quotient back to f16.
// CHECK-LABEL: func.func @avg_f16(
// CHECK:       %[[SUM:.*]] = linalg.generic {indexing_maps = [{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
// CHECK-SAME:      ins(%arg0, %{{.*}} : tensor<1x4x4x8xf16>, tensor<2x2xf16>) outs(%{{.*}} : tensor<1x2x2x8xf32>)
// CHECK:       linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x2x2x8xf32>) outs(%{{.*}} : tensor<1x2x2x8xf16>)
// CHECK:         %[[Q:.*]] = arith.divf
// CHECK:         arith.truncf %[[Q]] : f32 to f16
// LLVM-LABEL:  llvm.func @avg_f16(
func.func @avg_f16(%x: tensor<1x4x4x8xf16>) -> tensor<1x2x2x8xf16> {
  %y = kiln.avg_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x4x8xf16>) -> tensor<1x2x2x8xf16>
  return %y : tensor<1x2x2x8xf16>
}
