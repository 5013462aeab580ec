//===- DataMovement.cpp - kiln → linalg: shape and data movement ops ------===//
//
// Ops that only move elements become the tensor ops that bufferize to views
// where they can: reshape → collapse/expand_shape, slice →
// tensor.extract_slice, pad → tensor.pad, concat → insert_slices into one
// tensor. transpose is `linalg.transpose`, broadcast_to an elementwise copy
// generic (which fuses into its consumers), and gather a generic whose body
// extracts from the params at the index it reads. Semantics follow
// compiler/reference/DataMovementKernels.cpp.
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/PopulatePatterns.h"
#include "compiler/conversion/Utils.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace kiln::conversion {
namespace {

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return getAsIndexOpFoldResult(b.getContext(), values);
}

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    rewriter.replaceOp(op, buildReshape(rewriter, op.getLoc(), adaptor.getX(),
                                        resultType.getShape()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ArrayRef<int64_t> perm = op.getPerm();
    if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size()))) {
      rewriter.replaceOp(op, adaptor.getX());
      return success();
    }
    rewriter.replaceOp(
        op, buildTranspose(rewriter, op.getLoc(), adaptor.getX(), perm));
    return success();
  }
};

/// An elementwise copy whose input map broadcasts (NumPy rules).
struct BroadcastToLowering : OpConversionPattern<BroadcastToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    if (adaptor.getX().getType() == resultType) {
      rewriter.replaceOp(op, adaptor.getX());
      return success();
    }
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), resultType, adaptor.getX(),
                             [](OpBuilder &, Location, ValueRange args) {
                               return args[0];
                             }));
    return success();
  }
};

/// Each input inserted at its offset along `axis` into one tensor.
struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    ValueRange inputs = adaptor.getInputs();
    if (inputs.size() == 1) {
      rewriter.replaceOp(op, inputs.front());
      return success();
    }
    int64_t rank = resultType.getRank();
    int64_t axis = axisIndex(op.getAxis(), rank);
    Value result = emptyTensor(rewriter, loc, resultType);
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    for (Value input : inputs) {
      auto type = cast<RankedTensorType>(input.getType());
      if (type.getDimSize(axis) == 0)
        continue;
      result = rewriter.create<tensor::InsertSliceOp>(
          loc, input, result, indexAttrs(rewriter, offsets),
          indexAttrs(rewriter, type.getShape()), indexAttrs(rewriter, strides));
      offsets[axis] += type.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value x = adaptor.getX();
    auto resultType = cast<RankedTensorType>(op.getType());
    if (x.getType() == resultType) { // the whole tensor
      rewriter.replaceOp(op, x);
      return success();
    }
    SmallVector<int64_t> strides(resultType.getRank(), 1);
    if (auto s = op.getStrides())
      strides.assign(s->begin(), s->end());
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, resultType, x, indexAttrs(rewriter, op.getStart()),
        indexAttrs(rewriter, resultType.getShape()),
        indexAttrs(rewriter, strides));
    return success();
  }
};

/// The padding value of kiln.pad in `element`: rounded for floats,
/// truncated and saturated for integers, `!= 0` for i1 (as the interpreter
/// converts it).
Value padValue(OpBuilder &b, Location loc, Type element, double value) {
  if (isa<FloatType>(element))
    return scalarConstant(b, loc, element, value);
  unsigned bits = element.getIntOrFloatBitWidth();
  int64_t v = bits == 1 ? value != 0.0 : scalar::floatToInt(value, bits);
  return b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(element, APInt(bits, v, /*isSigned=*/bits > 1)));
}

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto resultType = cast<RankedTensorType>(op.getType());
    if (x.getType() == resultType) {
      rewriter.replaceOp(op, x);
      return success();
    }
    Value value = padValue(rewriter, loc, resultType.getElementType(),
                           op.getValue().convertToDouble());
    rewriter.replaceOpWithNewOp<tensor::PadOp>(
        op, resultType, x, indexAttrs(rewriter, op.getLow()),
        indexAttrs(rewriter, op.getHigh()), value);
    return success();
  }
};

