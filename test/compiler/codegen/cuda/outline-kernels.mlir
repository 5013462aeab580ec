// kiln-cuda-outline-kernels: every linalg op of an entry point becomes a
// kernel in gpu.module @kiln_kernels, launched through the host API: one
// thread per point of the parallel dimensions that index the outputs,
// reductions serial in the thread.
// RUN: kiln-opt --kiln-cuda-outline-kernels %s | FileCheck %s
// RUN: kiln-opt --kiln-cuda-outline-kernels="block-size=64" %s | FileCheck %s --check-prefix=BLOCK
// RUN: kiln-opt --kiln-cuda-outline-kernels %s | FileCheck %s --check-prefix=SCAN
// RUN: kiln-opt --kiln-cuda-outline-kernels %s | FileCheck %s --check-prefix=CALLS
// RUN: kiln-opt --kiln-cuda-outline-kernels=emulate=true %s | FileCheck %s --check-prefix=CALLS

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

memref.global "public" @kiln_weights : memref<4096xi8> {alignment = 64 : i64}

// CHECK-LABEL: func.func @step(
// The weights are re-based on host->device_weights (field 5).
// CHECK: %[[WP:.*]] = llvm.getelementptr %arg5[0, 5]
// CHECK: llvm.load %[[WP]] : !llvm.ptr -> !llvm.ptr
// CHECK-NOT: memref.get_global
// Elementwise y = 2x: 64x1024 threads, 256 per block.
// CHECK: %[[K0:.*]] = arith.constant 0 : i32
// CHECK: %[[G0:.*]] = arith.constant 256 : i32
// CHECK: %[[B0:.*]] = arith.constant 256 : i32
// CHECK: %[[N0:.*]] = arith.constant 2 : i32
// CHECK: call @__kiln_cuda_launch(%arg5, %[[K0]], %[[G0]], %[[B0]], %[[N0]], %{{.*}})
// Column sums: one thread per column (1024 threads in 4 blocks), the 64
// rows summed serially.
// CHECK: %[[G1:.*]] = arith.constant 4 : i32
// CHECK: call @__kiln_cuda_launch(%arg5, %{{.*}}, %[[G1]],
// The fill of the weights-backed buffer, with its scalar as a constant.
// CHECK: call @__kiln_cuda_launch
// A memref.copy becomes a kernel too.
// CHECK: call @__kiln_cuda_launch
// CHECK-NOT: linalg.
// CHECK-NOT: memref.copy
// CHECK: return
// Each entry point records the GPU work one call issues (launches and
// library calls, times the trips of the loops around them), from which the
// runtime decides whether a CUDA Graph pays: four launches here, the
// scan's one launch eight times, a matmul call in loops of 5 and 4 plus a
// launch (an op with no iterations launches nothing, nor does a loop with
// none); a while loop counts as 2^40 iterations.
// CALLS-LABEL: func.func @step(
// CALLS-SAME: kiln.device_calls = 4 : i64
// CALLS-LABEL: func.func @scan(
// CALLS-SAME: kiln.device_calls = 8 : i64
// CALLS-LABEL: func.func @library(
// CALLS-SAME: kiln.device_calls = 21 : i64
// CALLS-LABEL: func.func @unbounded(
// CALLS-SAME: kiln.device_calls = 1099511627776 : i64

// BLOCK-LABEL: func.func @step(
// BLOCK: arith.constant 1024 : i32
// BLOCK: arith.constant 64 : i32
// BLOCK: call @__kiln_cuda_launch
func.func @step(%x: memref<64x1024xf32>, %y: memref<64x1024xf32>, %s: memref<1024xf32>,
                %c: memref<1024xf32>, %arena: memref<0xi8> {kiln.abi = "arena"},
                %host: !llvm.ptr {kiln.abi = "host"}) {
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<64x1024xf32>) outs(%y : memref<64x1024xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<64x1024xf32>) outs(%s : memref<1024xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sum = arith.addf %a, %acc : f32
    linalg.yield %sum : f32
  }
  %w = memref.get_global @kiln_weights : memref<4096xi8>
  %c0 = arith.constant 0 : index
  %wv = memref.view %w[%c0][] : memref<4096xi8> to memref<1024xf32>
  linalg.fill ins(%two : f32) outs(%wv : memref<1024xf32>)
  memref.copy %wv, %c : memref<1024xf32> to memref<1024xf32>
  return
}

