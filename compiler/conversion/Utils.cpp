//===- Utils.cpp - building blocks shared by the kiln → linalg patterns ---===//

#include "compiler/conversion/Utils.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace kiln::conversion {

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value value) {
  Value empty = emptyTensor(b, loc, type);
  return b.create<linalg::FillOp>(loc, value, empty).getResult(0);
}

AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> resultShape) {
  unsigned rank = resultShape.size();
  unsigned offset = rank - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, dim] : llvm::enumerate(operandShape)) {
    if (dim == 1 && resultShape[offset + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, ScalarBuilder body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(
        ctx, cast<RankedTensorType>(in.getType()).getShape(),
        resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, resultType);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        nb.create<linalg::YieldOp>(nloc, result);
      });
  return generic.getResult(0);
}

int64_t axisIndex(int64_t axis, int64_t rank) {
  // The op verifiers have checked the range.
  return *kiln::normalizeAxis(axis, rank);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double v) {
  if (auto ft = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(loc, b.getFloatAttr(ft, v));
  return b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(type, static_cast<int64_t>(v)));
}

static Value extremeValue(OpBuilder &b, Location loc, Type type, bool lowest) {
  if (auto ft = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(
        loc, b.getFloatAttr(ft, lowest ? -INFINITY : INFINITY));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt v = lowest ? APInt::getSignedMinValue(width)
                   : APInt::getSignedMaxValue(width);
  if (width == 1)
    v = lowest ? APInt(1, 0) : APInt(1, 1);
  return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type, v));
}

Value lowestValue(OpBuilder &b, Location loc, Type type) {
  return extremeValue(b, loc, type, /*lowest=*/true);
}
Value highestValue(OpBuilder &b, Location loc, Type type) {
  return extremeValue(b, loc, type, /*lowest=*/false);
}

Value buildMax(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::MaximumFOp>(loc, x, y);
  if (x.getType().isInteger(1))
    return b.create<arith::OrIOp>(loc, x, y);
  return b.create<arith::MaxSIOp>(loc, x, y);
}

Value buildMin(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::MinimumFOp>(loc, x, y);
  if (x.getType().isInteger(1))
    return b.create<arith::AndIOp>(loc, x, y);
  return b.create<arith::MinSIOp>(loc, x, y);
}

Value castScalar(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromF = dyn_cast<FloatType>(from);
  auto toF = dyn_cast<FloatType>(to);
  if (to.isInteger(1)) {
    Value zero = scalarConstant(b, loc, from, 0);
    if (fromF) // NaN != 0 is true, as in C.
      return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, v, zero);
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, v, zero);
  }
  if (from.isInteger(1)) {
    if (toF)
      return b.create<arith::UIToFPOp>(loc, to, v);
    return b.create<arith::ExtUIOp>(loc, to, v);
  }
  if (fromF && toF) {
    if (fromF.getWidth() < toF.getWidth())
      return b.create<arith::ExtFOp>(loc, to, v);
    return b.create<arith::TruncFOp>(loc, to, v);
  }
  if (!fromF && toF)
    return b.create<arith::SIToFPOp>(loc, to, v);
  if (fromF && !toF) {
    // Saturating, truncating toward zero, NaN → 0.
    unsigned width = to.getIntOrFloatBitWidth();
    double hi = std::ldexp(1.0, width - 1); // 2^(w-1): first value too large
    Value tooHigh = b.create<arith::CmpFOp>(
        loc, arith::CmpFPredicate::OGE, v, scalarConstant(b, loc, from, hi));
    Value tooLow = b.create<arith::CmpFOp>(
        loc, arith::CmpFPredicate::OLT, v, scalarConstant(b, loc, from, -hi));
    Value isNan =
        b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, v, v);
    Value safe = b.create<arith::SelectOp>(
        loc, b.create<arith::OrIOp>(loc, b.create<arith::OrIOp>(loc, tooHigh, tooLow), isNan),
        scalarConstant(b, loc, from, 0), v);
    Value converted = b.create<arith::FPToSIOp>(loc, to, safe);
    converted = b.create<arith::SelectOp>(loc, tooHigh,
                                          highestValue(b, loc, to), converted);
    converted = b.create<arith::SelectOp>(loc, tooLow,
                                          lowestValue(b, loc, to), converted);
    return converted;
  }
  // Integer to integer: keep the low bits / sign-extend.
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return b.create<arith::ExtSIOp>(loc, to, v);
  return b.create<arith::TruncIOp>(loc, to, v);
}

