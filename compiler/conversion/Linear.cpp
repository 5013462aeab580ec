//===- Linear.cpp - kiln → linalg: matmul and conv2d ----------------------===//
//
// Matmuls become the linalg named ops a backend recognizes (matmul,
// batch_matmul and their transposed variants): batch dimensions are
// collapsed to one, a rank-2 right operand shared by every batch is folded
// into the rows of the left one. Convolutions become an im2col
// `linalg.generic` feeding such a matmul (batch_matmul over groups), or
// `linalg.depthwise_conv_2d_nhwc_hwcm` when every group has one channel.
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

/// Below this many input channels per group, im2col lays the columns out
/// depth-major (see Conv2DLowering).
constexpr int64_t kChannelMajorIm2col = 8;

RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type element) {
  return RankedTensorType::get(shape, element);
}

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type) {
  return filledTensor(b, loc, type,
                      scalarConstant(b, loc, type.getElementType(), 0));
}

/// C = op(A) · op(B) for rank-2 operands.
Value matmul2D(OpBuilder &b, Location loc, Value a, Value bm, bool ta, bool tb,
               RankedTensorType resultType) {
  Value init = zeroFilled(b, loc, resultType);
  if (ta && tb) // (Bᵀ·A)ᵀ is not a named op: materialize Aᵀ.
    a = buildTranspose(b, loc, a, {1, 0}), ta = false;
  if (ta)
    return b.create<linalg::MatmulTransposeAOp>(loc, TypeRange{resultType},
                                                ValueRange{a, bm}, init)
        .getResult(0);
  if (tb)
    return b.create<linalg::MatmulTransposeBOp>(loc, TypeRange{resultType},
                                                ValueRange{a, bm}, init)
        .getResult(0);
  return b.create<linalg::MatmulOp>(loc, TypeRange{resultType},
                                    ValueRange{a, bm}, init)
      .getResult(0);
}

/// C[g] = op(A[g]) · op(B[g]) for rank-3 operands.
Value matmul3D(OpBuilder &b, Location loc, Value a, Value bm, bool ta, bool tb,
               RankedTensorType resultType) {
  Value init = zeroFilled(b, loc, resultType);
  if (ta && tb)
    a = buildTranspose(b, loc, a, {0, 2, 1}), ta = false;
  if (ta)
    return b.create<linalg::BatchMatmulTransposeAOp>(
                loc, TypeRange{resultType}, ValueRange{a, bm}, init)
        .getResult(0);
  if (tb)
    return b.create<linalg::BatchMatmulTransposeBOp>(
                loc, TypeRange{resultType}, ValueRange{a, bm}, init)
        .getResult(0);
  return b.create<linalg::BatchMatmulOp>(loc, TypeRange{resultType},
                                         ValueRange{a, bm}, init)
      .getResult(0);
}

struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value a = adaptor.getA(), bm = adaptor.getB();
    auto aType = cast<RankedTensorType>(a.getType());
    auto bType = cast<RankedTensorType>(bm.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    bool ta = op.getTransposeA(), tb = op.getTransposeB();
    int64_t rank = resultType.getRank();
    int64_t m = resultType.getDimSize(rank - 2);
    int64_t n = resultType.getDimSize(rank - 1);
    int64_t batch = 1;
    for (int64_t d : resultType.getShape().drop_back(2))
      batch *= d;

    if (aType.getRank() == 2 && bType.getRank() == 2) {
      rewriter.replaceOp(op, matmul2D(rewriter, loc, a, bm, ta, tb, resultType));
      return success();
    }
    // A shared right operand: fold A's batch dims into its rows.
    if (bType.getRank() == 2 && !ta) {
      int64_t k = aType.getDimSize(aType.getRank() - 1);
      Value a2 = buildReshape(rewriter, loc, a, {batch * m, k});
      Value c = matmul2D(rewriter, loc, a2, bm, false, tb,
                         tensorOf({batch * m, n}, element));
      rewriter.replaceOp(op, buildReshape(rewriter, loc, c,
                                          resultType.getShape()));
      return success();
    }
    // General case: broadcast both operands to the result's batch dims,
    // collapse them to one and use batch_matmul.
    auto toBatched = [&](Value v, RankedTensorType t) -> Value {
      SmallVector<int64_t> full(resultType.getShape().drop_back(2));
      full.push_back(t.getDimSize(t.getRank() - 2));
      full.push_back(t.getDimSize(t.getRank() - 1));
      if (t.getShape() != ArrayRef<int64_t>(full))
        v = buildElementwise(rewriter, loc, tensorOf(full, element), {v},
                             [](OpBuilder &, Location, ValueRange args) {
                               return args[0];
                             });
      return buildReshape(rewriter, loc, v,
                          {batch, full[full.size() - 2], full.back()});
    };
    Value a3 = toBatched(a, aType), b3 = toBatched(bm, bType);
    Value c = matmul3D(rewriter, loc, a3, b3, ta, tb,
                       tensorOf({batch, m, n}, element));
    rewriter.replaceOp(op, buildReshape(rewriter, loc, c, resultType.getShape()));
    return success();
  }
};

struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput(), filter = adaptor.getFilter();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    bool nchw = op.getDataFormat() == "NCHW";
    if (nchw)
      input = buildTranspose(rewriter, loc, input, {0, 2, 3, 1});
    if (op.getFilterFormat() == "OIHW")
      filter = buildTranspose(rewriter, loc, filter, {2, 3, 1, 0});
    auto inType = cast<RankedTensorType>(input.getType());
    auto fType = cast<RankedTensorType>(filter.getType());
    int64_t n = inType.getDimSize(0), c = inType.getDimSize(3);
    int64_t kh = fType.getDimSize(0), kw = fType.getDimSize(1),
            cg = fType.getDimSize(2), o = fType.getDimSize(3);
    int64_t groups = op.getGroups();
    int64_t og = o / groups;
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations(),
                      pad = op.getPadding();
    SmallVector<int64_t> nhwcOut =
        nchw ? SmallVector<int64_t>{resultType.getDimSize(0),
                                    resultType.getDimSize(2),
                                    resultType.getDimSize(3),
                                    resultType.getDimSize(1)}
             : SmallVector<int64_t>(resultType.getShape());
    int64_t oh = nhwcOut[1], ow = nhwcOut[2];

    if (llvm::any_of(pad, [](int64_t p) { return p != 0; })) {
      SmallVector<OpFoldResult> lo = {rewriter.getIndexAttr(0),
                                      rewriter.getIndexAttr(pad[0]),
                                      rewriter.getIndexAttr(pad[2]),
                                      rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> hi = {rewriter.getIndexAttr(0),
                                      rewriter.getIndexAttr(pad[1]),
                                      rewriter.getIndexAttr(pad[3]),
                                      rewriter.getIndexAttr(0)};
      auto padded = tensorOf({n, inType.getDimSize(1) + pad[0] + pad[1],
                              inType.getDimSize(2) + pad[2] + pad[3], c},
                             element);
      input = rewriter.create<tensor::PadOp>(
          loc, padded, input, lo, hi,
          scalarConstant(rewriter, loc, element, 0));
    }

    Value out;
    if (cg == 1 && groups == c && groups > 1) {
      // Depthwise: filter [KH, KW, 1, C·M] → [KH, KW, C, M].
      int64_t mult = o / c;
      Value f = buildReshape(rewriter, loc, filter, {kh, kw, c, mult});
      auto dwType = tensorOf({n, oh, ow, c, mult}, element);
      Value init = zeroFilled(rewriter, loc, dwType);
      Value dw =
          rewriter
              .create<linalg::DepthwiseConv2DNhwcHwcmOp>(
                  loc, TypeRange{dwType}, ValueRange{input, f}, init,
                  rewriter.getI64TensorAttr(strides),
                  rewriter.getI64TensorAttr(dil))
              .getResult(0);
      out = buildReshape(rewriter, loc, dw, nhwcOut);
    } else {
      auto inPadded = cast<RankedTensorType>(input.getType());
      int64_t rows = n * oh * ow, depth = kh * kw * cg;
      // Filter [KH, KW, Cg, G·Og] → [G, KH·KW·Cg, Og].
      Value f = buildReshape(rewriter, loc, filter, {kh, kw, cg, groups, og});
      if (groups == 1 && cg < kChannelMajorIm2col) {
        // Few input channels (a first layer): the columns go depth-major,
        // cols[kh, kw, c, n, oh, ow], so the copy runs along the image rows
        // instead of over a handful of channels, and the matmul reads them
        // transposed.
        auto colsType = tensorOf({kh, kw, cg, n, oh, ow}, element);
        AffineExpr ky, kx, ch, bn, y, x;
        bindDims(ctx, ky, kx, ch, bn, y, x);
        AffineMap inMap = AffineMap::get(
            6, 0,
            {bn, y * strides[0] + ky * dil[0], x * strides[1] + kx * dil[1],
             ch},
            ctx);
        SmallVector<AffineMap> maps = {inMap,
                                       rewriter.getMultiDimIdentityMap(6)};
        SmallVector<utils::IteratorType> iters(6,
                                               utils::IteratorType::parallel);
        Value cols =
            rewriter
                .create<linalg::GenericOp>(
                    loc, TypeRange{colsType}, ValueRange{input},
                    ValueRange{emptyTensor(rewriter, loc, colsType)}, maps,
                    iters,
                    [](OpBuilder &b, Location l, ValueRange args) {
                      b.create<linalg::YieldOp>(l, args[0]);
                    })
                .getResult(0);
        Value a = buildReshape(rewriter, loc, cols, {depth, rows});
        Value w = buildReshape(rewriter, loc, f, {depth, og});
        Value mm = matmul2D(rewriter, loc, a, w, /*ta=*/true, false,
                            tensorOf({rows, og}, element));
        out = buildReshape(rewriter, loc, mm, nhwcOut);
        if (nchw)
          out = buildTranspose(rewriter, loc, out, {0, 3, 1, 2});
        rewriter.replaceOp(op, out);
        return success();
      }
      // im2col: cols[g, n, oh, ow, kh, kw, cg] =
      //   input[n, oh·s + kh·d, ow·s + kw·d, g·cg + cg'].
      Value in5 = buildReshape(rewriter, loc, input,
                               {n, inPadded.getDimSize(1),
                                inPadded.getDimSize(2), groups, cg});
      auto colsType = tensorOf({groups, n, oh, ow, kh, kw, cg}, element);
      AffineExpr g, bn, y, x, ky, kx, ch;
      bindDims(ctx, g, bn, y, x, ky, kx, ch);
      AffineMap inMap = AffineMap::get(
          7, 0,
          {bn, y * strides[0] + ky * dil[0], x * strides[1] + kx * dil[1], g,
           ch},
          ctx);
      SmallVector<AffineMap> maps = {inMap,
                                     rewriter.getMultiDimIdentityMap(7)};
      SmallVector<utils::IteratorType> iters(7, utils::IteratorType::parallel);
      Value cols =
          rewriter
              .create<linalg::GenericOp>(
                  loc, TypeRange{colsType}, ValueRange{in5},
                  ValueRange{emptyTensor(rewriter, loc, colsType)}, maps,
                  iters,
                  [](OpBuilder &b, Location l, ValueRange args) {
                    b.create<linalg::YieldOp>(l, args[0]);
                  })
              .getResult(0);
      if (groups == 1) {
        Value a = buildReshape(rewriter, loc, cols, {rows, depth});
        Value w = buildReshape(rewriter, loc, f, {depth, og});
        Value mm = matmul2D(rewriter, loc, a, w, false, false,
                            tensorOf({rows, og}, element));
        out = buildReshape(rewriter, loc, mm, nhwcOut);
      } else {
        Value fg = buildTranspose(rewriter, loc, f, {3, 0, 1, 2, 4});
        Value w = buildReshape(rewriter, loc, fg, {groups, depth, og});
        Value a = buildReshape(rewriter, loc, cols, {groups, rows, depth});
        Value mm = matmul3D(rewriter, loc, a, w, false, false,
                            tensorOf({groups, rows, og}, element));
        Value mm5 = buildReshape(rewriter, loc, mm, {groups, n, oh, ow, og});
        Value t = buildTranspose(rewriter, loc, mm5, {1, 2, 3, 0, 4});
        out = buildReshape(rewriter, loc, t, nhwcOut);
      }
    }
    if (nchw)
      out = buildTranspose(rewriter, loc, out, {0, 3, 1, 2});
    rewriter.replaceOp(op, out);
    return success();
  }
};

} // namespace

void populateLinearPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulLowering, Conv2DLowering>(patterns.getContext());
}

} // namespace kiln::conversion
