//===- Simplify.cpp - algebraic simplification of kiln ops ----------------===//
//
// Exact identities between ops (x * 1, neg(neg(x)), transpose pairs, ...) as
// rewrite patterns, run by the greedy driver together with the op folders.
// The folders already remove reshape chains, identity transposes, casts and
// broadcasts to the same type and shape ops of splat constants, so no
// pattern here repeats them.
//
// A rule is exact when the reference interpreter gives the same bits with
// and without it, signed zeros included. NaN stays NaN; which NaN (its sign
// and payload) kiln leaves unspecified, as IEEE 754 §6.3 does.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/simplify/SimplifyPatterns.h"

#include "compiler/reference/Tensor.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace kiln {
#define GEN_PASS_DEF_KILNSIMPLIFY
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

//===----------------------------------------------------------------------===//
// Constant operands
//===----------------------------------------------------------------------===//

/// Constants above this many elements are not inspected: the rules' constants
/// are scalars and biases.
constexpr int64_t kMaxInspectedElements = 1 << 16;

/// The elements of `v` when it is a `kiln.constant`, one entry for a splat.
/// Integers become doubles, which keeps the values the rules test (0, ±1)
/// apart from every other integer.
std::optional<SmallVector<double>> constantElements(Value v) {
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (dense && dense.isSplat()) {
    if (!isa<FloatType>(dense.getElementType()))
      return SmallVector<double>{
          static_cast<double>(dense.getSplatValue<APInt>().getSExtValue())};
    APFloat x = dense.getSplatValue<APFloat>();
    bool lost;
    x.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    return SmallVector<double>{x.convertToDouble()};
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if ((!dense && !(resource && resource.getRawHandle().getBlob())) ||
      attr.getNumElements() > kMaxInspectedElements)
    return std::nullopt;
  FailureOr<reference::Tensor> t = reference::tensorFromAttr(attr, v.getLoc());
  if (failed(t))
    return std::nullopt;
  SmallVector<double> values;
  for (int64_t k = 0; k < t->size(); ++k)
    values.push_back(t->getDouble(k));
  return values;
}

/// Whether `v` is a constant whose every element satisfies `pred`.
bool allElements(Value v, function_ref<bool(double)> pred) {
  std::optional<SmallVector<double>> values = constantElements(v);
  return values && llvm::all_of(*values, pred);
}

bool isFloatTensor(Value v) {
  return isa<FloatType>(getElementTypeOrSelf(v.getType()));
}

/// Whether `v` is never -0.0: an integer, or the result of an op whose range
/// excludes it (relu(-0.0) = +0.0, |x|, x * x, e^x, sigmoid, softplus).
bool neverNegativeZero(Value v) {
  return !isFloatTensor(v) ||
         isa_and_present<ReluOp, AbsOp, SquareOp, ExpOp, SigmoidOp, SoftplusOp>(
             v.getDefiningOp());
}

/// The operands of a commutative op in both orders, as (x, other).
template <typename OpTy>
std::array<std::pair<Value, Value>, 2> bothOrders(OpTy op) {
  return {{{op.getLhs(), op.getRhs()}, {op.getRhs(), op.getLhs()}}};
}

/// A zero constant of `type` (integers).
Value zerosLike(PatternRewriter &rewriter, Location loc, Type type) {
  auto shaped = cast<ShapedType>(type);
  auto zero = DenseElementsAttr::get(
      shaped, rewriter.getZeroAttr(shaped.getElementType()));
  return rewriter.create<ConstantOp>(loc, type, zero);
}

/// A pattern that knows whether fast-math rules are on.
template <typename OpTy> struct SimplifyPattern : OpRewritePattern<OpTy> {
  SimplifyPattern(MLIRContext *ctx, bool fastMath)
      : OpRewritePattern<OpTy>(ctx), fastMath(fastMath) {}
  bool fastMath;
};

//===----------------------------------------------------------------------===//
// Additive identities
//===----------------------------------------------------------------------===//

/// x + 0 → x and 0 + x → x, where the sum has x's type (the zero does not
/// broadcast x). Exact for integers and for a float -0.0 (x + -0.0 == x for
/// every x); x + +0.0 turns -0.0 into +0.0, so a +0.0 needs an x that is
/// never -0.0, or fast-math.
struct AddZero : SimplifyPattern<AddOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    for (auto [x, zero] : bothOrders(op)) {
      bool positiveZeroExact = fastMath || neverNegativeZero(x);
      auto droppable = [&](double v) {
        return v == 0.0 && (std::signbit(v) || positiveZeroExact);
      };
      if (x.getType() == op.getType() && allElements(zero, droppable)) {
        rewriter.replaceOp(op, x);
        return success();
      }
    }
    return rewriter.notifyMatchFailure(op, "no zero addend to drop exactly");
  }
};

