//===- Passes.td - conversions out of the kiln dialect -------------------===//

#ifndef KILN_COMPILER_CONVERSION_PASSES
#define KILN_COMPILER_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def ConvertKilnToLinalg : Pass<"convert-kiln-to-linalg", "mlir::ModuleOp"> {
  let summary = "lower every kiln op to linalg, tensor, arith, math and scf";
  let description = [{
    The target-independent half of code generation: each kiln op becomes
    linalg named or generic ops on tensors (elementwise math with NumPy
    broadcasting as `linalg.generic` with broadcasting indexing maps, matmul
    as `linalg.matmul`/`linalg.batch_matmul`, convolution as an im2col
    `linalg.generic` feeding a matmul, pooling and reductions as
    `linalg.generic` reductions), shape ops become `tensor` ops, `kiln.scan`
    becomes an `scf.for` over the steps, and the body of a `kiln.fusion` is
    inlined so the elementwise fusion that follows turns it into one loop
    nest. `kiln.constant` becomes `arith.constant`.

    It expects optimized graphs (`kiln-optimize`): it rejects, with an error
    naming the op, `kiln.batch_norm` and training-mode `kiln.dropout` (which
    `kiln-fold-batch-norm` and `kiln-prune` remove) and any op it has no
    lowering for. Shapes are static. With `conv-library` (the cuda target,
    whose convolutions cuDNN runs), an ungrouped f32 convolution becomes
    `linalg.conv_2d_nhwc_fhwc` on the zero-padded NHWC input and an OHWI
    filter (a constant filter is transposed at compile time) instead of
    im2col + matmul, and its input and filter gradients direct
    `linalg.generic`s tagged `kiln.conv_backward` ("data" / "filter") and
    `kiln.conv_geometry` (strides, dilations, symmetric padding), which
    `kiln-cuda-conv-to-library` turns into cuDNN's backward calls. With
    `parallel-scatter` (cuda, whose host code cannot read device tensors),
    `kiln.scatter_add` becomes generics instead of a loop over the updates:
    two that link the updates of each row into a list in the updates'
    order (`next[n]`, the first later update with n's row; `head[v]`, the
    first with row v), and one over the result whose elements walk their
    row's list, adding in the loop's order; or, where that is more work (a
    tiny table, many updates), one over the result whose elements scan all
    the updates for their row.
  }];
  let options = [
    Option<"convLibrary", "conv-library", "bool", "false",
           "lower ungrouped f32 convolutions to linalg.conv_2d_nhwc_fhwc "
           "for a convolution library (cuDNN)">,
    Option<"parallelScatter", "parallel-scatter", "bool", "false",
           "lower scatter_add as generics (per-row lists of the updates, "
           "walked in order by each result element) instead of a loop over "
           "the updates whose host code reads the indices: for device "
           "targets (cuda)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect"
  ];
}

#endif // KILN_COMPILER_CONVERSION_PASSES