// Kernels take 8-byte arguments (base pointers, offsets, scalars), guard
// the thread index and keep only the serial loops.
// CHECK: gpu.module @kiln_kernels
// CHECK-LABEL: gpu.func @step__k0(%arg0: i64, %arg1: i64) kernel
// CHECK: gpu.block_id  x
// CHECK: gpu.block_dim  x
// CHECK: gpu.thread_id  x
// CHECK: arith.cmpi ult, %{{.*}}, %c65536
// CHECK: llvm.inttoptr %arg0
// CHECK: arith.remui
// CHECK: arith.divui
// CHECK-NOT: scf.for
// CHECK: arith.mulf
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @step__k1(%arg0: i64, %arg1: i64) kernel
// CHECK: arith.cmpi ult, %{{.*}}, %c1024
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK: arith.addf
// CHECK-LABEL: gpu.func @step__k2(%arg0: i64) kernel
// CHECK: arith.constant 2.000000e+00 : f32
// CHECK: memref.store
// CHECK-LABEL: gpu.func @step__k3(%arg0: i64, %arg1: i64) kernel
// CHECK: func.func private @__kiln_cuda_launch(%arg0: !llvm.ptr, %arg1: i32, %arg2: i32, %arg3: i32, %arg4: i32, %arg5: !llvm.ptr)
// CHECK: llvm.getelementptr %arg0[0, 6]
// CHECK: llvm.getelementptr %arg0[0, 4]
// CHECK: llvm.call

// A scan step: a slice at the loop's index has a dynamic offset (passed
// next to its base pointer) and the index itself is a scalar argument.
// SCAN-LABEL: func.func @scan(
// SCAN: scf.for
// SCAN: llvm.extractvalue %{{.*}}[2]
// SCAN: call @__kiln_cuda_launch
// SCAN-LABEL: gpu.func @scan__k4(%arg0: i64, %arg1: i64, %arg2: i64, %arg3: i64) kernel
// SCAN: llvm.insertvalue %arg1, %{{.*}}[2]
// SCAN: arith.sitofp %arg3 : i64 to f32
#row = affine_map<(d0) -> (d0)>
func.func @scan(%h: memref<8x16xf32>, %out: memref<16xf32>,
                %arena: memref<0xi8> {kiln.abi = "arena"},
                %host: !llvm.ptr {kiln.abi = "host"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %t = %c0 to %c8 step %c1 {
    %step = memref.subview %h[%t, 0] [1, 16] [1, 1]
        : memref<8x16xf32> to memref<16xf32, strided<[1], offset: ?>>
    %tf = arith.index_cast %t : index to i64
    linalg.generic {indexing_maps = [#row, #row], iterator_types = ["parallel"]}
        ins(%step : memref<16xf32, strided<[1], offset: ?>>) outs(%out : memref<16xf32>) {
    ^bb0(%a: f32, %b: f32):
      %i = arith.sitofp %tf : i64 to f32
      %r = arith.addf %a, %i : f32
      linalg.yield %r : f32
    }
  }
  return
}

func.func private @__kiln_cuda_matmul(!llvm.ptr, !llvm.ptr)
func.func @library(%a: memref<16xf32>, %e: memref<0x16xf32>, %d: !llvm.ptr,
                   %arena: memref<0xi8> {kiln.abi = "arena"},
                   %host: !llvm.ptr {kiln.abi = "host"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %zero = arith.constant 0.0 : f32
  scf.for %t = %c0 to %c5 step %c1 {
    scf.for %u = %c1 to %c5 step %c1 {
      func.call @__kiln_cuda_matmul(%host, %d) : (!llvm.ptr, !llvm.ptr) -> ()
    }
  }
  %c2 = arith.constant 2 : index
  scf.for %v = %c5 to %c1 step %c2 {
    func.call @__kiln_cuda_matmul(%host, %d) : (!llvm.ptr, !llvm.ptr) -> ()
  }
  linalg.fill ins(%zero : f32) outs(%a : memref<16xf32>)
  linalg.fill ins(%zero : f32) outs(%e : memref<0x16xf32>)
  return
}

func.func @unbounded(%d: !llvm.ptr, %arena: memref<0xi8> {kiln.abi = "arena"},
                     %host: !llvm.ptr {kiln.abi = "host"}) {
  %false = arith.constant false
  scf.while : () -> () {
    scf.condition(%false)
  } do {
    func.call @__kiln_cuda_matmul(%host, %d) : (!llvm.ptr, !llvm.ptr) -> ()
    scf.yield
  }
  return
}
