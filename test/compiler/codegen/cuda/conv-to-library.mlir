// kiln-cuda-conv-to-library: f32 convolutions on dense buffers become
// kiln_conv_t descriptors (23 x i64 on the stack) handed to host->conv
// (field 8), which runs them with cuDNN.
// RUN: kiln-opt --kiln-cuda-conv-to-library %s | FileCheck %s
// RUN: kiln-opt --kiln-cuda-conv-to-library="allow-tf32=true" %s | FileCheck %s --check-prefix=TF32

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d3)>

// What bufferization makes of tensor.pad + conv + bias + ReLU: the padded
// copy, the output's zero fill and the epilogue all go; the call reads the
// unpadded input with padding 1 and writes the epilogue's output.
// CHECK-LABEL: func.func @same_bias_relu(
// CHECK: %[[DESC:.*]] = llvm.alloca %{{.*}} x !llvm.array<23 x i64>
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.
// CHECK-NOT: memref.copy
// flags 0, activation RELU (1)
// CHECK: %[[FLAGS:.*]] = arith.constant 0 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 0]
// CHECK: arith.constant 1 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 1]
// n, h, w, c = 2, 8, 8, 3; o, kh, kw = 4, 3, 3; oh, ow = 8, 8
// CHECK: arith.constant 2 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 2]
// CHECK: arith.constant 8 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 3]
// CHECK: arith.constant 3 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 5]
// CHECK: arith.constant 4 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 6]
// pad top, bottom, left, right = 1
// CHECK: arith.constant 1 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 11]
// CHECK: arith.constant 1 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 12]
// CHECK: arith.constant 1 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 13]
// CHECK: arith.constant 1 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 14]
// The input is %arg0 (unpadded), the filter %arg1, the output %arg3 (the
// epilogue's), the bias %arg2.
// CHECK: memref.extract_strided_metadata %arg0
// CHECK: llvm.getelementptr %{{.*}}[0, 19]
// CHECK: memref.extract_strided_metadata %arg1
// CHECK: llvm.getelementptr %{{.*}}[0, 20]
// CHECK: memref.extract_strided_metadata %arg3
// CHECK: llvm.getelementptr %{{.*}}[0, 21]
// CHECK: memref.extract_strided_metadata %arg2
// CHECK: llvm.getelementptr %{{.*}}[0, 22]
// CHECK: call @__kiln_cuda_conv(%arg5, %[[DESC]])
// CHECK-NEXT: return
// TF32-LABEL: func.func @same_bias_relu(
// TF32: arith.constant 2 : i64
// TF32-NEXT: llvm.getelementptr %{{.*}}[0, 0]
func.func @same_bias_relu(%x: memref<2x8x8x3xf32>, %w: memref<4x3x3x3xf32>,
                          %b: memref<4xf32>, %y: memref<2x8x8x4xf32>,
                          %arena: memref<0xi8> {kiln.abi = "arena"},
                          %host: !llvm.ptr {kiln.abi = "host"}) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() {alignment = 64 : i64} : memref<2x10x10x3xf32>
  linalg.map outs(%padded : memref<2x10x10x3xf32>)
    () {
      linalg.yield %zero : f32
    }
  %inner = memref.reinterpret_cast %padded to offset: [33], sizes: [2, 8, 8, 3], strides: [300, 30, 3, 1] : memref<2x10x10x3xf32> to memref<2x8x8x3xf32, strided<[300, 30, 3, 1], offset: 33>>
  memref.copy %x, %inner : memref<2x8x8x3xf32> to memref<2x8x8x3xf32, strided<[300, 30, 3, 1], offset: 33>>
  %c = memref.alloc() {alignment = 64 : i64} : memref<2x8x8x4xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<2x8x8x4xf32>)
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%padded, %w : memref<2x10x10x3xf32>, memref<4x3x3x3xf32>) outs(%c : memref<2x8x8x4xf32>)
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%c, %b : memref<2x8x8x4xf32>, memref<4xf32>) outs(%y : memref<2x8x8x4xf32>) {
  ^bb0(%v: f32, %bias: f32, %out: f32):
    %s = arith.addf %v, %bias : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// Asymmetric padding (TensorFlow's SAME with stride 2): cuDNN pads
// symmetrically, so the padded copy stays and the call reads it with
// padding 0. No zero fill before the call: it accumulates (flags 1), and
// no epilogue is fused.
// CHECK-LABEL: func.func @asymmetric_accumulate(
// CHECK: memref.alloc() {{.*}} : memref<1x9x9x2xf32>
// CHECK: linalg.map
// CHECK: memref.copy
// CHECK: arith.constant 1 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 0]
// CHECK: arith.constant 0 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 1]
// h, w = 9 (the padded buffer's)
// CHECK: arith.constant 9 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 3]
// CHECK: arith.constant 0 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 11]
// CHECK: arith.constant 0 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 12]
// strides 2
// CHECK: arith.constant 2 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 15]
// CHECK: memref.extract_strided_metadata %alloc
// CHECK: llvm.getelementptr %{{.*}}[0, 19]
// CHECK: arith.constant 0 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 22]
// CHECK: call @__kiln_cuda_conv
// CHECK-NOT: linalg.conv
func.func @asymmetric_accumulate(%x: memref<1x8x8x2xf32>, %w: memref<5x3x3x2xf32>,
                                 %y: memref<1x4x4x5xf32>,
                                 %arena: memref<0xi8> {kiln.abi = "arena"},
                                 %host: !llvm.ptr {kiln.abi = "host"}) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() {alignment = 64 : i64} : memref<1x9x9x2xf32>
  linalg.map outs(%padded : memref<1x9x9x2xf32>)
    () {
      linalg.yield %zero : f32
    }
  %inner = memref.reinterpret_cast %padded to offset: [0], sizes: [1, 8, 8, 2], strides: [162, 18, 2, 1] : memref<1x9x9x2xf32> to memref<1x8x8x2xf32, strided<[162, 18, 2, 1]>>
  memref.copy %x, %inner : memref<1x8x8x2xf32> to memref<1x8x8x2xf32, strided<[162, 18, 2, 1]>>
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%padded, %w : memref<1x9x9x2xf32>, memref<5x3x3x2xf32>) outs(%y : memref<1x4x4x5xf32>)
  return
}

