//===- TrainStep.cpp - compose forward, loss, backward and optimizer ------===//

#include "passes/autodiff/TrainStep.h"
#include "compiler/reference/Tensor.h"
#include "dialects/kiln/KilnBuilder.h"
#include "passes/Passes.h"
#include "passes/autodiff/Autodiff.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Regex.h"

#include <cmath>
#include <random>

namespace kiln {
#define GEN_PASS_DEF_KILNTRAINSTEP
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// What a model variable is, for initialization and updates.
enum class Kind { Kernel, Bias, Scale, Offset, MovingMean, MovingVariance, Embedding };

struct Variable {
  std::string name;
  mutable ConstantOp source;
  Kind kind;
  /// Glorot fan-in and fan-out of kernels.
  int64_t fanIn = 1, fanOut = 1;
  bool trainable() const {
    return kind != Kind::MovingMean && kind != Kind::MovingVariance;
  }
};

/// The name a location carries: the first NameLoc in it, or "".
std::string locationName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string n = locationName(inner); !n.empty())
        return n;
  return "";
}

/// The layer path of an op's name: "sequential/dense/MatMul" gives
/// "sequential/dense".
std::string layerOf(Operation *op) {
  std::string name = locationName(op->getLoc());
  size_t slash = name.rfind('/');
  if (slash != std::string::npos)
    return name.substr(0, slash);
  return name.empty() ? "layer" : name;
}

/// Finds the variables of `fn`: float constants used as kernels, embedding
/// tables, biases and normalization parameters, in order of appearance.
std::vector<Variable> findVariables(func::FuncOp fn) {
  std::vector<Variable> vars;
  llvm::StringSet<> used;
  fn.walk([&](ConstantOp c) {
    auto type = dyn_cast<RankedTensorType>(c.getType());
    if (!type || !isa<FloatType>(type.getElementType()) || type.getRank() < 1)
      return;
    std::optional<Variable> var;
    // The ops that consume the constant, through reshapes and transposes
    // (an attention kernel reshaped before its matmul).
    SmallVector<std::pair<Operation *, unsigned>> uses;
    SmallVector<Value> frontier = {c.getResult()};
    while (!frontier.empty() && uses.size() < 64) {
      Value v = frontier.pop_back_val();
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        if (isa<ReshapeOp, TransposeOp>(user))
          frontier.push_back(user->getResult(0));
        else
          uses.push_back({user, use.getOperandNumber()});
      }
    }
    for (auto [user, i] : uses) {
      Variable v{"", c, Kind::Kernel};
      if (auto mm = dyn_cast<MatmulOp>(user)) {
        if (type.getRank() == 2) {
          bool transposed = i == 0 ? mm.getTransposeA() : mm.getTransposeB();
          v.fanIn = type.getDimSize(transposed ? 1 : 0);
          v.fanOut = type.getDimSize(transposed ? 0 : 1);
          if (i == 0)
            std::swap(v.fanIn, v.fanOut);
        } else {
          // Keras' fans of a higher-rank kernel.
          ArrayRef<int64_t> s = type.getShape();
          int64_t field = 1;
          for (int64_t d : s.drop_back(2))
            field *= d;
          v.fanIn = s[s.size() - 2] * field;
          v.fanOut = s.back() * field;
        }
        v.name = layerOf(user) + "/kernel";
      } else if (auto conv = dyn_cast<Conv2DOp>(user)) {
        if (i != 1 || type.getRank() != 4)
          continue;
        ArrayRef<int64_t> s = type.getShape();
        bool oihw = conv.getFilterFormat() == "OIHW";
        int64_t window = oihw ? s[2] * s[3] : s[0] * s[1];
        v.fanIn = window * (oihw ? s[1] : s[2]);
        v.fanOut = window * (oihw ? s[0] : s[3]);
        v.name = layerOf(user) + "/kernel";
      } else if (isa<GatherOp>(user)) {
        if (i != 0)
          continue;
        v.kind = Kind::Embedding;
        v.name = layerOf(user) + "/embeddings";
      } else if (isa<AddOp, SubOp, MulOp>(user)) {
        Value other = user->getOperand(1 - i);
        if (other.getDefiningOp<ConstantOp>())
          continue;
        v.kind = isa<MulOp>(user) ? Kind::Scale : Kind::Bias;
        v.name = layerOf(user) + (isa<MulOp>(user) ? "/gamma" : "/bias");
      } else if (isa<BatchNormOp>(user) && i >= 1) {
        static const Kind kinds[] = {Kind::Scale, Kind::Offset, Kind::MovingMean,
                                     Kind::MovingVariance};
        static const char *names[] = {"gamma", "beta", "moving_mean",
                                      "moving_variance"};
        v.kind = kinds[i - 1];
        v.name = layerOf(user) + "/" + names[i - 1];
      } else if (isa<LayerNormOp>(user) && i >= 1) {
        v.kind = i == 1 ? Kind::Scale : Kind::Offset;
        v.name = layerOf(user) + (i == 1 ? "/gamma" : "/beta");
      } else {
        continue;
      }
      var = v;
      break;
    }
    if (!var)
      return;
    // A constant named by the model itself (an ONNX initializer such as
    // "net.0.weight") keeps its name; TensorFlow's variable reads
    // (".../ReadVariableOp/resource") are named after their layer.
    std::string own = locationName(c->getLoc());
    if (!own.empty() && own.find("ReadVariableOp") == std::string::npos &&
        own.find('/') == std::string::npos)
      var->name = own;
    // Without a named location, a dense_resource blob's key names it.
    if (own.empty())
      if (auto blob = dyn_cast<DenseResourceElementsAttr>(c.getValue()))
        if (llvm::StringRef(var->name).starts_with("layer/"))
          var->name = blob.getRawHandle().getKey().str();
    std::string base = var->name;
    for (int k = 1; used.contains(var->name); ++k)
      var->name = base + "_" + std::to_string(k);
    used.insert(var->name);
    vars.push_back(*var);
  });
  return vars;
}

