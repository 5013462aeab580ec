//===- PrivateInits.cpp - the kiln-private-inits pass ---------------------===//

#include "compiler/codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

namespace kiln {
#define GEN_PASS_DEF_KILNPRIVATEINITS
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct KilnPrivateInits
    : kiln::impl::KilnPrivateInitsBase<KilnPrivateInits> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> fills;
    getOperation().walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() && fill->getNumResults() == 1 &&
          fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>() &&
          !fill->getResult(0).hasOneUse())
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills) {
      Value shared = fill->getResult(0);
      auto empty = fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
      SmallVector<OpOperand *> inits;
      for (OpOperand &use : shared.getUses()) {
        auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
        if (dps && dps.isDpsInit(&use))
          inits.push_back(&use);
      }
      // When nothing but inits uses the fill, one of them keeps it.
      if (!inits.empty() && inits.size() == llvm::range_size(shared.getUses()))
        inits.pop_back();
      for (OpOperand *use : inits) {
        OpBuilder b(use->getOwner());
        IRMapping mapping;
        mapping.map(empty.getResult(), b.clone(*empty)->getResult(0));
        use->set(b.clone(*fill, mapping)->getResult(0));
      }
    }
  }
};

} // namespace
