//===- kiln-run.cpp - run a kiln function on .npy inputs ------------------===//
//
//   kiln-run model.mlir|model.so --input x.npy [--input name=y.npy ...]
//            [--function NAME] [--output-dir DIR] [--print]
//            [--expect golden.npy ... --rtol R --atol A]
//            [--threads T] [--device cpu|cuda[:N]] [--benchmark N]
//                                                     (artifacts only)
//
// A .mlir model is interpreted by the reference interpreter; a compiled
// artifact (.so, or any ELF file) runs through the runtime.
//
// Exit status: 0 success; 1 a result differs from --expect; 2 bad usage or
// bad input (malformed model, wrong or unreadable .npy, run-time error).
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Runner.h"
#include "runtime/src/tools/ArtifactRunner.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/InitLLVM.h"

#include <CLI/CLI.hpp>

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  kiln::tools::RunOptions options;
  CLI::App app{"Run a kiln function on .npy inputs -- interpreted from .mlir "
               "or compiled into an artifact (.so) -- and write one .npy per "
               "result.",
               "kiln-run"};
  app.add_option("model", options.modelPath,
                 "the .mlir file to interpret, or the artifact (.so) to run")
      ->required();
  app.add_option("-i,--input", options.inputs,
                 "an input .npy: FILE (next argument in order) or NAME=FILE "
                 "(the argument whose kiln.name is NAME, or argN)");
  app.add_option("-f,--function", options.function,
                 "the function to run (default: the first public one)");
  app.add_option("-o,--output-dir", options.outputDir,
                 "write each result to DIR/<result name>.npy (created if "
                 "absent)");
  app.add_flag("-p,--print", options.printValues, "print the result values");
  app.add_option("--expect", options.expected,
                 "a golden .npy to compare a result with: FILE (results in "
                 "order) or NAME=FILE; any mismatch exits with status 1");
  app.add_option("--rtol", options.rtol, "relative tolerance for --expect")
      ->capture_default_str();
  app.add_option("--atol", options.atol, "absolute tolerance for --expect")
      ->capture_default_str();
  CLI::Option *threadsOpt = app.add_option(
      "--threads", options.threads,
      "artifacts: threads to run on, the caller included (0: one per core)");
  CLI::Option *deviceOpt = app.add_option(
      "--device", options.device,
      "artifacts: cpu, cuda or cuda:N (default: the device the artifact was "
      "compiled for; an artifact runs only there)");
  CLI::Option *benchmarkOpt = app.add_option(
      "--benchmark", options.benchmark,
      "artifacts: time N runs after warm-up and print median_ms, p90_ms and "
      "throughput");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (kiln::tools::isArtifactPath(options.modelPath))
    return static_cast<int>(kiln::tools::runArtifact(options, stdout, stderr));
  if (threadsOpt->count() || benchmarkOpt->count() || deviceOpt->count()) {
    llvm::errs() << "error: --threads, --device and --benchmark apply to compiled "
                    "artifacts (.so), not to interpreted .mlir models\n";
    return 2;
  }

  mlir::DialectRegistry registry;
  kiln::reference::registerRunnerDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  return static_cast<int>(
      kiln::reference::runModel(context, sourceMgr, options, llvm::outs()));
}
