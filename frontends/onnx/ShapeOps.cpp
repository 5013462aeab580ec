//===- ShapeOps.cpp - ONNX shape, data movement and constant ops ----------===//
//
// Shapes are static, so Shape/Size become constants and every shape-like
// input (Reshape's shape, Slice's bounds, axes, pads) must be constant at
// import time: GraphBuilder folds the shape subgraphs exporters emit.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/OnnxImporterImpl.h"

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::importer;
using namespace kiln::importer::onnx;
namespace pb = ::kiln::onnx;

namespace {

/// Split nodes with more outputs than this are rejected.
constexpr int64_t kMaxSplitOutputs = int64_t(1) << 16;
/// A Slice with a negative step becomes a gather of at most this many indices
/// per axis.
constexpr int64_t kMaxReversedSliceIndices = int64_t(1) << 20;

/// Checks a target shape: non-negative dims and an element count that does
/// not overflow.
LogicalResult checkShape(Importer &imp, NodeContext &nc,
                         ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || llvm::MulOverflow(n, d, n) || n > kMaxImportElements)
      return imp.error(nc) << "invalid target shape " << shapeString(shape);
  return success();
}

LogicalResult convertReshape(Importer &imp, NodeContext &nc) {
  FailureOr<int64_t> allowZero = imp.attrInt(nc, "allowzero", 0);
  if (failed(allowZero) || failed(imp.expectInputs(nc, 2, 2)))
    return failure();
  Value x = nc.inputs[0];
  FailureOr<SmallVector<int64_t>> target = imp.constantInts(nc, 1, "shape");
  if (failed(target))
    return failure();
  ArrayRef<int64_t> in = Importer::shapeOf(x);
  int64_t total = Importer::typeOf(x).getNumElements();
  SmallVector<int64_t> shape(*target);
  int64_t inferred = -1, known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !*allowZero) {
      if (i >= in.size())
        return imp.error(nc)
               << "shape " << shapeString(*target) << " copies dimension " << i
               << " (0) but the input " << x.getType() << " has rank "
               << in.size();
      shape[i] = in[i];
    }
    if (shape[i] == -1) {
      if (inferred >= 0)
        return imp.error(nc)
               << "shape " << shapeString(*target) << " has more than one -1";
      inferred = static_cast<int64_t>(i);
      continue;
    }
    if (shape[i] < 0 || llvm::MulOverflow(known, shape[i], known))
      return imp.error(nc) << "invalid target shape " << shapeString(*target);
  }
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return imp.error(nc) << "cannot reshape " << x.getType() << " (" << total
                           << " elements) to " << shapeString(*target);
    shape[inferred] = total / known;
  } else if (known != total) {
    return imp.error(nc) << "cannot reshape " << x.getType() << " (" << total
                         << " elements) to " << shapeString(*target) << " ("
                         << known << " elements)";
  }
  FailureOr<Value> v = imp.gb.reshape(nc.loc, x, shape);
  if (failed(v))
    return failure();
  nc.outputs = {*v};
  return success();
}

LogicalResult convertFlatten(Importer &imp, NodeContext &nc) {
  FailureOr<int64_t> axisAttr = imp.attrInt(nc, "axis", 1);
  if (failed(axisAttr) || failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  Value x = nc.inputs[0];
  ArrayRef<int64_t> in = Importer::shapeOf(x);
  int64_t rank = static_cast<int64_t>(in.size());
  int64_t axis = *axisAttr < 0 ? *axisAttr + rank : *axisAttr;
  if (axis < 0 || axis > rank)
    return imp.error(nc) << "axis " << *axisAttr << " is out of range for rank "
                         << rank;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t &part = i < axis ? outer : inner;
    if (llvm::MulOverflow(part, in[i], part))
      return imp.error(nc) << "cannot flatten " << x.getType()
                           << " at axis " << axis
                           << ": a product of its dimensions overflows int64";
  }
  FailureOr<Value> v = imp.gb.reshape(nc.loc, x, {outer, inner});
  if (failed(v))
    return failure();
  nc.outputs = {*v};
  return success();
}

