//===- Runner.h - run a kiln function on .npy files (kiln-run's library) --===//

#ifndef KILN_COMPILER_REFERENCE_RUNNER_H
#define KILN_COMPILER_REFERENCE_RUNNER_H

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace kiln::reference {

struct RunOptions {
  /// The `.mlir` file to interpret.
  std::string modelPath;
  /// `file.npy` (bound in order) or `name=file.npy` (bound by argument name).
  std::vector<std::string> inputs;
  /// The function to run; empty: the only, or else the first, public one.
  std::string function;
  /// Where to write one `.npy` per result; empty: write nothing.
  std::string outputDir;
  /// Golden `.npy` files to compare the results with, in result order or as
  /// `name=file.npy`.
  std::vector<std::string> expected;
  double rtol = 1e-4;
  double atol = 1e-5;
  /// Print result values, not only their types.
  bool printValues = false;
};

enum class RunStatus {
  Ok = 0,
  /// A result differs from its expected golden.
  Mismatch = 1,
  /// Bad input: malformed model, wrong input file, unsupported op.
  InputError = 2,
};

/// Runs `options.function` of the model on the inputs, writes the outputs
/// and prints a summary to `out`. The model file is added to `sourceMgr`.
/// Problems are reported as diagnostics through `context`: the caller
/// installs the handler that prints them (with `sourceMgr` for excerpts).
RunStatus runModel(mlir::MLIRContext &context, llvm::SourceMgr &sourceMgr,
                   const RunOptions &options, llvm::raw_ostream &out);

/// Registers the dialects a kiln model may use.
void registerRunnerDialects(mlir::DialectRegistry &registry);

} // namespace kiln::reference

#endif // KILN_COMPILER_REFERENCE_RUNNER_H
