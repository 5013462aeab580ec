//===- Linear.cpp - kiln → linalg: matmul and conv2d ----------------------===//
//
// Matmuls become the linalg named ops a backend recognizes (matmul,
// batch_matmul and their transposed variants): batch dimensions are
// collapsed to one, a rank-2 right operand shared by every batch is folded
// into the rows of the left one. Convolutions become an im2col
// `linalg.generic` feeding such a matmul (batch_matmul over groups), or
// `linalg.depthwise_conv_2d_nhwc_hwcm` when every group has one channel.
// For a target that runs convolutions in a library (cuda: cuDNN), an
// ungrouped f32 convolution becomes `linalg.conv_2d_nhwc_fhwc` on the padded
// input and an OHWI filter instead (a constant filter is transposed here),
// and its gradients direct generics (no columns) tagged kConvBackwardAttr,
// which the backend turns into backward-data/backward-filter calls.
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/PopulatePatterns.h"
#include "compiler/conversion/Utils.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cstring>
#include <optional>

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

/// A convolution's geometry in NHWC / HWIO terms.
struct ConvShape {
  int64_t n, h, w, c;               // input, unpadded
  int64_t kh, kw, cg, o, groups, og; // filter: cg input channels per group
  int64_t oh, ow;                   // result
  ArrayRef<int64_t> strides, dil, pad;

  template <typename ConvLikeOp>
  ConvShape(ConvLikeOp op, ArrayRef<int64_t> inputShape,
            ArrayRef<int64_t> filterShape, ArrayRef<int64_t> resultShape)
      : strides(op.getStrides()), dil(op.getDilations()),
        pad(op.getPadding()) {
    bool nchw = op.getDataFormat() == "NCHW";
    bool hwio = op.getFilterFormat() == "HWIO";
    auto dims = [&](ArrayRef<int64_t> s) {
      return nchw ? SmallVector<int64_t>{s[0], s[2], s[3], s[1]}
                  : SmallVector<int64_t>(s);
    };
    SmallVector<int64_t> in = dims(inputShape), out = dims(resultShape);
    n = in[0], h = in[1], w = in[2], c = in[3];
    oh = out[1], ow = out[2];
    ArrayRef<int64_t> f = filterShape;
    kh = hwio ? f[0] : f[2], kw = hwio ? f[1] : f[3];
    cg = hwio ? f[2] : f[1], o = hwio ? f[3] : f[0];
    groups = op.getGroups();
    og = o / groups;
  }
  int64_t rows() const { return n * oh * ow; }
  int64_t depth() const { return kh * kw * cg; }
  /// Few input channels (a first layer): im2col lays the columns out
  /// depth-major, cols[kh, kw, c, n, oh, ow], so the copy runs along the
  /// image rows instead of over a handful of channels, and the matmul reads
  /// them transposed.
  bool depthMajor() const { return groups == 1 && cg < kChannelMajorIm2col; }
};

Value toNHWC(OpBuilder &b, Location loc, Value v, bool nchw) {
  return nchw ? buildTranspose(b, loc, v, {0, 2, 3, 1}) : v;
}
Value fromNHWC(OpBuilder &b, Location loc, Value v, bool nchw) {
  return nchw ? buildTranspose(b, loc, v, {0, 3, 1, 2}) : v;
}
Value toHWIO(OpBuilder &b, Location loc, Value f, StringRef format) {
  return format == "OIHW" ? buildTranspose(b, loc, f, {2, 3, 1, 0}) : f;
}
Value fromHWIO(OpBuilder &b, Location loc, Value f, StringRef format) {
  return format == "OIHW" ? buildTranspose(b, loc, f, {3, 2, 0, 1}) : f;
}
/// An OHWI filter (cuDNN's layout for NHWC data) in the graph's `format`.
Value fromOHWI(OpBuilder &b, Location loc, Value f, StringRef format) {
  return buildTranspose(b, loc, f,
                        format == "OIHW" ? SmallVector<int64_t>{0, 3, 1, 2}
                                         : SmallVector<int64_t>{1, 2, 3, 0});
}

