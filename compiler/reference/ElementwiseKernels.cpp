//===- ElementwiseKernels.cpp - unary, binary, select, cast, dropout ------===//

#include "compiler/reference/Kernels.h"
#include "dialects/kiln/ScalarMath.h"

#include "llvm/ADT/TypeSwitch.h"

#include <functional>

using namespace mlir;
using namespace kiln;
using namespace kiln::reference;

namespace {

using FloatFn = std::function<double(double)>;
using IntFn = std::function<int64_t(int64_t)>;

/// The scalar function of a unary op on floats and, where defined, integers.
std::optional<std::pair<FloatFn, IntFn>> unaryFunction(Operation *op) {
  using P = std::pair<FloatFn, IntFn>;
  auto f = [](double (*fn)(double)) { return P(fn, nullptr); };
  return llvm::TypeSwitch<Operation *, std::optional<P>>(op)
      .Case([](NegOp) {
        return P([](double x) { return -x; },
                 [](int64_t x) { return scalar::wrapSub(0, x); });
      })
      .Case([](AbsOp) {
        return P([](double x) { return std::fabs(x); },
                 [](int64_t x) { return x < 0 ? scalar::wrapSub(0, x) : x; });
      })
      .Case([](SquareOp) {
        return P([](double x) { return x * x; },
                 [](int64_t x) { return scalar::wrapMul(x, x); });
      })
      .Case([](ReluOp) {
        return P(scalar::relu, [](int64_t x) { return x > 0 ? x : int64_t(0); });
      })
      .Case([](Relu6Op) {
        return P(scalar::relu6, [](int64_t x) {
          return x < 0 ? int64_t(0) : (x > 6 ? int64_t(6) : x);
        });
      })
      .Case([&](ExpOp) { return f([](double x) { return std::exp(x); }); })
      .Case([&](LogOp) { return f([](double x) { return std::log(x); }); })
      .Case([&](SqrtOp) { return f([](double x) { return std::sqrt(x); }); })
      .Case([&](RsqrtOp) { return f(scalar::rsqrt); })
      .Case([&](TanhOp) { return f([](double x) { return std::tanh(x); }); })
      .Case([&](SigmoidOp) { return f(scalar::sigmoid); })
      .Case([&](SoftplusOp) { return f(scalar::softplus); })
      .Case([&](ErfOp) { return f([](double x) { return std::erf(x); }); })
      .Case([&](SinOp) { return f([](double x) { return std::sin(x); }); })
      .Case([&](CosOp) { return f([](double x) { return std::cos(x); }); })
      .Case([&](FloorOp) { return f([](double x) { return std::floor(x); }); })
      .Case([&](CeilOp) { return f([](double x) { return std::ceil(x); }); })
      .Case([](LeakyReluOp o) {
        double alpha = o.getAlpha().convertToDouble();
        return P([alpha](double x) { return scalar::leakyRelu(x, alpha); },
                 nullptr);
      })
      .Case([](EluOp o) {
        double alpha = o.getAlpha().convertToDouble();
        return P([alpha](double x) { return scalar::elu(x, alpha); }, nullptr);
      })
      .Case([](GeluOp o) {
        bool approximate = o.getApproximate();
        return P([approximate](double x) { return scalar::gelu(x, approximate); },
                 nullptr);
      })
      .Case([](LogicalNotOp) {
        return P(nullptr, [](int64_t x) { return int64_t(x == 0); });
      })
      .Default([](Operation *) { return std::nullopt; });
}

FailureOr<Tensor> evalUnary(Operation *op, const Tensor &x,
                            const std::pair<FloatFn, IntFn> &fns) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  if (x.isFloat()) {
    for (size_t k = 0; k < x.floats.size(); ++k)
      out->floats[k] = fns.first(x.floats[k]);
  } else {
    for (size_t k = 0; k < x.ints.size(); ++k)
      out->ints[k] = fns.second(x.ints[k]);
  }
  return out;
}

/// Applies `f` (floats) or `g` (integers) to broadcast operand pairs.
/// `g` returns failure for undefined results (division by zero).
template <typename F, typename G>
FailureOr<Tensor> evalBinary(Operation *op, const Tensor &a, const Tensor &b,
                             F f, G g) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  ArrayRef<int64_t> shape = out->shape();
  SmallVector<int64_t> sa = broadcastStrides(a.shape(), shape);
  SmallVector<int64_t> sb = broadcastStrides(b.shape(), shape);
  bool floatOut = out->isFloat();
  LogicalResult status = success();
  forEachIndex(shape, [&](ArrayRef<int64_t> idx, int64_t k) {
    int64_t ia = dot(idx, sa), ib = dot(idx, sb);
    if (a.isFloat()) {
      double r = f(a.floats[ia], b.floats[ib]);
      if (floatOut)
        out->floats[k] = r;
      else
        out->ints[k] = r != 0.0;
      return;
    }
    FailureOr<int64_t> r = g(a.ints[ia], b.ints[ib]);
    if (failed(r)) {
      status = failure();
      return;
    }
    out->ints[k] = *r;
  });
  if (failed(status))
    return op->emitError("integer division by zero or negative integer "
                         "exponent at run time");
  return out;
}

using I = FailureOr<int64_t>;

