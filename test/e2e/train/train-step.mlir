// kiln-train-step on a small model, interpreted and compiled: the compiled
// train_step (updating its variables in place when the caller passes one
// buffer, see kiln-separate-results) computes what the interpreter does, for
// each optimizer.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/x.npy f32 4,6 "math.sin(k) * 0.8"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/y.npy i64 4 "k % 3"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w1.npy f32 6,5 "math.cos(k * 1.3) * 0.5"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/b1.npy f32 5 "0.01 * k"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w2.npy f32 5,3 "math.sin(k * 0.7) * 0.6"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/b2.npy f32 3 "-0.02 * k"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/m.npy f32 6,5 "0.001 * k"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/it.npy i64 "" "3"

// RUN: kiln-opt --kiln-train-step="optimizer=adam learning-rate=0.01" %s -o %t/adam.mlir
// RUN: FileCheck %s --check-prefix=SIG < %t/adam.mlir
// RUN: kiln-run %t/adam.mlir -f train_step -o %t/adam.ref -i x=%t/x.npy -i y=%t/y.npy \
// RUN:   -i w1=%t/w1.npy -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy \
// RUN:   -i w1/m=%t/m.npy -i b1/m=%t/b1.npy -i w2/m=%t/w2.npy -i b2/m=%t/b2.npy \
// RUN:   -i w1/v=%t/w1.npy -i b1/v=%t/b1.npy -i w2/v=%t/w2.npy -i b2/v=%t/b2.npy \
// RUN:   -i optimizer/iterations=%t/it.npy > /dev/null
// RUN: kiln-compile %t/adam.mlir -q -o %t/adam.so
// RUN: kiln-run %t/adam.so -f train_step -i x=%t/x.npy -i y=%t/y.npy \
// RUN:   -i w1=%t/w1.npy -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy \
// RUN:   -i w1/m=%t/m.npy -i b1/m=%t/b1.npy -i w2/m=%t/w2.npy -i b2/m=%t/b2.npy \
// RUN:   -i w1/v=%t/w1.npy -i b1/v=%t/b1.npy -i w2/v=%t/w2.npy -i b2/v=%t/b2.npy \
// RUN:   -i optimizer/iterations=%t/it.npy --rtol 1e-5 --atol 1e-6 \
// RUN:   --expect loss=%t/adam.ref/loss.npy --expect accuracy=%t/adam.ref/accuracy.npy \
// RUN:   --expect w1=%t/adam.ref/w1.npy --expect b2=%t/adam.ref/b2.npy \
// RUN:   --expect w2/v=%t/adam.ref/w2_v.npy --expect optimizer/iterations=%t/adam.ref/optimizer_iterations.npy \
// RUN:   | FileCheck %s --check-prefix=MATCH

// RUN: kiln-opt --kiln-train-step="optimizer=sgd learning-rate=0.1 momentum=0.9 nesterov=true" %s -o %t/sgd.mlir
// RUN: kiln-run %t/sgd.mlir -f train_step -o %t/sgd.ref -i x=%t/x.npy -i y=%t/y.npy \
// RUN:   -i w1=%t/w1.npy -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy \
// RUN:   -i w1/momentum=%t/m.npy -i b1/momentum=%t/b1.npy -i w2/momentum=%t/w2.npy -i b2/momentum=%t/b2.npy \
// RUN:   -i optimizer/iterations=%t/it.npy > /dev/null
// RUN: kiln-compile %t/sgd.mlir -q -o %t/sgd.so
// RUN: kiln-run %t/sgd.so -f train_step -i x=%t/x.npy -i y=%t/y.npy \
// RUN:   -i w1=%t/w1.npy -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy \
// RUN:   -i w1/momentum=%t/m.npy -i b1/momentum=%t/b1.npy -i w2/momentum=%t/w2.npy -i b2/momentum=%t/b2.npy \
// RUN:   -i optimizer/iterations=%t/it.npy --rtol 1e-5 --atol 1e-6 \
// RUN:   --expect loss=%t/sgd.ref/loss.npy --expect w1=%t/sgd.ref/w1.npy \
// RUN:   --expect w1/momentum=%t/sgd.ref/w1_momentum.npy --expect b2=%t/sgd.ref/b2.npy \
// RUN:   | FileCheck %s --check-prefix=MATCH

// SIG: func.func @init() -> (tensor<6x5xf32> {kiln.name = "w1"}, tensor<5xf32> {kiln.name = "b1"}, tensor<5x3xf32> {kiln.name = "w2"}, tensor<3xf32> {kiln.name = "b2"}, tensor<6x5xf32> {kiln.name = "w1/m"}
// SIG: func.func @predict({{.*}}{kiln.name = "x"}) -> (tensor<4x3xf32> {kiln.name = "probabilities"})
// SIG: func.func @eval_step({{.*}}{kiln.name = "weight"}) -> (tensor<f32> {kiln.name = "loss_sum"}, tensor<f32> {kiln.name = "correct_sum"})
// SIG: func.func @train_step({{.*}}) -> (tensor<f32> {kiln.name = "loss"}, tensor<f32> {kiln.name = "accuracy"}, tensor<6x5xf32> {kiln.name = "w1"}
// SIG-SAME: tensor<i64> {kiln.name = "optimizer/iterations"})
// MATCH-NOT: differ
// MATCH: matches expected
// MATCH-NOT: differ

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