/// The NHWC input with the convolution's zero padding.
Value padInput(OpBuilder &b, Location loc, Value input, const ConvShape &cs) {
  ArrayRef<int64_t> pad = cs.pad;
  if (llvm::all_of(pad, [](int64_t p) { return p == 0; }))
    return input;
  Type element = cast<RankedTensorType>(input.getType()).getElementType();
  SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(pad[0]),
                                  b.getIndexAttr(pad[2]), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> hi = {b.getIndexAttr(0), b.getIndexAttr(pad[1]),
                                  b.getIndexAttr(pad[3]), b.getIndexAttr(0)};
  auto padded = tensorOf(
      {cs.n, cs.h + pad[0] + pad[1], cs.w + pad[2] + pad[3], cs.c}, element);
  return b.create<tensor::PadOp>(loc, padded, input, lo, hi,
                                 scalarConstant(b, loc, element, 0));
}

/// The im2col columns of the padded NHWC input: depth-major
/// cols[kh, kw, c, n, oh, ow] (see ConvShape::depthMajor) or
/// cols[g, n, oh, ow, kh, kw, cg] = input[n, oh·s + kh·d, ow·s + kw·d,
/// g·cg + cg']. The forward convolution and its filter gradient build the
/// same op, so CSE computes the columns once in a training step.
Value buildIm2col(OpBuilder &b, Location loc, Value padded,
                  const ConvShape &cs) {
  MLIRContext *ctx = b.getContext();
  Type element = cast<RankedTensorType>(padded.getType()).getElementType();
  ArrayRef<int64_t> s = cs.strides, d = cs.dil;
  auto copy = [](OpBuilder &nb, Location l, ValueRange args) {
    nb.create<linalg::YieldOp>(l, args[0]);
  };
  if (cs.depthMajor()) {
    auto colsType = tensorOf({cs.kh, cs.kw, cs.cg, cs.n, cs.oh, cs.ow}, element);
    AffineExpr ky, kx, ch, bn, y, x;
    bindDims(ctx, ky, kx, ch, bn, y, x);
    AffineMap inMap = AffineMap::get(
        6, 0, {bn, y * s[0] + ky * d[0], x * s[1] + kx * d[1], ch}, ctx);
    SmallVector<AffineMap> maps = {inMap, b.getMultiDimIdentityMap(6)};
    SmallVector<utils::IteratorType> iters(6, utils::IteratorType::parallel);
    return b
        .create<linalg::GenericOp>(loc, TypeRange{colsType}, ValueRange{padded},
                                   ValueRange{emptyTensor(b, loc, colsType)},
                                   maps, iters, copy)
        .getResult(0);
  }
  auto paddedType = cast<RankedTensorType>(padded.getType());
  Value in5 = buildReshape(b, loc, padded,
                           {cs.n, paddedType.getDimSize(1),
                            paddedType.getDimSize(2), cs.groups, cs.cg});
  auto colsType =
      tensorOf({cs.groups, cs.n, cs.oh, cs.ow, cs.kh, cs.kw, cs.cg}, element);
  AffineExpr g, bn, y, x, ky, kx, ch;
  bindDims(ctx, g, bn, y, x, ky, kx, ch);
  AffineMap inMap = AffineMap::get(
      7, 0, {bn, y * s[0] + ky * d[0], x * s[1] + kx * d[1], g, ch}, ctx);
  SmallVector<AffineMap> maps = {inMap, b.getMultiDimIdentityMap(7)};
  SmallVector<utils::IteratorType> iters(7, utils::IteratorType::parallel);
  return b
      .create<linalg::GenericOp>(loc, TypeRange{colsType}, ValueRange{in5},
                                 ValueRange{emptyTensor(b, loc, colsType)},
                                 maps, iters, copy)
      .getResult(0);
}

