//===- NNGenerators.cpp - matmul, conv, pooling, reductions, norms, scan --===//

#include "RandomGraph.h"

#include "dialects/kiln/KilnDialect.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using kiln::reference::Tensor;

namespace kiln::difftest {
namespace {

/// Upper bound on the multiply-adds of one contraction (keeps the f64
/// reference fast).
constexpr int64_t kMaxMacs = 600000;

/// Reshapes the current value to rank 4 when it is not (a Keras Reshape
/// before a convolution), if data movement is enabled.
bool ensureRank4(FunctionGen &g) {
  if (g.current.rank() == 4)
    return true;
  if (!g.enabled(kDataMovement))
    return false;
  llvm::SmallVector<int64_t> shape =
      randomFactors(g, g.current.numElements(), 4);
  g.current = g.op("kiln.reshape", {g.current}, {g.i64s("shape", shape)}, true);
  g.note("reshape", TolClass::Elementwise);
  return true;
}

/// The activation after a dense or convolution layer.
void activation(FunctionGen &g) {
  const char *name =
      g.pick<const char *>({"kiln.relu", "kiln.tanh", "kiln.gelu",
                            "kiln.sigmoid", "kiln.relu6", "kiln.leaky_relu"});
  g.current = g.op(name, {g.current});
  llvm::StringRef n = mnemonic(name);
  g.note(n, n.starts_with("relu") || n == "leaky_relu"
                ? TolClass::Elementwise
                : TolClass::Transcendental);
}

/// A bias broadcast along `shape`'s last dimension (or a given shape).
void addBias(FunctionGen &g, llvm::ArrayRef<int64_t> shape) {
  Val bias = g.leaf(g.tensorType(shape, g.current.element()), {-0.5, 0.5}, 0.9);
  g.current = g.op("kiln.add", {g.current, bias});
  g.note("add", TolClass::Elementwise);
}

/// A dense layer: x·W (W [K,N], or [N,K] with transpose_b), optionally with
/// a transposed x, batch dimensions, weights on the left, bias and
/// activation.
bool dense(FunctionGen &g) {
  if (!g.current.isFloat())
    return false;
  if (g.current.rank() < 2) {
    if (!g.enabled(kDataMovement))
      return false;
    g.current = g.op("kiln.reshape", {g.current},
                     {g.i64s("shape", {1, g.current.numElements()})}, true);
    g.note("reshape", TolClass::Elementwise);
  }
  Val x = g.current;
  int64_t r = x.rank();
  Type e = x.element();
  if (r == 2 && g.coin(0.12)) {
    // Weights on the left: W [N, rows] · x.
    int64_t rows = x.shape()[0], cols = x.shape()[1];
    int64_t n = g.uniform(1, 24);
    if (n * rows * cols > kMaxMacs || n * cols > kMaxElements)
      return false;
    double scale = std::sqrt(3.0 / rows);
    Val w = g.leaf(g.tensorType({n, rows}, e), {-scale, scale}, 0.85);
    g.current = g.op("kiln.matmul", {w, x});
    g.note("matmul", TolClass::Accumulation);
    g.note("matmul:lhs-weights", TolClass::Accumulation);
    return true;
  }
  bool ta = g.coin(0.15), tb = g.coin(0.3);
  int64_t k = ta ? x.shape()[r - 2] : x.shape()[r - 1];
  int64_t rows = x.numElements() / k;
  int64_t n = g.coin(0.2) ? g.pick<int64_t>({64, 96, 128}) : g.uniform(1, 40);
  n = std::max<int64_t>(1, std::min(n, kMaxElements / rows));
  if (rows * n * k > kMaxMacs)
    return false;
  double scale = std::sqrt(3.0 / k);
  llvm::SmallVector<int64_t> wShape =
      tb ? llvm::SmallVector<int64_t>{n, k} : llvm::SmallVector<int64_t>{k, n};
  Val w = g.leaf(g.tensorType(wShape, e), {-scale, scale}, 0.85);
  llvm::SmallVector<NamedAttribute> attrs;
  if (ta)
    attrs.push_back(g.flag("transpose_a", true));
  if (tb)
    attrs.push_back(g.flag("transpose_b", true));
  g.current = g.op("kiln.matmul", {x, w}, attrs);
  g.note("matmul", TolClass::Accumulation);
  if (r > 2)
    g.note("matmul:batched-x", TolClass::Accumulation);
  if (ta)
    g.note("matmul:transpose_a", TolClass::Accumulation);
  if (tb)
    g.note("matmul:transpose_b", TolClass::Accumulation);
  if (g.coin(0.6))
    addBias(g, g.coin(0.8) ? llvm::SmallVector<int64_t>{n}
                           : llvm::SmallVector<int64_t>{1, n});
  if (g.coin(0.5))
    activation(g);
  return true;
}

/// Batched matmul with a run-time right operand whose batch dimensions
/// broadcast, or x·xᵀ (attention scores).
bool batchMatmul(FunctionGen &g) {
  if (!g.current.isFloat() || g.current.rank() < 2)
    return false;
  Val a = g.current;
  int64_t r = a.rank();
  llvm::ArrayRef<int64_t> batch = a.shape().drop_back(2);
  int64_t m = a.shape()[r - 2], k = a.shape()[r - 1];
  if (g.coin(0.3)) {
    if (product(batch) * m * m > kMaxElements ||
        product(batch) * m * m * k > kMaxMacs)
      return false;
    g.current = g.op("kiln.matmul", {a, a}, {g.flag("transpose_b", true)});
    g.note("matmul", TolClass::Accumulation);
    g.note("matmul:x-xT", TolClass::Accumulation);
    return true;
  }
  if (g.coin(0.5)) {
    // The chain on the right: weights [..., n, m] times the current value.
    int64_t n = g.uniform(1, 24);
    llvm::SmallVector<int64_t> lBatch = broadcastPartner(g, batch, true);
    int64_t outBatch = product(broadcastShapes(batch, lBatch));
    if (outBatch * n * k > kMaxElements || outBatch * n * k * m > kMaxMacs)
      return false;
    lBatch.append({n, m});
    double s = std::sqrt(3.0 / m);
    Val l = g.leaf(g.tensorType(lBatch, a.element()), {-s, s}, 0.3);
    g.current = g.op("kiln.matmul", {l, a});
  } else {
    bool ta = g.coin(0.2), tb = g.coin(0.4);
    if (ta)
      std::swap(m, k);
    int64_t n = g.uniform(1, 24);
    llvm::SmallVector<int64_t> bShape = broadcastPartner(g, batch, true);
    int64_t outBatch = product(broadcastShapes(batch, bShape));
    if (outBatch * m * n > kMaxElements || outBatch * m * n * k > kMaxMacs)
      return false;
    bShape.append(tb ? std::initializer_list<int64_t>{n, k}
                     : std::initializer_list<int64_t>{k, n});
    double scale = std::sqrt(3.0 / k);
    Val b = g.leaf(g.tensorType(bShape, a.element()), {-scale, scale}, 0.3);
    llvm::SmallVector<NamedAttribute> attrs;
    if (ta)
      attrs.push_back(g.flag("transpose_a", true));
    if (tb)
      attrs.push_back(g.flag("transpose_b", true));
    g.current = g.op("kiln.matmul", {a, b}, attrs);
    if (ta)
      g.note("matmul:transpose_a", TolClass::Accumulation);
    if (tb)
      g.note("matmul:transpose_b", TolClass::Accumulation);
  }
  g.note("matmul", TolClass::Accumulation);
  g.note("matmul:batched", TolClass::Accumulation);
  return true;
}

/// Integer matmul with small weights (exact).
bool intMatmul(FunctionGen &g) {
  Val x = g.current;
  if (!x.isInt() || x.rank() < 2 || x.element().isInteger(8))
    return false;
  int64_t k = x.shape().back(), rows = x.numElements() / k;
  int64_t n = g.uniform(1, 16);
  if (rows * n > kMaxElements || rows * n * k > kMaxMacs)
    return false;
  Val w = g.leaf(g.tensorType({k, n}, x.element()), {-3, 3}, 0.8);
  g.current = g.op("kiln.matmul", {x, w}, {}, true);
  g.note("matmul:int", TolClass::Elementwise);
  return true;
}

struct Layout {
  int64_t n, h, w, c;
};
Layout layoutOf(bool nchw) {
  return nchw ? Layout{0, 2, 3, 1} : Layout{0, 1, 2, 3};
}

/// conv2d in both data layouts and filter formats, with strides,
/// dilations, padding and groups (depthwise included), bias, activation.
bool conv2d(FunctionGen &g) {
  if (!g.current.isFloat() || !ensureRank4(g))
    return false;
  bool nchw = g.coin(0.35);
  Layout l = layoutOf(nchw);
  llvm::ArrayRef<int64_t> s = g.current.shape();
  int64_t n = s[l.n], h = s[l.h], w = s[l.w], c = s[l.c];
  if (c > 64)
    return false;
  int64_t groups = 1, o;
  double kind = g.real(0, 1);
  if (kind < 0.55) {
    o = g.uniform(1, 24);
  } else if (kind < 0.8) {
    groups = c;
    o = c * g.pick<int64_t>({1, 2});
  } else {
    llvm::SmallVector<int64_t> divisors;
    for (int64_t d = 2; d < c; ++d)
      if (c % d == 0)
        divisors.push_back(d);
    if (divisors.empty())
      return false;
    groups = divisors[g.uniform(0, divisors.size() - 1)];
    o = groups * g.uniform(1, 3);
  }
  int64_t kh = g.pick<int64_t>({1, 2, 3, 3, 5}),
          kw = g.pick<int64_t>({1, 2, 3, 3});
  int64_t sh = g.pick<int64_t>({1, 1, 2}), sw = g.pick<int64_t>({1, 1, 2});
  int64_t dh = kh > 1 && g.coin(0.2) ? 2 : 1,
          dw = kw > 1 && g.coin(0.2) ? 2 : 1;
  int64_t pad[4] = {0, 0, 0, 0};
  if (g.coin(0.5)) { // "same"-style
    pad[0] = dh * (kh - 1) / 2;
    pad[1] = dh * (kh - 1) - pad[0];
    pad[2] = dw * (kw - 1) / 2;
    pad[3] = dw * (kw - 1) - pad[2];
  } else if (g.coin(0.4)) {
    for (int64_t &p : pad)
      p = g.uniform(0, 2);
  }
  int64_t spanH = h + pad[0] + pad[1] - dh * (kh - 1) - 1;
  int64_t spanW = w + pad[2] + pad[3] - dw * (kw - 1) - 1;
  if (spanH < 0 || spanW < 0)
    return false;
  int64_t oh = spanH / sh + 1, ow = spanW / sw + 1;
  int64_t fanIn = kh * kw * (c / groups);
  if (n * oh * ow * o > kMaxElements || n * oh * ow * o * fanIn > kMaxMacs)
    return false;
  bool hwio = g.coin(0.6);
  llvm::SmallVector<int64_t> fShape =
      hwio ? llvm::SmallVector<int64_t>{kh, kw, c / groups, o}
           : llvm::SmallVector<int64_t>{o, c / groups, kh, kw};
  double scale = std::sqrt(3.0 / fanIn);
  Val filter =
      g.leaf(g.tensorType(fShape, g.current.element()), {-scale, scale}, 0.9);
  llvm::SmallVector<NamedAttribute> attrs;
  if (sh != 1 || sw != 1 || g.coin(0.3))
    attrs.push_back(g.i64s("strides", {sh, sw}));
  if (dh != 1 || dw != 1)
    attrs.push_back(g.i64s("dilations", {dh, dw}));
  if (pad[0] || pad[1] || pad[2] || pad[3])
    attrs.push_back(g.i64s("padding", pad));
  if (groups != 1)
    attrs.push_back(g.i64("groups", groups));
  if (nchw || g.coin(0.2))
    attrs.push_back(g.str("data_format", nchw ? "NCHW" : "NHWC"));
  if (!hwio)
    attrs.push_back(g.str("filter_format", "OIHW"));
  g.current = g.op("kiln.conv2d", {g.current, filter}, attrs);
  g.note("conv2d", TolClass::Accumulation);
  if (nchw)
    g.note("conv2d:nchw", TolClass::Accumulation);
  if (!hwio)
    g.note("conv2d:oihw", TolClass::Accumulation);
  if (groups > 1)
    g.note(groups == c ? "conv2d:depthwise" : "conv2d:grouped",
           TolClass::Accumulation);
  if (sh > 1 || sw > 1)
    g.note("conv2d:strided", TolClass::Accumulation);
  if (dh > 1 || dw > 1)
    g.note("conv2d:dilated", TolClass::Accumulation);
  if (pad[0] || pad[1] || pad[2] || pad[3])
    g.note("conv2d:padded", TolClass::Accumulation);
  if (g.coin(0.6))
    addBias(g, nchw ? llvm::SmallVector<int64_t>{o, 1, 1}
                    : llvm::SmallVector<int64_t>{o});
  if (g.coin(0.5))
    activation(g);
  return true;
}

/// max_pool2d and avg_pool2d with strides, padding and both layouts.
bool pool2d(FunctionGen &g) {
  if (!g.current.isFloat() || !ensureRank4(g))
    return false;
  bool nchw = g.coin(0.35);
  Layout l = layoutOf(nchw);
  int64_t h = g.current.shape()[l.h], w = g.current.shape()[l.w];
  int64_t kh = g.uniform(1, 3), kw = g.uniform(1, 3);
  int64_t sh = g.coin(0.5) ? kh : g.uniform(1, 3),
          sw = g.coin(0.5) ? kw : g.uniform(1, 3);
  int64_t pad[4] = {0, 0, 0, 0};
  if (g.coin(0.35)) {
    pad[0] = g.uniform(0, std::min<int64_t>(1, kh - 1));
    pad[1] = g.uniform(0, std::min<int64_t>(1, kh - 1));
    pad[2] = g.uniform(0, std::min<int64_t>(1, kw - 1));
    pad[3] = g.uniform(0, std::min<int64_t>(1, kw - 1));
  }
  if (h + pad[0] + pad[1] < kh || w + pad[2] + pad[3] < kw)
    return false;
  bool max = g.coin(0.5);
  llvm::SmallVector<NamedAttribute> attrs{g.i64s("kernel_size", {kh, kw}),
                                          g.i64s("strides", {sh, sw})};
  bool padded = pad[0] || pad[1] || pad[2] || pad[3];
  if (padded)
    attrs.push_back(g.i64s("padding", pad));
  if (nchw || g.coin(0.2))
    attrs.push_back(g.str("data_format", nchw ? "NCHW" : "NHWC"));
  bool includePad = !max && g.coin(0.5);
  if (includePad)
    attrs.push_back(g.flag("count_include_pad", true));
  const char *name = max ? "kiln.max_pool2d" : "kiln.avg_pool2d";
  g.current = g.op(name, {g.current}, attrs, /*exactOp=*/max);
  TolClass tol = max ? TolClass::Elementwise : TolClass::Accumulation;
  g.note(mnemonic(name), tol);
  if (nchw)
    g.note((mnemonic(name) + ":nchw").str(), tol);
  if (padded)
    g.note(
        (mnemonic(name) + (includePad ? ":padded-counted" : ":padded")).str(),
        tol);
  return true;
}

/// reduce_{sum,mean,max,min,prod} over a random set of axes.
bool reduce(FunctionGen &g) {
  Val x = g.current;
  if (x.isBool() || x.rank() == 0)
    return false;
  const char *name =
      x.isFloat()
          ? g.pick<const char *>({"kiln.reduce_sum", "kiln.reduce_mean",
                                  "kiln.reduce_max", "kiln.reduce_min",
                                  "kiln.reduce_prod"})
          : g.pick<const char *>({"kiln.reduce_sum", "kiln.reduce_max",
                                  "kiln.reduce_min", "kiln.reduce_prod"});
  int64_t r = x.rank();
  llvm::SmallVector<int64_t> axes;
  bool all = g.coin(0.15);
  for (int64_t a = 0; a < r; ++a)
    if (all || g.coin(0.5))
      axes.push_back(a);
  if (axes.empty())
    axes.push_back(g.uniform(0, r - 1));
  int64_t group = 1;
  for (int64_t &a : axes) {
    group *= x.shape()[a];
    if (g.coin(0.3))
      a -= r;
  }
  if (g.coin(0.3))
    std::shuffle(axes.begin(), axes.end(), g.rng);
  llvm::StringRef n(name);
  if (n == "kiln.reduce_prod" && x.isFloat() && g.stats(x).maxAbs > 1 &&
      group * std::log(g.stats(x).maxAbs) > 60)
    return false;
  llvm::SmallVector<NamedAttribute> attrs{g.i64s("axes", axes)};
  bool keepdims = g.coin(0.4);
  if (keepdims || g.coin(0.2))
    attrs.push_back(g.flag("keepdims", keepdims));
  bool exact = n == "kiln.reduce_max" || n == "kiln.reduce_min" || x.isInt();
  g.current = g.op(name, {x}, attrs, exact);
  g.note(mnemonic(name),
         exact ? TolClass::Elementwise : TolClass::Accumulation);
  if (g.current.rank() == 0)
    g.note("reduce:to-scalar", TolClass::Elementwise);
  return true;
}

/// argmax / argmin, where no rounding difference can change the winner.
bool argReduce(FunctionGen &g) {
  Val x = g.current;
  if (x.isBool() || x.rank() == 0)
    return false;
  bool isMax = g.coin(0.6);
  int64_t r = x.rank(), axis = g.uniform(0, r - 1);
  if (x.isFloat() && !x.exact) {
    // Every slice's winner must lead the runner-up by a margin.
    const Tensor &t = g.data(x);
    llvm::ArrayRef<int64_t> shape = x.shape();
    int64_t outer = product(shape.take_front(axis)), len = shape[axis],
            inner = product(shape.drop_front(axis + 1));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        double best = 0, second = -INFINITY;
        bool nan = false;
        for (int64_t k = 0; k < len; ++k) {
          double v = t.floats[(o * len + k) * inner + i];
          v = isMax ? v : -v;
          nan |= std::isnan(v);
          if (k == 0 || v > best) {
            second = k == 0 ? -INFINITY : best;
            best = v;
          } else if (v > second) {
            second = v;
          }
        }
        if (!nan && len > 1 && best - second < 1e-3 * (1 + std::fabs(best)))
          return false;
      }
  }
  llvm::SmallVector<NamedAttribute> attrs{
      g.i64("axis", g.coin(0.3) ? axis - r : axis)};
  if (g.coin(0.3))
    attrs.push_back(g.flag("keepdims", true));
  const char *name = isMax ? "kiln.argmax" : "kiln.argmin";
  g.current = g.op(name, {x}, attrs, /*exactOp=*/true);
  g.current.exact = true;
  g.note(mnemonic(name), TolClass::Elementwise);
  return true;
}

bool softmax(FunctionGen &g) {
  if (!g.current.isFloat() || g.current.rank() == 0)
    return false;
  const char *name = g.pick<const char *>({"kiln.softmax", "kiln.log_softmax"});
  llvm::SmallVector<NamedAttribute> attrs;
  int64_t r = g.current.rank();
  if (g.coin(0.5))
    attrs.push_back(g.i64("axis", g.uniform(-r, r - 1)));
  g.current = g.op(name, {g.current}, attrs);
  g.note(mnemonic(name), TolClass::Accumulation);
  return true;
}

/// layer_norm over the last 1-3 dimensions, where the normalized groups
/// are not so flat that rounding noise would dominate.
bool layerNorm(FunctionGen &g) {
  Val x = g.current;
  if (!x.isFloat() || x.rank() == 0)
    return false;
  int64_t r = x.rank();
  int64_t axis = g.uniform(std::max<int64_t>(0, r - 3), r - 1);
  llvm::ArrayRef<int64_t> normShape = x.shape().drop_front(axis);
  int64_t group = product(normShape);
  double eps = g.pick<double>({1e-3, 1e-5});
  if (group > 1) {
    const Tensor &t = g.data(x);
    for (int64_t start = 0; start < t.size(); start += group) {
      double mean = 0, var = 0;
      for (int64_t k = 0; k < group; ++k)
        mean += t.floats[start + k];
      mean /= group;
      for (int64_t k = 0; k < group; ++k)
        var += (t.floats[start + k] - mean) * (t.floats[start + k] - mean);
      var /= group;
      if (var + eps < 1e-3) // also false for NaN: NaN groups are fine
        return false;
    }
  }
  Val scale = g.leaf(g.tensorType(normShape, x.element()), {0.5, 1.5}, 0.9);
  Val offset = g.leaf(g.tensorType(normShape, x.element()), {-0.5, 0.5}, 0.9);
  llvm::SmallVector<NamedAttribute> attrs;
  if (axis != r - 1 || g.coin(0.5))
    attrs.push_back(g.i64("axis", g.coin(0.3) ? axis - r : axis));
  if (eps != 1e-3 || g.coin(0.3))
    attrs.push_back(g.f64("epsilon", eps));
  g.current = g.op("kiln.layer_norm", {x, scale, offset}, attrs);
  g.note("layer_norm", TolClass::Accumulation);
  return true;
}

/// Inference batch norm (folded into the weights before code generation).
bool batchNorm(FunctionGen &g) {
  Val x = g.current;
  if (!x.isFloat() || x.rank() == 0)
    return false;
  int64_t r = x.rank();
  int64_t axis = r >= 2 && g.coin(0.4) ? 1 : r - 1;
  int64_t c = x.shape()[axis];
  auto vec = [&](Dist d) {
    return g.leaf(g.tensorType({c}, x.element()), d, 0.9);
  };
  Val scale = vec({0.5, 1.5}), offset = vec({-0.5, 0.5}),
      mean = vec({-0.5, 0.5}), var = vec({0.5, 2});
  llvm::SmallVector<NamedAttribute> attrs;
  if (axis != r - 1)
    attrs.push_back(g.i64("axis", axis));
  if (g.coin(0.5))
    attrs.push_back(g.f64("epsilon", g.pick<double>({1e-3, 1e-5})));
  g.current = g.op("kiln.batch_norm", {x, scale, offset, mean, var}, attrs);
  g.note("batch_norm", TolClass::Accumulation);
  return true;
}

/// A SimpleRNN layer as kiln.scan over [T, B, F] (axis 0) or [B, T, F]
/// (axis 1): h' = tanh(x·Wx + h·Wh + b), forward or reverse, sometimes
/// with a second carried value (a running sum of the states).
bool scanRnn(FunctionGen &g) {
  if (!g.current.isFloat())
    return false;
  if (g.current.rank() == 2 && g.enabled(kDataMovement)) {
    llvm::ArrayRef<int64_t> s = g.current.shape();
    g.current = g.op("kiln.reshape", {g.current},
                     {g.i64s("shape", {s[0], 1, s[1]})}, true);
    g.note("reshape", TolClass::Elementwise);
  }
  Val seq = g.current;
  if (seq.rank() != 3)
    return false;
  int64_t axis = g.coin(0.4) ? 1 : 0;
  int64_t t = seq.shape()[axis], batch = seq.shape()[1 - axis],
          f = seq.shape()[2];
  if (t > 16 || batch > 16 || f > 64)
    return false;
  int64_t h = g.uniform(1, 16);
  Type e = seq.element();
  double sx = 0.9 * std::sqrt(3.0 / f), sh = 0.5 * std::sqrt(3.0 / h);
  Val wx = g.leaf(g.tensorType({f, h}, e), {-sx, sx}, 0.85);
  Val wh = g.leaf(g.tensorType({h, h}, e), {-sh, sh}, 0.85);
  Val bias = g.leaf(g.tensorType({h}, e), {-0.3, 0.3}, 0.85);
  RankedTensorType stateType = g.tensorType({batch, h}, e);
  llvm::SmallVector<Value> init{g.coin(0.5)
                                    ? g.leaf(stateType, {-0.5, 0.5}, 0.3).value
                                    : g.constant(stateType, {0, 0}).value};
  bool sum = g.coin(0.3);
  if (sum)
    init.push_back(g.constant(stateType, {0, 0}).value);
  bool reluOut = g.coin(0.4), reverse = g.coin(0.4);
  g.evaluating = false;
  auto scan = g.b.create<kiln::ScanOp>(
      g.loc, init, ValueRange{seq.value}, reverse, axis,
      [&](OpBuilder &, Location, ValueRange args) {
        Val state{args[0]}, x{args.back()};
        Val xw = g.op("kiln.matmul", {x, wx});
        Val hw = g.op("kiln.matmul", {state, wh});
        Val pre = g.op("kiln.add", {g.op("kiln.add", {xw, hw}), bias});
        Val next = g.op("kiln.tanh", {pre});
        llvm::SmallVector<Value> yielded{next.value};
        if (sum)
          yielded.push_back(g.op("kiln.add", {Val{args[1]}, next}).value);
        yielded.push_back(reluOut ? g.op("kiln.relu", {next}).value
                                  : next.value);
        return yielded;
      });
  g.evaluating = true;
  g.evaluateScan(scan);
  g.note("scan:rnn", TolClass::Accumulation);
  g.note("tanh", TolClass::Transcendental);
  if (reverse)
    g.note("scan:reverse", TolClass::Accumulation);
  if (axis)
    g.note("scan:axis1", TolClass::Accumulation);
  if (sum)
    g.note("scan:two-carried", TolClass::Accumulation);
  for (Value v : scan.getResults())
    g.pool.push_back(Val{v, false});
  g.pool.pop_back();
  g.current = Val{g.coin(0.6) ? scan.getResults().back() : scan.getResult(0)};
  return true;
}

/// A running sum or maximum along a random axis (a cumulative scan).
bool scanCumulative(FunctionGen &g) {
  Val x = g.current;
  if (x.isBool() || x.rank() == 0 || x.element().isInteger(8))
    return false;
  int64_t axis = g.uniform(0, x.rank() - 1);
  if (x.shape()[axis] > 64)
    return false;
  llvm::SmallVector<int64_t> sliceShape(x.shape());
  sliceShape.erase(sliceShape.begin() + axis);
  Val init = g.coin(0.5)
                 ? g.constant(g.tensorType(sliceShape, x.element()), {0, 0})
                 : g.leaf(g.tensorType(sliceShape, x.element()),
                          x.isFloat() ? Dist{-1, 1} : Dist{-5, 5}, 0.3);
  const char *combine = g.pick<const char *>({"kiln.add", "kiln.maximum"});
  bool reverse = g.coin(0.4);
  // Sometimes a second sequence (a new input) combined in too.
  llvm::SmallVector<Value> sequences{x.value};
  if (g.coin(0.3))
    sequences.push_back(
        g.leaf(x.type(), x.isFloat() ? Dist{-1, 1} : Dist{-5, 5}, 0.3).value);
  g.evaluating = false;
  auto scan = g.b.create<kiln::ScanOp>(
      g.loc, ValueRange{init.value}, sequences, reverse, axis,
      [&](OpBuilder &, Location, ValueRange args) {
        Val next = g.op(combine, {Val{args[0]}, Val{args[1]}});
        if (args.size() > 2)
          next = g.op(combine, {next, Val{args[2]}});
        return llvm::SmallVector<Value>{next.value, next.value};
      });
  g.evaluating = true;
  g.evaluateScan(scan);
  g.note("scan:cumulative", TolClass::Elementwise);
  if (reverse)
    g.note("scan:reverse", TolClass::Elementwise);
  if (sliceShape.empty())
    g.note("scan:scalar-slices", TolClass::Elementwise);
  if (sequences.size() > 1)
    g.note("scan:two-sequences", TolClass::Elementwise);
  g.pool.push_back(Val{scan.getResult(0)});
  g.current = Val{scan.getResult(1)};
  return true;
}

/// A scan without sequences (`length` steps): h' = tanh(h·W + b).
bool scanIterate(FunctionGen &g) {
  Val x = g.current;
  if (!x.isFloat() || x.rank() != 2 || x.shape()[1] > 32 ||
      x.numElements() * x.shape()[1] * 6 > kMaxMacs)
    return false;
  int64_t h = x.shape()[1], steps = g.uniform(1, 5);
  double s = std::sqrt(3.0 / h);
  Val w = g.leaf(g.tensorType({h, h}, x.element()), {-s, s}, 0.85);
  Val bias = g.leaf(g.tensorType({h}, x.element()), {-0.3, 0.3}, 0.85);
  g.evaluating = false;
  auto scan = g.b.create<kiln::ScanOp>(
      g.loc, ValueRange{x.value}, ValueRange{}, false, 0,
      [&](OpBuilder &, Location, ValueRange args) {
        Val pre =
            g.op("kiln.add", {g.op("kiln.matmul", {Val{args[0]}, w}), bias});
        return llvm::SmallVector<Value>{g.op("kiln.tanh", {pre}).value};
      });
  scan.setLengthAttr(g.b.getI64IntegerAttr(steps));
  g.evaluating = true;
  g.evaluateScan(scan);
  g.note("scan:length", TolClass::Accumulation);
  g.note("tanh", TolClass::Transcendental);
  g.current = Val{scan.getResult(0)};
  return true;
}

} // namespace

llvm::ArrayRef<OpGenerator> nnGenerators() {
  static const OpGenerator table[] = {
      {"dense", kLinear, 2.0, dense},
      {"batch_matmul", kLinear, 0.8, batchMatmul},
      {"int_matmul", kLinear, 0.3, intMatmul},
      {"conv2d", kLinear, 2.0, conv2d},
      {"pool2d", kPooling, 1.2, pool2d},
      {"reduce", kReduction, 1.5, reduce},
      {"arg_reduce", kReduction, 0.6, argReduce},
      {"softmax", kReduction, 1.0, softmax},
      {"layer_norm", kNormalization, 0.9, layerNorm},
      {"batch_norm", kNormalization, 0.4, batchNorm},
      {"scan_rnn", kControl, 1.3, scanRnn},
      {"scan_cumulative", kControl, 0.4, scanCumulative},
      {"scan_iterate", kControl, 0.6, scanIterate},
  };
  return table;
}

} // namespace kiln::difftest
