//===- Trainer.h - kiln-train's training loop -----------------------------===//
//
// Runs a training artifact (kiln-compile --train: init, train_step,
// eval_step, predict) on a dataset: shuffled mini-batches, a progress bar,
// evaluation after every epoch, the training curve as CSV and PNG, and
// checkpoints that resume to bitwise-identical weights.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_TOOLS_TRAINER_H
#define KILN_RUNTIME_TOOLS_TRAINER_H

#include "kiln/runtime.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace kiln::tools {

struct TrainOptions {
  std::string artifact;
  /// "fashion-mnist" or a directory (IDX or .npy files).
  std::string data = "fashion-mnist";
  int64_t epochs = 5;
  /// 0: the batch size the artifact was compiled for (the only one it
  /// accepts).
  int64_t batchSize = 0;
  /// The fraction of the training set (its end, before shuffling, as Keras
  /// takes it) held out for validation.
  double validationSplit = 0.0;
  uint64_t seed = 0;
  /// Checkpoints: a directory, written every `checkpointEvery` steps and at
  /// the end of every epoch; `resume` continues from the newest one.
  std::string checkpointDir;
  int64_t checkpointEvery = 0;
  bool resume = false;
  /// Use only the first N training / test samples (0: all).
  int64_t limitTrain = 0, limitTest = 0;
  /// The training curve; empty: none. Defaults beside the checkpoints or
  /// in the working directory are chosen by the tool.
  std::string csvPath, plotPath;
  /// Write the trained variables: a `.kckpt` file, or, for a path ending in
  /// `.so`, an inference artifact compiled (by the kiln-compile beside
  /// kiln-train) from `model` with the trained weights.
  std::string exportPath;
  std::string model;
  /// The exported artifact's batch size (0: the model's).
  int64_t exportBatch = 0;
  int32_t threads = 0;
  /// Data augmentation of the training batches (images: samples of shape
  /// HxW or HxWxC): mirror left-right with probability 1/2, and translate
  /// by up to `shift` pixels each way (uniform per axis, zero fill). Drawn
  /// from the shuffling generator after each epoch's shuffle, so resumed
  /// runs see the same images.
  bool flip = false;
  int64_t shift = 0;
  /// cuda artifacts: kiln_session_options_t.cuda_graphs.
  kiln_cuda_graphs_t cudaGraphs = KILN_CUDA_GRAPHS_AUTO;
  /// Progress bar: "auto" (when stderr is a terminal), "always", "never".
  std::string progress = "auto";
  /// Stop (exit status 3) after this many steps, as if killed: for tests of
  /// resuming. 0: never.
  int64_t stopAfterSteps = 0;
};

/// Trains; writes progress to `err` and results (one line per epoch, then
/// `test_accuracy: 0.xxxx`) to `out`. Returns the exit status: 0 success,
/// 2 bad input (with a message naming what is wrong), 3 stopped by
/// `stopAfterSteps`.
int train(const TrainOptions &options, std::FILE *out, std::FILE *err);

} // namespace kiln::tools

#endif // KILN_RUNTIME_TOOLS_TRAINER_H