/// A dense_resource key (an identifier) for the values of variable `name`.
std::string resourceKey(llvm::StringRef prefix, llvm::StringRef name) {
  std::string key = (prefix + name).str();
  for (char &ch : key)
    if (!llvm::isAlnum(ch) && ch != '_')
      ch = '_';
  return key;
}

/// Keras' initial value of a variable: Glorot-uniform kernels, uniform
/// ±0.05 embeddings, zero biases and offsets, unit scales and variances.
ElementsAttr kerasInitial(const Variable &v, std::mt19937_64 &rng) {
  reference::Tensor t;
  t.type = cast<RankedTensorType>(v.source.getType());
  int64_t n = t.type.getNumElements();
  double fill = (v.kind == Kind::Scale || v.kind == Kind::MovingVariance) ? 1.0
                                                                           : 0.0;
  t.floats.assign(n, fill);
  if (v.kind == Kind::Kernel || v.kind == Kind::Embedding) {
    // Keras' Embedding draws uniform(-0.05, 0.05).
    double limit = v.kind == Kind::Embedding
                       ? 0.05
                       : std::sqrt(6.0 / static_cast<double>(v.fanIn + v.fanOut));
    std::uniform_real_distribution<double> uniform(-limit, limit);
    for (double &x : t.floats)
      x = uniform(rng);
  }
  reference::normalize(t);
  return reference::tensorToAttr(t, resourceKey("init_", v.name));
}

/// A model variable, an optimizer slot or the iteration count: one input
/// of the training entry points and one output of init/train_step.
struct Slot {
  std::string name;
  RankedTensorType type;
  /// The initial value.
  ElementsAttr initial;
};

struct Composer {
  Composer(ModuleOp module, func::FuncOp source,
           const autodiff::TrainOptions &options)
      : module(module), source(source), options(options) {}

  ModuleOp module;
  func::FuncOp source;
  const autodiff::TrainOptions &options;
  std::vector<Variable> vars;
  /// params (trainable), buffers (moving statistics), optimizer slots.
  std::vector<Slot> params, buffers, slots;
  std::vector<const Variable *> paramVars, bufferVars;
  /// The clones of the buffers made by `forward` without an entry block.
  SmallVector<Value> bufferConstants;
  Type element;
  RankedTensorType xType, outType, yType;

  InFlightDiagnostic error() { return source.emitOpError(); }

  LogicalResult collect();
  /// Clones the forward graph into `entry` (whose leading arguments are the
  /// params then the buffers) with `x`; `training` computes batch norm from
  /// batch statistics and records the moving-average updates.
  /// With a null `entry`, the variables stay constants (cloned), and
  /// `constants` receives the clones of the parameters.
  Value forward(OpBuilder &b, Block *entry, Value x, bool training,
                SmallVectorImpl<Value> &results,
                llvm::DenseMap<Value, Value> *bufferUpdates,
                SmallVectorImpl<Value> *constants = nullptr);
  /// Per-sample loss and accuracy ([batch] tensors).
  std::pair<Value, Value> lossAndAccuracy(KilnBuilder &k, Value out, Value y);
  LogicalResult build();
};

