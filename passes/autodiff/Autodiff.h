//===- Autodiff.h - reverse-mode automatic differentiation ----------------===//
//
// Builds backward graphs from kiln functions by chaining the gradient rule
// of every op (GradientOpInterface, dialects/kiln/Gradients.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_AUTODIFF_AUTODIFF_H
#define KILN_PASSES_AUTODIFF_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace kiln::autodiff {

/// Emits at `builder`'s insertion point (which must come after every op of
/// `body`) the gradients of `sum_i <seeds[i].first, seeds[i].second>` (each
/// value paired with its cotangent) with respect to `wrt`, returned in that
/// order. Only the top-level ops of `body` between `wrt` and the seeds are
/// differentiated; a value that receives no gradient gets zeros. Fails with
/// a diagnostic naming the op when one on that path has no gradient rule.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
buildGradients(mlir::OpBuilder &builder, mlir::Block &body,
               llvm::ArrayRef<std::pair<mlir::Value, mlir::Value>> seeds,
               llvm::ArrayRef<mlir::Value> wrt);

/// Adds to `fn`'s module the vector-Jacobian product of `fn` named `name`:
/// its arguments are `fn`'s followed by one cotangent per floating-point
/// result, its results the gradients of `sum_k <result_k, cotangent_k>`
/// with respect to every floating-point argument of `fn`.
mlir::FailureOr<mlir::func::FuncOp> buildVjpFunction(mlir::func::FuncOp fn,
                                                     llvm::StringRef name);

} // namespace kiln::autodiff

#endif // KILN_PASSES_AUTODIFF_AUTODIFF_H
