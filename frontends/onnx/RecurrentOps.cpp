//===- RecurrentOps.cpp - ONNX LSTM, GRU and RNN as kiln.scan -------------===//
//
// Each direction of LSTM/GRU/RNN is one kiln.scan over the time axis: the
// input projection X W^T + biases is computed for all steps before the scan
// and the body is the cell.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/OnnxImporterImpl.h"

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::importer;
using namespace kiln::importer::onnx;
namespace pb = ::kiln::onnx;

/// Creates a kiln.scan whose body is built by `body` (which may fail); the
/// op is verified so that a body whose carried types drift is reported.
FailureOr<ScanOp> kiln::importer::onnx::buildScan(
    Importer &imp, Location loc, ValueRange init, ValueRange sequences,
    bool reverse,
    llvm::function_ref<FailureOr<SmallVector<Value>>(ValueRange)> body) {
  bool ok = true;
  auto scan = imp.b.create<ScanOp>(
      loc, init, sequences, reverse, /*axis=*/0,
      [&](OpBuilder &, Location, ValueRange args) -> SmallVector<Value> {
        FailureOr<SmallVector<Value>> yielded = body(args);
        if (failed(yielded)) {
          ok = false;
          return SmallVector<Value>(args.take_front(init.size()));
        }
        return *yielded;
      });
  if (!ok) {
    scan.erase();
    return failure();
  }
  if (failed(verify(scan))) {
    scan.erase();
    return failure();
  }
  return scan;
}