LogicalResult Composer::collect() {
  if (source.getNumArguments() != 1)
    return error() << "has " << source.getNumArguments()
                   << " inputs; training supports models with one input";
  if (source.getNumResults() < 1)
    return error() << "has no result to train";
  xType = dyn_cast<RankedTensorType>(source.getArgumentTypes()[0]);
  outType = dyn_cast<RankedTensorType>(source.getResultTypes()[0]);
  if (!xType || !outType || !isa<FloatType>(outType.getElementType()) ||
      outType.getRank() < 1)
    return error() << "result 0 (" << source.getResultTypes()[0]
                   << ") must be a floating-point tensor with a batch dimension";
  element = outType.getElementType();
  int64_t batch = outType.getDimSize(0);
  const std::string &loss = options.loss;
  if (loss == "sparse_categorical_crossentropy") {
    if (outType.getRank() != 2)
      return error() << "sparse_categorical_crossentropy needs a [batch, classes] "
                        "output, got " << outType;
    yType = RankedTensorType::get({batch}, IntegerType::get(module.getContext(), 64));
  } else if (loss == "categorical_crossentropy") {
    if (outType.getRank() != 2)
      return error() << "categorical_crossentropy needs a [batch, classes] "
                        "output, got " << outType;
    yType = outType;
  } else if (loss == "binary_crossentropy" || loss == "mean_squared_error") {
    yType = outType;
  } else {
    return error() << "unknown loss '" << loss
                   << "' (expected sparse_categorical_crossentropy, "
                      "categorical_crossentropy, binary_crossentropy or "
                      "mean_squared_error)";
  }
  if (!(options.labelSmoothing >= 0 && options.labelSmoothing <= 1))
    return error() << "label smoothing must lie in [0, 1], got "
                   << options.labelSmoothing;
  if (options.labelSmoothing > 0 && loss == "mean_squared_error")
    return error() << "label smoothing applies to the cross-entropy losses, "
                      "not mean_squared_error";
  if (!llvm::is_contained({"sgd", "adam", "adamw", "rmsprop"},
                          llvm::StringRef(options.optimizer)))
    return error() << "unknown optimizer '" << options.optimizer
                   << "' (expected sgd, adam, adamw or rmsprop)";
  if (!llvm::is_contained({"constant", "exponential", "polynomial", "cosine"},
                          llvm::StringRef(options.lrSchedule)))
    return error() << "unknown learning-rate schedule '" << options.lrSchedule
                   << "' (expected constant, exponential, polynomial or cosine)";
  if (options.lrSchedule == "cosine" &&
      (options.decaySteps <= 0 || !(options.alpha >= 0 && options.alpha <= 1) ||
       options.warmupSteps < 0 ||
       (options.warmupSteps > 0 && !(options.warmupTarget > 0))))
    return error() << "the cosine learning-rate schedule needs decay steps > "
                      "0, an alpha in [0, 1], warmup steps >= 0 and, with "
                      "warmup steps, a warmup target > 0 (got "
                   << options.decaySteps << ", " << options.alpha << ", "
                   << options.warmupSteps << " and " << options.warmupTarget
                   << ")";
  if (options.lrSchedule == "exponential" &&
      (options.decaySteps <= 0 || !(options.decayRate > 0)))
    return error() << "the exponential learning-rate schedule needs decay "
                      "steps > 0 and a decay rate > 0 (got "
                   << options.decaySteps << " and " << options.decayRate << ")";
  if (options.lrSchedule == "polynomial" &&
      (options.decaySteps <= 0 || !(options.power > 0) ||
       !(options.endLearningRate >= 0)))
    return error() << "the polynomial learning-rate schedule needs decay "
                      "steps > 0, a power > 0 and an end learning rate >= 0 "
                      "(got "
                   << options.decaySteps << ", " << options.power << " and "
                   << options.endLearningRate << ")";
  if (options.init != "from-model" && options.init != "keras")
    return error() << "unknown initialization '" << options.init
                   << "' (expected from-model or keras)";

  std::optional<llvm::Regex> freeze;
  if (!options.freeze.empty()) {
    freeze.emplace(options.freeze);
    std::string why;
    if (!freeze->isValid(why))
      return error() << "--freeze '" << options.freeze << "' is not a valid "
                     << "regular expression: " << why;
  }
  std::mt19937_64 rng(options.seed);
  for (Variable &v : findVariables(source)) {
    if (freeze && freeze->match(v.name))
      continue;
    vars.push_back(v);
  }
  for (const Variable &v : vars) {
    ElementsAttr initial = options.init == "keras"
                               ? kerasInitial(v, rng)
                               : cast<ElementsAttr>(v.source.getValue());
    Slot s{v.name, cast<RankedTensorType>(v.source.getType()), initial};
    if (v.trainable()) {
      params.push_back(s);
      paramVars.push_back(&v);
    } else {
      buffers.push_back(s);
      bufferVars.push_back(&v);
    }
  }
  if (params.empty())
    return error() << "has no trainable parameters"
                   << (freeze ? " (all are frozen)" : "");

  Builder b(module.getContext());
  auto zeros = [&](RankedTensorType t) -> ElementsAttr {
    return DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), 0.0));
  };
  std::vector<const char *> slotNames;
  const std::string &opt = options.optimizer;
  if (opt == "adam" || opt == "adamw")
    slotNames = {"m", "v"};
  else if (opt == "rmsprop")
    slotNames = options.momentum > 0 ? std::vector<const char *>{"rms", "momentum"}
                                     : std::vector<const char *>{"rms"};
  else if (options.momentum > 0)
    slotNames = {"momentum"};
  for (const char *slot : slotNames)
    for (const Slot &p : params)
      slots.push_back({p.name + "/" + slot, p.type, zeros(p.type)});
  auto iterations = RankedTensorType::get({}, b.getI64Type());
  slots.push_back({"optimizer/iterations", iterations,
                   DenseElementsAttr::get(iterations, b.getI64IntegerAttr(0))});
  return success();
}

