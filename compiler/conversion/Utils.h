//===- Utils.h - building blocks shared by the kiln → linalg patterns -----===//

#ifndef KILN_COMPILER_CONVERSION_UTILS_H
#define KILN_COMPILER_CONVERSION_UTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace kiln::conversion {

/// Builds the scalar body of an elementwise generic from its block arguments
/// (one per input, in order) and returns the result value.
using ScalarBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// `tensor.empty` of `type` (static shape).
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);

/// `tensor.empty` of `type` filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value value);

/// The indexing map reading `operand` (NumPy-broadcast against a result of
/// rank `resultRank`): leading dims dropped, size-1 dims read at index 0.
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             llvm::ArrayRef<int64_t> operandShape,
                             llvm::ArrayRef<int64_t> resultShape);

/// A `linalg.generic` computing `resultType` elementwise from `inputs`
/// (each broadcast to the result shape) with `body`.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, ScalarBuilder body);

/// A verified op's axis attribute in [0, rank) (negative axes count from
/// the end).
int64_t axisIndex(int64_t axis, int64_t rank);

/// A scalar constant of `type` (float or integer) with value `v`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double v);

/// The identity of a max (min) reduction: -inf (+inf) for floats, the
/// smallest (largest) integer for integers.
mlir::Value lowestValue(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type type);
mlir::Value highestValue(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type);

/// NaN-propagating maximum/minimum for floats, signed for integers.
mlir::Value buildMax(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                     mlir::Value y);
mlir::Value buildMin(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                     mlir::Value y);

/// Converts scalar `v` to `to` (float/int/i1 in any direction) with the
/// semantics of `kiln.cast`.
mlir::Value castScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                       mlir::Type to);

/// `linalg.transpose` of `value` by `perm`.
mlir::Value buildTranspose(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value value, llvm::ArrayRef<int64_t> perm);

/// `tensor.reshape`-free reshape of a static tensor: collapse to 1-D then
/// expand, or a single `tensor.collapse_shape`/`expand_shape` when possible.
mlir::Value buildReshape(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value value, llvm::ArrayRef<int64_t> shape);

/// Builds the scalar body of a `linalg.generic` with several results from
/// its block arguments (inputs, then the outputs' current values).
using MultiScalarBuilder = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// The element type kiln's floating-point reductions and normalizations
/// compute in: f32 for f16/bf16, whose sums would lose most digits, else
/// `element` itself.
mlir::Type computeType(mlir::Type element);

/// The map from a loop nest of `keep.size()` dims to the dims where `keep`
/// is true, in order: how a reduction's result (or a per-row statistic) is
/// indexed.
mlir::AffineMap keptDimsMap(mlir::MLIRContext *ctx, llvm::ArrayRef<bool> keep);

/// A `linalg.generic` over `iterators` reading `inputs` and updating `inits`
/// through `maps` (inputs first); returns its results.
llvm::SmallVector<mlir::Value>
buildGeneric(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inputs,
             mlir::ValueRange inits, llvm::ArrayRef<mlir::AffineMap> maps,
             llvm::ArrayRef<mlir::utils::IteratorType> iterators,
             MultiScalarBuilder body);

/// A `linalg.generic` reducing `x` over the dims where `reduced` is true,
/// with one result per scalar of `inits` (the result is the kept dims,
/// filled with that scalar first). `rowInputs`, shaped like the kept dims,
/// are read beside each element of `x`; `body` gets x's element, the row
/// inputs' elements and the results' current values, and returns the new
/// ones.
llvm::SmallVector<mlir::Value>
buildReduction(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
               mlir::ValueRange rowInputs, llvm::ArrayRef<bool> reduced,
               mlir::ValueRange inits, MultiScalarBuilder body);

} // namespace kiln::conversion

#endif // KILN_COMPILER_CONVERSION_UTILS_H
