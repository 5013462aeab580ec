//===- TransposeSinking.cpp - move transposes down until they cancel ------===//
//
// Each pattern moves a `kiln.transpose` below one op that commutes with a
// permutation (rewriting the op's layout-dependent attributes and constant
// operands), or removes transposes: two adjacent ones compose, one that only
// moves unit dimensions is a reshape, and one feeding a flatten and a matmul
// with constant weights becomes a permutation of the weight rows. No pattern
// moves a transpose upward, so the greedy driver reaches a fixed point.
//
//===----------------------------------------------------------------------===//

#include "passes/layout/TransposeSinking.h"

#include "compiler/reference/Tensor.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace kiln;

SmallVector<int64_t> layout::permuteShape(ArrayRef<int64_t> shape,
                                          ArrayRef<int64_t> perm) {
  SmallVector<int64_t> result;
  for (int64_t p : perm)
    result.push_back(shape[p]);
  return result;
}

FailureOr<ElementsAttr> layout::permuteConstant(ElementsAttr value,
                                                ArrayRef<int64_t> from,
                                                ArrayRef<int64_t> perm,
                                                ArrayRef<int64_t> to,
                                                StringRef suffix) {
  MLIRContext *ctx = value.getContext();
  // An unreadable constant is a reason not to rewrite, not an error.
  ScopedDiagnosticHandler silence(ctx, [](Diagnostic &) { return success(); });
  FailureOr<reference::Tensor> in =
      reference::tensorFromAttr(value, UnknownLoc::get(ctx));
  if (failed(in))
    return failure();
  Type element = value.getShapedType().getElementType();
  reference::Tensor out;
  out.type = RankedTensorType::get(to, element);
  int64_t n = in->size();
  (in->isFloat() ? out.floats.resize(n) : out.ints.resize(n));
  SmallVector<int64_t> inStrides = reference::stridesOf(from);
  SmallVector<int64_t> shape = permuteShape(from, perm);
  SmallVector<int64_t> strides = permuteShape(inStrides, perm);
  SmallVector<int64_t> index(shape.size(), 0);
  int64_t source = 0;
  for (int64_t k = 0; k < n; ++k) {
    if (in->isFloat())
      out.floats[k] = in->floats[source];
    else
      out.ints[k] = in->ints[source];
    // Advance the row-major index over the permuted shape.
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      source += strides[d];
      if (++index[d] < shape[d])
        break;
      source -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  std::string name = "layout";
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    name = resource.getRawHandle().getKey().str();
  return reference::tensorToAttr(out, name + suffix.str());
}

namespace {

SmallVector<int64_t> invert(ArrayRef<int64_t> perm) {
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = static_cast<int64_t>(i);
  return inverse;
}

bool isIdentity(ArrayRef<int64_t> perm) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (static_cast<int64_t>(i) != p)
      return false;
  return true;
}

int64_t normalized(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

/// Rebuilds `op` on `operands` in the transpose's input layout, lets `update`
/// permute its attributes, and replaces it by a transpose of the new result
/// with `resultPerm`: the transpose has moved below `op`.
void sinkBelow(PatternRewriter &rewriter, Operation *op, ValueRange operands,
               ArrayRef<int64_t> resultPerm,
               llvm::function_ref<void(Operation *)> update = nullptr) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Operation *clone = rewriter.clone(*op);
  clone->setOperands(operands);
  clone->getResult(0).setType(
      type.clone(layout::permuteShape(type.getShape(), invert(resultPerm))));
  if (update)
    update(clone);
  rewriter.replaceOpWithNewOp<TransposeOp>(op, clone->getResult(0), resultPerm);
}

/// `transpose(transpose(x, p), q)` is `transpose(x, p∘q)`; the identity
/// disappears.
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getX().getDefiningOp<TransposeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    SmallVector<int64_t> perm =
        layout::permuteShape(inner.getPerm(), op.getPerm());
    if (isIdentity(perm))
      rewriter.replaceOp(op, inner.getX());
    else
      rewriter.replaceOpWithNewOp<TransposeOp>(op, inner.getX(), perm);
    return success();
  }
};

