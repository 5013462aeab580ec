// kiln-cuda-split-reductions: a reduction with few outputs and many terms
// becomes partial sums over its leading reduction dims (parallel), then a
// small reduction of the partials into the output.
// RUN: kiln-opt --kiln-cuda-split-reductions %s | FileCheck %s

#x = affine_map<(n, h, w, c) -> (n, h, w, c)>
#ch = affine_map<(n, h, w, c) -> (c)>

// Per-channel sums over N·H·W = 32·32·32 terms for 16 channels: N and H
// become parallel (16·1024 threads, 32 terms each), then 16 threads sum
// 1024 partials.
// CHECK-LABEL: func.func @channel_sums(
// CHECK: %[[ZERO:.*]] = arith.constant -0.000000e+00 : f32
// CHECK: %[[P0:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<32x32x16xf32>)
// CHECK: %[[P:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction", "parallel"]
// CHECK-SAME: ins(%arg0 : tensor<32x32x32x16xf32>) outs(%[[P0]] : tensor<32x32x16xf32>)
// CHECK: arith.addf
// CHECK: %[[R:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK-SAME: ins(%[[P]] : tensor<32x32x16xf32>) outs(%arg1 : tensor<16xf32>)
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: return %[[R]]
func.func @channel_sums(%x: tensor<32x32x32x16xf32>, %init: tensor<16xf32>) -> tensor<16xf32> {
  %r = linalg.generic {indexing_maps = [#x, #ch],
                       iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%x : tensor<32x32x32x16xf32>) outs(%init : tensor<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  return %r : tensor<16xf32>
}

// Max keeps its identity (-inf) and its operand order.
// CHECK-LABEL: func.func @channel_max(
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
func.func @channel_max(%x: tensor<32x32x32x16xf32>, %init: tensor<16xf32>) -> tensor<16xf32> {
  %r = linalg.generic {indexing_maps = [#x, #ch],
                       iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%x : tensor<32x32x32x16xf32>) outs(%init : tensor<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  } -> tensor<16xf32>
  return %r : tensor<16xf32>
}

// Left alone: few terms (softmax rows), many outputs, and a body that
// uses the accumulator twice.
// CHECK-LABEL: func.func @untouched(
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.fill
#row = affine_map<(i, j) -> (i, j)>
#rows = affine_map<(i, j) -> (i)>
#cols = affine_map<(i, j) -> (j)>
func.func @untouched(%small: tensor<32x10xf32>, %s: tensor<32xf32>,
                     %big: tensor<1024x8192xf32>, %b: tensor<8192xf32>,
                     %wide: tensor<32x4096xf32>) -> (tensor<32xf32>, tensor<8192xf32>, tensor<32xf32>) {
  %r0 = linalg.generic {indexing_maps = [#row, #rows], iterator_types = ["parallel", "reduction"]}
      ins(%small : tensor<32x10xf32>) outs(%s : tensor<32xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %acc, %a : f32
    linalg.yield %t : f32
  } -> tensor<32xf32>
  %r1 = linalg.generic {indexing_maps = [#row, #cols], iterator_types = ["reduction", "parallel"]}
      ins(%big : tensor<1024x8192xf32>) outs(%b : tensor<8192xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %acc, %a : f32
    linalg.yield %t : f32
  } -> tensor<8192xf32>
  %r2 = linalg.generic {indexing_maps = [#row, #rows], iterator_types = ["parallel", "reduction"]}
      ins(%wide : tensor<32x4096xf32>) outs(%s : tensor<32xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %acc, %a : f32
    %u = arith.mulf %t, %acc : f32
    linalg.yield %u : f32
  } -> tensor<32xf32>
  return %r0, %r1, %r2 : tensor<32xf32>, tensor<8192xf32>, tensor<32xf32>
}
