//===- Runner.h - run a kiln function on .npy files (kiln-run's library) --===//

#ifndef KILN_COMPILER_REFERENCE_RUNNER_H
#define KILN_COMPILER_REFERENCE_RUNNER_H

#include "runtime/src/tools/RunSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln::reference {

using tools::RunOptions;
using tools::RunStatus;

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
