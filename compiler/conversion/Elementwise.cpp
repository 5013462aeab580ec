//===- Elementwise.cpp - kiln → linalg: elementwise ops and constants -----===//
//
// Every elementwise kiln op becomes one `linalg.generic` whose indexing maps
// implement NumPy broadcasting and whose body is the op's scalar function,
// written to match the reference interpreter (dialects/kiln/ScalarMath.h).
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/PopulatePatterns.h"
#include "compiler/conversion/Utils.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;

namespace kiln::conversion {
namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value cst(OpBuilder &b, Location loc, Value like, double v) {
  return scalarConstant(b, loc, like.getType(), v);
}

/// The scalar function of each elementwise op: (builder, loc, op, args).
using OpScalarFn =
    std::function<Value(OpBuilder &, Location, Operation *, ValueRange)>;

Value relu(OpBuilder &b, Location loc, Value x) {
  // x > 0 ? x : (NaN ? NaN : 0)  —  maxnumf-like but NaN propagates.
  if (!isFloat(x))
    return b.create<arith::MaxSIOp>(loc, x, cst(b, loc, x, 0));
  return b.create<arith::MaximumFOp>(loc, x, cst(b, loc, x, 0));
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  // 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) otherwise: never overflows.
  Value one = cst(b, loc, x, 1);
  Value e = b.create<math::ExpOp>(
      loc, b.create<arith::NegFOp>(loc, b.create<math::AbsFOp>(loc, x)));
  Value denom = b.create<arith::AddFOp>(loc, one, e);
  Value pos = b.create<arith::DivFOp>(loc, one, denom);
  Value neg = b.create<arith::DivFOp>(loc, e, denom);
  Value isPos = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, x,
                                        cst(b, loc, x, 0));
  return b.create<arith::SelectOp>(loc, isPos, pos, neg);
}

Value unaryBody(OpBuilder &b, Location loc, Operation *op, Value x) {
  Type t = x.getType();
  bool f = isFloat(x);
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](NegOp) -> Value {
        if (f)
          return b.create<arith::NegFOp>(loc, x);
        return b.create<arith::SubIOp>(loc, cst(b, loc, x, 0), x);
      })
      .Case([&](AbsOp) -> Value {
        if (f)
          return b.create<math::AbsFOp>(loc, x);
        Value zero = cst(b, loc, x, 0);
        Value negative =
            b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, x, zero);
        return b.create<arith::SelectOp>(
            loc, negative, b.create<arith::SubIOp>(loc, zero, x), x);
      })
      .Case([&](SquareOp) -> Value {
        if (f)
          return b.create<arith::MulFOp>(loc, x, x);
        return b.create<arith::MulIOp>(loc, x, x);
      })
      .Case([&](ReluOp) { return relu(b, loc, x); })
      .Case([&](Relu6Op) -> Value {
        Value r = relu(b, loc, x);
        if (f)
          return b.create<arith::MinimumFOp>(loc, r, cst(b, loc, x, 6));
        return b.create<arith::MinSIOp>(loc, r, cst(b, loc, x, 6));
      })
      .Case([&](ExpOp) { return b.create<math::ExpOp>(loc, x); })
      .Case([&](LogOp) { return b.create<math::LogOp>(loc, x); })
      .Case([&](SqrtOp) { return b.create<math::SqrtOp>(loc, x); })
      .Case([&](RsqrtOp) -> Value {
        return b.create<arith::DivFOp>(loc, cst(b, loc, x, 1),
                                       b.create<math::SqrtOp>(loc, x));
      })
      .Case([&](TanhOp) { return b.create<math::TanhOp>(loc, x); })
      .Case([&](SigmoidOp) { return sigmoid(b, loc, x); })
      .Case([&](SoftplusOp) -> Value {
        // max(x, 0) + log1p(e^-|x|)
        Value e = b.create<math::ExpOp>(
            loc, b.create<arith::NegFOp>(loc, b.create<math::AbsFOp>(loc, x)));
        Value l = b.create<math::Log1pOp>(loc, e);
        return b.create<arith::AddFOp>(
            loc, b.create<arith::MaximumFOp>(loc, x, cst(b, loc, x, 0)), l);
      })
      .Case([&](ErfOp) { return b.create<math::ErfOp>(loc, x); })
      .Case([&](SinOp) { return b.create<math::SinOp>(loc, x); })
      .Case([&](CosOp) { return b.create<math::CosOp>(loc, x); })
      .Case([&](FloorOp) { return b.create<math::FloorOp>(loc, x); })
      .Case([&](CeilOp) { return b.create<math::CeilOp>(loc, x); })
      .Case([&](LeakyReluOp o) -> Value {
        Value scaled = b.create<arith::MulFOp>(
            loc, x, cst(b, loc, x, o.getAlpha().convertToDouble()));
        Value nonNeg = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE,
                                               x, cst(b, loc, x, 0));
        return b.create<arith::SelectOp>(loc, nonNeg, x, scaled);
      })
      .Case([&](EluOp o) -> Value {
        Value em1 = b.create<math::ExpM1Op>(loc, x);
        Value scaled = b.create<arith::MulFOp>(
            loc, em1, cst(b, loc, x, o.getAlpha().convertToDouble()));
        Value pos = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x,
                                            cst(b, loc, x, 0));
        return b.create<arith::SelectOp>(loc, pos, x, scaled);
      })
      .Case([&](GeluOp o) -> Value {
        Value half = cst(b, loc, x, 0.5), one = cst(b, loc, x, 1);
        Value inner;
        if (o.getApproximate()) {
          Value x3 = b.create<arith::MulFOp>(
              loc, x, b.create<arith::MulFOp>(loc, x, x));
          Value s = b.create<arith::AddFOp>(
              loc, x,
              b.create<arith::MulFOp>(loc, cst(b, loc, x, 0.044715), x3));
          inner = b.create<math::TanhOp>(
              loc, b.create<arith::MulFOp>(
                       loc, cst(b, loc, x, 0.7978845608028654), s));
        } else {
          inner = b.create<math::ErfOp>(
              loc, b.create<arith::MulFOp>(
                       loc, x, cst(b, loc, x, 0.7071067811865476)));
        }
        return b.create<arith::MulFOp>(
            loc, b.create<arith::MulFOp>(loc, half, x),
            b.create<arith::AddFOp>(loc, one, inner));
      })
      .Case([&](LogicalNotOp) -> Value {
        return b.create<arith::XOrIOp>(loc, x, cst(b, loc, x, 1));
      })
      .Case([&](CastOp o) -> Value {
        return castScalar(b, loc, x,
                          cast<RankedTensorType>(o.getType()).getElementType());
      })
      .Case([&](DropoutOp) { return x; })
      .Default([&](Operation *) -> Value {
        (void)t;
        return nullptr;
      });
}

