//===- Interpreter.cpp - walks kiln functions and dispatches to kernels ---===//

#include "compiler/reference/Interpreter.h"
#include "compiler/reference/Kernels.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::reference;

SmallVector<int64_t>
kiln::reference::broadcastStrides(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> outShape) {
  SmallVector<int64_t> inStrides = stridesOf(shape);
  SmallVector<int64_t> strides(outShape.size(), 0);
  size_t offset = outShape.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    strides[offset + i] = shape[i] == 1 ? 0 : inStrides[i];
  return strides;
}

FailureOr<Tensor> kiln::reference::resultTensor(Operation *op) {
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return Tensor::zeros(type, op->getLoc());
}

FailureOr<Tensor> kiln::reference::evaluateOp(Operation *op,
                                              ArrayRef<const Tensor *> operands) {
  if (auto constant = dyn_cast<ConstantOp>(op))
    return tensorFromAttr(constant.getValue(), op->getLoc());
  if (op->getNumResults() != 1)
    return op->emitError("the reference interpreter cannot evaluate '")
           << op->getName() << "' here";
  for (auto category : {evalElementwise, evalLinalg, evalReduction,
                        evalNormalization, evalDataMovement}) {
    KernelResult r = category(op, operands);
    if (!r)
      continue;
    if (failed(*r))
      return failure();
    normalize(**r);
    return std::move(**r);
  }
  return op->emitError("the reference interpreter does not support '")
         << op->getName() << "'";
}

namespace {

/// Evaluation state: one tensor per SSA value in scope.
class Interpreter {
public:
  /// Runs the ops of `block` after binding its arguments to `args`; on
  /// success `results` holds the terminator's operands.
  LogicalResult runBlock(Block &block, ArrayRef<Tensor> args,
                         SmallVectorImpl<Tensor> &results);

private:
  LogicalResult runScan(ScanOp scan);
  const Tensor *lookup(Value v) {
    auto it = values.find(v);
    return it == values.end() ? nullptr : &it->second;
  }

  llvm::DenseMap<Value, Tensor> values;
};

} // namespace

LogicalResult Interpreter::runBlock(Block &block, ArrayRef<Tensor> args,
                                    SmallVectorImpl<Tensor> &results) {
  for (auto [arg, t] : llvm::zip(block.getArguments(), args))
    values[arg] = t;
  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>()) {
      results.clear();
      for (Value v : op.getOperands())
        results.push_back(*lookup(v));
      return success();
    }
    if (auto scan = dyn_cast<ScanOp>(op)) {
      if (failed(runScan(scan)))
        return failure();
      continue;
    }
    if (auto fusion = dyn_cast<FusionOp>(op)) {
      // Bind the body's arguments directly (one copy per input; the copy
      // is taken before the insertion, which may move the map's storage).
      Block &body = fusion.getBody().front();
      for (auto [arg, v] : llvm::zip(body.getArguments(), fusion.getInputs())) {
        Tensor input = *lookup(v);
        values[arg] = std::move(input);
      }
      SmallVector<Tensor> outputs;
      if (failed(runBlock(body, {}, outputs)))
        return failure();
      for (auto [r, t] : llvm::zip(fusion.getResults(), outputs))
        values[r] = std::move(t);
      continue;
    }
    SmallVector<const Tensor *> operands;
    for (Value v : op.getOperands()) {
      const Tensor *t = lookup(v);
      if (!t)
        return op.emitError("operand has no value (defined in an unsupported "
                            "region?)");
      operands.push_back(t);
    }
    FailureOr<Tensor> result = evaluateOp(&op, operands);
    if (failed(result))
      return failure();
    values[op.getResult(0)] = std::move(*result);
  }
  return block.getParentOp()->emitError("block has no terminator");
}

/// Copies step `t` of `seq` along `axis` into `slice`, or back when
/// `toSlice` is false.
static void copyStep(Tensor &seq, Tensor &slice, int64_t axis, int64_t t,
                     bool toSlice) {
  AxisSplit split(seq.shape(), axis);
  for (int64_t o = 0; o < split.outer; ++o)
    for (int64_t i = 0; i < split.inner; ++i) {
      int64_t s = split.at(o, t, i), d = o * split.inner + i;
      if (seq.isFloat()) {
        if (toSlice)
          slice.floats[d] = seq.floats[s];
        else
          seq.floats[s] = slice.floats[d];
      } else {
        if (toSlice)
          slice.ints[d] = seq.ints[s];
        else
          seq.ints[s] = slice.ints[d];
      }
    }
}

LogicalResult Interpreter::runScan(ScanOp scan) {
  Block &body = scan.getBody().front();
  size_t numInit = scan.getInit().size();
  int64_t axis = scan.getAxis();
  int64_t steps = scan.getNumSteps();

  SmallVector<Tensor> carried;
  for (Value v : scan.getInit())
    carried.push_back(*lookup(v));
  SmallVector<Tensor> stacked;
  for (Value r : scan.getResults().drop_front(numInit)) {
    FailureOr<Tensor> t =
        Tensor::zeros(cast<RankedTensorType>(r.getType()), scan.getLoc());
    if (failed(t))
      return failure();
    stacked.push_back(std::move(*t));
  }
  SmallVector<Tensor> slices;
  for (BlockArgument arg : body.getArguments().drop_front(numInit)) {
    FailureOr<Tensor> t =
        Tensor::zeros(cast<RankedTensorType>(arg.getType()), scan.getLoc());
    if (failed(t))
      return failure();
    slices.push_back(std::move(*t));
  }

  SmallVector<Tensor> args, yielded;
  for (int64_t k = 0; k < steps; ++k) {
    int64_t t = scan.getReverse() ? steps - 1 - k : k;
    args.assign(carried.begin(), carried.end());
    for (auto [i, seq] : llvm::enumerate(scan.getSequences())) {
      copyStep(values[seq], slices[i], axis, t, /*toSlice=*/true);
      args.push_back(slices[i]);
    }
    if (failed(runBlock(body, args, yielded)))
      return failure();
    for (size_t i = 0; i < numInit; ++i)
      carried[i] = std::move(yielded[i]);
    for (size_t i = 0; i < stacked.size(); ++i)
      copyStep(stacked[i], yielded[numInit + i], axis, t, /*toSlice=*/false);
  }
  for (size_t i = 0; i < numInit; ++i)
    values[scan.getResult(i)] = std::move(carried[i]);
  for (size_t i = 0; i < stacked.size(); ++i)
    values[scan.getResult(numInit + i)] = std::move(stacked[i]);
  return success();
}

