//===- KilnDialect.h - the kiln dialect and its ops -----------------------===//

#ifndef KILN_DIALECTS_KILN_KILNDIALECT_H
#define KILN_DIALECTS_KILN_KILNDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/kiln/KilnDialect.h.inc"

namespace kiln {

/// Infers the NumPy-broadcast result type of `operands` (named `names` in
/// diagnostics). The element type is `resultElement` when given, else the
/// operands' common element type, which must agree.
llvm::LogicalResult
inferBroadcastResult(std::optional<mlir::Location> loc,
                     llvm::ArrayRef<mlir::Value> operands,
                     llvm::ArrayRef<llvm::StringRef> names,
                     mlir::Type resultElement,
                     llvm::SmallVectorImpl<mlir::Type> &types);

/// Broadcasts two static shapes with NumPy rules; failure if incompatible.
llvm::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Normalizes `axis` in `[-rank, rank)` to `[0, rank)`; failure if outside.
llvm::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Output extent of a sliding window (convolution or pooling); failure when
/// the window does not fit even once.
llvm::FailureOr<int64_t> windowOutputSize(int64_t in, int64_t kernel,
                                          int64_t stride, int64_t dilation,
                                          int64_t padLo, int64_t padHi);

/// `v` converted to the float type `floatType` with one round-to-nearest-even
/// step (as `sitofp`), returned as the double holding that exact value.
double intToFloat(mlir::Type floatType, int64_t v);

/// A shape as `[2, 3]`, for diagnostics.
std::string shapeString(llvm::ArrayRef<int64_t> shape);

/// Erases the side-effect-free ops whose results nobody uses, innermost
/// regions first (the shape arithmetic import-time folding leaves behind,
/// the producers of pruned values).
void eraseDeadOps(mlir::Region &region);

/// Attaches the gradient rules (GradientOpInterface) to the kiln ops that
/// have one; called when the dialect is loaded.
void registerGradientRules(mlir::MLIRContext *context);

} // namespace kiln

#include "dialects/kiln/KilnInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/kiln/KilnOps.h.inc"

#endif // KILN_DIALECTS_KILN_KILNDIALECT_H