/// Integer division truncating toward zero; x / 0 gives 0 and INT_MIN / -1
/// wraps, so generated code never traps.
Value safeDivSI(OpBuilder &b, Location loc, Value x, Value y) {
  Value zero = cst(b, loc, y, 0), one = cst(b, loc, y, 1),
        minusOne = cst(b, loc, y, -1);
  Value isZero = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, y, zero);
  Value isMinusOne =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, y, minusOne);
  Value bad = b.create<arith::OrIOp>(loc, isZero, isMinusOne);
  Value safeY = b.create<arith::SelectOp>(loc, bad, one, y);
  Value q = b.create<arith::DivSIOp>(loc, x, safeY);
  Value negX = b.create<arith::SubIOp>(loc, zero, x);
  q = b.create<arith::SelectOp>(loc, isMinusOne, negX, q);
  return b.create<arith::SelectOp>(loc, isZero, zero, q);
}

Value binaryBody(OpBuilder &b, Location loc, Operation *op, Value x, Value y) {
  bool f = isFloat(x);
  bool i1 = x.getType().isInteger(1);
  auto cmp = [&](arith::CmpFPredicate fp, arith::CmpIPredicate sp,
                 arith::CmpIPredicate up) -> Value {
    if (f)
      return b.create<arith::CmpFOp>(loc, fp, x, y);
    return b.create<arith::CmpIOp>(loc, i1 ? up : sp, x, y);
  };
  using FP = arith::CmpFPredicate;
  using IP = arith::CmpIPredicate;
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](AddOp) -> Value {
        if (f)
          return b.create<arith::AddFOp>(loc, x, y);
        return b.create<arith::AddIOp>(loc, x, y);
      })
      .Case([&](SubOp) -> Value {
        if (f)
          return b.create<arith::SubFOp>(loc, x, y);
        return b.create<arith::SubIOp>(loc, x, y);
      })
      .Case([&](MulOp) -> Value {
        if (f)
          return b.create<arith::MulFOp>(loc, x, y);
        return b.create<arith::MulIOp>(loc, x, y);
      })
      .Case([&](DivOp) -> Value {
        if (f)
          return b.create<arith::DivFOp>(loc, x, y);
        return safeDivSI(b, loc, x, y);
      })
      .Case([&](PowOp) -> Value {
        if (f)
          return b.create<math::PowFOp>(loc, x, y);
        return b.create<math::IPowIOp>(loc, x, y);
      })
      .Case([&](MaximumOp) { return buildMax(b, loc, x, y); })
      .Case([&](MinimumOp) { return buildMin(b, loc, x, y); })
      .Case([&](EqualOp) { return cmp(FP::OEQ, IP::eq, IP::eq); })
      .Case([&](NotEqualOp) { return cmp(FP::UNE, IP::ne, IP::ne); })
      .Case([&](LessOp) { return cmp(FP::OLT, IP::slt, IP::ult); })
      .Case([&](LessEqualOp) { return cmp(FP::OLE, IP::sle, IP::ule); })
      .Case([&](GreaterOp) { return cmp(FP::OGT, IP::sgt, IP::ugt); })
      .Case([&](GreaterEqualOp) { return cmp(FP::OGE, IP::sge, IP::uge); })
      .Case([&](LogicalAndOp) -> Value {
        return b.create<arith::AndIOp>(loc, x, y);
      })
      .Case([&](LogicalOrOp) -> Value {
        return b.create<arith::OrIOp>(loc, x, y);
      })
      .Default([](Operation *) -> Value { return nullptr; });
}