/// A transpose that keeps the order of the dimensions larger than 1 moves
/// no data: it is a reshape, which composes with neighbouring reshapes.
struct TransposeOfUnitDimsToReshape : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> shape = op.getX().getType().getShape();
    int64_t last = -1;
    for (int64_t p : op.getPerm()) {
      if (shape[p] == 1)
        continue;
      if (p < last)
        return rewriter.notifyMatchFailure(op, "moves data");
      last = p;
    }
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getX(),
                                           op.getType().getShape());
    return success();
  }
};

/// Whether `op` computes each result element from the elements at the same
/// position of its (broadcast) operands, whatever the layout.
bool commutesWithPermutation(Operation *op) {
  if (op->getNumResults() != 1 || op->getNumRegions() ||
      !isa<KilnDialect>(op->getDialect()))
    return false;
  if (isa<SoftmaxOp, LogSoftmaxOp>(op))
    return false;
  // Training-mode dropout's mask depends on the row-major element index.
  if (auto dropout = dyn_cast<DropoutOp>(op))
    return !dropout.getTraining();
  if (isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaximumOp, MinimumOp, EqualOp,
          NotEqualOp, LessOp, LessEqualOp, GreaterOp, GreaterEqualOp,
          LogicalAndOp, LogicalOrOp, SelectOp>(op))
    return true;
  return op->hasTrait<OpTrait::Elementwise>() && op->getNumOperands() == 1;
}

/// `f(transpose(x, p), c)` is `transpose(f(x, c'), p)` for an elementwise
/// `f`, where each other operand is a transpose with the same `p` or a
/// constant `c`, permuted (after NumPy rank expansion) into `c'`: a [C,1,1]
/// bias of an NCHW tensor becomes [C] for NHWC.
struct SinkThroughElementwise : RewritePattern {
  SinkThroughElementwise(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!commutesWithPermutation(op))
      return rewriter.notifyMatchFailure(op, "not layout-agnostic");
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(op->getResult(0).getType()).getShape();
    // A transpose of the result's full shape (one that is not broadcast).
    auto fullTranspose = [&](Value v) {
      auto t = v.getDefiningOp<TransposeOp>();
      return t && t.getType().getShape() == shape ? t : TransposeOp();
    };
    std::optional<ArrayRef<int64_t>> perm;
    for (Value v : op->getOperands())
      if (TransposeOp t = fullTranspose(v)) {
        perm = t.getPerm();
        break;
      }
    if (!perm)
      return rewriter.notifyMatchFailure(op, "no transposed operand");
    SmallVector<int64_t> inverse = invert(*perm);
    int64_t rank = static_cast<int64_t>(shape.size());

    // Permute the constants first: a failed match leaves the IR untouched.
    SmallVector<ElementsAttr> permuted(op->getNumOperands());
    for (auto [i, v] : llvm::enumerate(op->getOperands())) {
      if (TransposeOp t = fullTranspose(v); t && t.getPerm() == *perm)
        continue;
      ElementsAttr c;
      if (!matchPattern(v, m_Constant(&c)))
        return rewriter.notifyMatchFailure(op, "operand is not permutable");
      ArrayRef<int64_t> cShape = c.getShapedType().getShape();
      if (static_cast<int64_t>(cShape.size()) > rank)
        return rewriter.notifyMatchFailure(op, "constant has a higher rank");
      SmallVector<int64_t> expanded(rank - cShape.size(), 1);
      llvm::append_range(expanded, cShape);
      SmallVector<int64_t> shapeInX = layout::permuteShape(expanded, inverse);
      // Leading unit dimensions are implied by broadcasting.
      ArrayRef<int64_t> trimmed = ArrayRef<int64_t>(shapeInX).drop_while(
          [](int64_t d) { return d == 1; });
      FailureOr<ElementsAttr> value =
          layout::permuteConstant(c, expanded, inverse, trimmed, "_perm");
      if (failed(value))
        return rewriter.notifyMatchFailure(op, "unreadable constant");
      permuted[i] = *value;
    }