Value Composer::forward(OpBuilder &b, Block *entry, Value x, bool training,
                        SmallVectorImpl<Value> &results,
                        llvm::DenseMap<Value, Value> *bufferUpdates,
                        SmallVectorImpl<Value> *constants) {
  IRMapping map;
  unsigned arg = 0;
  if (entry) {
    for (const Variable *v : paramVars)
      map.map(v->source.getResult(), entry->getArgument(arg++));
    for (const Variable *v : bufferVars)
      map.map(v->source.getResult(), entry->getArgument(arg++));
  } else {
    for (const Variable *v : paramVars)
      constants->push_back(b.clone(*v->source, map)->getResult(0));
    bufferConstants.clear();
    for (const Variable *v : bufferVars)
      bufferConstants.push_back(b.clone(*v->source, map)->getResult(0));
  }
  map.map(source.getArgument(0), x);
  Block &body = source.getBody().front();
  for (Operation &op : body.without_terminator()) {
    if (auto c = dyn_cast<ConstantOp>(op); c && map.contains(c.getResult()))
      continue;
    auto bn = dyn_cast<BatchNormOp>(op);
    if (!training || !bn) {
      b.clone(op, map);
      continue;
    }
    // Batch statistics, and the moving averages' update.
    KilnBuilder k{b, op.getLoc()};
    Value in = map.lookupOrDefault(bn.getX());
    int64_t rank = tensorType(in).getRank();
    int64_t axis = *normalizeAxis(bn.getAxis(), rank);
    SmallVector<int64_t> others;
    int64_t count = 1;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis) {
        others.push_back(d);
        count *= tensorType(in).getDimSize(d);
      }
    Value mean = k.mean(in, others, false);
    Value centered = k.sub(in, k.alongAxis(mean, axis, rank));
    Value var = k.mean(k.mul(centered, centered), others, false);
    Value eps = k.scalarLike(in, bn.getEpsilon().convertToDouble());
    Value inv = b.create<RsqrtOp>(op.getLoc(), k.add(var, eps));
    Value scale = k.mul(map.lookupOrDefault(bn.getScale()), inv);
    Value y = k.add(k.mul(centered, k.alongAxis(scale, axis, rank)),
                    k.alongAxis(map.lookupOrDefault(bn.getOffset()), axis, rank));
    map.map(bn.getResult(), y);
    if (!bufferUpdates)
      continue;
    double m = options.bnMomentum;
    auto update = [&](Value stat, Value batchValue) {
      if (!llvm::any_of(bufferVars, [&](const Variable *v) {
            return v->source.getResult() == stat;
          }))
        return; // frozen: a constant
      Value old = map.lookup(stat);
      (*bufferUpdates)[old] = k.add(k.mulScalar(old, m),
                                    k.mulScalar(batchValue, 1.0 - m));
    };
    update(bn.getMean(), mean);
    // The moving variance is the unbiased estimate, as TensorFlow's fused
    // batch norm and PyTorch keep it.
    double bessel = count > 1 ? static_cast<double>(count) / (count - 1) : 1.0;
    update(bn.getVariance(), k.mulScalar(var, bessel));
  }
  Operation *ret = body.getTerminator();
  for (Value v : ret->getOperands())
    results.push_back(map.lookupOrDefault(v));
  return results.front();
}

