//===- GraphBuilder.cpp - what every model importer shares ----------------===//

#include "frontends/common/GraphBuilder.h"

#include "compiler/reference/Interpreter.h"
#include "compiler/reference/Tensor.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using namespace kiln::importer;

Location kiln::importer::nodeLoc(MLIRContext *ctx, StringRef nodeName) {
  return NameLoc::get(StringAttr::get(ctx, nodeName));
}

FailureOr<Operation *>
GraphBuilder::buildGeneric(Location loc, StringRef name, ValueRange operands,
                           ArrayRef<NamedAttribute> attrs) {
  MLIRContext *ctx = context();
  OperationState state(loc, name);
  std::optional<RegisteredOperationName> info = state.name.getRegisteredInfo();
  if (!info)
    return emitError(loc) << "internal error: op '" << name
                          << "' is not registered";
  if (++created > kMaxImportOps)
    return emitError(loc) << "the model expands to more than " << kMaxImportOps
                          << " operations (deeply nested or repeated function "
                             "calls, or a loop evaluated at import time)";
  for (Value v : operands)
    if (!v)
      return emitError(loc) << "internal error: a missing operand for '"
                            << name << "'";
  auto *iface = info->getInterface<InferTypeOpInterface>();
  if (!iface)
    return emitError(loc) << "internal error: op '" << name
                          << "' does not infer its result types";
  state.addOperands(operands);
  state.addAttributes(attrs);
  // Inherent attributes live in the op's properties, which the inference
  // adaptor reads: infer on a result-less probe op built from the same state
  // (Operation::create moves inherent attributes into properties).
  SmallVector<Type> types;
  Operation *probe = Operation::create(state);
  LogicalResult inferred = iface->inferReturnTypes(
      ctx, loc, probe->getOperands(), probe->getAttrDictionary(),
      probe->getPropertiesStorage(), probe->getRegions(), types);
  probe->destroy();
  if (failed(inferred))
    return failure();
  state.addTypes(types);
  Operation *op = b.create(state);
  if (failed(verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    return failure();
  }
  return tryFold(op);
}

FailureOr<Value> GraphBuilder::buildValue(Location loc, StringRef name,
                                          ValueRange operands,
                                          ArrayRef<NamedAttribute> attrs) {
  FailureOr<Operation *> op = buildGeneric(loc, name, operands, attrs);
  if (failed(op))
    return failure();
  Operation *created = *op;
  Value result = created->getResult(0);
  if (created->getNumResults() != 1 || isa<ConstantOp>(created))
    return result;
  // Apply the op's own folder: in place (a reshape of a reshape becomes one
  // reshape) until it folds to an existing value (an identity) or stops.
  for (int round = 0; round < 4; ++round) {
    SmallVector<OpFoldResult> folded;
    if (failed(created->fold(folded)))
      break;
    if (folded.empty())
      continue; // updated in place: try again
    auto v = dyn_cast<Value>(folded[0]);
    if (v && v != result && v.getType() == result.getType()) {
      result.replaceAllUsesWith(v);
      created->erase();
      return v;
    }
    break;
  }
  return result;
}

Operation *GraphBuilder::tryFold(Operation *op) {
  std::string name = "folded" + std::to_string(blobCounter);
  FailureOr<ElementsAttr> value =
      reference::foldToConstant(op, kFoldElementLimit,
                                 reference::kFoldCostLimit, name);
  if (failed(value))
    return op;
  ++blobCounter;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(op);
  Operation *folded = b.create<ConstantOp>(op->getLoc(), value->getType(), *value);
  ++created;
  op->getResult(0).replaceAllUsesWith(folded->getResult(0));
  op->erase();
  return folded;
}

Value GraphBuilder::constant(Location loc, ElementsAttr value) {
  ++created;
  if (auto dense = dyn_cast<DenseElementsAttr>(value);
      dense && !dense.isSplat() && dense.getNumElements() > kInlineConstantLimit &&
      !dense.getElementType().isInteger(1)) {
    ArrayRef<char> raw = dense.getRawData();
    return constantFromBytes(loc, cast<RankedTensorType>(dense.getType()), raw,
                             "const");
  }
  return b.create<ConstantOp>(loc, value.getType(), value);
}

Value GraphBuilder::constantFromBytes(Location loc, RankedTensorType type,
                                      ArrayRef<char> bytes, StringRef name) {
  ++created;
  Type element = type.getElementType();
  if (type.getNumElements() <= kInlineConstantLimit || element.isInteger(1)) {
    if (element.isInteger(1)) {
      SmallVector<bool> values;
      for (char c : bytes)
        values.push_back(c != 0);
      return b.create<ConstantOp>(loc, type, DenseElementsAttr::get(type, values));
    }
    bool splat = false;
    if (DenseElementsAttr::isValidRawBuffer(type, bytes, splat))
      return b.create<ConstantOp>(
          loc, type, DenseElementsAttr::getFromRawBuffer(type, bytes));
  }
  // Resource keys must be identifiers; the blob manager uniquifies them.
  std::string key;
  for (char c : name)
    key += (isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (key.empty() || isdigit(static_cast<unsigned char>(key[0])))
    key = "w_" + key;
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(uint64_t));
  auto attr = DenseResourceElementsAttr::get(type, key, std::move(blob));
  return b.create<ConstantOp>(loc, type, attr);
}

Value GraphBuilder::splat(Location loc, RankedTensorType type, double value) {
  Type element = type.getElementType();
  Attribute scalarAttr;
  if (auto ft = dyn_cast<FloatType>(element)) {
    APFloat f(value);
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    scalarAttr = FloatAttr::get(element, f);
  } else if (element.isInteger(1)) {
    scalarAttr = BoolAttr::get(context(), value != 0);
  } else {
    // Saturate: a double beyond the int64 range has no exact integer.
    int64_t i = std::isnan(value)            ? 0
                : value >= 9.2233720368547758e18 ? INT64_MAX
                : value <= -9.2233720368547758e18 ? INT64_MIN
                                                  : static_cast<int64_t>(value);
    return splatInt(loc, type, i);
  }
  ++created;
  auto attr = DenseElementsAttr::get(type, scalarAttr);
  return b.create<ConstantOp>(loc, type, attr);
}

Value GraphBuilder::splatInt(Location loc, RankedTensorType type,
                             int64_t value) {
  ++created;
  Type element = type.getElementType();
  Attribute scalarAttr;
  if (isa<FloatType>(element))
    return splat(loc, type, static_cast<double>(value));
  if (element.isInteger(1))
    scalarAttr = BoolAttr::get(context(), value != 0);
  else
  {
    APInt wide(64, static_cast<uint64_t>(value), /*isSigned=*/true);
    unsigned width = element.getIntOrFloatBitWidth();
    scalarAttr = IntegerAttr::get(element, width < 64 ? wide.trunc(width) : wide);
  }
  return b.create<ConstantOp>(loc, type, DenseElementsAttr::get(type, scalarAttr));
}

Value GraphBuilder::scalar(Location loc, Type element, double value) {
  return splat(loc, RankedTensorType::get({}, element), value);
}

Value GraphBuilder::i64Vector(Location loc, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI64Type());
  return b.create<ConstantOp>(loc, type, DenseElementsAttr::get(type, values));
}