namespace {

//===----------------------------------------------------------------------===//
// Shared pieces
//===----------------------------------------------------------------------===//

/// An activation of the recurrent ops with its optional alpha and beta.
struct Activation {
  std::string name;
  double alpha = 0, beta = 0;
};

/// Whether an activation reads alpha / beta, and their defaults.
struct ActivationInfo {
  bool known, usesAlpha, usesBeta;
  double alpha, beta;
};

ActivationInfo activationInfo(StringRef name) {
  std::string n = name.lower();
  if (n == "sigmoid" || n == "tanh" || n == "relu" || n == "softplus" ||
      n == "softsign")
    return {true, false, false, 0, 0};
  if (n == "leakyrelu")
    return {true, true, false, 0.01, 0};
  if (n == "elu")
    return {true, true, false, 1.0, 0};
  if (n == "hardsigmoid")
    return {true, true, true, 0.2, 0.5};
  if (n == "affine" || n == "scaledtanh")
    return {true, true, true, 1.0, 1.0};
  return {false, false, false, 0, 0};
}

/// Reads `activations` (or `defaults`), repeated per direction, with the
/// alphas and betas consumed in order by the functions that take them.
FailureOr<SmallVector<Activation>> readActivations(Importer &imp,
                                                   NodeContext &nc,
                                                   ArrayRef<StringRef> defaults,
                                                   int64_t numDirections) {
  FailureOr<std::optional<SmallVector<std::string>>> names =
      imp.attrStrings(nc, "activations");
  FailureOr<std::optional<SmallVector<double>>> alphas =
      imp.attrFloats(nc, "activation_alpha");
  FailureOr<std::optional<SmallVector<double>>> betas =
      imp.attrFloats(nc, "activation_beta");
  if (failed(names) || failed(alphas) || failed(betas))
    return failure();
  size_t perDir = defaults.size();
  SmallVector<Activation> acts;
  if (*names) {
    if ((*names)->size() != perDir * numDirections)
      return imp.error(nc) << "expected " << perDir * numDirections
                           << " activations, got " << (*names)->size();
    for (const std::string &n : **names)
      acts.push_back({n});
  } else {
    for (int64_t d = 0; d < numDirections; ++d)
      for (StringRef n : defaults)
        acts.push_back({n.str()});
  }
  size_t ai = 0, bi = 0;
  for (Activation &a : acts) {
    ActivationInfo info = activationInfo(a.name);
    if (!info.known)
      return imp.error(nc) << "activation '" << a.name
                           << "' is not supported (Sigmoid, Tanh, Relu, "
                              "LeakyRelu, Elu, HardSigmoid, Softplus, "
                              "Softsign, Affine, ScaledTanh)";
    a.alpha = info.alpha;
    a.beta = info.beta;
    if (info.usesAlpha && *alphas && ai < (*alphas)->size())
      a.alpha = (**alphas)[ai++];
    if (info.usesBeta && *betas && bi < (*betas)->size())
      a.beta = (**betas)[bi++];
  }
  return acts;
}

/// Applies an activation to `x`.
FailureOr<Value> activate(GraphBuilder &gb, Location loc, const Activation &a,
                          Value x) {
  std::string n = StringRef(a.name).lower();
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  auto scalar = [&](double v) { return gb.scalar(loc, et, v); };
  if (n == "sigmoid")
    return gb.build<SigmoidOp>(loc, x);
  if (n == "tanh")
    return gb.build<TanhOp>(loc, x);
  if (n == "relu")
    return gb.build<ReluOp>(loc, x);
  if (n == "softplus")
    return gb.build<SoftplusOp>(loc, x);
  if (n == "leakyrelu")
    return gb.build<LeakyReluOp>(
        loc, x, {gb.attr("alpha", gb.builder().getF64FloatAttr(a.alpha))});
  if (n == "elu")
    return gb.build<EluOp>(
        loc, x, {gb.attr("alpha", gb.builder().getF64FloatAttr(a.alpha))});
  if (n == "softsign") {
    FailureOr<Value> ax = gb.build<AbsOp>(loc, x);
    if (failed(ax))
      return failure();
    FailureOr<Value> den = gb.build<AddOp>(loc, {*ax, scalar(1.0)});
    if (failed(den))
      return failure();
    return gb.build<DivOp>(loc, {x, *den});
  }
  if (n == "scaledtanh") {
    FailureOr<Value> bx = gb.build<MulOp>(loc, {x, scalar(a.beta)});
    if (failed(bx))
      return failure();
    FailureOr<Value> t = gb.build<TanhOp>(loc, *bx);
    if (failed(t))
      return failure();
    return gb.build<MulOp>(loc, {*t, scalar(a.alpha)});
  }
  // Affine and HardSigmoid start with alpha * x + beta.
  FailureOr<Value> ax = gb.build<MulOp>(loc, {x, scalar(a.alpha)});
  if (failed(ax))
    return failure();
  FailureOr<Value> axb = gb.build<AddOp>(loc, {*ax, scalar(a.beta)});
  if (failed(axb) || n == "affine")
    return axb;
  FailureOr<Value> hi = gb.build<MinimumOp>(loc, {*axb, scalar(1.0)});
  if (failed(hi))
    return failure();
  return gb.build<MaximumOp>(loc, {*hi, scalar(0.0)});
}

/// The attributes and checked inputs common to LSTM, GRU and RNN, with X
/// and the initial states in the time-major layout.
struct Recurrence {
  int64_t gates = 1; // gate blocks in W: LSTM 4, GRU 3, RNN 1
  int64_t seq = 0, batch = 0, inputSize = 0, hidden = 0, numDirections = 1;
  bool layout1 = false;
  std::string direction;
  Value x;                      // [seq, batch, input]
  Value w, r, bias;             // bias may be null
  SmallVector<Value> initial;   // per state: [dirs, batch, hidden] or null
  SmallVector<Activation> acts; // per direction, `defaults.size()` each
};

/// Reads and checks the common part of a recurrent node.
FailureOr<Recurrence> readRecurrence(Importer &imp, NodeContext &nc,
                                     int64_t gates, int64_t numStates,
                                     ArrayRef<StringRef> defaultActs) {
  Recurrence rc;
  rc.gates = gates;
  FailureOr<int64_t> hidden = imp.attrInt(nc, "hidden_size", -1);
  FailureOr<std::string> direction = imp.attrString(nc, "direction", "forward");
  FailureOr<int64_t> layout = imp.attrInt(nc, "layout", 0);
  if (failed(hidden) || failed(direction) || failed(layout))
    return failure();
  if (imp.findAttr(nc, "clip"))
    return imp.error(nc) << "attribute 'clip' is not supported";
  if (*direction == "bidirectional")
    rc.numDirections = 2;
  else if (*direction != "forward" && *direction != "reverse")
    return imp.error(nc) << "unknown direction '" << *direction
                         << "' (expected forward, reverse or bidirectional)";
  if (*layout != 0 && *layout != 1)
    return imp.error(nc) << "layout must be 0 or 1, got " << *layout;
  rc.direction = *direction;
  rc.layout1 = *layout == 1;
  FailureOr<SmallVector<Activation>> acts =
      readActivations(imp, nc, defaultActs, rc.numDirections);
  if (failed(acts))
    return failure();
  rc.acts = *acts;

  Value x = nc.inputs[0];
  ArrayRef<int64_t> xs = Importer::shapeOf(x);
  if (xs.size() != 3)
    return imp.error(nc) << "X must be 3-D, got " << x.getType();
  if (rc.layout1) {
    FailureOr<Value> t = imp.gb.transpose(nc.loc, x, {1, 0, 2});
    if (failed(t))
      return failure();
    x = *t;
    xs = Importer::shapeOf(x);
  }
  rc.x = x;
  rc.seq = xs[0];
  rc.batch = xs[1];
  rc.inputSize = xs[2];
  rc.w = nc.inputs[1];
  rc.r = nc.inputs[2];
  rc.bias = nc.input(3);
  int64_t nd = rc.numDirections;
  ArrayRef<int64_t> ws = Importer::shapeOf(rc.w), rs = Importer::shapeOf(rc.r);
  if (ws.size() != 3 || ws[0] != nd || ws[2] != rc.inputSize || ws[1] % gates)
    return imp.error(nc) << "W must be [" << nd << ", " << gates
                         << " * hidden_size, " << rc.inputSize << "], got "
                         << rc.w.getType();
  rc.hidden = ws[1] / gates;
  if (*hidden >= 0 && *hidden != rc.hidden)
    return imp.error(nc) << "hidden_size is " << *hidden << " but W "
                         << rc.w.getType() << " implies " << rc.hidden;
  int64_t h = rc.hidden;
  if (rs != ArrayRef<int64_t>{nd, gates * h, h})
    return imp.error(nc) << "R must be " << shapeString({nd, gates * h, h})
                         << ", got " << rc.r.getType();
  if (rc.bias &&
      Importer::shapeOf(rc.bias) != ArrayRef<int64_t>{nd, 2 * gates * h})
    return imp.error(nc) << "B must be " << shapeString({nd, 2 * gates * h})
                         << ", got " << rc.bias.getType();
  for (Value v : {rc.w, rc.r, rc.bias})
    if (v && Importer::typeOf(v).getElementType() !=
                 Importer::typeOf(x).getElementType())
      return imp.error(nc) << "W, R and B must have X's element type";
  // sequence_lens: only uniform full-length sequences.
  if (Value lens = nc.input(4)) {
    std::optional<SmallVector<int64_t>> l = imp.gb.getConstantInts(lens);
    if (!l || llvm::any_of(*l, [&](int64_t v) { return v != rc.seq; }))
      return imp.error(nc) << "sequence_lens must be a constant equal to the "
                              "sequence length "
                           << rc.seq
                           << " for every batch entry (variable-"
                              "length sequences are not supported)";
  }
  SmallVector<int64_t> stateShape = {nd, rc.batch, h};
  for (int64_t s = 0; s < numStates; ++s) {
    Value v = nc.input(5 + s);
    if (v && rc.layout1) {
      FailureOr<Value> t = imp.gb.transpose(nc.loc, v, {1, 0, 2});
      if (failed(t))
        return failure();
      v = *t;
    }
    if (v && (Importer::shapeOf(v) != ArrayRef<int64_t>(stateShape) ||
              Importer::typeOf(v).getElementType() !=
                  Importer::typeOf(x).getElementType()))
      return imp.error(nc) << "initial state #" << s << " must be "
                           << shapeString(stateShape) << " (time-major), got "
                           << v.getType();
    rc.initial.push_back(v);
  }
  return rc;
}

/// `v[d]` of a [dirs, ...] tensor, without the leading dimension.
FailureOr<Value> direction(GraphBuilder &gb, Location loc, Value v, int64_t d) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(v.getType()).getShape();
  SmallVector<int64_t> start(s.size(), 0), limit(s);
  start[0] = d;
  limit[0] = d + 1;
  FailureOr<Value> sl = gb.slice(loc, v, start, limit);
  if (failed(sl))
    return failure();
  return gb.reshape(loc, *sl, s.drop_front());
}