FailureOr<SmallVector<Tensor>> kiln::reference::interpret(func::FuncOp fn,
                                                          ArrayRef<Tensor> args) {
  if (fn.isExternal())
    return fn.emitError("function '") << fn.getName() << "' has no body";
  ArrayRef<Type> argTypes = fn.getArgumentTypes();
  if (args.size() != argTypes.size())
    return fn.emitError("function '")
           << fn.getName() << "' takes " << argTypes.size()
           << " arguments, got " << args.size();
  for (auto [i, t] : llvm::enumerate(args))
    if (t.type != argTypes[i])
      return fn.emitError("argument #")
             << i << " of '" << fn.getName() << "' must be " << argTypes[i]
             << ", got " << t.type;
  Interpreter interp;
  SmallVector<Tensor> results;
  if (failed(interp.runBlock(fn.getBody().front(), args, results)))
    return failure();
  return results;
}

//===----------------------------------------------------------------------===//
// Constant folding support
//===----------------------------------------------------------------------===//

int64_t kiln::reference::evaluationCost(Operation *op) {
  auto elements = [](Value v) -> int64_t {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && type.hasStaticShape() ? type.getNumElements() : 0;
  };
  int64_t result = op->getNumResults() ? elements(op->getResult(0)) : 0;
  int64_t cost = result;
  if (auto mm = dyn_cast<MatmulOp>(op)) {
    auto a = cast<RankedTensorType>(mm.getA().getType());
    int64_t k = a.getDimSize(a.getRank() - (mm.getTransposeA() ? 2 : 1));
    if (llvm::MulOverflow(result, std::max<int64_t>(k, 1), cost))
      return INT64_MAX;
  } else if (isa<Conv2DOp>(op)) {
    if (llvm::MulOverflow(result, std::max<int64_t>(elements(op->getOperand(1)), 1), cost))
      return INT64_MAX;
  } else if (isa<Conv2DBackpropInputOp, Conv2DBackpropFilterOp>(op)) {
    // As the forward convolution: output gradient × filter size.
    Value grad = op->getOperand(isa<Conv2DBackpropInputOp>(op) ? 0 : 1);
    int64_t filter = isa<Conv2DBackpropInputOp>(op) ? elements(op->getOperand(1))
                                                    : result;
    if (llvm::MulOverflow(elements(grad), std::max<int64_t>(filter, 1), cost))
      return INT64_MAX;
  } else if (isa<MaxPool2DOp, AvgPool2DOp, Pool2DGradOp>(op)) {
    auto kernel = op->getAttrOfType<DenseI64ArrayAttr>("kernel_size");
    int64_t window = 1;
    for (int64_t k : kernel ? kernel.asArrayRef() : ArrayRef<int64_t>())
      if (llvm::MulOverflow(window, std::max<int64_t>(k, 1), window))
        return INT64_MAX;
    if (llvm::MulOverflow(result, window, cost))
      return INT64_MAX;
  } else {
    for (Value v : op->getOperands())
      if (llvm::AddOverflow(cost, elements(v), cost))
        return INT64_MAX;
  }
  return cost;
}

FailureOr<ElementsAttr> kiln::reference::foldToConstant(Operation *op,
                                                        int64_t maxElements,
                                                        int64_t maxCost,
                                                        StringRef blobName) {
  if (isa<ConstantOp>(op) || op->getNumRegions() || op->getNumResults() != 1 ||
      op->getNumOperands() == 0 || !isa<KilnDialect>(op->getDialect()))
    return failure();
  SmallVector<ElementsAttr> inputs;
  for (Value operand : op->getOperands()) {
    auto c = operand.getDefiningOp<ConstantOp>();
    if (!c || c.getValue().getNumElements() > maxElements)
      return failure();
    inputs.push_back(c.getValue());
  }
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!resultType || !resultType.hasStaticShape() ||
      resultType.getNumElements() > maxElements ||
      evaluationCost(op) > maxCost)
    return failure();
  // Evaluation failures (an index out of range in dead code, say) are not
  // errors: the op simply stays.
  ScopedDiagnosticHandler silence(op->getContext(),
                                  [](Diagnostic &) { return success(); });
  SmallVector<Tensor> tensors;
  for (ElementsAttr attr : inputs) {
    FailureOr<Tensor> t = tensorFromAttr(attr, op->getLoc());
    if (failed(t))
      return failure();
    tensors.push_back(std::move(*t));
  }
  SmallVector<const Tensor *> ptrs;
  for (const Tensor &t : tensors)
    ptrs.push_back(&t);
  FailureOr<Tensor> result = evaluateOp(op, ptrs);
  if (failed(result))
    return failure();
  return tensorToAttr(*result, blobName);
}
