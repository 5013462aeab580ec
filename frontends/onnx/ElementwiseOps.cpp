//===- ElementwiseOps.cpp - ONNX elementwise, logical and cast ops --------===//

#include "frontends/onnx/OnnxImporterImpl.h"

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::importer::onnx;

namespace {

/// A unary ONNX op that maps onto one kiln op.
template <typename OpTy> LogicalResult unary(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  return imp.emit<OpTy>(nc, nc.inputs[0]);
}

/// Checks that both operands have one element type (ONNX requires it).
LogicalResult sameElement(Importer &imp, NodeContext &nc, Value a, Value c) {
  Type ea = Importer::typeOf(a).getElementType();
  Type ec = Importer::typeOf(c).getElementType();
  if (ea != ec)
    return imp.error(nc) << "operands have different element types (" << ea
                         << " and " << ec << ")";
  return success();
}

/// A binary op with NumPy broadcasting.
template <typename OpTy> LogicalResult binary(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 2, 2)) ||
      failed(sameElement(imp, nc, nc.inputs[0], nc.inputs[1])))
    return failure();
  return imp.emit<OpTy>(nc, {nc.inputs[0], nc.inputs[1]});
}

/// A variadic op (Max, Min, Sum) folded left to right.
template <typename OpTy>
LogicalResult variadic(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 1u << 20)))
    return failure();
  Value acc = nc.inputs[0];
  for (size_t i = 1; i < nc.inputs.size(); ++i) {
    if (!nc.inputs[i])
      return imp.error(nc) << "input #" << i << " is missing";
    if (failed(sameElement(imp, nc, acc, nc.inputs[i])))
      return failure();
    FailureOr<Value> next = imp.gb.build<OpTy>(nc.loc, {acc, nc.inputs[i]});
    if (failed(next))
      return failure();
    acc = *next;
  }
  nc.outputs = {acc};
  return success();
}

LogicalResult convertMean(Importer &imp, NodeContext &nc) {
  if (failed(variadic<AddOp>(imp, nc)))
    return failure();
  Value sum = nc.outputs[0];
  Value n = imp.gb.scalar(nc.loc, Importer::typeOf(sum).getElementType(),
                          double(nc.inputs.size()));
  return imp.emit<DivOp>(nc, {sum, n});
}

LogicalResult convertPow(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 2, 2)))
    return failure();
  // The exponent may have another numeric type: convert it to the base's.
  FailureOr<Value> exponent = imp.gb.castTo(
      nc.loc, nc.inputs[1], Importer::typeOf(nc.inputs[0]).getElementType());
  if (failed(exponent))
    return failure();
  return imp.emit<PowOp>(nc, {nc.inputs[0], *exponent});
}

LogicalResult convertReciprocal(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  Value x = nc.inputs[0];
  Value one = imp.gb.scalar(nc.loc, Importer::typeOf(x).getElementType(), 1.0);
  return imp.emit<DivOp>(nc, {one, x});
}

LogicalResult convertIdentity(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  nc.outputs = {nc.inputs[0]};
  return success();
}

/// Dropout at inference is the identity; the mask output is not computed.
LogicalResult convertDropout(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 3)))
    return failure();
  if (Value training = nc.input(2)) {
    std::optional<SmallVector<int64_t>> t = imp.gb.getConstantInts(training);
    if (!t || t->size() != 1 || (*t)[0] != 0)
      return imp.error(nc) << "training_mode must be a constant false "
                              "(Kiln imports models for inference)";
  }
  nc.outputs = {nc.inputs[0]};
  return success();
}