/// result[p..., i..., q...] = params[p..., indices[i...], q...]: a generic
/// over the result reading the indices and extracting from the params.
/// Negative indices count from the end. An index outside [-dim, dim) — an
/// error in the interpreter — is clamped into range, so the generated code
/// never reads outside `params`.
/// An index of gather or scatter-add (i32/i64) as an `index` in [0, dim):
/// negative ones count from the end; out-of-range ones are clamped (the
/// reference interpreter reports them).
Value clampedIndex(OpBuilder &b, Location l, Value index, int64_t dim) {
  Type i64 = b.getI64Type();
  Value i = castScalar(b, l, index, i64);
  Value zero = scalarConstant(b, l, i64, 0);
  Value negative = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, i, zero);
  i = b.create<arith::SelectOp>(
      l, negative,
      b.create<arith::AddIOp>(l, i, b.create<arith::ConstantIntOp>(l, dim, 64)),
      i);
  i = b.create<arith::MaxSIOp>(l, i, zero);
  i = b.create<arith::MinSIOp>(l, i,
                               b.create<arith::ConstantIntOp>(l, dim - 1, 64));
  return b.create<arith::IndexCastOp>(l, b.getIndexType(), i);
}

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value params = adaptor.getParams(), indices = adaptor.getIndices();
    auto paramsType = cast<RankedTensorType>(params.getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t axis = axisIndex(op.getAxis(), paramsType.getRank());
    int64_t dim = paramsType.getDimSize(axis);
    int64_t indicesRank = indicesType.getRank();
    int64_t rank = resultType.getRank();
    if (dim == 0) { // every index is out of range: nothing to read
      rewriter.replaceOp(
          op, filledTensor(rewriter, loc, resultType,
                           scalarConstant(rewriter, loc,
                                          resultType.getElementType(), 0.0)));
      return success();
    }

    SmallVector<AffineExpr> indicesExprs;
    for (int64_t d = 0; d < indicesRank; ++d)
      indicesExprs.push_back(getAffineDimExpr(axis + d, ctx));
    AffineMap indicesMap = AffineMap::get(rank, 0, indicesExprs, ctx);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    Value result =
        buildGeneric(
            rewriter, loc, {indices}, {emptyTensor(rewriter, loc, resultType)},
            {indicesMap, rewriter.getMultiDimIdentityMap(rank)}, parallel,
            [&](OpBuilder &b, Location l, ValueRange args) {
              SmallVector<Value> coords;
              for (int64_t d = 0; d < axis; ++d)
                coords.push_back(b.create<linalg::IndexOp>(l, d));
              coords.push_back(clampedIndex(b, l, args[0], dim));
              for (int64_t d = axis + 1; d < paramsType.getRank(); ++d)
                coords.push_back(
                    b.create<linalg::IndexOp>(l, d - 1 + indicesRank));
              return SmallVector<Value>{
                  b.create<tensor::ExtractOp>(l, params, coords)};
            })
            .front();
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

/// Scatter-add as three generics, none of which reads the indices on the
/// host: the updates of each row form a list in the updates' order,
///
///   next[n] = the first m > n with row(m) = row(n), else count
///   head[v] = the first n with row(n) = v, else count
///   out[p, v, q] = updates[p, head[v], q] + updates[p, next[head[v]], q] + …
///
/// (the last walking the list in a loop): the host loop's additions in its
/// order, for O(count² + V·count + P·V·Q + P·count·Q) work rather than a
/// scan of every update by every result element. `indices` is [count],
/// `updates` [P, count, Q], `zeros` the [P, V, Q] zero tensor.
static Value linkedScatter(OpBuilder &b, Location loc, Value indices,
                           Value updates, Value zeros, int64_t dim) {
  MLIRContext *ctx = b.getContext();
  auto updatesType = cast<RankedTensorType>(updates.getType());
  int64_t count = updatesType.getDimSize(1);
  Type i64 = b.getI64Type();
  Value none = b.create<arith::ConstantIntOp>(loc, count, 64);
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  auto map = [&](ArrayRef<AffineExpr> exprs, unsigned dims) {
    return AffineMap::get(dims, 0, exprs, ctx);
  };
  auto parallel = utils::IteratorType::parallel;
  auto reduction = utils::IteratorType::reduction;
  // The smallest matching position (`none`, the count, is above all): a
  // minimum, whatever order the reduction runs in.
  auto firstHit = [&](OpBuilder &nb, Location l, Value hit, Value position,
                      Value acc) {
    Value at = nb.create<arith::IndexCastOp>(l, i64, position);
    Value lower = nb.create<arith::MinSIOp>(l, acc, at);
    return nb.create<arith::SelectOp>(l, hit, lower, acc).getResult();
  };
  Value next =
      buildGeneric(
          b, loc, {indices, indices},
          {filledTensor(b, loc, RankedTensorType::get({count}, i64), none)},
          {map(d0, 2), map(d1, 2), map(d0, 2)}, {parallel, reduction},
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value n = nb.create<linalg::IndexOp>(l, 0);
            Value m = nb.create<linalg::IndexOp>(l, 1);
            Value later =
                nb.create<arith::CmpIOp>(l, arith::CmpIPredicate::ugt, m, n);
            Value same = nb.create<arith::CmpIOp>(
                l, arith::CmpIPredicate::eq, clampedIndex(nb, l, a[0], dim),
                clampedIndex(nb, l, a[1], dim));
            Value hit = nb.create<arith::AndIOp>(l, later, same);
            return SmallVector<Value>{firstHit(nb, l, hit, m, a[2])};
          })
          .front();
  Value head =
      buildGeneric(
          b, loc, {indices},
          {filledTensor(b, loc, RankedTensorType::get({dim}, i64), none)},
          {map(d1, 2), map(d0, 2)}, {parallel, reduction},
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value v = nb.create<linalg::IndexOp>(l, 0);
            Value n = nb.create<linalg::IndexOp>(l, 1);
            Value hit = nb.create<arith::CmpIOp>(
                l, arith::CmpIPredicate::eq, clampedIndex(nb, l, a[0], dim), v);
            return SmallVector<Value>{firstHit(nb, l, hit, n, a[1])};
          })
          .front();
  Type element = updatesType.getElementType();
  return buildGeneric(
             b, loc, {head}, {zeros}, {map(d1, 3), map({d0, d1, d2}, 3)},
             {parallel, parallel, parallel},
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value p = nb.create<linalg::IndexOp>(l, 0);
               Value q = nb.create<linalg::IndexOp>(l, 2);
               auto walk = nb.create<scf::WhileOp>(
                   l, TypeRange{i64, element}, ValueRange{a[0], a[1]},
                   [&](OpBuilder &wb, Location wl, ValueRange args) {
                     Value more = wb.create<arith::CmpIOp>(
                         wl, arith::CmpIPredicate::slt, args[0], none);
                     wb.create<scf::ConditionOp>(wl, more, args);
                   },
                   [&](OpBuilder &wb, Location wl, ValueRange args) {
                     Value n = wb.create<arith::IndexCastOp>(
                         wl, wb.getIndexType(), args[0]);
                     Value u = wb.create<tensor::ExtractOp>(
                         wl, updates, ValueRange{p, n, q});
                     Value sum = wb.create<arith::AddFOp>(wl, args[1], u);
                     Value following =
                         wb.create<tensor::ExtractOp>(wl, next, ValueRange{n});
                     wb.create<scf::YieldOp>(wl, ValueRange{following, sum});
                   });
               return SmallVector<Value>{walk.getResult(1)};
             })
      .front();
}

