//===- Normalization.cpp - kiln → linalg: layer and batch normalization ---===//
//
// layer_norm is two reductions over the trailing dimensions (the mean, then
// the biased variance around it, as the reference interpreter computes
// them), a per-row 1/sqrt(var + eps), and one elementwise generic applying
// it with scale and offset. batch_norm (normally folded away by
// kiln-optimize) is one elementwise generic reading its per-channel
// statistics along `axis`. f16/bf16 compute in f32.
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

struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t rank = type.getRank();
    int64_t axis = axisIndex(op.getAxis(), rank);
    Type element = type.getElementType();
    Type ct = computeType(element);
    SmallVector<bool> reduced, kept;
    SmallVector<int64_t> rowShape;
    int64_t group = 1;
    for (int64_t d = 0; d < rank; ++d) {
      reduced.push_back(d >= axis);
      kept.push_back(d < axis);
      if (d >= axis)
        group *= type.getDimSize(d);
      else
        rowShape.push_back(type.getDimSize(d));
    }
    auto rowType = RankedTensorType::get(rowShape, ct);
    Value zero = scalarConstant(rewriter, loc, ct, 0.0);
    auto divideByGroup = [&](OpBuilder &b, Location l, Value v) -> Value {
      return b.create<arith::DivFOp>(
          l, v, scalarConstant(b, l, ct, static_cast<double>(group)));
    };

    Value sum = buildReduction(rewriter, loc, x, {}, reduced, {zero},
                               [&](OpBuilder &b, Location l, ValueRange args) {
                                 Value v = castScalar(b, l, args[0], ct);
                                 return SmallVector<Value>{
                                     b.create<arith::AddFOp>(l, args[1], v)};
                               })
                    .front();
    Value mean =
        buildElementwise(rewriter, loc, rowType, {sum},
                         [&](OpBuilder &b, Location l, ValueRange args) {
                           return divideByGroup(b, l, args[0]);
                         });
    Value squares =
        buildReduction(rewriter, loc, x, {mean}, reduced, {zero},
                       [&](OpBuilder &b, Location l, ValueRange args) {
                         Value v = castScalar(b, l, args[0], ct);
                         Value d = b.create<arith::SubFOp>(l, v, args[1]);
                         Value sq = b.create<arith::MulFOp>(l, d, d);
                         return SmallVector<Value>{
                             b.create<arith::AddFOp>(l, args[2], sq)};
                       })
            .front();
    double eps = op.getEpsilon().convertToDouble();
    Value inv = buildElementwise(
        rewriter, loc, rowType, {squares},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value var = divideByGroup(b, l, args[0]);
          Value root = b.create<math::SqrtOp>(
              l,
              b.create<arith::AddFOp>(l, var, scalarConstant(b, l, ct, eps)));
          return b.create<arith::DivFOp>(l, scalarConstant(b, l, ct, 1.0),
                                         root);
        });

    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap row = keptDimsMap(ctx, kept);
    AffineMap trailing = keptDimsMap(ctx, reduced);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    Value result =
        buildGeneric(rewriter, loc,
                     {x, mean, inv, adaptor.getScale(), adaptor.getOffset()},
                     {emptyTensor(rewriter, loc, type)},
                     {id, row, row, trailing, trailing, id}, parallel,
                     [&](OpBuilder &b, Location l, ValueRange args) {
                       Value v = castScalar(b, l, args[0], ct);
                       Value scale = castScalar(b, l, args[3], ct);
                       Value offset = castScalar(b, l, args[4], ct);
                       Value norm = b.create<arith::MulFOp>(
                           l, b.create<arith::SubFOp>(l, v, args[1]), args[2]);
                       Value r = b.create<arith::AddFOp>(
                           l, b.create<arith::MulFOp>(l, norm, scale), offset);
                       return SmallVector<Value>{castScalar(b, l, r, element)};
                     })
            .front();
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// (x - mean) * scale / sqrt(variance + epsilon) + offset, the statistics
/// read along `axis`.
struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t rank = type.getRank();
    int64_t axis = axisIndex(op.getAxis(), rank);
    Type element = type.getElementType();
    Type ct = computeType(element);
    double eps = op.getEpsilon().convertToDouble();

    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel =
        AffineMap::get(rank, 0, {getAffineDimExpr(axis, ctx)}, ctx);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    Value result =
        buildGeneric(rewriter, loc,
                     {x, adaptor.getScale(), adaptor.getOffset(),
                      adaptor.getMean(), adaptor.getVariance()},
                     {emptyTensor(rewriter, loc, type)},
                     {id, channel, channel, channel, channel, id}, parallel,
                     [&](OpBuilder &b, Location l, ValueRange args) {
                       SmallVector<Value> v;
                       for (Value a : args.take_front(5))
                         v.push_back(castScalar(b, l, a, ct));
                       Value centered = b.create<arith::SubFOp>(l, v[0], v[3]);
                       Value root = b.create<math::SqrtOp>(
                           l, b.create<arith::AddFOp>(
                                  l, v[4], scalarConstant(b, l, ct, eps)));
                       Value scaled = b.create<arith::DivFOp>(
                           l, b.create<arith::MulFOp>(l, centered, v[1]), root);
                       Value r = b.create<arith::AddFOp>(l, scaled, v[2]);
                       return SmallVector<Value>{castScalar(b, l, r, element)};
                     })
            .front();
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateNormalizationPatterns(RewritePatternSet &patterns) {
  patterns.add<LayerNormLowering, BatchNormLowering>(patterns.getContext());
}

} // namespace kiln::conversion
