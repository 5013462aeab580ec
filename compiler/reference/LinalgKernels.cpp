//===- LinalgKernels.cpp - matmul, convolution and pooling ----------------===//
//
// Straightforward loops with f64 accumulation: these are the definitions the
// optimized kernels are checked against.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Kernels.h"
#include "dialects/kiln/ScalarMath.h"

#include "llvm/ADT/TypeSwitch.h"

#include <limits>

using namespace mlir;
using namespace kiln;
using namespace kiln::reference;

namespace {

FailureOr<Tensor> evalMatmul(MatmulOp op, const Tensor &a, const Tensor &b) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  ArrayRef<int64_t> as = a.shape(), bs = b.shape(), os = out->shape();
  int64_t rank = os.size();
  int64_t m = os[rank - 2], n = os[rank - 1];
  int64_t k = op.getTransposeA() ? as[as.size() - 2] : as.back();
  // Strides of a's and b's matrix dimensions (row, column of the stored
  // layout) and of their broadcast batch dimensions.
  SmallVector<int64_t> batchShape(os.drop_back(2));
  SmallVector<int64_t> aBatch = broadcastStrides(as.drop_back(2), batchShape);
  SmallVector<int64_t> bBatch = broadcastStrides(bs.drop_back(2), batchShape);
  int64_t aMat = as[as.size() - 2] * as.back(), bMat = bs[bs.size() - 2] * bs.back();
  for (int64_t &s : aBatch)
    s *= aMat;
  for (int64_t &s : bBatch)
    s *= bMat;
  int64_t aRow = as.back(), bRow = bs.back();
  // a'[i][p] and b'[p][j] offsets honour the transpose flags.
  int64_t aI = op.getTransposeA() ? 1 : aRow, aP = op.getTransposeA() ? aRow : 1;
  int64_t bP = op.getTransposeB() ? 1 : bRow, bJ = op.getTransposeB() ? bRow : 1;
  bool isFloat = out->isFloat();
  forEachIndex(batchShape, [&](ArrayRef<int64_t> idx, int64_t batch) {
    int64_t a0 = dot(idx, aBatch), b0 = dot(idx, bBatch);
    int64_t o0 = batch * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        if (isFloat) {
          double acc = 0.0;
          for (int64_t p = 0; p < k; ++p)
            acc += a.floats[a0 + i * aI + p * aP] * b.floats[b0 + p * bP + j * bJ];
          out->floats[o0 + i * n + j] = acc;
        } else {
          int64_t acc = 0;
          for (int64_t p = 0; p < k; ++p)
            acc = scalar::wrapAdd(acc, scalar::wrapMul(a.ints[a0 + i * aI + p * aP],
                                                       b.ints[b0 + p * bP + j * bJ]));
          out->ints[o0 + i * n + j] = acc;
        }
      }
  });
  return out;
}

/// Index arithmetic for a 4-D activation in NHWC or NCHW layout.
struct Activation {
  int64_t n, c, h, w;             // sizes
  int64_t sn, sc, sh, sw;         // strides
  Activation(ArrayRef<int64_t> shape, bool nchw) {
    SmallVector<int64_t> s = stridesOf(shape);
    if (nchw) {
      n = shape[0], c = shape[1], h = shape[2], w = shape[3];
      sn = s[0], sc = s[1], sh = s[2], sw = s[3];
    } else {
      n = shape[0], h = shape[1], w = shape[2], c = shape[3];
      sn = s[0], sh = s[1], sw = s[2], sc = s[3];
    }
  }
  int64_t at(int64_t in, int64_t ic, int64_t ih, int64_t iw) const {
    return in * sn + ic * sc + ih * sh + iw * sw;
  }
};

/// The geometry of one convolution: the input, filter and result shapes and
/// the op's attributes. `forEachTap` visits every (input, filter, result)
/// element triple that the forward convolution multiplies and adds, grouped
/// by result element and in a fixed order; the forward pass and both
/// gradients are sums over these triples.
struct ConvGeometry {
  Activation in, res;
  int64_t kh, kw, cinPerGroup, coutPerGroup;
  int64_t fH, fW, fI, fO; // filter strides for (kh, kw, ci, co)
  ArrayRef<int64_t> strides, dil, pad;