/// x - 0 → x, where the difference has x's type. Exact for integers and for
/// a float +0.0 (x - +0.0 == x + -0.0); x - -0.0 turns -0.0 into +0.0, so a
/// -0.0 needs an x that is never -0.0, or fast-math.
struct SubZero : SimplifyPattern<SubOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(SubOp op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getLhs();
    bool negativeZeroExact = fastMath || neverNegativeZero(x);
    auto droppable = [&](double v) {
      return v == 0.0 && (!std::signbit(v) || negativeZeroExact);
    };
    if (x.getType() != op.getType() || !allElements(op.getRhs(), droppable))
      return rewriter.notifyMatchFailure(op, "no zero subtrahend to drop");
    rewriter.replaceOp(op, x);
    return success();
  }
};

/// 0 - x → neg(x), where the difference has x's type. Exact for integers
/// (both wrap) and for a float -0.0 (-0.0 - x == -x, zeros included);
/// +0.0 - +0.0 is +0.0 where -x is -0.0, so a +0.0 needs fast-math.
struct SubFromZero : SimplifyPattern<SubOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(SubOp op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getRhs();
    bool positiveZeroExact = fastMath || !isFloatTensor(x);
    auto exactZero = [&](double v) {
      return v == 0.0 && (std::signbit(v) || positiveZeroExact);
    };
    if (x.getType() != op.getType() || !allElements(op.getLhs(), exactZero))
      return rewriter.notifyMatchFailure(op, "minuend is not an exact zero");
    rewriter.replaceOpWithNewOp<NegOp>(op, op.getType(), x);
    return success();
  }
};

/// x + neg(y) → x - y and neg(y) + x → x - y: exact (IEEE 754 defines
/// x - y as x + (-y); integers wrap alike).
struct AddNegToSub : SimplifyPattern<AddOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    for (auto [x, other] : bothOrders(op)) {
      if (auto neg = other.getDefiningOp<NegOp>()) {
        rewriter.replaceOpWithNewOp<SubOp>(op, op.getType(), x, neg.getX());
        return success();
      }
    }
    return rewriter.notifyMatchFailure(op, "no negated operand");
  }
};

/// x - neg(y) → x + y: exact, as for AddNegToSub.
struct SubNegToAdd : SimplifyPattern<SubOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(SubOp op,
                                PatternRewriter &rewriter) const override {
    auto neg = op.getRhs().getDefiningOp<NegOp>();
    if (!neg)
      return rewriter.notifyMatchFailure(op, "subtrahend is not negated");
    rewriter.replaceOpWithNewOp<AddOp>(op, op.getType(), op.getLhs(),
                                       neg.getX());
    return success();
  }
};

/// x - x → 0 for integers. Floats are left alone: inf - inf and NaN - NaN
/// are NaN.
struct SubSelf : SimplifyPattern<SubOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(SubOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getLhs() != op.getRhs() || isFloatTensor(op.getLhs()))
      return rewriter.notifyMatchFailure(op, "not an integer x - x");
    rewriter.replaceOp(op, zerosLike(rewriter, op.getLoc(), op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Multiplicative identities
//===----------------------------------------------------------------------===//

/// x * 1 → x and 1 * x → x, where the product has x's type: exact (no
/// rounding; -0.0, infinities and NaN pass through).
struct MulOne : SimplifyPattern<MulOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    for (auto [x, one] : bothOrders(op)) {
      if (x.getType() == op.getType() &&
          allElements(one, [](double v) { return v == 1.0; })) {
        rewriter.replaceOp(op, x);
        return success();
      }
    }
    return rewriter.notifyMatchFailure(op, "no factor of one to drop");
  }
};

/// x * -1 → neg(x) and -1 * x → neg(x), where the product has x's type:
/// exact (only the sign changes; integers wrap alike, INT_MIN * -1 ==
/// -INT_MIN).
struct MulMinusOne : SimplifyPattern<MulOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    for (auto [x, minusOne] : bothOrders(op)) {
      if (x.getType() == op.getType() &&
          allElements(minusOne, [](double v) { return v == -1.0; })) {
        rewriter.replaceOpWithNewOp<NegOp>(op, op.getType(), x);
        return success();
      }
    }
    return rewriter.notifyMatchFailure(op, "no factor of minus one");
  }
};

