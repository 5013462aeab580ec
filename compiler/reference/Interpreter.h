//===- Interpreter.h - the reference interpreter of the kiln dialect ------===//
//
// Evaluates kiln functions directly on the host, op by op, accumulating f32
// arithmetic in f64. It is the numerical oracle against which importers,
// passes and code generation are tested, so it favours clarity over speed.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_REFERENCE_INTERPRETER_H
#define KILN_COMPILER_REFERENCE_INTERPRETER_H

#include "compiler/reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln::reference {

/// Runs `fn` on `args`, which must match the function's argument types.
/// Errors (a type mismatch, an unsupported op, an index out of range at run
/// time) are reported as diagnostics at the offending location.
mlir::FailureOr<llvm::SmallVector<Tensor>>
interpret(mlir::func::FuncOp fn, llvm::ArrayRef<Tensor> args);

/// Evaluates one kiln op (not `kiln.scan`) on its operand values; used by
/// the interpreter and by constant folding passes.
mlir::FailureOr<Tensor> evaluateOp(mlir::Operation *op,
                                   llvm::ArrayRef<const Tensor *> operands);

/// Constant folding (the importers' and kiln-fold-constants) does not
/// evaluate ops costing more multiply-adds than this: that work belongs in
/// generated code, not in the compiler.
constexpr int64_t kFoldCostLimit = int64_t(1) << 26;

/// An estimate of the multiply-adds evaluating `op` takes (contractions
/// count their reduction; other ops their operand and result sizes).
int64_t evaluationCost(mlir::Operation *op);

/// The constant `op` (a kiln op without regions and with one result) computes
/// when all its operands are `kiln.constant`s, or failure when they are not,
/// the result has more than `maxElements` elements, the evaluation would
/// cost more than `maxCost`, or it fails (silently: folding is optional).
mlir::FailureOr<mlir::ElementsAttr> foldToConstant(mlir::Operation *op,
                                                   int64_t maxElements,
                                                   int64_t maxCost,
                                                   llvm::StringRef blobName);

} // namespace kiln::reference

#endif // KILN_COMPILER_REFERENCE_INTERPRETER_H