/// Columns [from, to) of the last dimension.
FailureOr<Value> lastDimSlice(GraphBuilder &gb, Location loc, Value v,
                              int64_t from, int64_t to) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(v.getType()).getShape();
  SmallVector<int64_t> start(s.size(), 0), limit(s);
  start.back() = from;
  limit.back() = to;
  return gb.slice(loc, v, start, limit);
}

/// Rows [from, to) of the first dimension.
FailureOr<Value> firstDimSlice(GraphBuilder &gb, Location loc, Value v,
                               int64_t from, int64_t to) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(v.getType()).getShape();
  SmallVector<int64_t> start(s.size(), 0), limit(s);
  start[0] = from;
  limit[0] = to;
  return gb.slice(loc, v, start, limit);
}

/// X W^T (+ bias) for every step: [seq, batch, rows of W].
FailureOr<Value> inputProjection(GraphBuilder &gb, Location loc,
                                 const Recurrence &rc, Value w, Value bias) {
  int64_t rows = cast<RankedTensorType>(w.getType()).getDimSize(0);
  FailureOr<Value> x2 =
      gb.reshape(loc, rc.x, {rc.seq * rc.batch, rc.inputSize});
  if (failed(x2))
    return failure();
  FailureOr<Value> xw = gb.build<MatmulOp>(
      loc, {*x2, w}, {gb.attr("transpose_b", gb.builder().getBoolAttr(true))});
  if (failed(xw))
    return failure();
  if (bias) {
    xw = gb.build<AddOp>(loc, {*xw, bias});
    if (failed(xw))
      return failure();
  }
  return gb.reshape(loc, *xw, {rc.seq, rc.batch, rows});
}

