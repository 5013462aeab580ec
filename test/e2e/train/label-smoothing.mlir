// Label smoothing of the cross-entropy losses (Keras' label_smoothing): the
// targets become y·(1 − s) + s/classes. sparse_categorical_crossentropy on
// class ids and categorical_crossentropy on the same labels one-hot give the
// formula's loss, and binary_crossentropy (targets y·(1 − s) + s/2) on the
// probabilities and, with from-logits, on the outputs as logits; the compiled
// step matches the interpreter's.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/x.npy f32 4,6 "math.sin(k) * 0.8"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/y.npy i64 4 "k % 3"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/hot.npy f32 4,3 "1.0 if k % 3 == (k // 3) % 3 else 0.0"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w1.npy f32 6,5 "math.cos(k * 1.3) * 0.5"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/b1.npy f32 5 "0.01 * k"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/w2.npy f32 5,3 "math.sin(k * 0.7) * 0.6"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/b2.npy f32 3 "-0.02 * k"
// RUN: %python %kiln_src/test/tools/kiln-run/Inputs/make_npy.py %t/it.npy i64 "" "0"
// RUN: kiln-opt --kiln-train-step="optimizer=sgd label-smoothing=0.2" %s -o %t/sparse.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd loss=categorical_crossentropy label-smoothing=0.2" %s -o %t/categorical.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd" %s -o %t/plain.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd loss=binary_crossentropy label-smoothing=0.2" %s -o %t/binary.mlir
// RUN: kiln-opt --kiln-train-step="optimizer=sgd loss=binary_crossentropy from-logits=true label-smoothing=0.2" %s -o %t/binary-logits.mlir
// RUN: for s in binary binary-logits; do \
// RUN:   kiln-run %t/$s.mlir -f train_step -o %t/$s -i x=%t/x.npy -i y=%t/hot.npy -i w1=%t/w1.npy \
// RUN:     -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy -i optimizer/iterations=%t/it.npy > /dev/null || exit 1; \
// RUN: done
// RUN: kiln-run %t/sparse.mlir -f train_step -o %t/sparse -i x=%t/x.npy -i y=%t/y.npy -i w1=%t/w1.npy \
// RUN:   -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy -i optimizer/iterations=%t/it.npy > /dev/null
// RUN: kiln-run %t/plain.mlir -f train_step -o %t/plain -i x=%t/x.npy -i y=%t/y.npy -i w1=%t/w1.npy \
// RUN:   -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy -i optimizer/iterations=%t/it.npy > /dev/null
// RUN: kiln-run %t/categorical.mlir -f train_step -o %t/categorical -i x=%t/x.npy -i y=%t/hot.npy -i w1=%t/w1.npy \
// RUN:   -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy -i optimizer/iterations=%t/it.npy > /dev/null
// RUN: %python %S/Inputs/check_label_smoothing.py %t 0.2 | FileCheck %s --check-prefix=FORMULA
// FORMULA: sparse: loss
// FORMULA: categorical: loss
// FORMULA: plain: loss
// FORMULA: binary: loss
// FORMULA: binary-logits: loss
// FORMULA: ok
// RUN: kiln-compile %t/sparse.mlir -q -o %t/sparse.so
// RUN: kiln-run %t/sparse.so -f train_step -i x=%t/x.npy -i y=%t/y.npy -i w1=%t/w1.npy \
// RUN:   -i b1=%t/b1.npy -i w2=%t/w2.npy -i b2=%t/b2.npy -i optimizer/iterations=%t/it.npy \
// RUN:   --rtol 1e-5 --atol 1e-7 --expect loss=%t/sparse/loss.npy --expect w1=%t/sparse/w1.npy | FileCheck %s
// CHECK-COUNT-2: matches expected

// RUN: not kiln-opt --kiln-train-step="loss=mean_squared_error label-smoothing=0.1" %s 2>&1 | FileCheck %s --check-prefix=MSE
// MSE: label smoothing applies to the cross-entropy losses, not mean_squared_error
// RUN: not kiln-opt --kiln-train-step="label-smoothing=1.5" %s 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: label smoothing must lie in [0, 1], got 1.5

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