/// Whether output position `o` (an index) is where input row/column `i`
/// meets filter tap `k` along one spatial dimension: i + pad − k·d = o·s
/// with 0 ≤ o < size. Returns (valid, o clamped to 0 when invalid).
std::pair<Value, Value> sourcePosition(OpBuilder &b, Location l, Value i,
                                       Value k, int64_t pad, int64_t dil,
                                       int64_t stride, int64_t size) {
  auto cst = [&](int64_t v) { return b.create<arith::ConstantIndexOp>(l, v); };
  Value t = b.create<arith::SubIOp>(
      l, b.create<arith::AddIOp>(l, i, cst(pad)),
      b.create<arith::MulIOp>(l, k, cst(dil)));
  Value zero = cst(0);
  Value valid = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, t, zero);
  Value o = t;
  if (stride != 1) {
    Value rem = b.create<arith::RemSIOp>(l, t, cst(stride));
    valid = b.create<arith::AndIOp>(
        l, valid,
        b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, rem, zero));
    o = b.create<arith::DivSIOp>(l, t, cst(stride));
  }
  valid = b.create<arith::AndIOp>(
      l, valid,
      b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, o, cst(size)));
  return {valid, b.create<arith::SelectOp>(l, valid, o, zero)};
}

/// In a gather over (n, y, x, c, kh, kw, ...) loops: whether input
/// position (y, x) is read by output position (oy, ox) through tap
/// (kh, kw), with (oy, ox) clamped to 0 where it is not.
struct TapSource {
  Value valid, oy, ox;
};
TapSource tapSource(OpBuilder &b, Location l, const ConvShape &cs) {
  auto idx = [&](unsigned dim) { return b.create<linalg::IndexOp>(l, dim); };
  auto [vy, oy] = sourcePosition(b, l, idx(1), idx(4), cs.pad[0], cs.dil[0],
                                 cs.strides[0], cs.oh);
  auto [vx, ox] = sourcePosition(b, l, idx(2), idx(5), cs.pad[2], cs.dil[1],
                                 cs.strides[1], cs.ow);
  return {b.create<arith::AndIOp>(l, vy, vx), oy, ox};
}

/// The body of a generic with inputs (a, b) and output out: out + a · b.
SmallVector<Value> multiplyAccumulate(OpBuilder &b, Location l, ValueRange a) {
  Value p = b.create<arith::MulFOp>(l, a[0], a[1]);
  return {b.create<arith::AddFOp>(l, a[2], p)};
}

/// The f32 elements of a constant, row-major, if `attr` holds them.
std::optional<std::vector<float>> constantFloats(ElementsAttr attr) {
  if (!attr.getElementType().isF32())
    return std::nullopt;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() !=
                     static_cast<size_t>(attr.getNumElements()) * sizeof(float))
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    std::vector<float> values(attr.getNumElements());
    std::memcpy(values.data(), data.data(), data.size());
    return values;
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    auto range = dense.getValues<float>();
    return std::vector<float>(range.begin(), range.end());
  }
  return std::nullopt;
}

/// The filter as OHWI [O, KH, KW, C], cuDNN's filter layout for NHWC
/// tensors: a new constant when `original` is one, else a transpose.
Value libraryFilter(OpBuilder &b, Location loc, Value original, Value filter,
                    StringRef format) {
  SmallVector<int64_t> perm = format == "OIHW" ? SmallVector<int64_t>{0, 2, 3, 1}
                                               : SmallVector<int64_t>{3, 0, 1, 2};
  auto type = cast<RankedTensorType>(filter.getType());
  ArrayRef<int64_t> from = type.getShape();
  SmallVector<int64_t> to = llvm::map_to_vector(perm, [&](int64_t d) {
    return from[d];
  });
  auto toType = RankedTensorType::get(to, type.getElementType());
  ElementsAttr attr;
  if (matchPattern(original, m_Constant(&attr))) {
    if (std::optional<std::vector<float>> values = constantFloats(attr)) {
      std::vector<float> out(values->size());
      int64_t fromStrides[4], idx[4];
      fromStrides[3] = 1;
      for (int d = 2; d >= 0; --d)
        fromStrides[d] = fromStrides[d + 1] * from[d + 1];
      int64_t i = 0;
      for (idx[0] = 0; idx[0] < to[0]; ++idx[0])
        for (idx[1] = 0; idx[1] < to[1]; ++idx[1])
          for (idx[2] = 0; idx[2] < to[2]; ++idx[2])
            for (idx[3] = 0; idx[3] < to[3]; ++idx[3]) {
              int64_t at = 0;
              for (int d = 0; d < 4; ++d)
                at += idx[d] * fromStrides[perm[d]];
              out[i++] = (*values)[at];
            }
      return b.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(toType, ArrayRef<float>(out)));
    }
  }
  return buildTranspose(b, loc, filter, perm);
}

struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  Conv2DLowering(MLIRContext *ctx, bool library)
      : OpConversionPattern(ctx), library(library) {}
  bool library;

  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    bool nchw = op.getDataFormat() == "NCHW";
    ConvShape cs(op, cast<RankedTensorType>(op.getInput().getType()).getShape(),
                 cast<RankedTensorType>(op.getFilter().getType()).getShape(),
                 resultType.getShape());
    Value input = toNHWC(rewriter, loc, adaptor.getInput(), nchw);
    SmallVector<int64_t> nhwcOut = {cs.n, cs.oh, cs.ow, cs.o};
    if (library && cs.groups == 1 && element.isF32()) {
      Value f = libraryFilter(rewriter, loc, op.getFilter(), adaptor.getFilter(),
                              op.getFilterFormat());
      auto outType = tensorOf(nhwcOut, element);
      Value out = rewriter
                      .create<linalg::Conv2DNhwcFhwcOp>(
                          loc, TypeRange{outType},
                          ValueRange{padInput(rewriter, loc, input, cs), f},
                          zeroFilled(rewriter, loc, outType),
                          rewriter.getI64TensorAttr(cs.strides),
                          rewriter.getI64TensorAttr(cs.dil))
                      .getResult(0);
      rewriter.replaceOp(op, fromNHWC(rewriter, loc, out, nchw));
      return success();
    }
    Value filter = toHWIO(rewriter, loc, adaptor.getFilter(), op.getFilterFormat());
    input = padInput(rewriter, loc, input, cs);

    Value out;
    if (cs.cg == 1 && cs.groups == cs.c && cs.groups > 1) {
      // Depthwise: filter [KH, KW, 1, C·M] → [KH, KW, C, M].
      int64_t mult = cs.o / cs.c;
      Value f = buildReshape(rewriter, loc, filter, {cs.kh, cs.kw, cs.c, mult});
      auto dwType = tensorOf({cs.n, cs.oh, cs.ow, cs.c, mult}, element);
      Value init = zeroFilled(rewriter, loc, dwType);
      Value dw =
          rewriter
              .create<linalg::DepthwiseConv2DNhwcHwcmOp>(
                  loc, TypeRange{dwType}, ValueRange{input, f}, init,
                  rewriter.getI64TensorAttr(cs.strides),
                  rewriter.getI64TensorAttr(cs.dil))
              .getResult(0);
      out = buildReshape(rewriter, loc, dw, nhwcOut);
    } else {
      int64_t rows = cs.rows(), depth = cs.depth();
      Value cols = buildIm2col(rewriter, loc, input, cs);
      // Filter [KH, KW, Cg, G·Og] → [G, KH·KW·Cg, Og].
      Value f = buildReshape(rewriter, loc, filter,
                             {cs.kh, cs.kw, cs.cg, cs.groups, cs.og});
      if (cs.depthMajor()) {
        Value a = buildReshape(rewriter, loc, cols, {depth, rows});
        Value w = buildReshape(rewriter, loc, f, {depth, cs.og});
        Value mm = matmul2D(rewriter, loc, a, w, /*ta=*/true, false,
                            tensorOf({rows, cs.og}, element));
        out = buildReshape(rewriter, loc, mm, nhwcOut);
      } else if (cs.groups == 1) {
        Value a = buildReshape(rewriter, loc, cols, {rows, depth});
        Value w = buildReshape(rewriter, loc, f, {depth, cs.og});
        Value mm = matmul2D(rewriter, loc, a, w, false, false,
                            tensorOf({rows, cs.og}, element));
        out = buildReshape(rewriter, loc, mm, nhwcOut);
      } else {
        Value fg = buildTranspose(rewriter, loc, f, {3, 0, 1, 2, 4});
        Value w = buildReshape(rewriter, loc, fg, {cs.groups, depth, cs.og});
        Value a = buildReshape(rewriter, loc, cols, {cs.groups, rows, depth});
        Value mm = matmul3D(rewriter, loc, a, w, false, false,
                            tensorOf({cs.groups, rows, cs.og}, element));
        Value mm5 = buildReshape(rewriter, loc, mm,
                                 {cs.groups, cs.n, cs.oh, cs.ow, cs.og});
        Value t = buildTranspose(rewriter, loc, mm5, {1, 2, 3, 0, 4});
        out = buildReshape(rewriter, loc, t, nhwcOut);
      }
    }
    rewriter.replaceOp(op, fromNHWC(rewriter, loc, out, nchw));
    return success();
  }
};

