//===- TrainStep.h - compose forward, loss, backward and optimizer --------===//
//
// Turns an inference function (a model as imported) into the entry points of
// a training artifact:
//
//   init()                          -> (params..., state...)
//   train_step(params..., state..., x, y)
//                                   -> (loss, accuracy, params'..., state'...)
//   eval_step(params..., state..., x, y, weight)
//                                   -> (loss_sum, correct_sum)
//   predict(params..., state..., x) -> (the model's results)
//
// Parameters are the model's floating-point weight constants (matmul and
// convolution kernels, biases, normalization scales and offsets); `state` is
// the optimizer's slots, its iteration count and batch normalization's moving
// statistics. Every `train_step` output named like an input may share that
// input's buffer (the update is computed after every read of the old value),
// so callers update parameters in place.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_AUTODIFF_TRAINSTEP_H
#define KILN_PASSES_AUTODIFF_TRAINSTEP_H

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>
#include <vector>

namespace kiln::autodiff {

struct TrainOptions {
  /// The inference function; empty: the module's only public function.
  std::string function;
  /// Keras loss name: sparse_categorical_crossentropy,
  /// categorical_crossentropy, binary_crossentropy, mean_squared_error.
  std::string loss = "sparse_categorical_crossentropy";
  /// The model's output is logits (Keras' `from_logits=True`). A model
  /// ending in softmax/sigmoid is differentiated through its logits either
  /// way, as Keras does.
  bool fromLogits = false;
  /// Label smoothing of the cross-entropy losses (Keras' `label_smoothing`):
  /// the targets become y·(1 − s) + s/classes (binary: + s/2). Accuracy is
  /// measured against the labels themselves.
  double labelSmoothing = 0.0;
  /// Keras optimizer name: sgd, adam, adamw, rmsprop.
  std::string optimizer = "adam";
  double learningRate = 1e-3;
  /// The learning rate over training steps (Keras' schedules, evaluated at
  /// the optimizer's step count t before the update): `constant`, or
  /// `exponential`: learningRate · decayRate^(t / decaySteps), with
  /// ⌊t / decaySteps⌋ when `staircase`; `polynomial`: (learningRate −
  /// endLearningRate)·(1 − min(t, decaySteps) / decaySteps)^power +
  /// endLearningRate (Keras' PolynomialDecay; power 1 is a linear decay);
  /// `cosine`: Keras' CosineDecay, learningRate · ((1 − alpha)·(1 +
  /// cos(π·min(t, decaySteps) / decaySteps))/2 + alpha), after a linear
  /// warmup from learningRate to warmupTarget over warmupSteps when those
  /// are > 0 (the decay then starts from warmupTarget).
  std::string lrSchedule = "constant";
  int64_t decaySteps = 0;
  double decayRate = 0.1;
  bool staircase = false;
  double endLearningRate = 1e-4;
  double power = 1.0;
  double alpha = 0.0;
  int64_t warmupSteps = 0;
  double warmupTarget = 0.0;
  /// SGD and RMSprop momentum; SGD's Nesterov variant.
  double momentum = 0.0;
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, rho = 0.9;
  /// AdamW's decoupled weight decay.
  double weightDecay = 0.004;
  /// Batch normalization's moving-average momentum (Keras' default).
  double bnMomentum = 0.99;
  /// Parameters whose names match this regular expression stay fixed.
  std::string freeze;
  /// `from-model`: training starts from the model's weights; `keras`:
  /// Glorot-uniform kernels, zero biases, unit scales (Keras' defaults),
  /// drawn with `seed`.
  std::string init = "from-model";
  uint64_t seed = 0;
  /// Also emit `gradients(x, y) -> (loss, d_params...)`: the gradients of
  /// the mean loss at the model's own weights (constants), for checking
  /// against other frameworks.
  bool gradients = false;
};

/// Replaces the inference function of `module` with `init`, `train_step`,
/// `eval_step` and `predict`. Diagnostics name what is missing or
/// unsupported.
llvm::LogicalResult buildTrainingModule(mlir::ModuleOp module,
                                        const TrainOptions &options);

/// A trained variable, as kiln-train exports it.
struct VariableValue {
  std::vector<int64_t> dims;
  /// Little-endian elements of the variable's element type.
  std::vector<uint8_t> bytes;
};

/// Replaces the weights of `module`'s inference function with `values`,
/// matched by the variable names the training step uses. Every parameter
/// and moving statistic must be present with its shape; other entries
/// (optimizer state) are ignored.
llvm::LogicalResult
applyTrainedWeights(mlir::ModuleOp module,
                    const std::map<std::string, VariableValue> &values);

} // namespace kiln::autodiff

#endif // KILN_PASSES_AUTODIFF_TRAINSTEP_H
