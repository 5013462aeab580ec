//===- Control.cpp - kiln → linalg: scan and fusion -----------------------===//
//
// A `kiln.fusion` is inlined: its ops are lowered in place and the
// elementwise fusion that follows merges them into one loop nest. A
// `kiln.scan` becomes an `scf.for` over the steps whose iteration arguments
// are the carried values and the stacked per-step outputs.
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/PopulatePatterns.h"
#include "compiler/conversion/Utils.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace kiln::conversion {
namespace {

/// Clones the ops of `body` (a kiln region ending in kiln.yield) at the
/// insertion point with its arguments bound to `args`; returns the values
/// the yield would produce. The clones are legalized by the driver in turn.
SmallVector<Value> cloneBody(ConversionPatternRewriter &rewriter, Block &body,
                             ValueRange args) {
  IRMapping mapping;
  mapping.map(body.getArguments(), args);
  for (Operation &inner : body.without_terminator())
    rewriter.clone(inner, mapping);
  SmallVector<Value> results;
  for (Value v : cast<YieldOp>(body.getTerminator()).getValues())
    results.push_back(mapping.lookupOrDefault(v));
  return results;
}

struct FusionLowering : OpConversionPattern<FusionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FusionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, cloneBody(rewriter, op.getBody().front(), adaptor.getInputs()));
    return success();
  }
};

/// Offsets/sizes/strides selecting step `index` along `axis` of `type`.
void stepSlice(OpBuilder &b, RankedTensorType type, int64_t axis, Value index,
               SmallVectorImpl<OpFoldResult> &offsets,
               SmallVectorImpl<OpFoldResult> &sizes,
               SmallVectorImpl<OpFoldResult> &strides) {
  for (int64_t d = 0; d < type.getRank(); ++d) {
    offsets.push_back(d == axis ? OpFoldResult(index) : b.getIndexAttr(0));
    sizes.push_back(b.getIndexAttr(d == axis ? 1 : type.getDimSize(d)));
    strides.push_back(b.getIndexAttr(1));
  }
}

/// Reassociation merging dimension `axis` (of size 1) of a rank-`rank`
/// tensor into a neighbour.
SmallVector<ReassociationIndices> stepReassociation(int64_t rank,
                                                    int64_t axis) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < rank; ++d) {
    if (d == axis)
      continue;
    groups.push_back({d});
  }
  if (groups.empty())
    return groups; // rank 1 → rank 0
  if (axis == 0)
    groups.front().insert(groups.front().begin(), 0);
  else
    groups[axis - 1].push_back(axis);
  return groups;
}

/// `v` ([..., 1 at axis, ...]) without its step dimension.
Value dropStepDim(OpBuilder &b, Location loc, Value v, int64_t axis) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  return b.create<tensor::CollapseShapeOp>(
      loc, RankedTensorType::get(shape, type.getElementType()), v,
      stepReassociation(type.getRank(), axis));
}

/// `v` with a unit step dimension inserted at `axis`.
Value addStepDim(OpBuilder &b, Location loc, Value v, int64_t axis) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + axis, 1);
  return b.create<tensor::ExpandShapeOp>(
      loc, RankedTensorType::get(shape, type.getElementType()), v,
      stepReassociation(type.getRank() + 1, axis));
}

struct ScanLowering : OpConversionPattern<ScanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t steps = op.getNumSteps();
    int64_t axis = op.getAxis();
    unsigned numInit = op.getInit().size();
    SmallVector<Value> iterInit(adaptor.getInit());
    for (Value r : op.getResults().drop_front(numInit))
      iterInit.push_back(
          emptyTensor(rewriter, loc, cast<RankedTensorType>(r.getType())));
    Value lb = rewriter.create<arith::ConstantIndexOp>(loc, 0);
    Value ub = rewriter.create<arith::ConstantIndexOp>(loc, steps);
    Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
    auto loop = rewriter.create<scf::ForOp>(loc, lb, ub, one, iterInit);
    Block *loopBody = loop.getBody();
    rewriter.setInsertionPointToStart(loopBody);
    Value step = loop.getInductionVar();
    if (op.getReverse())
      step = rewriter.create<arith::SubIOp>(
          loc, rewriter.create<arith::ConstantIndexOp>(loc, steps - 1), step);

    SmallVector<Value> blockArgs(loop.getRegionIterArgs().take_front(numInit));
    for (Value seq : adaptor.getSequences()) {
      auto type = cast<RankedTensorType>(seq.getType());
      SmallVector<OpFoldResult> offsets, sizes, strides;
      stepSlice(rewriter, type, axis, step, offsets, sizes, strides);
      // Slice at full rank, then drop the step dimension with a reshape:
      // MLIR 19's canonicalizer reorders the sizes of a rank-reducing
      // extract_slice with other unit dimensions when it folds the offset.
      SmallVector<int64_t> fullShape(type.getShape());
      fullShape[axis] = 1;
      auto fullType = RankedTensorType::get(fullShape, type.getElementType());
      Value slice = rewriter.create<tensor::ExtractSliceOp>(
          loc, fullType, seq, offsets, sizes, strides);
      blockArgs.push_back(dropStepDim(rewriter, loc, slice, axis));
    }

    SmallVector<Value> yielded =
        cloneBody(rewriter, op.getBody().front(), blockArgs);
    // Each carried value is copied into its iteration argument, so the
    // loop state bufferizes in place (one buffer per carried value, read
    // before it is overwritten at the end of the step).
    SmallVector<Value> next;
    for (unsigned k = 0; k < numInit; ++k) {
      Value iterArg = loop.getRegionIterArgs()[k];
      Value v = yielded[k];
      if (v == iterArg) {
        next.push_back(v);
        continue;
      }
      next.push_back(
          rewriter.create<linalg::CopyOp>(loc, v, iterArg).getResult(0));
    }
    for (auto [k, v] : llvm::enumerate(llvm::drop_begin(yielded, numInit))) {
      Value acc = loop.getRegionIterArgs()[numInit + k];
      auto accType = cast<RankedTensorType>(acc.getType());
      SmallVector<OpFoldResult> offsets, sizes, strides;
      stepSlice(rewriter, accType, axis, step, offsets, sizes, strides);
      next.push_back(rewriter.create<tensor::InsertSliceOp>(
          loc, addStepDim(rewriter, loc, v, axis), acc, offsets, sizes,
          strides));
    }
    rewriter.create<scf::YieldOp>(loc, next);
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

} // namespace

void populateControlPatterns(RewritePatternSet &patterns) {
  patterns.add<FusionLowering, ScanLowering>(patterns.getContext());
}

} // namespace kiln::conversion
