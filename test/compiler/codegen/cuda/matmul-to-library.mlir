// kiln-cuda-matmul-to-library: f32 matmuls become kiln_matmul_t
// descriptors (16 x i64 on the stack) handed to host->matmul (field 7).
// RUN: kiln-opt --kiln-cuda-matmul-to-library %s | FileCheck %s
// RUN: kiln-opt --kiln-cuda-matmul-to-library="allow-tf32=true" %s | FileCheck %s --check-prefix=TF32

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

// Zero fill + matmul + bias + ReLU: one call, overwriting, with the
// RELU_BIAS epilogue; the fill and the epilogue op are gone.
// CHECK-LABEL: func.func @dense(
// CHECK: %[[DESC:.*]] = llvm.alloca %{{.*}} x !llvm.array<16 x i64>
// CHECK-NOT: linalg.fill
// CHECK: %[[FLAGS:.*]] = arith.constant 0 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 0]
// CHECK: %[[RELU:.*]] = arith.constant 1 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 1]
// CHECK: arith.constant 32 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 3]
// m = 32, n = 64, k = 128; lda = 128, ldb = 64, ldc = 64
// CHECK: arith.constant 64 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 4]
// CHECK: arith.constant 128 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 5]
// The bias address (%arg2's) is the last field.
// CHECK: memref.extract_strided_metadata %arg2
// CHECK: llvm.ptrtoint
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 15]
// CHECK: call @__kiln_cuda_matmul(%arg5, %[[DESC]])
// CHECK-NOT: linalg.
// CHECK: return
// TF32-LABEL: func.func @dense(
// TF32: %[[FLAGS:.*]] = arith.constant 8 : i64
// TF32-NEXT: llvm.getelementptr %{{.*}}[0, 0]
func.func @dense(%x: memref<32x128xf32>, %w: memref<128x64xf32>, %b: memref<64xf32>,
                 %y: memref<32x64xf32>, %arena: memref<0xi8> {kiln.abi = "arena"},
                 %host: !llvm.ptr {kiln.abi = "host"}) {
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() {alignment = 64 : i64} : memref<32x64xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<32x64xf32>)
  linalg.matmul ins(%x, %w : memref<32x128xf32>, memref<128x64xf32>)
      outs(%t : memref<32x64xf32>)
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t, %b : memref<32x64xf32>, memref<64xf32>) outs(%y : memref<32x64xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// Accumulating (no zero fill before it), B transposed, batched.
// CHECK-LABEL: func.func @batched(
// ACCUMULATE | TRANSPOSE_B
// CHECK: %[[FLAGS:.*]] = arith.constant 6 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 0]
// CHECK: %[[NONE:.*]] = arith.constant 0 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 1]
// batch 4
// CHECK: arith.constant 4 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 2]
// batch strides 8*16, 32*16, 8*32
// CHECK: arith.constant 128 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 9]
// CHECK: arith.constant 512 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 10]
// CHECK: arith.constant 256 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 11]
// No bias.
// CHECK: %[[NOBIAS:.*]] = arith.constant 0 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 15]
// CHECK: call @__kiln_cuda_matmul
// f64 matmuls stay linalg (they become kernels).
// CHECK: linalg.matmul {{.*}} memref<2x2xf64>
func.func @batched(%a: memref<4x8x16xf32>, %b: memref<4x32x16xf32>, %c: memref<4x8x32xf32>,
                   %d: memref<2x2xf64>, %arena: memref<0xi8> {kiln.abi = "arena"},
                   %host: !llvm.ptr {kiln.abi = "host"}) {
  linalg.batch_matmul_transpose_b ins(%a, %b : memref<4x8x16xf32>, memref<4x32x16xf32>)
      outs(%c : memref<4x8x32xf32>)
  linalg.matmul ins(%d, %d : memref<2x2xf64>, memref<2x2xf64>) outs(%d : memref<2x2xf64>)
  return
}

// A ReLU alone after an overwriting matmul is the RELU epilogue (no bias).
// CHECK-LABEL: func.func @relu_only(
// CHECK: %[[RELU:.*]] = arith.constant 1 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 1]
// CHECK: memref.extract_strided_metadata %arg2
// CHECK: llvm.getelementptr %{{.*}}[0, 14]
// CHECK: %[[NOBIAS:.*]] = arith.constant 0 : i64
// CHECK-NEXT: llvm.getelementptr %{{.*}}[0, 15]
// CHECK: call @__kiln_cuda_matmul
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @relu_only(%x: memref<1x784xf32>, %w: memref<784x256xf32>, %y: memref<1x256xf32>,
                     %arena: memref<0xi8> {kiln.abi = "arena"},
                     %host: !llvm.ptr {kiln.abi = "host"}) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<1x256xf32>)
  linalg.matmul ins(%x, %w : memref<1x784xf32>, memref<784x256xf32>)
      outs(%y : memref<1x256xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y : memref<1x256xf32>) outs(%y : memref<1x256xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// An epilogue that would write into the matmul's own A stays separate (the
// fused call would overwrite A while reading it).
// CHECK-LABEL: func.func @epilogue_into_a(
// CHECK: call @__kiln_cuda_matmul
// CHECK: linalg.generic
// CHECK: func.func private @__kiln_cuda_matmul(%arg0: !llvm.ptr, %arg1: !llvm.ptr)
// CHECK: llvm.getelementptr %arg0[0, 7]
func.func @epilogue_into_a(%a: memref<8x8xf32>, %w: memref<8x8xf32>,
                           %arena: memref<0xi8> {kiln.abi = "arena"},
                           %host: !llvm.ptr {kiln.abi = "host"}) {
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() {alignment = 64 : i64} : memref<8x8xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<8x8xf32>)
  linalg.matmul ins(%a, %w : memref<8x8xf32>, memref<8x8xf32>)
      outs(%t : memref<8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<8x8xf32>) outs(%a : memref<8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %x, %zero : f32
    linalg.yield %r : f32
  }
  return
}
