//===- FoldBatchNorm.cpp - fold inference batch norm into conv and matmul -===//
//
// `batch_norm(conv(x, W) + b)` with constant statistics becomes
// `conv(x, W * s) + ((b - mean) * s + offset)` with
// `s = scale / sqrt(variance + epsilon)`, and likewise for `matmul`. The new
// weights and bias are computed in double precision from the stored values
// and rounded once to the element type, so the folded graph is not bit-exact:
// it agrees with the unfolded one to about 1e-6 relative in f32 (the
// rounding of `W * s` instead of the rounding of `conv(x, W) * s`).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "compiler/reference/Tensor.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"

#include <cmath>

namespace kiln {
#define GEN_PASS_DEF_KILNFOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// The constant feeding `v`, or null.
ConstantOp constantOf(Value v) { return v.getDefiningOp<ConstantOp>(); }

/// Reads a constant's elements as doubles, or failure.
FailureOr<reference::Tensor> read(ConstantOp c) {
  return reference::tensorFromAttr(c.getValue(), c.getLoc());
}

/// Where the normalized channels live in a conv2d or matmul: the channel
/// axis of its result, and the weights operand with its output-channel axis.
struct Producer {
  Operation *op = nullptr;
  unsigned weightsOperand = 0;
  int64_t resultAxis = 0;
  int64_t weightsAxis = 0;
};

/// Describes `op` when it is a conv2d or matmul whose channel axes Kiln knows.
FailureOr<Producer> describeProducer(Operation *op) {
  if (auto conv = dyn_cast_or_null<Conv2DOp>(op)) {
    Producer p{op, 1, 0, 0};
    if (conv.getDataFormat() == "NHWC")
      p.resultAxis = 3;
    else if (conv.getDataFormat() == "NCHW")
      p.resultAxis = 1;
    else
      return failure();
    // Grouped or not, output channels are the filter's O dimension.
    if (conv.getFilterFormat() == "HWIO")
      p.weightsAxis = 3;
    else if (conv.getFilterFormat() == "OIHW")
      p.weightsAxis = 0;
    else
      return failure();
    return p;
  }
  if (auto matmul = dyn_cast_or_null<MatmulOp>(op)) {
    int64_t rank = matmul.getB().getType().getRank();
    return Producer{op, 1, matmul.getType().getRank() - 1,
                    matmul.getTransposeB() ? rank - 2 : rank - 1};
  }
  return failure();
}

/// Folds a `batch_norm` with constant statistics into the conv2d or matmul
/// before it, through an optional constant per-channel bias add and an
/// optional transpose: `batch_norm([transpose](producer(x, W) [+ b]))`.
struct FoldBatchNormPattern : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(bn.getType());
    // f16/bf16 are left alone: weights rounded to them after scaling err by
    // up to 2^-11 relative, far beyond what the fold promises.
    if (!type.getElementType().isF32() && !type.getElementType().isF64())
      return rewriter.notifyMatchFailure(bn, "only f32 and f64 fold");
    SmallVector<ConstantOp> stats = {
        constantOf(bn.getScale()), constantOf(bn.getOffset()),
        constantOf(bn.getMean()), constantOf(bn.getVariance())};
    if (llvm::is_contained(stats, nullptr))
      return rewriter.notifyMatchFailure(bn, "statistics are not constants");
    FailureOr<int64_t> axis = normalizeAxis(bn.getAxis(), type.getRank());
    if (failed(axis))
      return rewriter.notifyMatchFailure(bn, "axis out of range");

    // Walk up: [transpose] <- [add b] <- conv2d/matmul, each used only once.
    Value z = bn.getX();
    if (auto transpose = z.getDefiningOp<TransposeOp>()) {
      if (!transpose->hasOneUse())
        return rewriter.notifyMatchFailure(bn, "transpose has other users");
      *axis = transpose.getPerm()[*axis];
      z = transpose.getX();
    }
    AddOp add = z.getDefiningOp<AddOp>();
    unsigned biasOperand = 0;
    if (add) {
      if (!add->hasOneUse())
        return rewriter.notifyMatchFailure(bn, "bias add has other users");
      biasOperand = constantOf(add.getRhs()) ? 1 : 0;
      if (!constantOf(add->getOperand(biasOperand)))
        return rewriter.notifyMatchFailure(bn, "bias is not a constant");
      z = add->getOperand(1 - biasOperand);
      if (z.getType() != add.getType())
        return rewriter.notifyMatchFailure(bn, "bias add broadcasts the conv");
    }
    FailureOr<Producer> producer = describeProducer(z.getDefiningOp());
    if (failed(producer))
      return rewriter.notifyMatchFailure(bn, "not after a conv2d or matmul");
    if (!z.hasOneUse())
      return rewriter.notifyMatchFailure(bn, "conv/matmul has other users");
    if (producer->resultAxis != *axis)
      return rewriter.notifyMatchFailure(bn, "axis is not the channel axis");
    ConstantOp weights =
        constantOf(producer->op->getOperand(producer->weightsOperand));
    if (!weights)
      return rewriter.notifyMatchFailure(bn, "weights are not constants");

