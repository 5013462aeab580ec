//===- ElementwiseGenerators.cpp - unary, binary, compare/select, cast ----===//

#include "RandomGraph.h"

#include <cmath>

using namespace mlir;
using kiln::reference::Tensor;

namespace kiln::difftest {
namespace {

double distanceToInteger(double x) { return std::fabs(x - std::round(x)); }
double distanceToZero(double x) { return std::fabs(x); }

/// Makes the current float value >= 0.5: |x| + 0.5.
void makePositive(FunctionGen &g) {
  g.current = g.op("kiln.abs", {g.current}, {}, true);
  g.current = g.op("kiln.add", {g.current, g.scalar(0.5)}, {}, true);
  g.note("abs", TolClass::Elementwise);
  g.note("add", TolClass::Elementwise);
}

/// relu, neg, abs, relu6: exact on floats and integers.
bool exactUnary(FunctionGen &g) {
  if (g.current.isBool())
    return false;
  const char *name =
      g.pick<const char *>({"kiln.relu", "kiln.neg", "kiln.abs", "kiln.relu6"});
  g.current = g.op(name, {g.current}, {}, /*exactOp=*/true);
  g.note(mnemonic(name), TolClass::Elementwise);
  return true;
}

/// Inference dropout: the identity.
bool dropout(FunctionGen &g) {
  if (!g.current.isFloat())
    return false;
  llvm::SmallVector<NamedAttribute> attrs{
      g.f64("rate", g.pick<double>({0.1, 0.5}))};
  if (g.coin(0.3))
    attrs.push_back(g.flag("training", false));
  g.current = g.op("kiln.dropout", {g.current}, attrs, /*exactOp=*/true);
  g.note("dropout", TolClass::Elementwise);
  return true;
}

bool square(FunctionGen &g) {
  if (g.current.isBool())
    return false;
  g.current = g.op("kiln.square", {g.current});
  g.note("square", TolClass::Elementwise);
  return true;
}

/// Activations computed with polynomial approximations in generated code.
bool transcendental(FunctionGen &g) {
  if (!g.current.isFloat())
    return false;
  const char *name = g.pick<const char *>(
      {"kiln.tanh", "kiln.sigmoid", "kiln.erf", "kiln.gelu", "kiln.elu",
       "kiln.softplus", "kiln.exp", "kiln.sin", "kiln.cos"});
  llvm::SmallVector<NamedAttribute> attrs;
  llvm::StringRef n(name);
  if (n == "kiln.gelu" && g.coin(0.5))
    attrs.push_back(g.flag("approximate", true));
  if (n == "kiln.elu" && g.coin(0.5))
    attrs.push_back(g.f64("alpha", g.pick<double>({0.5, 1.7})));
  if (n == "kiln.exp" && g.stats(g.current).maxAbs > 8) {
    // Bound the argument: exp(4 tanh(x)).
    g.current = g.op("kiln.tanh", {g.current});
    g.current = g.op("kiln.mul", {g.current, g.scalar(4)});
    g.note("tanh", TolClass::Transcendental);
  }
  g.current = g.op(name, {g.current}, attrs);
  g.note(mnemonic(name), TolClass::Transcendental);
  return true;
}

bool leakyRelu(FunctionGen &g) {
  if (!g.current.isFloat())
    return false;
  llvm::SmallVector<NamedAttribute> attrs;
  if (g.coin(0.7))
    attrs.push_back(g.f64("alpha", g.pick<double>({0.01, 0.1, 0.3})));
  g.current = g.op("kiln.leaky_relu", {g.current}, attrs);
  g.note("leaky_relu", TolClass::Elementwise);
  return true;
}

/// log, sqrt and rsqrt on values made positive first when they are not.
bool logSqrt(FunctionGen &g) {
  if (!g.current.isFloat())
    return false;
  if (g.stats(g.current).min < 0.05)
    makePositive(g);
  const char *name =
      g.pick<const char *>({"kiln.log", "kiln.sqrt", "kiln.rsqrt"});
  g.current = g.op(name, {g.current});
  g.note(mnemonic(name), llvm::StringRef(name) == "kiln.log"
                             ? TolClass::Transcendental
                             : TolClass::Elementwise);
  return true;
}

/// floor and ceil, only where no rounding difference can cross an integer.
bool floorCeil(FunctionGen &g) {
  if (!g.current.isFloat() || !g.safeFrom(g.current, distanceToInteger))
    return false;
  const char *name = g.pick<const char *>({"kiln.floor", "kiln.ceil"});
  g.current = g.op(name, {g.current}, {}, /*exactOp=*/true);
  g.note(mnemonic(name), TolClass::Elementwise);
  return true;
}

/// add, sub, mul, maximum, minimum with NumPy broadcasting against a new
/// input or constant, or an earlier value (a residual connection).
bool binary(FunctionGen &g) {
  if (g.current.isBool())
    return false;
  const char *name = g.pick<const char *>(
      {"kiln.add", "kiln.sub", "kiln.mul", "kiln.maximum", "kiln.minimum"});
  Dist dist = g.current.isFloat() ? Dist{-1, 1} : Dist{-10, 10};
  Val other = partner(g, g.current, g.current.element(), dist);
  bool exact = llvm::StringRef(name) == "kiln.maximum" ||
               llvm::StringRef(name) == "kiln.minimum";
  if (g.coin(0.4))
    g.current = g.op(name, {other, g.current}, {}, exact);
  else
    g.current = g.op(name, {g.current, other}, {}, exact);
  g.note(mnemonic(name), TolClass::Elementwise);
  return true;
}

/// A divisor bounded away from zero: |d| in [0.5, 2] (floats) or [1, 5]
/// (integers), either sign.
Val divisor(FunctionGen &g, const Val &like) {
  llvm::SmallVector<int64_t> shape = broadcastPartner(g, like.shape(), true);
  Tensor t = g.randomTensor(g.tensorType(shape, like.element()),
                            like.isFloat() ? Dist{0.5, 2} : Dist{1, 5});
  for (double &v : t.floats)
    v = g.coin(0.5) ? -v : v;
  for (int64_t &v : t.ints)
    v = g.coin(0.5) ? -v : v;
  return g.coin(0.5) ? g.constantFrom(std::move(t)) : g.argFrom(std::move(t));
}

bool divide(FunctionGen &g) {
  if (g.current.isBool())
    return false;
  Stats s = g.stats(g.current);
  if (g.current.isFloat() && s.minAbs >= 0.25 && !s.hasNaN && g.coin(0.3)) {
    // x / current: a reciprocal-like use of the chain.
    Val numerator = partner(g, g.current, g.current.element(), {-1, 1});
    g.current = g.op("kiln.div", {numerator, g.current});
  } else {
    g.current = g.op("kiln.div", {g.current, divisor(g, g.current)}, {},
                     /*exactOp=*/g.current.isInt());
  }
  g.note("div", TolClass::Elementwise);
  return true;
}

bool power(FunctionGen &g) {
  if (g.current.isBool())
    return false;
  if (g.current.isInt()) {
    // Small non-negative exponents: integer pow wraps like repeated mul.
    Val e = g.leaf(g.tensorType(broadcastPartner(g, g.current.shape(), true),
                                g.current.element()),
                   {0, 3});
    g.current = g.op("kiln.pow", {g.current, e}, {}, /*exactOp=*/true);
    g.note("pow", TolClass::Elementwise);
    return true;
  }
  if (g.stats(g.current).min < 0.1)
    makePositive(g);
  Val e =
      g.coin(0.3)
          ? g.scalar(g.pick<double>({2, 0.5, -1, 3, 1.5}))
          : g.leaf(g.tensorType(broadcastPartner(g, g.current.shape(), true),
                                g.current.element()),
                   {-2, 2});
  g.current = g.op("kiln.pow", {g.current, e});
  g.note("pow", TolClass::Transcendental);
  return true;
}

/// A boolean condition on the current value that rounding cannot flip: the
/// comparand is kept at least 2% away from every element unless the value
/// is exact.
Val condition(FunctionGen &g) {
  Val cur = g.current;
  bool exact = cur.exact || !cur.isFloat();
  const char *name =
      exact ? g.pick<const char *>({"kiln.less", "kiln.less_equal",
                                    "kiln.greater", "kiln.greater_equal",
                                    "kiln.equal", "kiln.not_equal"})
            : g.pick<const char *>({"kiln.less", "kiln.less_equal",
                                    "kiln.greater", "kiln.greater_equal"});
  Val rhs;
  if (exact) {
    Stats s = g.stats(cur);
    Dist dist =
        cur.isFloat() ? Dist{s.min, std::max(s.max, s.min + 0.1)} : Dist{-5, 5};
    if (cur.isBool())
      dist = {};
    if (cur.isFloat() && cur.numElements() > 1 && g.coin(0.3)) {
      // Compare with an earlier exact value or itself (relu(x) == x...).
      rhs = cur;
    } else {
      rhs = g.leaf(
          g.tensorType(broadcastPartner(g, cur.shape(), true), cur.element()),
          dist, 0.5);
    }
  } else {
    Stats s = g.stats(cur);
    Tensor t = g.randomTensor(cur.type(), {s.min - 0.1, s.max + 0.1});
    const Tensor &x = g.data(cur);
    for (int64_t k = 0; k < t.size(); ++k) {
      double v = x.floats[k], margin = 0.02 * (1 + std::fabs(v));
      if (std::isfinite(v) && std::fabs(t.floats[k] - v) < margin)
        t.floats[k] = v + (g.coin(0.5) ? 2.5 : -2.5) * margin;
    }
    reference::normalize(t);
    rhs = g.coin(0.5) ? g.argFrom(std::move(t)) : g.constantFrom(std::move(t));
  }
  Val cond = g.coin(0.5) ? g.op(name, {cur, rhs}) : g.op(name, {rhs, cur});
  cond.exact = true;
  g.note(mnemonic(name), TolClass::Elementwise);
  if (g.coin(0.3)) {
    Val mask = g.leaf(
        g.tensorType(broadcastPartner(g, cond.shape(), true), g.b.getI1Type()),
        {}, 0.3);
    const char *logic =
        g.pick<const char *>({"kiln.logical_and", "kiln.logical_or"});
    cond = g.op(logic, {cond, mask}, {}, true);
    g.note(mnemonic(logic), TolClass::Elementwise);
  }
  if (g.coin(0.2)) {
    cond = g.op("kiln.logical_not", {cond}, {}, true);
    g.note("logical_not", TolClass::Elementwise);
  }
  return cond;
}

/// compare (+ logical ops) + select, or a boolean result.
bool compareSelect(FunctionGen &g) {
  Val cur = g.current;
  Val cond = cur.isBool() ? cur : condition(g);
  if (!cur.isBool() && g.coin(0.15)) {
    g.current = cond;
    return true;
  }
  Type element = cur.isBool() ? g.f32() : cur.element();
  Dist dist = isa<FloatType>(element) ? Dist{-1, 1} : Dist{-10, 10};
  Val onTrue = cur.isBool() ? partner(g, cond, element, dist) : cur;
  llvm::SmallVector<int64_t> shape =
      broadcastShapes(cond.shape(), onTrue.shape());
  Val onFalse = g.coin(0.2) && isa<FloatType>(element)
                    ? g.scalar(g.pick<double>({0, -1, 1e3}))
                    : partner(g, shape, onTrue.value, element, dist);
  if (g.coin(0.5))
    std::swap(onTrue, onFalse);
  g.current = g.op("kiln.select", {cond, onTrue, onFalse}, {}, true);
  g.note("select", TolClass::Elementwise);
  return true;
}

/// Boolean chains: logical ops with a new mask, or comparisons of booleans.
bool logical(FunctionGen &g) {
  if (!g.current.isBool())
    return false;
  Val mask = g.leaf(g.tensorType(broadcastPartner(g, g.current.shape(), true),
                                 g.b.getI1Type()),
                    {}, 0.5);
  const char *name = g.pick<const char *>(
      {"kiln.logical_not", "kiln.logical_and", "kiln.logical_or", "kiln.less",
       "kiln.greater_equal", "kiln.not_equal"});
  if (llvm::StringRef(name) == "kiln.logical_not")
    g.current = g.op(name, {g.current}, {}, true);
  else
    g.current = g.op(name, {g.current, mask}, {}, true);
  g.note(mnemonic(name), TolClass::Elementwise);
  return true;
}

/// Element type conversions: float to integer and boolean (only where no
/// rounding difference can cross a discontinuity), integer and boolean to
/// float, integer widths (wrap-around), f64 chains, and f16/bf16 round
/// trips of exact values with exact half-precision arithmetic in between
/// (sums and products of two halves round the same way through f32).
bool convert(FunctionGen &g) {
  Val cur = g.current;
  Type e = cur.element();
  Builder &b = g.b;
  if (e.isF64() || e.isF16() || e.isBF16()) {
    g.current = g.cast(cur, b.getF32Type(), true);
  } else if (cur.isFloat()) {
    Stats s = g.stats(cur);
    double r = g.real(0, 1);
    if (r < 0.3) {
      if (s.maxAbs > 1e6 || !g.safeFrom(cur, distanceToInteger))
        return false;
      g.current =
          g.cast(cur, g.coin(0.6) ? b.getI32Type() : b.getI64Type(), true);
    } else if (r < 0.45) {
      if (!g.safeFrom(cur, distanceToZero))
        return false;
      g.current = g.cast(cur, b.getI1Type(), true);
    } else if (r < 0.75) {
      if (!cur.exact || s.maxAbs > 6e4)
        return false;
      Type half = g.coin(0.5) ? Type(b.getF16Type()) : Type(b.getBF16Type());
      Val h = g.cast(cur, half, true);
      g.note("cast", TolClass::Elementwise);
      if (g.coin(0.7)) {
        const char *name = g.pick<const char *>(
            {"kiln.relu", "kiln.neg", "kiln.add", "kiln.mul", "kiln.maximum"});
        llvm::StringRef n(name);
        if (n == "kiln.relu" || n == "kiln.neg") {
          h = g.op(name, {h}, {}, true);
        } else {
          Val other =
              g.leaf(g.tensorType(broadcastPartner(g, h.shape(), true), half),
                     {-2, 2});
          h = g.op(name, {h, other}, {}, true);
        }
        g.note(mnemonic(name), TolClass::Elementwise);
      }
      g.current = g.cast(h, b.getF32Type(), true);
    } else {
      g.current = g.cast(cur, b.getF64Type(), true);
    }
  } else if (cur.isInt()) {
    double r = g.real(0, 1);
    if (r < 0.55) {
      bool small = g.stats(cur).maxAbs < (1 << 24);
      g.current =
          g.cast(cur, g.coin(0.85) ? b.getF32Type() : b.getF64Type(), small);
    } else if (r < 0.85) {
      Type to = g.pick<Type>({b.getI8Type(), b.getI32Type(), b.getI64Type()});
      if (to == e)
        return false;
      g.current = g.cast(cur, to, true);
    } else {
      g.current = g.cast(cur, b.getI1Type(), true);
    }
  } else {
    g.current = g.cast(
        cur, g.coin(0.7) ? Type(b.getF32Type()) : Type(b.getI32Type()), true);
  }
  g.note("cast", TolClass::Elementwise);
  return true;
}

} // namespace

llvm::ArrayRef<OpGenerator> elementwiseGenerators() {
  static const OpGenerator table[] = {
      {"exact_unary", kElementwise, 1.0, exactUnary},
      {"square", kElementwise, 0.3, square},
      {"dropout", kElementwise, 0.15, dropout},
      {"transcendental", kElementwise, 2.0, transcendental},
      {"leaky_relu", kElementwise, 0.4, leakyRelu},
      {"log_sqrt", kElementwise, 0.8, logSqrt},
      {"floor_ceil", kElementwise, 0.4, floorCeil},
      {"binary", kElementwise, 2.5, binary},
      {"div", kElementwise, 0.6, divide},
      {"pow", kElementwise, 0.5, power},
      {"compare_select", kElementwise, 1.2, compareSelect},
      {"logical", kElementwise, 1.0, logical},
      {"cast", kElementwise, 0.8, convert},
  };
  return table;
}

} // namespace kiln::difftest