LogicalResult convertTranspose(Importer &imp, NodeContext &nc) {
  FailureOr<std::optional<SmallVector<int64_t>>> permAttr =
      imp.attrInts(nc, "perm");
  if (failed(permAttr) || failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  int64_t rank = Importer::typeOf(nc.inputs[0]).getRank();
  SmallVector<int64_t> perm;
  if (*permAttr)
    perm = **permAttr;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  FailureOr<Value> v = imp.gb.transpose(nc.loc, nc.inputs[0], perm);
  if (failed(v))
    return failure();
  nc.outputs = {*v};
  return success();
}

/// Axes from input #1 (opset 13+) or, for older forms, the attribute.
FailureOr<std::optional<SmallVector<int64_t>>> readAxes(Importer &imp,
                                                        NodeContext &nc) {
  if (nc.input(1)) {
    FailureOr<SmallVector<int64_t>> a = imp.constantInts(nc, 1, "axes");
    if (failed(a))
      return failure();
    return std::optional<SmallVector<int64_t>>(*a);
  }
  return imp.attrInts(nc, "axes");
}

LogicalResult convertSqueeze(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 2)))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> axes = readAxes(imp, nc);
  if (failed(axes))
    return failure();
  Value x = nc.inputs[0];
  ArrayRef<int64_t> in = Importer::shapeOf(x);
  int64_t rank = static_cast<int64_t>(in.size());
  SmallVector<bool> drop(rank, false);
  if (*axes) {
    for (int64_t a : **axes) {
      FailureOr<int64_t> n = imp.normalizeAxis(nc, a, rank, "axis");
      if (failed(n))
        return failure();
      if (in[*n] != 1)
        return imp.error(nc) << "cannot squeeze axis " << a << " of "
                             << x.getType() << ": its size is not 1";
      drop[*n] = true;
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      drop[i] = in[i] == 1;
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[i])
      shape.push_back(in[i]);
  FailureOr<Value> v = imp.gb.reshape(nc.loc, x, shape);
  if (failed(v))
    return failure();
  nc.outputs = {*v};
  return success();
}

LogicalResult convertUnsqueeze(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 2)))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> axes = readAxes(imp, nc);
  if (failed(axes))
    return failure();
  if (!*axes)
    return imp.error(nc) << "axes are required";
  Value x = nc.inputs[0];
  ArrayRef<int64_t> in = Importer::shapeOf(x);
  int64_t outRank = static_cast<int64_t>(in.size() + (*axes)->size());
  SmallVector<bool> inserted(outRank, false);
  for (int64_t a : **axes) {
    FailureOr<int64_t> n = imp.normalizeAxis(nc, a, outRank, "axis");
    if (failed(n))
      return failure();
    if (inserted[*n])
      return imp.error(nc) << "axis " << a << " is repeated";
    inserted[*n] = true;
  }
  SmallVector<int64_t> shape;
  size_t next = 0;
  for (int64_t i = 0; i < outRank; ++i)
    shape.push_back(inserted[i] ? 1 : in[next++]);
  FailureOr<Value> v = imp.gb.reshape(nc.loc, x, shape);
  if (failed(v))
    return failure();
  nc.outputs = {*v};
  return success();
}

LogicalResult convertConcat(Importer &imp, NodeContext &nc) {
  FailureOr<int64_t> axisAttr = imp.attrInt(nc, "axis", 0);
  if (failed(axisAttr) || failed(imp.expectInputs(nc, 1, 1u << 20)))
    return failure();
  if (!imp.findAttr(nc, "axis"))
    return imp.error(nc) << "attribute 'axis' is required";
  for (size_t i = 0; i < nc.inputs.size(); ++i)
    if (!nc.inputs[i])
      return imp.error(nc) << "input #" << i << " is missing";
  FailureOr<int64_t> axis = imp.normalizeAxis(
      nc, *axisAttr, Importer::typeOf(nc.inputs[0]).getRank(), "axis");
  if (failed(axis))
    return failure();
  if (nc.inputs.size() == 1) {
    nc.outputs = {nc.inputs[0]};
    return success();
  }
  return imp.emit<ConcatOp>(nc, nc.inputs, {imp.gb.i64("axis", *axis)});
}

