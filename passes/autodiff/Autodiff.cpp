//===- Autodiff.cpp - reverse-mode automatic differentiation --------------===//

#include "passes/autodiff/Autodiff.h"
#include "dialects/kiln/KilnBuilder.h"
#include "passes/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"

namespace kiln {
#define GEN_PASS_DEF_KILNAUTODIFF
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using kiln::isFloatTensor;

namespace {

/// Whether `op` or an op nested in it reads a value of `values`.
bool readsAny(Operation &op, const llvm::DenseSet<Value> &values) {
  bool found = false;
  op.walk([&](Operation *inner) {
    for (Value v : inner->getOperands())
      found |= values.contains(v);
  });
  return found;
}

/// A zero constant of the tensor type `type` (float or integer).
Value zerosOf(OpBuilder &b, Location loc, Type type) {
  auto t = cast<RankedTensorType>(type);
  Attribute zero = isa<FloatType>(t.getElementType())
                       ? Attribute(b.getFloatAttr(t.getElementType(), 0.0))
                       : Attribute(b.getIntegerAttr(t.getElementType(), 0));
  return b.create<kiln::ConstantOp>(loc, DenseElementsAttr::get(t, zero));
}

/// Clones `scan`'s body (without its terminator) at `b` with its block
/// arguments bound to `args`; returns the values it would yield.
SmallVector<Value> cloneStep(OpBuilder &b, kiln::ScanOp scan, ValueRange args) {
  Block &body = scan.getBody().front();
  IRMapping map;
  map.map(body.getArguments(), args);
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  SmallVector<Value> yields;
  for (Value v : body.getTerminator()->getOperands())
    yields.push_back(map.lookupOrDefault(v));
  return yields;
}

/// The gradient of `kiln.scan`: a scan in the opposite direction over the
/// carried values each step started from (recomputed by a copy of the
/// forward scan that also stacks them), the sequences and the gradients of
/// the stacked outputs. Its body recomputes the step, differentiates it
/// (buildGradients, recursively) and carries the gradient of the state and
/// the accumulated gradients of the values the body captures from above
/// (weights), which are returned in `captured`.
LogicalResult
scanGradient(OpBuilder &b, kiln::ScanOp scan, ArrayRef<Value> resultGrads,
             const llvm::DenseSet<Value> &varied,
             SmallVectorImpl<Value> &operandGrads,
             SmallVectorImpl<std::pair<Value, Value>> &captured) {
  Location loc = scan.getLoc();
  unsigned numCarried = scan.getInit().size();
  unsigned numSeqs = scan.getSequences().size();
  int64_t axis = scan.getAxis();

  // Values from above the body that need gradients.
  SmallVector<Value> weights;
  llvm::DenseSet<Value> seen;
  scan.getBody().walk([&](Operation *inner) {
    for (Value v : inner->getOperands())
      if (!scan.getBody().isAncestor(v.getParentRegion()) && varied.contains(v) &&
          isFloatTensor(v) && seen.insert(v).second)
        weights.push_back(v);
  });

  // The carried values every step starts from, stacked along `axis`: the
  // initial value, then the state each step produced (stacked by a copy of
  // the forward scan), shifted by one step in the scan's direction.
  auto history = b.create<kiln::ScanOp>(
      loc, scan.getInit(), scan.getSequences(), scan.getReverse(), axis,
      [&](OpBuilder &nb, Location, ValueRange args) {
        SmallVector<Value> yields = cloneStep(nb, scan, args);
        for (unsigned i = 0; i < numCarried; ++i)
          yields.push_back(yields[i]);
        return yields;
      });
  if (auto length = scan.getLengthAttr())
    history.setLengthAttr(length);
  int64_t steps = scan.getNumSteps();
  SmallVector<Value> carriedHistory;
  for (unsigned i = 0; i < numCarried; ++i) {
    Value next = history.getResults()[history.getNumResults() - numCarried + i];
    auto type = cast<RankedTensorType>(next.getType());
    SmallVector<int64_t> one(type.getShape());
    one[axis] = 1;
    Value first = b.create<kiln::ReshapeOp>(loc, scan.getInit()[i], one);
    if (steps == 1) {
      carriedHistory.push_back(first);
      continue;
    }
    SmallVector<int64_t> start(type.getRank(), 0), limit(type.getShape());
    if (scan.getReverse())
      start[axis] = 1;
    else
      limit[axis] = steps - 1;
    Value shifted = b.create<kiln::SliceOp>(
        loc, next, b.getDenseI64ArrayAttr(start), b.getDenseI64ArrayAttr(limit),
        DenseI64ArrayAttr());
    SmallVector<Value> parts = scan.getReverse() ? SmallVector<Value>{shifted, first}
                                                 : SmallVector<Value>{first, shifted};
    carriedHistory.push_back(b.create<kiln::ConcatOp>(loc, parts, axis));
  }

  // The backward scan: carried (d_state..., d_weights...), sequences
  // (state history..., sequences..., d_outputs...).
  SmallVector<Value> init;
  for (unsigned i = 0; i < numCarried; ++i) {
    Value g = resultGrads[i];
    init.push_back(g ? g : zerosOf(b, loc, scan.getResult(i).getType()));
  }
  for (Value w : weights)
    init.push_back(zerosOf(b, loc, w.getType()));
  SmallVector<Value> seqs(carriedHistory);
  seqs.append(scan.getSequences().begin(), scan.getSequences().end());
  for (unsigned i = numCarried; i < scan.getNumResults(); ++i) {
    Value g = resultGrads[i];
    seqs.push_back(g ? g : zerosOf(b, loc, scan.getResult(i).getType()));
  }
  LogicalResult status = success();
  auto backward = b.create<kiln::ScanOp>(
      loc, init, seqs, !scan.getReverse(), axis,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> SmallVector<Value> {
        ValueRange dState = args.take_front(numCarried);
        ValueRange dWeights = args.slice(numCarried, weights.size());
        ValueRange states = args.slice(numCarried + weights.size(), numCarried);
        ValueRange slices =
            args.slice(numCarried + weights.size() + numCarried, numSeqs);
        ValueRange dOutputs =
            args.drop_front(numCarried + weights.size() + numCarried + numSeqs);
        SmallVector<Value> stepArgs(states.begin(), states.end());
        stepArgs.append(slices.begin(), slices.end());
        SmallVector<Value> step = cloneStep(nb, scan, stepArgs);
        SmallVector<std::pair<Value, Value>> seeds;
        for (auto [i, y] : llvm::enumerate(step)) {
          Value dy = i < numCarried ? dState[i] : dOutputs[i - numCarried];
          if (isFloatTensor(y))
            seeds.push_back({y, dy});
        }
        SmallVector<Value> wrt(stepArgs);
        wrt.append(weights.begin(), weights.end());
        Block *block = nb.getInsertionBlock();
        FailureOr<SmallVector<Value>> grads =
            kiln::autodiff::buildGradients(nb, *block, seeds, wrt);
        SmallVector<Value> yields;
        if (failed(grads)) {
          status = failure();
          for (Value v : args.take_front(numCarried + weights.size()))
            yields.push_back(v);
          return yields;
        }
        for (unsigned i = 0; i < numCarried; ++i)
          yields.push_back(isFloatTensor(states[i]) ? (*grads)[i] : dState[i]);
        for (unsigned i = 0; i < weights.size(); ++i)
          yields.push_back(nb.create<kiln::AddOp>(
              nl, dWeights[i], (*grads)[numCarried + numSeqs + i]));
        for (unsigned i = 0; i < numSeqs; ++i)
          if (isFloatTensor(slices[i]))
            yields.push_back((*grads)[numCarried + i]);
        return yields;
      });
  if (failed(status))
    return failure();

  operandGrads.assign(scan->getNumOperands(), Value());
  for (unsigned i = 0; i < numCarried; ++i)
    if (isFloatTensor(scan.getInit()[i]))
      operandGrads[i] = backward.getResult(i);
  unsigned next = numCarried + weights.size();
  for (unsigned i = 0; i < numSeqs; ++i)
    if (isFloatTensor(scan.getSequences()[i]))
      operandGrads[numCarried + i] = backward.getResult(next++);
  for (unsigned i = 0; i < weights.size(); ++i)
    captured.push_back({weights[i], backward.getResult(numCarried + i)});
  return success();
}

} // namespace

FailureOr<SmallVector<Value>> kiln::autodiff::buildGradients(
    OpBuilder &b, Block &body, ArrayRef<std::pair<Value, Value>> seeds,
    ArrayRef<Value> wrt) {
  // Values that depend on `wrt` through floating-point results.
  llvm::DenseSet<Value> varied(wrt.begin(), wrt.end());
  for (Operation &op : body)
    if (readsAny(op, varied))
      for (Value r : op.getResults())
        if (isFloatTensor(r))
          varied.insert(r);

  // The ops between `wrt` and the seeds, last first.
  llvm::DenseSet<Value> useful;
  for (auto &seed : seeds)
    useful.insert(seed.first);
  SmallVector<Operation *> tape;
  for (Operation &op : llvm::reverse(body)) {
    // Leaves (constants, possibly differentiated themselves) pass nothing on.
    if (op.getNumOperands() == 0 && op.getNumRegions() == 0)
      continue;
    if (!llvm::any_of(op.getResults(), [&](Value r) {
          return useful.contains(r) && varied.contains(r);
        }))
      continue;
    tape.push_back(&op);
    op.walk([&](Operation *inner) {
      for (Value v : inner->getOperands())
        useful.insert(v);
    });
  }

  llvm::DenseMap<Value, Value> grads;
  auto accumulate = [&](Value v, Value g, Location loc) {
    Value &slot = grads[v];
    slot = slot ? b.create<kiln::AddOp>(loc, slot, g).getResult() : g;
  };
  for (auto &seed : seeds)
    if (varied.contains(seed.first))
      accumulate(seed.first, seed.second, seed.first.getLoc());

  for (Operation *op : tape) {
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value r : op->getResults()) {
      resultGrads.push_back(grads.lookup(r));
      any |= static_cast<bool>(resultGrads.back());
    }
    if (!any)
      continue;
    if (auto scan = dyn_cast<kiln::ScanOp>(op)) {
      llvm::SmallVector<std::pair<Value, Value>> captured;
      SmallVector<Value> operandGrads;
      if (failed(scanGradient(b, scan, resultGrads, varied, operandGrads,
                              captured)))
        return failure();
      for (auto [v, g] : llvm::zip(op->getOperands(), operandGrads))
        if (g && varied.contains(v))
          accumulate(v, g, op->getLoc());
      for (auto &[v, g] : captured)
        accumulate(v, g, op->getLoc());
      continue;
    }
    auto rule = dyn_cast<kiln::GradientOpInterface>(op);
    if (!rule)
      return op->emitOpError("has no gradient rule, and it lies between the "
                             "differentiated values and the loss");
    SmallVector<Value> operandGrads;
    if (failed(rule.buildGradient(b, resultGrads, operandGrads)))
      return failure();
    for (auto [v, g] : llvm::zip(op->getOperands(), operandGrads)) {
      if (!g || !varied.contains(v))
        continue;
      if (g.getType() != v.getType())
        return op->emitOpError("gradient rule produced ")
               << g.getType() << " for an operand of type " << v.getType();
      accumulate(v, g, op->getLoc());
    }
  }