/// dW = colsᵀ · dy: the forward im2col columns against the output gradient
/// (one matmul); grouped convolutions sum the taps directly.
struct Conv2DBackpropFilterLowering
    : OpConversionPattern<Conv2DBackpropFilterOp> {
  Conv2DBackpropFilterLowering(MLIRContext *ctx, bool library)
      : OpConversionPattern(ctx), library(library) {}
  bool library;

  LogicalResult
  matchAndRewrite(Conv2DBackpropFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    bool nchw = op.getDataFormat() == "NCHW";
    ConvShape cs(op, cast<RankedTensorType>(op.getInput().getType()).getShape(),
                 resultType.getShape(),
                 cast<RankedTensorType>(op.getGrad().getType()).getShape());
    Value input = padInput(
        rewriter, loc, toNHWC(rewriter, loc, adaptor.getInput(), nchw), cs);
    Value dy = toNHWC(rewriter, loc, adaptor.getGrad(), nchw);
    if (library && cs.groups == 1 && element.isF32()) {
      // dW[o, kh, kw, c] = Σ_{n, oh, ow} x[n, oh·s + kh·d, ow·s + kw·d, c]
      //                                  · dy[n, oh, ow, o]
      // directly, OHWI: cuDNN's backward-filter convolution.
      AffineExpr oc, ky, kx, ci, bn, y, x;
      bindDims(ctx, oc, ky, kx, ci, bn, y, x);
      ArrayRef<int64_t> s = cs.strides, d = cs.dil;
      AffineMap inMap = AffineMap::get(
          7, 0, {bn, y * s[0] + ky * d[0], x * s[1] + kx * d[1], ci}, ctx);
      AffineMap dyMap = AffineMap::get(7, 0, {bn, y, x, oc}, ctx);
      AffineMap outMap = AffineMap::get(7, 0, {oc, ky, kx, ci}, ctx);
      using utils::IteratorType;
      SmallVector<IteratorType> iters(4, IteratorType::parallel);
      iters.append(3, IteratorType::reduction);
      auto ohwiType = tensorOf({cs.o, cs.kh, cs.kw, cs.c}, element);
      Value dw = buildGeneric(rewriter, loc, {input, dy},
                              {zeroFilled(rewriter, loc, ohwiType)},
                              {inMap, dyMap, outMap}, iters,
                              multiplyAccumulate)
                     .front();
      Operation *generic = dw.getDefiningOp();
      generic->setAttr(kConvBackwardAttr, rewriter.getStringAttr("filter"));
      generic->setAttr(kConvGeometryAttr,
                       rewriter.getDenseI64ArrayAttr(
                           {s[0], s[1], d[0], d[1], 0, 0}));
      rewriter.replaceOp(op, fromOHWI(rewriter, loc, dw, op.getFilterFormat()));
      return success();
    }
    auto hwioType = tensorOf({cs.kh, cs.kw, cs.cg, cs.o}, element);
    Value dw;
    if (cs.groups == 1) {
      Value cols = buildIm2col(rewriter, loc, input, cs);
      Value dy2 = buildReshape(rewriter, loc, dy, {cs.rows(), cs.o});
      auto mmType = tensorOf({cs.depth(), cs.o}, element);
      Value mm =
          cs.depthMajor()
              ? matmul2D(rewriter, loc,
                         buildReshape(rewriter, loc, cols,
                                      {cs.depth(), cs.rows()}),
                         dy2, false, false, mmType)
              : matmul2D(rewriter, loc,
                         buildReshape(rewriter, loc, cols,
                                      {cs.rows(), cs.depth()}),
                         dy2, /*ta=*/true, false, mmType);
      dw = buildReshape(rewriter, loc, mm, hwioType.getShape());
    } else {
      // dW[kh, kw, ci, o] = Σ_{n, oh, ow} x[n, oh·s + kh·d, ow·s + kw·d,
      //                                    (o / og)·cg + ci] · dy[n, oh, ow, o]
      AffineExpr ky, kx, ci, oc, bn, y, x;
      bindDims(ctx, ky, kx, ci, oc, bn, y, x);
      ArrayRef<int64_t> s = cs.strides, d = cs.dil;
      AffineMap inMap = AffineMap::get(
          7, 0,
          {bn, y * s[0] + ky * d[0], x * s[1] + kx * d[1],
           oc.floorDiv(cs.og) * cs.cg + ci},
          ctx);
      AffineMap dyMap = AffineMap::get(7, 0, {bn, y, x, oc}, ctx);
      AffineMap outMap = AffineMap::get(7, 0, {ky, kx, ci, oc}, ctx);
      using utils::IteratorType;
      SmallVector<IteratorType> iters(4, IteratorType::parallel);
      iters.append(3, IteratorType::reduction);
      dw = buildGeneric(rewriter, loc, {input, dy},
                        {zeroFilled(rewriter, loc, hwioType)},
                        {inMap, dyMap, outMap}, iters,
                        multiplyAccumulate)
               .front();
    }
    rewriter.replaceOp(op, fromHWIO(rewriter, loc, dw, op.getFilterFormat()));
    return success();
  }
};

