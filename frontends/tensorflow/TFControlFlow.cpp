//===- TFControlFlow.cpp - While loops and function calls -> kiln ---------===//
//
// Function calls (PartitionedCall) are inlined. A While loop, which is what
// Keras RNN layers become, is imported as one kiln.scan:
//  - loop variables the body passes through unchanged are loop invariants;
//  - integer scalars the body advances by a constant are counters; those
//    starting at 0 with step 1 are the scan's step and index its lists;
//  - TensorLists read at the step (TensorListFromTensor outside the loop,
//    TensorListGetItem inside) become scan sequences;
//  - TensorLists written at the step become stacked per-step outputs, and
//    lists written at a constant index keep the last step's value;
//  - every other variable is carried state.
// The trip count is found at import time by evaluating the condition for
// successive counter values; a condition that depends on carried state (a
// data-dependent loop) is rejected.
//
//===----------------------------------------------------------------------===//

#include "frontends/tensorflow/TFImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MathExtras.h"

#include <functional>

using namespace mlir;
using namespace kiln;
using namespace kiln::importer;
using namespace kiln::importer::tf;

namespace {
using Result = FailureOr<SmallVector<TFValue>>;

/// Deepest nesting of calls and loop bodies (guards recursive functions).
constexpr int kMaxCallDepth = 32;
/// Longest loop imported.
constexpr int64_t kMaxTripCount = 100000;

InFlightDiagnostic nodeError(const NodeDef &n, Location loc) {
  return emitError(loc) << n.op() << " node '" << n.name() << "': ";
}

FailureOr<Graph *> functionAttr(Importer &imp, const NodeDef &n, Location loc,
                                llvm::StringRef attr) {
  FailureOr<const AttrValue *> f = requireAttr(n, loc, attr, AttrValue::kFunc);
  if (failed(f))
    return failure();
  return imp.functionGraph((*f)->func().name(), loc);
}

struct DepthGuard {
  Importer &imp;
  explicit DepthGuard(Importer &imp) : imp(imp) { ++imp.callDepth; }
  ~DepthGuard() { --imp.callDepth; }
};

Result call(Importer &imp, const NodeDef &n, Location loc,
            ArrayRef<TFValue> in) {
  FailureOr<Graph *> fn = functionAttr(imp, n, loc, "f");
  if (failed(fn))
    return failure();
  if ((*fn)->argNames.size() != in.size())
    return nodeError(n, loc) << "passes " << in.size() << " arguments to a "
                             << "function of " << (*fn)->argNames.size();
  if (imp.callDepth >= kMaxCallDepth)
    return nodeError(n, loc) << "functions nest more than " << kMaxCallDepth
                             << " deep (recursion?)";
  DepthGuard guard(imp);
  return imp.importGraph(**fn, (*fn)->rets, in);
}

/// Follows Identity nodes back to the value they forward.
Ref skipIdentities(const Graph &g, Ref r) {
  for (int guard = 0; guard < 1000 && !r.isArg(); ++guard) {
    const Graph::Node &node = g.nodes[r.node];
    llvm::StringRef op = node.def->op();
    if ((op != "Identity" && op != "StopGradient") || node.inputs.empty())
      break;
    r = node.inputs[0];
  }
  return r;
}

bool isArg(const Graph &g, Ref r, int arg) {
  r = skipIdentities(g, r);
  return r.isArg() && r.argIndex() == arg;
}

/// The integer value of a scalar Const node.
std::optional<int64_t> scalarConst(const Graph &g, Ref r) {
  r = skipIdentities(g, r);
  if (r.isArg())
    return std::nullopt;
  const NodeDef &def = *g.nodes[r.node].def;
  const AttrValue *v = findAttr(def, "value");
  if (def.op() != "Const" || !v || v->value_case() != AttrValue::kTensor)
    return std::nullopt;
  const kiln::tfproto::TensorProto &t = v->tensor();
  if (t.tensor_shape().dim_size() != 0)
    return std::nullopt;
  const std::string &c = t.tensor_content();
  if (t.dtype() == kiln::tfproto::DT_INT32) {
    if (c.size() == 4) {
      int32_t x;
      std::memcpy(&x, c.data(), 4);
      return x;
    }
    return t.int_val_size() ? t.int_val(0) : 0;
  }
  if (t.dtype() == kiln::tfproto::DT_INT64) {
    if (c.size() == 8) {
      int64_t x;
      std::memcpy(&x, c.data(), 8);
      return x;
    }
    return t.int64_val_size() ? t.int64_val(0) : 0;
  }
  return std::nullopt;
}

enum class VarKind { Invariant, Counter, Carried, InputList, OutputList };

struct LoopVar {
  VarKind kind = VarKind::Carried;
  int64_t init = 0, step = 0; // Counter
  bool aligned = false;       // Counter: init 0, step 1 (the scan's step)
  bool carry = false;         // Counter: the body needs its value
  Ref value;                  // OutputList: the element written
  std::optional<int64_t> constIndex; // OutputList written at a constant
};

/// Deletes a detached block and everything in it.
void eraseBlock(Block *block) {
  for (Operation &op : *block)
    op.dropAllReferences();
  while (!block->empty())
    block->back().erase();
  delete block;
}

/// The trip count of a condition `counter < bound` (or a LogicalAnd of
/// such), with a constant bound and a counter stepping up: the common case,
/// computed without evaluating the condition step by step.
std::optional<int64_t> countedTrips(Importer &imp, const Graph &cond,
                                    ArrayRef<TFValue> in,
                                    ArrayRef<LoopVar> vars) {
  std::function<std::optional<int64_t>(Ref, int)> trips =
      [&](Ref r, int depth) -> std::optional<int64_t> {
    r = skipIdentities(cond, r);
    if (r.isArg() || depth > 8)
      return std::nullopt;
    const Graph::Node &node = cond.nodes[r.node];
    llvm::StringRef op = node.def->op();
    if (op == "LogicalAnd" && node.inputs.size() == 2) {
      std::optional<int64_t> a = trips(node.inputs[0], depth + 1);
      std::optional<int64_t> b = trips(node.inputs[1], depth + 1);
      if (a && b)
        return std::min(*a, *b);
      return std::nullopt;
    }
    if (op != "Less" || node.inputs.size() != 2)
      return std::nullopt;
    Ref counter = skipIdentities(cond, node.inputs[0]);
    if (!counter.isArg() || vars[counter.argIndex()].kind != VarKind::Counter)
      return std::nullopt;
    const LoopVar &v = vars[counter.argIndex()];
    Ref boundRef = skipIdentities(cond, node.inputs[1]);
    std::optional<int64_t> bound;
    if (boundRef.isArg()) {
      const TFValue &outer = in[boundRef.argIndex()];
      if (vars[boundRef.argIndex()].kind != VarKind::Invariant || !outer.tensor)
        return std::nullopt;
      std::optional<SmallVector<int64_t>> c = imp.gb.getConstantInts(outer.tensor);
      if (c && c->size() == 1)
        bound = (*c)[0];
    } else {
      bound = scalarConst(cond, boundRef);
    }
    if (!bound || v.step <= 0)
      return std::nullopt;
    if (*bound <= v.init)
      return 0;
    // Both fit in int64, so the difference fits in uint64.
    uint64_t span = static_cast<uint64_t>(*bound) - static_cast<uint64_t>(v.init);
    uint64_t step = static_cast<uint64_t>(v.step);
    uint64_t count = span / step + (span % step != 0);
    if (count > static_cast<uint64_t>(kMaxTripCount))
      return std::nullopt; // the evaluation below reports it
    return static_cast<int64_t>(count);
  };
  if (cond.rets.size() != 1)
    return std::nullopt;
  return trips(cond.rets[0], 0);
}

/// Evaluates the loop condition for successive counter values.
FailureOr<int64_t> tripCount(Importer &imp, const NodeDef &n, Location loc,
                             const Graph &cond, ArrayRef<TFValue> in,
                             ArrayRef<LoopVar> vars) {
  FailureOr<std::vector<int>> order = imp.topoOrder(cond, cond.rets);
  if (failed(order))
    return failure();
  for (int index : *order)
    for (const Ref &r : cond.nodes[index].inputs)
      if (r.isArg() && (vars[r.argIndex()].kind == VarKind::Carried ||
                        vars[r.argIndex()].kind == VarKind::OutputList))
        return nodeError(n, loc)
               << "the loop condition depends on loop variable "
               << r.argIndex()
               << ", which the loop computes: only loops whose trip count is "
                  "known at import time can be imported";
  for (const Ref &r : cond.rets)
    if (r.isArg() && vars[r.argIndex()].kind == VarKind::Carried)
      return nodeError(n, loc) << "the loop condition is a loop variable";
  if (std::optional<int64_t> direct = countedTrips(imp, cond, in, vars))
    return *direct;
  OpBuilder &b = imp.builder();
  for (int64_t k = 0; k <= kMaxTripCount; ++k) {
    // Evaluate in a scratch block so nothing of it stays in the function.
    Block *scratch = new Block();
    FailureOr<SmallVector<TFValue>> result;
    std::optional<SmallVector<int64_t>> value;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(scratch);
      SmallVector<TFValue> args(in.begin(), in.end());
      for (size_t i = 0; i < vars.size(); ++i) {
        if (vars[i].kind != VarKind::Counter)
          continue;
        Type element =
            cast<RankedTensorType>(in[i].tensor.getType()).getElementType();
        int64_t offset, value;
        if (llvm::MulOverflow(k, vars[i].step, offset) ||
            llvm::AddOverflow(vars[i].init, offset, value))
          return nodeError(n, loc) << "a loop counter overflows";
        args[i] = TFValue::of(imp.gb.splatInt(
            loc, RankedTensorType::get({}, element), value));
      }
      result = imp.importGraph(cond, cond.rets, args);
      if (succeeded(result) && result->size() == 1 && (*result)[0].tensor)
        value = imp.gb.getConstantInts((*result)[0].tensor);
    }
    eraseBlock(scratch);
    if (failed(result))
      return failure();
    if (!value || value->size() != 1)
      return nodeError(n, loc) << "the loop condition is not a constant "
                                  "scalar for given counter values";
    if ((*value)[0] == 0)
      return k;
  }
  return nodeError(n, loc) << "the loop runs more than " << kMaxTripCount
                           << " steps (or forever)";
}

