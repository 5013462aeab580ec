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
#include "tools/kiln-run/RunCli.h"

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
  kiln::tools::ArtifactOptions artifactOptions = kiln::tools::addRunOptions(
      app, options, "the .mlir file to interpret, or the artifact (.so) to run");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (kiln::tools::isArtifactPath(options.modelPath))
    return static_cast<int>(kiln::tools::runArtifact(options, stdout, stderr));
  if (artifactOptions.threads->count() || artifactOptions.benchmark->count() ||
      artifactOptions.device->count() || artifactOptions.cudaGraphs->count()) {
    llvm::errs() << "error: --threads, --device, --benchmark and --cuda-graphs "
                    "apply to compiled artifacts (.so), not to interpreted "
                    ".mlir models\n";
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