LogicalResult convertSplit(Importer &imp, NodeContext &nc) {
  FailureOr<int64_t> axisAttr = imp.attrInt(nc, "axis", 0);
  FailureOr<int64_t> numOutputs =
      imp.attrInt(nc, "num_outputs", nc.node.output_size());
  if (failed(axisAttr) || failed(numOutputs) ||
      failed(imp.expectInputs(nc, 1, 2)))
    return failure();
  Value x = nc.inputs[0];
  ArrayRef<int64_t> in = Importer::shapeOf(x);
  FailureOr<int64_t> axis =
      imp.normalizeAxis(nc, *axisAttr, static_cast<int64_t>(in.size()), "axis");
  if (failed(axis))
    return failure();
  int64_t dim = in[*axis];
  SmallVector<int64_t> sizes;
  if (nc.input(1)) {
    FailureOr<SmallVector<int64_t>> s = imp.constantInts(nc, 1, "split");
    if (failed(s))
      return failure();
    sizes = *s;
  } else {
    FailureOr<std::optional<SmallVector<int64_t>>> s =
        imp.attrInts(nc, "split");
    if (failed(s))
      return failure();
    if (*s) {
      sizes = **s;
    } else {
      // Checked before anything is sized by n (a file value).
      int64_t n = *numOutputs;
      if (n != nc.node.output_size())
        return imp.error(nc) << "num_outputs is " << n << " but the node has "
                             << nc.node.output_size() << " outputs";
      if (n > kMaxSplitOutputs)
        return imp.error(nc) << "has " << n << " outputs (at most "
                             << kMaxSplitOutputs << " are supported)";
      if (n < 1 || n > dim)
        return imp.error(nc)
               << "cannot split dimension " << dim << " into " << n << " parts";
      int64_t chunk = (dim + n - 1) / n;
      for (int64_t i = 0; i < n; ++i)
        sizes.push_back(std::min(chunk, dim - i * chunk));
    }
  }
  int64_t sum = 0;
  for (int64_t s : sizes)
    if (s < 0 || llvm::AddOverflow(sum, s, sum))
      return imp.error(nc) << "invalid split sizes " << shapeString(sizes);
  if (sum != dim)
    return imp.error(nc) << "split sizes " << shapeString(sizes) << " sum to "
                         << sum << " but dimension " << *axis << " of "
                         << x.getType() << " is " << dim;
  if (static_cast<int64_t>(sizes.size()) != nc.node.output_size())
    return imp.error(nc) << "has " << sizes.size() << " split sizes but "
                         << nc.node.output_size() << " outputs";
  SmallVector<int64_t> start(in.size(), 0), limit(in);
  int64_t offset = 0;
  for (int64_t s : sizes) {
    start[*axis] = offset;
    limit[*axis] = offset + s;
    FailureOr<Value> v = imp.gb.slice(nc.loc, x, start, limit);
    if (failed(v))
      return failure();
    nc.outputs.push_back(*v);
    offset += s;
  }
  return success();
}

