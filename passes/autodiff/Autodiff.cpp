//===- Autodiff.cpp - reverse-mode automatic differentiation --------------===//

#include "passes/autodiff/Autodiff.h"
#include "passes/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"

namespace kiln {
#define GEN_PASS_DEF_KILNAUTODIFF
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && isa<FloatType>(t.getElementType());
}

Value zerosOf(OpBuilder &b, Location loc, Type type) {
  auto t = cast<RankedTensorType>(type);
  return b.create<kiln::ConstantOp>(
      loc, DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), 0.0)));
}

/// Whether `op` or an op nested in it reads a value of `values`.
bool readsAny(Operation &op, const llvm::DenseSet<Value> &values) {
  bool found = false;
  op.walk([&](Operation *inner) {
    for (Value v : inner->getOperands())
      found |= values.contains(v);
  });
  return found;
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
    for (Value v : op.getOperands())
      useful.insert(v);
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