std::pair<Value, Value> Composer::lossAndAccuracy(KilnBuilder &k, Value out,
                                                  Value y) {
  OpBuilder &b = k.b;
  Location loc = k.loc;
  const std::string &loss = options.loss;
  const double smoothing = options.labelSmoothing;
  // Keras' label smoothing of dense targets over `classes` classes:
  // y·(1 − s) + s/classes.
  auto smoothTargets = [&](Value y, int64_t classes) -> Value {
    if (smoothing == 0)
      return y;
    return k.add(k.mulScalar(y, 1.0 - smoothing),
                 k.scalarLike(y, smoothing / classes));
  };
  Operation *producer = out.getDefiningOp();
  auto lastAxis = [&](Value v) { return tensorType(v).getRank() - 1; };
  auto clip = [&](Value p) {
    Value lo = k.scalarLike(p, 1e-7), hi = k.scalarLike(p, 1.0 - 1e-7);
    return b.create<MinimumOp>(loc, b.create<MaximumOp>(loc, p, lo), hi)
        .getResult();
  };
  auto toFloat = [&](Value v) { return k.cast(v, element); };
  auto meanLast = [&](Value v) {
    return tensorType(v).getRank() > 1 ? k.mean(v, {lastAxis(v)}, false) : v;
  };
  if (loss == "sparse_categorical_crossentropy" ||
      loss == "categorical_crossentropy") {
    Value logp;
    auto softmax = dyn_cast_or_null<SoftmaxOp>(producer);
    if (options.fromLogits)
      logp = b.create<LogSoftmaxOp>(loc, out, -1);
    else if (softmax && *normalizeAxis(softmax.getAxis(),
                                       tensorType(out).getRank()) == lastAxis(out))
      logp = b.create<LogSoftmaxOp>(loc, softmax.getX(), -1);
    else
      logp = b.create<LogOp>(loc, clip(out));
    int64_t batch = tensorType(out).getDimSize(0);
    int64_t classes = tensorType(out).getDimSize(1);
    Value predicted = b.create<ArgMaxOp>(loc, out, 1, false);
    if (loss == "sparse_categorical_crossentropy") {
      SmallVector<int64_t> iota(classes);
      for (int64_t c = 0; c < classes; ++c)
        iota[c] = c;
      Value classIds = b.create<ConstantOp>(
          loc, DenseElementsAttr::get(
                   RankedTensorType::get({1, classes}, b.getI64Type()),
                   ArrayRef<int64_t>(iota)));
      Value hot = b.create<EqualOp>(loc, k.reshape(y, {batch, 1}), classIds);
      Value picked = k.sum(k.where(hot, logp), {1}, false);
      Value correct = b.create<EqualOp>(loc, predicted, y);
      if (smoothing == 0)
        return {k.neg(picked), toFloat(correct)};
      // −Σ (onehot·(1 − s) + s/K)·log p, without materializing the targets.
      Value spread = k.sum(logp, {1}, false);
      Value smoothed = k.add(k.mulScalar(picked, 1.0 - smoothing),
                             k.mulScalar(spread, smoothing / classes));
      return {k.neg(smoothed), toFloat(correct)};
    }
    Value target = smoothTargets(y, classes);
    Value picked = k.sum(k.mul(target, logp), {1}, false);
    Value correct =
        b.create<EqualOp>(loc, predicted, b.create<ArgMaxOp>(loc, y, 1, false));
    return {k.neg(picked), toFloat(correct)};
  }
  if (loss == "binary_crossentropy") {
    Value perElement, positive;
    Value target = smoothTargets(y, 2);
    auto sigmoid = dyn_cast_or_null<SigmoidOp>(producer);
    if (options.fromLogits || sigmoid) {
      // max(z, 0) - z·y + log(1 + exp(-|z|)), stable for any logit z.
      Value z = options.fromLogits ? out : sigmoid.getX();
      Value absZ = b.create<AbsOp>(loc, z);
      perElement = k.add(k.sub(b.create<ReluOp>(loc, z), k.mul(z, target)),
                         b.create<SoftplusOp>(loc, k.neg(absZ)));
      positive = b.create<GreaterOp>(loc, z, k.zerosLike(z));
    } else {
      Value p = clip(out);
      Value one = k.scalarLike(p, 1.0);
      perElement = k.neg(k.add(k.mul(target, b.create<LogOp>(loc, p)),
                               k.mul(k.sub(one, target),
                                     b.create<LogOp>(loc, k.sub(one, p)))));
      positive = b.create<GreaterOp>(loc, out, k.scalarLike(out, 0.5));
    }
    Value truth = b.create<GreaterOp>(loc, y, k.scalarLike(y, 0.5));
    Value correct = toFloat(b.create<EqualOp>(loc, positive, truth));
    return {meanLast(perElement), meanLast(correct)};
  }
  // mean_squared_error; "accuracy" is exact equality, as Keras' metric.
  Value diff = k.sub(out, y);
  Value correct = toFloat(b.create<EqualOp>(loc, out, y));
  return {meanLast(k.mul(diff, diff)), meanLast(correct)};
}