  SmallVector<Value> result;
  for (Value w : wrt) {
    Value g = grads.lookup(w);
    result.push_back(g ? g : zerosOf(b, w.getLoc(), w.getType()));
  }
  return result;
}

FailureOr<func::FuncOp> kiln::autodiff::buildVjpFunction(func::FuncOp fn,
                                                        StringRef name) {
  if (fn.getBody().getBlocks().size() != 1)
    return fn.emitOpError("must have a single block to be differentiated");
  MLIRContext *ctx = fn.getContext();
  SmallVector<Type> inputs(fn.getArgumentTypes());
  SmallVector<unsigned> floatResults, floatArgs;
  for (auto [i, t] : llvm::enumerate(fn.getResultTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (tensor && isa<FloatType>(tensor.getElementType())) {
      floatResults.push_back(i);
      inputs.push_back(t);
    }
  }
  SmallVector<Type> outputs;
  for (auto [i, t] : llvm::enumerate(fn.getArgumentTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (tensor && isa<FloatType>(tensor.getElementType())) {
      floatArgs.push_back(i);
      outputs.push_back(t);
    }
  }

  OpBuilder b(ctx);
  b.setInsertionPointAfter(fn);
  auto vjp = b.create<func::FuncOp>(fn.getLoc(), name,
                                    FunctionType::get(ctx, inputs, outputs));
  Block *entry = vjp.addEntryBlock();
  IRMapping mapping;
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    mapping.map(fn.getArgument(i), entry->getArgument(i));
  b.setInsertionPointToEnd(entry);
  Operation *terminator = fn.getBody().front().getTerminator();
  for (Operation &op : fn.getBody().front().without_terminator())
    b.clone(op, mapping);

  SmallVector<std::pair<Value, Value>> seeds;
  for (auto [k, i] : llvm::enumerate(floatResults))
    seeds.push_back({mapping.lookup(terminator->getOperand(i)),
                     entry->getArgument(fn.getNumArguments() + k)});
  SmallVector<Value> wrt;
  for (unsigned i : floatArgs)
    wrt.push_back(entry->getArgument(i));
  FailureOr<SmallVector<Value>> grads = buildGradients(b, *entry, seeds, wrt);
  if (failed(grads)) {
    vjp.erase();
    return failure();
  }
  b.create<func::ReturnOp>(fn.getLoc(), *grads);

  auto nameOf = [](StringAttr attr, StringRef fallback, unsigned i) {
    return attr ? attr.getValue().str() : (fallback + llvm::Twine(i)).str();
  };
  for (auto [k, i] : llvm::enumerate(floatResults))
    vjp.setArgAttr(fn.getNumArguments() + k, "kiln.name",
                   b.getStringAttr("d_" + nameOf(fn.getResultAttrOfType<StringAttr>(
                                                     i, "kiln.name"),
                                                 "result", i)));
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    if (auto attr = fn.getArgAttrOfType<StringAttr>(i, "kiln.name"))
      vjp.setArgAttr(i, "kiln.name", attr);
  for (auto [k, i] : llvm::enumerate(floatArgs))
    vjp.setResultAttr(k, "kiln.name",
                      b.getStringAttr("d_" + nameOf(fn.getArgAttrOfType<StringAttr>(
                                                        i, "kiln.name"),
                                                    "arg", i)));
  return vjp;
}

namespace {
struct KilnAutodiff : kiln::impl::KilnAutodiffBase<KilnAutodiff> {
  using KilnAutodiffBase::KilnAutodiffBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> targets;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      if (functions.empty() ? fn.isPublic()
                            : llvm::is_contained(functions, fn.getSymName()))
        targets.push_back(fn);
    }
    for (func::FuncOp fn : targets) {
      std::string name = (fn.getSymName() + "_vjp").str();
      if (module.lookupSymbol(name)) {
        fn.emitOpError("cannot be differentiated into '")
            << name << "': the symbol exists";
        return signalPassFailure();
      }
      if (failed(kiln::autodiff::buildVjpFunction(fn, name)))
        return signalPassFailure();
    }
  }
};
} // namespace
