//===- ControlFlowOps.cpp - ONNX Loop as kiln.scan ------------------------===//
//
// A Loop (as tf2onnx emits for Keras recurrent layers) becomes a kiln.scan
// when its trip count can be computed at import time: counters (carried
// integers updated by `+ constant`), loop-invariant values and
// Gather(outer, counter) reads are recognized and turned into constants,
// captured values and scan sequences; everything else is carried state.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/OnnxImporterImpl.h"

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::importer;
using namespace kiln::importer::onnx;
namespace pb = ::kiln::onnx;

namespace {

/// Loops that would run longer than this at import time are rejected.
constexpr int64_t kMaxLoopTrips = int64_t(1) << 20;

/// A loop-carried integer scalar updated by `+ step` each iteration.
struct Counter {
  int64_t init = 0, step = 0;
  Type element;
};

/// What each loop-carried value turned out to be.
enum class CarriedKind { Invariant, Counter, State };

/// A scalar integer constant of `element` type.
Value intScalar(GraphBuilder &gb, Location loc, Type element, int64_t v) {
  auto type = RankedTensorType::get({}, element);
  unsigned width = element.getIntOrFloatBitWidth();
  return gb.constant(loc,
                     DenseElementsAttr::get(
                         type, APInt(width, static_cast<uint64_t>(v), true)));
}

/// `init + k * step` when it neither overflows nor leaves `element` (an
/// integer type of at most 64 bits).
std::optional<int64_t> affineValue(int64_t init, int64_t step, int64_t k,
                                   Type element) {
  int64_t prod, v;
  if (llvm::MulOverflow(k, step, prod) || llvm::AddOverflow(init, prod, v) ||
      !llvm::isIntN(element.getIntOrFloatBitWidth(), v))
    return std::nullopt;
  return v;
}

/// A 1-D constant sequence of scalars `init + k * step`, k in [0, n); the
/// caller has checked that `init + n * step` is representable (so every
/// element is).
Value counterSequence(GraphBuilder &gb, Location loc, Type element,
                      int64_t init, int64_t step, int64_t n) {
  auto type = RankedTensorType::get({n}, element);
  unsigned width = element.getIntOrFloatBitWidth();
  SmallVector<APInt> values;
  values.reserve(n);
  for (int64_t k = 0; k < n; ++k)
    values.push_back(
        APInt(width, static_cast<uint64_t>(init + k * step), true));
  return gb.constant(loc, DenseElementsAttr::get(type, values));
}

/// Imports a Loop node as a kiln.scan (see the file comment).
class LoopImporter {
public:
  LoopImporter(Importer &imp, NodeContext &nc, const pb::GraphProto &body)
      : imp(imp), gb(imp.gb), nc(nc), g(body), loc(nc.loc) {}

  LogicalResult run();

private:
  /// The name `name` resolves to through Identity nodes of the body.
  std::string trace(std::string name) const;
  /// Body nodes needed to compute `roots`, stopping at `stops` and body
  /// inputs; the body inputs reached are added to `leaves`.
  llvm::DenseSet<const pb::NodeProto *>
  closure(ArrayRef<std::string> roots, const llvm::StringSet<> &stops,
          llvm::StringSet<> &leaves) const;
  /// The nodes of `set` in dependency order.
  SmallVector<const pb::NodeProto *>
  ordered(const llvm::DenseSet<const pb::NodeProto *> &set) const;
  LogicalResult classify();
  /// The value of counter `j` at iteration `k`, or an error.
  FailureOr<int64_t> counterAt(int64_t j, int64_t k);
  /// The trip count when the condition is `Less`/`Greater`/... of an affine
  /// function of the iteration (the iteration number or a counter, maybe
  /// plus a constant) and a constant; nullopt for other conditions.
  /// `running` says whether the loop still runs after `limit` iterations.
  std::optional<int64_t> affineTripCount(const std::string &condOut,
                                         int64_t limit, bool &running);
  FailureOr<int64_t> tripCount();
  LogicalResult buildBody(int64_t trips);