LogicalResult Composer::build() {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  b.setInsertionPointAfter(source);
  Location loc = source.getLoc();
  auto named = [&](func::FuncOp fn, ArrayRef<std::string> inputs,
                   ArrayRef<std::string> outputs) {
    for (auto [i, n] : llvm::enumerate(inputs))
      fn.setArgAttr(i, "kiln.name", b.getStringAttr(n));
    for (auto [i, n] : llvm::enumerate(outputs))
      fn.setResultAttr(i, "kiln.name", b.getStringAttr(n));
  };
  SmallVector<Type> varTypes;
  std::vector<std::string> varNames;
  for (const Slot &s : params) {
    varTypes.push_back(s.type);
    varNames.push_back(s.name);
  }
  for (const Slot &s : buffers) {
    varTypes.push_back(s.type);
    varNames.push_back(s.name);
  }
  auto scalarType = RankedTensorType::get({}, element);
  int64_t batch = outType.getDimSize(0);
  auto weightType = RankedTensorType::get({batch}, element);

  // init() -> (params..., buffers..., slots...)
  {
    SmallVector<Type> types;
    std::vector<std::string> names;
    SmallVector<ElementsAttr> values;
    for (auto *group : {&params, &buffers, &slots})
      for (const Slot &s : *group) {
        types.push_back(s.type);
        names.push_back(s.name);
        values.push_back(s.initial);
      }
    auto fn = b.create<func::FuncOp>(loc, "init", FunctionType::get(ctx, {}, types));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(fn.addEntryBlock());
    SmallVector<Value> results;
    for (ElementsAttr v : values)
      results.push_back(b.create<ConstantOp>(loc, v));
    b.create<func::ReturnOp>(loc, results);
    named(fn, {}, names);
  }

  // predict(params..., buffers..., x) -> the model's results
  {
    SmallVector<Type> inputs(varTypes);
    inputs.push_back(xType);
    auto fn = b.create<func::FuncOp>(
        loc, "predict", FunctionType::get(ctx, inputs, source.getResultTypes()));
    OpBuilder::InsertionGuard guard(b);
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToEnd(entry);
    SmallVector<Value> results;
    forward(b, entry, entry->getArguments().back(), false, results, nullptr);
    b.create<func::ReturnOp>(loc, results);
    std::vector<std::string> inNames(varNames);
    inNames.push_back("x");
    std::vector<std::string> outNames;
    for (unsigned i = 0; i < source.getNumResults(); ++i) {
      auto n = source.getResultAttrOfType<StringAttr>(i, "kiln.name");
      outNames.push_back(n ? n.str() : "output" + std::to_string(i));
    }
    named(fn, inNames, outNames);
  }

  // eval_step(params..., buffers..., x, y, weight) -> (loss_sum, correct_sum)
  {
    SmallVector<Type> inputs(varTypes);
    inputs.append({xType, yType, weightType});
    auto fn = b.create<func::FuncOp>(
        loc, "eval_step",
        FunctionType::get(ctx, inputs, {scalarType, scalarType}));
    OpBuilder::InsertionGuard guard(b);
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToEnd(entry);
    unsigned n = entry->getNumArguments();
    SmallVector<Value> results;
    Value out = forward(b, entry, entry->getArgument(n - 3), false, results,
                        nullptr);
    KilnBuilder k{b, loc};
    auto [loss, correct] = lossAndAccuracy(k, out, entry->getArgument(n - 2));
    Value w = entry->getArgument(n - 1);
    b.create<func::ReturnOp>(
        loc, ValueRange{k.sum(k.mul(loss, w), {0}, false),
                        k.sum(k.mul(correct, w), {0}, false)});
    std::vector<std::string> inNames(varNames);
    inNames.insert(inNames.end(), {"x", "y", "weight"});
    named(fn, inNames, {"loss_sum", "correct_sum"});
  }

  // gradients(x, y) -> (loss, d_params..., buffers'...): the parameter
  // gradients of the mean loss at the model's own weights, in training mode
  // (batch normalization from batch statistics, its moving statistics'
  // update returned), for checking against other frameworks.
  if (options.gradients) {
    SmallVector<Type> outputs = {scalarType};
    std::vector<std::string> outNames = {"loss"};
    for (const Slot &p : params) {
      outputs.push_back(p.type);
      outNames.push_back("d_" + p.name);
    }
    for (const Slot &s : buffers) {
      outputs.push_back(s.type);
      outNames.push_back(s.name);
    }
    auto fn = b.create<func::FuncOp>(
        loc, "gradients", FunctionType::get(ctx, {xType, yType}, outputs));
    OpBuilder::InsertionGuard guard(b);
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToEnd(entry);
    SmallVector<Value> results, constants;
    llvm::DenseMap<Value, Value> bufferUpdates;
    Value out = forward(b, nullptr, entry->getArgument(0), true, results,
                        &bufferUpdates, &constants);
    KilnBuilder k{b, loc};
    Value loss = k.mean(lossAndAccuracy(k, out, entry->getArgument(1)).first,
                        {0}, false);
    FailureOr<SmallVector<Value>> grads = autodiff::buildGradients(
        b, *entry, {{loss, k.scalarLike(loss, 1.0)}}, constants);
    if (failed(grads))
      return failure();
    SmallVector<Value> rets = {loss};
    rets.append(*grads);
    for (Value stat : bufferConstants) {
      Value update = bufferUpdates.lookup(stat);
      rets.push_back(update ? update : stat);
    }
    b.create<func::ReturnOp>(loc, rets);
    named(fn, {"x", "y"}, outNames);
  }

  // train_step(params..., buffers..., slots..., x, y)
  //   -> (loss, accuracy, params'..., buffers'..., slots'...)
  {
    SmallVector<Type> inputs(varTypes);
    std::vector<std::string> inNames(varNames);
    for (const Slot &s : slots) {
      inputs.push_back(s.type);
      inNames.push_back(s.name);
    }
    inputs.append({xType, yType});
    inNames.insert(inNames.end(), {"x", "y"});
    SmallVector<Type> outputs = {scalarType, scalarType};
    std::vector<std::string> outNames = {"loss", "accuracy"};
    for (unsigned i = 0; i + 2 < inputs.size(); ++i) {
      outputs.push_back(inputs[i]);
      outNames.push_back(inNames[i]);
    }
    auto fn = b.create<func::FuncOp>(loc, "train_step",
                                     FunctionType::get(ctx, inputs, outputs));
    OpBuilder::InsertionGuard guard(b);
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToEnd(entry);
    unsigned n = entry->getNumArguments();
    SmallVector<Value> results;
    llvm::DenseMap<Value, Value> bufferUpdates;
    Value out = forward(b, entry, entry->getArgument(n - 2), true, results,
                        &bufferUpdates);
    KilnBuilder k{b, loc};
    auto [perSample, correct] = lossAndAccuracy(k, out, entry->getArgument(n - 1));
    Value loss = k.mean(perSample, {0}, false);
    Value accuracy = k.mean(correct, {0}, false);

    SmallVector<Value> paramArgs;
    for (unsigned i = 0; i < params.size(); ++i)
      paramArgs.push_back(entry->getArgument(i));
    FailureOr<SmallVector<Value>> grads = autodiff::buildGradients(
        b, *entry, {{loss, k.scalarLike(loss, 1.0)}}, paramArgs);
    if (failed(grads))
      return failure();

    // The optimizer, after every read of the old values.
    unsigned slotBase = params.size() + buffers.size();
    auto slotArg = [&](unsigned group, unsigned i) {
      return entry->getArgument(slotBase + group * params.size() + i);
    };
    Value iterations = entry->getArgument(slotBase + slots.size() - 1);
    Value nextIterations = k.b.create<AddOp>(
        loc, iterations,
        k.b.create<ConstantOp>(
            loc, DenseElementsAttr::get(cast<RankedTensorType>(iterations.getType()),
                                        b.getI64IntegerAttr(1))));
    Value t = k.cast(nextIterations, element);
    const auto &o = options;
    double lr = o.learningRate;
    // lr·c, folded into one constant unless a schedule makes the learning
    // rate a function of the step count.
    Value scheduled;
    if (o.lrSchedule == "exponential") {
      Value p = k.div(k.cast(iterations, element),
                      k.scalar(element, static_cast<double>(o.decaySteps)));
      if (o.staircase)
        p = b.create<FloorOp>(loc, p);
      scheduled = k.mulScalar(
          b.create<PowOp>(loc, k.scalar(element, o.decayRate), p), lr);
    } else if (o.lrSchedule == "polynomial") {
      // Keras' PolynomialDecay (cycle=False): with p = min(t, steps) / steps,
      // (lr − end)·(1 − p)^power + end.
      Value steps = k.scalar(element, static_cast<double>(o.decaySteps));
      Value p = k.div(
          b.create<MinimumOp>(loc, k.cast(iterations, element), steps), steps);
      Value left = k.sub(k.scalar(element, 1.0), p);
      if (o.power != 1.0)
        left = b.create<PowOp>(loc, left, k.scalar(element, o.power));
      scheduled = k.add(k.mulScalar(left, lr - o.endLearningRate),
                        k.scalar(element, o.endLearningRate));
    } else if (o.lrSchedule == "cosine") {
      // Keras' CosineDecay: from `from`, (1 − α)·(1 + cos(π·s / steps))/2 + α
      // times it at s = min(t, steps); with warmup, a linear ramp from lr
      // to the warmup target over the warmup steps first, then the decay
      // from the target (t capped at steps + warmup).
      double steps = static_cast<double>(o.decaySteps);
      double warm = static_cast<double>(o.warmupSteps);
      auto decay = [&](Value s, double from) {
        Value c = b.create<CosOp>(loc, k.mulScalar(s, M_PI / steps));
        Value cosine = k.mulScalar(k.add(c, k.scalar(element, 1.0)), 0.5);
        return k.mulScalar(k.add(k.mulScalar(cosine, 1.0 - o.alpha),
                                 k.scalar(element, o.alpha)),
                           from);
      };
      Value s = b.create<MinimumOp>(loc, k.cast(iterations, element),
                                    k.scalar(element, steps + warm));
      if (o.warmupSteps == 0) {
        scheduled = decay(s, lr);
      } else {
        Value ramp =
            k.add(k.mulScalar(s, (o.warmupTarget - lr) / warm),
                  k.scalar(element, lr));
        Value decayed =
            decay(k.sub(s, k.scalar(element, warm)), o.warmupTarget);
        scheduled = k.select(b.create<LessOp>(loc, s, k.scalar(element, warm)),
                             ramp, decayed);
      }
    }
    auto lrTimes = [&](Value x, double c) -> Value {
      if (!scheduled)
        return k.mulScalar(x, c * lr);
      return k.mul(x, c == 1.0 ? scheduled : k.mulScalar(scheduled, c));
    };
    SmallVector<Value> newParams, newSlots(slots.size() - 1);
    for (unsigned i = 0; i < params.size(); ++i) {
      Value p = paramArgs[i], g = (*grads)[i];
      Value next;
      if (o.optimizer == "sgd") {
        if (o.momentum > 0) {
          Value m = slotArg(0, i);
          Value m2 = k.sub(k.mulScalar(m, o.momentum), lrTimes(g, 1.0));
          newSlots[i] = m2;
          next = o.nesterov
                     ? k.add(p, k.sub(k.mulScalar(m2, o.momentum), lrTimes(g, 1.0)))
                     : k.add(p, m2);
        } else {
          next = k.sub(p, lrTimes(g, 1.0));
        }
      } else if (o.optimizer == "rmsprop") {
        Value v = slotArg(0, i);
        Value v2 = k.add(k.mulScalar(v, o.rho),
                         k.mulScalar(k.mul(g, g), 1.0 - o.rho));
        newSlots[i] = v2;
        Value step = k.mul(lrTimes(g, 1.0),
                           b.create<RsqrtOp>(loc, k.add(v2, k.scalarLike(v2, o.epsilon))));
        if (o.momentum > 0) {
          Value m = slotArg(1, i);
          Value m2 = k.add(k.mulScalar(m, o.momentum), step);
          newSlots[params.size() + i] = m2;
          step = m2;
        }
        next = k.sub(p, step);
      } else {
        // Adam (Keras): alpha = lr·sqrt(1 - β2^t) / (1 - β1^t).
        if (o.optimizer == "adamw")
          p = k.sub(p, lrTimes(p, o.weightDecay));
        Value m = slotArg(0, i), v = slotArg(1, i);
        Value m2 = k.add(m, k.mulScalar(k.sub(g, m), 1.0 - o.beta1));
        Value v2 = k.add(v, k.mulScalar(k.sub(k.mul(g, g), v), 1.0 - o.beta2));
        newSlots[i] = m2;
        newSlots[params.size() + i] = v2;
        Value one = k.scalar(element, 1.0);
        Value b1t = b.create<PowOp>(loc, k.scalar(element, o.beta1), t);
        Value b2t = b.create<PowOp>(loc, k.scalar(element, o.beta2), t);
        Value alpha = lrTimes(
            k.div(b.create<SqrtOp>(loc, k.sub(one, b2t)), k.sub(one, b1t)), 1.0);
        Value denom = k.add(b.create<SqrtOp>(loc, v2), k.scalarLike(v2, o.epsilon));
        next = k.sub(p, k.div(k.mul(m2, alpha), denom));
      }
      newParams.push_back(next);
    }
    SmallVector<Value> rets = {loss, accuracy};
    rets.append(newParams);
    for (unsigned i = 0; i < buffers.size(); ++i) {
      Value arg = entry->getArgument(params.size() + i);
      Value update = bufferUpdates.lookup(arg);
      rets.push_back(update ? update : arg);
    }
    rets.append(newSlots);
    rets.push_back(nextIterations);
    b.create<func::ReturnOp>(loc, rets);
    named(fn, inNames, outNames);
  }
  return success();
}

} // namespace

