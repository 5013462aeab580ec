//===- Folders.cpp - constant folding and trivial identities of kiln ops -===//
//
// Folders evaluate an op whose operands are constants (up to a size cap) with
// the scalar semantics of ScalarMath.h, and remove ops that are identities
// (reshape to the same type, identity transpose, inference-mode dropout, ...).
// Algebraic rewrites between ops are canonicalization patterns, not folders.
//
//===----------------------------------------------------------------------===//

#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ScalarMath.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

using namespace mlir;
using namespace kiln;

namespace {

/// Constants above this many elements are left to the constant-folding pass,
/// which can decide on its own budget.
constexpr int64_t kMaxFoldElements = 1 << 16;

/// Elements of a constant as doubles or integers, with a splat stored once.
struct Values {
  SmallVector<double> f;
  SmallVector<int64_t> i;
  bool splat = false;
  bool isFloat = false;
  double fAt(size_t k) const { return f[splat ? 0 : k]; }
  int64_t iAt(size_t k) const { return i[splat ? 0 : k]; }
};

double toDouble(APFloat v) {
  bool lost;
  v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return v.convertToDouble();
}

/// Reads a foldable constant: splat, or small enough.
std::optional<Values> readConstant(Attribute attr) {
  auto dense = dyn_cast_if_present<DenseElementsAttr>(attr);
  if (!dense || (!dense.isSplat() && dense.getNumElements() > kMaxFoldElements))
    return std::nullopt;
  Values v;
  v.splat = dense.isSplat();
  Type element = dense.getElementType();
  if (isa<FloatType>(element)) {
    v.isFloat = true;
    if (v.splat)
      v.f.push_back(toDouble(dense.getSplatValue<APFloat>()));
    else
      for (APFloat x : dense.getValues<APFloat>())
        v.f.push_back(toDouble(x));
    return v;
  }
  if (!element.isSignlessInteger())
    return std::nullopt;
  bool isBool = element.isInteger(1);
  auto read = [&](const APInt &x) {
    return isBool ? static_cast<int64_t>(x.getZExtValue()) : x.getSExtValue();
  };
  if (v.splat)
    v.i.push_back(read(dense.getSplatValue<APInt>()));
  else
    for (APInt x : dense.getValues<APInt>())
      v.i.push_back(read(x));
  return v;
}

/// Builds a constant of `type` from one value per element (or one for all).
Attribute buildFloats(ShapedType type, ArrayRef<double> values) {
  auto floatType = cast<FloatType>(type.getElementType());
  SmallVector<APFloat> out;
  for (double d : values) {
    APFloat x(d);
    bool lost;
    x.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &lost);
    out.push_back(x);
  }
  if (out.size() == 1)
    return DenseElementsAttr::get(type, out[0]);
  return DenseElementsAttr::get(type, out);
}

Attribute buildInts(ShapedType type, ArrayRef<int64_t> values) {
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  SmallVector<APInt> out;
  for (int64_t v : values)
    out.push_back(APInt(bits, static_cast<uint64_t>(scalar::wrapToWidth(v, bits)),
                        /*isSigned=*/bits > 1));
  if (out.size() == 1)
    return DenseElementsAttr::get(type, out[0]);
  return DenseElementsAttr::get(type, out);
}

/// Folds an elementwise unary op on a constant. `f` computes floats; `g`,
/// when given, integers (and booleans).
template <typename F, typename G = std::nullptr_t>
OpFoldResult foldUnary(Attribute operand, Type resultType, F f, G g = nullptr) {
  std::optional<Values> x = readConstant(operand);
  auto type = cast<ShapedType>(resultType);
  if (!x)
    return {};
  size_t n = x->splat ? 1 : type.getNumElements();
  if (x->isFloat) {
    SmallVector<double> out(n);
    for (size_t k = 0; k < n; ++k)
      out[k] = f(x->fAt(k));
    return buildFloats(type, out);
  }
  if constexpr (std::is_same_v<G, std::nullptr_t>) {
    return {};
  } else {
    SmallVector<int64_t> out(n);
    for (size_t k = 0; k < n; ++k)
      out[k] = g(x->iAt(k));
    return buildInts(type, out);
  }
}

/// Folds an elementwise binary op whose operands are both constants with the
/// result's shape or splats. `f` maps doubles; `g` maps integers and may
/// decline (std::nullopt), e.g. for division by zero.
template <typename F, typename G>
OpFoldResult foldBinary(Attribute lhs, Attribute rhs, Type resultType, F f,
                        G g) {
  std::optional<Values> a = readConstant(lhs), b = readConstant(rhs);
  auto type = cast<ShapedType>(resultType);
  if (!a || !b)
    return {};
  auto fitsResult = [&](Attribute attr, const Values &v) {
    return v.splat || cast<ShapedType>(cast<TypedAttr>(attr).getType()).getShape() ==
                          type.getShape();
  };
  if (!fitsResult(lhs, *a) || !fitsResult(rhs, *b))
    return {};
  size_t n = (a->splat && b->splat) ? 1 : type.getNumElements();
  bool boolResult = type.getElementType().isInteger(1);
  if (a->isFloat) {
    SmallVector<double> out(n);
    for (size_t k = 0; k < n; ++k)
      out[k] = f(a->fAt(k), b->fAt(k));
    if (boolResult) {
      SmallVector<int64_t> bits(out.begin(), out.end());
      return buildInts(type, bits);
    }
    return buildFloats(type, out);
  }
  SmallVector<int64_t> out(n);
  for (size_t k = 0; k < n; ++k) {
    std::optional<int64_t> r = g(a->iAt(k), b->iAt(k));
    if (!r)
      return {};
    out[k] = *r;
  }
  return buildInts(type, out);
}