/// Whether linkedScatter's work, count² + V·count + P·V·Q + P·count·Q, is
/// less than a scan of all `count` updates by each of the P·V·Q result
/// elements (it is unless the table is small and the updates many).
static bool linkedScatterPays(uint64_t outer, uint64_t dim, uint64_t inner,
                              uint64_t count) {
  auto mul = [](uint64_t a, uint64_t b) {
    return llvm::SaturatingMultiply(a, b);
  };
  auto add = [](uint64_t a, uint64_t b) { return llvm::SaturatingAdd(a, b); };
  uint64_t result = mul(mul(outer, dim), inner);
  uint64_t linked = add(add(mul(count, count), mul(dim, count)),
                        add(result, mul(mul(outer, count), inner)));
  return linked < mul(result, count);
}

/// Scatter-add as a loop over the indices (an `scf.for` whose carried tensor
/// bufferizes in place): seen as [P, V, Q] around `axis`, step n adds the
/// [P, 1, Q] slice n of the updates to the slice at its (wrapped, clamped)
/// index.
///
/// With `parallel` (a device target, whose host cannot read the indices),
/// generics instead, with no loop on the host and the same additions in the
/// same order: linkedScatter's lists, or, where that is more work, each
/// result element summing the updates whose index is its row.
struct ScatterAddLowering : OpConversionPattern<ScatterAddOp> {
  ScatterAddLowering(MLIRContext *ctx, bool parallel)
      : OpConversionPattern(ctx), parallel(parallel) {}
  bool parallel;

