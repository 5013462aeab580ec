//===- kiln-train.cpp - train a compiled training artifact ----------------===//
//
//   kiln-train ARTIFACT --data fashion-mnist|DIR --epochs N [--batch-size B]
//              [--validation-split F] [--seed S] [--checkpoint-dir D
//              [--checkpoint-every K]] [--resume] [--export FILE]
//              [--augment flip,shift=N]
//
// Exit status: 0 success; 2 bad usage or bad input (missing or malformed
// data, labels out of range, a shape the model does not take, a corrupt
// checkpoint); 3 stopped by --stop-after.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/tools/Trainer.h"

#include "tools/CliChecks.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  kiln::tools::TrainOptions options;
  CLI::App app{"Train a training artifact (kiln-compile --train) on real data: "
               "shuffled mini-batches, evaluation after every epoch, the "
               "training curve as CSV and PNG, and checkpoints that resume to "
               "identical weights. The last line printed is "
               "`test_accuracy: 0.xxxx`.",
               "kiln-train"};
  app.add_option("artifact", options.artifact,
                 "the training artifact (kiln-compile MODEL --train -o "
                 "model.train.kiln.so)")
      ->required();
  app.add_option("--data", options.data,
                 "fashion-mnist (Debian's dataset-fashion-mnist) or a "
                 "directory with the four MNIST-format IDX files (plain or "
                 ".gz) or x_train.npy, y_train.npy, x_test.npy, y_test.npy")
      ->capture_default_str();
  app.add_option("--epochs", options.epochs, "passes over the training set")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20))
      ->capture_default_str();
  app.add_option("--batch-size", options.batchSize,
                 "samples per step: the batch the artifact was compiled for "
                 "(kiln-compile --batch), which is the default");
  app.add_option("--validation-split", options.validationSplit,
                 "fraction of the training set (its end) held out and "
                 "evaluated after every epoch")
      ->check(CLI::Range(0.0, 0.99));
  app.add_option("--seed", options.seed, "seed of the shuffling")
      ->capture_default_str();
  std::vector<std::string> augment;
  app.add_option("--augment", augment,
                 "augment the training images (samples HxW or HxWxC): flip "
                 "(mirror left-right, probability 1/2), shift=N (translate "
                 "by up to N pixels each way, zero fill); e.g. --augment "
                 "flip,shift=2")
      ->delimiter(',');
  app.add_option("--checkpoint-dir", options.checkpointDir,
                 "write checkpoints (step-N.kckpt, the newest two kept) here "
                 "after every epoch");
  app.add_option("--checkpoint-every", options.checkpointEvery,
                 "also checkpoint every K steps")
      ->check(kiln::tools::positiveNumber());
  app.add_flag("--resume", options.resume,
               "continue from the newest checkpoint in --checkpoint-dir");
  app.add_option("--export", options.exportPath,
                 "after training, write FILE.so: an inference artifact of "
                 "--model with the trained weights, or FILE.kckpt: the "
                 "trained variables (kiln-compile MODEL --weights FILE.kckpt "
                 "builds the artifact later)");
  app.add_option("--model", options.model,
                 "the model the artifact was compiled from (for --export "
                 "FILE.so)");
  app.add_option("--export-batch", options.exportBatch,
                 "the batch size of the --export FILE.so artifact (default: "
                 "the model's)")
      ->check(kiln::tools::positiveNumber());
  app.add_option("--csv", options.csvPath,
                 "the training curve as CSV (default: training.csv in the "
                 "checkpoint directory, else none)");
  app.add_option("--plot", options.plotPath,
                 "the training curve as a PNG plot (default: training.png in "
                 "the checkpoint directory, else none)");
  kiln::tools::addCudaGraphsOption(app, options.cudaGraphs);
  app.add_option("--threads", options.threads,
                 "threads, the caller included (0: one per core; 1 makes "
                 "resumed runs bitwise identical)")
      ->capture_default_str();
  app.add_option("--limit-train", options.limitTrain,
                 "use only the first N training samples");
  app.add_option("--limit-test", options.limitTest,
                 "use only the first N test samples");
  app.add_option("--progress", options.progress,
                 "progress bar: auto (when stderr is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_option("--stop-after", options.stopAfterSteps,
                 "stop with exit status 3 after N steps, as if killed (for "
                 "testing --resume)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  for (const std::string &a : augment) {
    if (a == "flip") {
      options.flip = true;
      continue;
    }
    long long n = 0;
    char tail = 0;
    if (a.rfind("shift=", 0) == 0 && options.shift == 0 &&
        a.size() > 6 && a[6] >= '0' && a[6] <= '9' &&
        std::sscanf(a.c_str() + 6, "%lld%c", &n, &tail) == 1 && n > 0 &&
        n <= 1024) {
      options.shift = n;
      continue;
    }
    std::fprintf(stderr,
                 "kiln-train: error: --augment: unknown augmentation '%s' "
                 "(expected flip or one shift=N with N in [1, 1024])\n",
                 a.c_str());
    return 2;
  }
  if (!options.checkpointDir.empty()) {
    if (options.csvPath.empty())
      options.csvPath = options.checkpointDir + "/training.csv";
    if (options.plotPath.empty())
      options.plotPath = options.checkpointDir + "/training.png";
  }
  return kiln::tools::train(options, stdout, stderr);
}
