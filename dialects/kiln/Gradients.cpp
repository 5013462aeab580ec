//===- Gradients.cpp - the reverse-mode gradient rule of every kiln op ----===//
//
// One rule per differentiable op, written with kiln ops so that the backward
// graph is optimized, interpreted and compiled like any other. The rules are
// attached to the ops as GradientOpInterface when the dialect loads;
// passes/autodiff chains them. Conventions: `g` is the gradient flowing into
// the op's (first) result, `x` its input, `y` its result; broadcasting
// operands receive the gradient summed over the broadcast dimensions.
//
//===----------------------------------------------------------------------===//

#include "dialects/kiln/KilnBuilder.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace kiln;

#include "dialects/kiln/KilnInterfaces.cpp.inc"

namespace {

using Builder = KilnBuilder;

/// All axes of a rank-`rank` tensor but `keep`.
SmallVector<int64_t> allAxesBut(int64_t rank, int64_t keep) {
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < rank; ++d)
    if (d != keep)
      axes.push_back(d);
  return axes;
}

/// A verified op's axis in [0, rank).
int64_t normalized(int64_t axis, int64_t rank) {
  return *normalizeAxis(axis, rank);
}

/// The shape of `x` reduced over `axes` with kept unit dimensions.
SmallVector<int64_t> keptShape(ArrayRef<int64_t> shape, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> kept(shape);
  for (int64_t a : axes)
    kept[normalized(a, shape.size())] = 1;
  return kept;
}

//===----------------------------------------------------------------------===//
// Matmul and convolution
//===----------------------------------------------------------------------===//

LogicalResult matmulGrad(MatmulOp op, Builder &k, Value g,
                         SmallVectorImpl<Value> &dx) {
  Value a = op.getA(), bm = op.getB();
  bool ta = op.getTransposeA(), tb = op.getTransposeB();
  auto mm = [&](Value l, Value r, bool tl, bool tr) -> Value {
    return k.b.create<MatmulOp>(k.loc, l, r, tl, tr);
  };
  Value da, db;
  if (!ta && !tb) {
    da = mm(g, bm, false, true);
    db = mm(a, g, true, false);
  } else if (ta && !tb) {
    da = mm(bm, g, false, true);
    db = mm(a, g, false, false);
  } else if (!ta && tb) {
    da = mm(g, bm, false, false);
    db = mm(g, a, true, false);
  } else {
    da = mm(bm, g, true, true);
    db = mm(g, a, true, true);
  }
  dx[0] = k.unbroadcast(da, tensorType(a));
  dx[1] = k.unbroadcast(db, tensorType(bm));
  return success();
}

LogicalResult conv2dGrad(Conv2DOp op, Builder &k, Value g,
                         SmallVectorImpl<Value> &dx) {
  auto shapeOf = [&](Value v) {
    return k.b.getDenseI64ArrayAttr(tensorType(v).getShape());
  };
  dx[0] = k.b.create<Conv2DBackpropInputOp>(
      k.loc, g, op.getFilter(), shapeOf(op.getInput()), op.getStridesAttr(),
      op.getDilationsAttr(), op.getPaddingAttr(), op.getGroupsAttr(),
      op.getDataFormatAttr(), op.getFilterFormatAttr());
  dx[1] = k.b.create<Conv2DBackpropFilterOp>(
      k.loc, op.getInput(), g, shapeOf(op.getFilter()), op.getStridesAttr(),
      op.getDilationsAttr(), op.getPaddingAttr(), op.getGroupsAttr(),
      op.getDataFormatAttr(), op.getFilterFormatAttr());
  return success();
}