ElementsAttr GraphBuilder::getConstant(Value v) {
  if (!v)
    return {};
  if (auto c = v.getDefiningOp<ConstantOp>())
    return c.getValue();
  return {};
}

/// The value's constant as an interpreter tensor, if it is a small constant.
static std::optional<reference::Tensor> constantTensor(GraphBuilder &gb,
                                                       Value v) {
  ElementsAttr attr = gb.getConstant(v);
  if (!attr || attr.getNumElements() > kFoldElementLimit)
    return std::nullopt;
  ScopedDiagnosticHandler silence(gb.context(), [](Diagnostic &) {
    return success();
  });
  FailureOr<reference::Tensor> t = reference::tensorFromAttr(attr, v.getLoc());
  if (failed(t))
    return std::nullopt;
  return std::move(*t);
}

std::optional<SmallVector<int64_t>> GraphBuilder::getConstantInts(Value v) {
  std::optional<reference::Tensor> t = constantTensor(*this, v);
  if (!t)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (int64_t k = 0; k < t->size(); ++k) {
    if (!t->isFloat()) {
      out.push_back(t->ints[k]);
      continue;
    }
    double d = t->floats[k];
    if (!(d >= -9.2e18 && d <= 9.2e18) || d != std::trunc(d))
      return std::nullopt;
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

std::optional<SmallVector<double>> GraphBuilder::getConstantFloats(Value v) {
  std::optional<reference::Tensor> t = constantTensor(*this, v);
  if (!t)
    return std::nullopt;
  SmallVector<double> out;
  for (int64_t k = 0; k < t->size(); ++k)
    out.push_back(t->getDouble(k));
  return out;
}

FailureOr<Value> GraphBuilder::reshape(Location loc, Value x,
                                       ArrayRef<int64_t> shape) {
  if (cast<RankedTensorType>(x.getType()).getShape() == shape)
    return x;
  return build<ReshapeOp>(loc, x, {i64Array("shape", shape)});
}

FailureOr<Value> GraphBuilder::transpose(Location loc, Value x,
                                         ArrayRef<int64_t> perm) {
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i)
    identity &= perm[i] == static_cast<int64_t>(i);
  if (identity && perm.size() ==
                      static_cast<size_t>(cast<RankedTensorType>(x.getType()).getRank()))
    return x;
  return build<TransposeOp>(loc, x, {i64Array("perm", perm)});
}

FailureOr<Value> GraphBuilder::castTo(Location loc, Value x, Type element) {
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getElementType() == element)
    return x;
  // kiln.cast names its target by its result type: build it directly.
  auto resultType = RankedTensorType::get(type.getShape(), element);
  Operation *op = b.create<CastOp>(loc, resultType, x);
  if (failed(verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    return failure();
  }
  return tryFold(op)->getResult(0);
}

FailureOr<Value> GraphBuilder::slice(Location loc, Value x,
                                     ArrayRef<int64_t> start,
                                     ArrayRef<int64_t> limit,
                                     ArrayRef<int64_t> strides) {
  SmallVector<NamedAttribute> attrs = {i64Array("start", start),
                                       i64Array("limit", limit)};
  if (!strides.empty())
    attrs.push_back(i64Array("strides", strides));
  return build<SliceOp>(loc, x, attrs);
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

namespace {
struct Labelled {
  Value value;
  std::string labels;
  ArrayRef<int64_t> shape() const {
    return cast<RankedTensorType>(value.getType()).getShape();
  }
  int64_t dim(char c) const { return shape()[labels.find(c)]; }
};
} // namespace

/// Sums `x` over the labels that appear nowhere in `keep`.
static FailureOr<Labelled> sumUnused(GraphBuilder &gb, Location loc,
                                     Labelled x, StringRef keep) {
  SmallVector<int64_t> axes;
  std::string rest;
  for (size_t i = 0; i < x.labels.size(); ++i) {
    if (keep.contains(x.labels[i]))
      rest += x.labels[i];
    else
      axes.push_back(static_cast<int64_t>(i));
  }
  if (axes.empty())
    return x;
  FailureOr<Value> sum = gb.build<ReduceSumOp>(
      loc, x.value,
      {gb.i64Array("axes", axes), gb.attr("keepdims", gb.builder().getBoolAttr(false))});
  if (failed(sum))
    return failure();
  return Labelled{*sum, rest};
}

/// Transposes `x` so its labels read `order`.
static FailureOr<Value> permuteTo(GraphBuilder &gb, Location loc,
                                  const Labelled &x, StringRef order) {
  SmallVector<int64_t> perm;
  for (char c : order)
    perm.push_back(static_cast<int64_t>(x.labels.find(c)));
  return gb.transpose(loc, x.value, perm);
}

FailureOr<Value> GraphBuilder::einsum(Location loc, StringRef equation,
                                      ValueRange operands) {
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq += c;
  size_t arrow = eq.find("->");
  if (arrow == std::string::npos)
    return emitError(loc) << "einsum equation '" << equation
                          << "' has no explicit output ('->')";
  StringRef lhs = StringRef(eq).take_front(arrow);
  StringRef out = StringRef(eq).drop_front(arrow + 2);
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != operands.size() || terms.empty() || terms.size() > 2)
    return emitError(loc) << "einsum equation '" << equation << "' has "
                          << terms.size() << " operand terms for "
                          << operands.size()
                          << " operands (1 or 2 are supported)";
  SmallVector<Labelled> xs;
  for (auto [term, v] : llvm::zip(terms, operands)) {
    if (!v)
      return emitError(loc) << "einsum is missing an operand";
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || static_cast<int64_t>(term.size()) != type.getRank())
      return emitError(loc) << "einsum term '" << term
                            << "' does not match an operand of rank "
                            << (type ? type.getRank() : -1);
    for (size_t i = 0; i < term.size(); ++i) {
      if (!isalpha(static_cast<unsigned char>(term[i])))
        return emitError(loc) << "einsum equation '" << equation
                              << "': only letter labels are supported";
      if (term.find(term[i], i + 1) != StringRef::npos)
        return emitError(loc) << "einsum term '" << term
                              << "' repeats label '" << term[i]
                              << "' (diagonals are not supported)";
    }
    xs.push_back(Labelled{v, term.str()});
  }
  for (size_t i = 0; i < out.size(); ++i) {
    bool known = llvm::any_of(terms, [&](StringRef t) { return t.contains(out[i]); });
    if (!known || out.find(out[i], i + 1) != StringRef::npos)
      return emitError(loc) << "einsum output '" << out
                            << "' has an unknown or repeated label '" << out[i]
                            << "'";
  }
  if (xs.size() == 1) {
    FailureOr<Labelled> reduced = sumUnused(*this, loc, xs[0], out);
    if (failed(reduced))
      return failure();
    return permuteTo(*this, loc, *reduced, out);
  }
  Labelled a = xs[0], bx = xs[1];
  // Sum away labels private to one operand that the output drops.
  FailureOr<Labelled> ra = sumUnused(*this, loc, a, (out + bx.labels).str());
  FailureOr<Labelled> rb = sumUnused(*this, loc, bx, (out + a.labels).str());
  if (failed(ra) || failed(rb))
    return failure();
  a = *ra;
  bx = *rb;
  std::string batch, contract, aFree, bFree;
  for (char c : a.labels) {
    bool inB = bx.labels.find(c) != std::string::npos;
    bool inOut = out.contains(c);
    if (inB && inOut)
      batch += c;
    else if (inB)
      contract += c;
    else
      aFree += c;
  }
  for (char c : bx.labels)
    if (a.labels.find(c) == std::string::npos)
      bFree += c;
  for (char c : batch + contract)
    if (a.dim(c) != bx.dim(c))
      return emitError(loc) << "einsum label '" << c << "' has size "
                            << a.dim(c) << " in one operand and "
                            << bx.dim(c) << " in the other";
  auto product = [](const Labelled &x, StringRef labels) {
    int64_t p = 1;
    for (char c : labels)
      p *= x.dim(c);
    return p;
  };
  FailureOr<Value> ta = permuteTo(*this, loc, a, batch + aFree + contract);
  FailureOr<Value> tb = permuteTo(*this, loc, bx, batch + contract + bFree);
  if (failed(ta) || failed(tb))
    return failure();
  int64_t pb = product(a, batch), pm = product(a, aFree),
          pk = product(a, contract), pn = product(bx, bFree);
  FailureOr<Value> ma = reshape(loc, *ta, {pb, pm, pk});
  FailureOr<Value> mb = reshape(loc, *tb, {pb, pk, pn});
  if (failed(ma) || failed(mb))
    return failure();
  FailureOr<Value> mm = build<MatmulOp>(loc, {*ma, *mb});
  if (failed(mm))
    return failure();
  SmallVector<int64_t> shape;
  for (char c : batch + aFree)
    shape.push_back(a.dim(c));
  for (char c : bFree)
    shape.push_back(bx.dim(c));
  FailureOr<Value> result = reshape(loc, *mm, shape);
  if (failed(result))
    return failure();
  return permuteTo(*this, loc, Labelled{*result, batch + aFree + bFree}, out);
}