  Importer &imp;
  GraphBuilder &gb;
  NodeContext &nc;
  const pb::GraphProto &g;
  Location loc;
  int64_t numCarried = 0, numScanOutputs = 0;
  SmallVector<const pb::NodeProto *> order;
  llvm::DenseSet<const pb::NodeProto *> preconverted;
  llvm::StringMap<const pb::NodeProto *> producer;
  llvm::StringSet<> bodyInputs, bodyDefined;
  SmallVector<CarriedKind> kinds;
  SmallVector<Counter> counters;
  std::string iterName, condInName;
};

std::string LoopImporter::trace(std::string name) const {
  for (int guard = 0; guard < 1000; ++guard) {
    auto it = producer.find(name);
    if (it == producer.end() || it->second->op_type() != "Identity" ||
        it->second->input_size() != 1)
      return name;
    name = it->second->input(0);
  }
  return name;
}

llvm::DenseSet<const pb::NodeProto *>
LoopImporter::closure(ArrayRef<std::string> roots,
                      const llvm::StringSet<> &stops,
                      llvm::StringSet<> &leaves) const {
  llvm::DenseSet<const pb::NodeProto *> nodes;
  SmallVector<std::string> work(roots.begin(), roots.end());
  llvm::StringSet<> seen;
  while (!work.empty()) {
    std::string name = work.pop_back_val();
    if (name.empty() || !seen.insert(name).second)
      continue;
    if (stops.contains(name))
      continue;
    if (bodyInputs.contains(name)) {
      leaves.insert(name);
      continue;
    }
    auto it = producer.find(name);
    if (it == producer.end())
      continue; // an initializer or an outer value
    if (nodes.insert(it->second).second)
      for (const std::string &in : it->second->input())
        work.push_back(in);
  }
  return nodes;
}

SmallVector<const pb::NodeProto *>
LoopImporter::ordered(const llvm::DenseSet<const pb::NodeProto *> &set) const {
  SmallVector<const pb::NodeProto *> out;
  for (const pb::NodeProto *n : order)
    if (set.contains(n) && !preconverted.contains(n))
      out.push_back(n);
  return out;
}

LogicalResult LoopImporter::classify() {
  for (int64_t j = 0; j < numCarried; ++j) {
    std::string in = g.input(2 + j).name();
    std::string out = trace(g.output(1 + j).name());
    Value init = nc.inputs[2 + j];
    if (out == in) {
      kinds.push_back(CarriedKind::Invariant);
      counters.push_back({});
      continue;
    }
    // A counter: out = in + constant (either order), with a constant init.
    auto it = producer.find(out);
    std::optional<SmallVector<int64_t>> initInts = gb.getConstantInts(init);
    Type element = Importer::typeOf(init).getElementType();
    if (it != producer.end() && it->second->op_type() == "Add" &&
        it->second->input_size() == 2 && initInts && initInts->size() == 1 &&
        Importer::typeOf(init).getRank() == 0 && isa<IntegerType>(element) &&
        !element.isInteger(1)) {
      const pb::NodeProto *add = it->second;
      for (int k = 0; k < 2; ++k) {
        if (trace(add->input(k)) != in)
          continue;
        Value step = imp.lookup(add->input(1 - k));
        std::optional<SmallVector<int64_t>> s =
            step && !producer.count(add->input(1 - k))
                ? gb.getConstantInts(step)
                : std::nullopt;
        if (s && s->size() == 1) {
          kinds.push_back(CarriedKind::Counter);
          counters.push_back({(*initInts)[0], (*s)[0], element});
          break;
        }
      }
      if (kinds.size() == static_cast<size_t>(j + 1))
        continue;
    }
    kinds.push_back(CarriedKind::State);
    counters.push_back({});
  }
  return success();
}

FailureOr<int64_t> LoopImporter::counterAt(int64_t j, int64_t k) {
  const Counter &c = counters[j];
  if (std::optional<int64_t> v = affineValue(c.init, c.step, k, c.element))
    return *v;
  return imp.error(nc) << "loop counter '" << g.input(2 + j).name()
                       << "' (starting at " << c.init << ", step " << c.step
                       << ") overflows its type " << c.element
                       << " at iteration " << k;
}

std::optional<int64_t>
LoopImporter::affineTripCount(const std::string &condOut, int64_t limit,
                              bool &running) {
  struct Affine {
    int64_t init = 0, step = 0;
    Type element;
  };
  auto producerOf = [&](const std::string &name) -> const pb::NodeProto * {
    auto it = producer.find(name);
    return it == producer.end() ? nullptr : it->second;
  };
  // A scalar integer constant visible to the body (not computed by it).
  auto constantOf = [&](const std::string &traced) -> std::optional<Affine> {
    Value v;
    for (int64_t j = 0; j < numCarried; ++j)
      if (g.input(2 + j).name() == traced)
        v = kinds[j] == CarriedKind::Invariant ? nc.inputs[2 + j] : Value();
    if (!bodyInputs.contains(traced)) {
      const pb::NodeProto *p = producerOf(traced);
      if (p && !preconverted.contains(p))
        return std::nullopt;
      v = imp.lookup(traced);
    }
    if (!v || !isa<IntegerType>(Importer::typeOf(v).getElementType()) ||
        Importer::typeOf(v).getElementType().isInteger(1))
      return std::nullopt;
    std::optional<SmallVector<int64_t>> c = gb.getConstantInts(v);
    if (!c || c->size() != 1)
      return std::nullopt;
    return Affine{(*c)[0], 0, Importer::typeOf(v).getElementType()};
  };
  // The iteration number or a counter.
  auto induction = [&](const std::string &traced) -> std::optional<Affine> {
    if (traced == iterName)
      return Affine{0, 1, imp.b.getI64Type()};
    for (int64_t j = 0; j < numCarried; ++j)
      if (kinds[j] == CarriedKind::Counter && g.input(2 + j).name() == traced)
        return Affine{counters[j].init, counters[j].step, counters[j].element};
    return std::nullopt;
  };
  // An induction value, maybe plus a constant.
  auto affine = [&](const std::string &name) -> std::optional<Affine> {
    std::string t = trace(name);
    if (std::optional<Affine> a = induction(t))
      return a;
    const pb::NodeProto *p = producerOf(t);
    if (!p || p->op_type() != "Add" || p->input_size() != 2 ||
        preconverted.contains(p))
      return std::nullopt;
    for (int k = 0; k < 2; ++k) {
      std::optional<Affine> a = induction(trace(p->input(k)));
      std::optional<Affine> c = constantOf(trace(p->input(1 - k)));
      if (!a || !c || a->element != c->element ||
          llvm::AddOverflow(a->init, c->init, a->init))
        continue;
      return a;
    }
    return std::nullopt;
  };

  const pb::NodeProto *cmp = producerOf(condOut);
  if (!cmp || cmp->input_size() != 2 || preconverted.contains(cmp))
    return std::nullopt;
  StringRef op = cmp->op_type();
  if (op != "Less" && op != "LessOrEqual" && op != "Greater" &&
      op != "GreaterOrEqual")
    return std::nullopt;
  std::optional<Affine> lhs = affine(cmp->input(0));
  std::optional<Affine> rhs = constantOf(trace(cmp->input(1)));
  bool swapped = false;
  if (!lhs || !rhs) {
    lhs = affine(cmp->input(1));
    rhs = constantOf(trace(cmp->input(0)));
    swapped = true;
  }
  if (!lhs || !rhs || lhs->element != rhs->element)
    return std::nullopt;
  int64_t bound = rhs->init;
  // cond_out of iteration k decides whether iteration k + 1 runs.
  for (int64_t k = 0; k < limit; ++k) {
    std::optional<int64_t> x =
        affineValue(lhs->init, lhs->step, k, lhs->element);
    if (!x)
      return std::nullopt; // let the general path report it
    int64_t a = swapped ? bound : *x, b = swapped ? *x : bound;
    bool next = op == "Less"          ? a < b
                : op == "LessOrEqual" ? a <= b
                : op == "Greater"     ? a > b
                                      : a >= b;
    if (!next) {
      running = false;
      return k + 1;
    }
  }
  running = true;
  return limit;
}

FailureOr<int64_t> LoopImporter::tripCount() {
  // M is a file value: the import-time evaluation stops at kMaxLoopTrips
  // either way, and a loop still running there is rejected.
  std::optional<int64_t> maxTrips;
  if (Value m = nc.input(0)) {
    std::optional<SmallVector<int64_t>> v = gb.getConstantInts(m);
    if (!v || v->size() != 1)
      return imp.error(nc) << "data-dependent loop: the trip count M is not a "
                              "constant";
    maxTrips = std::max<int64_t>(0, (*v)[0]);
  }
  bool cond = true;
  if (Value c = nc.input(1)) {
    std::optional<SmallVector<int64_t>> v = gb.getConstantInts(c);
    if (!v || v->size() != 1)
      return imp.error(nc) << "data-dependent loop: the initial condition is "
                              "not a constant";
    cond = (*v)[0] != 0;
  }
  auto tooLong = [&]() {
    return imp.error(nc) << "the loop runs more than " << kMaxLoopTrips
                         << " iterations at import time";
  };
  int64_t limit = std::min(maxTrips.value_or(kMaxLoopTrips), kMaxLoopTrips);
  bool capped = !maxTrips || *maxTrips > kMaxLoopTrips;
  std::string condOut = trace(g.output(0).name());
  if (condOut == condInName) {
    if (!maxTrips)
      return imp.error(nc) << "the loop has no trip count and its condition "
                              "never changes";
    if (cond && capped)
      return tooLong();
    return cond ? *maxTrips : 0;
  }
  llvm::StringSet<> leaves;
  SmallVector<const pb::NodeProto *> condNodes =
      ordered(closure({condOut}, {}, leaves));
  for (int64_t j = 0; j < numCarried; ++j)
    if (kinds[j] == CarriedKind::State &&
        leaves.contains(g.input(2 + j).name()))
      return imp.error(nc) << "data-dependent loop: the condition depends on "
                              "loop-carried value '"
                           << g.input(2 + j).name() << "'";
  if (!cond)
    return 0;
  // The common `counter < constant` conditions are solved without importing
  // the condition's nodes once per iteration.
  bool running = false;
  if (std::optional<int64_t> trips =
          affineTripCount(condOut, limit, running)) {
    if (running && capped)
      return tooLong();
    return *trips;
  }
  int64_t k = 0;
  for (; k < limit && cond; ++k) {
    // Evaluate this iteration's condition output in a scratch block.
    Block scratch;
    OpBuilder::InsertionGuard guard(imp.b);
    imp.b.setInsertionPointToStart(&scratch);
    imp.scopes.emplace_back();
    imp.bind(iterName, intScalar(gb, loc, imp.b.getI64Type(), k));
    if (!condInName.empty())
      imp.bind(condInName, gb.scalar(loc, imp.b.getI1Type(), 1.0));
    LogicalResult converted = success();
    for (int64_t j = 0; j < numCarried && succeeded(converted); ++j) {
      const std::string &name = g.input(2 + j).name();
      if (kinds[j] == CarriedKind::Invariant) {
        imp.bind(name, nc.inputs[2 + j]);
      } else if (kinds[j] == CarriedKind::Counter) {
        FailureOr<int64_t> value = counterAt(j, k);
        if (failed(value))
          converted = failure();
        else
          imp.bind(name, intScalar(gb, loc, counters[j].element, *value));
      }
    }
    if (succeeded(converted))
      converted = imp.convertNodes(condNodes);
    std::optional<SmallVector<int64_t>> v;
    if (succeeded(converted))
      if (Value c = imp.lookup(condOut))
        v = gb.getConstantInts(c);
    imp.scopes.pop_back();
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(scratch))) {
      op.dropAllUses();
      op.erase();
    }
    if (failed(converted))
      return failure();
    if (!v || v->size() != 1)
      return imp.error(nc) << "data-dependent loop: its condition '" << condOut
                           << "' is not constant at iteration " << k;
    cond = (*v)[0] != 0;
  }
  if (cond && capped)
    return tooLong();
  return k;
}

