//===- ConvPlan.cpp - a kiln_conv_t as cuDNN calls, and its reference ------===//

#include "runtime/src/cuda/ConvPlan.h"

#include <climits>
#include <cstdint>

using namespace kiln::rt;

std::string kiln::rt::planConv(const kiln_conv_t &op, CudnnConvPlan &plan) {
  if (op.flags & ~int64_t(KILN_CONV_ACCUMULATE | KILN_CONV_ALLOW_TF32 |
                          KILN_CONV_BACKWARD_DATA | KILN_CONV_BACKWARD_FILTER))
    return "unknown convolution flags " + std::to_string(op.flags);
  bool backwardData = op.flags & KILN_CONV_BACKWARD_DATA;
  bool backwardFilter = op.flags & KILN_CONV_BACKWARD_FILTER;
  if (backwardData && backwardFilter)
    return "convolution flags ask for both gradients";
  if (op.activation != KILN_ACTIVATION_NONE &&
      op.activation != KILN_ACTIVATION_RELU)
    return "unknown convolution activation " + std::to_string(op.activation);
  if ((backwardData || backwardFilter) &&
      (op.activation != KILN_ACTIVATION_NONE || op.bias))
    return "a convolution gradient with a bias or activation";
  const int64_t sizes[] = {op.n,  op.h,  op.w,  op.c,  op.o,
                           op.kh, op.kw, op.oh, op.ow, op.stride_h,
                           op.stride_w, op.dilation_h, op.dilation_w};
  for (int64_t v : sizes)
    if (v < 1 || v > INT_MAX)
      return "convolution size " + std::to_string(v) + " out of range";
  const int64_t pads[] = {op.pad_top, op.pad_bottom, op.pad_left, op.pad_right};
  for (int64_t v : pads)
    if (v < 0 || v > INT_MAX)
      return "convolution padding " + std::to_string(v) + " out of range";
  if (op.pad_top != op.pad_bottom || op.pad_left != op.pad_right)
    return "asymmetric convolution padding";
  // Every tensor's element count must fit cuDNN's int strides.
  auto fits = [](int64_t a, int64_t b, int64_t c, int64_t d) {
    __int128 v = static_cast<__int128>(a) * b * c * d;
    return v <= INT_MAX;
  };
  if (!fits(op.n, op.h, op.w, op.c) || !fits(op.o, op.kh, op.kw, op.c) ||
      !fits(op.n, op.oh, op.ow, op.o))
    return "convolution tensor too large for cuDNN";
  auto outSize = [](int64_t in, int64_t pad, int64_t k, int64_t d,
                    int64_t s) -> int64_t {
    int64_t span = in + 2 * pad - d * (k - 1) - 1;
    return span < 0 ? 0 : span / s + 1;
  };
  if (outSize(op.h, op.pad_top, op.kh, op.dilation_h, op.stride_h) != op.oh ||
      outSize(op.w, op.pad_left, op.kw, op.dilation_w, op.stride_w) != op.ow)
    return "convolution output " + std::to_string(op.oh) + "x" +
           std::to_string(op.ow) + " does not follow from its geometry";
  if (!op.x || !op.filter || !op.y)
    return "a convolution operand address is NULL";

  auto i = [](int64_t v) { return static_cast<int>(v); };
  plan.x = {i(op.n), i(op.c), i(op.h), i(op.w)};
  plan.y = {i(op.n), i(op.o), i(op.oh), i(op.ow)};
  plan.filter = {i(op.o), i(op.c), i(op.kh), i(op.kw)};
  plan.padH = i(op.pad_top), plan.padW = i(op.pad_left);
  plan.strideH = i(op.stride_h), plan.strideW = i(op.stride_w);
  plan.dilationH = i(op.dilation_h), plan.dilationW = i(op.dilation_w);
  bool accumulate = op.flags & KILN_CONV_ACCUMULATE;
  bool relu = op.activation == KILN_ACTIVATION_RELU;
  plan.beta = accumulate ? 1.0f : 0.0f;
  plan.tf32 = op.flags & KILN_CONV_ALLOW_TF32;
  plan.call = relu ? (op.bias ? CudnnConvPlan::Call::FusedBiasRelu
                              : CudnnConvPlan::Call::ForwardRelu)
                   : (op.bias ? CudnnConvPlan::Call::ForwardAddBias
                              : CudnnConvPlan::Call::Forward);
  if (backwardData)
    plan.call = CudnnConvPlan::Call::BackwardData;
  else if (backwardFilter)
    plan.call = CudnnConvPlan::Call::BackwardFilter;
  plan.key = {op.flags, op.activation, op.n, op.h, op.w, op.c, op.o,
              op.kh, op.kw, op.oh, op.ow, op.pad_top, op.pad_left,
              op.stride_h, op.stride_w, op.dilation_h, op.dilation_w,
              op.bias != 0, 0};
  return "";
}