    SmallVector<Value> operands;
    for (auto [v, c] : llvm::zip_equal(op->getOperands(), permuted))
      operands.push_back(
          c ? rewriter.create<ConstantOp>(v.getLoc(), c.getType(), c)
                  .getResult()
            : v.getDefiningOp<TransposeOp>().getX());
    sinkBelow(rewriter, op, operands, *perm);
    return success();
  }
};

/// softmax / log_softmax along axis `a` of `transpose(x, p)` is along `p[a]`
/// of `x`.
template <typename OpTy> struct SinkThroughSoftmax : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getX().template getDefiningOp<TransposeOp>();
    if (!t)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    ArrayRef<int64_t> perm = t.getPerm();
    int64_t axis = perm[normalized(op.getAxis(), perm.size())];
    sinkBelow(rewriter, op, ValueRange{t.getX()}, perm,
              [&](Operation *c) { cast<OpTy>(c).setAxis(axis); });
    return success();
  }
};

/// batch_norm normalizes per feature along `axis`; its statistics are 1-D,
/// so only the axis follows the permutation (NCHW axis 1 becomes NHWC 3).
struct SinkThroughBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getX().getDefiningOp<TransposeOp>();
    if (!t)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    ArrayRef<int64_t> perm = t.getPerm();
    int64_t axis = perm[normalized(op.getAxis(), perm.size())];
    SmallVector<Value> operands(op->getOperands());
    operands[0] = t.getX();
    sinkBelow(rewriter, op, operands, perm,
              [&](Operation *c) { cast<BatchNormOp>(c).setAxis(axis); });
    return success();
  }
};

/// layer_norm over the trailing dimensions `[axis, rank)` commutes with a
/// permutation that leaves those dimensions in place.
struct SinkThroughLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getX().getDefiningOp<TransposeOp>();
    if (!t)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    ArrayRef<int64_t> perm = t.getPerm();
    int64_t rank = perm.size();
    for (int64_t i = normalized(op.getAxis(), rank); i < rank; ++i)
      if (perm[i] != i)
        return rewriter.notifyMatchFailure(op, "permutes normalized dims");
    SmallVector<Value> operands(op->getOperands());
    operands[0] = t.getX();
    sinkBelow(rewriter, op, operands, perm);
    return success();
  }
};

/// The permutation of a reduction's result when `axes` of `transpose(x,
/// perm)` are reduced away: the kept dimensions keep their relative order.
SmallVector<int64_t> keptPerm(ArrayRef<int64_t> perm,
                              const llvm::SmallBitVector &reduced) {
  // Position of each kept dimension of x in the reduced x.
  SmallVector<int64_t> position(perm.size(), -1);
  int64_t next = 0;
  for (int64_t d = 0, e = perm.size(); d < e; ++d)
    if (!reduced.test(d))
      position[d] = next++;
  SmallVector<int64_t> result;
  for (int64_t p : perm)
    if (!reduced.test(p))
      result.push_back(position[p]);
  return result;
}

/// A reduction over axes `A` of `transpose(x, p)` reduces `p(A)` of `x`;
/// without keepdims the result's transpose drops the reduced dimensions.
template <typename OpTy> struct SinkThroughReduce : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getX().template getDefiningOp<TransposeOp>();
    if (!t)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    ArrayRef<int64_t> perm = t.getPerm();
    int64_t rank = perm.size();
    SmallVector<int64_t> axes;
    llvm::SmallBitVector reduced(rank);
    for (int64_t a : op.getAxes()) {
      axes.push_back(perm[normalized(a, rank)]);
      reduced.set(axes.back());
    }
    llvm::sort(axes);
    SmallVector<int64_t> resultPerm =
        op.getKeepdims() ? SmallVector<int64_t>(perm) : keptPerm(perm, reduced);
    sinkBelow(rewriter, op, ValueRange{t.getX()}, resultPerm,
              [&](Operation *c) { cast<OpTy>(c).setAxes(axes); });
    return success();
  }
};