/// Any elementwise op (unary, binary or select) → one linalg.generic.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if constexpr (std::is_same_v<OpTy, DropoutOp>) {
      if (op.getTraining())
        return op.emitError("training-mode dropout has no inference lowering "
                            "(compile a training step, or run kiln-prune)");
    }
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    bool failedBody = false;
    Operation *raw = op.getOperation();
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value v;
          if (args.size() == 1)
            v = unaryBody(b, loc, raw, args[0]);
          else if (args.size() == 2)
            v = binaryBody(b, loc, raw, args[0], args[1]);
          else if (args.size() == 3)
            v = b.create<arith::SelectOp>(loc, args[0], args[1], args[2]);
          if (!v) {
            failedBody = true;
            v = args[0];
          }
          return v;
        });
    if (failedBody)
      return rewriter.notifyMatchFailure(op, "no scalar lowering");
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValueAttr());
    return success();
  }
};

} // namespace

void populateElementwisePatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering,
               // unary
               ElementwiseLowering<NegOp>, ElementwiseLowering<AbsOp>,
               ElementwiseLowering<SquareOp>, ElementwiseLowering<ReluOp>,
               ElementwiseLowering<Relu6Op>, ElementwiseLowering<ExpOp>,
               ElementwiseLowering<LogOp>, ElementwiseLowering<SqrtOp>,
               ElementwiseLowering<RsqrtOp>, ElementwiseLowering<TanhOp>,
               ElementwiseLowering<SigmoidOp>, ElementwiseLowering<SoftplusOp>,
               ElementwiseLowering<ErfOp>, ElementwiseLowering<SinOp>,
               ElementwiseLowering<CosOp>, ElementwiseLowering<FloorOp>,
               ElementwiseLowering<CeilOp>, ElementwiseLowering<LeakyReluOp>,
               ElementwiseLowering<EluOp>, ElementwiseLowering<GeluOp>,
               ElementwiseLowering<LogicalNotOp>, ElementwiseLowering<CastOp>,
               ElementwiseLowering<DropoutOp>,
               // binary
               ElementwiseLowering<AddOp>, ElementwiseLowering<SubOp>,
               ElementwiseLowering<MulOp>, ElementwiseLowering<DivOp>,
               ElementwiseLowering<PowOp>, ElementwiseLowering<MaximumOp>,
               ElementwiseLowering<MinimumOp>, ElementwiseLowering<EqualOp>,
               ElementwiseLowering<NotEqualOp>, ElementwiseLowering<LessOp>,
               ElementwiseLowering<LessEqualOp>, ElementwiseLowering<GreaterOp>,
               ElementwiseLowering<GreaterEqualOp>,
               ElementwiseLowering<LogicalAndOp>,
               ElementwiseLowering<LogicalOrOp>,
               // ternary
               ElementwiseLowering<SelectOp>>(patterns.getContext());
}

} // namespace kiln::conversion
