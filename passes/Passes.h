//===- Passes.h - Kiln's graph-level passes -------------------------------===//

#ifndef KILN_PASSES_PASSES_H
#define KILN_PASSES_PASSES_H

#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <memory>

namespace kiln {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Registers every Kiln pass and the `kiln-optimize` pipeline.
void registerAllPasses();

/// Adds Kiln's standard optimization pipeline (`kiln-optimize`) for
/// `target` (cpu or cuda) to `pm`, which runs on a module.
void buildOptimizePipeline(mlir::OpPassManager &pm, llvm::StringRef target);

} // namespace kiln

#endif // KILN_PASSES_PASSES_H
