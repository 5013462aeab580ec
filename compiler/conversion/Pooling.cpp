//===- Pooling.cpp - kiln → linalg: max and average pooling ---------------===//
//
// Pooling becomes a `linalg.generic` in the op's own layout, the window
// loops just outside the innermost dimension, over an explicitly padded
// input:
// max pools pad with -inf (padding never wins; `maximumf` propagates NaN),
// average pools pad with 0, sum (in f32 for f16/bf16), and divide in an
// elementwise generic by the window size or, without `count_include_pad`,
// by the number of input positions in each window, computed from the
// output indices.
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/PopulatePatterns.h"
#include "compiler/conversion/Utils.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace kiln::conversion {
namespace {

/// The positions of H and W in the op's layout.
struct SpatialDims {
  int64_t h, w;
  explicit SpatialDims(bool nchw) : h(nchw ? 2 : 1), w(nchw ? 3 : 2) {}
};

/// `input` padded along H and W by `pad` = [top, bottom, left, right].
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> pad,
                 SpatialDims dims, Value padValue) {
  if (llvm::all_of(pad, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> lo(4, b.getIndexAttr(0)), hi(4, b.getIndexAttr(0));
  lo[dims.h] = b.getIndexAttr(pad[0]);
  hi[dims.h] = b.getIndexAttr(pad[1]);
  lo[dims.w] = b.getIndexAttr(pad[2]);
  hi[dims.w] = b.getIndexAttr(pad[3]);
  shape[dims.h] += pad[0] + pad[1];
  shape[dims.w] += pad[2] + pad[3];
  return b.create<tensor::PadOp>(
      loc, RankedTensorType::get(shape, type.getElementType()), input, lo, hi,
      padValue);
}

/// Pools `input` into `init` with a window of `kernel`: a `linalg.generic`
/// whose innermost loop runs along the layout's last dimension (channels in
/// NHWC) inside the window loops, so it vectorizes with plain loads
/// (linalg's named pooling ops put the tiny window innermost, which LLVM
/// vectorizes with gathers: 1.5× slower on the PyTorch CNN, 1.2× faster on
/// the Keras one). `isMax`: maximum (NaN-propagating),
/// else sum.
Value buildPool(OpBuilder &b, Location loc, bool nchw, Value input, Value init,
                ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                bool isMax) {
  MLIRContext *ctx = b.getContext();
  // Loops: the output's first three dims in layout order, then the window
  // (kh, kw), then the output's last dim: (n, oh, ow, kh, kw, c) in NHWC,
  // (n, c, oh, kh, kw, ow) in NCHW.
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineExpr kh = d(3), kw = d(4);
  SmallVector<AffineExpr> out = {d(0), d(1), d(2), d(5)};
  SmallVector<AffineExpr> in(out);
  SpatialDims dims(nchw);
  in[dims.h] = out[dims.h] * strides[0] + kh;
  in[dims.w] = out[dims.w] * strides[1] + kw;
  Type element = cast<RankedTensorType>(input.getType()).getElementType();
  Value window = b.create<tensor::EmptyOp>(loc, kernel, element);
  SmallVector<AffineMap> maps = {AffineMap::get(6, 0, in, ctx),
                                 AffineMap::get(6, 0, {kh, kw}, ctx),
                                 AffineMap::get(6, 0, out, ctx)};
  SmallVector<utils::IteratorType> iterators(6, utils::IteratorType::parallel);
  iterators[3] = iterators[4] = utils::IteratorType::reduction;
  return b
      .create<linalg::GenericOp>(
          loc, TypeRange{init.getType()}, ValueRange{input, window}, init, maps,
          iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value x = args[0], acc = args[2];
            if (x.getType() != acc.getType())
              x = castScalar(nb, nl, x, acc.getType());
            Value r;
            if (isMax)
              r = buildMax(nb, nl, acc, x);
            else if (isa<FloatType>(acc.getType()))
              r = nb.create<arith::AddFOp>(nl, acc, x);
            else
              r = nb.create<arith::AddIOp>(nl, acc, x);
            nb.create<linalg::YieldOp>(nl, r);
          })
      .getResult(0);
}

struct MaxPoolLowering : OpConversionPattern<MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    bool nchw = op.getDataFormat() == "NCHW";
    Value lowest = lowestValue(rewriter, loc, element);
    Value input = padSpatial(rewriter, loc, adaptor.getInput(), op.getPadding(),
                             SpatialDims(nchw), lowest);
    Value init = filledTensor(rewriter, loc, resultType, lowest);
    rewriter.replaceOp(
        op, buildPool(rewriter, loc, nchw, input, init, op.getKernelSize(),
                      op.getStrides(), /*isMax=*/true));
    return success();
  }
};