// The padded copy's source is written between the copy and the
// convolution: the copy stays (the call must read the snapshot).
// CHECK-LABEL: func.func @source_overwritten(
// CHECK: memref.copy
// CHECK: linalg.fill {{.*}} outs(%arg0
// CHECK: memref.extract_strided_metadata %alloc
// CHECK: call @__kiln_cuda_conv
func.func @source_overwritten(%x: memref<1x4x4x1xf32>, %w: memref<1x3x3x1xf32>,
                              %y: memref<1x4x4x1xf32>,
                              %arena: memref<0xi8> {kiln.abi = "arena"},
                              %host: !llvm.ptr {kiln.abi = "host"}) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %padded = memref.alloc() {alignment = 64 : i64} : memref<1x6x6x1xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<1x6x6x1xf32>)
  %inner = memref.reinterpret_cast %padded to offset: [7], sizes: [1, 4, 4, 1], strides: [36, 6, 1, 1] : memref<1x6x6x1xf32> to memref<1x4x4x1xf32, strided<[36, 6, 1, 1], offset: 7>>
  memref.copy %x, %inner : memref<1x4x4x1xf32> to memref<1x4x4x1xf32, strided<[36, 6, 1, 1], offset: 7>>
  linalg.fill ins(%one : f32) outs(%x : memref<1x4x4x1xf32>)
  linalg.fill ins(%zero : f32) outs(%y : memref<1x4x4x1xf32>)
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%padded, %w : memref<1x6x6x1xf32>, memref<1x3x3x1xf32>) outs(%y : memref<1x4x4x1xf32>)
  return
}