KernelResult evalBinaryOp(Operation *op, const Tensor &a, const Tensor &b) {
  auto cmp = [&](auto pred) -> KernelResult {
    return evalBinary(op, a, b,
                      [&](double x, double y) { return double(pred(x, y)); },
                      [&](int64_t x, int64_t y) -> I { return int64_t(pred(x, y)); });
  };
  return llvm::TypeSwitch<Operation *, KernelResult>(op)
      .Case([&](AddOp) {
        return evalBinary(op, a, b, std::plus<double>(),
                          [](int64_t x, int64_t y) -> I { return scalar::wrapAdd(x, y); });
      })
      .Case([&](SubOp) {
        return evalBinary(op, a, b, std::minus<double>(),
                          [](int64_t x, int64_t y) -> I { return scalar::wrapSub(x, y); });
      })
      .Case([&](MulOp) {
        return evalBinary(op, a, b, std::multiplies<double>(),
                          [](int64_t x, int64_t y) -> I { return scalar::wrapMul(x, y); });
      })
      .Case([&](DivOp) {
        return evalBinary(op, a, b, std::divides<double>(),
                          [](int64_t x, int64_t y) -> I {
                            if (y == 0)
                              return failure();
                            if (y == -1)
                              return scalar::wrapSub(0, x);
                            return x / y;
                          });
      })
      .Case([&](PowOp) {
        return evalBinary(op, a, b, [](double x, double y) { return std::pow(x, y); },
                          [](int64_t x, int64_t y) -> I {
                            if (y < 0)
                              return failure();
                            return scalar::intPow(x, y);
                          });
      })
      .Case([&](MaximumOp) {
        return evalBinary(op, a, b, scalar::maximum,
                          [](int64_t x, int64_t y) -> I { return std::max(x, y); });
      })
      .Case([&](MinimumOp) {
        return evalBinary(op, a, b, scalar::minimum,
                          [](int64_t x, int64_t y) -> I { return std::min(x, y); });
      })
      .Case([&](EqualOp) { return cmp([](auto x, auto y) { return x == y; }); })
      .Case([&](NotEqualOp) { return cmp([](auto x, auto y) { return x != y; }); })
      .Case([&](LessOp) { return cmp([](auto x, auto y) { return x < y; }); })
      .Case([&](LessEqualOp) { return cmp([](auto x, auto y) { return x <= y; }); })
      .Case([&](GreaterOp) { return cmp([](auto x, auto y) { return x > y; }); })
      .Case([&](GreaterEqualOp) { return cmp([](auto x, auto y) { return x >= y; }); })
      .Case([&](LogicalAndOp) { return cmp([](auto x, auto y) { return x && y; }); })
      .Case([&](LogicalOrOp) { return cmp([](auto x, auto y) { return x || y; }); })
      .Default([](Operation *) { return std::nullopt; });
}

FailureOr<Tensor> evalSelect(SelectOp op, const Tensor &c, const Tensor &t,
                             const Tensor &f) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  ArrayRef<int64_t> shape = out->shape();
  SmallVector<int64_t> sc = broadcastStrides(c.shape(), shape),
                       st = broadcastStrides(t.shape(), shape),
                       sf = broadcastStrides(f.shape(), shape);
  forEachIndex(shape, [&](ArrayRef<int64_t> idx, int64_t k) {
    bool pick = c.ints[dot(idx, sc)] != 0;
    const Tensor &src = pick ? t : f;
    int64_t off = dot(idx, pick ? st : sf);
    if (out->isFloat())
      out->floats[k] = src.floats[off];
    else
      out->ints[k] = src.ints[off];
  });
  return out;
}

FailureOr<Tensor> evalCast(CastOp op, const Tensor &x) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  Type to = out->elementType();
  unsigned bits = out->isFloat() ? 0 : to.getIntOrFloatBitWidth();
  for (int64_t k = 0, n = x.size(); k < n; ++k) {
    if (out->isFloat())
      out->floats[k] = x.isFloat() ? x.floats[k] : intToFloat(to, x.ints[k]);
    else if (bits == 1)
      out->ints[k] = x.isFloat() ? x.floats[k] != 0.0 : x.ints[k] != 0;
    else
      out->ints[k] = x.isFloat() ? scalar::floatToInt(x.floats[k], bits) : x.ints[k];
  }
  return out;
}

/// SplitMix64: a counter-based hash, so the dropout mask of element `k` is a
/// pure function of (seed, k).
uint64_t splitMix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

FailureOr<Tensor> evalDropout(DropoutOp op, const Tensor &x) {
  Tensor out = x;
  double rate = op.getRate().convertToDouble();
  if (!op.getTraining() || rate == 0.0)
    return out;
  uint64_t seed = static_cast<uint64_t>(op.getSeed());
  double scale = 1.0 / (1.0 - rate);
  for (size_t k = 0; k < out.floats.size(); ++k) {
    // 53 random bits -> uniform in [0, 1).
    double u = (splitMix64(seed ^ splitMix64(k)) >> 11) * 0x1.0p-53;
    out.floats[k] = u < rate ? 0.0 : out.floats[k] * scale;
  }
  return out;
}

} // namespace

KernelResult kiln::reference::evalElementwise(Operation *op,
                                              ArrayRef<const Tensor *> operands) {
  if (auto fns = unaryFunction(op))
    return evalUnary(op, *operands[0], *fns);
  if (KernelResult r =
          operands.size() == 2 ? evalBinaryOp(op, *operands[0], *operands[1])
                               : std::nullopt)
    return r;
  return llvm::TypeSwitch<Operation *, KernelResult>(op)
      .Case([&](SelectOp o) {
        return evalSelect(o, *operands[0], *operands[1], *operands[2]);
      })
      .Case([&](CastOp o) { return evalCast(o, *operands[0]); })
      .Case([&](DropoutOp o) { return evalDropout(o, *operands[0]); })
      .Default([](Operation *) { return std::nullopt; });
}