/// argmax / argmin along `a` of `transpose(x, p)` is along `p[a]` of `x`.
template <typename OpTy> struct SinkThroughArg : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getX().template getDefiningOp<TransposeOp>();
    if (!t)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    ArrayRef<int64_t> perm = t.getPerm();
    int64_t axis = perm[normalized(op.getAxis(), perm.size())];
    llvm::SmallBitVector reduced(perm.size());
    reduced.set(axis);
    SmallVector<int64_t> resultPerm =
        op.getKeepdims() ? SmallVector<int64_t>(perm) : keptPerm(perm, reduced);
    sinkBelow(rewriter, op, ValueRange{t.getX()}, resultPerm,
              [&](Operation *c) { cast<OpTy>(c).setAxis(axis); });
    return success();
  }
};

/// `v` (one entry per dimension of `transpose(x, perm)`) reindexed by the
/// dimensions of `x`.
SmallVector<int64_t> toInputOrder(ArrayRef<int64_t> v, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> result(v.size());
  for (auto [i, p] : llvm::enumerate(perm))
    result[p] = v[i];
  return result;
}

/// Padding of `transpose(x, p)`'s dimension `i` pads dimension `p[i]` of `x`.
struct SinkThroughPad : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getX().getDefiningOp<TransposeOp>();
    if (!t)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    ArrayRef<int64_t> perm = t.getPerm();
    SmallVector<int64_t> low = toInputOrder(op.getLow(), perm);
    SmallVector<int64_t> high = toInputOrder(op.getHigh(), perm);
    sinkBelow(rewriter, op, ValueRange{t.getX()}, perm, [&](Operation *c) {
      auto clone = cast<PadOp>(c);
      clone.setLow(low);
      clone.setHigh(high);
    });
    return success();
  }
};

/// Slicing `transpose(x, p)`'s dimension `i` slices dimension `p[i]` of `x`.
struct SinkThroughSlice : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getX().getDefiningOp<TransposeOp>();
    if (!t)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    ArrayRef<int64_t> perm = t.getPerm();
    SmallVector<int64_t> start = toInputOrder(op.getStart(), perm);
    SmallVector<int64_t> limit = toInputOrder(op.getLimit(), perm);
    std::optional<SmallVector<int64_t>> strides;
    if (std::optional<ArrayRef<int64_t>> s = op.getStrides())
      strides = toInputOrder(*s, perm);
    sinkBelow(rewriter, op, ValueRange{t.getX()}, perm, [&](Operation *c) {
      auto clone = cast<SliceOp>(c);
      clone.setStart(start);
      clone.setLimit(limit);
      if (strides)
        clone.setStrides(*strides);
    });
    return success();
  }
};

/// A concat of inputs all transposed by the same `p` along `a` is the
/// transpose of the concat of their inputs along `p[a]`.
struct SinkThroughConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> inputs;
    std::optional<ArrayRef<int64_t>> perm;
    for (Value v : op.getInputs()) {
      auto t = v.getDefiningOp<TransposeOp>();
      if (!t || (perm && t.getPerm() != *perm))
        return rewriter.notifyMatchFailure(op, "inputs not transposed alike");
      perm = t.getPerm();
      inputs.push_back(t.getX());
    }
    if (!perm)
      return rewriter.notifyMatchFailure(op, "no inputs");
    int64_t axis = (*perm)[normalized(op.getAxis(), perm->size())];
    sinkBelow(rewriter, op, inputs, *perm,
              [&](Operation *c) { cast<ConcatOp>(c).setAxis(axis); });
    return success();
  }
};