/// The initial state of direction `d`, or zeros.
FailureOr<Value> initialState(GraphBuilder &gb, Location loc,
                              const Recurrence &rc, Value init, int64_t d) {
  if (init)
    return direction(gb, loc, init, d);
  auto type = RankedTensorType::get(
      {rc.batch, rc.hidden},
      cast<RankedTensorType>(rc.x.getType()).getElementType());
  return gb.splat(loc, type, 0.0);
}

/// Whether direction `d` runs backwards in time.
bool isReverse(const Recurrence &rc, int64_t d) {
  return rc.direction == "reverse" || d == 1;
}

/// Stacks per-direction results: sequences [seq, batch, H] into Y
/// [seq, dirs, batch, H] and final states [batch, H] into [dirs, batch, H],
/// transposed for layout 1.
LogicalResult stackOutputs(Importer &imp, NodeContext &nc, const Recurrence &rc,
                           ArrayRef<Value> ys,
                           ArrayRef<SmallVector<Value>> finals) {
  GraphBuilder &gb = imp.gb;
  Location loc = nc.loc;
  auto concat = [&](ArrayRef<Value> parts, int64_t axis) -> FailureOr<Value> {
    if (parts.size() == 1)
      return parts[0];
    return gb.build<ConcatOp>(loc, parts, {gb.i64("axis", axis)});
  };
  SmallVector<Value> yParts;
  for (Value y : ys) {
    FailureOr<Value> r = gb.reshape(loc, y, {rc.seq, 1, rc.batch, rc.hidden});
    if (failed(r))
      return failure();
    yParts.push_back(*r);
  }
  FailureOr<Value> y = concat(yParts, 1);
  if (failed(y))
    return failure();
  if (rc.layout1 && failed(y = gb.transpose(loc, *y, {2, 0, 1, 3})))
    return failure();
  nc.outputs = {*y};
  for (size_t s = 0; s < finals.front().size(); ++s) {
    SmallVector<Value> parts;
    for (const SmallVector<Value> &f : finals) {
      FailureOr<Value> r = gb.reshape(loc, f[s], {1, rc.batch, rc.hidden});
      if (failed(r))
        return failure();
      parts.push_back(*r);
    }
    FailureOr<Value> st = concat(parts, 0);
    if (failed(st))
      return failure();
    if (rc.layout1 && failed(st = gb.transpose(loc, *st, {1, 0, 2})))
      return failure();
    nc.outputs.push_back(*st);
  }
  return success();
}

