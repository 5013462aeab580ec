//===- FoldConstants.cpp - evaluate ops whose operands are constants ------===//

#include "passes/Passes.h"

#include "compiler/reference/Interpreter.h"

#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFOLDCONSTANTS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {
/// Folds in program order, so a chain of constant ops folds in one sweep.
struct FoldConstants : kiln::impl::KilnFoldConstantsBase<FoldConstants> {
  using KilnFoldConstantsBase::KilnFoldConstantsBase;

  void runOnOperation() override {
    int64_t counter = 0;
    OpBuilder b(&getContext());
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      std::string name = "folded" + std::to_string(counter);
      FailureOr<ElementsAttr> value =
          reference::foldToConstant(op, maxElements,
                                     reference::kFoldCostLimit, name);
      if (failed(value))
        return WalkResult::advance();
      ++counter;
      b.setInsertionPoint(op);
      auto folded = b.create<ConstantOp>(op->getLoc(), value->getType(), *value);
      op->getResult(0).replaceAllUsesWith(folded.getResult());
      op->erase();
      return WalkResult::skip();
    });
    // Constants only the folded ops read are dead now.
    eraseDeadOps(getOperation().getBody());
  }
};
} // namespace