LogicalResult convertSlice(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 3, 5)))
    return failure();
  Value x = nc.inputs[0];
  ArrayRef<int64_t> in = Importer::shapeOf(x);
  int64_t rank = static_cast<int64_t>(in.size());
  FailureOr<SmallVector<int64_t>> starts = imp.constantInts(nc, 1, "starts");
  FailureOr<SmallVector<int64_t>> ends = imp.constantInts(nc, 2, "ends");
  if (failed(starts) || failed(ends))
    return failure();
  size_t n = starts->size();
  SmallVector<int64_t> axes, steps(n, 1);
  if (nc.input(3)) {
    FailureOr<SmallVector<int64_t>> a = imp.constantInts(nc, 3, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (size_t i = 0; i < n; ++i)
      axes.push_back(static_cast<int64_t>(i));
  }
  if (nc.input(4)) {
    FailureOr<SmallVector<int64_t>> s = imp.constantInts(nc, 4, "steps");
    if (failed(s))
      return failure();
    steps = *s;
  }
  if (ends->size() != n || axes.size() != n || steps.size() != n)
    return imp.error(nc) << "starts, ends, axes and steps must have the same "
                            "length, got "
                         << n << ", " << ends->size() << ", " << axes.size()
                         << ", " << steps.size();
  SmallVector<int64_t> start(rank, 0), limit(in), stride(rank, 1);
  SmallVector<bool> seen(rank, false);
  // Axes with a negative step: indices to gather, applied after the slice.
  SmallVector<std::pair<int64_t, SmallVector<int64_t>>> reversed;
  for (size_t i = 0; i < n; ++i) {
    FailureOr<int64_t> axis = imp.normalizeAxis(nc, axes[i], rank, "axis");
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return imp.error(nc) << "axis " << axes[i] << " is repeated";
    seen[*axis] = true;
    int64_t dim = in[*axis], step = steps[i];
    if (step == 0)
      return imp.error(nc) << "steps must not be 0";
    if (step == INT64_MIN)
      return imp.error(nc) << "step " << step << " is out of range";
    // Negative bounds count from the end (saturating: INT64_MIN/MAX appear).
    auto resolve = [&](int64_t v) {
      return v < 0 ? (v < -dim ? -1 : v + dim) : v;
    };
    int64_t s = resolve((*starts)[i]), e = resolve((*ends)[i]);
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      start[*axis] = s;
      limit[*axis] = std::max(s, e);
      stride[*axis] = step;
      continue;
    }
    // Negative step: starts in [0, dim-1], ends in [-1, dim-1].
    if ((*starts)[i] < -dim)
      s = -1;
    if ((*ends)[i] < -dim)
      e = -1;
    s = std::clamp<int64_t>(s, -1, dim - 1);
    e = std::clamp<int64_t>(e, -1, dim - 1);
    // s - e <= dim + 1 and -step >= 1: no overflow.
    int64_t count = s > e ? (s - e - 1) / -step + 1 : 0;
    if (count > kMaxReversedSliceIndices)
      return imp.error(nc) << "a negative step on axis " << *axis << " of "
                           << x.getType() << " selects " << count
                           << " elements (at most " << kMaxReversedSliceIndices
                           << " are supported)";
    SmallVector<int64_t> idx;
    idx.reserve(count);
    for (int64_t k = s; k > e; k += step)
      idx.push_back(k);
    reversed.push_back({*axis, idx});
  }
  FailureOr<Value> v = imp.gb.slice(nc.loc, x, start, limit, stride);
  if (failed(v))
    return failure();
  for (auto &[axis, idx] : reversed) {
    if (idx.empty()) {
      SmallVector<int64_t> s0(rank, 0), l0(Importer::shapeOf(*v));
      l0[axis] = 0;
      v = imp.gb.slice(nc.loc, *v, s0, l0);
    } else {
      v = imp.gb.build<GatherOp>(nc.loc, {*v, imp.gb.i64Vector(nc.loc, idx)},
                                 {imp.gb.i64("axis", axis)});
    }
    if (failed(v))
      return failure();
  }
  nc.outputs = {*v};
  return success();
}

LogicalResult convertGather(Importer &imp, NodeContext &nc) {
  FailureOr<int64_t> axisAttr = imp.attrInt(nc, "axis", 0);
  if (failed(axisAttr) || failed(imp.expectInputs(nc, 2, 2)))
    return failure();
  Value data = nc.inputs[0], indices = nc.inputs[1];
  ArrayRef<int64_t> in = Importer::shapeOf(data);
  FailureOr<int64_t> axis =
      imp.normalizeAxis(nc, *axisAttr, static_cast<int64_t>(in.size()), "axis");
  if (failed(axis))
    return failure();
  // Constant indices are checked and normalized here.
  if (std::optional<SmallVector<int64_t>> idx =
          imp.gb.getConstantInts(indices)) {
    int64_t dim = in[*axis];
    SmallVector<int64_t> fixed;
    for (int64_t k : *idx) {
      if (k < -dim || k >= dim)
        return imp.error(nc) << "index " << k << " is out of range for axis "
                             << *axis << " of size " << dim;
      fixed.push_back(k < 0 ? k + dim : k);
    }
    auto type =
        RankedTensorType::get(Importer::shapeOf(indices), imp.b.getI64Type());
    indices =
        imp.gb.constant(nc.loc, DenseElementsAttr::get(type, ArrayRef(fixed)));
  }
  return imp.emit<GatherOp>(nc, {data, indices}, {imp.gb.i64("axis", *axis)});
}