  LogicalResult
  matchAndRewrite(ScatterAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    ArrayRef<int64_t> shape = resultType.getShape();
    int64_t axis = axisIndex(op.getAxis(), resultType.getRank());
    int64_t outer = 1, dim = shape[axis], inner = 1;
    for (int64_t d = 0; d < resultType.getRank(); ++d)
      if (d != axis)
        (d < axis ? outer : inner) *= shape[d];
    int64_t count =
        cast<RankedTensorType>(adaptor.getIndices().getType()).getNumElements();
    Value zero = scalarConstant(rewriter, loc, element, 0.0);
    Value acc = filledTensor(
        rewriter, loc, RankedTensorType::get({outer, dim, inner}, element), zero);
    Value updates, indices;
    if (dim > 0 && count > 0 && outer > 0 && inner > 0) {
      updates =
          buildReshape(rewriter, loc, adaptor.getUpdates(), {outer, count, inner});
      indices = buildReshape(rewriter, loc, adaptor.getIndices(), {count});
    }
    if (updates && parallel && linkedScatterPays(outer, dim, inner, count)) {
      acc = linkedScatter(rewriter, loc, indices, updates, acc, dim);
    } else if (updates && parallel) {
      // Each result element scans every update for its row.
      MLIRContext *ctx = rewriter.getContext();
      AffineExpr p, v, q, n;
      bindDims(ctx, p, v, q, n);
      SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {n}, ctx),
                                     AffineMap::get(4, 0, {p, n, q}, ctx),
                                     AffineMap::get(4, 0, {p, v, q}, ctx)};
      SmallVector<utils::IteratorType> iters(3, utils::IteratorType::parallel);
      iters.push_back(utils::IteratorType::reduction);
      acc = buildGeneric(
                rewriter, loc, {indices, updates}, {acc}, maps, iters,
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Value row = clampedIndex(b, l, a[0], dim);
                  Value hit = b.create<arith::CmpIOp>(
                      l, arith::CmpIPredicate::eq, row,
                      b.create<linalg::IndexOp>(l, 1));
                  Value sum = b.create<arith::AddFOp>(l, a[2], a[1]);
                  return SmallVector<Value>{
                      b.create<arith::SelectOp>(l, hit, sum, a[2])};
                })
                .front();
    } else if (updates) {
      Value lb = rewriter.create<arith::ConstantIndexOp>(loc, 0);
      Value ub = rewriter.create<arith::ConstantIndexOp>(loc, count);
      Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
      auto sliceType = RankedTensorType::get({outer, 1, inner}, element);
      auto loop = rewriter.create<scf::ForOp>(
          loc, lb, ub, one, ValueRange{acc},
          [&](OpBuilder &b, Location l, Value n, ValueRange iter) {
            Value row = clampedIndex(
                b, l, b.create<tensor::ExtractOp>(l, indices, n), dim);
            SmallVector<OpFoldResult> sizes = {b.getIndexAttr(outer),
                                               b.getIndexAttr(1),
                                               b.getIndexAttr(inner)};
            SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
            SmallVector<OpFoldResult> at = {b.getIndexAttr(0), row,
                                            b.getIndexAttr(0)};
            SmallVector<OpFoldResult> from = {b.getIndexAttr(0), n,
                                              b.getIndexAttr(0)};
            Value current = b.create<tensor::ExtractSliceOp>(
                l, sliceType, iter[0], at, sizes, strides);
            Value update = b.create<tensor::ExtractSliceOp>(
                l, sliceType, updates, from, sizes, strides);
            Value sum = buildElementwise(
                b, l, sliceType, {current, update},
                [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                  return nb.create<arith::AddFOp>(nl, args[0], args[1]);
                });
            Value next = b.create<tensor::InsertSliceOp>(l, sum, iter[0], at,
                                                         sizes, strides);
            b.create<scf::YieldOp>(l, next);
          });
      acc = loop.getResult(0);
    }
    rewriter.replaceOp(op, buildReshape(rewriter, loc, acc, shape));
    return success();
  }
};

void populateDataMovementPatterns(RewritePatternSet &patterns,
                                  bool parallelScatter) {
  patterns.add<ReshapeLowering, TransposeLowering, BroadcastToLowering,
               ConcatLowering, SliceLowering, PadLowering, GatherLowering>(
      patterns.getContext());
  patterns.add<ScatterAddLowering>(patterns.getContext(), parallelScatter);
}

} // namespace kiln::conversion
