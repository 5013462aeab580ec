//===- SplitReductions.cpp - the kiln-cuda-split-reductions pass ----------===//
//
// A kernel runs one thread per output point and its reductions serially
// in the thread. A reduction with few outputs and many terms (batch-norm
// statistics, bias and scale gradients: a handful of channels, N·H·W terms
// each) would then run on a handful of threads. This pass splits such a
// reduction in two generics without any inter-thread communication:
//
//   partial[q..., o...] = ⊕ over the other reduction dims (from ⊕'s identity)
//   out[o...]           = out[o...] ⊕ (⊕ over q of partial[q..., o...])
//
// where q are the leading reduction dimensions, made parallel in the first
// generic. Each is an ordinary kernel; the results differ from the serial
// loop only by the order of the ⊕ (addition, multiplication, max, min).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cuda/Passes.h"
#include "compiler/conversion/PopulatePatterns.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCUDASPLITREDUCTIONS
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The combiner of a reduction body: `yield op(%out, f)` with `%out` (the
/// output's block argument) used by that op only.
struct Combiner {
  Operation *op;
  unsigned outOperand; // which operand of `op` is %out
};

std::optional<Combiner> matchCombiner(linalg::GenericOp g) {
  Block &body = g.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return std::nullopt;
  Operation *op = yield.getOperand(0).getDefiningOp();
  if (!op || op->getBlock() != &body || op->getNumOperands() != 2 ||
      !isa<arith::AddFOp, arith::MulFOp, arith::MaximumFOp, arith::MinimumFOp,
           arith::MaxNumFOp, arith::MinNumFOp>(op))
    return std::nullopt;
  BlockArgument out = body.getArgument(g.getNumDpsInputs());
  if (!out.hasOneUse())
    return std::nullopt;
  for (unsigned i = 0; i < 2; ++i)
    if (op->getOperand(i) == out && op->getOperand(1 - i) != out)
      return Combiner{op, i};
  return std::nullopt;
}

/// The identity of the combiner for `type`.
TypedAttr identity(Operation *op, FloatType type) {
  const llvm::fltSemantics &sem = type.getFloatSemantics();
  llvm::APFloat value =
      isa<arith::AddFOp>(op)   ? llvm::APFloat::getZero(sem, /*Negative=*/true)
      : isa<arith::MulFOp>(op) ? llvm::APFloat::getOne(sem)
      : isa<arith::MaximumFOp, arith::MaxNumFOp>(op)
          ? llvm::APFloat::getInf(sem, /*Negative=*/true)
          : llvm::APFloat::getInf(sem, /*Negative=*/false);
  return FloatAttr::get(type, value);
}

struct KilnCudaSplitReductions
    : kiln::impl::KilnCudaSplitReductionsBase<KilnCudaSplitReductions> {
  using KilnCudaSplitReductionsBase::KilnCudaSplitReductionsBase;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    // A convolution gradient cuDNN will run stays whole.
    getOperation().walk([&](linalg::GenericOp g) {
      if (!g->hasAttr(kiln::conversion::kConvBackwardAttr))
        candidates.push_back(g);
    });
    for (linalg::GenericOp g : candidates)
      split(g);
  }

  void split(linalg::GenericOp g) {
    if (!g.hasPureTensorSemantics() || g.getNumDpsInits() != 1 ||
        g.getNumReductionLoops() == 0)
      return;
    auto outType = dyn_cast<RankedTensorType>(g.getResult(0).getType());
    // IEEE types only: the identities of max/min are infinities.
    if (!outType || !outType.hasStaticShape() ||
        !(outType.getElementType().isF16() || outType.getElementType().isBF16() ||
          outType.getElementType().isF32() || outType.getElementType().isF64()))
      return;
    OpOperand *init = g.getDpsInitOperand(0);
    AffineMap outMap = g.getMatchingIndexingMap(init);
    if (!outMap.isProjectedPermutation(/*allowZeroInResults=*/false))
      return;
    std::optional<Combiner> combiner = matchCombiner(g);
    // Fast-math flags (ninf on an infinite identity) could make the split
    // differ by more than rounding.
    if (!combiner)
      return;
    if (auto fm = dyn_cast<arith::ArithFastMathInterface>(combiner->op))
      if (fm.getFastMathFlagsAttr() &&
          fm.getFastMathFlagsAttr().getValue() != arith::FastMathFlags::none)
        return;
    SmallVector<int64_t> ranges = g.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iters = g.getIteratorTypesArray();
    int64_t terms = 1;
    SmallVector<unsigned> reductionDims;
    for (unsigned d = 0; d < ranges.size(); ++d) {
      if (ShapedType::isDynamic(ranges[d]))
        return;
      if (iters[d] == utils::IteratorType::reduction) {
        reductionDims.push_back(d);
        terms *= ranges[d];
      }
    }
    int64_t outputs = outType.getNumElements();
    if (outputs >= maxOutputs || terms < minTerms)
      return;
    // The leading reduction dims go parallel while the threads stay
    // within budget and each thread keeps enough terms.
    SmallVector<unsigned> splitDims;
    int64_t parallelTerms = 1;
    for (unsigned d : reductionDims) {
      int64_t next = parallelTerms * ranges[d];
      if (outputs * next > maxThreads || terms / next < minSerial)
        break;
      parallelTerms = next;
      splitDims.push_back(d);
    }
    if (splitDims.empty())
      return;

    MLIRContext *ctx = &getContext();
    Location loc = g.getLoc();
    OpBuilder b(g);
    auto elementType = cast<FloatType>(outType.getElementType());
    // partial[q..., o...], filled with the identity.
    SmallVector<int64_t> partialShape;
    for (unsigned d : splitDims)
      partialShape.push_back(ranges[d]);
    llvm::append_range(partialShape, outType.getShape());
    Value empty = b.create<tensor::EmptyOp>(loc, partialShape, elementType);
    Value id = b.create<arith::ConstantOp>(
        loc, identity(combiner->op, elementType));
    Value partialInit = b.create<linalg::FillOp>(loc, id, empty).getResult(0);

    // Phase 1: the same body, the split dims parallel.
    SmallVector<AffineMap> maps = g.getIndexingMapsArray();
    SmallVector<AffineExpr> partialResults;
    for (unsigned d : splitDims)
      partialResults.push_back(getAffineDimExpr(d, ctx));
    llvm::append_range(partialResults, outMap.getResults());
    maps.back() = AffineMap::get(ranges.size(), 0, partialResults, ctx);
    SmallVector<utils::IteratorType> phase1Iters = iters;
    for (unsigned d : splitDims)
      phase1Iters[d] = utils::IteratorType::parallel;
    auto phase1 = b.create<linalg::GenericOp>(
        loc, TypeRange{partialInit.getType()}, g.getDpsInputs(),
        ValueRange{partialInit}, maps, phase1Iters);
    IRMapping none;
    g.getRegion().cloneInto(&phase1.getRegion(), none);

    // Phase 2: out[o...] = out[o...] ⊕ partial[q..., o...], over q.
    unsigned rank = outType.getRank(), q = splitDims.size();
    SmallVector<AffineExpr> partialRead, outWrite;
    for (unsigned i = 0; i < q; ++i)
      partialRead.push_back(getAffineDimExpr(rank + i, ctx));
    for (unsigned i = 0; i < rank; ++i) {
      partialRead.push_back(getAffineDimExpr(i, ctx));
      outWrite.push_back(getAffineDimExpr(i, ctx));
    }
    SmallVector<AffineMap> phase2Maps = {
        AffineMap::get(rank + q, 0, partialRead, ctx),
        AffineMap::get(rank + q, 0, outWrite, ctx)};
    SmallVector<utils::IteratorType> phase2Iters(rank,
                                                 utils::IteratorType::parallel);
    phase2Iters.append(q, utils::IteratorType::reduction);
    Operation *combine = combiner->op;
    unsigned outOperand = combiner->outOperand;
    auto phase2 = b.create<linalg::GenericOp>(
        loc, TypeRange{outType}, ValueRange{phase1.getResult(0)},
        ValueRange{init->get()}, phase2Maps, phase2Iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          // args: partial, out. Keep %out on the combiner's side.
          SmallVector<Value> operands(2);
          operands[outOperand] = args[1];
          operands[1 - outOperand] = args[0];
          Operation *c = nb.clone(*combine);
          c->setOperands(operands);
          nb.create<linalg::YieldOp>(nl, c->getResult(0));
        });
    g.getResult(0).replaceAllUsesWith(phase2.getResult(0));
    g.erase();
  }
};

} // namespace
