//===- AssignLayout.cpp - convert convolutions to the target's layout -----===//

#include "passes/Passes.h"
#include "passes/layout/TransposeSinking.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNASSIGNLAYOUT
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

constexpr int64_t kToNHWC[] = {0, 2, 3, 1};
constexpr int64_t kToNCHW[] = {0, 3, 1, 2};
constexpr int64_t kOIHWToHWIO[] = {2, 3, 1, 0};

/// What a target wants of convolutions and pools.
struct TargetLayout {
  bool hwioFilters;
};

/// Rewrites `op` (a conv2d or pool in NCHW) to NHWC between a transpose of
/// its input to NHWC and one of its result back to NCHW; the sinking
/// patterns then cancel the pairs between consecutive layers.
template <typename OpTy> void convertToNHWC(OpTy op, OpBuilder &b) {
  b.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value input = b.create<TransposeOp>(loc, op.getInput(), kToNHWC);
  auto nhwc = cast<OpTy>(b.clone(*op.getOperation()));
  nhwc.getInputMutable().assign(input);
  nhwc.setDataFormat("NHWC");
  auto type = cast<RankedTensorType>(op.getType());
  nhwc.getResult().setType(
      type.clone(layout::permuteShape(type.getShape(), kToNHWC)));
  Value back = b.create<TransposeOp>(loc, nhwc.getResult(), kToNCHW);
  op.getResult().replaceAllUsesWith(back);
  op.erase();
}

/// Permutes a constant OIHW filter to HWIO. A filter computed at run time
/// stays OIHW: transposing it on every call would cost more than it saves.
void convertFilterToHWIO(Conv2DOp conv, OpBuilder &b) {
  ElementsAttr filter;
  if (conv.getFilterFormat() != "OIHW" ||
      !matchPattern(conv.getFilter(), m_Constant(&filter)))
    return;
  ArrayRef<int64_t> shape = filter.getShapedType().getShape();
  SmallVector<int64_t> hwio = layout::permuteShape(shape, kOIHWToHWIO);
  FailureOr<ElementsAttr> value =
      layout::permuteConstant(filter, shape, kOIHWToHWIO, hwio, "_hwio");
  if (failed(value))
    return;
  b.setInsertionPoint(conv);
  auto constant =
      b.create<ConstantOp>(conv.getFilter().getLoc(), value->getType(), *value);
  conv.getFilterMutable().assign(constant);
  conv.setFilterFormat("HWIO");
}

struct AssignLayout : kiln::impl::KilnAssignLayoutBase<AssignLayout> {
  using KilnAssignLayoutBase::KilnAssignLayoutBase;

  /// Rejects an unknown target once, before any function is touched.
  LogicalResult initialize(MLIRContext *ctx) override {
    layout = llvm::StringSwitch<std::optional<TargetLayout>>(target)
                 .Case("cpu", TargetLayout{/*hwioFilters=*/true})
                 .Case("cuda", TargetLayout{/*hwioFilters=*/false})
                 .Default(std::nullopt);
    if (!layout)
      return emitError(UnknownLoc::get(ctx))
             << "kiln-assign-layout: unknown target '" << target
             << "' (expected 'cpu' or 'cuda')";
    RewritePatternSet set(ctx);
    layout::populateTransposeSinkingPatterns(set);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    OpBuilder b(&getContext());
    fn.walk([&](Operation *op) {
      if (auto conv = dyn_cast<Conv2DOp>(op)) {
        if (layout->hwioFilters)
          convertFilterToHWIO(conv, b);
        if (conv.getDataFormat() == "NCHW")
          convertToNHWC(conv, b);
      } else if (auto pool = dyn_cast<MaxPool2DOp>(op)) {
        if (pool.getDataFormat() == "NCHW")
          convertToNHWC(pool, b);
      } else if (auto pool = dyn_cast<AvgPool2DOp>(op)) {
        if (pool.getDataFormat() == "NCHW")
          convertToNHWC(pool, b);
      }
    });

    // Every pattern moves a transpose strictly downward or removes one, so
    // the driver converges; should it stop at its iteration limit, the IR
    // is still correct, only less optimized.
    (void)applyPatternsAndFoldGreedily(fn, patterns);
    eraseDeadOps(fn.getBody());
  }

private:
  std::optional<TargetLayout> layout;
  FrozenRewritePatternSet patterns;
};

} // namespace
