//===- kiln-opt.cpp - the mlir-opt-style driver for kiln ------------------===//
//
// Runs any registered pass pipeline on a `.mlir` file, with the kiln dialect,
// Kiln's passes (and the `--kiln-optimize` pipeline) and MLIR's core
// dialects and passes registered. The IR verifier runs after every pass.
// `--kiln-opt-report[=FILE]` prints what each pass did. Exit status: 0 on
// success, 2 when the input is malformed or a pass fails.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/Pipeline.h"
#include "compiler/codegen/cuda/Pipeline.h"
#include "dialects/kiln/KilnDialect.h"
#include "passes/Passes.h"
#include "passes/Report.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

static llvm::cl::opt<std::string> reportPath(
    "kiln-opt-report",
    llvm::cl::desc("print, per pass, the kiln op counts before and after and "
                   "what the pass did (what it fused, and why it rejected "
                   "each candidate) to FILE, or to standard error"),
    llvm::cl::value_desc("FILE"), llvm::cl::ValueOptional, llvm::cl::init(""));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  kiln::registerAllPasses();
  kiln::registerCpuCodegenPasses();
  kiln::registerCudaCodegenPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<kiln::KilnDialect>();
  auto [inputPath, outputPath] = mlir::registerAndParseCLIOptions(
      argc, argv, "Kiln optimizer driver\n", registry);
  mlir::MlirOptMainConfig config = mlir::MlirOptMainConfig::createFromCLOptions();
  if (reportPath.getNumOccurrences()) {
    std::string path = reportPath.empty() ? "-" : reportPath.getValue();
    // Keep the pipeline the command line asked for; add the report.
    mlir::MlirOptMainConfig base = config;
    config.setPassPipelineSetupFn([base, path](mlir::PassManager &pm) {
      if (mlir::failed(base.setupPassPipeline(pm)))
        return mlir::failure();
      pm.addInstrumentation(kiln::report::createReportInstrumentation(path));
      return mlir::success();
    });
  }
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputPath, &error);
  if (!input) {
    llvm::errs() << "kiln-opt: error: " << error << "\n";
    return 2;
  }
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputPath, &error);
  if (!output) {
    llvm::errs() << "kiln-opt: error: " << error << "\n";
    return 2;
  }
  if (mlir::failed(mlir::MlirOptMain(output->os(), std::move(input), registry,
                                     config)))
    return 2;
  output->keep();
  return 0;
}