Result whileLoop(Importer &imp, const NodeDef &n, Location loc,
                 ArrayRef<TFValue> in) {
  FailureOr<Graph *> bodyOr = functionAttr(imp, n, loc, "body");
  FailureOr<Graph *> condOr = functionAttr(imp, n, loc, "cond");
  if (failed(bodyOr) || failed(condOr))
    return failure();
  const Graph &body = **bodyOr, &cond = **condOr;
  // A list an enclosing loop reads step by step is, to this loop, the whole
  // list (defined outside both loops).
  SmallVector<TFValue> inputs(in.begin(), in.end());
  for (TFValue &v : inputs) {
    if (v.kind == TFValue::Kind::LoopInput && v.list) {
      v.kind = TFValue::Kind::List;
      v.tensor = Value();
      v.loop = -1;
    }
  }
  in = inputs;
  size_t count = in.size();
  if (body.argNames.size() != count || body.rets.size() != count ||
      cond.argNames.size() != count || cond.rets.size() != 1)
    return nodeError(n, loc) << "the body and condition do not match the "
                             << count << " loop variables";
  if (imp.callDepth >= kMaxCallDepth)
    return nodeError(n, loc) << "loops nest more than " << kMaxCallDepth
                             << " deep";
  DepthGuard depth(imp);

  // Classify the loop variables.
  SmallVector<LoopVar> vars(count);
  for (size_t i = 0; i < count; ++i) {
    LoopVar &v = vars[i];
    Ref ret = skipIdentities(body, body.rets[i]);
    int arg = static_cast<int>(i);
    if (isArg(body, ret, arg)) {
      v.kind = in[i].kind == TFValue::Kind::List ? VarKind::InputList
                                                 : VarKind::Invariant;
      continue;
    }
    if (in[i].kind == TFValue::Kind::List) {
      const Graph::Node *set = ret.isArg() ? nullptr : &body.nodes[ret.node];
      if (!set || set->def->op() != "TensorListSetItem" ||
          set->inputs.size() != 3 || !isArg(body, set->inputs[0], arg))
        return nodeError(n, loc) << "loop variable " << i
                                 << " is a TensorList the body changes other "
                                    "than by TensorListSetItem";
      v.kind = VarKind::OutputList;
      v.value = set->inputs[2];
      v.constIndex = scalarConst(body, set->inputs[1]);
      continue;
    }
    if (in[i].kind != TFValue::Kind::Tensor || !in[i].tensor)
      return nodeError(n, loc) << "loop variable " << i << " is not a tensor";
    // A counter: an integer scalar constant advanced by a constant.
    auto type = cast<RankedTensorType>(in[i].tensor.getType());
    std::optional<SmallVector<int64_t>> init = imp.gb.getConstantInts(in[i].tensor);
    if (!ret.isArg() && type.getRank() == 0 &&
        type.getElementType().isSignlessInteger() && init) {
      const Graph::Node &add = body.nodes[ret.node];
      llvm::StringRef op = add.def->op();
      if ((op == "AddV2" || op == "Add") && add.inputs.size() == 2) {
        std::optional<int64_t> step;
        if (isArg(body, add.inputs[0], arg))
          step = scalarConst(body, add.inputs[1]);
        else if (isArg(body, add.inputs[1], arg))
          step = scalarConst(body, add.inputs[0]);
        if (step) {
          v.kind = VarKind::Counter;
          v.init = (*init)[0];
          v.step = *step;
          v.aligned = v.init == 0 && v.step == 1;
          continue;
        }
      }
    }
    v.kind = VarKind::Carried;
  }

  // A counter must be carried unless the body only uses it to index lists
  // at the step or to advance itself.
  for (size_t i = 0; i < count; ++i) {
    LoopVar &v = vars[i];
    if (v.kind != VarKind::Counter)
      continue;
    v.carry = !v.aligned;
    Ref ret = skipIdentities(body, body.rets[i]);
    for (size_t k = 0; k < body.nodes.size() && !v.carry; ++k) {
      const Graph::Node &node = body.nodes[k];
      llvm::StringRef op = node.def->op();
      for (size_t j = 0; j < node.inputs.size(); ++j) {
        if (!node.inputs[j].isArg() || node.inputs[j].argIndex() != static_cast<int>(i))
          continue;
        bool listIndex = (op == "TensorListGetItem" || op == "TensorListSetItem") && j == 1;
        bool advance = static_cast<int>(k) == ret.node;
        if (!listIndex && !advance)
          v.carry = true;
      }
    }
  }
  // Output lists written at a counter must be written at the scan's step.
  for (size_t i = 0; i < count; ++i) {
    LoopVar &v = vars[i];
    if (v.kind != VarKind::OutputList || v.constIndex)
      continue;
    const Graph::Node &set = body.nodes[skipIdentities(body, body.rets[i]).node];
    Ref index = skipIdentities(body, set.inputs[1]);
    if (!index.isArg() || vars[index.argIndex()].kind != VarKind::Counter ||
        !vars[index.argIndex()].aligned)
      return nodeError(n, loc) << "loop variable " << i
                               << " is written at an index that is neither a "
                                  "constant nor the loop's step";
  }

  FailureOr<int64_t> trips = tripCount(imp, n, loc, cond, in, vars);
  if (failed(trips))
    return failure();
  int64_t steps = *trips;

  // Sequences: input lists the body reads at the step.
  SmallVector<Value> init, sequences;
  SmallVector<int> carriedVars, sequenceVars, outputVars;
  for (size_t i = 0; i < count; ++i) {
    LoopVar &v = vars[i];
    if (v.kind == VarKind::Carried || (v.kind == VarKind::Counter && v.carry)) {
      carriedVars.push_back(i);
      init.push_back(in[i].tensor);
    } else if (v.kind == VarKind::OutputList) {
      outputVars.push_back(i);
    } else if (v.kind == VarKind::InputList) {
      bool read = false;
      for (const Graph::Node &node : body.nodes)
        if (node.def->op() == "TensorListGetItem" && !node.inputs.empty() &&
            isArg(body, node.inputs[0], i))
          read = true;
      if (!read)
        continue;
      v.kind = VarKind::InputList;
      Value stacked = in[i].list->stacked;
      if (!stacked)
        return nodeError(n, loc) << "the loop reads list " << i
                                 << ", which was never written";
      ArrayRef<int64_t> shape = cast<RankedTensorType>(stacked.getType()).getShape();
      if (shape[0] < steps)
        return nodeError(n, loc) << "the loop runs " << steps
                                 << " steps over a list of " << shape[0];
      if (shape[0] > steps) {
        SmallVector<int64_t> start(shape.size(), 0), limit(shape);
        limit[0] = steps;
        FailureOr<Value> s = imp.gb.slice(loc, stacked, start, limit);
        if (failed(s))
          return failure();
        stacked = *s;
      }
      sequenceVars.push_back(i);
      sequences.push_back(stacked);
    }
  }

  SmallVector<TFValue> outs(in.begin(), in.end());
  if (steps == 0) {
    for (int i : outputVars)
      return nodeError(n, loc) << "the loop never runs, so list " << i
                               << " is never written";
    return outs;
  }

  // The body.
  int64_t loopId = imp.loopCounter++;
  Block *block = new Block();
  for (Value v : init)
    block->addArgument(v.getType(), loc);
  for (Value v : sequences) {
    auto type = cast<RankedTensorType>(v.getType());
    block->addArgument(RankedTensorType::get(type.getShape().drop_front(),
                                             type.getElementType()),
                       loc);
  }
  SmallVector<TFValue> args(in.begin(), in.end());
  for (size_t k = 0; k < carriedVars.size(); ++k) {
    args[carriedVars[k]] = TFValue::of(block->getArgument(k));
    // A step counter the body also computes with: carried, and still the
    // step when it indexes this loop's lists.
    const LoopVar &v = vars[carriedVars[k]];
    if (v.kind == VarKind::Counter && v.aligned) {
      args[carriedVars[k]].kind = TFValue::Kind::LoopCounter;
      args[carriedVars[k]].loop = loopId;
    }
  }
  for (size_t k = 0; k < sequenceVars.size(); ++k) {
    TFValue v;
    v.kind = TFValue::Kind::LoopInput;
    v.tensor = block->getArgument(carriedVars.size() + k);
    v.loop = loopId;
    // The whole list stays reachable for nested loops and constant indices.
    v.list = in[sequenceVars[k]].list;
    args[sequenceVars[k]] = v;
  }
  for (size_t i = 0; i < count; ++i) {
    if (vars[i].kind == VarKind::Counter && !vars[i].carry) {
      TFValue v;
      v.kind = TFValue::Kind::LoopCounter;
      v.loop = loopId;
      args[i] = v;
    } else if (vars[i].kind == VarKind::OutputList) {
      TFValue v;
      v.kind = TFValue::Kind::LoopOutput;
      args[i] = v;
    }
  }
  SmallVector<Ref> roots;
  for (int i : carriedVars)
    roots.push_back(body.rets[i]);
  for (int i : outputVars)
    roots.push_back(vars[i].value);
  OpBuilder &b = imp.builder();
  FailureOr<SmallVector<TFValue>> yielded;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(block);
    yielded = imp.importGraph(body, roots, args);
    if (succeeded(yielded)) {
      SmallVector<Value> values;
      for (size_t k = 0; k < yielded->size(); ++k) {
        const TFValue &y = (*yielded)[k];
        if (y.kind != TFValue::Kind::Tensor || !y.tensor) {
          yielded = nodeError(n, loc) << "the loop body yields a non-tensor";
          break;
        }
        if (k < init.size() && y.tensor.getType() != init[k].getType()) {
          yielded = nodeError(n, loc)
                    << "loop variable " << carriedVars[k] << " enters as "
                    << init[k].getType() << " but the body yields "
                    << y.tensor.getType();
          break;
        }
        values.push_back(y.tensor);
      }
      if (succeeded(yielded))
        b.create<YieldOp>(loc, values);
    }
  }
  if (failed(yielded)) {
    eraseBlock(block);
    return failure();
  }

  OperationState state(loc, ScanOp::getOperationName());
  state.addOperands(init);
  state.addOperands(sequences);
  auto &props = state.getOrAddProperties<ScanOp::Properties>();
  props.operandSegmentSizes = {static_cast<int32_t>(init.size()),
                               static_cast<int32_t>(sequences.size())};
  props.reverse = b.getBoolAttr(false);
  props.axis = b.getI64IntegerAttr(0);
  if (sequences.empty())
    props.length = b.getI64IntegerAttr(steps);
  for (size_t k = 0; k < yielded->size(); ++k) {
    auto type = cast<RankedTensorType>((*yielded)[k].tensor.getType());
    if (k < init.size()) {
      state.addTypes(type);
    } else {
      SmallVector<int64_t> shape = {steps};
      shape.append(type.getShape().begin(), type.getShape().end());
      state.addTypes(RankedTensorType::get(shape, type.getElementType()));
    }
  }
  state.addRegion()->push_back(block);
  Operation *scan = b.create(state);
  if (failed(verify(scan)))
    return failure();

  // Map the scan's results back to the loop's outputs.
  for (size_t k = 0; k < carriedVars.size(); ++k)
    outs[carriedVars[k]] = TFValue::of(scan->getResult(k));
  for (size_t i = 0; i < count; ++i) {
    const LoopVar &v = vars[i];
    if (v.kind != VarKind::Counter || v.carry)
      continue;
    Type element = cast<RankedTensorType>(in[i].tensor.getType()).getElementType();
    int64_t offset, value;
    if (llvm::MulOverflow(steps, v.step, offset) ||
        llvm::AddOverflow(v.init, offset, value))
      return nodeError(n, loc) << "a loop counter overflows";
    outs[i] = TFValue::of(imp.gb.splatInt(loc, RankedTensorType::get({}, element), value));
  }
  for (size_t k = 0; k < outputVars.size(); ++k) {
    int i = outputVars[k];
    const TensorList &before = *in[i].list;
    Value stacked = scan->getResult(init.size() + k);
    auto type = cast<RankedTensorType>(stacked.getType());
    int64_t size = before.numElements;
    if (size < 0)
      size = vars[i].constIndex ? 1 : steps;
    int64_t rank = type.getRank();
    SmallVector<int64_t> low(rank, 0), high(rank, 0);
    if (vars[i].constIndex) {
      // Every step overwrites one slot: the last step's value remains.
      int64_t index = *vars[i].constIndex;
      if (index < 0 || index >= size)
        return nodeError(n, loc) << "writes index " << index
                                 << " of a list of " << size;
      SmallVector<int64_t> start(rank, 0), limit(type.getShape());
      start[0] = steps - 1;
      FailureOr<Value> last = imp.gb.slice(loc, stacked, start, limit);
      if (failed(last))
        return failure();
      stacked = *last;
      low[0] = index;
      high[0] = size - index - 1;
    } else {
      if (size < steps)
        return nodeError(n, loc) << "writes " << steps << " steps into a list "
                                 << "of " << size;
      high[0] = size - steps;
    }
    if (low[0] || high[0]) {
      FailureOr<Value> padded = imp.gb.build<PadOp>(
          loc, {stacked}, {imp.gb.i64Array("low", low), imp.gb.i64Array("high", high)});
      if (failed(padded))
        return failure();
      stacked = *padded;
    }
    auto list = std::make_shared<TensorList>(before);
    list->stacked = stacked;
    list->numElements = size;
    list->elementType = type.getElementType();
    list->unknownRank = false;
    list->elementShape.assign(type.getShape().begin() + 1, type.getShape().end());
    TFValue v;
    v.kind = TFValue::Kind::List;
    v.list = list;
    outs[i] = v;
  }
  return outs;
}
} // namespace

void tf::addControlFlowConverters(llvm::StringMap<Converter> &table) {
  table["PartitionedCall"] = call;
  table["StatefulPartitionedCall"] = call;
  table["While"] = whileLoop;
  table["StatelessWhile"] = whileLoop;
}