LogicalResult convertShape(Importer &imp, NodeContext &nc) {
  FailureOr<int64_t> startAttr = imp.attrInt(nc, "start", 0);
  if (failed(startAttr) || failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  ArrayRef<int64_t> in = Importer::shapeOf(nc.inputs[0]);
  int64_t rank = static_cast<int64_t>(in.size());
  FailureOr<int64_t> endAttr = imp.attrInt(nc, "end", rank);
  if (failed(endAttr))
    return failure();
  auto clampDim = [&](int64_t v) {
    if (v < 0)
      v = v < -rank ? 0 : v + rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t s = clampDim(*startAttr), e = std::max(s, clampDim(*endAttr));
  nc.outputs = {imp.gb.i64Vector(nc.loc, in.slice(s, e - s))};
  return success();
}

LogicalResult convertSize(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  ArrayRef<int64_t> in = Importer::shapeOf(nc.inputs[0]);
  int64_t n = 1;
  if (!llvm::is_contained(in, 0))
    for (int64_t d : in)
      if (llvm::MulOverflow(n, d, n))
        return imp.error(nc) << "the element count of "
                             << nc.inputs[0].getType() << " overflows";
  nc.outputs = {imp.gb.splatInt(
      nc.loc, RankedTensorType::get({}, imp.b.getI64Type()), n)};
  return success();
}

/// Expand: bidirectional broadcast of the input with the shape input.
LogicalResult convertExpand(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 2, 2)))
    return failure();
  Value x = nc.inputs[0];
  FailureOr<SmallVector<int64_t>> target = imp.constantInts(nc, 1, "shape");
  if (failed(target))
    return failure();
  ArrayRef<int64_t> in = Importer::shapeOf(x);
  size_t rank = std::max(in.size(), target->size());
  SmallVector<int64_t> shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i + in.size() >= rank ? in[i + in.size() - rank] : 1;
    int64_t t =
        i + target->size() >= rank ? (*target)[i + target->size() - rank] : 1;
    if (a != t && a != 1 && t != 1)
      return imp.error(nc) << "cannot expand " << x.getType() << " to shape "
                           << shapeString(*target);
    shape[i] = a == 1 ? t : a;
  }
  if (failed(checkShape(imp, nc, shape)))
    return failure();
  if (shape == SmallVector<int64_t>(in)) {
    nc.outputs = {x};
    return success();
  }
  return imp.emit<BroadcastToOp>(nc, x, {imp.gb.i64Array("shape", shape)});
}

/// The single value of a ConstantOfShape `value` tensor.
LogicalResult convertConstantOfShape(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = imp.constantInts(nc, 0, "shape");
  if (failed(shape) || failed(checkShape(imp, nc, *shape)))
    return failure();
  Type element = imp.b.getF32Type();
  double value = 0.0;
  // Integer values are kept exact (a double loses INT64_MAX and 2^53 + 1).
  std::optional<int64_t> intValue;
  if (const pb::AttributeProto *a = imp.findAttr(nc, "value")) {
    if (a->type() != pb::AttributeProto::TENSOR)
      return imp.error(nc) << "attribute 'value' must be TENSOR";
    FailureOr<Value> t =
        imp.tensorConstant(a->t(), nc.loc, "attribute 'value'");
    if (failed(t))
      return failure();
    element = Importer::typeOf(*t).getElementType();
    bool one = false;
    if (isa<IntegerType>(element)) {
      std::optional<SmallVector<int64_t>> i = imp.gb.getConstantInts(*t);
      if ((one = i && i->size() == 1))
        intValue = (*i)[0];
    } else {
      std::optional<SmallVector<double>> f = imp.gb.getConstantFloats(*t);
      if ((one = f && f->size() == 1))
        value = (*f)[0];
    }
    if (t->use_empty())
      t->getDefiningOp()->erase();
    if (!one)
      return imp.error(nc) << "attribute 'value' must hold one element";
  }
  auto type = RankedTensorType::get(*shape, element);
  nc.outputs = {intValue ? imp.gb.splatInt(nc.loc, type, *intValue)
                         : imp.gb.splat(nc.loc, type, value)};
  return success();
}

