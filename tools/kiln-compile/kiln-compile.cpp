//===- kiln-compile.cpp - compile a model into a Kiln artifact ------------===//
//
//   kiln-compile INPUT(.pb|.pbtxt|.onnx|.mlir) -o OUT
//                [--emit=so|obj|mlir|llvm|asm|ptx] [--target-cpu=native|CPU]
//                [--target=cpu|cuda [--gpu-arch=sm_90] [--allow-tf32]]
//                [--target-triple=TRIPLE] [-O0..3] [--batch N]
//                [--input-shape NAME=DxD...] [--timings] [--quiet]
//                [--train --loss L --optimizer O --learning-rate LR
//                 [--freeze REGEX] [--init keras|from-model] [--seed S]]
//
// Exit status: 0 success; 2 bad usage or bad input (unreadable or malformed
// model, unsupported op, unknown target), with nothing written.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Compiler.h"
#include "frontends/common/ImportOptions.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/InitLLVM.h"

#include "tools/CliChecks.h"

#include <CLI/CLI.hpp>

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  kiln::driver::CompileOptions options;
  std::string emit = "so";
  std::vector<std::string> inputShapes;
  bool quiet = false;
  bool train = false;
  kiln::autodiff::TrainOptions trainOptions;
  CLI::App app{"Compile a TensorFlow GraphDef, ONNX model or kiln-dialect "
               ".mlir file into a self-contained artifact (a shared object "
               "the Kiln runtime loads), or emit an intermediate form.",
               "kiln-compile"};
  app.add_option("input", options.inputPath,
                 "the model: .pb, .pbtxt, .onnx or .mlir")
      ->required();
  app.add_option("-o,--output", options.outputPath, "the file to write")
      ->required();
  app.add_option("--emit", emit,
                 "so: artifact (default); obj: relocatable object plus a C "
                 "header (static linking); mlir: the planned memref IR; "
                 "llvm: optimized LLVM IR (host code); asm: assembly (host "
                 "code); ptx: the kernels of a --target=cuda compile")
      ->check(CLI::IsMember({"so", "obj", "mlir", "llvm", "asm", "ptx"}));
  app.add_option("--target", options.target,
                 "where the model runs: cpu, or cuda (an NVIDIA GPU: kernels "
                 "as PTX, matmuls through cuBLASLt, driven by host code)")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  app.add_option("--gpu-arch", options.gpuArch,
                 "the NVIDIA GPU architecture of --target=cuda")
      ->capture_default_str();
  app.add_flag("--allow-tf32", options.allowTf32,
               "let cuBLASLt and cuDNN use TF32 tensor cores for f32 matmuls "
               "and convolutions (about 1e-3 relative error; default: full "
               "f32)");
  app.add_flag("--cuda-emulation", options.cudaEmulation,
               "with --target=cuda: run the cuda schedule and kernels on "
               "this CPU instead (a CPU artifact; the runtime runs its "
               "cuBLASLt and cuDNN calls with reference loops): a testing "
               "aid that checks the kernels without a GPU");
  app.add_option("--cuda-path", options.cudaPath,
                 "the CUDA toolkit whose libdevice the kernels link "
                 "(default: $CUDA_HOME, $CUDA_PATH or /usr/local/cuda)");
  app.add_option("--target-cpu", options.targetCpu,
                 "LLVM CPU name, or native (the host)")
      ->capture_default_str();
  app.add_option("--target-triple", options.targetTriple,
                 "LLVM target triple (default: the host's), e.g. "
                 "aarch64-linux-gnu with --emit=obj");
  app.add_option("--target-features", options.targetFeatures,
                 "extra LLVM target features, e.g. -avx512f");
  app.add_option("-O", options.optLevel,
                 "LLVM optimization level: -O0, -O1, -O2 or -O3")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  app.add_option("--batch", options.batch,
                 "batch size for model inputs with an unknown leading "
                 "dimension (default 1)");
  app.add_option("--input-shape", inputShapes,
                 "full static shape of a model input: NAME=1x28x28x1");
  app.add_flag("!--no-ukernels", options.ukernels,
               "lower matmuls like everything else instead of calling the "
               "matmul library (cpu: the packed AVX-512 microkernels; cuda: "
               "cuBLASLt, and cuDNN for convolutions)");
  app.add_option("--weights", options.weightsPath,
                 "replace the model's weights with the trained variables of "
                 "a kiln-train checkpoint or --export file (.kckpt)");
  app.add_flag("--timings", options.timings,
               "print the time spent in every compiler pass");
  app.add_flag("-q,--quiet", quiet, "no progress lines");
  auto *training = "Training (--train)";
  app.add_flag("--train", train,
               "compile a training artifact: init, train_step (parameters "
               "and optimizer state updated in place), eval_step and predict")
      ->group(training);
  app.add_option("--loss", trainOptions.loss,
                 "Keras loss: sparse_categorical_crossentropy, "
                 "categorical_crossentropy, binary_crossentropy, "
                 "mean_squared_error")
      ->check(CLI::IsMember({"sparse_categorical_crossentropy",
                             "categorical_crossentropy", "binary_crossentropy",
                             "mean_squared_error"}))
      ->capture_default_str()
      ->group(training);
  app.add_flag("--from-logits", trainOptions.fromLogits,
               "the model's output is logits, not probabilities")
      ->group(training);
  app.add_option("--label-smoothing", trainOptions.labelSmoothing,
                 "label smoothing of the cross-entropy losses (Keras' "
                 "label_smoothing): targets y·(1 − s) + s/classes, binary "
                 "y·(1 − s) + s/2")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str()
      ->group(training);
  app.add_option("--optimizer", trainOptions.optimizer,
                 "Keras optimizer: sgd, adam, adamw, rmsprop")
      ->check(CLI::IsMember({"sgd", "adam", "adamw", "rmsprop"}))
      ->capture_default_str()
      ->group(training);
  app.add_option("--learning-rate", trainOptions.learningRate,
                 "the optimizer's learning rate")
      ->check(kiln::tools::positiveNumber())
      ->capture_default_str()
      ->group(training);
  app.add_option("--lr-schedule", trainOptions.lrSchedule,
                 "learning rate over the steps: constant; exponential "
                 "(Keras' ExponentialDecay: learning-rate · "
                 "decay-rate^(step / decay-steps)); polynomial (Keras' "
                 "PolynomialDecay: from learning-rate to "
                 "--end-learning-rate over --decay-steps, linear with "
                 "--power 1); cosine (Keras' CosineDecay: half a cosine "
                 "from learning-rate to --alpha times it over --decay-steps, "
                 "after an optional linear --warmup-steps ramp to "
                 "--warmup-target)")
      ->check(CLI::IsMember({"constant", "exponential", "polynomial", "cosine"}))
      ->capture_default_str()
      ->group(training);
  app.add_option("--decay-steps", trainOptions.decaySteps,
                 "steps over which the exponential schedule multiplies the "
                 "learning rate by --decay-rate, or the polynomial one "
                 "reaches --end-learning-rate (e.g. epochs × steps per "
                 "epoch)")
      ->check(kiln::tools::positiveNumber())
      ->group(training);
  app.add_option("--decay-rate", trainOptions.decayRate,
                 "the exponential schedule's factor per --decay-steps")
      ->check(kiln::tools::positiveNumber())
      ->capture_default_str()
      ->group(training);
  app.add_flag("--staircase", trainOptions.staircase,
               "the exponential schedule decays in whole --decay-steps "
               "intervals")
      ->group(training);
  app.add_option("--end-learning-rate", trainOptions.endLearningRate,
                 "the polynomial schedule's learning rate from --decay-steps "
                 "on")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str()
      ->group(training);
  app.add_option("--power", trainOptions.power,
                 "the polynomial schedule's power (1: linear decay)")
      ->check(kiln::tools::positiveNumber())
      ->capture_default_str()
      ->group(training);
  app.add_option("--alpha", trainOptions.alpha,
                 "the cosine schedule's final learning rate as a fraction of "
                 "its initial one")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str()
      ->group(training);
  app.add_option("--warmup-steps", trainOptions.warmupSteps,
                 "the cosine schedule's linear warmup from --learning-rate "
                 "to --warmup-target, in steps (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str()
      ->group(training);
  app.add_option("--warmup-target", trainOptions.warmupTarget,
                 "the learning rate the cosine schedule's warmup reaches, "
                 "and its decay starts from (needed with --warmup-steps)")
      ->check(CLI::NonNegativeNumber)
      ->group(training);
  app.add_option("--momentum", trainOptions.momentum,
                 "momentum of sgd and rmsprop (0: none)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str()
      ->group(training);
  app.add_flag("--nesterov", trainOptions.nesterov, "Nesterov momentum (sgd)")
      ->group(training);
  app.add_option("--weight-decay", trainOptions.weightDecay,
                 "adamw's decoupled weight decay")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str()
      ->group(training);
  app.add_option("--freeze", trainOptions.freeze,
                 "keep the parameters whose names match this regular "
                 "expression fixed (transfer learning)")
      ->group(training);
  app.add_option("--init", trainOptions.init,
                 "initial parameters: from-model (the model's weights) or "
                 "keras (Glorot-uniform kernels, zero biases)")
      ->check(CLI::IsMember({"from-model", "keras"}))
      ->capture_default_str()
      ->group(training);
  app.add_option("--batch-norm-momentum", trainOptions.bnMomentum,
                 "moving-average momentum of batch normalization's statistics "
                 "(Keras' 0.99; a PyTorch model's momentum 0.1 is 0.9 here)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str()
      ->group(training);
  app.add_option("--seed", trainOptions.seed, "seed of --init keras")
      ->capture_default_str()
      ->group(training);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  options.emit = *kiln::driver::parseEmitKind(emit);
  if (train && trainOptions.lrSchedule != "constant" &&
      trainOptions.decaySteps <= 0) {
    llvm::errs() << "kiln-compile: error: --lr-schedule "
                 << trainOptions.lrSchedule
                 << " needs --decay-steps N (e.g. epochs × steps per epoch)\n";
    return 2;
  }
  if (train && trainOptions.warmupSteps > 0 &&
      !(trainOptions.warmupTarget > 0)) {
    llvm::errs() << "kiln-compile: error: --warmup-steps needs "
                    "--warmup-target LR (the learning rate the warmup "
                    "reaches)\n";
    return 2;
  }
  if (train)
    options.train = trainOptions;
  options.progress = !quiet;
  for (const std::string &text : inputShapes) {
    std::pair<std::string, llvm::SmallVector<int64_t>> shape;
    if (auto error = kiln::importer::parseInputShape(text, shape)) {
      llvm::errs() << "kiln-compile: error: --input-shape " << text << ": "
                   << *error << "\n";
      return 2;
    }
    options.inputShapes.push_back(std::move(shape));
  }

  mlir::DialectRegistry registry;
  kiln::driver::registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  context.disableMultithreading();
  // A diagnostic names its op and location; dumping the op (a whole
  // function, for a pass that fails on one) would bury the message.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  if (mlir::failed(
          kiln::driver::compile(context, sourceMgr, options, llvm::errs())))
    return 2;
  return 0;
}