/// The integer width of a tensor's element type (for wrap-around).
unsigned widthOf(Type type) {
  return cast<ShapedType>(type).getElementType().getIntOrFloatBitWidth();
}

} // namespace

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

double kiln::intToFloat(Type floatType, int64_t v) {
  // One rounding, straight from the integer: going through double first
  // would round twice for |v| > 2^53.
  APFloat x(cast<FloatType>(floatType).getFloatSemantics());
  x.convertFromAPInt(APInt(64, static_cast<uint64_t>(v), /*isSigned=*/true),
                     /*IsSigned=*/true, APFloat::rmNearestTiesToEven);
  return toDouble(x);
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getX().getType() == getType())
    return getX();
  std::optional<Values> x = readConstant(adaptor.getX());
  if (!x)
    return {};
  auto type = cast<ShapedType>(getType());
  Type to = type.getElementType();
  size_t n = x->splat ? 1 : type.getNumElements();
  if (isa<FloatType>(to)) {
    SmallVector<double> out(n);
    for (size_t k = 0; k < n; ++k)
      out[k] = x->isFloat ? x->fAt(k) : intToFloat(to, x->iAt(k));
    return buildFloats(type, out);
  }
  unsigned bits = to.getIntOrFloatBitWidth();
  SmallVector<int64_t> out(n);
  for (size_t k = 0; k < n; ++k) {
    if (bits == 1)
      out[k] = x->isFloat ? x->fAt(k) != 0.0 : x->iAt(k) != 0;
    else
      out[k] = x->isFloat ? scalar::floatToInt(x->fAt(k), bits) : x->iAt(k);
  }
  return buildInts(type, out);
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

OpFoldResult NegOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return -x; },
                   [](int64_t x) { return scalar::wrapSub(0, x); });
}
OpFoldResult AbsOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return std::fabs(x); },
                   [](int64_t x) { return x < 0 ? scalar::wrapSub(0, x) : x; });
}
OpFoldResult SquareOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return x * x; },
                   [](int64_t x) { return scalar::wrapMul(x, x); });
}
OpFoldResult ReluOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), scalar::relu,
                   [](int64_t x) { return x > 0 ? x : int64_t(0); });
}
OpFoldResult Relu6Op::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), scalar::relu6, [](int64_t x) {
    return x < 0 ? int64_t(0) : (x > 6 ? int64_t(6) : x);
  });
}
OpFoldResult ExpOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return std::exp(x); });
}
OpFoldResult LogOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return std::log(x); });
}
OpFoldResult SqrtOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return std::sqrt(x); });
}
OpFoldResult RsqrtOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), scalar::rsqrt);
}
OpFoldResult TanhOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return std::tanh(x); });
}
OpFoldResult SigmoidOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), scalar::sigmoid);
}
OpFoldResult SoftplusOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), scalar::softplus);
}
OpFoldResult ErfOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return std::erf(x); });
}
OpFoldResult SinOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return std::sin(x); });
}
OpFoldResult CosOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return std::cos(x); });
}
OpFoldResult FloorOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return std::floor(x); });
}
OpFoldResult CeilOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return std::ceil(x); });
}
OpFoldResult LeakyReluOp::fold(FoldAdaptor a) {
  double alpha = getAlpha().convertToDouble();
  return foldUnary(a.getX(), getType(),
                   [&](double x) { return scalar::leakyRelu(x, alpha); });
}
OpFoldResult EluOp::fold(FoldAdaptor a) {
  double alpha = getAlpha().convertToDouble();
  return foldUnary(a.getX(), getType(),
                   [&](double x) { return scalar::elu(x, alpha); });
}
OpFoldResult GeluOp::fold(FoldAdaptor a) {
  bool approximate = getApproximate();
  return foldUnary(a.getX(), getType(),
                   [&](double x) { return scalar::gelu(x, approximate); });
}
OpFoldResult LogicalNotOp::fold(FoldAdaptor a) {
  return foldUnary(a.getX(), getType(), [](double x) { return x; },
                   [](int64_t x) { return int64_t(x == 0); });
}
OpFoldResult DropoutOp::fold(FoldAdaptor) {
  if (!getTraining() || getRate().isZero())
    return getX();
  return {};
}

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor a) {
  unsigned w = widthOf(getType());
  return foldBinary(a.getLhs(), a.getRhs(), getType(),
                    [](double x, double y) { return x + y; },
                    [w](int64_t x, int64_t y) -> std::optional<int64_t> {
                      return scalar::wrapToWidth(scalar::wrapAdd(x, y), w);
                    });
}
OpFoldResult SubOp::fold(FoldAdaptor a) {
  unsigned w = widthOf(getType());
  return foldBinary(a.getLhs(), a.getRhs(), getType(),
                    [](double x, double y) { return x - y; },
                    [w](int64_t x, int64_t y) -> std::optional<int64_t> {
                      return scalar::wrapToWidth(scalar::wrapSub(x, y), w);
                    });
}
OpFoldResult MulOp::fold(FoldAdaptor a) {
  unsigned w = widthOf(getType());
  return foldBinary(a.getLhs(), a.getRhs(), getType(),
                    [](double x, double y) { return x * y; },
                    [w](int64_t x, int64_t y) -> std::optional<int64_t> {
                      return scalar::wrapToWidth(scalar::wrapMul(x, y), w);
                    });
}
OpFoldResult DivOp::fold(FoldAdaptor a) {
  unsigned w = widthOf(getType());
  return foldBinary(a.getLhs(), a.getRhs(), getType(),
                    [](double x, double y) { return x / y; },
                    [w](int64_t x, int64_t y) -> std::optional<int64_t> {
                      if (y == 0)
                        return std::nullopt;
                      if (y == -1) // INT_MIN / -1 wraps, as in the interpreter
                        return scalar::wrapToWidth(scalar::wrapSub(0, x), w);
                      return scalar::wrapToWidth(x / y, w);
                    });
}
OpFoldResult PowOp::fold(FoldAdaptor a) {
  unsigned w = widthOf(getType());
  return foldBinary(a.getLhs(), a.getRhs(), getType(),
                    [](double x, double y) { return std::pow(x, y); },
                    [w](int64_t x, int64_t y) -> std::optional<int64_t> {
                      if (y < 0)
                        return std::nullopt;
                      return scalar::wrapToWidth(scalar::intPow(x, y), w);
                    });
}
OpFoldResult MaximumOp::fold(FoldAdaptor a) {
  return foldBinary(a.getLhs(), a.getRhs(), getType(), scalar::maximum,
                    [](int64_t x, int64_t y) -> std::optional<int64_t> {
                      return std::max(x, y);
                    });
}
OpFoldResult MinimumOp::fold(FoldAdaptor a) {
  return foldBinary(a.getLhs(), a.getRhs(), getType(), scalar::minimum,
                    [](int64_t x, int64_t y) -> std::optional<int64_t> {
                      return std::min(x, y);
                    });
}

