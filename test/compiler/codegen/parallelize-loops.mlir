// kiln-parallelize-loops: large linalg ops of an entry point become tasks
// run through the host's thread pool; small ops, and innermost dimensions
// that would split into short pieces, stay serial.
// RUN: kiln-opt --kiln-parallelize-loops %s | FileCheck %s
// Results do not depend on the thread count: a compiled CNN gives
// bit-identical outputs on 1 and 2 threads.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %kiln_src/test/models/cnn28/model.pb --batch 8 -q -o %t/cnn.so
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/x.npy f32 8,28,28,1 "(k % 255) / 255.0"
// RUN: kiln-run %t/cnn.so -i %t/x.npy --threads 1 -o %t/one > /dev/null
// RUN: kiln-run %t/cnn.so -i %t/x.npy --threads 2 --rtol 0 --atol 0 --expect Identity=%t/one/Identity.npy | FileCheck %s --check-prefix=SAME
// SAME: matches expected

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @step(
// CHECK: %[[SLOTS1:.*]] = llvm.alloca {{.*}} x !llvm.array<2 x ptr>
// CHECK: %[[SLOTS0:.*]] = llvm.alloca {{.*}} x !llvm.array<2 x ptr>
// CHECK: %[[T0:.*]] = constant @step__task0
// CHECK: %[[N0:.*]] = arith.constant 4 : i64
// CHECK: call @__kiln_parallel_for(%arg5, %[[N0]], %[[T0]], %[[SLOTS0]])
// CHECK: %[[T1:.*]] = constant @step__task1
// CHECK: %[[N1:.*]] = arith.constant 4 : i64
// CHECK: call @__kiln_parallel_for(%arg5, %[[N1]], %[[T1]], %[[SLOTS1]])
// CHECK: linalg.fill
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @step(%x: memref<64x1024xf32>, %y: memref<64x1024xf32>, %s: memref<1024xf32>,
                %t: memref<8x8xf32>, %arena: memref<0xi8> {kiln.abi = "arena"},
                %host: !llvm.ptr {kiln.abi = "host"}) {
  %two = arith.constant 2.0 : f32
  // 64 rows in 4 tasks of 16.
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<64x1024xf32>) outs(%y : memref<64x1024xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  }
  // Column sums: only the innermost dimension is parallel; 4 pieces of 256.
  linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<64x1024xf32>) outs(%s : memref<1024xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sum = arith.addf %a, %acc : f32
    linalg.yield %sum : f32
  }
  // Too small to be worth a task.
  linalg.fill ins(%two : f32) outs(%t : memref<8x8xf32>)
  return
}

// Each task rebuilds its buffers from the base pointers and runs its slice.
// CHECK-LABEL: func.func private @step__task0(%arg0: !llvm.ptr, %arg1: i64)
// CHECK: llvm.load
// CHECK: builtin.unrealized_conversion_cast
// CHECK: arith.muli %{{.*}}, %c16
// CHECK: linalg.generic
// CHECK-SAME: memref<16x1024xf32
// CHECK: func.func private @__kiln_parallel_for(%arg0: !llvm.ptr, %arg1: i64, %arg2: (!llvm.ptr, i64) -> (), %arg3: !llvm.ptr)
// CHECK: llvm.call
// CHECK: call_indirect %arg2
// CHECK-LABEL: func.func private @step__task1(
// CHECK: memref<64x256xf32