LogicalResult convertConstant(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 0, 0)))
    return failure();
  if (nc.node.attribute_size() != 1)
    return imp.error(nc) << "expected exactly one value attribute, got "
                         << nc.node.attribute_size();
  const pb::AttributeProto &a = nc.node.attribute(0);
  GraphBuilder &gb = imp.gb;
  OpBuilder &b = imp.b;
  auto vector = [&](ArrayRef<double> values, bool scalar) {
    SmallVector<int64_t> shape;
    if (!scalar)
      shape.push_back(static_cast<int64_t>(values.size()));
    auto type = RankedTensorType::get(shape, b.getF32Type());
    SmallVector<float> fs(values.begin(), values.end());
    return gb.constant(nc.loc, DenseElementsAttr::get(type, ArrayRef(fs)));
  };
  if (a.name() == "value") {
    if (a.type() != pb::AttributeProto::TENSOR)
      return imp.error(nc) << "attribute 'value' must be TENSOR";
    FailureOr<Value> t = imp.tensorConstant(a.t(), nc.loc, "attribute 'value'");
    if (failed(t))
      return failure();
    nc.outputs = {*t};
    return success();
  }
  if (a.name() == "value_float" || a.name() == "value_floats") {
    bool scalar = a.name() == "value_float";
    FailureOr<double> f = scalar ? imp.attrFloat(nc, a.name(), 0.0) : 0.0;
    FailureOr<std::optional<SmallVector<double>>> fs =
        scalar ? FailureOr<std::optional<SmallVector<double>>>(std::nullopt)
               : imp.attrFloats(nc, a.name());
    if (failed(f) || failed(fs))
      return failure();
    SmallVector<double> values = scalar ? SmallVector<double>{*f} : **fs;
    nc.outputs = {vector(values, scalar)};
    return success();
  }
  if (a.name() == "value_int" || a.name() == "value_ints") {
    bool scalar = a.name() == "value_int";
    SmallVector<double> values;
    if (scalar) {
      FailureOr<int64_t> i = imp.attrInt(nc, a.name(), 0);
      if (failed(i))
        return failure();
      nc.outputs = {gb.constant(
          nc.loc,
          DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                 ArrayRef<int64_t>{*i}))};
      return success();
    }
    FailureOr<std::optional<SmallVector<int64_t>>> is =
        imp.attrInts(nc, a.name());
    if (failed(is))
      return failure();
    nc.outputs = {gb.i64Vector(nc.loc, **is)};
    return success();
  }
  return imp.error(nc) << "attribute '" << a.name()
                       << "' is not supported (expected value, value_float(s) "
                          "or value_int(s))";
}

/// Tile as reshape [1, d0, 1, d1, ...] -> broadcast [r0, d0, r1, d1, ...]
/// -> reshape [r0 * d0, r1 * d1, ...].
LogicalResult convertTile(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 2, 2)))
    return failure();
  Value x = nc.inputs[0];
  ArrayRef<int64_t> in = Importer::shapeOf(x);
  FailureOr<SmallVector<int64_t>> repeats = imp.constantInts(nc, 1, "repeats");
  if (failed(repeats))
    return failure();
  if (repeats->size() != in.size())
    return imp.error(nc) << "has " << repeats->size() << " repeats for rank "
                         << in.size();
  SmallVector<int64_t> expanded, broadcast, result;
  for (size_t i = 0; i < in.size(); ++i) {
    int64_t r = (*repeats)[i], prod;
    if (r < 0 || llvm::MulOverflow(r, in[i], prod))
      return imp.error(nc) << "invalid repeats " << shapeString(*repeats);
    expanded.append({1, in[i]});
    broadcast.append({r, in[i]});
    result.push_back(prod);
  }
  if (failed(checkShape(imp, nc, broadcast)))
    return failure();
  FailureOr<Value> v = imp.gb.reshape(nc.loc, x, expanded);
  if (failed(v))
    return failure();
  v = imp.gb.build<BroadcastToOp>(nc.loc, *v,
                                  {imp.gb.i64Array("shape", broadcast)});
  if (failed(v))
    return failure();
  v = imp.gb.reshape(nc.loc, *v, result);
  if (failed(v))
    return failure();
  nc.outputs = {*v};
  return success();
}