/// h W^T for the recurrent weights inside a body.
FailureOr<Value> recurrentProduct(GraphBuilder &gb, Location loc, Value h,
                                  Value r) {
  return gb.build<MatmulOp>(
      loc, {h, r}, {gb.attr("transpose_b", gb.builder().getBoolAttr(true))});
}

/// The input bias of gate blocks [from, to) of one direction's B, plus the
/// recurrent bias of the same blocks when `withRecurrent`.
FailureOr<Value> biasBlocks(GraphBuilder &gb, Location loc,
                            const Recurrence &rc, Value biasD, int64_t from,
                            int64_t to, bool withRecurrent) {
  int64_t h = rc.hidden, g = rc.gates;
  FailureOr<Value> wb = lastDimSlice(gb, loc, biasD, from * h, to * h);
  if (failed(wb) || !withRecurrent)
    return wb;
  FailureOr<Value> rb =
      lastDimSlice(gb, loc, biasD, (g + from) * h, (g + to) * h);
  if (failed(rb))
    return failure();
  return gb.build<AddOp>(loc, {*wb, *rb});
}

//===----------------------------------------------------------------------===//
// LSTM
//===----------------------------------------------------------------------===//


/// One direction's recurrent weights and its input projection `X W^T + Wb`
/// for cells whose bias has `gates` blocks (LSTM 4, RNN 1).
struct DirectionWeights {
  Value r, xw;
};
FailureOr<DirectionWeights> directionWeights(GraphBuilder &gb, Location loc,
                                             const Recurrence &rc, int64_t d,
                                             int64_t gates) {
  FailureOr<Value> w = direction(gb, loc, rc.w, d);
  FailureOr<Value> r = direction(gb, loc, rc.r, d);
  if (failed(w) || failed(r))
    return failure();
  FailureOr<Value> bias = Value();
  if (rc.bias) {
    FailureOr<Value> bd = direction(gb, loc, rc.bias, d);
    if (failed(bd))
      return failure();
    bias = biasBlocks(gb, loc, rc, *bd, 0, gates, true);
  }
  if (failed(bias))
    return failure();
  FailureOr<Value> xw = inputProjection(gb, loc, rc, *w, *bias);
  if (failed(xw))
    return failure();
  return DirectionWeights{*r, *xw};
}