void kiln::rt::referenceConv(const kiln_conv_t &op, float *x, float *filter,
                             const float *bias, float *y) {
  bool accumulate = op.flags & KILN_CONV_ACCUMULATE;
  auto store = [&](float *out, float sum) {
    *out = accumulate ? *out + sum : sum;
  };
  if (op.flags & KILN_CONV_BACKWARD_DATA) {
    // dx[n, iy, ix, c] = Σ dy[n, oy, ox, o] · w[o, ky, kx, c] over the taps
    // with iy + pad − ky·d = oy·s inside the output (likewise x).
    for (int64_t n = 0; n < op.n; ++n)
      for (int64_t iy = 0; iy < op.h; ++iy)
        for (int64_t ix = 0; ix < op.w; ++ix)
          for (int64_t c = 0; c < op.c; ++c) {
            float sum = 0.0f;
            for (int64_t ky = 0; ky < op.kh; ++ky) {
              int64_t ty = iy + op.pad_top - ky * op.dilation_h;
              if (ty < 0 || ty % op.stride_h || ty / op.stride_h >= op.oh)
                continue;
              for (int64_t kx = 0; kx < op.kw; ++kx) {
                int64_t tx = ix + op.pad_left - kx * op.dilation_w;
                if (tx < 0 || tx % op.stride_w || tx / op.stride_w >= op.ow)
                  continue;
                const float *g =
                    y + ((n * op.oh + ty / op.stride_h) * op.ow +
                         tx / op.stride_w) * op.o;
                for (int64_t o = 0; o < op.o; ++o)
                  sum += g[o] * filter[((o * op.kh + ky) * op.kw + kx) * op.c + c];
              }
            }
            store(x + ((n * op.h + iy) * op.w + ix) * op.c + c, sum);
          }
    return;
  }
  if (op.flags & KILN_CONV_BACKWARD_FILTER) {
    // dw[o, ky, kx, c] = Σ_{n, oy, ox} x[n, oy·s + ky·d − pad, ...] · dy[n, oy, ox, o]
    for (int64_t o = 0; o < op.o; ++o)
      for (int64_t ky = 0; ky < op.kh; ++ky)
        for (int64_t kx = 0; kx < op.kw; ++kx)
          for (int64_t c = 0; c < op.c; ++c) {
            float sum = 0.0f;
            for (int64_t n = 0; n < op.n; ++n)
              for (int64_t oy = 0; oy < op.oh; ++oy) {
                int64_t iy = oy * op.stride_h + ky * op.dilation_h - op.pad_top;
                if (iy < 0 || iy >= op.h)
                  continue;
                for (int64_t ox = 0; ox < op.ow; ++ox) {
                  int64_t ix = ox * op.stride_w + kx * op.dilation_w - op.pad_left;
                  if (ix < 0 || ix >= op.w)
                    continue;
                  sum += x[((n * op.h + iy) * op.w + ix) * op.c + c] *
                         y[((n * op.oh + oy) * op.ow + ox) * op.o + o];
                }
              }
            store(filter + ((o * op.kh + ky) * op.kw + kx) * op.c + c, sum);
          }
    return;
  }
  for (int64_t n = 0; n < op.n; ++n)
    for (int64_t oy = 0; oy < op.oh; ++oy)
      for (int64_t ox = 0; ox < op.ow; ++ox)
        for (int64_t o = 0; o < op.o; ++o) {
          float sum = 0.0f;
          for (int64_t ky = 0; ky < op.kh; ++ky) {
            int64_t iy = oy * op.stride_h + ky * op.dilation_h - op.pad_top;
            if (iy < 0 || iy >= op.h)
              continue;
            for (int64_t kx = 0; kx < op.kw; ++kx) {
              int64_t ix = ox * op.stride_w + kx * op.dilation_w - op.pad_left;
              if (ix < 0 || ix >= op.w)
                continue;
              const float *in = x + ((n * op.h + iy) * op.w + ix) * op.c;
              const float *f = filter + ((o * op.kh + ky) * op.kw + kx) * op.c;
              for (int64_t c = 0; c < op.c; ++c)
                sum += in[c] * f[c];
            }
          }
          float *out = y + ((n * op.oh + oy) * op.ow + ox) * op.o + o;
          float v = accumulate ? *out + sum : sum;
          if (bias)
            v += bias[o];
          if (op.activation == KILN_ACTIVATION_RELU)
            v = v > 0.0f || v != v ? v : 0.0f;
          *out = v;
        }
}