// f16 convolutions stay for kiln-cuda-outline-kernels.
// CHECK-LABEL: func.func @f16(
// CHECK: linalg.conv_2d_nhwc_fhwc
// CHECK-NOT: call @__kiln_cuda_conv
func.func @f16(%x: memref<1x4x4x1xf16>, %w: memref<1x3x3x1xf16>,
               %y: memref<1x2x2x1xf16>,
               %arena: memref<0xi8> {kiln.abi = "arena"},
               %host: !llvm.ptr {kiln.abi = "host"}) {
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x4x4x1xf16>, memref<1x3x3x1xf16>) outs(%y : memref<1x2x2x1xf16>)
  return
}


#gx = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 + d1, d6 + d2, d3)>
#gdy = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d0)>
#gw = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>

// A training step's forward convolution and its filter gradient (the
// generic convert-kiln-to-linalg tags "filter") read one padded copy of the
// input: both become calls reading the unpadded input with padding 1, the
// gradient with flags BACKWARD_FILTER (8), and the padded copy goes.
// CHECK-LABEL: func.func @forward_and_filter_gradient(
// CHECK-NOT: memref.alloc
// CHECK: arith.constant 0 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 0]
// CHECK: arith.constant 1 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 11]
// CHECK: memref.extract_strided_metadata %arg0
// CHECK: llvm.getelementptr %{{.*}}[0, 19]
// CHECK: call @__kiln_cuda_conv
// CHECK: %[[FLAGS:.*]] = llvm.getelementptr %{{.*}}[0, 0]
// CHECK-NEXT: llvm.store %c8_i64{{[_0-9]*}}, %[[FLAGS]]
// CHECK: %[[PAD:.*]] = llvm.getelementptr %{{.*}}[0, 11]
// CHECK-NEXT: llvm.store %c1_i64{{[_0-9]*}}, %[[PAD]]
// The input, the filter gradient (written) and the output gradient.
// CHECK: memref.extract_strided_metadata %arg0
// CHECK: llvm.getelementptr %{{.*}}[0, 19]
// CHECK: memref.extract_strided_metadata %arg4
// CHECK: llvm.getelementptr %{{.*}}[0, 20]
// CHECK: memref.extract_strided_metadata %arg2
// CHECK: llvm.getelementptr %{{.*}}[0, 21]
// CHECK: call @__kiln_cuda_conv
// CHECK-NOT: linalg.
// CHECK-NOT: memref.copy
// CHECK: return
func.func @forward_and_filter_gradient(
    %x: memref<2x8x8x3xf32>, %w: memref<4x3x3x3xf32>, %dy: memref<2x8x8x4xf32>,
    %y: memref<2x8x8x4xf32>, %dw: memref<4x3x3x3xf32>,
    %arena: memref<0xi8> {kiln.abi = "arena"},
    %host: !llvm.ptr {kiln.abi = "host"}) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() {alignment = 64 : i64} : memref<2x10x10x3xf32>
  linalg.map outs(%padded : memref<2x10x10x3xf32>)
    () {
      linalg.yield %zero : f32
    }
  %inner = memref.reinterpret_cast %padded to offset: [33], sizes: [2, 8, 8, 3], strides: [300, 30, 3, 1] : memref<2x10x10x3xf32> to memref<2x8x8x3xf32, strided<[300, 30, 3, 1], offset: 33>>
  memref.copy %x, %inner : memref<2x8x8x3xf32> to memref<2x8x8x3xf32, strided<[300, 30, 3, 1], offset: 33>>
  linalg.fill ins(%zero : f32) outs(%y : memref<2x8x8x4xf32>)
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%padded, %w : memref<2x10x10x3xf32>, memref<4x3x3x3xf32>) outs(%y : memref<2x8x8x4xf32>)
  linalg.fill ins(%zero : f32) outs(%dw : memref<4x3x3x3xf32>)
  linalg.generic {indexing_maps = [#gx, #gdy, #gw], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
    ins(%padded, %dy : memref<2x10x10x3xf32>, memref<2x8x8x4xf32>) outs(%dw : memref<4x3x3x3xf32>)
    attrs = {kiln.conv_backward = "filter", kiln.conv_geometry = array<i64: 1, 1, 1, 1, 0, 0>} {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Without a zero fill before it the gradient accumulates (flags 8 | 1); a
// tagged generic whose maps are not the gradient's stays a kernel.
// CHECK-LABEL: func.func @accumulate_and_mismatch(
// CHECK: %[[FLAGS:.*]] = llvm.getelementptr %{{.*}}[0, 0]
// CHECK-NEXT: llvm.store %c9_i64{{[_0-9]*}}, %[[FLAGS]]
// CHECK: call @__kiln_cuda_conv
// CHECK: linalg.generic
// CHECK-SAME: kiln.conv_backward = "filter"
// CHECK-NOT: call @__kiln_cuda_conv
// CHECK: return
func.func @accumulate_and_mismatch(
    %x: memref<2x10x10x3xf32>, %dy: memref<2x8x8x4xf32>,
    %dw: memref<4x3x3x3xf32>, %other: memref<4x3x3x3xf32>,
    %dy2: memref<2x4x4x4xf32>,
    %arena: memref<0xi8> {kiln.abi = "arena"},
    %host: !llvm.ptr {kiln.abi = "host"}) {
  linalg.generic {indexing_maps = [#gx, #gdy, #gw], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
    ins(%x, %dy : memref<2x10x10x3xf32>, memref<2x8x8x4xf32>) outs(%dw : memref<4x3x3x3xf32>)
    attrs = {kiln.conv_backward = "filter", kiln.conv_geometry = array<i64: 1, 1, 1, 1, 0, 0>} {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  // Stride 2 in the geometry (and the shapes), stride 1 in the maps.
  linalg.generic {indexing_maps = [#gx, #gdy, #gw], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
    ins(%x, %dy2 : memref<2x10x10x3xf32>, memref<2x4x4x4xf32>) outs(%other : memref<4x3x3x3xf32>)
    attrs = {kiln.conv_backward = "filter", kiln.conv_geometry = array<i64: 2, 2, 1, 1, 0, 0>} {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Something reading the gradient's buffer between its zero fill and the
// gradient: the fill stays and the call accumulates (flags 8 | 1). And a
// padded copy only one of its two readers can fold (its source is written
// in between for the other) stays for that one, which reads it unpadded.
// CHECK-LABEL: func.func @read_between_and_partly_padded(
// CHECK: %[[P:.*]] = memref.alloc() {{.*}} : memref<2x10x10x3xf32>
// CHECK: memref.copy %arg0
// CHECK: linalg.fill {{.*}} outs(%arg3
// CHECK: memref.copy %arg3, %arg4
// CHECK: %[[F1:.*]] = llvm.getelementptr %{{.*}}[0, 0]
// CHECK-NEXT: llvm.store %c9_i64{{[_0-9]*}}, %[[F1]]
// CHECK: %[[PAD1:.*]] = llvm.getelementptr %{{.*}}[0, 11]
// CHECK-NEXT: llvm.store %c1_i64{{[_0-9]*}}, %[[PAD1]]
// CHECK: memref.extract_strided_metadata %arg0
// CHECK: llvm.getelementptr %{{.*}}[0, 19]
// CHECK: call @__kiln_cuda_conv
// CHECK: linalg.fill {{.*}} outs(%arg0
// CHECK: %[[PAD2:.*]] = llvm.getelementptr %{{.*}}[0, 11]
// CHECK-NEXT: llvm.store %c0_i64{{[_0-9]*}}, %[[PAD2]]
// CHECK: memref.extract_strided_metadata %[[P]]
// CHECK: llvm.getelementptr %{{.*}}[0, 19]
// CHECK: call @__kiln_cuda_conv
// CHECK: return
func.func @read_between_and_partly_padded(
    %x: memref<2x8x8x3xf32>, %dy: memref<2x8x8x4xf32>,
    %dy2: memref<2x8x8x4xf32>,
    %dw: memref<4x3x3x3xf32>, %seen: memref<4x3x3x3xf32>,
    %dw2: memref<4x3x3x3xf32>,
    %arena: memref<0xi8> {kiln.abi = "arena"},
    %host: !llvm.ptr {kiln.abi = "host"}) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %padded = memref.alloc() {alignment = 64 : i64} : memref<2x10x10x3xf32>
  linalg.map outs(%padded : memref<2x10x10x3xf32>)
    () {
      linalg.yield %zero : f32
    }
  %inner = memref.reinterpret_cast %padded to offset: [33], sizes: [2, 8, 8, 3], strides: [300, 30, 3, 1] : memref<2x10x10x3xf32> to memref<2x8x8x3xf32, strided<[300, 30, 3, 1], offset: 33>>
  memref.copy %x, %inner : memref<2x8x8x3xf32> to memref<2x8x8x3xf32, strided<[300, 30, 3, 1], offset: 33>>
  linalg.fill ins(%zero : f32) outs(%dw : memref<4x3x3x3xf32>)
  memref.copy %dw, %seen : memref<4x3x3x3xf32> to memref<4x3x3x3xf32>
  linalg.generic {indexing_maps = [#gx, #gdy, #gw], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
    ins(%padded, %dy : memref<2x10x10x3xf32>, memref<2x8x8x4xf32>) outs(%dw : memref<4x3x3x3xf32>)
    attrs = {kiln.conv_backward = "filter", kiln.conv_geometry = array<i64: 1, 1, 1, 1, 0, 0>} {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%one : f32) outs(%x : memref<2x8x8x3xf32>)
  linalg.fill ins(%zero : f32) outs(%dw2 : memref<4x3x3x3xf32>)
  linalg.generic {indexing_maps = [#gx, #gdy, #gw], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
    ins(%padded, %dy2 : memref<2x10x10x3xf32>, memref<2x8x8x4xf32>) outs(%dw2 : memref<4x3x3x3xf32>)
    attrs = {kiln.conv_backward = "filter", kiln.conv_geometry = array<i64: 1, 1, 1, 1, 0, 0>} {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

#dgw = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d6, d4, d5, d3)>
#dgx = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>

// The input gradient (tagged "data"; the output gradient read inside the
// body) becomes a call with flags BACKWARD_DATA (4): it writes %arg2 (x),
// reads the filter %arg0 and the output gradient %arg1 (y), padding 1.
// Its output was zeroed by a copy from a zero-filled buffer: the call
// overwrites, and the copy and that buffer go.
// CHECK-LABEL: func.func @input_gradient(
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: %[[FLAGS:.*]] = llvm.getelementptr %{{.*}}[0, 0]
// CHECK-NEXT: llvm.store %c4_i64{{[_0-9]*}}, %[[FLAGS]]
// CHECK: %[[PAD:.*]] = llvm.getelementptr %{{.*}}[0, 11]
// CHECK-NEXT: llvm.store %c1_i64{{[_0-9]*}}, %[[PAD]]
// CHECK: memref.extract_strided_metadata %arg2
// CHECK: llvm.getelementptr %{{.*}}[0, 19]
// CHECK: memref.extract_strided_metadata %arg0
// CHECK: llvm.getelementptr %{{.*}}[0, 20]
// CHECK: memref.extract_strided_metadata %arg1
// CHECK: llvm.getelementptr %{{.*}}[0, 21]
// CHECK: call @__kiln_cuda_conv
// CHECK-NOT: linalg.
// CHECK: return
func.func @input_gradient(%w: memref<4x3x3x3xf32>, %dy: memref<2x8x8x4xf32>,
                          %dx: memref<2x8x8x3xf32>,
                          %arena: memref<0xi8> {kiln.abi = "arena"},
                          %host: !llvm.ptr {kiln.abi = "host"}) {
  %zero = arith.constant 0.0 : f32
  %zeros = memref.alloc() {alignment = 64 : i64} : memref<2x8x8x3xf32>
  linalg.fill ins(%zero : f32) outs(%zeros : memref<2x8x8x3xf32>)
  memref.copy %zeros, %dx : memref<2x8x8x3xf32> to memref<2x8x8x3xf32>
  linalg.generic {indexing_maps = [#dgw, #dgx], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
    ins(%w : memref<4x3x3x3xf32>) outs(%dx : memref<2x8x8x3xf32>)
    attrs = {kiln.conv_backward = "data", kiln.conv_geometry = array<i64: 1, 1, 1, 1, 1, 1>} {
  ^bb0(%in: f32, %out: f32):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %n = linalg.index 0 : index
    %y = linalg.index 1 : index
    %x = linalg.index 2 : index
    %ky = linalg.index 4 : index
    %kx = linalg.index 5 : index
    %o = linalg.index 6 : index
    %ty0 = arith.addi %y, %c1 : index
    %ty = arith.subi %ty0, %ky : index
    %tx0 = arith.addi %x, %c1 : index
    %tx = arith.subi %tx0, %kx : index
    %vy0 = arith.cmpi sge, %ty, %c0 : index
    %vy1 = arith.cmpi slt, %ty, %c8 : index
    %vx0 = arith.cmpi sge, %tx, %c0 : index
    %vx1 = arith.cmpi slt, %tx, %c8 : index
    %vy = arith.andi %vy0, %vy1 : i1
    %vx = arith.andi %vx0, %vx1 : i1
    %valid = arith.andi %vy, %vx : i1
    %oy = arith.select %valid, %ty, %c0 : index
    %ox = arith.select %valid, %tx, %c0 : index
    %g = memref.load %dy[%n, %oy, %ox, %o] : memref<2x8x8x4xf32>
    %v = arith.select %valid, %g, %zero : f32
    %p = arith.mulf %v, %in : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A "data" generic whose body does not accumulate into its output is not
// the gradient: it stays.
// CHECK-LABEL: func.func @not_input_gradient(
// CHECK-NOT: call @__kiln_cuda_conv
// CHECK: linalg.generic
// CHECK-NOT: call @__kiln_cuda_conv
// CHECK: return
func.func @not_input_gradient(%w: memref<4x3x3x3xf32>, %dy: memref<2x8x8x4xf32>,
                              %dx: memref<2x8x8x3xf32>,
                              %arena: memref<0xi8> {kiln.abi = "arena"},
                              %host: !llvm.ptr {kiln.abi = "host"}) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%dx : memref<2x8x8x3xf32>)
  linalg.generic {indexing_maps = [#dgw, #dgx], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
    ins(%w : memref<4x3x3x3xf32>) outs(%dx : memref<2x8x8x3xf32>)
    attrs = {kiln.conv_backward = "data", kiln.conv_geometry = array<i64: 1, 1, 1, 1, 1, 1>} {
  ^bb0(%in: f32, %out: f32):
    %n = linalg.index 0 : index
    %y = linalg.index 1 : index
    %x = linalg.index 2 : index
    %o = linalg.index 6 : index
    %g = memref.load %dy[%n, %y, %x, %o] : memref<2x8x8x4xf32>
    %p = arith.mulf %g, %in : f32
    linalg.yield %p : f32
  }
  return
}

// The forwarder loads kiln_host_api_t field 8 (conv).
// CHECK-LABEL: func.func private @__kiln_cuda_conv(
// CHECK: llvm.getelementptr %{{.*}}[0, 8] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(i32, i32, ptr, ptr, ptr, ptr, ptr, ptr, ptr)>