/// x * 0 → 0 for integers, as a constant of the product's type. Floats are
/// left alone, even with fast-math: inf * 0 and NaN * 0 are NaN, and a
/// negative x gives -0.0.
struct MulZero : SimplifyPattern<MulOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    if (isFloatTensor(op.getLhs()))
      return rewriter.notifyMatchFailure(op, "x * 0 is not 0 for floats");
    for (auto [x, zero] : bothOrders(op)) {
      if (allElements(zero, [](double v) { return v == 0.0; })) {
        rewriter.replaceOp(op, zerosLike(rewriter, op.getLoc(), op.getType()));
        return success();
      }
    }
    return rewriter.notifyMatchFailure(op, "no zero factor");
  }
};

/// x / 1 → x, where the quotient has x's type: exact for floats and integers.
struct DivOne : SimplifyPattern<DivOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(DivOp op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getLhs();
    if (x.getType() != op.getType() ||
        !allElements(op.getRhs(), [](double v) { return v == 1.0; }))
      return rewriter.notifyMatchFailure(op, "divisor is not one");
    rewriter.replaceOp(op, x);
    return success();
  }
};

/// x / c → x * (1 / c) for a float constant c whose every reciprocal is
/// exact and normal in the element type (c = ±2^k): x / c and x * (1 / c)
/// are then the same real number, rounded alike. With fast-math, any finite
/// non-zero c with a normal reciprocal (1 / c rounded, so the product may
/// differ in the last place).
struct DivByConstant : SimplifyPattern<DivOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(DivOp op,
                                PatternRewriter &rewriter) const override {
    Value divisor = op.getRhs();
    std::optional<SmallVector<double>> values = constantElements(divisor);
    if (!isFloatTensor(divisor) || !values)
      return rewriter.notifyMatchFailure(op, "not a float constant divisor");
    auto type = cast<ShapedType>(divisor.getType());
    const llvm::fltSemantics &semantics =
        cast<FloatType>(type.getElementType()).getFloatSemantics();
    SmallVector<APFloat> reciprocals;
    for (double v : *values) {
      APFloat c(v);
      bool lost;
      c.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
      APFloat r = APFloat::getOne(semantics);
      APFloat::opStatus status = r.divide(c, APFloat::rmNearestTiesToEven);
      if (!c.isFiniteNonZero() || !r.isNormal() ||
          (status != APFloat::opOK && !fastMath))
        return rewriter.notifyMatchFailure(op, "a reciprocal is not exact");
      reciprocals.push_back(r);
    }
    auto attr = reciprocals.size() == 1
                    ? DenseElementsAttr::get(type, reciprocals[0])
                    : DenseElementsAttr::get(type, reciprocals);
    Value reciprocal = rewriter.create<ConstantOp>(op.getLoc(), type, attr);
    rewriter.replaceOpWithNewOp<MulOp>(op, op.getType(), op.getLhs(),
                                       reciprocal);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Unary chains
//===----------------------------------------------------------------------===//

/// neg(neg(x)) → x: exact (two sign flips; integers: -(-INT_MIN) ==
/// INT_MIN).
struct NegNeg : SimplifyPattern<NegOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(NegOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getX().getDefiningOp<NegOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "operand is not negated");
    rewriter.replaceOp(op, inner.getX());
    return success();
  }
};

/// abs(abs(x)) → abs(x): abs is idempotent (integers too: abs(INT_MIN)
/// wraps to INT_MIN, and again).
struct AbsAbs : SimplifyPattern<AbsOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(AbsOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getX().getDefiningOp<AbsOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "operand is not an abs");
    rewriter.replaceOp(op, inner.getResult());
    return success();
  }
};

/// abs(neg(x)) → abs(x): exact (|-x| == |x|, zeros and NaN included;
/// neg(INT_MIN) == INT_MIN).
struct AbsNeg : SimplifyPattern<AbsOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(AbsOp op,
                                PatternRewriter &rewriter) const override {
    auto neg = op.getX().getDefiningOp<NegOp>();
    if (!neg)
      return rewriter.notifyMatchFailure(op, "operand is not negated");
    rewriter.modifyOpInPlace(op, [&] { op.getXMutable().assign(neg.getX()); });
    return success();
  }
};

/// relu(relu(x)) → relu(x): relu is idempotent (its results are +0.0,
/// positive or NaN, which relu returns unchanged).
struct ReluRelu : SimplifyPattern<ReluOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(ReluOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getX().getDefiningOp<ReluOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "operand is not a relu");
    rewriter.replaceOp(op, inner.getResult());
    return success();
  }
};