/// Pad in constant mode; negative pads crop.
LogicalResult convertPad(Importer &imp, NodeContext &nc) {
  FailureOr<std::string> mode = imp.attrString(nc, "mode", "constant");
  if (failed(mode) || failed(imp.expectInputs(nc, 2, 4)))
    return failure();
  if (*mode != "constant")
    return imp.error(nc) << "mode '" << *mode
                         << "' is not supported (only 'constant')";
  Value x = nc.inputs[0];
  ArrayRef<int64_t> in = Importer::shapeOf(x);
  int64_t rank = static_cast<int64_t>(in.size());
  FailureOr<SmallVector<int64_t>> pads = imp.constantInts(nc, 1, "pads");
  if (failed(pads))
    return failure();
  SmallVector<int64_t> axes;
  if (nc.input(3)) {
    FailureOr<SmallVector<int64_t>> a = imp.constantInts(nc, 3, "axes");
    if (failed(a))
      return failure();
    for (int64_t ax : *a) {
      FailureOr<int64_t> n = imp.normalizeAxis(nc, ax, rank, "axis");
      if (failed(n))
        return failure();
      axes.push_back(*n);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  if (pads->size() != 2 * axes.size())
    return imp.error(nc) << "has " << pads->size() << " pads for "
                         << axes.size() << " axes (expected twice as many)";
  double value = 0.0;
  if (nc.input(2)) {
    std::optional<SmallVector<double>> v =
        imp.gb.getConstantFloats(nc.input(2));
    if (!v || v->size() != 1)
      return imp.error(nc) << "constant_value must be a constant scalar";
    value = (*v)[0];
  }
  SmallVector<int64_t> low(rank, 0), high(rank, 0), start(rank, 0), limit(in);
  SmallVector<int64_t> result(in);
  bool crop = false;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t lo = (*pads)[i], hi = (*pads)[i + axes.size()], ax = axes[i], sum;
    if (lo < -in[ax] || hi < -in[ax] || lo > (int64_t(1) << 32) ||
        hi > (int64_t(1) << 32) || llvm::AddOverflow(lo, hi, sum) ||
        sum < -in[ax] || llvm::AddOverflow(result[ax], sum, result[ax]))
      return imp.error(nc) << "invalid pads " << shapeString(*pads) << " for "
                           << x.getType();
    if (lo < 0) {
      start[ax] = -lo;
      crop = true;
    } else {
      low[ax] = lo;
    }
    if (hi < 0) {
      limit[ax] = in[ax] + hi;
      crop = true;
    } else {
      high[ax] = hi;
    }
  }
  int64_t count = 1;
  for (int64_t d : result)
    if (llvm::MulOverflow(count, d, count) || count > kMaxImportElements)
      return imp.error(nc) << "padding " << x.getType() << " by "
                           << shapeString(*pads) << " gives "
                           << shapeString(result)
                           << ", which has too many elements";
  FailureOr<Value> v = x;
  if (crop)
    v = imp.gb.slice(nc.loc, x, start, limit);
  if (failed(v))
    return failure();
  return imp.emit<PadOp>(nc, *v,
                         {imp.gb.i64Array("low", low),
                          imp.gb.i64Array("high", high),
                          imp.gb.attr("value", imp.b.getF64FloatAttr(value))});
}

/// Range with constant start, limit and delta.
LogicalResult convertRange(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 3, 3)))
    return failure();
  Type element = Importer::typeOf(nc.inputs[0]).getElementType();
  if (element.isInteger(1))
    return imp.error(nc) << "start, limit and delta must be numbers, not "
                            "booleans";
  if (isa<IntegerType>(element)) {
    // Exact integer arithmetic: the values lie between start and limit, so
    // they fit whenever start and limit do; 128 bits hold every difference.
    SmallVector<int64_t> v;
    for (int i = 0; i < 3; ++i) {
      std::optional<SmallVector<int64_t>> c =
          imp.gb.getConstantInts(nc.inputs[i]);
      if (!c || c->size() != 1)
        return imp.error(nc)
               << "start, limit and delta must be constant integer scalars";
      v.push_back((*c)[0]);
    }
    if (v[2] == 0)
      return imp.error(nc) << "invalid range (" << v[0] << ", " << v[1]
                           << ", " << v[2] << "): delta is 0";
    __int128 diff = __int128(v[1]) - __int128(v[0]), delta = v[2];
    __int128 count = 0;
    if ((diff > 0 && delta > 0) || (diff < 0 && delta < 0)) {
      if (diff < 0) {
        diff = -diff;
        delta = -delta;
      }
      count = (diff + delta - 1) / delta;
    }
    if (count > kFoldElementLimit)
      return imp.error(nc) << "the range (" << v[0] << ", " << v[1] << ", "
                           << v[2] << ") has too many elements";
    int64_t n = static_cast<int64_t>(count);
    unsigned width = element.getIntOrFloatBitWidth();
    SmallVector<APInt> values;
    values.reserve(n);
    for (int64_t k = 0; k < n; ++k) {
      __int128 x = __int128(v[0]) + __int128(k) * __int128(v[2]);
      if (x < INT64_MIN || x > INT64_MAX ||
          !llvm::isIntN(width, static_cast<int64_t>(x)))
        return imp.error(nc) << "the range (" << v[0] << ", " << v[1] << ", "
                             << v[2] << ") leaves its element type " << element;
      values.push_back(APInt(width, static_cast<uint64_t>(int64_t(x)),
                             /*isSigned=*/true));
    }
    auto type = RankedTensorType::get({n}, element);
    nc.outputs = {
        imp.gb.constant(nc.loc, DenseElementsAttr::get(type, values))};
    return success();
  }
  SmallVector<double> v;
  for (int i = 0; i < 3; ++i) {
    std::optional<SmallVector<double>> f =
        imp.gb.getConstantFloats(nc.inputs[i]);
    if (!f || f->size() != 1)
      return imp.error(nc) << "start, limit and delta must be constant scalars";
    v.push_back((*f)[0]);
  }
  if (v[2] == 0 || !std::isfinite(v[0]) || !std::isfinite(v[1]) ||
      !std::isfinite(v[2]))
    return imp.error(nc) << "invalid range (" << v[0] << ", " << v[1] << ", "
                         << v[2] << ")";
  double count = std::max(std::ceil((v[1] - v[0]) / v[2]), 0.0);
  if (!(count <= double(kFoldElementLimit)))
    return imp.error(nc) << "the range has too many elements (" << count << ")";
  int64_t n = static_cast<int64_t>(count);
  auto type = RankedTensorType::get({n}, element);
  SmallVector<APFloat> values;
  for (int64_t k = 0; k < n; ++k) {
    APFloat f(v[0] + double(k) * v[2]);
    bool lost;
    f.convert(cast<FloatType>(element).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &lost);
    values.push_back(f);
  }
  nc.outputs = {imp.gb.constant(nc.loc, DenseElementsAttr::get(type, values))};
  return success();
}

} // namespace

void kiln::importer::onnx::registerShapeOps(llvm::StringMap<Converter> &t) {
  t["Reshape"] = convertReshape;
  t["Flatten"] = convertFlatten;
  t["Transpose"] = convertTranspose;
  t["Squeeze"] = convertSqueeze;
  t["Unsqueeze"] = convertUnsqueeze;
  t["Concat"] = convertConcat;
  t["Split"] = convertSplit;
  t["Slice"] = convertSlice;
  t["Gather"] = convertGather;
  t["Shape"] = convertShape;
  t["Size"] = convertSize;
  t["Expand"] = convertExpand;
  t["ConstantOfShape"] = convertConstantOfShape;
  t["Constant"] = convertConstant;
  t["Tile"] = convertTile;
  t["Pad"] = convertPad;
  t["Range"] = convertRange;
}