LogicalResult convertLeakyRelu(Importer &imp, NodeContext &nc) {
  FailureOr<double> alpha = imp.attrFloat(nc, "alpha", 0.01);
  if (failed(alpha) || failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  return imp.emit<LeakyReluOp>(
      nc, nc.inputs[0], {imp.gb.attr("alpha", imp.b.getF64FloatAttr(*alpha))});
}

LogicalResult convertElu(Importer &imp, NodeContext &nc) {
  FailureOr<double> alpha = imp.attrFloat(nc, "alpha", 1.0);
  if (failed(alpha) || failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  return imp.emit<EluOp>(nc, nc.inputs[0],
                         {imp.gb.attr("alpha", imp.b.getF64FloatAttr(*alpha))});
}

/// HardSigmoid: max(0, min(1, alpha * x + beta)).
LogicalResult convertHardSigmoid(Importer &imp, NodeContext &nc) {
  FailureOr<double> alpha = imp.attrFloat(nc, "alpha", 0.2);
  FailureOr<double> beta = imp.attrFloat(nc, "beta", 0.5);
  if (failed(alpha) || failed(beta) || failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  Value x = nc.inputs[0];
  Type et = Importer::typeOf(x).getElementType();
  if (!isa<FloatType>(et))
    return imp.error(nc) << "the input must be a float tensor, got "
                         << x.getType();
  kiln::importer::GraphBuilder &gb = imp.gb;
  FailureOr<Value> ax =
      gb.build<MulOp>(nc.loc, {x, gb.scalar(nc.loc, et, *alpha)});
  if (failed(ax))
    return failure();
  FailureOr<Value> axb =
      gb.build<AddOp>(nc.loc, {*ax, gb.scalar(nc.loc, et, *beta)});
  if (failed(axb))
    return failure();
  FailureOr<Value> hi =
      gb.build<MinimumOp>(nc.loc, {*axb, gb.scalar(nc.loc, et, 1.0)});
  if (failed(hi))
    return failure();
  return imp.emit<MaximumOp>(nc, {*hi, gb.scalar(nc.loc, et, 0.0)});
}

/// Clip(x, min, max) as maximum/minimum; Clip(x, 0, 6) is kiln.relu6.
LogicalResult convertClip(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 3)))
    return failure();
  Value x = nc.inputs[0];
  Value lo = nc.input(1), hi = nc.input(2);
  for (Value bound : {lo, hi})
    if (bound && Importer::typeOf(bound).getRank() != 0)
      return imp.error(nc) << "min and max must be scalars, got "
                           << bound.getType();
  auto constant = [&](Value v) -> std::optional<double> {
    if (!v)
      return std::nullopt;
    std::optional<SmallVector<double>> f = imp.gb.getConstantFloats(v);
    if (!f || f->size() != 1)
      return std::nullopt;
    return (*f)[0];
  };
  if (constant(lo) == 0.0 && constant(hi) == 6.0)
    return imp.emit<Relu6Op>(nc, x);
  Value acc = x;
  if (lo) {
    if (failed(sameElement(imp, nc, x, lo)))
      return failure();
    FailureOr<Value> v = imp.gb.build<MaximumOp>(nc.loc, {acc, lo});
    if (failed(v))
      return failure();
    acc = *v;
  }
  if (hi) {
    if (failed(sameElement(imp, nc, x, hi)))
      return failure();
    FailureOr<Value> v = imp.gb.build<MinimumOp>(nc.loc, {acc, hi});
    if (failed(v))
      return failure();
    acc = *v;
  }
  nc.outputs = {acc};
  return success();
}

LogicalResult convertCast(Importer &imp, NodeContext &nc) {
  FailureOr<int64_t> to = imp.attrInt(nc, "to", -1);
  if (failed(to) || failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  if (!imp.findAttr(nc, "to"))
    return imp.error(nc) << "attribute 'to' is required";
  std::optional<Type> element = elementType(imp.ctx, *to);
  if (!element)
    return imp.error(nc) << "cannot cast to " << dataTypeName(*to)
                         << ", which Kiln does not support";
  FailureOr<Value> v = imp.gb.castTo(nc.loc, nc.inputs[0], *element);
  if (failed(v))
    return failure();
  nc.outputs = {*v};
  return success();
}

LogicalResult convertNot(Importer &imp, NodeContext &nc) {
  return unary<LogicalNotOp>(imp, nc);
}

/// Xor on booleans is inequality.
LogicalResult convertXor(Importer &imp, NodeContext &nc) {
  return binary<NotEqualOp>(imp, nc);
}

LogicalResult convertWhere(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 3, 3)) ||
      failed(sameElement(imp, nc, nc.inputs[1], nc.inputs[2])))
    return failure();
  return imp.emit<SelectOp>(nc, {nc.inputs[0], nc.inputs[1], nc.inputs[2]});
}

} // namespace

void kiln::importer::onnx::registerElementwiseOps(
    llvm::StringMap<Converter> &t) {
  t["Add"] = binary<AddOp>;
  t["Sub"] = binary<SubOp>;
  t["Mul"] = binary<MulOp>;
  t["Div"] = binary<DivOp>;
  t["Pow"] = convertPow;
  t["Max"] = variadic<MaximumOp>;
  t["Min"] = variadic<MinimumOp>;
  t["Sum"] = variadic<AddOp>;
  t["Mean"] = convertMean;
  t["Neg"] = unary<NegOp>;
  t["Abs"] = unary<AbsOp>;
  t["Sqrt"] = unary<SqrtOp>;
  t["Exp"] = unary<ExpOp>;
  t["Log"] = unary<LogOp>;
  t["Erf"] = unary<ErfOp>;
  t["Sin"] = unary<SinOp>;
  t["Cos"] = unary<CosOp>;
  t["Tanh"] = unary<TanhOp>;
  t["Sigmoid"] = unary<SigmoidOp>;
  t["Relu"] = unary<ReluOp>;
  t["Softplus"] = unary<SoftplusOp>;
  t["Floor"] = unary<FloorOp>;
  t["Ceil"] = unary<CeilOp>;
  t["Reciprocal"] = convertReciprocal;
  t["LeakyRelu"] = convertLeakyRelu;
  t["Elu"] = convertElu;
  t["HardSigmoid"] = convertHardSigmoid;
  t["Clip"] = convertClip;
  t["Identity"] = convertIdentity;
  t["Dropout"] = convertDropout;
  t["Cast"] = convertCast;
  t["Equal"] = binary<EqualOp>;
  t["Less"] = binary<LessOp>;
  t["Greater"] = binary<GreaterOp>;
  t["LessOrEqual"] = binary<LessEqualOp>;
  t["GreaterOrEqual"] = binary<GreaterEqualOp>;
  t["Not"] = convertNot;
  t["And"] = binary<LogicalAndOp>;
  t["Or"] = binary<LogicalOrOp>;
  t["Xor"] = convertXor;
  t["Where"] = convertWhere;
}