LogicalResult kiln::autodiff::buildTrainingModule(ModuleOp module,
                                                  const TrainOptions &options) {
  func::FuncOp source;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isExternal() || !fn.isPublic())
      continue;
    if (options.function.empty() ? !source : fn.getSymName() == options.function) {
      if (source && options.function.empty())
        return module.emitError("the module has several public functions; "
                                "name the one to train");
      source = fn;
    }
  }
  if (!source)
    return module.emitError("the module has no function ")
           << (options.function.empty() ? "to train" : "'" + options.function + "'");
  for (StringRef name : {"init", "train_step", "eval_step"})
    if (module.lookupSymbol(name))
      return module.emitError("the module already has a function '")
             << name << "'";
  if (source.getSymName() != "predict" && module.lookupSymbol("predict"))
    return module.emitError("the module already has a function 'predict'");
  if (source.getBody().getBlocks().size() != 1)
    return source.emitOpError("must have a single block to be trained");
  Composer composer(module, source, options);
  if (failed(composer.collect()) || failed(composer.build()))
    return failure();
  source.erase();
  return success();
}

namespace {
struct KilnTrainStep : kiln::impl::KilnTrainStepBase<KilnTrainStep> {
  using KilnTrainStepBase::KilnTrainStepBase;
  void runOnOperation() override {
    autodiff::TrainOptions o;
    o.loss = loss;
    o.fromLogits = fromLogits;
    o.labelSmoothing = labelSmoothing;
    o.optimizer = optimizer;
    o.learningRate = learningRate;
    o.lrSchedule = lrSchedule;
    o.decaySteps = decaySteps;
    o.decayRate = decayRate;
    o.staircase = staircase;
    o.endLearningRate = endLearningRate;
    o.power = power;
    o.alpha = alpha;
    o.warmupSteps = warmupSteps;
    o.warmupTarget = warmupTarget;
    o.momentum = momentum;
    o.nesterov = nesterov;
    o.freeze = freeze;
    o.init = init;
    o.seed = seed;
    o.gradients = gradients;
    o.bnMomentum = bnMomentum;
    if (failed(autodiff::buildTrainingModule(getOperation(), o)))
      signalPassFailure();
  }
};
} // namespace