#define KILN_COMPARE_FOLD(OP, EXPR)                                            \
  OpFoldResult OP::fold(FoldAdaptor a) {                                       \
    return foldBinary(                                                         \
        a.getLhs(), a.getRhs(), getType(),                                     \
        [](double x, double y) { return double(EXPR); },                       \
        [](int64_t x, int64_t y) -> std::optional<int64_t> { return EXPR; });  \
  }
KILN_COMPARE_FOLD(EqualOp, x == y)
KILN_COMPARE_FOLD(NotEqualOp, x != y)
KILN_COMPARE_FOLD(LessOp, x < y)
KILN_COMPARE_FOLD(LessEqualOp, x <= y)
KILN_COMPARE_FOLD(GreaterOp, x > y)
KILN_COMPARE_FOLD(GreaterEqualOp, x >= y)
KILN_COMPARE_FOLD(LogicalAndOp, x && y)
KILN_COMPARE_FOLD(LogicalOrOp, x || y)
#undef KILN_COMPARE_FOLD

OpFoldResult SelectOp::fold(FoldAdaptor a) {
  auto cond = dyn_cast_if_present<SplatElementsAttr>(a.getCondition());
  if (!cond)
    return {};
  Value chosen = cond.getSplatValue<bool>() ? getOnTrue() : getOnFalse();
  return chosen.getType() == getType() ? OpFoldResult(chosen) : OpFoldResult();
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

/// A splat constant keeps its value under any shape change.
static OpFoldResult reshapeSplat(Attribute operand, Type resultType) {
  if (auto splat = dyn_cast_if_present<SplatElementsAttr>(operand))
    return splat.resizeSplat(cast<ShapedType>(resultType));
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor a) {
  if (getX().getType() == getType())
    return getX();
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(a.getX()))
    if (dense.isSplat() || dense.getNumElements() <= kMaxFoldElements)
      return dense.reshape(cast<ShapedType>(getType()));
  // reshape(reshape(x)) == reshape(x): only the final shape matters.
  if (auto inner = getX().getDefiningOp<ReshapeOp>()) {
    getXMutable().assign(inner.getX());
    return getResult();
  }
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor a) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity)
    return getX();
  return reshapeSplat(a.getX(), getType());
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor a) {
  if (getX().getType() == getType())
    return getX();
  return reshapeSplat(a.getX(), getType());
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs()[0];
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor a) {
  if (getX().getType() == getType())
    return getX();
  return reshapeSplat(a.getX(), getType());
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (getX().getType() == getType())
    return getX();
  return {};
}