  template <typename ConvLikeOp>
  ConvGeometry(ConvLikeOp op, ArrayRef<int64_t> inShape,
               ArrayRef<int64_t> fs, ArrayRef<int64_t> resShape)
      : in(inShape, op.getDataFormat() == "NCHW"),
        res(resShape, op.getDataFormat() == "NCHW"),
        strides(op.getStrides()), dil(op.getDilations()),
        pad(op.getPadding()) {
    SmallVector<int64_t> fStr = stridesOf(fs);
    bool hwio = op.getFilterFormat() == "HWIO";
    kh = hwio ? fs[0] : fs[2], kw = hwio ? fs[1] : fs[3];
    cinPerGroup = hwio ? fs[2] : fs[1];
    fH = hwio ? fStr[0] : fStr[2], fW = hwio ? fStr[1] : fStr[3];
    fI = hwio ? fStr[2] : fStr[1], fO = hwio ? fStr[3] : fStr[0];
    coutPerGroup = res.c / op.getGroups();
  }

  /// fn(inputIndex, filterIndex, resultIndex) for every tap.
  template <typename Fn>
  void forEachTap(Fn fn) const {
    for (int64_t b = 0; b < res.n; ++b)
      for (int64_t oc = 0; oc < res.c; ++oc) {
        int64_t g = oc / coutPerGroup;
        for (int64_t oh = 0; oh < res.h; ++oh)
          for (int64_t ow = 0; ow < res.w; ++ow) {
            int64_t r = res.at(b, oc, oh, ow);
            for (int64_t i = 0; i < kh; ++i) {
              int64_t ih = oh * strides[0] - pad[0] + i * dil[0];
              if (ih < 0 || ih >= in.h)
                continue;
              for (int64_t j = 0; j < kw; ++j) {
                int64_t iw = ow * strides[1] - pad[2] + j * dil[1];
                if (iw < 0 || iw >= in.w)
                  continue;
                for (int64_t ci = 0; ci < cinPerGroup; ++ci)
                  fn(in.at(b, g * cinPerGroup + ci, ih, iw),
                     i * fH + j * fW + ci * fI + oc * fO, r);
              }
            }
          }
      }
  }
};

FailureOr<Tensor> evalConv2D(Conv2DOp op, const Tensor &x, const Tensor &f) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  ConvGeometry conv(op, x.shape(), f.shape(), out->shape());
  conv.forEachTap([&](int64_t xi, int64_t fi, int64_t yi) {
    out->floats[yi] += x.floats[xi] * f.floats[fi];
  });
  return out;
}

FailureOr<Tensor> evalConv2DBackpropInput(Conv2DBackpropInputOp op,
                                          const Tensor &dy, const Tensor &f) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  ConvGeometry conv(op, out->shape(), f.shape(), dy.shape());
  conv.forEachTap([&](int64_t xi, int64_t fi, int64_t yi) {
    out->floats[xi] += dy.floats[yi] * f.floats[fi];
  });
  return out;
}

FailureOr<Tensor> evalConv2DBackpropFilter(Conv2DBackpropFilterOp op,
                                           const Tensor &x, const Tensor &dy) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  ConvGeometry conv(op, x.shape(), out->shape(), dy.shape());
  conv.forEachTap([&](int64_t xi, int64_t fi, int64_t yi) {
    out->floats[fi] += x.floats[xi] * dy.floats[yi];
  });
  return out;
}

/// Max or average pooling; padded positions never contribute to a max and
/// count toward an average only with `countIncludePad`.
FailureOr<Tensor> evalPool(Operation *op, const Tensor &x,
                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> pad, bool nchw, bool isMax,
                           bool countIncludePad) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  Activation in(x.shape(), nchw), res(out->shape(), nchw);
  for (int64_t b = 0; b < res.n; ++b)
    for (int64_t c = 0; c < res.c; ++c)
      for (int64_t oh = 0; oh < res.h; ++oh)
        for (int64_t ow = 0; ow < res.w; ++ow) {
          double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
          bool nan = false;
          int64_t count = 0;
          for (int64_t i = 0; i < kernel[0]; ++i) {
            int64_t ih = oh * strides[0] - pad[0] + i;
            for (int64_t j = 0; j < kernel[1]; ++j) {
              int64_t iw = ow * strides[1] - pad[2] + j;
              bool inside = ih >= 0 && ih < in.h && iw >= 0 && iw < in.w;
              if (!inside) {
                count += countIncludePad;
                continue;
              }
              double v = x.floats[in.at(b, c, ih, iw)];
              nan |= v != v;
              acc = isMax ? std::max(acc, v) : acc + v;
              ++count;
            }
          }
          double r = isMax ? acc : acc / static_cast<double>(count);
          out->floats[res.at(b, c, oh, ow)] =
              nan ? std::numeric_limits<double>::quiet_NaN() : r;
        }
  return out;
}