    auto zType = cast<RankedTensorType>(z.getType());
    int64_t channels = zType.getShape()[*axis];
    FailureOr<SmallVector<double>> bias =
        readBias(add, biasOperand, zType, *axis);
    if (failed(bias))
      return rewriter.notifyMatchFailure(bn, "bias is not per-channel");
    FailureOr<reference::Tensor> w = read(weights);
    if (failed(w) || !w->isFloat() ||
        w->shape()[producer->weightsAxis] != channels)
      return rewriter.notifyMatchFailure(bn, "unreadable weights");
    SmallVector<reference::Tensor> s;
    for (ConstantOp c : stats) {
      FailureOr<reference::Tensor> t = read(c);
      if (failed(t) || t->size() != channels)
        return rewriter.notifyMatchFailure(bn, "unreadable statistics");
      s.push_back(std::move(*t));
    }

    // W' = W * s along the output channels; bias' = (b - mean) * s + offset.
    double epsilon = bn.getEpsilon().convertToDouble();
    SmallVector<double> factor(channels);
    for (int64_t c = 0; c < channels; ++c)
      factor[c] = s[0].getDouble(c) / std::sqrt(s[3].getDouble(c) + epsilon);
    int64_t inner = reference::stridesOf(w->shape())[producer->weightsAxis];
    for (int64_t k = 0, n = w->size(); k < n; ++k)
      w->floats[k] *= factor[(k / inner) % channels];
    reference::normalize(*w);
    SmallVector<int64_t> biasShape(zType.getRank() - *axis, 1);
    biasShape[0] = channels;
    FailureOr<reference::Tensor> newBias = reference::Tensor::zeros(
        RankedTensorType::get(biasShape, zType.getElementType()), bn.getLoc());
    if (failed(newBias))
      return failure();
    for (int64_t c = 0; c < channels; ++c)
      newBias->floats[c] =
          ((*bias)[c] - s[2].getDouble(c)) * factor[c] + s[1].getDouble(c);
    reference::normalize(*newBias);

    // Rewrite in place: new weights, new (or first) bias, no batch_norm.
    llvm::SetVector<Operation *> maybeDead;
    maybeDead.insert(weights);
    for (ConstantOp c : stats)
      maybeDead.insert(c);
    rewriter.setInsertionPoint(producer->op);
    auto wConst = rewriter.create<ConstantOp>(
        weights.getLoc(), w->type,
        reference::tensorToAttr(*w, "bn_folded_weights"));
    auto bConst = rewriter.create<ConstantOp>(
        bn.getLoc(), newBias->type,
        reference::tensorToAttr(*newBias, "bn_folded_bias"));
    rewriter.modifyOpInPlace(producer->op, [&] {
      producer->op->setOperand(producer->weightsOperand, wConst);
    });
    if (add) {
      maybeDead.insert(add->getOperand(biasOperand).getDefiningOp());
      rewriter.modifyOpInPlace(
          add, [&] { add->setOperand(biasOperand, bConst.getResult()); });
    } else {
      rewriter.setInsertionPointAfter(producer->op);
      auto newAdd = rewriter.create<AddOp>(bn.getLoc(), zType, z, bConst);
      rewriter.replaceAllUsesExcept(z, newAdd.getResult(), newAdd);
    }
    rewriter.replaceOp(bn, bn.getX());
    for (Operation *op : maybeDead)
      if (op->use_empty())
        rewriter.eraseOp(op);
    return success();
  }

  /// The bias per channel of `axis`, zeros without an add; failure when the
  /// bias varies along any other dimension.
  static FailureOr<SmallVector<double>>
  readBias(AddOp add, unsigned operand, RankedTensorType zType, int64_t axis) {
    int64_t channels = zType.getShape()[axis];
    SmallVector<double> bias(channels, 0.0);
    if (!add)
      return bias;
    FailureOr<reference::Tensor> b = read(constantOf(add->getOperand(operand)));
    if (failed(b) || !b->isFloat() || b->rank() > zType.getRank())
      return failure();
    // Align b's dimensions with z's trailing ones, as broadcasting does.
    int64_t bAxis = axis - (zType.getRank() - b->rank());
    for (int64_t d = 0; d < b->rank(); ++d)
      if (d != bAxis && b->shape()[d] != 1)
        return failure();
    bool perChannel = bAxis >= 0 && b->shape()[bAxis] != 1;
    for (int64_t c = 0; c < channels; ++c)
      bias[c] = b->getDouble(perChannel ? c : 0);
    return bias;
  }
};