LogicalResult LoopImporter::buildBody(int64_t trips) {
  // Counters end at init + trips * step (their final value): checking it
  // bounds every value of their sequences too.
  SmallVector<int64_t> finalCounter(numCarried, 0);
  for (int64_t j = 0; j < numCarried; ++j)
    if (kinds[j] == CarriedKind::Counter) {
      FailureOr<int64_t> last = counterAt(j, trips);
      if (failed(last))
        return failure();
      finalCounter[j] = *last;
    }
  // Gather(outer, counter-from-0-step-1 or iteration number) reads become
  // scan sequences.
  llvm::StringMap<Value> seqReads;
  for (const pb::NodeProto *n : order) {
    if (n->op_type() != "Gather" || n->input_size() != 2 ||
        n->output_size() < 1)
      continue;
    NodeContext gc{*n, imp.locOf(*n), {}, {}};
    FailureOr<int64_t> axis = imp.attrInt(gc, "axis", 0);
    if (failed(axis))
      return failure();
    const std::string &data = n->input(0);
    if (*axis != 0 || bodyDefined.contains(data) || bodyInputs.contains(data))
      continue;
    Value outer = imp.lookup(data);
    if (!outer)
      continue;
    std::string idx = trace(n->input(1));
    int64_t start = -1;
    if (idx == iterName)
      start = 0;
    for (int64_t j = 0; j < numCarried; ++j)
      if (kinds[j] == CarriedKind::Counter && g.input(2 + j).name() == idx &&
          counters[j].step == 1)
        start = counters[j].init;
    if (start < 0 || Importer::typeOf(outer).getRank() < 1)
      continue;
    int64_t dim = Importer::shapeOf(outer)[0];
    if (start > dim || trips > dim - start)
      return imp.error(nc) << "the loop reads '" << data << "' at indices "
                           << start << ".." << start + trips - 1
                           << " but its first dimension is " << dim;
    SmallVector<int64_t> lo(Importer::typeOf(outer).getRank(), 0),
        hi(Importer::shapeOf(outer));
    lo[0] = start;
    hi[0] = start + trips;
    FailureOr<Value> seq = gb.slice(loc, outer, lo, hi);
    if (failed(seq))
      return failure();
    seqReads[n->output(0)] = *seq;
  }

  SmallVector<std::string> roots;
  SmallVector<int64_t> stateIdx;
  for (int64_t j = 0; j < numCarried; ++j)
    if (kinds[j] == CarriedKind::State) {
      roots.push_back(trace(g.output(1 + j).name()));
      stateIdx.push_back(j);
    }
  for (int64_t k = 0; k < numScanOutputs; ++k)
    roots.push_back(trace(g.output(1 + numCarried + k).name()));
  llvm::StringSet<> stops, leaves;
  for (const auto &e : seqReads)
    stops.insert(e.getKey());
  SmallVector<const pb::NodeProto *> bodyNodes =
      ordered(closure(roots, stops, leaves));

  // Operands: carried state, then the sequences (reads, counters, iteration).
  SmallVector<Value> init, seqs;
  SmallVector<std::pair<std::string, size_t>> seqBindings;
  for (int64_t j : stateIdx)
    init.push_back(nc.inputs[2 + j]);
  for (const auto &e : seqReads) {
    seqBindings.push_back({e.getKey().str(), seqs.size()});
    seqs.push_back(e.getValue());
  }
  for (int64_t j = 0; j < numCarried; ++j)
    if (kinds[j] == CarriedKind::Counter &&
        leaves.contains(g.input(2 + j).name())) {
      seqBindings.push_back({g.input(2 + j).name(), seqs.size()});
      seqs.push_back(counterSequence(gb, loc, counters[j].element,
                                     counters[j].init, counters[j].step,
                                     trips));
    }
  if (leaves.contains(iterName) || seqs.empty()) {
    seqBindings.push_back({iterName, seqs.size()});
    seqs.push_back(counterSequence(gb, loc, imp.b.getI64Type(), 0, 1, trips));
  }
  if (!condInName.empty())
    imp.bind(condInName, gb.scalar(loc, imp.b.getI1Type(), 1.0));
  for (int64_t j = 0; j < numCarried; ++j)
    if (kinds[j] == CarriedKind::Invariant)
      imp.bind(g.input(2 + j).name(), nc.inputs[2 + j]);

  auto body = [&](ValueRange args) -> FailureOr<SmallVector<Value>> {
    for (auto [i, j] : llvm::enumerate(stateIdx))
      imp.bind(g.input(2 + j).name(), args[i]);
    for (auto &[name, s] : seqBindings)
      imp.bind(name, args[init.size() + s]);
    if (failed(imp.convertNodes(bodyNodes)))
      return failure();
    SmallVector<Value> yielded;
    for (const std::string &r : roots) {
      Value v = imp.lookup(r);
      if (!v)
        return imp.error(nc) << "the loop body does not compute '" << r << "'";
      yielded.push_back(v);
    }
    return yielded;
  };
  FailureOr<ScanOp> scan = buildScan(imp, loc, init, seqs, false, body);
  if (failed(scan))
    return failure();

  // Results: final carried values, then the stacked scan outputs.
  size_t stateResult = 0;
  for (int64_t j = 0; j < numCarried; ++j) {
    switch (kinds[j]) {
    case CarriedKind::Invariant:
      nc.outputs.push_back(nc.inputs[2 + j]);
      break;
    case CarriedKind::Counter:
      nc.outputs.push_back(
          intScalar(gb, loc, counters[j].element, finalCounter[j]));
      break;
    case CarriedKind::State:
      nc.outputs.push_back(scan->getResult(stateResult++));
      break;
    }
  }
  for (int64_t k = 0; k < numScanOutputs; ++k)
    nc.outputs.push_back(scan->getResult(stateIdx.size() + k));
  return success();
}