/// `matmul(reshape(transpose(x, p), [N, K]), W)` with a constant `W` and
/// `p[0] = 0` (a flatten after the last NCHW layer) reads row `k` of `W`
/// for the element at flattened position `k` of the transposed tensor.
/// Permuting `W`'s rows into `x`'s order lets the matmul read `x` flattened
/// directly: `W'[h*W*C + w*C + c] = W[c*H*W + h*W + w]`.
struct AbsorbTransposeIntoWeights : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto flatten = op.getA().getDefiningOp<ReshapeOp>();
    auto t =
        flatten ? flatten.getX().getDefiningOp<TransposeOp>() : TransposeOp();
    if (!t || op.getTransposeA())
      return rewriter.notifyMatchFailure(op, "not a flattened transpose");
    ElementsAttr weights;
    if (!matchPattern(op.getB(), m_Constant(&weights)))
      return rewriter.notifyMatchFailure(op, "weights are not a constant");
    ArrayRef<int64_t> perm = t.getPerm();
    ArrayRef<int64_t> shape = t.getType().getShape();
    ArrayRef<int64_t> flat = flatten.getType().getShape();
    ArrayRef<int64_t> wShape = weights.getShapedType().getShape();
    if (perm[0] != 0 || flat.size() != 2 || wShape.size() != 2 ||
        flat[0] != shape[0])
      return rewriter.notifyMatchFailure(op, "not a flatten of dims 1..");

    // Rows (or columns, with transpose_b) of W indexed by the transposed
    // dimensions 1.., reordered to x's dimensions 1...
    bool columns = op.getTransposeB();
    int64_t n = wShape[columns ? 0 : 1];
    SmallVector<int64_t> from(shape.drop_front());
    SmallVector<int64_t> order;
    SmallVector<int64_t> inverse = invert(perm);
    for (int64_t d = 1, e = perm.size(); d < e; ++d)
      order.push_back(inverse[d] - 1 + (columns ? 1 : 0));
    if (columns) {
      from.insert(from.begin(), n);
      order.insert(order.begin(), 0);
    } else {
      from.push_back(n);
      order.push_back(static_cast<int64_t>(from.size()) - 1);
    }
    FailureOr<ElementsAttr> value =
        layout::permuteConstant(weights, from, order, wShape, "_perm");
    if (failed(value))
      return rewriter.notifyMatchFailure(op, "unreadable constant");
    Value w = rewriter.create<ConstantOp>(op.getB().getLoc(), value->getType(),
                                          *value);
    Value a = rewriter.create<ReshapeOp>(flatten.getLoc(), t.getX(), flat);
    rewriter.modifyOpInPlace(op, [&] {
      op.getAMutable().assign(a);
      op.getBMutable().assign(w);
    });
    return success();
  }
};