LogicalResult convertLSTM(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 3, 8)))
    return failure();
  FailureOr<int64_t> inputForget = imp.attrInt(nc, "input_forget", 0);
  if (failed(inputForget))
    return failure();
  if (*inputForget != 0)
    return imp.error(nc) << "input_forget = 1 is not supported";
  FailureOr<Recurrence> rcOr =
      readRecurrence(imp, nc, 4, 2, {"Sigmoid", "Tanh", "Tanh"});
  if (failed(rcOr))
    return failure();
  Recurrence &rc = *rcOr;
  GraphBuilder &gb = imp.gb;
  Location loc = nc.loc;
  int64_t h = rc.hidden;
  Value peep = nc.input(7);
  if (peep &&
      Importer::shapeOf(peep) != ArrayRef<int64_t>{rc.numDirections, 3 * h})
    return imp.error(nc) << "P must be "
                         << shapeString({rc.numDirections, 3 * h}) << ", got "
                         << peep.getType();
  SmallVector<Value> ys;
  SmallVector<SmallVector<Value>> finals;
  for (int64_t d = 0; d < rc.numDirections; ++d) {
    FailureOr<DirectionWeights> dw = directionWeights(gb, loc, rc, d, 4);
    if (failed(dw))
      return failure();
    Value xw = dw->xw;
    FailureOr<Value> h0 = initialState(gb, loc, rc, rc.initial[0], d);
    FailureOr<Value> c0 = initialState(gb, loc, rc, rc.initial[1], d);
    if (failed(h0) || failed(c0))
      return failure();
    Value pi, po, pf;
    if (peep) {
      FailureOr<Value> pd = direction(gb, loc, peep, d);
      if (failed(pd))
        return failure();
      FailureOr<Value> a = lastDimSlice(gb, loc, *pd, 0, h);
      FailureOr<Value> o = lastDimSlice(gb, loc, *pd, h, 2 * h);
      FailureOr<Value> f = lastDimSlice(gb, loc, *pd, 2 * h, 3 * h);
      if (failed(a) || failed(o) || failed(f))
        return failure();
      pi = *a, po = *o, pf = *f;
    }
    const Activation &fa = rc.acts[3 * d], &ga = rc.acts[3 * d + 1],
                     &ha = rc.acts[3 * d + 2];
    Value rd = dw->r;
    auto body = [&](ValueRange args) -> FailureOr<SmallVector<Value>> {
      Value hp = args[0], cp = args[1], xt = args[2];
      FailureOr<Value> hr = recurrentProduct(gb, loc, hp, rd);
      if (failed(hr))
        return failure();
      FailureOr<Value> g = gb.build<AddOp>(loc, {xt, *hr});
      if (failed(g))
        return failure();
      SmallVector<Value> parts;
      for (int64_t k = 0; k < 4; ++k) {
        FailureOr<Value> p = lastDimSlice(gb, loc, *g, k * h, (k + 1) * h);
        if (failed(p))
          return failure();
        parts.push_back(*p);
      }
      auto peephole = [&](Value gate, Value p, Value c) -> FailureOr<Value> {
        if (!p)
          return gate;
        FailureOr<Value> pc = gb.build<MulOp>(loc, {p, c});
        if (failed(pc))
          return failure();
        return gb.build<AddOp>(loc, {gate, *pc});
      };
      FailureOr<Value> i = peephole(parts[0], pi, cp);
      FailureOr<Value> f = peephole(parts[2], pf, cp);
      if (failed(i) || failed(f))
        return failure();
      i = activate(gb, loc, fa, *i);
      f = activate(gb, loc, fa, *f);
      FailureOr<Value> cc = activate(gb, loc, ga, parts[3]);
      if (failed(i) || failed(f) || failed(cc))
        return failure();
      FailureOr<Value> fc = gb.build<MulOp>(loc, {*f, cp});
      FailureOr<Value> ic = gb.build<MulOp>(loc, {*i, *cc});
      if (failed(fc) || failed(ic))
        return failure();
      FailureOr<Value> c = gb.build<AddOp>(loc, {*fc, *ic});
      if (failed(c))
        return failure();
      FailureOr<Value> o = peephole(parts[1], po, *c);
      if (failed(o) || failed(o = activate(gb, loc, fa, *o)))
        return failure();
      FailureOr<Value> hc = activate(gb, loc, ha, *c);
      if (failed(hc))
        return failure();
      FailureOr<Value> hn = gb.build<MulOp>(loc, {*o, *hc});
      if (failed(hn))
        return failure();
      return SmallVector<Value>{*hn, *c, *hn};
    };
    FailureOr<ScanOp> scan =
        buildScan(imp, loc, {*h0, *c0}, {xw}, isReverse(rc, d), body);
    if (failed(scan))
      return failure();
    ys.push_back(scan->getResult(2));
    finals.push_back({scan->getResult(0), scan->getResult(1)});
  }
  return stackOutputs(imp, nc, rc, ys, finals);
}