/// The gradient of max or average pooling w.r.t. its input: each window's
/// gradient goes to the first position holding its maximum (max) or is
/// spread over its counted positions (avg).
FailureOr<Tensor> evalPoolGrad(Pool2DGradOp op, const Tensor &x,
                               const Tensor &dy) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  bool nchw = op.getDataFormat() == "NCHW";
  bool isMax = op.getMode() == "max";
  ArrayRef<int64_t> kernel = op.getKernelSize(), strides = op.getStrides(),
                    pad = op.getPadding();
  Activation in(x.shape(), nchw), res(dy.shape(), nchw);
  for (int64_t b = 0; b < res.n; ++b)
    for (int64_t c = 0; c < res.c; ++c)
      for (int64_t oh = 0; oh < res.h; ++oh)
        for (int64_t ow = 0; ow < res.w; ++ow) {
          double g = dy.floats[res.at(b, c, oh, ow)];
          double best = -std::numeric_limits<double>::infinity();
          int64_t bestAt = -1, count = 0;
          for (int64_t i = 0; i < kernel[0]; ++i)
            for (int64_t j = 0; j < kernel[1]; ++j) {
              int64_t ih = oh * strides[0] - pad[0] + i;
              int64_t iw = ow * strides[1] - pad[2] + j;
              if (ih < 0 || ih >= in.h || iw < 0 || iw >= in.w) {
                count += op.getCountIncludePad();
                continue;
              }
              ++count;
              double v = x.floats[in.at(b, c, ih, iw)];
              if (bestAt < 0 || v > best) {
                best = v;
                bestAt = in.at(b, c, ih, iw);
              }
            }
          if (isMax) {
            if (bestAt >= 0)
              out->floats[bestAt] += g;
            continue;
          }
          for (int64_t i = 0; i < kernel[0]; ++i)
            for (int64_t j = 0; j < kernel[1]; ++j) {
              int64_t ih = oh * strides[0] - pad[0] + i;
              int64_t iw = ow * strides[1] - pad[2] + j;
              if (ih >= 0 && ih < in.h && iw >= 0 && iw < in.w)
                out->floats[in.at(b, c, ih, iw)] +=
                    g / static_cast<double>(count);
            }
        }
  normalize(*out);
  return out;
}

} // namespace

KernelResult kiln::reference::evalLinalg(Operation *op,
                                         ArrayRef<const Tensor *> operands) {
  return llvm::TypeSwitch<Operation *, KernelResult>(op)
      .Case([&](MatmulOp o) { return evalMatmul(o, *operands[0], *operands[1]); })
      .Case([&](Conv2DOp o) { return evalConv2D(o, *operands[0], *operands[1]); })
      .Case([&](Conv2DBackpropInputOp o) {
        return evalConv2DBackpropInput(o, *operands[0], *operands[1]);
      })
      .Case([&](Conv2DBackpropFilterOp o) {
        return evalConv2DBackpropFilter(o, *operands[0], *operands[1]);
      })
      .Case([&](MaxPool2DOp o) {
        return evalPool(o, *operands[0], o.getKernelSize(), o.getStrides(),
                        o.getPadding(), o.getDataFormat() == "NCHW",
                        /*isMax=*/true, /*countIncludePad=*/false);
      })
      .Case([&](AvgPool2DOp o) {
        return evalPool(o, *operands[0], o.getKernelSize(), o.getStrides(),
                        o.getPadding(), o.getDataFormat() == "NCHW",
                        /*isMax=*/false, o.getCountIncludePad());
      })
      .Case([&](Pool2DGradOp o) {
        return evalPoolGrad(o, *operands[0], *operands[1]);
      })
      .Default([](Operation *) { return std::nullopt; });
}
