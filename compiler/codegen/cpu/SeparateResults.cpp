//===- SeparateResults.cpp - the kiln-separate-results pass ---------------===//

#include "compiler/codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSEPARATERESULTS
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Every result of an entry point gets its own buffer: a result that is an
/// argument, a constant, or repeats an earlier result is copied. (Outputs
/// are written into caller buffers; MLIR 19's buffer-results-to-out-params
/// also cannot hoist a returned argument.) A result named like an input
/// (the updated variables of a training step) is copied too, last, so the
/// caller may pass one buffer for both: nothing writes it before the
/// input's last read.
void separateResults(func::FuncOp func, func::ReturnOp ret) {
  OpBuilder b(ret);
  llvm::SmallPtrSet<Value, 4> seen;
  llvm::StringSet<> inputNames;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (auto name = func.getArgAttrOfType<StringAttr>(i, "kiln.name"))
      inputNames.insert(name.getValue());
  for (OpOperand &operand : ret->getOpOperands()) {
    Value v = operand.get();
    auto type = dyn_cast<RankedTensorType>(v.getType());
    auto name = func.getResultAttrOfType<StringAttr>(
        operand.getOperandNumber(), "kiln.name");
    bool inPlace = name && inputNames.contains(name.getValue());
    bool aliased = isa<BlockArgument>(v) || v.getDefiningOp<arith::ConstantOp>() ||
                   !seen.insert(v).second || inPlace;
    if (!type || !aliased)
      continue;
    Value init = b.create<tensor::EmptyOp>(ret.getLoc(), type.getShape(),
                                           type.getElementType());
    operand.set(
        b.create<linalg::CopyOp>(ret.getLoc(), v, init).getResult(0));
  }
}

struct KilnSeparateResults
    : kiln::impl::KilnSeparateResultsBase<KilnSeparateResults> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    func.walk([&](func::ReturnOp ret) { separateResults(func, ret); });
    // Inputs belong to the caller: bufferization must copy before writing.
    Builder b(&getContext());
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (isa<TensorType>(func.getArgument(i).getType()))
        func.setArgAttr(i, "bufferization.writable", b.getBoolAttr(false));
  }
};

} // namespace