//===----------------------------------------------------------------------===//
// GRU
//===----------------------------------------------------------------------===//

LogicalResult convertGRU(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 3, 6)))
    return failure();
  FailureOr<int64_t> lbr = imp.attrInt(nc, "linear_before_reset", 0);
  if (failed(lbr))
    return failure();
  FailureOr<Recurrence> rcOr =
      readRecurrence(imp, nc, 3, 1, {"Sigmoid", "Tanh"});
  if (failed(rcOr))
    return failure();
  Recurrence &rc = *rcOr;
  GraphBuilder &gb = imp.gb;
  Location loc = nc.loc;
  int64_t h = rc.hidden;
  SmallVector<Value> ys;
  SmallVector<SmallVector<Value>> finals;
  for (int64_t d = 0; d < rc.numDirections; ++d) {
    FailureOr<Value> w = direction(gb, loc, rc.w, d);
    FailureOr<Value> r = direction(gb, loc, rc.r, d);
    if (failed(w) || failed(r))
      return failure();
    // The input bias of all gates plus the recurrent bias of z and r; the
    // recurrent bias of h stays inside the cell (it is gated by r).
    Value bias, rbh;
    if (rc.bias) {
      FailureOr<Value> bd = direction(gb, loc, rc.bias, d);
      if (failed(bd))
        return failure();
      FailureOr<Value> zr = biasBlocks(gb, loc, rc, *bd, 0, 2, true);
      FailureOr<Value> wh = lastDimSlice(gb, loc, *bd, 2 * h, 3 * h);
      FailureOr<Value> rh = lastDimSlice(gb, loc, *bd, 5 * h, 6 * h);
      if (failed(zr) || failed(wh) || failed(rh))
        return failure();
      FailureOr<Value> all =
          gb.build<ConcatOp>(loc, {*zr, *wh}, {gb.i64("axis", 0)});
      if (failed(all))
        return failure();
      bias = *all;
      rbh = *rh;
    }
    FailureOr<Value> xw = inputProjection(gb, loc, rc, *w, bias);
    FailureOr<Value> h0 = initialState(gb, loc, rc, rc.initial[0], d);
    FailureOr<Value> rzr = firstDimSlice(gb, loc, *r, 0, 2 * h);
    FailureOr<Value> rh = firstDimSlice(gb, loc, *r, 2 * h, 3 * h);
    if (failed(xw) || failed(h0) || failed(rzr) || failed(rh))
      return failure();
    const Activation &fa = rc.acts[2 * d], &ga = rc.acts[2 * d + 1];
    auto body = [&](ValueRange args) -> FailureOr<SmallVector<Value>> {
      Value hp = args[0], xt = args[1];
      FailureOr<Value> hzr = recurrentProduct(gb, loc, hp, *rzr);
      if (failed(hzr))
        return failure();
      FailureOr<Value> xz = lastDimSlice(gb, loc, xt, 0, h);
      FailureOr<Value> xr = lastDimSlice(gb, loc, xt, h, 2 * h);
      FailureOr<Value> xh = lastDimSlice(gb, loc, xt, 2 * h, 3 * h);
      FailureOr<Value> hz = lastDimSlice(gb, loc, *hzr, 0, h);
      FailureOr<Value> hr = lastDimSlice(gb, loc, *hzr, h, 2 * h);
      if (failed(xz) || failed(xr) || failed(xh) || failed(hz) || failed(hr))
        return failure();
      FailureOr<Value> z = gb.build<AddOp>(loc, {*xz, *hz});
      FailureOr<Value> rg = gb.build<AddOp>(loc, {*xr, *hr});
      if (failed(z) || failed(rg) || failed(z = activate(gb, loc, fa, *z)) ||
          failed(rg = activate(gb, loc, fa, *rg)))
        return failure();
      FailureOr<Value> pre = failure();
      if (*lbr) {
        // g(xh + r * (h Rh^T + Rbh))
        FailureOr<Value> hh = recurrentProduct(gb, loc, hp, *rh);
        if (failed(hh))
          return failure();
        if (rbh && failed(hh = gb.build<AddOp>(loc, {*hh, rbh})))
          return failure();
        FailureOr<Value> gated = gb.build<MulOp>(loc, {*rg, *hh});
        if (failed(gated))
          return failure();
        pre = gb.build<AddOp>(loc, {*xh, *gated});
      } else {
        // g(xh + (r * h) Rh^T + Rbh)
        FailureOr<Value> rhp = gb.build<MulOp>(loc, {*rg, hp});
        if (failed(rhp))
          return failure();
        FailureOr<Value> hh = recurrentProduct(gb, loc, *rhp, *rh);
        if (failed(hh))
          return failure();
        if (rbh && failed(hh = gb.build<AddOp>(loc, {*hh, rbh})))
          return failure();
        pre = gb.build<AddOp>(loc, {*xh, *hh});
      }
      if (failed(pre))
        return failure();
      FailureOr<Value> n = activate(gb, loc, ga, *pre);
      if (failed(n))
        return failure();
      // h' = (1 - z) * n + z * h = n + z * (h - n)
      FailureOr<Value> diff = gb.build<SubOp>(loc, {hp, *n});
      if (failed(diff))
        return failure();
      FailureOr<Value> zd = gb.build<MulOp>(loc, {*z, *diff});
      if (failed(zd))
        return failure();
      FailureOr<Value> hn = gb.build<AddOp>(loc, {*n, *zd});
      if (failed(hn))
        return failure();
      return SmallVector<Value>{*hn, *hn};
    };
    FailureOr<ScanOp> scan =
        buildScan(imp, loc, {*h0}, {*xw}, isReverse(rc, d), body);
    if (failed(scan))
      return failure();
    ys.push_back(scan->getResult(1));
    finals.push_back({scan->getResult(0)});
  }
  return stackOutputs(imp, nc, rc, ys, finals);
}

