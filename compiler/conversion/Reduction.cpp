//===- Reduction.cpp - kiln → linalg: reductions, arg-reductions, softmax -===//
//
// A reduction is one `linalg.generic` whose reduced dimensions are
// `reduction` iterators and whose result drops them (a `keepdims` result is
// an expand_shape of it); f16/bf16 sums and products accumulate in f32, and a
// mean divides the sum by the element count afterwards. argmax/argmin carry
// a (value, index) pair through a two-result generic. softmax and
// log_softmax are a max, a sum of shifted exponentials and an elementwise
// generic. Initial values, NaN handling and tie-breaking follow the
// reference interpreter (compiler/reference/ReductionKernels.cpp).
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/PopulatePatterns.h"
#include "compiler/conversion/Utils.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace kiln::conversion {
namespace {

enum class Reduce { Sum, Mean, Max, Min, Prod };

/// Which dimensions of a rank-`rank` tensor `axes` reduces.
SmallVector<bool> reducedMask(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<bool> mask(rank, false);
  for (int64_t a : axes)
    mask[axisIndex(a, rank)] = true;
  return mask;
}

/// reduce_sum/mean/max/min/prod → a reduction generic (then a division for
/// the mean, a truncation for f16/bf16 sums, an expand_shape for keepdims).
template <typename OpTy, Reduce Kind>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto xType = cast<RankedTensorType>(x.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<bool> reduced = reducedMask(op.getAxes(), xType.getRank());
    if (llvm::none_of(reduced, [](bool r) { return r; })) {
      rewriter.replaceOp(op, x); // reducing nothing is the identity
      return success();
    }
    Type element = xType.getElementType();
    bool isFloat = isa<FloatType>(element);
    bool arithmetic = Kind != Reduce::Max && Kind != Reduce::Min;
    Type acc = arithmetic ? computeType(element) : element;
    int64_t count = 1;
    for (auto [d, r] : llvm::zip(xType.getShape(), reduced))
      if (r)
        count *= d;

    Value init;
    switch (Kind) {
    case Reduce::Sum:
    case Reduce::Mean:
      // -0.0 is the identity of addition; the sum of nothing is +0.0.
      init = scalarConstant(rewriter, loc, acc,
                            isFloat && count != 0 ? -0.0 : 0.0);
      break;
    case Reduce::Prod:
      init = scalarConstant(rewriter, loc, acc, 1.0);
      break;
    case Reduce::Max:
      init = lowestValue(rewriter, loc, acc);
      break;
    case Reduce::Min:
      init = highestValue(rewriter, loc, acc);
      break;
    }
    Value result =
        buildReduction(
            rewriter, loc, x, {}, reduced, {init},
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value v = castScalar(b, l, args[0], acc), a = args[1];
              switch (Kind) {
              case Reduce::Sum:
              case Reduce::Mean:
                if (isFloat)
                  return SmallVector<Value>{b.create<arith::AddFOp>(l, a, v)};
                return SmallVector<Value>{b.create<arith::AddIOp>(l, a, v)};
              case Reduce::Prod:
                if (isFloat)
                  return SmallVector<Value>{b.create<arith::MulFOp>(l, a, v)};
                return SmallVector<Value>{b.create<arith::MulIOp>(l, a, v)};
              case Reduce::Max:
                return SmallVector<Value>{buildMax(b, l, a, v)};
              case Reduce::Min:
                return SmallVector<Value>{buildMin(b, l, a, v)};
              }
              llvm_unreachable("unknown reduction");
            })
            .front();
    if (Kind == Reduce::Mean || acc != element) {
      auto keptType = cast<RankedTensorType>(result.getType()).clone(element);
      result = buildElementwise(
          rewriter, loc, keptType, {result},
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value v = args[0];
            if (Kind == Reduce::Mean)
              v = b.create<arith::DivFOp>(
                  l, v, scalarConstant(b, l, acc, static_cast<double>(count)));
            return castScalar(b, l, v, element);
          });
    }
    rewriter.replaceOp(
        op, buildReshape(rewriter, loc, result, resultType.getShape()));
    return success();
  }
};