/// A scan over transposed sequences steps along axis `a` of
/// `transpose(x, p)`, which is axis `p[a]` of `x`. When the other
/// dimensions keep their order (the time-major transpose Keras puts in
/// front of every RNN: [B, T, F] -> [T, B, F]), the scan can step along
/// `p[a]` of `x` directly, with identical step slices; its stacked outputs
/// then come out with the step at `p[a]` and one transpose restores the old
/// layout, to sink further (and cancel Keras' transpose back to
/// batch-major).
struct SinkTransposeIntoScan : OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScanOp scan,
                                PatternRewriter &rewriter) const override {
    if (scan.getSequences().empty())
      return rewriter.notifyMatchFailure(scan, "no sequences");
    SmallVector<int64_t> perm;
    SmallVector<Value> inputs;
    for (Value seq : scan.getSequences()) {
      auto t = seq.getDefiningOp<TransposeOp>();
      if (!t || (!perm.empty() && ArrayRef<int64_t>(perm) != t.getPerm()))
        return rewriter.notifyMatchFailure(
            scan, "sequences are not all transposed the same way");
      perm.assign(t.getPerm().begin(), t.getPerm().end());
      inputs.push_back(t.getX());
    }
    int64_t a = scan.getAxis(), rank = perm.size();
    if (a < 0 || a >= rank)
      return failure();
    int64_t b = perm[a];
    // The step slices must be identical: the other dims keep their order.
    int64_t previous = -1;
    for (int64_t i = 0; i < rank; ++i) {
      if (i == a)
        continue;
      if (perm[i] <= previous)
        return rewriter.notifyMatchFailure(
            scan, "the transpose reorders the dimensions of a step");
      previous = perm[i];
    }
    unsigned numInit = scan.getInit().size();
    for (unsigned k = numInit; k < scan.getNumResults(); ++k) {
      int64_t outRank = cast<RankedTensorType>(scan.getResult(k).getType()).getRank();
      if (b >= outRank)
        return rewriter.notifyMatchFailure(
            scan, "a step output has too few dimensions for the new axis");
    }
    OperationState state(scan.getLoc(), ScanOp::getOperationName());
    state.addOperands(scan.getInit());
    state.addOperands(inputs);
    auto &props = state.getOrAddProperties<ScanOp::Properties>();
    props = scan.getProperties();
    props.axis = rewriter.getI64IntegerAttr(b);
    for (unsigned k = 0; k < scan.getNumResults(); ++k) {
      auto type = cast<RankedTensorType>(scan.getResult(k).getType());
      if (k < numInit) {
        state.addTypes(type);
        continue;
      }
      // Move the step dimension from a to b.
      SmallVector<int64_t> shape(type.getShape());
      int64_t steps = shape[a];
      shape.erase(shape.begin() + a);
      shape.insert(shape.begin() + b, steps);
      state.addTypes(type.clone(shape));
    }
    state.addRegion();
    Operation *replacement = rewriter.create(state);
    rewriter.inlineRegionBefore(scan.getBody(), replacement->getRegion(0),
                                replacement->getRegion(0).end());
    SmallVector<Value> results;
    for (unsigned k = 0; k < scan.getNumResults(); ++k) {
      Value r = replacement->getResult(k);
      if (k < numInit) {
        results.push_back(r);
        continue;
      }
      // old = transpose(new, q): old dim i sits at q[i] in the new layout.
      int64_t outRank = cast<RankedTensorType>(r.getType()).getRank();
      SmallVector<int64_t> q(outRank);
      for (int64_t i = 0; i < outRank; ++i) {
        if (i == a) {
          q[i] = b;
          continue;
        }
        int64_t slice = i < a ? i : i - 1;
        q[i] = slice < b ? slice : slice + 1;
      }
      results.push_back(
          isIdentity(q) ? r
                        : rewriter.create<TransposeOp>(scan.getLoc(), r, q).getResult());
    }
    rewriter.replaceOp(scan, results);
    return success();
  }
};

} // namespace

void layout::populateTransposeSinkingPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns
      .add<ComposeTransposes, TransposeOfUnitDimsToReshape,
           SinkThroughElementwise, SinkThroughSoftmax<SoftmaxOp>,
           SinkThroughSoftmax<LogSoftmaxOp>, SinkThroughBatchNorm,
           SinkThroughLayerNorm, SinkThroughReduce<ReduceSumOp>,
           SinkThroughReduce<ReduceMeanOp>, SinkThroughReduce<ReduceMaxOp>,
           SinkThroughReduce<ReduceMinOp>, SinkThroughReduce<ReduceProdOp>,
           SinkThroughArg<ArgMaxOp>, SinkThroughArg<ArgMinOp>, SinkThroughPad,
           SinkThroughSlice, SinkThroughConcat, AbsorbTransposeIntoWeights,
           SinkTransposeIntoScan>(ctx);
}