template <typename PoolOp>
Value poolGrad(PoolOp op, Builder &k, Value g, StringRef mode,
               bool countIncludePad) {
  return k.b.create<Pool2DGradOp>(
      k.loc, op.getInput(), g, k.b.getStringAttr(mode), op.getKernelSizeAttr(),
      op.getStridesAttr(), op.getPaddingAttr(), op.getDataFormatAttr(),
      k.b.getBoolAttr(countIncludePad));
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

LogicalResult batchNormGrad(BatchNormOp op, Builder &k, Value g,
                            SmallVectorImpl<Value> &dx) {
  Value x = op.getX();
  int64_t rank = tensorType(x).getRank();
  int64_t axis = normalized(op.getAxis(), rank);
  auto feature = [&](Value v) { return k.alongAxis(v, axis, rank); };
  Value eps = k.scalarLike(x, op.getEpsilon().convertToDouble());
  Value inv = k.b.create<RsqrtOp>(k.loc, k.add(op.getVariance(), eps));
  Value scale = op.getScale();
  Value centered = k.sub(x, feature(op.getMean()));
  SmallVector<int64_t> others = allAxesBut(rank, axis);
  Value sumG = k.sum(g, others, false);
  Value sumGc = k.sum(k.mul(g, centered), others, false);
  dx[0] = k.mul(g, feature(k.mul(scale, inv)));
  dx[1] = k.mul(sumGc, inv);
  dx[2] = sumG;
  dx[3] = k.neg(k.mul(sumG, k.mul(scale, inv)));
  Value inv3 = k.mul(inv, k.mul(inv, inv));
  dx[4] = k.mul(k.mulScalar(sumGc, -0.5), k.mul(scale, inv3));
  return success();
}

LogicalResult layerNormGrad(LayerNormOp op, Builder &k, Value g,
                            SmallVectorImpl<Value> &dx) {
  Value x = op.getX();
  int64_t rank = tensorType(x).getRank();
  int64_t axis = normalized(op.getAxis(), rank);
  SmallVector<int64_t> norm, outer;
  for (int64_t d = 0; d < rank; ++d)
    (d >= axis ? norm : outer).push_back(d);
  Value mean = k.mean(x, norm, true);
  Value centered = k.sub(x, mean);
  Value var = k.mean(k.mul(centered, centered), norm, true);
  Value eps = k.scalarLike(x, op.getEpsilon().convertToDouble());
  Value rstd = k.b.create<RsqrtOp>(k.loc, k.add(var, eps));
  Value xhat = k.mul(centered, rstd);
  Value gs = k.mul(g, op.getScale());
  Value inner = k.sub(k.sub(gs, k.mean(gs, norm, true)),
                      k.mul(xhat, k.mean(k.mul(gs, xhat), norm, true)));
  dx[0] = k.mul(rstd, inner);
  dx[1] = k.sum(k.mul(g, xhat), outer, false);
  dx[2] = k.sum(g, outer, false);
  return success();
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

LogicalResult gradient(Operation *op, OpBuilder &builder,
                       ArrayRef<Value> resultGrads,
                       SmallVectorImpl<Value> &dx) {
  dx.assign(op->getNumOperands(), Value());
  Value g = resultGrads.empty() ? Value() : resultGrads.front();
  if (!g)
    return success();
  Builder k{builder, op->getLoc()};
  Value x = op->getNumOperands() ? op->getOperand(0) : Value();
  Value y = op->getResult(0);
  auto binary = [&](Value da, Value db) {
    dx[0] = da ? k.unbroadcast(da, tensorType(op->getOperand(0))) : Value();
    dx[1] = db ? k.unbroadcast(db, tensorType(op->getOperand(1))) : Value();
    return success();
  };
  auto unary = [&](Value d) {
    dx[0] = d;
    return success();
  };
  auto positive = [&](Value v) -> Value {
    return k.b.create<GreaterOp>(k.loc, v, k.zerosLike(v));
  };
  auto one = [&] { return k.scalarLike(g, 1.0); };

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      // Unary elementwise.
      .Case([&](NegOp) { return unary(k.neg(g)); })
      .Case([&](AbsOp) {
        Value negative = k.b.create<LessOp>(k.loc, x, k.zerosLike(x));
        return unary(k.select(positive(x), g, k.where(negative, k.neg(g))));
      })
      .Case([&](SquareOp) { return unary(k.mul(g, k.mulScalar(x, 2.0))); })
      // From the output, as TensorFlow's ReluGrad: the pre-activation then has
      // no other use, so a bias + ReLU epilogue stays fused into its matmul.
      .Case([&](ReluOp) { return unary(k.where(positive(y), g)); })
      .Case([&](Relu6Op) {
        Value below = k.b.create<LessOp>(k.loc, x, k.scalarLike(x, 6.0));
        Value inside = k.b.create<LogicalAndOp>(k.loc, positive(x), below);
        return unary(k.where(inside, g));
      })
      .Case([&](ExpOp) { return unary(k.mul(g, y)); })
      .Case([&](LogOp) { return unary(k.div(g, x)); })
      .Case([&](SqrtOp) { return unary(k.div(k.mulScalar(g, 0.5), y)); })
      .Case([&](RsqrtOp) {
        return unary(k.mul(k.mulScalar(g, -0.5), k.mul(y, k.mul(y, y))));
      })
      .Case([&](TanhOp) { return unary(k.mul(g, k.sub(one(), k.mul(y, y)))); })
      .Case([&](SigmoidOp) {
        return unary(k.mul(g, k.mul(y, k.sub(one(), y))));
      })
      .Case([&](SoftplusOp) {
        return unary(k.mul(g, k.b.create<SigmoidOp>(k.loc, x)));
      })
      .Case([&](ErfOp) {
        Value e = k.b.create<ExpOp>(k.loc, k.neg(k.mul(x, x)));
        return unary(k.mul(g, k.mulScalar(e, 2.0 / std::sqrt(M_PI))));
      })
      .Case([&](SinOp) {
        return unary(k.mul(g, k.b.create<CosOp>(k.loc, x)));
      })
      .Case([&](CosOp) {
        return unary(k.neg(k.mul(g, k.b.create<SinOp>(k.loc, x))));
      })
      .Case<FloorOp, CeilOp>([&](Operation *) { return unary(k.zerosLike(x)); })
      .Case([&](LeakyReluOp o) {
        Value slope = k.scalarLike(x, o.getAlpha().convertToDouble());
        return unary(k.select(positive(x), g, k.mul(g, slope)));
      })
      .Case([&](EluOp o) {
        Value alpha = k.scalarLike(x, o.getAlpha().convertToDouble());
        return unary(k.select(positive(x), g, k.mul(g, k.add(y, alpha))));
      })
      .Case([&](GeluOp o) {
        if (!o.getApproximate()) {
          // d/dx x·Φ(x) = Φ(x) + x·φ(x).
          Value cdf = k.mulScalar(
              k.add(one(), k.b.create<ErfOp>(k.loc, k.mulScalar(x, M_SQRT1_2))),
              0.5);
          Value pdf = k.mulScalar(
              k.b.create<ExpOp>(k.loc, k.mulScalar(k.mul(x, x), -0.5)),
              1.0 / std::sqrt(2.0 * M_PI));
          return unary(k.mul(g, k.add(cdf, k.mul(x, pdf))));
        }
        double c = std::sqrt(2.0 / M_PI);
        Value x2 = k.mul(x, x);
        Value u = k.mulScalar(
            k.mul(x, k.add(one(), k.mulScalar(x2, 0.044715))), c);
        Value t = k.b.create<TanhOp>(k.loc, u);
        Value du = k.mulScalar(k.add(one(), k.mulScalar(x2, 3 * 0.044715)), c);
        Value d = k.add(k.mulScalar(k.add(one(), t), 0.5),
                        k.mul(k.mulScalar(x, 0.5),
                              k.mul(k.sub(one(), k.mul(t, t)), du)));
        return unary(k.mul(g, d));
      })
      .Case([&](CastOp) {
        return unary(isFloatTensor(x) ? k.cast(g, tensorType(x).getElementType())
                                      : Value());
      })
      .Case([&](DropoutOp o) {
        if (!o.getTraining())
          return unary(g);
        // The mask depends only on the seed and the element index, so
        // dropping the gradient with the same attributes applies it.
        return unary(k.b.create<DropoutOp>(k.loc, g, o.getRateAttr(),
                                           o.getSeedAttr(),
                                           o.getTrainingAttr()));
      })
      // Binary elementwise.
      .Case([&](AddOp) { return binary(g, g); })
      .Case([&](SubOp) { return binary(g, k.neg(g)); })
      .Case([&](MulOp o) {
        return binary(k.mul(g, o.getRhs()), k.mul(g, o.getLhs()));
      })
      .Case([&](DivOp o) {
        Value da = k.div(g, o.getRhs());
        return binary(da, k.neg(k.mul(da, y)));
      })
      .Case([&](PowOp o) {
        Value a = o.getLhs(), e = o.getRhs();
        Value da = k.mul(g, k.mul(e, k.b.create<PowOp>(k.loc, a, k.sub(e, one()))));
        Value logA = k.where(positive(a), k.b.create<LogOp>(k.loc, a));
        return binary(da, k.mul(g, k.mul(y, logA)));
      })
      .Case([&](MaximumOp o) {
        Value mask = k.b.create<GreaterEqualOp>(k.loc, o.getLhs(), o.getRhs());
        return binary(k.where(mask, g), k.select(mask, k.zerosLike(g), g));
      })
      .Case([&](MinimumOp o) {
        Value mask = k.b.create<LessEqualOp>(k.loc, o.getLhs(), o.getRhs());
        return binary(k.where(mask, g), k.select(mask, k.zerosLike(g), g));
      })
      .Case([&](SelectOp o) {
        Value c = o.getCondition();
        dx[1] = k.unbroadcast(k.where(c, g), tensorType(o.getOnTrue()));
        dx[2] = k.unbroadcast(k.select(c, k.zerosLike(g), g),
                              tensorType(o.getOnFalse()));
        return success();
      })
      // Contractions and windows.
      .Case([&](MatmulOp o) { return matmulGrad(o, k, g, dx); })
      .Case([&](Conv2DOp o) { return conv2dGrad(o, k, g, dx); })
      .Case([&](MaxPool2DOp o) {
        return unary(poolGrad(o, k, g, "max", false));
      })
      .Case([&](AvgPool2DOp o) {
        return unary(poolGrad(o, k, g, "avg", o.getCountIncludePad()));
      })
      // Reductions.
      .Case<ReduceSumOp, ReduceMeanOp>([&](Operation *) {
        auto axes = op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
        ArrayRef<int64_t> xs = tensorType(x).getShape();
        Value d = k.broadcastTo(k.reshape(g, keptShape(xs, axes)), xs);
        if (isa<ReduceMeanOp>(op)) {
          int64_t count = 1;
          for (int64_t a : axes)
            count *= xs[normalized(a, xs.size())];
          d = k.mulScalar(d, 1.0 / static_cast<double>(count));
        }
        return unary(d);
      })
      .Case<ReduceMaxOp, ReduceMinOp>([&](Operation *) {
        // Ties share the gradient equally, as TensorFlow's rule does.
        auto axes = op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
        ArrayRef<int64_t> xs = tensorType(x).getShape();
        SmallVector<int64_t> kept = keptShape(xs, axes);
        Value yk = k.reshape(y, kept);
        Value mask = k.cast(k.b.create<EqualOp>(k.loc, x, yk),
                            tensorType(x).getElementType());
        Value count = k.sum(mask, axes, true);
        return unary(k.div(k.mul(mask, k.reshape(g, kept)), count));
      })
      .Case([&](ReduceProdOp o) {
        auto axes = o.getAxes();
        ArrayRef<int64_t> xs = tensorType(x).getShape();
        SmallVector<int64_t> kept = keptShape(xs, axes);
        return unary(k.div(k.mul(k.reshape(g, kept), k.reshape(y, kept)), x));
      })
      // Softmax and normalization.
      .Case([&](SoftmaxOp o) {
        int64_t axis = normalized(o.getAxis(), tensorType(x).getRank());
        Value dot = k.sum(k.mul(g, y), {axis}, true);
        return unary(k.mul(y, k.sub(g, dot)));
      })
      .Case([&](LogSoftmaxOp o) {
        int64_t axis = normalized(o.getAxis(), tensorType(x).getRank());
        Value total = k.sum(g, {axis}, true);
        return unary(k.sub(g, k.mul(k.b.create<ExpOp>(k.loc, y), total)));
      })
      .Case([&](BatchNormOp o) { return batchNormGrad(o, k, g, dx); })
      .Case([&](LayerNormOp o) { return layerNormGrad(o, k, g, dx); })
      // Shape ops.
      .Case([&](ReshapeOp) {
        return unary(k.reshape(g, tensorType(x).getShape()));
      })
      .Case([&](TransposeOp o) {
        ArrayRef<int64_t> perm = o.getPerm();
        SmallVector<int64_t> inverse(perm.size());
        for (size_t i = 0; i < perm.size(); ++i)
          inverse[perm[i]] = static_cast<int64_t>(i);
        return unary(k.transpose(g, inverse));
      })
      .Case([&](BroadcastToOp) {
        return unary(k.unbroadcast(g, tensorType(x)));
      })
      .Case([&](ConcatOp o) {
        ArrayRef<int64_t> ys = tensorType(y).getShape();
        int64_t axis = normalized(o.getAxis(), ys.size());
        int64_t offset = 0;
        for (auto [i, in] : llvm::enumerate(o.getInputs())) {
          SmallVector<int64_t> start(ys.size(), 0), limit(ys);
          start[axis] = offset;
          offset += tensorType(in).getDimSize(axis);
          limit[axis] = offset;
          dx[i] = isFloatTensor(in) ? k.slice(g, start, limit) : Value();
        }
        return success();
      })
      .Case([&](SliceOp o) {
        ArrayRef<int64_t> xs = tensorType(x).getShape();
        ArrayRef<int64_t> gs = tensorType(g).getShape();
        Value d = g;
        SmallVector<int64_t> low(xs.size()), high(xs.size());
        for (size_t i = 0; i < xs.size(); ++i) {
          int64_t stride = o.getStrides() ? (*o.getStrides())[i] : 1;
          d = k.dilate(d, i, stride);
          int64_t covered = gs[i] == 0 ? 0 : (gs[i] - 1) * stride + 1;
          low[i] = o.getStart()[i];
          high[i] = xs[i] - low[i] - covered;
        }
        return unary(k.pad(d, low, high));
      })
      .Case([&](PadOp o) {
        ArrayRef<int64_t> xs = tensorType(x).getShape();
        SmallVector<int64_t> limit(xs);
        for (size_t i = 0; i < xs.size(); ++i)
          limit[i] += o.getLow()[i];
        return unary(k.slice(g, o.getLow(), limit));
      })
      .Case([&](GatherOp o) {
        // Gathered slices flow back to their rows, repeated rows summed.
        dx[0] = k.b.create<ScatterAddOp>(
            k.loc, o.getIndices(), g,
            k.b.getDenseI64ArrayAttr(tensorType(o.getParams()).getShape()),
            o.getAxisAttr());
        return success();
      })
      .Default([&](Operation *) -> LogicalResult {
        return op->emitOpError("has no gradient rule");
      });
}

template <typename OpT>
struct GradientModel
    : GradientOpInterface::ExternalModel<GradientModel<OpT>, OpT> {
  LogicalResult buildGradient(Operation *op, OpBuilder &builder,
                              ArrayRef<Value> resultGrads,
                              SmallVectorImpl<Value> &operandGrads) const {
    return gradient(op, builder, resultGrads, operandGrads);
  }
};

template <typename... Ops> void attach(MLIRContext *context) {
  (Ops::template attachInterface<GradientModel<Ops>>(*context), ...);
}

} // namespace

void kiln::registerGradientRules(MLIRContext *context) {
  attach<NegOp, AbsOp, SquareOp, ReluOp, Relu6Op, ExpOp, LogOp, SqrtOp,
         RsqrtOp, TanhOp, SigmoidOp, SoftplusOp, ErfOp, SinOp, CosOp, FloorOp,
         CeilOp,
         LeakyReluOp, EluOp, GeluOp, CastOp, DropoutOp, AddOp, SubOp, MulOp,
         DivOp, PowOp, MaximumOp, MinimumOp, SelectOp, MatmulOp, Conv2DOp,
         MaxPool2DOp, AvgPool2DOp, ReduceSumOp, ReduceMeanOp, ReduceMaxOp,
         ReduceMinOp, ReduceProdOp, SoftmaxOp, LogSoftmaxOp, BatchNormOp,
         LayerNormOp, ReshapeOp, TransposeOp, BroadcastToOp, ConcatOp, SliceOp,
         PadOp, GatherOp>(context);
}
