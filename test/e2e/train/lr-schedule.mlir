// Learning-rate schedules of kiln-train-step (Keras' ExponentialDecay and
// PolynomialDecay, evaluated at the step count before the update): with plain
// SGD the update w - w' is lr_t · g, so at step t = 3 with decay-steps 2 and
// decay-rate 0.25 it is 0.25^1.5 = 0.125 times the constant learning rate's
// update, and 0.25^⌊1.5⌋ = 0.25 times it in staircase mode. The polynomial
// schedule from 0.1 to 0.02 over 4 steps is 0.08·(1 − 3/4) + 0.02 = 0.04 at
// t = 3 (0.4 times), with power 2 0.08·(1/4)² + 0.02 = 0.025 (0.25 times),
// and past its decay steps (2 steps) the end rate 0.02 (0.2 times). The
// cosine schedule over 4 steps is (1 + cos(3π/4))/2 = 0.1464 times the rate
// at t = 3, with alpha 0.2 0.8·0.1464 + 0.2 = 0.3172 times; with a warmup
// from 0.1 to 0.3 over 4 steps it is still ramping, 0.1 + 0.2·3/4 = 0.25
// (2.5 times), and after a 2-step warmup it decays from 0.3:
// 0.3·(1 + cos(π/4))/2 = 0.2561 (2.561 times). The compiled step matches
// the interpreter.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/x.npy f32 4,6 "math.sin(k) * 0.8"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/y.npy i64 4 "k % 3"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w1.npy f32 6,5 "math.cos(k * 1.3) * 0.5"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/b1.npy f32 5 "0.01 * k"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w2.npy f32 5,3 "math.sin(k * 0.7) * 0.6"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/b2.npy f32 3 "-0.02 * k"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/it.npy i64 "" "3"
// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1" %s -o %t/constant.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1 lr-schedule=exponential decay-steps=2 decay-rate=0.25" %s -o %t/exponential.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1 lr-schedule=exponential decay-steps=2 decay-rate=0.25 staircase=true" %s -o %t/staircase.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1 lr-schedule=polynomial decay-steps=4 end-learning-rate=0.02" %s -o %t/linear.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1 lr-schedule=polynomial decay-steps=4 end-learning-rate=0.02 power=2" %s -o %t/square.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1 lr-schedule=polynomial decay-steps=2 end-learning-rate=0.02" %s -o %t/ended.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1 lr-schedule=cosine decay-steps=4" %s -o %t/cosine.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1 lr-schedule=cosine decay-steps=4 alpha=0.2" %s -o %t/cosine-alpha.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1 lr-schedule=cosine decay-steps=4 warmup-steps=4 warmup-target=0.3" %s -o %t/warming.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1 lr-schedule=cosine decay-steps=4 warmup-steps=2 warmup-target=0.3" %s -o %t/warmed.mlir
// RUN: for s in constant exponential staircase linear square ended cosine cosine-alpha warming warmed; do \
// RUN:   kiln-run %t/$s.mlir -f train_step -o %t/$s -i x=%t/x.npy -i y=%t/y.npy -i w1=%t/w1.npy \
// RUN:     -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy -i optimizer/iterations=%t/it.npy > /dev/null || exit 1; \
// RUN: done
// RUN: %python %S/Inputs/check_lr_schedule.py %t
// RUN: for s in exponential square cosine-alpha warmed; do \
// RUN:   kiln-compile %t/$s.mlir -q -o %t/$s.so && \
// RUN:   kiln-run %t/$s.so -f train_step -i x=%t/x.npy -i y=%t/y.npy -i w1=%t/w1.npy \
// RUN:     -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy -i optimizer/iterations=%t/it.npy \
// RUN:     --rtol 1e-5 --atol 1e-7 --expect w1=%t/$s/w1.npy --expect b2=%t/$s/b2.npy || exit 1; \
// RUN: done | FileCheck %s
// CHECK-COUNT-8: matches expected

// RUN: not kiln-opt --kiln-train-step="lr-schedule=exponential" %s 2>&1 | FileCheck %s --check-prefix=NOSTEPS
// NOSTEPS: the exponential learning-rate schedule needs decay steps > 0 and a decay rate > 0 (got 0 and
// RUN: not kiln-opt --kiln-train-step="lr-schedule=step" %s 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: unknown learning-rate schedule 'step' (expected constant, exponential, polynomial or cosine)
// RUN: not kiln-opt --kiln-train-step="lr-schedule=cosine decay-steps=4 warmup-steps=2" %s 2>&1 | FileCheck %s --check-prefix=WARMUP
// WARMUP: the cosine learning-rate schedule needs decay steps > 0, an alpha in [0, 1], warmup steps >= 0 and, with warmup steps, a warmup target > 0 (got 4,
// RUN: not kiln-opt --kiln-train-step="lr-schedule=polynomial decay-steps=4 power=0" %s 2>&1 | FileCheck %s --check-prefix=POWER
// POWER: the polynomial learning-rate schedule needs decay steps > 0, a power > 0 and an end learning rate >= 0 (got 4,

func.func @predict(%x: tensor<4x6xf32> {kiln.name = "x"})
    -> (tensor<4x3xf32> {kiln.name = "probabilities"}) {
  %w1 = kiln.constant dense_resource<w1> : tensor<6x5xf32>
  %b1 = kiln.constant dense_resource<b1> : tensor<5xf32>
  %w2 = kiln.constant dense_resource<w2> : tensor<5x3xf32>
  %b2 = kiln.constant dense_resource<b2> : tensor<3xf32>
  %0 = kiln.matmul %x, %w1 : (tensor<4x6xf32>, tensor<6x5xf32>) -> tensor<4x5xf32>
  %1 = kiln.add %0, %b1 : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  %2 = kiln.tanh %1 : tensor<4x5xf32>
  %3 = kiln.matmul %2, %w2 : (tensor<4x5xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
  %4 = kiln.add %3, %b2 : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %5 = kiln.softmax %4 : tensor<4x3xf32>
  return %5 : tensor<4x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w1: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F",
      b1: "0x040000000000000000000000000000000000000000000000",
      w2: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F",
      b2: "0x04000000000000000000000000000000"
    }
  }
#-}
