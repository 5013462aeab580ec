//===- FuseElementwise.cpp - the kiln-fuse-elementwise pass ---------------===//

#include "compiler/codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSEELEMENTWISE
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct KilnFuseElementwise
    : kiln::impl::KilnFuseElementwiseBase<KilnFuseElementwise> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Fuse only into consumers, and only producers that are generics: named
    // ops (matmul, pooling) keep their identity for the backend. A producer
    // with fewer elements than the consumer's loop nest (a per-channel
    // scale, an optimizer's step-size scalar) is not fused: the consumer
    // would recompute it for every element it broadcasts to.
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      auto producer = fused->get().getDefiningOp<linalg::GenericOp>();
      auto consumer = dyn_cast<linalg::GenericOp>(fused->getOwner());
      if (!producer || !consumer)
        return false;
      auto size = [](ArrayRef<int64_t> ranges) -> std::optional<int64_t> {
        int64_t n = 1;
        for (int64_t r : ranges)
          if (ShapedType::isDynamic(r) || llvm::MulOverflow(n, r, n))
            return std::nullopt;
        return n;
      };
      std::optional<int64_t> produced = size(
          cast<ShapedType>(fused->get().getType()).getShape());
      std::optional<int64_t> consumed = size(consumer.getStaticLoopRanges());
      return !produced || !consumed || *produced >= *consumed;
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
