//===- RandomGraph.cpp - the function builder and the generation loop -----===//

#include "RandomGraph.h"

#include "compiler/reference/Interpreter.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>
#include <limits>

using namespace mlir;
using kiln::reference::Tensor;

namespace kiln::difftest {

//===----------------------------------------------------------------------===//
// Categories and tolerances
//===----------------------------------------------------------------------===//

static const std::pair<Category, const char *> kCategoryNames[] = {
    {kElementwise, "elementwise"},
    {kLinear, "linear"},
    {kPooling, "pooling"},
    {kReduction, "reduction"},
    {kNormalization, "normalization"},
    {kDataMovement, "data-movement"},
    {kControl, "control"},
};

llvm::StringRef categoryName(Category c) {
  for (auto [category, name] : kCategoryNames)
    if (category == c)
      return name;
  return "?";
}

bool parseCategories(llvm::StringRef list, unsigned &mask) {
  mask = 0;
  llvm::SmallVector<llvm::StringRef> names;
  list.split(names, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef name : names) {
    name = name.trim();
    if (name == "all") {
      mask |= kAllCategories;
      continue;
    }
    bool found = false;
    for (auto [category, n] : kCategoryNames)
      if (name == n) {
        mask |= category;
        found = true;
      }
    if (!found)
      return false;
  }
  return true;
}

Tolerance toleranceOf(TolClass c) {
  switch (c) {
  case TolClass::Elementwise:
    return {1e-6, 1e-6};
  case TolClass::Transcendental:
    return {1e-5, 1e-5};
  case TolClass::Accumulation:
    return {1e-5, 1e-4};
  }
  return {0, 0};
}

llvm::StringRef tolClassName(TolClass c) {
  switch (c) {
  case TolClass::Elementwise:
    return "elementwise";
  case TolClass::Transcendental:
    return "transcendental";
  case TolClass::Accumulation:
    return "accumulation";
  }
  return "?";
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

int64_t product(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

llvm::SmallVector<int64_t> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                           llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  llvm::SmallVector<int64_t> out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool broadcastable(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 1; i <= n; ++i) {
    int64_t da = a[a.size() - i], db = b[b.size() - i];
    if (da != db && da != 1 && db != 1)
      return false;
  }
  return true;
}

Val partner(FunctionGen &g, llvm::ArrayRef<int64_t> shape, Value exclude,
            Type element, Dist dist) {
  if (g.coin(0.3)) {
    std::vector<Val> candidates;
    for (const Val &v : g.pool)
      if (v.value != exclude && v.element() == element &&
          broadcastable(v.shape(), shape) &&
          product(broadcastShapes(v.shape(), shape)) <= kMaxElements)
        candidates.push_back(v);
    if (!candidates.empty())
      return candidates[g.uniform(0, candidates.size() - 1)];
  }
  return g.leaf(g.tensorType(broadcastPartner(g, shape, true), element), dist,
                0.5);
}

Val partner(FunctionGen &g, const Val &like, Type element, Dist dist) {
  return partner(g, like.shape(), like.value, element, dist);
}

llvm::SmallVector<int64_t> randomFactors(FunctionGen &g, int64_t n,
                                         int64_t rank) {
  llvm::SmallVector<int64_t> primes;
  for (int64_t p = 2; p * p <= n; ++p)
    while (n % p == 0) {
      primes.push_back(p);
      n /= p;
    }
  if (n > 1)
    primes.push_back(n);
  llvm::SmallVector<int64_t> factors(rank, 1);
  for (int64_t p : primes)
    factors[g.uniform(0, rank - 1)] *= p;
  return factors;
}

llvm::SmallVector<int64_t>
broadcastPartner(FunctionGen &g, llvm::ArrayRef<int64_t> shape, bool grow) {
  llvm::SmallVector<int64_t> partner(shape);
  if (!partner.empty() && g.coin(0.3))
    partner.erase(partner.begin(),
                  partner.begin() + g.uniform(1, partner.size()));
  for (int64_t &d : partner) {
    if (g.coin(0.25))
      d = 1;
    else if (grow && d == 1 && g.coin(0.5))
      d = g.uniform(2, 4);
  }
  if (grow && partner.size() == shape.size() && g.coin(0.2)) {
    int64_t extra = g.uniform(1, 2);
    for (int64_t i = 0; i < extra; ++i)
      partner.insert(partner.begin(), g.uniform(1, 3));
  }
  if (product(broadcastShapes(shape, partner)) > kMaxElements)
    return llvm::SmallVector<int64_t>(shape);
  return partner;
}

//===----------------------------------------------------------------------===//
// FunctionGen
//===----------------------------------------------------------------------===//

FunctionGen::FunctionGen(ModuleOp module, llvm::StringRef name, uint64_t seed)
    : rng(seed), b(module.getContext()),
      loc(FileLineColLoc::get(module.getContext(), name, 0, 0)) {
  OpBuilder mb(module.getContext());
  mb.setInsertionPointToEnd(module.getBody());
  func = mb.create<func::FuncOp>(
      loc, name, FunctionType::get(module.getContext(), {}, {}));
  b.setInsertionPointToStart(func.addEntryBlock());
  result.seed = seed;
  result.func = func;
}

int64_t FunctionGen::uniform(int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}
double FunctionGen::real(double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}
bool FunctionGen::coin(double p) { return real(0, 1) < p; }

Tensor FunctionGen::randomTensor(RankedTensorType type, Dist dist) {
  FailureOr<Tensor> t = Tensor::zeros(type, loc);
  if (failed(t)) {
    llvm::errs() << "difftest: cannot create a tensor of type " << type << "\n";
    std::abort();
  }
  if (t->isFloat()) {
    for (double &v : t->floats)
      v = real(dist.lo, dist.hi);
  } else if (type.getElementType().isInteger(1)) {
    for (int64_t &v : t->ints)
      v = coin(0.5);
  } else {
    for (int64_t &v : t->ints)
      v = uniform(static_cast<int64_t>(dist.lo), static_cast<int64_t>(dist.hi));
  }
  reference::normalize(*t);
  return std::move(*t);
}

Val FunctionGen::argFrom(Tensor data) {
  BlockArgument a = func.getBody().front().addArgument(data.type, loc);
  values[a] = data;
  result.inputs.push_back(std::move(data));
  return Val{a, true};
}

Val FunctionGen::arg(RankedTensorType type, Dist dist) {
  return argFrom(randomTensor(type, dist));
}

/// A dense attribute holding `t` (inline, whatever its size).
static DenseElementsAttr denseAttr(const Tensor &t) {
  Type e = t.elementType();
  if (e.isF32()) {
    std::vector<float> v(t.floats.begin(), t.floats.end());
    return DenseElementsAttr::get(t.type, llvm::ArrayRef(v));
  }
  if (e.isF64())
    return DenseElementsAttr::get(t.type, llvm::ArrayRef(t.floats));
  if (e.isInteger(1)) {
    llvm::SmallVector<bool> v(t.ints.begin(), t.ints.end());
    return DenseElementsAttr::get(t.type, llvm::ArrayRef(v));
  }
  if (e.isInteger(32)) {
    std::vector<int32_t> v(t.ints.begin(), t.ints.end());
    return DenseElementsAttr::get(t.type, llvm::ArrayRef(v));
  }
  if (e.isInteger(64))
    return DenseElementsAttr::get(t.type, llvm::ArrayRef(t.ints));
  return {};
}

Val FunctionGen::constantFrom(Tensor data) {
  // Small weights inline; larger ones mostly as dense_resource blobs, the
  // way the importers store them.
  ElementsAttr value;
  if (data.size() > 16 && coin(0.3))
    value = denseAttr(data);
  if (!value)
    value =
        reference::tensorToAttr(data, ("w" + llvm::Twine(blobCounter++)).str());
  auto c = b.create<kiln::ConstantOp>(loc, value);
  values[c.getResult()] = std::move(data);
  return Val{c.getResult(), true};
}

Val FunctionGen::constant(RankedTensorType type, Dist dist) {
  return constantFrom(randomTensor(type, dist));
}

Val FunctionGen::leaf(RankedTensorType type, Dist dist, double pConstant) {
  return coin(pConstant) ? constant(type, dist) : arg(type, dist);
}

Val FunctionGen::scalar(double v) {
  llvm::SmallVector<int64_t> shape;
  if (coin(0.5))
    shape.push_back(1);
  Tensor t = *Tensor::zeros(
      tensorType(shape, current.isFloat() ? current.element() : f32()), loc);
  t.floats[0] = v;
  reference::normalize(t);
  return constantFrom(std::move(t));
}

Val FunctionGen::op(llvm::StringRef name, llvm::ArrayRef<Val> operands,
                    llvm::ArrayRef<NamedAttribute> attrs, bool exactOp) {
  return build(name, operands, attrs, Type(), exactOp);
}

Val FunctionGen::cast(const Val &x, Type element, bool exactOp) {
  return build("kiln.cast", {x}, {}, tensorType(x.shape(), element), exactOp);
}

Val FunctionGen::build(llvm::StringRef name, llvm::ArrayRef<Val> operands,
                       llvm::ArrayRef<NamedAttribute> attrs, Type resultType,
                       bool exactOp) {
  MLIRContext *ctx = b.getContext();
  OperationState state(loc, name);
  bool exact = exactOp;
  for (const Val &v : operands) {
    state.addOperands(v.value);
    exact &= v.exact;
  }
  state.addAttributes(attrs);
  if (resultType) {
    state.addTypes(resultType);
  } else {
    std::optional<RegisteredOperationName> info =
        state.name.getRegisteredInfo();
    auto *iface = info ? info->getInterface<InferTypeOpInterface>() : nullptr;
    if (!iface) {
      llvm::errs() << "difftest: op '" << name << "' does not infer types\n";
      std::abort();
    }
    // Infer on a result-less probe built from the same state: inherent
    // attributes live in properties, which the inference adaptor reads.
    llvm::SmallVector<Type> types;
    Operation *probe = Operation::create(state);
    LogicalResult inferred = iface->inferReturnTypes(
        ctx, loc, probe->getOperands(), probe->getAttrDictionary(),
        probe->getPropertiesStorage(), probe->getRegions(), types);
    probe->destroy();
    if (failed(inferred)) {
      llvm::errs() << "difftest: generator bug: cannot infer the type of '"
                   << name << "' (seed " << result.seed << ")\n";
      std::abort();
    }
    state.addTypes(types);
  }
  Operation *created = b.create(state);
  if (failed(verify(created, /*verifyRecursively=*/false))) {
    llvm::errs() << "difftest: generator bug: invalid op (seed " << result.seed
                 << "):\n"
                 << *created << "\n";
    std::abort();
  }
  Val out{created->getResult(0), exact};
  if (!evaluating)
    return out;
  llvm::SmallVector<const Tensor *> args;
  for (const Val &v : operands)
    args.push_back(&data(v));
  FailureOr<Tensor> value = reference::evaluateOp(created, args);
  if (failed(value)) {
    llvm::errs() << "difftest: the reference interpreter cannot evaluate (seed "
                 << result.seed << "):\n"
                 << *created << "\n";
    std::abort();
  }
  values[out.value] = std::move(*value);
  return out;
}

void FunctionGen::note(llvm::StringRef layer, TolClass c) {
  result.layers.push_back(layer.str());
  result.tolerance = std::max(result.tolerance, c);
}

/// Copies step `t` of `seq` along `axis` to `slice`, or back.
static void copyStep(Tensor &seq, Tensor &slice, int64_t axis, int64_t t,
                     bool toSlice) {
  llvm::ArrayRef<int64_t> shape = seq.shape();
  int64_t outer = product(shape.take_front(axis)), len = shape[axis],
          inner = product(shape.drop_front(axis + 1));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t s = (o * len + t) * inner + i, d = o * inner + i;
      if (seq.isFloat())
        (toSlice ? slice.floats[d] : seq.floats[s]) =
            toSlice ? seq.floats[s] : slice.floats[d];
      else
        (toSlice ? slice.ints[d] : seq.ints[s]) =
            toSlice ? seq.ints[s] : slice.ints[d];
    }
}

void FunctionGen::evaluateScan(Operation *op) {
  auto scan = mlir::cast<kiln::ScanOp>(op);
  Block &body = scan.getBody().front();
  size_t numInit = scan.getInit().size();
  int64_t axis = scan.getAxis(), steps = scan.getNumSteps();
  llvm::SmallVector<Tensor> carried, stacked;
  for (Value v : scan.getInit())
    carried.push_back(values[v]);
  for (Value r : scan.getResults().drop_front(numInit))
    stacked.push_back(
        *Tensor::zeros(mlir::cast<RankedTensorType>(r.getType()), loc));
  for (int64_t k = 0; k < steps; ++k) {
    int64_t t = scan.getReverse() ? steps - 1 - k : k;
    llvm::DenseMap<Value, Tensor> local;
    for (size_t i = 0; i < numInit; ++i)
      local[body.getArgument(i)] = carried[i];
    for (auto [i, seq] : llvm::enumerate(scan.getSequences())) {
      BlockArgument arg = body.getArgument(numInit + i);
      Tensor slice =
          *Tensor::zeros(mlir::cast<RankedTensorType>(arg.getType()), loc);
      copyStep(values[seq], slice, axis, t, /*toSlice=*/true);
      local[arg] = std::move(slice);
    }
    auto lookup = [&](Value v) -> const Tensor & {
      auto it = local.find(v);
      return it != local.end() ? it->second : values[v];
    };
    for (Operation &inner : body.without_terminator()) {
      llvm::SmallVector<const Tensor *> args;
      for (Value v : inner.getOperands())
        args.push_back(&lookup(v));
      FailureOr<Tensor> r = reference::evaluateOp(&inner, args);
      if (failed(r)) {
        llvm::errs() << "difftest: cannot evaluate a scan body op (seed "
                     << result.seed << ")\n";
        std::abort();
      }
      local[inner.getResult(0)] = std::move(*r);
    }
    auto yielded = body.getTerminator()->getOperands();
    for (size_t i = 0; i < numInit; ++i)
      carried[i] = lookup(yielded[i]);
    for (size_t i = 0; i < stacked.size(); ++i) {
      Tensor step = lookup(yielded[numInit + i]);
      copyStep(stacked[i], step, axis, t, /*toSlice=*/false);
    }
  }
  for (size_t i = 0; i < numInit; ++i)
    values[scan.getResult(i)] = std::move(carried[i]);
  for (size_t i = 0; i < stacked.size(); ++i)
    values[scan.getResult(numInit + i)] = std::move(stacked[i]);
}

const Tensor &FunctionGen::data(const Val &v) const {
  auto it = values.find(v.value);
  if (it == values.end()) {
    llvm::errs() << "difftest: generator bug: a value without data\n";
    std::abort();
  }
  return it->second;
}

Stats FunctionGen::stats(const Val &v) const {
  Stats s;
  const Tensor &t = data(v);
  bool first = true;
  for (int64_t k = 0; k < t.size(); ++k) {
    double x = t.getDouble(k);
    if (std::isnan(x)) {
      s.hasNaN = true;
      continue;
    }
    if (std::isinf(x)) {
      s.hasInf = true;
      continue;
    }
    s.min = first ? x : std::min(s.min, x);
    s.max = first ? x : std::max(s.max, x);
    s.minAbs = first ? std::fabs(x) : std::min(s.minAbs, std::fabs(x));
    s.maxAbs = std::max(s.maxAbs, std::fabs(x));
    first = false;
  }
  return s;
}

bool FunctionGen::safeFrom(const Val &v, double (*distance)(double)) const {
  if (v.exact)
    return true;
  const Tensor &t = data(v);
  for (int64_t k = 0; k < t.size(); ++k) {
    double x = t.getDouble(k);
    if (std::isfinite(x) && distance(x) < 1e-3 * std::max(1.0, std::fabs(x)))
      return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// The generation loop
//===----------------------------------------------------------------------===//

std::vector<std::string> generatorNames(unsigned categories) {
  std::vector<std::string> names;
  for (auto table :
       {elementwiseGenerators(), nnGenerators(), shapeGenerators()})
    for (const OpGenerator &gen : table)
      if (categories & gen.category)
        names.push_back(gen.name);
  return names;
}

/// A random starting shape of rank 1-4 with at most 1024 elements, or a
/// larger [rows, features] matrix (matmuls big enough for several ukernel
/// tiles and threads).
static llvm::SmallVector<int64_t> startShape(FunctionGen &g) {
  if (g.coin(0.1))
    return {g.uniform(8, 48), g.uniform(16, 85)};
  int64_t rank = g.pick<int64_t>({1, 2, 2, 2, 3, 3, 4, 4, 4});
  llvm::SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(g.coin(0.15) ? g.uniform(9, 33) : g.uniform(1, 8));
  while (product(shape) > 1024) {
    auto it = std::max_element(shape.begin(), shape.end());
    *it = (*it + 1) / 2;
  }
  return shape;
}

/// Keeps float values within [-256, 256] by an exact power-of-two scaling,
/// so that later layers see well-conditioned magnitudes.
static void rescale(FunctionGen &g) {
  if (!g.current.isFloat())
    return;
  Stats s = g.stats(g.current);
  if (s.maxAbs <= 256)
    return;
  int exponent = static_cast<int>(std::ceil(std::log2(s.maxAbs / 4)));
  Val k = g.scalar(std::ldexp(1.0, -exponent));
  g.current = g.op("kiln.mul", {g.current, k}, {}, /*exactOp=*/true);
  g.note("rescale", TolClass::Elementwise);
}

GeneratedFunction generateFunction(ModuleOp module, llvm::StringRef name,
                                   uint64_t seed,
                                   const GeneratorConfig &config) {
  FunctionGen g(module, name, seed);
  g.categories = config.categories;
  std::vector<const OpGenerator *> table;
  double total = 0;
  for (auto gens : {elementwiseGenerators(), nnGenerators(), shapeGenerators()})
    for (const OpGenerator &gen : gens)
      if ((config.categories & gen.category) && !config.skip.count(gen.name)) {
        table.push_back(&gen);
        total += gen.weight;
      }

  // The first input: mostly f32, sometimes integers or booleans; some
  // functions get NaNs in it (NaN must propagate exactly as the reference
  // says).
  llvm::SmallVector<int64_t> shape = startShape(g);
  double kind = g.real(0, 1);
  if (kind < 0.86) {
    Dist dist = g.pick<Dist>({{-1, 1}, {-2, 2}, {-0.5, 0.5}, {0, 3}, {-4, 4}});
    Tensor t = g.randomTensor(g.tensorType(shape, g.f32()), dist);
    if (g.coin(0.08)) {
      g.result.nanInputs = true;
      for (int64_t k = g.uniform(1, 3); k > 0; --k)
        t.floats[g.uniform(0, t.size() - 1)] =
            std::numeric_limits<double>::quiet_NaN();
    }
    g.current = g.argFrom(std::move(t));
  } else if (kind < 0.96) {
    Type e = g.coin(0.6) ? Type(g.b.getI32Type()) : Type(g.b.getI64Type());
    g.current = g.arg(g.tensorType(shape, e), {-20, 20});
  } else {
    g.current = g.arg(g.tensorType(shape, g.b.getI1Type()), {});
  }
  g.pool.push_back(g.current);

  int64_t layers = g.uniform(2, 8);
  for (int64_t layer = 0; layer < layers && !table.empty(); ++layer) {
    for (int attempt = 0; attempt < 40; ++attempt) {
      double r = g.real(0, total);
      const OpGenerator *gen = table.back();
      for (const OpGenerator *candidate : table) {
        if (r < candidate->weight) {
          gen = candidate;
          break;
        }
        r -= candidate->weight;
      }
      if (gen->apply(g))
        break;
    }
    rescale(g);
    if (g.pool.back().value != g.current.value)
      g.pool.push_back(g.current);
  }

  // Results: the chain's end, sometimes an intermediate too, an input
  // returned as is, or the same value twice.
  llvm::SmallVector<Value> results{g.current.value};
  if (g.pool.size() > 2 && g.coin(0.25))
    results.push_back(g.pool[g.uniform(1, g.pool.size() - 2)].value);
  if (g.coin(0.04) && !config.skip.count("return_input"))
    results.push_back(g.func.getArgument(0));
  if (g.coin(0.03) && !config.skip.count("return_twice"))
    results.push_back(g.current.value);
  g.b.create<func::ReturnOp>(g.loc, results);
  g.func.setFunctionType(FunctionType::get(
      module.getContext(), g.func.getBody().front().getArgumentTypes(),
      ValueRange(results).getTypes()));
  if (failed(verify(g.func))) {
    llvm::errs() << "difftest: generator bug: invalid function (seed " << seed
                 << ")\n"
                 << g.func << "\n";
    std::abort();
  }
  return std::move(g.result);
}

} // namespace kiln::difftest