Value buildTranspose(OpBuilder &b, Location loc, Value value,
                     ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  Value init = b.create<tensor::EmptyOp>(loc, shape, type.getElementType());
  return b.create<linalg::TransposeOp>(loc, value, init, perm).getResult()[0];
}

Value buildReshape(OpBuilder &b, Location loc, Value value,
                   ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  auto target = RankedTensorType::get(shape, type.getElementType());
  if (type.getShape() == shape)
    return value;
  if (auto reassoc = getReassociationIndicesForReshape(type, target)) {
    if (type.getRank() > target.getRank())
      return b.create<tensor::CollapseShapeOp>(loc, target, value, *reassoc);
    return b.create<tensor::ExpandShapeOp>(loc, target, value, *reassoc);
  }
  Value flat = value;
  if (type.getRank() == 0) {
    flat = b.create<tensor::ExpandShapeOp>(
        loc, RankedTensorType::get({1}, type.getElementType()), value,
        ArrayRef<ReassociationIndices>{});
  } else if (type.getRank() != 1) {
    auto flatType =
        RankedTensorType::get({type.getNumElements()}, type.getElementType());
    SmallVector<ReassociationIndices> all(1);
    for (int64_t i = 0; i < type.getRank(); ++i)
      all[0].push_back(i);
    flat = b.create<tensor::CollapseShapeOp>(loc, flatType, value, all);
  }
  if (target.getRank() == 1)
    return flat;
  if (target.getRank() == 0)
    return b.create<tensor::CollapseShapeOp>(loc, target, flat,
                                             ArrayRef<ReassociationIndices>{});
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < target.getRank(); ++i)
    all[0].push_back(i);
  return b.create<tensor::ExpandShapeOp>(loc, target, flat, all);
}

Type computeType(Type element) {
  auto ft = dyn_cast<FloatType>(element);
  if (ft && ft.getWidth() < 32)
    return Float32Type::get(element.getContext());
  return element;
}

AffineMap keptDimsMap(MLIRContext *ctx, ArrayRef<bool> keep) {
  SmallVector<AffineExpr> exprs;
  for (auto [d, k] : llvm::enumerate(keep))
    if (k)
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(keep.size(), 0, exprs, ctx);
}

SmallVector<Value> buildGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                                ValueRange inits, ArrayRef<AffineMap> maps,
                                ArrayRef<utils::IteratorType> iterators,
                                MultiScalarBuilder body) {
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange(inits), inputs, inits, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, body(nb, nloc, args));
      });
  return SmallVector<Value>(generic.getResults());
}

SmallVector<Value> buildReduction(OpBuilder &b, Location loc, Value x,
                                  ValueRange rowInputs, ArrayRef<bool> reduced,
                                  ValueRange inits, MultiScalarBuilder body) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<bool> kept;
  SmallVector<int64_t> keptShape;
  SmallVector<utils::IteratorType> iterators;
  for (auto [d, r] : llvm::enumerate(reduced)) {
    kept.push_back(!r);
    if (!r)
      keptShape.push_back(type.getDimSize(d));
    iterators.push_back(r ? utils::IteratorType::reduction
                          : utils::IteratorType::parallel);
  }
  AffineMap keptMap = keptDimsMap(ctx, kept);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(type.getRank())};
  maps.append(rowInputs.size(), keptMap);
  SmallVector<Value> outputs;
  for (Value init : inits) {
    outputs.push_back(filledTensor(
        b, loc, RankedTensorType::get(keptShape, init.getType()), init));
    maps.push_back(keptMap);
  }
  SmallVector<Value> inputs = {x};
  llvm::append_range(inputs, rowInputs);
  return buildGeneric(b, loc, inputs, outputs, maps, iterators, body);
}

} // namespace kiln::conversion