LogicalResult kiln::autodiff::applyTrainedWeights(
    ModuleOp module, const std::map<std::string, VariableValue> &values) {
  SmallVector<func::FuncOp> fns;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isExternal() && fn.isPublic())
      fns.push_back(fn);
  if (fns.size() != 1)
    return module.emitError("--weights needs a model with one public function");
  std::vector<std::string> missing;
  for (Variable &v : findVariables(fns.front())) {
    auto it = values.find(v.name);
    if (it == values.end()) {
      missing.push_back(v.name);
      continue;
    }
    auto type = cast<RankedTensorType>(v.source.getType());
    const VariableValue &value = it->second;
    if (ArrayRef<int64_t>(value.dims) != type.getShape() ||
        static_cast<int64_t>(value.bytes.size()) !=
            type.getNumElements() *
                reference::rawElementSize(type.getElementType()))
      return v.source.emitError("trained variable '")
             << v.name << "' does not have the model's type " << type;
    FailureOr<reference::Tensor> t = reference::tensorFromBytes(
        type,
        ArrayRef<char>(reinterpret_cast<const char *>(value.bytes.data()),
                       value.bytes.size()),
        v.source.getLoc());
    if (failed(t))
      return failure();
    v.source.setValueAttr(
        reference::tensorToAttr(*t, resourceKey("trained_", v.name)));
  }
  if (!missing.empty())
    return module.emitError("the trained weights lack the model's variable")
           << (missing.size() > 1 ? "s " : " ") << "'"
           << llvm::join(missing, "', '") << "'";
  return success();
}