//===----------------------------------------------------------------------===//
// RNN
//===----------------------------------------------------------------------===//

LogicalResult convertRNN(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 3, 6)))
    return failure();
  FailureOr<Recurrence> rcOr = readRecurrence(imp, nc, 1, 1, {"Tanh"});
  if (failed(rcOr))
    return failure();
  Recurrence &rc = *rcOr;
  GraphBuilder &gb = imp.gb;
  Location loc = nc.loc;
  SmallVector<Value> ys;
  SmallVector<SmallVector<Value>> finals;
  for (int64_t d = 0; d < rc.numDirections; ++d) {
    FailureOr<DirectionWeights> dw = directionWeights(gb, loc, rc, d, 1);
    if (failed(dw))
      return failure();
    Value xw = dw->xw;
    FailureOr<Value> h0 = initialState(gb, loc, rc, rc.initial[0], d);
    if (failed(h0))
      return failure();
    const Activation &fa = rc.acts[d];
    Value rd = dw->r;
    auto body = [&](ValueRange args) -> FailureOr<SmallVector<Value>> {
      FailureOr<Value> hr = recurrentProduct(gb, loc, args[0], rd);
      if (failed(hr))
        return failure();
      FailureOr<Value> pre = gb.build<AddOp>(loc, {args[1], *hr});
      if (failed(pre))
        return failure();
      FailureOr<Value> hn = activate(gb, loc, fa, *pre);
      if (failed(hn))
        return failure();
      return SmallVector<Value>{*hn, *hn};
    };
    FailureOr<ScanOp> scan =
        buildScan(imp, loc, {*h0}, {xw}, isReverse(rc, d), body);
    if (failed(scan))
      return failure();
    ys.push_back(scan->getResult(1));
    finals.push_back({scan->getResult(0)});
  }
  return stackOutputs(imp, nc, rc, ys, finals);
}

} // namespace

void kiln::importer::onnx::registerRecurrentOps(llvm::StringMap<Converter> &t) {
  t["LSTM"] = convertLSTM;
  t["GRU"] = convertGRU;
  t["RNN"] = convertRNN;
}