/// dx: each input element gathers the output-gradient products of the taps
/// that read it. Without groups the products come from one matmul,
/// cols = dy · Wᵀ (the forward's arithmetic, no zero padding), summed back
/// into place (col2im); grouped convolutions multiply in the gather.
struct Conv2DBackpropInputLowering
    : OpConversionPattern<Conv2DBackpropInputOp> {
  Conv2DBackpropInputLowering(MLIRContext *ctx, bool library)
      : OpConversionPattern(ctx), library(library) {}
  bool library;

  LogicalResult
  matchAndRewrite(Conv2DBackpropInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    bool nchw = op.getDataFormat() == "NCHW";
    ConvShape cs(op, resultType.getShape(),
                 cast<RankedTensorType>(op.getFilter().getType()).getShape(),
                 cast<RankedTensorType>(op.getGrad().getType()).getShape());
    Value dy = toNHWC(rewriter, loc, adaptor.getGrad(), nchw);
    using utils::IteratorType;
    if (library && cs.groups == 1 && element.isF32()) {
      // dx[n, y, x, c] = Σ_{kh, kw, o} dy[n, oy, ox, o] · W[o, kh, kw, c]
      // over the taps with y + pad − kh·d = oy·s inside the output
      // (likewise x), from the OHWI filter the forward convolution reads:
      // cuDNN's backward-data convolution. cuDNN pads symmetrically; an
      // asymmetric padding computes the padded input's gradient and slices
      // its interior.
      static const int64_t noPadding[4] = {0, 0, 0, 0};
      ArrayRef<int64_t> pad = cs.pad;
      bool symmetric = pad[0] == pad[1] && pad[2] == pad[3];
      ConvShape grid = cs;
      if (!symmetric) {
        grid.h = cs.h + pad[0] + pad[1], grid.w = cs.w + pad[2] + pad[3];
        grid.pad = noPadding;
      }
      Value w = libraryFilter(rewriter, loc, op.getFilter(), adaptor.getFilter(),
                              op.getFilterFormat());
      AffineExpr bn, y, x, ch, ky, kx, oc;
      bindDims(ctx, bn, y, x, ch, ky, kx, oc);
      AffineMap wMap = AffineMap::get(7, 0, {oc, ky, kx, ch}, ctx);
      AffineMap outMap = AffineMap::get(7, 0, {bn, y, x, ch}, ctx);
      SmallVector<IteratorType> iters(4, IteratorType::parallel);
      iters.append(3, IteratorType::reduction);
      auto gridType = tensorOf({cs.n, grid.h, grid.w, cs.c}, element);
      Value dx = buildGeneric(
                     rewriter, loc, {w}, {zeroFilled(rewriter, loc, gridType)},
                     {wMap, outMap}, iters,
                     [&](OpBuilder &b, Location l, ValueRange a) {
                       TapSource t = tapSource(b, l, grid);
                       Value g = b.create<tensor::ExtractOp>(
                           l, dy,
                           ValueRange{b.create<linalg::IndexOp>(l, 0), t.oy,
                                      t.ox, b.create<linalg::IndexOp>(l, 6)});
                       Value zero = scalarConstant(b, l, element, 0);
                       Value p = b.create<arith::MulFOp>(
                           l, b.create<arith::SelectOp>(l, t.valid, g, zero),
                           a[0]);
                       return SmallVector<Value>{
                           b.create<arith::AddFOp>(l, a[1], p)};
                     })
                     .front();
      Operation *generic = dx.getDefiningOp();
      generic->setAttr(kConvBackwardAttr, rewriter.getStringAttr("data"));
      generic->setAttr(kConvGeometryAttr,
                       rewriter.getDenseI64ArrayAttr(
                           {cs.strides[0], cs.strides[1], cs.dil[0],
                            cs.dil[1], grid.pad[0], grid.pad[2]}));
      if (!symmetric)
        dx = rewriter.create<tensor::ExtractSliceOp>(
            loc, tensorOf({cs.n, cs.h, cs.w, cs.c}, element), dx,
            getAsIndexOpFoldResult(ctx, {0, pad[0], pad[2], 0}),
            getAsIndexOpFoldResult(ctx, {cs.n, cs.h, cs.w, cs.c}),
            getAsIndexOpFoldResult(ctx, {1, 1, 1, 1}));
      rewriter.replaceOp(op, fromNHWC(rewriter, loc, dx, nchw));
      return success();
    }
    Value w = toHWIO(rewriter, loc, adaptor.getFilter(), op.getFilterFormat());
    auto dxType = tensorOf({cs.n, cs.h, cs.w, cs.c}, element);
    Value dx;
    if (cs.groups == 1) {
      Value dy2 = buildReshape(rewriter, loc, dy, {cs.rows(), cs.o});
      Value w2 = buildReshape(rewriter, loc, w, {cs.depth(), cs.o});
      Value mm = matmul2D(rewriter, loc, dy2, w2, false, /*tb=*/true,
                          tensorOf({cs.rows(), cs.depth()}, element));
      Value cols = buildReshape(rewriter, loc, mm,
                                {cs.n, cs.oh, cs.ow, cs.kh, cs.kw, cs.c});
      // dx[n, y, x, c] = Σ_{kh, kw} cols[n, oy, ox, kh, kw, c] over the taps
      // with y + pad − kh·d = oy·s inside the output (likewise x). The taps
      // are the innermost loops, so each dx element is summed in a
      // register, and the channel loop around them reads `cols` along
      // contiguous memory (it vectorizes).
      AffineExpr bn, y, x, ch, ky, kx;
      bindDims(ctx, bn, y, x, ch, ky, kx);
      AffineMap outMap = AffineMap::get(6, 0, {bn, y, x, ch}, ctx);
      // The taps' loop bounds come from a shape-only window operand, as
      // in linalg's pooling ops.
      AffineMap windowMap = AffineMap::get(6, 0, {ky, kx}, ctx);
      Value window = emptyTensor(rewriter, loc, tensorOf({cs.kh, cs.kw}, element));
      SmallVector<IteratorType> iters(4, IteratorType::parallel);
      iters.append(2, IteratorType::reduction);
      dx = buildGeneric(
               rewriter, loc, {window}, {zeroFilled(rewriter, loc, dxType)},
               {windowMap, outMap}, iters,
               [&](OpBuilder &b, Location l, ValueRange a) {
                 auto idx = [&](unsigned dim) {
                   return b.create<linalg::IndexOp>(l, dim);
                 };
                 TapSource t = tapSource(b, l, cs);
                 Value v = b.create<tensor::ExtractOp>(
                     l, cols,
                     ValueRange{idx(0), t.oy, t.ox, idx(4), idx(5), idx(3)});
                 Value zero = scalarConstant(b, l, element, 0);
                 Value sum = b.create<arith::AddFOp>(
                     l, a[1], b.create<arith::SelectOp>(l, t.valid, v, zero));
                 return SmallVector<Value>{sum};
               })
               .front();
    } else {
      // dx[n, y, x, c] = Σ_{kh, kw, j} dy[n, oy, ox, (c / cg)·og + j]
      //                               · W[kh, kw, c mod cg, (c / cg)·og + j]
      AffineExpr bn, y, x, ch, ky, kx, j;
      bindDims(ctx, bn, y, x, ch, ky, kx, j);
      AffineMap wMap = AffineMap::get(
          7, 0, {ky, kx, ch % cs.cg, ch.floorDiv(cs.cg) * cs.og + j}, ctx);
      AffineMap outMap = AffineMap::get(7, 0, {bn, y, x, ch}, ctx);
      AffineMap windowMap = AffineMap::get(7, 0, {ky, kx, j}, ctx);
      Value window = emptyTensor(
          rewriter, loc, tensorOf({cs.kh, cs.kw, cs.og}, element));
      SmallVector<IteratorType> iters(4, IteratorType::parallel);
      iters.append(3, IteratorType::reduction);
      int64_t og = cs.og, cg = cs.cg;
      dx = buildGeneric(
               rewriter, loc, {w, window}, {zeroFilled(rewriter, loc, dxType)},
               {wMap, windowMap, outMap}, iters,
               [&](OpBuilder &b, Location l, ValueRange a) {
                 auto idx = [&](unsigned dim) {
                   return b.create<linalg::IndexOp>(l, dim);
                 };
                 TapSource t = tapSource(b, l, cs);
                 Value oc = b.create<arith::AddIOp>(
                     l,
                     b.create<arith::MulIOp>(
                         l,
                         b.create<arith::DivUIOp>(
                             l, idx(3), b.create<arith::ConstantIndexOp>(l, cg)),
                         b.create<arith::ConstantIndexOp>(l, og)),
                     idx(6));
                 Value g = b.create<tensor::ExtractOp>(
                     l, dy, ValueRange{idx(0), t.oy, t.ox, oc});
                 Value zero = scalarConstant(b, l, element, 0);
                 Value p = b.create<arith::MulFOp>(
                     l, b.create<arith::SelectOp>(l, t.valid, g, zero), a[0]);
                 return SmallVector<Value>{
                     b.create<arith::AddFOp>(l, a[2], p)};
               })
               .front();
    }
    rewriter.replaceOp(op, fromNHWC(rewriter, loc, dx, nchw));
    return success();
  }
};

} // namespace

void populateLinearPatterns(RewritePatternSet &patterns, bool convLibrary) {
  patterns.add<MatmulLowering>(patterns.getContext());
  patterns.add<Conv2DLowering, Conv2DBackpropFilterLowering,
               Conv2DBackpropInputLowering>(patterns.getContext(), convLibrary);
}

} // namespace kiln::conversion