struct AvgPoolLowering : OpConversionPattern<AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    Type ct = computeType(element);
    bool nchw = op.getDataFormat() == "NCHW";
    SpatialDims dims(nchw);
    ArrayRef<int64_t> kernel = op.getKernelSize(), strides = op.getStrides(),
                      pad = op.getPadding();
    Value input = padSpatial(rewriter, loc, adaptor.getInput(), pad, dims,
                             scalarConstant(rewriter, loc, element, 0.0));
    auto sumType = resultType.clone(ct);
    Value init = filledTensor(rewriter, loc, sumType,
                              scalarConstant(rewriter, loc, ct, 0.0));
    Value sum = buildPool(rewriter, loc, nchw, input, init, kernel, strides,
                          /*isMax=*/false);

    bool fullWindows = op.getCountIncludePad() ||
                       llvm::all_of(pad, [](int64_t p) { return p == 0; });
    int64_t inH = inType.getDimSize(dims.h), inW = inType.getDimSize(dims.w);
    Value result = buildElementwise(
        rewriter, loc, resultType, {sum},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value divisor;
          if (fullWindows) {
            divisor = scalarConstant(
                b, l, ct, static_cast<double>(kernel[0] * kernel[1]));
          } else {
            // Input positions of the window at output (oh, ow), in padded
            // coordinates: [o·s, o·s + k) ∩ [pad_lo, pad_lo + in).
            auto inside = [&](int64_t dim, int64_t k, int64_t s, int64_t lo,
                              int64_t size) -> Value {
              Value o = b.create<linalg::IndexOp>(l, dim);
              Value start = b.create<arith::MulIOp>(
                  l, o, b.create<arith::ConstantIndexOp>(l, s));
              Value end = b.create<arith::AddIOp>(
                  l, start, b.create<arith::ConstantIndexOp>(l, k));
              Value first = b.create<arith::MaxSIOp>(
                  l, start, b.create<arith::ConstantIndexOp>(l, lo));
              Value last = b.create<arith::MinSIOp>(
                  l, end, b.create<arith::ConstantIndexOp>(l, lo + size));
              return b.create<arith::SubIOp>(l, last, first);
            };
            Value count = b.create<arith::MulIOp>(
                l, inside(dims.h, kernel[0], strides[0], pad[0], inH),
                inside(dims.w, kernel[1], strides[1], pad[2], inW));
            divisor = b.create<arith::SIToFPOp>(
                l, ct, b.create<arith::IndexCastOp>(l, b.getI64Type(), count));
          }
          return castScalar(b, l, b.create<arith::DivFOp>(l, args[0], divisor),
                            element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The gradient of pooling w.r.t. its input, in two generics. Max pooling
/// first finds each window's first maximum (its row-major offset in the
/// window, the loop order of `buildPool`); then, for every input position
/// and every window offset (kh, kw) that could cover it, the output
/// position (oh, ow) = ((h + pad_top - kh) / s, ...) contributes when the
/// division is exact and in range, and, for max pooling, when its argmax is
/// (kh, kw); average pooling divides by the window's count.
struct Pool2DGradLowering : OpConversionPattern<Pool2DGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Pool2DGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inType = cast<RankedTensorType>(op.getType());
    auto gradType = cast<RankedTensorType>(adaptor.getGrad().getType());
    Type element = inType.getElementType();
    Type ct = computeType(element);
    bool nchw = op.getDataFormat() == "NCHW";
    bool isMax = op.getMode() == "max";
    SpatialDims dims(nchw);
    ArrayRef<int64_t> kernel = op.getKernelSize(), strides = op.getStrides(),
                      pad = op.getPadding();
    int64_t inH = inType.getDimSize(dims.h), inW = inType.getDimSize(dims.w);
    int64_t outH = gradType.getDimSize(dims.h),
            outW = gradType.getDimSize(dims.w);
    Type i64 = rewriter.getI64Type();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> layout = {d(0), d(1), d(2), d(5)};
    Value window = rewriter.create<tensor::EmptyOp>(loc, kernel, element);
    SmallVector<utils::IteratorType> iterators(6, utils::IteratorType::parallel);
    iterators[3] = iterators[4] = utils::IteratorType::reduction;

    Value argmax;
    if (isMax) {
      Value lowest = lowestValue(rewriter, loc, element);
      Value input = padSpatial(rewriter, loc, adaptor.getInput(), pad, dims,
                               lowest);
      SmallVector<AffineExpr> in(layout);
      in[dims.h] = layout[dims.h] * strides[0] + d(3);
      in[dims.w] = layout[dims.w] * strides[1] + d(4);
      Value best = filledTensor(rewriter, loc, gradType, lowest);
      Value where = filledTensor(rewriter, loc, gradType.clone(i64),
                                 rewriter.create<arith::ConstantIntOp>(loc, -1, 64));
      SmallVector<AffineMap> maps = {
          AffineMap::get(6, 0, in, ctx), AffineMap::get(6, 0, {d(3), d(4)}, ctx),
          AffineMap::get(6, 0, layout, ctx), AffineMap::get(6, 0, layout, ctx)};
      auto generic = rewriter.create<linalg::GenericOp>(
          loc, TypeRange{best.getType(), where.getType()},
          ValueRange{input, window}, ValueRange{best, where}, maps, iterators,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value x = args[0], acc = args[2], at = args[3];
            Value kh = b.create<arith::IndexCastOp>(
                l, i64, b.create<linalg::IndexOp>(l, 3));
            Value kw = b.create<arith::IndexCastOp>(
                l, i64, b.create<linalg::IndexOp>(l, 4));
            Value offset = b.create<arith::AddIOp>(
                l, b.create<arith::MulIOp>(
                       l, kh, b.create<arith::ConstantIntOp>(l, kernel[1], 64)),
                kw);
            Value first = b.create<arith::CmpIOp>(
                l, arith::CmpIPredicate::slt, at,
                b.create<arith::ConstantIntOp>(l, 0, 64));
            Value better = b.create<arith::OrIOp>(
                l, first,
                b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, x, acc));
            b.create<linalg::YieldOp>(
                l, ValueRange{b.create<arith::SelectOp>(l, better, x, acc),
                              b.create<arith::SelectOp>(l, better, offset, at)});
          });
      argmax = generic.getResult(1);
    }

    Value grad = adaptor.getGrad();
    if (llvm::all_of(pad, [](int64_t p) { return p == 0; }) &&
        strides == kernel) {
      // Windows that tile the input (Keras' MaxPooling2D()): every input
      // position lies in at most one window, so the gradient is elementwise
      // over the covered region, read through floordiv maps, then padded
      // with zeros over the rows and columns no window covers.
      SmallVector<int64_t> covered(inType.getShape());
      covered[dims.h] = outH * kernel[0];
      covered[dims.w] = outW * kernel[1];
      auto coveredType = RankedTensorType::get(covered, element);
      SmallVector<AffineExpr> id = {d(0), d(1), d(2), d(3)};
      SmallVector<AffineExpr> windowOf(id);
      windowOf[dims.h] = id[dims.h].floorDiv(kernel[0]);
      windowOf[dims.w] = id[dims.w].floorDiv(kernel[1]);
      SmallVector<Value> inputs = {grad};
      SmallVector<AffineMap> maps = {AffineMap::get(4, 0, windowOf, ctx)};
      if (isMax) {
        inputs.push_back(argmax);
        maps.push_back(AffineMap::get(4, 0, windowOf, ctx));
      }
      maps.push_back(AffineMap::getMultiDimIdentityMap(4, ctx));
      Value core =
          rewriter
              .create<linalg::GenericOp>(
                  loc, TypeRange{coveredType}, inputs,
                  ValueRange{emptyTensor(rewriter, loc, coveredType)}, maps,
                  SmallVector<utils::IteratorType>(4,
                                                   utils::IteratorType::parallel),
                  [&](OpBuilder &b, Location l, ValueRange args) {
                    Value g = castScalar(b, l, args[0], ct);
                    if (isMax) {
                      auto cst = [&](int64_t v) -> Value {
                        return b.create<arith::ConstantIndexOp>(l, v);
                      };
                      Value rh = b.create<arith::RemUIOp>(
                          l, b.create<linalg::IndexOp>(l, dims.h), cst(kernel[0]));
                      Value rw = b.create<arith::RemUIOp>(
                          l, b.create<linalg::IndexOp>(l, dims.w), cst(kernel[1]));
                      Value offset = b.create<arith::AddIOp>(
                          l, b.create<arith::MulIOp>(l, rh, cst(kernel[1])), rw);
                      Value won = b.create<arith::CmpIOp>(
                          l, arith::CmpIPredicate::eq, args[1],
                          b.create<arith::IndexCastOp>(l, i64, offset));
                      g = b.create<arith::SelectOp>(
                          l, won, g, scalarConstant(b, l, ct, 0.0));
                    } else {
                      g = b.create<arith::DivFOp>(
                          l, g,
                          scalarConstant(b, l, ct,
                                         static_cast<double>(kernel[0] * kernel[1])));
                    }
                    b.create<linalg::YieldOp>(l, castScalar(b, l, g, element));
                  })
              .getResult(0);
      SmallVector<int64_t> rest = {0, inH - covered[dims.h], 0,
                                   inW - covered[dims.w]};
      rewriter.replaceOp(
          op, padSpatial(rewriter, loc, core, rest, dims,
                         scalarConstant(rewriter, loc, element, 0.0)));
      return success();
    }
    Value init = filledTensor(rewriter, loc, inType.clone(ct),
                              scalarConstant(rewriter, loc, ct, 0.0));
    SmallVector<AffineMap> maps = {AffineMap::get(6, 0, {d(3), d(4)}, ctx),
                                   AffineMap::get(6, 0, layout, ctx)};
    bool fullWindows = op.getCountIncludePad() ||
                       llvm::all_of(pad, [](int64_t p) { return p == 0; });
    Value sum =
        rewriter
            .create<linalg::GenericOp>(
                loc, TypeRange{init.getType()}, ValueRange{window}, init, maps,
                iterators,
                [&](OpBuilder &b, Location l, ValueRange args) {
                  auto cst = [&](int64_t v) -> Value {
                    return b.create<arith::ConstantIndexOp>(l, v);
                  };
                  // The output coordinate along one spatial dimension, its
                  // validity, and the clamped coordinate to read at.
                  auto source = [&](unsigned dim, unsigned kdim, int64_t s,
                                    int64_t lo, int64_t n, Value &valid) {
                    Value p = b.create<arith::SubIOp>(
                        l,
                        b.create<arith::AddIOp>(
                            l, b.create<linalg::IndexOp>(l, dim), cst(lo)),
                        b.create<linalg::IndexOp>(l, kdim));
                    Value o = b.create<arith::DivSIOp>(l, p, cst(s));
                    Value exact = b.create<arith::CmpIOp>(
                        l, arith::CmpIPredicate::eq,
                        b.create<arith::RemSIOp>(l, p, cst(s)), cst(0));
                    Value nonneg = b.create<arith::CmpIOp>(
                        l, arith::CmpIPredicate::sge, p, cst(0));
                    Value below = b.create<arith::CmpIOp>(
                        l, arith::CmpIPredicate::slt, o, cst(n));
                    valid = b.create<arith::AndIOp>(
                        l, valid,
                        b.create<arith::AndIOp>(
                            l, exact, b.create<arith::AndIOp>(l, nonneg, below)));
                    return b.create<arith::MinSIOp>(
                        l, b.create<arith::MaxSIOp>(l, o, cst(0)), cst(n - 1));
                  };
                  Value valid = b.create<arith::ConstantIntOp>(l, 1, 1);
                  Value oh = source(dims.h, 3, strides[0], pad[0], outH, valid);
                  Value ow = source(dims.w, 4, strides[1], pad[2], outW, valid);
                  SmallVector<Value> at = {b.create<linalg::IndexOp>(l, 0),
                                           b.create<linalg::IndexOp>(l, 1),
                                           b.create<linalg::IndexOp>(l, 2),
                                           b.create<linalg::IndexOp>(l, 5)};
                  at[dims.h] = oh;
                  at[dims.w] = ow;
                  Value g = castScalar(
                      b, l, b.create<tensor::ExtractOp>(l, grad, at), ct);
                  if (isMax) {
                    Value offset = b.create<arith::AddIOp>(
                        l,
                        b.create<arith::MulIOp>(
                            l, b.create<linalg::IndexOp>(l, 3), cst(kernel[1])),
                        b.create<linalg::IndexOp>(l, 4));
                    Value won = b.create<arith::CmpIOp>(
                        l, arith::CmpIPredicate::eq,
                        b.create<tensor::ExtractOp>(l, argmax, at),
                        b.create<arith::IndexCastOp>(l, i64, offset));
                    valid = b.create<arith::AndIOp>(l, valid, won);
                  } else {
                    Value divisor;
                    if (fullWindows) {
                      divisor = scalarConstant(
                          b, l, ct, static_cast<double>(kernel[0] * kernel[1]));
                    } else {
                      auto inside = [&](Value o, int64_t k, int64_t s,
                                        int64_t lo, int64_t size) -> Value {
                        Value start = b.create<arith::MulIOp>(l, o, cst(s));
                        Value end = b.create<arith::AddIOp>(l, start, cst(k));
                        Value first = b.create<arith::MaxSIOp>(l, start, cst(lo));
                        Value last =
                            b.create<arith::MinSIOp>(l, end, cst(lo + size));
                        return b.create<arith::SubIOp>(l, last, first);
                      };
                      Value count = b.create<arith::MulIOp>(
                          l, inside(oh, kernel[0], strides[0], pad[0], inH),
                          inside(ow, kernel[1], strides[1], pad[2], inW));
                      divisor = b.create<arith::SIToFPOp>(
                          l, ct, b.create<arith::IndexCastOp>(l, i64, count));
                    }
                    g = b.create<arith::DivFOp>(l, g, divisor);
                  }
                  Value zero = scalarConstant(b, l, ct, 0.0);
                  Value add = b.create<arith::AddFOp>(
                      l, args[1], b.create<arith::SelectOp>(l, valid, g, zero));
                  b.create<linalg::YieldOp>(l, add);
                })
            .getResult(0);
    Value result = sum;
    if (ct != element)
      result = buildElementwise(rewriter, loc, inType, {sum},
                                [&](OpBuilder &b, Location l, ValueRange args) {
                                  return castScalar(b, l, args[0], element);
                                });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populatePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AvgPoolLowering, Pool2DGradLowering>(patterns.getContext());
}

} // namespace kiln::conversion