/// argmax/argmin → a generic carrying (best value, its index). A candidate
/// wins when it is strictly better, when it is the first NaN (a NaN counts
/// as the extreme), or when it ties and comes earlier: the first index of
/// the extreme whatever order the loop runs in.
template <typename OpTy, bool IsMax>
struct ArgLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto xType = cast<RankedTensorType>(x.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t axis = axisIndex(op.getAxis(), xType.getRank());
    SmallVector<bool> reduced(xType.getRank(), false);
    reduced[axis] = true;
    Type element = xType.getElementType();
    Type i64 = rewriter.getI64Type();
    Value initValue = IsMax ? lowestValue(rewriter, loc, element)
                            : highestValue(rewriter, loc, element);
    Value initIndex = scalarConstant(rewriter, loc, i64, 0);
    SmallVector<Value> results = buildReduction(
        rewriter, loc, x, {}, reduced, {initValue, initIndex},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = args[0], best = args[1], bestIndex = args[2];
          Value t = b.create<arith::IndexCastOp>(
              l, i64, b.create<linalg::IndexOp>(l, axis));
          Value better, tie;
          if (isa<FloatType>(element)) {
            using P = arith::CmpFPredicate;
            better =
                b.create<arith::CmpFOp>(l, IsMax ? P::OGT : P::OLT, v, best);
            tie = b.create<arith::CmpFOp>(l, P::OEQ, v, best);
            Value vNan = b.create<arith::CmpFOp>(l, P::UNO, v, v);
            Value bestNan = b.create<arith::CmpFOp>(l, P::UNO, best, best);
            Value bestOrdered = b.create<arith::CmpFOp>(l, P::ORD, best, best);
            better = b.create<arith::OrIOp>(
                l, better, b.create<arith::AndIOp>(l, vNan, bestOrdered));
            tie = b.create<arith::OrIOp>(
                l, tie, b.create<arith::AndIOp>(l, vNan, bestNan));
          } else {
            using P = arith::CmpIPredicate;
            better =
                b.create<arith::CmpIOp>(l, IsMax ? P::sgt : P::slt, v, best);
            tie = b.create<arith::CmpIOp>(l, P::eq, v, best);
          }
          Value earlier = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt,
                                                  t, bestIndex);
          Value take = b.create<arith::OrIOp>(
              l, better, b.create<arith::AndIOp>(l, tie, earlier));
          return SmallVector<Value>{
              b.create<arith::SelectOp>(l, take, v, best),
              b.create<arith::SelectOp>(l, take, t, bestIndex)};
        });
    rewriter.replaceOp(
        op, buildReshape(rewriter, loc, results[1], resultType.getShape()));
    return success();
  }
};

/// softmax/log_softmax → max along the axis, sum of exp(x - max), then an
/// elementwise generic: exp(x - max) / sum or (x - max) - log(sum). f16/bf16
/// compute in f32.
template <typename OpTy, bool IsLog>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t rank = type.getRank();
    int64_t axis = axisIndex(op.getAxis(), rank);
    SmallVector<bool> reduced(rank, false), kept(rank, true);
    reduced[axis] = true;
    kept[axis] = false;
    Type element = type.getElementType();
    Type ct = computeType(element);

    Value max =
        buildReduction(rewriter, loc, x, {}, reduced,
                       {lowestValue(rewriter, loc, ct)},
                       [&](OpBuilder &b, Location l, ValueRange args) {
                         Value v = castScalar(b, l, args[0], ct);
                         return SmallVector<Value>{buildMax(b, l, args[1], v)};
                       })
            .front();
    Value sum = buildReduction(rewriter, loc, x, {max}, reduced,
                               {scalarConstant(rewriter, loc, ct, 0.0)},
                               [&](OpBuilder &b, Location l, ValueRange args) {
                                 Value v = castScalar(b, l, args[0], ct);
                                 Value e = b.create<math::ExpOp>(
                                     l, b.create<arith::SubFOp>(l, v, args[1]));
                                 return SmallVector<Value>{
                                     b.create<arith::AddFOp>(l, args[2], e)};
                               })
                    .front();

    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap row = keptDimsMap(ctx, kept);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    Value result =
        buildGeneric(rewriter, loc, {x, max, sum},
                     {emptyTensor(rewriter, loc, type)}, {id, row, row, id},
                     parallel,
                     [&](OpBuilder &b, Location l, ValueRange args) {
                       Value v = castScalar(b, l, args[0], ct);
                       Value shifted = b.create<arith::SubFOp>(l, v, args[1]);
                       Value r;
                       if (IsLog)
                         r = b.create<arith::SubFOp>(
                             l, shifted, b.create<math::LogOp>(l, args[2]));
                       else
                         r = b.create<arith::DivFOp>(
                             l, b.create<math::ExpOp>(l, shifted), args[2]);
                       return SmallVector<Value>{castScalar(b, l, r, element)};
                     })
            .front();
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateReductionPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, Reduce::Sum>,
               ReduceLowering<ReduceMeanOp, Reduce::Mean>,
               ReduceLowering<ReduceMaxOp, Reduce::Max>,
               ReduceLowering<ReduceMinOp, Reduce::Min>,
               ReduceLowering<ReduceProdOp, Reduce::Prod>,
               ArgLowering<ArgMaxOp, /*IsMax=*/true>,
               ArgLowering<ArgMinOp, /*IsMax=*/false>,
               SoftmaxLowering<SoftmaxOp, /*IsLog=*/false>,
               SoftmaxLowering<LogSoftmaxOp, /*IsLog=*/true>>(
      patterns.getContext());
}

} // namespace kiln::conversion