LogicalResult LoopImporter::run() {
  numCarried = static_cast<int64_t>(nc.inputs.size()) - 2;
  if (numCarried < 0)
    return imp.error(nc) << "expected at least 2 inputs (M, cond), got "
                         << nc.inputs.size();
  for (int64_t j = 0; j < numCarried; ++j)
    if (!nc.inputs[2 + j])
      return imp.error(nc) << "loop-carried input #" << j << " is missing";
  if (g.input_size() != numCarried + 2)
    return imp.error(nc) << "the body has " << g.input_size()
                         << " inputs, expected " << numCarried + 2
                         << " (iteration, condition, carried values)";
  numScanOutputs = g.output_size() - 1 - numCarried;
  if (numScanOutputs < 0)
    return imp.error(nc) << "the body has " << g.output_size()
                         << " outputs, expected at least " << numCarried + 1;
  if (nc.node.output_size() > numCarried + numScanOutputs)
    return imp.error(nc) << "has " << nc.node.output_size()
                         << " outputs but the body yields "
                         << numCarried + numScanOutputs;
  iterName = g.input(0).name();
  condInName = g.input(1).name();
  for (const auto &in : g.input()) {
    if (in.name().empty())
      return imp.error(nc) << "a body input has no name";
    bodyInputs.insert(in.name());
  }
  for (const auto &n : g.node())
    for (const std::string &o : n.output())
      if (!o.empty()) {
        producer[o] = &n;
        bodyDefined.insert(o);
      }
  for (const auto &t : g.initializer())
    bodyDefined.insert(t.name());

  // The body's scope: its initializers and input-less Constant nodes are
  // created outside the scan (the body may capture them).
  imp.scopes.emplace_back();
  auto popScope = llvm::make_scope_exit([&] { imp.scopes.pop_back(); });
  if (failed(imp.importInitializers(g)))
    return failure();
  FailureOr<SmallVector<const pb::NodeProto *>> sorted = imp.sortNodes(g, {});
  if (failed(sorted))
    return failure();
  order = *sorted;
  for (const pb::NodeProto *n : order)
    if (n->op_type() == "Constant" && n->input_size() == 0) {
      if (failed(imp.convertNode(*n)))
        return failure();
      preconverted.insert(n);
    }
  if (failed(classify()))
    return failure();
  FailureOr<int64_t> trips = tripCount();
  if (failed(trips))
    return failure();
  return buildBody(*trips);
}

LogicalResult convertLoop(Importer &imp, NodeContext &nc) {
  const pb::AttributeProto *body = imp.findAttr(nc, "body");
  if (!body)
    return imp.error(nc) << "attribute 'body' is required";
  if (body->type() != pb::AttributeProto::GRAPH)
    return imp.error(nc) << "attribute 'body' must be GRAPH";
  if (imp.depth >= kMaxGraphDepth)
    return imp.error(nc) << "loops are nested too deeply";
  ++imp.depth;
  LogicalResult result = LoopImporter(imp, nc, body->g()).run();
  --imp.depth;
  return result;
}

} // namespace

void kiln::importer::onnx::registerControlFlowOps(
    llvm::StringMap<Converter> &t) {
  t["Loop"] = convertLoop;
}