/// A batch norm with constant statistics that no producer can absorb (it
/// follows a relu, say) is a per-channel affine map:
/// `(x - mean) * s + offset` with `s = scale / sqrt(variance + epsilon)`
/// computed in double and rounded once. Three elementwise ops that fusion
/// merges into the neighbouring kernel, instead of a normalization.
/// Subtracting the mean first (rather than folding it into the shift as
/// `x * s + (offset - mean * s)`) avoids cancellation when x is close to a
/// large mean.
LogicalResult decomposeToAffine(BatchNormOp bn, PatternRewriter &rewriter) {
  auto type = cast<RankedTensorType>(bn.getX().getType());
  Type element = type.getElementType();
  if (!element.isF32() && !element.isF64())
    return failure();
  int64_t rank = type.getRank();
  int64_t axis = bn.getAxis() < 0 ? bn.getAxis() + rank : bn.getAxis();
  if (axis < 0 || axis >= rank)
    return failure();
  SmallVector<reference::Tensor> stats;
  for (Value v : {bn.getScale(), bn.getOffset(), bn.getMean(), bn.getVariance()}) {
    ConstantOp c = constantOf(v);
    if (!c)
      return failure();
    FailureOr<reference::Tensor> t = read(c);
    if (failed(t))
      return failure();
    stats.push_back(std::move(*t));
  }
  int64_t channels = type.getDimSize(axis);
  for (const reference::Tensor &t : stats)
    if (t.size() != channels)
      return failure();
  // [C] broadcasts along the last axis; elsewhere [C, 1, ..., 1].
  SmallVector<int64_t> shape = {channels};
  shape.append(rank - axis - 1, 1);
  auto paramType = RankedTensorType::get(shape, element);
  FailureOr<reference::Tensor> s = reference::Tensor::zeros(paramType, bn.getLoc());
  FailureOr<reference::Tensor> t = reference::Tensor::zeros(paramType, bn.getLoc());
  if (failed(s) || failed(t))
    return failure();
  double epsilon = bn.getEpsilon().convertToDouble();
  FailureOr<reference::Tensor> m = reference::Tensor::zeros(paramType, bn.getLoc());
  if (failed(m))
    return failure();
  for (int64_t c = 0; c < channels; ++c) {
    s->floats[c] =
        stats[0].getDouble(c) / std::sqrt(stats[3].getDouble(c) + epsilon);
    t->floats[c] = stats[1].getDouble(c);
    m->floats[c] = stats[2].getDouble(c);
  }
  reference::normalize(*s);
  reference::normalize(*t);
  reference::normalize(*m);
  Location loc = bn.getLoc();
  Value mv = rewriter.create<ConstantOp>(loc, paramType,
                                         reference::tensorToAttr(*m, "bn_mean"));
  Value sv = rewriter.create<ConstantOp>(loc, paramType,
                                         reference::tensorToAttr(*s, "bn_scale"));
  Value tv = rewriter.create<ConstantOp>(loc, paramType,
                                         reference::tensorToAttr(*t, "bn_offset"));
  Value centered = rewriter.create<SubOp>(loc, bn.getX(), mv);
  Value scaled = rewriter.create<MulOp>(loc, centered, sv);
  Value shifted = rewriter.create<AddOp>(loc, scaled, tv);
  rewriter.replaceOp(bn, shifted);
  return success();
}

struct FoldBatchNorm : kiln::impl::KilnFoldBatchNormBase<FoldBatchNorm> {
  using KilnFoldBatchNormBase::KilnFoldBatchNormBase;

  void runOnOperation() override {
    SmallVector<BatchNormOp> bns;
    getOperation().walk([&](BatchNormOp bn) { bns.push_back(bn); });
    // Each rewrite touches only its own chain, so one pass over the list is
    // enough; no greedy driver, so nothing else in the function is folded.
    FoldBatchNormPattern pattern(&getContext());
    PatternRewriter rewriter(&getContext());
    for (BatchNormOp bn : bns) {
      rewriter.setInsertionPoint(bn);
      if (succeeded(pattern.matchAndRewrite(bn, rewriter)))
        continue;
      if (decomposeUnfolded)
        (void)decomposeToAffine(bn, rewriter);
    }
    eraseDeadOps(getOperation().getBody());
  }
};

} // namespace