/// maximum(x, 0) → relu(x), where the maximum has x's type. kiln's maximum
/// (ScalarMath.h) returns its second operand unless the first is greater,
/// and relu(±0.0) is +0.0: maximum(x, +0.0) agrees for every x (-0.0 gives
/// +0.0), maximum(+0.0, x) gives -0.0 for x = -0.0 and so agrees only when x
/// is never -0.0 (a relu, say), and a -0.0 zero gives -0.0 for x = +0.0.
/// Other float cases need fast-math; integers are exact in any order.
struct MaximumZeroToRelu : SimplifyPattern<MaximumOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(MaximumOp op,
                                PatternRewriter &rewriter) const override {
    for (auto [x, zero] : bothOrders(op)) {
      bool zeroSecond = zero == op.getRhs();
      bool positiveZeroExact = zeroSecond || neverNegativeZero(x);
      bool anyZero = fastMath || !isFloatTensor(x);
      auto exactZero = [&](double v) {
        return v == 0.0 && (anyZero || (!std::signbit(v) && positiveZeroExact));
      };
      if (x.getType() == op.getType() && allElements(zero, exactZero)) {
        rewriter.replaceOpWithNewOp<ReluOp>(op, op.getType(), x);
        return success();
      }
    }
    return rewriter.notifyMatchFailure(op, "not an exact max(x, 0)");
  }
};

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// transpose(transpose(x, p), q) → transpose(x, p∘q), or x when that is the
/// identity: moving the elements twice is moving them once. It never builds
/// a transpose of a constant that was not there (constant transposes are
/// left to kiln-fold-constants).
struct TransposeTranspose : SimplifyPattern<TransposeOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getX().getDefiningOp<TransposeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "operand is not a transpose");
    ArrayRef<int64_t> p = inner.getPerm(), q = op.getPerm();
    SmallVector<int64_t> composed;
    for (int64_t i : q)
      composed.push_back(p[i]);
    Value x = inner.getX();
    bool identity = true;
    for (auto [i, d] : llvm::enumerate(composed))
      identity &= d == static_cast<int64_t>(i);
    if (identity) {
      rewriter.replaceOp(op, x);
      return success();
    }
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), x, composed);
    return success();
  }
};

/// transpose(x) → reshape(x) when the permutation moves only dimensions of
/// size 1: the elements keep their row-major order, so nothing moves.
struct TransposeOfUnitDims : SimplifyPattern<TransposeOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> shape = op.getX().getType().getShape();
    int64_t last = -1;
    for (int64_t d : op.getPerm()) {
      if (shape[d] == 1)
        continue;
      if (d < last)
        return rewriter.notifyMatchFailure(op, "moves a non-unit dimension");
      last = d;
    }
    auto type = cast<ShapedType>(op.getType());
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, type, op.getX(),
                                           type.getShape());
    return success();
  }
};

/// broadcast_to(broadcast_to(x)) → broadcast_to(x): each dimension of x is 1
/// or its final size, so one broadcast does the work of both.
struct BroadcastBroadcast : SimplifyPattern<BroadcastToOp> {
  using SimplifyPattern::SimplifyPattern;
  LogicalResult matchAndRewrite(BroadcastToOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getX().getDefiningOp<BroadcastToOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "operand is not a broadcast");
    rewriter.replaceOpWithNewOp<BroadcastToOp>(op, op.getType(), inner.getX(),
                                               op.getShape());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct Simplify : kiln::impl::KilnSimplifyBase<Simplify> {
  using KilnSimplifyBase::KilnSimplifyBase;

  LogicalResult initialize(MLIRContext *ctx) override {
    RewritePatternSet set(ctx);
    populateKilnSimplifyPatterns(set, fastMath);
    patterns = std::move(set);
    return success();
  }

  void runOnOperation() override {
    GreedyRewriteConfig config;
    // Only the rules and folds: no CFG clean-up of kiln.scan bodies.
    config.enableRegionSimplification = GreedySimplifyRegionLevel::Disabled;
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), patterns, config))) {
      getOperation().emitError("kiln-simplify did not converge");
      signalPassFailure();
    }
  }

  FrozenRewritePatternSet patterns;
};

} // namespace

void kiln::populateKilnSimplifyPatterns(RewritePatternSet &patterns,
                                        bool fastMath) {
  patterns.add<AddZero, SubZero, SubFromZero, AddNegToSub, SubNegToAdd, SubSelf,
               MulOne, MulMinusOne, MulZero, DivOne, DivByConstant, NegNeg,
               AbsAbs, AbsNeg, ReluRelu, MaximumZeroToRelu, TransposeTranspose,
               TransposeOfUnitDims, BroadcastBroadcast>(patterns.getContext(),
                                                        fastMath);
}
