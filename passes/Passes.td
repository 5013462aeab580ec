//===- Passes.td - Kiln's graph-level passes -----------------------------===//
//
// Every graph pass on the kiln dialect, one definition each. The pass
// implementations live in passes/<concern>/<Pass>.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES
#define KILN_PASSES

include "mlir/Pass/PassBase.td"

def KilnFoldConstants : Pass<"kiln-fold-constants", "mlir::func::FuncOp"> {
  let summary = "evaluate ops whose operands are all constants";
  let description = [{
    Replaces every kiln op whose operands are all `kiln.constant`s (dense or
    `dense_resource`) by the constant it computes, evaluated with the
    reference interpreter: elementwise math, shape ops, reductions,
    transposes, matmuls and convolutions of constants. Results larger than
    16 elements become `dense_resource` blobs, so folded weights never turn
    into text.

    It will not fold an op whose result has more than `max-elements`
    elements, or whose evaluation would cost more than 2^26 multiply-adds
    (the work belongs in generated code, not in the compiler); ops with
    regions (`kiln.scan`) are left alone, and an evaluation that fails (an
    index out of range in dead code, say) leaves the op in place.
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", "1048576",
           "the largest result, in elements, that is folded">
  ];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnPrune : Pass<"kiln-prune", "mlir::func::FuncOp"> {
  let summary = "remove inference no-ops, dead subgraphs and unused scan results";
  let description = [{
    Inference graphs carry work that cannot affect their results: dropout
    in inference mode (`training = false`) is the identity, ops whose results
    nobody reads are dead, and a `kiln.scan` often carries per-step outputs
    or state nobody reads after the loop. This pass removes them:

    - `kiln.dropout` with `training = false` is replaced by its input;
    - side-effect-free ops without users are erased, innermost regions too;
    - a `kiln.scan` per-step output that nobody reads is dropped, and so is
      carried state that neither the body's other values nor anything after
      the loop read.

    It does not remove training-mode dropout, and it never changes a
    function's signature.
  }];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnSimplify : Pass<"kiln-simplify", "mlir::func::FuncOp"> {
  let summary = "algebraic simplification of kiln ops";
  let description = [{
    Rewrites patterns that exporters and earlier passes leave behind into
    cheaper equivalents, each an exact identity (see docs/optimizer.md for
    the list of rules and the test of each). Rules that are only exact up
    to rounding (division by a constant as multiplication by its
    reciprocal, when the reciprocal is not exact) run only with
    `fast-math`.
  }];
  let options = [
    Option<"fastMath", "fast-math", "bool", "false",
           "also apply rewrites that change results by rounding">
  ];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnFoldBatchNorm : Pass<"kiln-fold-batch-norm", "mlir::func::FuncOp"> {
  let summary = "fold inference batch normalization into the preceding conv or matmul";
  let description = [{
    `batch_norm(conv(x, w) + b)` with constant statistics is
    `conv(x, w * s) + (b - mean) * s + offset` with
    `s = scale / sqrt(variance + epsilon)`: the normalization disappears
    into the weights. The same holds for `matmul` with constant weights.
    A transpose between the conv and the normalization is looked through
    (the axis is mapped by the permutation). The folded weights are computed
    in double and rounded once, so the result agrees with the unfolded graph
    to about 1e-6 relative in f32, not bit for bit.

    A batch norm that cannot fold into its producer (the weights or
    conv/matmul result are not exclusively its own, the axis is not the
    output-channel axis, it follows a relu) but has constant statistics
    becomes the per-channel affine map `(x - mean) * s + offset`: three
    elementwise ops that fusion merges into the neighbouring kernel
    (`decompose-unfolded=false` keeps it). Batch norms with non-constant
    statistics, and f16/bf16 ones, stay.
  }];
  let options = [
    Option<"decomposeUnfolded", "decompose-unfolded", "bool", "true",
           "turn batch norms that cannot fold into a producer into "
           "(x - mean) * s + offset with constant per-channel mean, s, offset">
  ];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnAssignLayout : Pass<"kiln-assign-layout", "mlir::func::FuncOp"> {
  let summary = "convert convolutions to the target's layout and cancel transposes";
  let description = [{
    Rewrites `kiln.conv2d` and the pools to the layout the target prefers
    (`cpu`: NHWC activations, HWIO filters; `cuda`: NHWC), by transposing
    their inputs and outputs, then sinks transposes through elementwise
    ops, pads, pools, reductions and reshapes until they meet and cancel,
    permuting constant weights instead of activations where it can, and
    moves the time-major transpose in front of an RNN into the `kiln.scan`
    axis. An NCHW
    model imported from ONNX ends with transposes only at its inputs and
    outputs.
  }];
  let options = [
    Option<"target", "target", "std::string", "\"cpu\"",
           "the target whose layout to use: cpu or cuda">
  ];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnFuse : Pass<"kiln-fuse", "mlir::func::FuncOp"> {
  let summary = "group ops into kiln.fusion regions that code generation emits as one kernel";
  let description = [{
    Forms `kiln.fusion` regions: chains of elementwise ops; a matmul or
    conv2d with its epilogue (bias add, activation, residual add); and
    reductions (softmax, layer_norm, reduce_mean) with their elementwise
    producers and consumers. It never duplicates an expensive producer (an
    op with users outside the group stays outside), and it is
    deterministic: the same input gives the same groups.
  }];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnAutodiff : Pass<"kiln-autodiff", "mlir::ModuleOp"> {
  let summary = "add the vector-Jacobian product of functions (reverse-mode AD)";
  let description = [{
    For every public function `@f` (or those named by `functions`), adds
    `@f_vjp`: its arguments are `@f`'s followed by one cotangent per
    floating-point result; its results are the gradients of
    `sum_k <result_k, cotangent_k>` with respect to each floating-point
    argument. The backward graph chains the gradient rule each kiln op
    carries (GradientOpInterface), accumulating where a value has several
    uses; a value no gradient reaches gets zeros. An op on the path from the
    arguments to the results that has no rule (`kiln.scan`, a grouped
    convolution, `kiln.gather` w.r.t. its table) is an error naming it.

    ```mlir
    func.func @f(%x: tensor<4xf64>) -> tensor<4xf64> {
      %y = kiln.tanh %x : tensor<4xf64>
      return %y : tensor<4xf64>
    }
    // becomes, beside @f:
    func.func @f_vjp(%x: tensor<4xf64>, %dy: tensor<4xf64>) -> tensor<4xf64>
    ```
  }];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "the functions to differentiate (default: every public one)">
  ];
  let dependentDialects = ["kiln::KilnDialect", "mlir::func::FuncDialect"];
}

def KilnTrainStep : Pass<"kiln-train-step", "mlir::ModuleOp"> {
  let summary = "turn an inference function into training entry points";
  let description = [{
    What `kiln-compile --train` runs: replaces the model's inference
    function with `init() -> (variables...)`, `train_step(params...,
    buffers..., slots..., x, y) -> (loss, accuracy, params'..., buffers'...,
    slots'...)`, `eval_step(params..., buffers..., x, y, weight) ->
    (loss_sum, correct_sum)` and `predict(params..., buffers..., x)`.
    Parameters are the model's floating-point kernels, biases and
    normalization scales/offsets (constants become arguments named after
    their layer, e.g. `sequential/dense/kernel`); buffers are batch
    normalization's moving statistics, which `train_step` updates from batch
    statistics; slots are the optimizer's state and `optimizer/iterations`.
    The loss is Keras's: a softmax (sigmoid) head is differentiated through
    its logits with log-softmax (a stable logistic loss). The optimizers
    follow Keras' update formulas. Every `train_step` output named like an
    input is computed after the last read of that input, so callers may pass
    one buffer for both and update in place.
  }];
  let options = [
    Option<"loss", "loss", "std::string", "\"sparse_categorical_crossentropy\"",
           "sparse_categorical_crossentropy, categorical_crossentropy, "
           "binary_crossentropy or mean_squared_error">,
    Option<"fromLogits", "from-logits", "bool", "false",
           "the model's output is logits">,
    Option<"labelSmoothing", "label-smoothing", "double", "0.0",
           "label smoothing of the cross-entropy losses: targets "
           "y·(1 − s) + s/classes (binary: + s/2)">,
    Option<"optimizer", "optimizer", "std::string", "\"adam\"",
           "sgd, adam, adamw or rmsprop">,
    Option<"learningRate", "learning-rate", "double", "1e-3",
           "the learning rate">,
    Option<"lrSchedule", "lr-schedule", "std::string", "\"constant\"",
           "constant; exponential: learning-rate · decay-rate^(step / "
           "decay-steps); polynomial: (learning-rate − end-learning-rate) · "
           "(1 − min(step, decay-steps) / decay-steps)^power + "
           "end-learning-rate; cosine: learning-rate · ((1 − alpha)·(1 + "
           "cos(π·min(step, decay-steps) / decay-steps))/2 + alpha), after "
           "an optional linear warmup to warmup-target">,
    Option<"decaySteps", "decay-steps", "int64_t", "0",
           "steps of the exponential schedule's decay-rate factor; steps of "
           "the polynomial schedule's decay">,
    Option<"decayRate", "decay-rate", "double", "0.1",
           "the exponential schedule's factor per decay-steps steps">,
    Option<"staircase", "staircase", "bool", "false",
           "the exponential schedule decays in whole decay-steps steps">,
    Option<"endLearningRate", "end-learning-rate", "double", "1e-4",
           "the polynomial schedule's learning rate from decay-steps on">,
    Option<"power", "power", "double", "1.0",
           "the polynomial schedule's power (1: linear)">,
    Option<"alpha", "alpha", "double", "0.0",
           "the cosine schedule's final fraction of its initial rate">,
    Option<"warmupSteps", "warmup-steps", "int64_t", "0",
           "the cosine schedule's linear warmup steps (0: none)">,
    Option<"warmupTarget", "warmup-target", "double", "0.0",
           "the learning rate the cosine schedule's warmup reaches, where "
           "its decay starts">,
    Option<"momentum", "momentum", "double", "0.0",
           "momentum of sgd and rmsprop">,
    Option<"nesterov", "nesterov", "bool", "false", "Nesterov momentum (sgd)">,
    Option<"freeze", "freeze", "std::string", "\"\"",
           "a regular expression: matching parameters stay fixed">,
    Option<"init", "init", "std::string", "\"from-model\"",
           "from-model or keras (Glorot-uniform kernels, zero biases)">,
    Option<"seed", "seed", "uint64_t", "0", "the seed of init=keras">,
    Option<"bnMomentum", "batch-norm-momentum", "double", "0.99",
           "moving-average momentum of batch normalization (Keras 0.99; "
           "PyTorch's momentum 0.1 is 0.9 here)">,
    Option<"gradients", "gradients", "bool", "false",
           "also emit gradients(x, y) -> (loss, d_params...) at the model's "
           "own weights">
  ];
  let dependentDialects = ["kiln::KilnDialect", "mlir::func::FuncDialect"];
}

#endif // KILN_PASSES
