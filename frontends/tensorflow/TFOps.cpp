//===- TFOps.cpp - TensorFlow op -> kiln op converters --------------------===//
//
// One converter per TensorFlow op, registered in a table. Shapes are never
// computed here: every kiln op infers its own result type, and shape
// subgraphs (Shape, StridedSlice, Pack, ...) fold to constants as they are
// built.
//
//===----------------------------------------------------------------------===//

#include "frontends/tensorflow/TFImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using namespace kiln::importer;
using namespace kiln::importer::tf;

namespace {
using Result = FailureOr<SmallVector<TFValue>>;

Result one(FailureOr<Value> v) {
  if (failed(v))
    return failure();
  return SmallVector<TFValue>{TFValue::of(*v)};
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}
int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }
Type elementOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

InFlightDiagnostic nodeError(const NodeDef &n, Location loc) {
  return emitError(loc) << n.op() << " node '" << n.name() << "': ";
}

#define TENSOR(name, i)                                                        \
  FailureOr<Value> name##OrErr = imp.tensor(n, loc, in, i);                    \
  if (failed(name##OrErr))                                                     \
    return failure();                                                          \
  Value name = *name##OrErr;

#define CONST_INTS(name, i, what)                                              \
  FailureOr<SmallVector<int64_t>> name##OrErr =                                \
      imp.constInts(n, loc, in, i, what);                                      \
  if (failed(name##OrErr))                                                     \
    return failure();                                                          \
  SmallVector<int64_t> name = *name##OrErr;

template <typename OpTy>
Result unary(Importer &imp, const NodeDef &n, Location loc,
             ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  return one(imp.gb.build<OpTy>(loc, {x}));
}

template <typename OpTy>
Result binary(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  TENSOR(a, 0);
  TENSOR(b, 1);
  return one(imp.gb.build<OpTy>(loc, {a, b}));
}

Result passThrough(Importer &, const NodeDef &n, Location loc,
                   ArrayRef<TFValue> in) {
  if (in.empty())
    return emitError(loc) << n.op() << " node '" << n.name()
                          << "' has no input";
  return SmallVector<TFValue>{in[0]};
}

Result identityN(Importer &, const NodeDef &, Location, ArrayRef<TFValue> in) {
  return SmallVector<TFValue>(in.begin(), in.end());
}

Result constOp(Importer &imp, const NodeDef &n, Location loc,
               ArrayRef<TFValue>) {
  FailureOr<const AttrValue *> value =
      requireAttr(n, loc, "value", AttrValue::kTensor);
  if (failed(value))
    return failure();
  const AttrValue *dtype = findAttr(n, "dtype");
  if (dtype && dtype->value_case() == AttrValue::kType &&
      dtype->type() != (*value)->tensor().dtype())
    return nodeError(n, loc) << "attribute 'dtype' ("
                             << kiln::tfproto::DataType_Name(dtype->type())
                             << ") disagrees with its tensor's dtype ("
                             << (kiln::tfproto::DataType_IsValid((*value)->tensor().dtype())
                                     ? kiln::tfproto::DataType_Name((*value)->tensor().dtype())
                                     : std::to_string((*value)->tensor().dtype()))
                             << ")";
  return one(imp.constant((*value)->tensor(), loc, n.name()));
}

Result placeholder(Importer &imp, const NodeDef &n, Location loc,
                   ArrayRef<TFValue> in) {
  auto it = imp.placeholderValues.find(n.name());
  if (it == imp.placeholderValues.end()) {
    if (n.op() == "PlaceholderWithDefault" && !in.empty())
      return SmallVector<TFValue>{in[0]};
    return nodeError(n, loc) << "a Placeholder inside a function is not "
                                "supported";
  }
  return one(it->second);
}

Result biasAdd(Importer &imp, const NodeDef &n, Location loc,
               ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  TENSOR(bias, 1);
  if (attrString(n, "data_format", "NHWC") == "NCHW" && rankOf(x) > 2) {
    SmallVector<int64_t> shape(shapeOf(bias));
    shape.append(rankOf(x) - 2, 1);
    FailureOr<Value> r = imp.gb.reshape(loc, bias, shape);
    if (failed(r))
      return failure();
    bias = *r;
  }
  return one(imp.gb.build<AddOp>(loc, {x, bias}));
}

Result addN(Importer &imp, const NodeDef &n, Location loc,
            ArrayRef<TFValue> in) {
  TENSOR(acc, 0);
  for (size_t i = 1; i < in.size(); ++i) {
    TENSOR(x, i);
    FailureOr<Value> s = imp.gb.build<AddOp>(loc, {acc, x});
    if (failed(s))
      return failure();
    acc = *s;
  }
  return one(acc);
}

Result squaredDifference(Importer &imp, const NodeDef &n, Location loc,
                         ArrayRef<TFValue> in) {
  TENSOR(a, 0);
  TENSOR(b, 1);
  FailureOr<Value> d = imp.gb.build<SubOp>(loc, {a, b});
  if (failed(d))
    return failure();
  return one(imp.gb.build<SquareOp>(loc, {*d}));
}

Result reciprocal(Importer &imp, const NodeDef &n, Location loc,
                  ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  Value oneV = imp.gb.scalar(loc, elementOf(x), 1.0);
  return one(imp.gb.build<DivOp>(loc, {oneV, x}));
}

Result floorDiv(Importer &imp, const NodeDef &n, Location loc,
                ArrayRef<TFValue> in) {
  TENSOR(a, 0);
  TENSOR(b, 1);
  if (!isa<FloatType>(elementOf(a)))
    return nodeError(n, loc) << "integer floor division is not supported";
  FailureOr<Value> d = imp.gb.build<DivOp>(loc, {a, b});
  if (failed(d))
    return failure();
  return one(imp.gb.build<FloorOp>(loc, {*d}));
}

Result realDiv(Importer &imp, const NodeDef &n, Location loc,
               ArrayRef<TFValue> in) {
  TENSOR(a, 0);
  if (n.op() == "Div" && !isa<FloatType>(elementOf(a)))
    return nodeError(n, loc) << "integer Div rounds toward negative infinity "
                                "in TensorFlow; only float Div is supported";
  return binary<DivOp>(imp, n, loc, in);
}

Result leakyRelu(Importer &imp, const NodeDef &n, Location loc,
                 ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  return one(imp.gb.build<LeakyReluOp>(
      loc, {x},
      {imp.gb.attr("alpha", imp.builder().getF64FloatAttr(
                                attrFloat(n, "alpha", 0.2f)))}));
}

Result castOp(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  FailureOr<const AttrValue *> dst = requireAttr(n, loc, "DstT", AttrValue::kType);
  if (failed(dst))
    return failure();
  FailureOr<Type> element = elementType(imp.ctx(), (*dst)->type(), loc);
  if (failed(element))
    return failure();
  return one(imp.gb.castTo(loc, x, *element));
}

Result matmul(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  TENSOR(a, 0);
  TENSOR(b, 1);
  bool batch = n.op() != "MatMul";
  bool ta = attrBool(n, batch ? "adj_x" : "transpose_a", false);
  bool tb = attrBool(n, batch ? "adj_y" : "transpose_b", false);
  if (!batch && (rankOf(a) != 2 || rankOf(b) != 2))
    return nodeError(n, loc) << "MatMul needs 2-D operands, got "
                             << shapeString(shapeOf(a)) << " and "
                             << shapeString(shapeOf(b));
  return one(imp.gb.build<MatmulOp>(
      loc, {a, b},
      {imp.gb.attr("transpose_a", imp.builder().getBoolAttr(ta)),
       imp.gb.attr("transpose_b", imp.builder().getBoolAttr(tb))}));
}

Result einsum(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  SmallVector<Value> operands;
  for (size_t i = 0; i < in.size(); ++i) {
    TENSOR(x, i);
    operands.push_back(x);
  }
  return one(imp.gb.einsum(loc, attrString(n, "equation", ""), operands));
}

/// Spatial positions (H, W) in a 4-D tensor of `format`.
std::pair<int, int> spatialDims(llvm::StringRef format) {
  return format == "NCHW" ? std::pair{2, 3} : std::pair{1, 2};
}

/// Explicit [top, bottom, left, right] padding for TensorFlow's `padding`
/// attribute (VALID, SAME or EXPLICIT).
FailureOr<SmallVector<int64_t>>
paddingFor(const NodeDef &n, Location loc, ArrayRef<int64_t> inputShape,
           llvm::StringRef format, ArrayRef<int64_t> kernel,
           ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  std::string padding = attrString(n, "padding", "");
  auto [h, w] = spatialDims(format);
  if (padding == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (padding == "EXPLICIT") {
    SmallVector<int64_t> ex = attrInts(n, "explicit_paddings");
    if (ex.size() != 8)
      return nodeError(n, loc) << "explicit_paddings must have 8 entries, has "
                               << ex.size();
    return SmallVector<int64_t>{ex[2 * h], ex[2 * h + 1], ex[2 * w],
                                ex[2 * w + 1]};
  }
  if (padding != "SAME")
    return nodeError(n, loc) << "unknown padding '" << padding
                             << "' (expected SAME, VALID or EXPLICIT)";
  SmallVector<int64_t> out;
  int dims[2] = {h, w};
  for (int i = 0; i < 2; ++i) {
    int64_t size = inputShape[dims[i]], k = kernel[i], s = strides[i],
            d = dilations[i];
    if (s <= 0 || k <= 0 || d <= 0 || s > (1 << 20) || k > (1 << 20) ||
        d > (1 << 20))
      return nodeError(n, loc) << "kernel sizes, strides and dilations must be "
                                  "between 1 and 2^20";
    int64_t effective = (k - 1) * d + 1;
    int64_t outSize = (size + s - 1) / s;
    int64_t total = std::max<int64_t>((outSize - 1) * s + effective - size, 0);
    out.push_back(total / 2);
    out.push_back(total - total / 2);
  }
  return out;
}

/// The (H, W) entries of a 4-entry NHWC/NCHW attribute list.
FailureOr<SmallVector<int64_t>> spatialAttr(const NodeDef &n, Location loc,
                                            llvm::StringRef name,
                                            llvm::StringRef format,
                                            int64_t dflt) {
  SmallVector<int64_t> values = attrInts(n, name);
  if (values.empty())
    return SmallVector<int64_t>{dflt, dflt};
  if (values.size() != 4)
    return nodeError(n, loc) << "attribute '" << name
                             << "' must have 4 entries, has " << values.size();
  auto [h, w] = spatialDims(format);
  return SmallVector<int64_t>{values[h], values[w]};
}

Result conv2d(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  TENSOR(filter, 1);
  std::string format = attrString(n, "data_format", "NHWC");
  if (format != "NHWC" && format != "NCHW")
    return nodeError(n, loc) << "unsupported data_format '" << format << "'";
  if (rankOf(x) != 4 || rankOf(filter) != 4)
    return nodeError(n, loc) << "needs a 4-D input and filter, got "
                             << shapeString(shapeOf(x)) << " and "
                             << shapeString(shapeOf(filter));
  auto strides = spatialAttr(n, loc, "strides", format, 1);
  auto dilations = spatialAttr(n, loc, "dilations", format, 1);
  if (failed(strides) || failed(dilations))
    return failure();
  int64_t channels = shapeOf(x)[format == "NCHW" ? 1 : 3];
  int64_t groups = 1;
  if (n.op() == "DepthwiseConv2dNative") {
    // [kh, kw, C, M] -> [kh, kw, 1, C * M] with C groups.
    ArrayRef<int64_t> f = shapeOf(filter);
    FailureOr<Value> r = imp.gb.reshape(loc, filter, {f[0], f[1], 1, f[2] * f[3]});
    if (failed(r))
      return failure();
    filter = *r;
    groups = channels;
  } else {
    int64_t perGroup = shapeOf(filter)[2];
    if (perGroup <= 0 || channels % perGroup != 0)
      return nodeError(n, loc) << "input has " << channels
                               << " channels, which the filter's " << perGroup
                               << " input channels do not divide";
    groups = channels / perGroup;
  }
  ArrayRef<int64_t> f = shapeOf(filter);
  auto padding = paddingFor(n, loc, shapeOf(x), format, {f[0], f[1]}, *strides,
                            *dilations);
  if (failed(padding))
    return failure();
  GraphBuilder &gb = imp.gb;
  return one(gb.build<Conv2DOp>(
      loc, {x, filter},
      {gb.i64Array("strides", *strides), gb.i64Array("dilations", *dilations),
       gb.i64Array("padding", *padding), gb.i64("groups", groups),
       gb.attr("data_format", imp.builder().getStringAttr(format))}));
}

template <typename OpTy>
Result pool(Importer &imp, const NodeDef &n, Location loc,
            ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  std::string format = attrString(n, "data_format", "NHWC");
  if ((format != "NHWC" && format != "NCHW") || rankOf(x) != 4)
    return nodeError(n, loc) << "needs a 4-D NHWC or NCHW input";
  auto ksize = spatialAttr(n, loc, "ksize", format, 1);
  auto strides = spatialAttr(n, loc, "strides", format, 1);
  if (failed(ksize) || failed(strides))
    return failure();
  auto padding = paddingFor(n, loc, shapeOf(x), format, *ksize, *strides, {1, 1});
  if (failed(padding))
    return failure();
  GraphBuilder &gb = imp.gb;
  return one(gb.build<OpTy>(
      loc, {x},
      {gb.i64Array("kernel_size", *ksize), gb.i64Array("strides", *strides),
       gb.i64Array("padding", *padding),
       gb.attr("data_format", imp.builder().getStringAttr(format))}));
}

template <typename OpTy>
Result reduce(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  CONST_INTS(axes, 1, "the reduction axes");
  bool keep = attrBool(n, "keep_dims", false);
  return one(imp.gb.build<OpTy>(
      loc, {x},
      {imp.gb.i64Array("axes", axes),
       imp.gb.attr("keepdims", imp.builder().getBoolAttr(keep))}));
}

template <typename OpTy>
Result argReduce(Importer &imp, const NodeDef &n, Location loc,
                 ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  CONST_INTS(axis, 1, "the axis");
  if (axis.size() != 1)
    return nodeError(n, loc) << "the axis must be a scalar";
  FailureOr<Value> r = imp.gb.build<OpTy>(loc, {x}, {imp.gb.i64("axis", axis[0])});
  if (failed(r))
    return failure();
  int dtype = kiln::tfproto::DT_INT64;
  if (const AttrValue *t = findAttr(n, "output_type"); t && t->value_case() == AttrValue::kType)
    dtype = t->type();
  FailureOr<Type> element = elementType(imp.ctx(), dtype, loc);
  if (failed(element))
    return failure();
  return one(imp.gb.castTo(loc, *r, *element));
}

template <typename OpTy>
Result softmax(Importer &imp, const NodeDef &n, Location loc,
               ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  return one(imp.gb.build<OpTy>(loc, {x}, {imp.gb.i64("axis", -1)}));
}

Result fusedBatchNorm(Importer &imp, const NodeDef &n, Location loc,
                      ArrayRef<TFValue> in) {
  if (attrBool(n, "is_training", true))
    return nodeError(n, loc) << "is_training = true: only inference-mode batch "
                                "normalization can be imported (freeze the "
                                "model with training=False)";
  SmallVector<Value> operands;
  for (size_t i = 0; i < 5; ++i) {
    TENSOR(v, i);
    operands.push_back(v);
  }
  std::string format = attrString(n, "data_format", "NHWC");
  int64_t axis = format == "NCHW" || format == "NCDHW" ? 1 : -1;
  GraphBuilder &gb = imp.gb;
  FailureOr<Value> y = gb.build<BatchNormOp>(
      loc, operands,
      {gb.attr("epsilon", imp.builder().getF64FloatAttr(attrFloat(n, "epsilon", 1e-4f))),
       gb.i64("axis", axis)});
  if (failed(y))
    return failure();
  SmallVector<TFValue> outs = {TFValue::of(*y)};
  TFValue undefined;
  undefined.kind = TFValue::Kind::Undefined;
  outs.append(5, undefined);
  return outs;
}

Result reshape(Importer &imp, const NodeDef &n, Location loc,
               ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  CONST_INTS(shape, 1, "the target shape");
  return one(imp.gb.build<ReshapeOp>(loc, {x}, {imp.gb.i64Array("shape", shape)}));
}

/// A 1-D integer constant of dtype `out_type` (default int32).
FailureOr<Value> intVector(Importer &imp, const NodeDef &n, Location loc,
                           ArrayRef<int64_t> values, bool scalar) {
  int dtype = kiln::tfproto::DT_INT32;
  if (const AttrValue *t = findAttr(n, "out_type"); t && t->value_case() == AttrValue::kType)
    dtype = t->type();
  FailureOr<Type> element = elementType(imp.ctx(), dtype, loc);
  if (failed(element))
    return failure();
  Value v = imp.gb.i64Vector(loc, values);
  if (scalar) {
    FailureOr<Value> r = imp.gb.reshape(loc, v, {});
    if (failed(r))
      return failure();
    v = *r;
  }
  return imp.gb.castTo(loc, v, *element);
}

Result shapeOp(Importer &imp, const NodeDef &n, Location loc,
               ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  if (n.op() == "Shape")
    return one(intVector(imp, n, loc, shapeOf(x), false));
  if (n.op() == "Rank")
    return one(intVector(imp, n, loc, {rankOf(x)}, true));
  int64_t size = cast<RankedTensorType>(x.getType()).getNumElements();
  return one(intVector(imp, n, loc, {size}, true));
}

/// TensorFlow's StridedSlice: begin/end/strides with masks, as a kiln.slice
/// (positive strides) plus a reshape for new and shrunk axes.
Result stridedSlice(Importer &imp, const NodeDef &n, Location loc,
                    ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  CONST_INTS(begin, 1, "begin");
  CONST_INTS(end, 2, "end");
  CONST_INTS(strides, 3, "strides");
  if (begin.size() != end.size() || begin.size() != strides.size())
    return nodeError(n, loc) << "begin, end and strides have different lengths";
  int64_t beginMask = attrInt(n, "begin_mask", 0), endMask = attrInt(n, "end_mask", 0),
          ellipsisMask = attrInt(n, "ellipsis_mask", 0),
          newAxisMask = attrInt(n, "new_axis_mask", 0),
          shrinkMask = attrInt(n, "shrink_axis_mask", 0);
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t rank = shape.size();
  size_t specs = begin.size();
  if (specs > 64)
    return nodeError(n, loc) << "too many slice entries";
  // Expand the sparse spec (with ellipsis and new axes) to one entry per
  // input dimension.
  int64_t consumed = 0;
  for (size_t i = 0; i < specs; ++i)
    if (!((ellipsisMask >> i) & 1) && !((newAxisMask >> i) & 1))
      ++consumed;
  SmallVector<int64_t> starts, limits, steps, outShape;
  int64_t dim = 0;
  bool sawEllipsis = false;
  for (size_t i = 0; i < specs; ++i) {
    if ((ellipsisMask >> i) & 1) {
      if (sawEllipsis)
        return nodeError(n, loc) << "more than one ellipsis";
      sawEllipsis = true;
      int64_t count = rank - consumed;
      for (int64_t k = 0; k < count && dim < rank; ++k, ++dim) {
        starts.push_back(0);
        limits.push_back(shape[dim]);
        steps.push_back(1);
        outShape.push_back(shape[dim]);
      }
      continue;
    }
    if ((newAxisMask >> i) & 1) {
      outShape.push_back(1);
      continue;
    }
    if (dim >= rank)
      return nodeError(n, loc) << "slices more dimensions than the input's "
                               << rank;
    int64_t size = shape[dim], stride = strides[i];
    if (stride == 0)
      return nodeError(n, loc) << "stride " << i << " is zero";
    bool shrink = (shrinkMask >> i) & 1;
    int64_t b = begin[i], e = end[i];
    if (shrink) {
      int64_t index = b < 0 ? b + size : b;
      if (index < 0 || index >= size)
        return nodeError(n, loc) << "index " << b << " is out of range for "
                                 << "dimension " << dim << " of size " << size;
      starts.push_back(index);
      limits.push_back(index + 1);
      steps.push_back(1);
      ++dim;
      continue;
    }
    if (stride < 0)
      return nodeError(n, loc) << "negative strides are not supported";
    if ((beginMask >> i) & 1)
      b = 0;
    else {
      b = b < 0 ? b + size : b;
      b = std::clamp<int64_t>(b, 0, size);
    }
    if ((endMask >> i) & 1)
      e = size;
    else {
      e = e < 0 ? e + size : e;
      e = std::clamp<int64_t>(e, 0, size);
    }
    e = std::max(e, b);
    starts.push_back(b);
    limits.push_back(e);
    steps.push_back(stride);
    outShape.push_back(e > b ? (e - b - 1) / stride + 1 : 0);
    ++dim;
  }
  for (; dim < rank; ++dim) {
    starts.push_back(0);
    limits.push_back(shape[dim]);
    steps.push_back(1);
    outShape.push_back(shape[dim]);
  }
  FailureOr<Value> sliced = imp.gb.slice(loc, x, starts, limits, steps);
  if (failed(sliced))
    return failure();
  return one(imp.gb.reshape(loc, *sliced, outShape));
}

/// Inserts a unit dimension at `axis` (which may be rank, or negative).
FailureOr<Value> expandDims(Importer &imp, const NodeDef &n, Location loc,
                            Value x, int64_t axis) {
  SmallVector<int64_t> shape(shapeOf(x));
  int64_t rank = shape.size();
  if (axis < 0)
    axis += rank + 1;
  if (axis < 0 || axis > rank)
    return nodeError(n, loc) << "axis is out of range for rank " << rank;
  shape.insert(shape.begin() + axis, 1);
  return imp.gb.reshape(loc, x, shape);
}

Result pack(Importer &imp, const NodeDef &n, Location loc,
            ArrayRef<TFValue> in) {
  if (in.empty())
    return nodeError(n, loc) << "has no inputs";
  int64_t axis = attrInt(n, "axis", 0);
  SmallVector<Value> parts;
  for (size_t i = 0; i < in.size(); ++i) {
    TENSOR(x, i);
    FailureOr<Value> e = expandDims(imp, n, loc, x, axis);
    if (failed(e))
      return failure();
    parts.push_back(*e);
  }
  if (axis < 0)
    axis += rankOf(parts[0]);
  if (parts.size() == 1)
    return one(parts[0]);
  return one(imp.gb.build<ConcatOp>(loc, parts, {imp.gb.i64("axis", axis)}));
}

Result unpack(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  int64_t rank = rankOf(x);
  FailureOr<int64_t> axis = normalizeAxis(attrInt(n, "axis", 0), rank);
  if (failed(axis))
    return nodeError(n, loc) << "axis is out of range for rank " << rank;
  ArrayRef<int64_t> shape = shapeOf(x);
  if (shape[*axis] > (1 << 16))
    return nodeError(n, loc) << "unpacks " << shape[*axis]
                             << " outputs (at most 65536 are supported)";
  if (const AttrValue *num = findAttr(n, "num");
      num && num->value_case() == AttrValue::kI && num->i() != shape[*axis])
    return nodeError(n, loc) << "attribute 'num' (" << num->i()
                             << ") disagrees with dimension " << *axis
                             << " of size " << shape[*axis];
  SmallVector<int64_t> outShape(shape);
  outShape.erase(outShape.begin() + *axis);
  SmallVector<TFValue> outs;
  for (int64_t i = 0; i < shape[*axis]; ++i) {
    SmallVector<int64_t> start(rank, 0), limit(shape);
    start[*axis] = i;
    limit[*axis] = i + 1;
    FailureOr<Value> s = imp.gb.slice(loc, x, start, limit);
    if (failed(s))
      return failure();
    FailureOr<Value> r = imp.gb.reshape(loc, *s, outShape);
    if (failed(r))
      return failure();
    outs.push_back(TFValue::of(*r));
  }
  return outs;
}

Result concat(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  if (in.size() < 2)
    return nodeError(n, loc) << "needs values and an axis";
  bool v2 = n.op() == "ConcatV2";
  size_t axisIndex = v2 ? in.size() - 1 : 0;
  CONST_INTS(axis, axisIndex, "the axis");
  if (axis.size() != 1)
    return nodeError(n, loc) << "the axis must be a scalar";
  SmallVector<Value> parts;
  for (size_t i = 0; i < in.size(); ++i) {
    if (i == axisIndex)
      continue;
    TENSOR(x, i);
    parts.push_back(x);
  }
  if (parts.size() == 1)
    return one(parts[0]);
  return one(imp.gb.build<ConcatOp>(loc, parts, {imp.gb.i64("axis", axis[0])}));
}

/// Slices `x` along `axis` into pieces of the given sizes.
Result splitSizes(Importer &imp, const NodeDef &n, Location loc, Value x,
                  int64_t axis, ArrayRef<int64_t> sizes) {
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t offset = 0;
  SmallVector<TFValue> outs;
  for (int64_t size : sizes) {
    SmallVector<int64_t> start(shape.size(), 0), limit(shape);
    start[axis] = offset;
    limit[axis] = offset + size;
    offset += size;
    FailureOr<Value> s = imp.gb.slice(loc, x, start, limit);
    if (failed(s))
      return failure();
    outs.push_back(TFValue::of(*s));
  }
  return outs;
}

Result split(Importer &imp, const NodeDef &n, Location loc,
             ArrayRef<TFValue> in) {
  bool v = n.op() == "SplitV";
  TENSOR(x, v ? 0 : 1);
  CONST_INTS(axisV, v ? 2 : 0, "the axis");
  if (axisV.size() != 1)
    return nodeError(n, loc) << "the axis must be a scalar";
  FailureOr<int64_t> axis = normalizeAxis(axisV[0], rankOf(x));
  if (failed(axis))
    return nodeError(n, loc) << "axis " << axisV[0] << " is out of range";
  int64_t size = shapeOf(x)[*axis];
  SmallVector<int64_t> sizes;
  if (v) {
    CONST_INTS(given, 1, "size_splits");
    int64_t known = 0, unknown = -1;
    if (given.size() > (1 << 16))
      return nodeError(n, loc) << "too many size_splits";
    for (size_t i = 0; i < given.size(); ++i) {
      if (given[i] == -1 && unknown < 0)
        unknown = i;
      else if (given[i] < 0 || given[i] > size)
        return nodeError(n, loc) << "invalid size_splits";
      else
        known += given[i];
    }
    if (unknown >= 0)
      given[unknown] = size - known;
    sizes = given;
  } else {
    int64_t num = attrInt(n, "num_split", 1);
    if (num <= 0 || num > (1 << 16) || size % num != 0)
      return nodeError(n, loc) << "cannot split dimension of size " << size
                               << " into " << num << " equal parts";
    sizes.assign(num, size / num);
  }
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s;
  if (total != size || llvm::any_of(sizes, [](int64_t s) { return s < 0; }))
    return nodeError(n, loc) << "split sizes do not add up to " << size;
  return splitSizes(imp, n, loc, x, *axis, sizes);
}

Result fill(Importer &imp, const NodeDef &n, Location loc,
            ArrayRef<TFValue> in) {
  CONST_INTS(dims, 0, "the dimensions");
  TENSOR(value, 1);
  if (rankOf(value) != 0)
    return nodeError(n, loc) << "the fill value must be a scalar";
  return one(imp.gb.build<BroadcastToOp>(loc, {value}, {imp.gb.i64Array("shape", dims)}));
}

Result likeOp(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  return one(imp.gb.splat(loc, cast<RankedTensorType>(x.getType()),
                          n.op() == "OnesLike" ? 1.0 : 0.0));
}

Result gather(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  TENSOR(params, 0);
  TENSOR(indices, 1);
  int64_t axis = 0;
  if (n.op() == "GatherV2") {
    CONST_INTS(a, 2, "the axis");
    if (a.size() != 1)
      return nodeError(n, loc) << "the axis must be a scalar";
    axis = a[0];
  }
  if (attrInt(n, "batch_dims", 0) != 0)
    return nodeError(n, loc) << "batch_dims other than 0 is not supported";
  return one(imp.gb.build<GatherOp>(loc, {params, indices}, {imp.gb.i64("axis", axis)}));
}

Result transpose(Importer &imp, const NodeDef &n, Location loc,
                 ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  CONST_INTS(perm, 1, "the permutation");
  return one(imp.gb.build<TransposeOp>(loc, {x}, {imp.gb.i64Array("perm", perm)}));
}

Result expandDimsOp(Importer &imp, const NodeDef &n, Location loc,
                    ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  CONST_INTS(axis, 1, "the axis");
  if (axis.size() != 1)
    return nodeError(n, loc) << "the axis must be a scalar";
  return one(expandDims(imp, n, loc, x, axis[0]));
}

Result squeeze(Importer &imp, const NodeDef &n, Location loc,
               ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  SmallVector<int64_t> axes = attrInts(n, "squeeze_dims");
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t rank = shape.size();
  SmallVector<bool> drop(rank, false);
  for (int64_t a : axes) {
    FailureOr<int64_t> axis = normalizeAxis(a, rank);
    if (failed(axis))
      return nodeError(n, loc) << "axis " << a << " is out of range";
    if (shape[*axis] != 1)
      return nodeError(n, loc) << "cannot squeeze dimension " << *axis
                               << " of size " << shape[*axis];
    drop[*axis] = true;
  }
  SmallVector<int64_t> out;
  for (int64_t i = 0; i < rank; ++i)
    if (!(axes.empty() ? shape[i] == 1 : drop[i]))
      out.push_back(shape[i]);
  return one(imp.gb.reshape(loc, x, out));
}

Result padOp(Importer &imp, const NodeDef &n, Location loc,
             ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  CONST_INTS(pads, 1, "the paddings");
  int64_t rank = rankOf(x);
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return nodeError(n, loc) << "paddings must be [" << rank << ", 2]";
  SmallVector<int64_t> low, high;
  for (int64_t i = 0; i < rank; ++i) {
    low.push_back(pads[2 * i]);
    high.push_back(pads[2 * i + 1]);
  }
  double value = 0;
  if (n.op() == "PadV2") {
    TENSOR(v, 2);
    std::optional<SmallVector<double>> c = imp.gb.getConstantFloats(v);
    if (!c || c->size() != 1)
      return nodeError(n, loc) << "the padding value must be a constant scalar";
    value = (*c)[0];
  }
  GraphBuilder &gb = imp.gb;
  return one(gb.build<PadOp>(loc, {x},
                             {gb.i64Array("low", low), gb.i64Array("high", high),
                              gb.attr("value", imp.builder().getF64FloatAttr(value))}));
}

Result range(Importer &imp, const NodeDef &n, Location loc,
             ArrayRef<TFValue> in) {
  TENSOR(start, 0);
  std::optional<SmallVector<double>> s = imp.gb.getConstantFloats(start);
  TENSOR(limit, 1);
  std::optional<SmallVector<double>> l = imp.gb.getConstantFloats(limit);
  TENSOR(delta, 2);
  std::optional<SmallVector<double>> d = imp.gb.getConstantFloats(delta);
  if (!s || !l || !d || s->size() != 1 || l->size() != 1 || d->size() != 1)
    return nodeError(n, loc) << "start, limit and delta must be constant scalars";
  double a = (*s)[0], b = (*l)[0], step = (*d)[0];
  if (step == 0 || std::isnan(a) || std::isnan(b) || std::isnan(step))
    return nodeError(n, loc) << "invalid range";
  double count = std::ceil((b - a) / step);
  if (count < 0)
    count = 0;
  if (count > kFoldElementLimit)
    return nodeError(n, loc) << "range is too long";
  int64_t size = static_cast<int64_t>(count);
  auto type = RankedTensorType::get({size}, elementOf(start));
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < size; ++i) {
    double v = a + i * step;
    if (auto ft = dyn_cast<FloatType>(type.getElementType())) {
      values.push_back(FloatAttr::get(ft, v));
      continue;
    }
    if (!(std::fabs(v) < 9.2e18))
      return nodeError(n, loc) << "range value " << v << " overflows";
    values.push_back(IntegerAttr::get(type.getElementType(), static_cast<int64_t>(v)));
  }
  return one(imp.gb.constant(loc, DenseElementsAttr::get(type, values)));
}

Result tile(Importer &imp, const NodeDef &n, Location loc,
            ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  CONST_INTS(multiples, 1, "the multiples");
  ArrayRef<int64_t> shape = shapeOf(x);
  if (multiples.size() != shape.size())
    return nodeError(n, loc) << "multiples must have one entry per dimension";
  // [d0, d1] -> [1, d0, 1, d1] -> broadcast [m0, d0, m1, d1] -> reshape.
  SmallVector<int64_t> interleaved, broadcast, result;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t size;
    if (multiples[i] < 0 || llvm::MulOverflow(multiples[i], shape[i], size) ||
        size > kMaxImportElements)
      return nodeError(n, loc) << "multiple " << multiples[i]
                               << " is negative or too large";
    interleaved.append({1, shape[i]});
    broadcast.append({multiples[i], shape[i]});
    result.push_back(size);
  }
  FailureOr<Value> r = imp.gb.reshape(loc, x, interleaved);
  if (failed(r))
    return failure();
  FailureOr<Value> bc = imp.gb.build<BroadcastToOp>(
      loc, {*r}, {imp.gb.i64Array("shape", broadcast)});
  if (failed(bc))
    return failure();
  return one(imp.gb.reshape(loc, *bc, result));
}

Result broadcastTo(Importer &imp, const NodeDef &n, Location loc,
                   ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  CONST_INTS(shape, 1, "the shape");
  return one(imp.gb.build<BroadcastToOp>(loc, {x}, {imp.gb.i64Array("shape", shape)}));
}

Result select(Importer &imp, const NodeDef &n, Location loc,
              ArrayRef<TFValue> in) {
  TENSOR(c, 0);
  TENSOR(a, 1);
  TENSOR(b, 2);
  if (n.op() == "Select" && rankOf(c) == 1 && rankOf(a) > 1) {
    // Select with a vector condition picks whole rows.
    SmallVector<int64_t> shape(shapeOf(c));
    shape.append(rankOf(a) - 1, 1);
    FailureOr<Value> r = imp.gb.reshape(loc, c, shape);
    if (failed(r))
      return failure();
    c = *r;
  }
  return one(imp.gb.build<SelectOp>(loc, {c, a, b}));
}

//===----------------------------------------------------------------------===//
// TensorLists outside loops
//===----------------------------------------------------------------------===//

/// Reads a TensorList element shape input (-1 scalar = unknown rank).
void readElementShape(Importer &imp, Value v, TensorList &list) {
  std::optional<SmallVector<int64_t>> dims = imp.gb.getConstantInts(v);
  if (!dims || (rankOf(v) == 0)) {
    list.unknownRank = true;
    return;
  }
  list.unknownRank = false;
  list.elementShape = *dims;
}

FailureOr<Type> listElementType(Importer &imp, const NodeDef &n, Location loc) {
  FailureOr<const AttrValue *> t = requireAttr(n, loc, "element_dtype", AttrValue::kType);
  if (failed(t))
    return failure();
  return elementType(imp.ctx(), (*t)->type(), loc);
}

Result listReserve(Importer &imp, const NodeDef &n, Location loc,
                   ArrayRef<TFValue> in) {
  TENSOR(shape, 0);
  CONST_INTS(num, 1, "num_elements");
  if (num.size() != 1 || num[0] < 0 || num[0] > (int64_t(1) << 24))
    return nodeError(n, loc) << "num_elements must be a non-negative scalar";
  auto list = std::make_shared<TensorList>();
  readElementShape(imp, shape, *list);
  list->numElements = num[0];
  FailureOr<Type> element = listElementType(imp, n, loc);
  if (failed(element))
    return failure();
  list->elementType = *element;
  TFValue v;
  v.kind = TFValue::Kind::List;
  v.list = list;
  return SmallVector<TFValue>{v};
}

Result listFromTensor(Importer &imp, const NodeDef &n, Location loc,
                      ArrayRef<TFValue> in) {
  TENSOR(x, 0);
  if (rankOf(x) < 1)
    return nodeError(n, loc) << "needs a tensor of rank >= 1";
  auto list = std::make_shared<TensorList>();
  list->stacked = x;
  list->numElements = shapeOf(x)[0];
  list->elementShape.assign(shapeOf(x).begin() + 1, shapeOf(x).end());
  list->unknownRank = false;
  list->elementType = elementOf(x);
  TFValue v;
  v.kind = TFValue::Kind::List;
  v.list = list;
  return SmallVector<TFValue>{v};
}

FailureOr<std::shared_ptr<TensorList>> listInput(const NodeDef &n, Location loc,
                                                 ArrayRef<TFValue> in) {
  if (in.empty() || in[0].kind != TFValue::Kind::List || !in[0].list)
    return nodeError(n, loc) << "input 0 is not a TensorList known at import "
                                "time";
  return in[0].list;
}

Result listStack(Importer &imp, const NodeDef &n, Location loc,
                 ArrayRef<TFValue> in) {
  auto list = listInput(n, loc, in);
  if (failed(list))
    return failure();
  if ((*list)->stacked)
    return one((*list)->stacked);
  // Never written: zeros, when the full shape is known.
  SmallVector<int64_t> shape = {(*list)->numElements};
  shape.append((*list)->elementShape.begin(), (*list)->elementShape.end());
  if ((*list)->unknownRank || llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return nodeError(n, loc) << "stacks a TensorList that was never written "
                                "and whose element shape is unknown";
  return one(imp.gb.splat(loc, RankedTensorType::get(shape, (*list)->elementType), 0));
}

Result listGetItem(Importer &imp, const NodeDef &n, Location loc,
                   ArrayRef<TFValue> in) {
  SmallVector<TFValue> args(in.begin(), in.end());
  if (!args.empty() && args[0].kind == TFValue::Kind::LoopInput) {
    if (args.size() > 1 && args[1].kind == TFValue::Kind::LoopCounter &&
        args[1].loop == args[0].loop)
      return SmallVector<TFValue>{TFValue::of(args[0].tensor)};
    if (!args[0].list)
      return nodeError(n, loc) << "reads a loop's input list at an index other "
                                  "than the loop's step";
    // Another index: read the whole list like any other.
    args[0].kind = TFValue::Kind::List;
  }
  in = args;
  auto list = listInput(n, loc, in);
  if (failed(list))
    return failure();
  CONST_INTS(index, 1, "the index");
  Value stacked = (*list)->stacked;
  if (!stacked || index.size() != 1)
    return nodeError(n, loc) << "reads an unwritten TensorList";
  ArrayRef<int64_t> shape = shapeOf(stacked);
  int64_t i = index[0] < 0 ? index[0] + shape[0] : index[0];
  if (i < 0 || i >= shape[0])
    return nodeError(n, loc) << "index " << index[0] << " is out of range for a "
                             << "list of " << shape[0];
  SmallVector<int64_t> start(shape.size(), 0), limit(shape);
  start[0] = i;
  limit[0] = i + 1;
  FailureOr<Value> s = imp.gb.slice(loc, stacked, start, limit);
  if (failed(s))
    return failure();
  return one(imp.gb.reshape(loc, *s, shape.drop_front()));
}

Result listSetItem(Importer &imp, const NodeDef &n, Location loc,
                   ArrayRef<TFValue> in) {
  if (!in.empty() && in[0].kind == TFValue::Kind::LoopOutput)
    return nodeError(n, loc) << "a TensorList written in a loop body is read "
                                "again in the same step";
  auto list = listInput(n, loc, in);
  if (failed(list))
    return failure();
  CONST_INTS(index, 1, "the index");
  TENSOR(item, 2);
  int64_t count = (*list)->numElements;
  if (index.size() != 1 || index[0] < 0 || index[0] >= count)
    return nodeError(n, loc) << "index is out of range for a list of " << count;
  SmallVector<int64_t> itemShape(shapeOf(item));
  SmallVector<int64_t> shape = {count};
  shape.append(itemShape);
  Value stacked = (*list)->stacked;
  if (!stacked)
    stacked = imp.gb.splat(loc, RankedTensorType::get(shape, elementOf(item)), 0);
  SmallVector<int64_t> one1 = {1};
  one1.append(itemShape);
  FailureOr<Value> expanded = imp.gb.reshape(loc, item, one1);
  if (failed(expanded))
    return failure();
  SmallVector<Value> parts;
  SmallVector<int64_t> start(shape.size(), 0), limit(shape);
  if (index[0] > 0) {
    limit[0] = index[0];
    FailureOr<Value> before = imp.gb.slice(loc, stacked, start, limit);
    if (failed(before))
      return failure();
    parts.push_back(*before);
  }
  parts.push_back(*expanded);
  if (index[0] + 1 < count) {
    start[0] = index[0] + 1;
    limit[0] = count;
    FailureOr<Value> after = imp.gb.slice(loc, stacked, start, limit);
    if (failed(after))
      return failure();
    parts.push_back(*after);
  }
  FailureOr<Value> updated =
      parts.size() == 1 ? FailureOr<Value>(parts[0])
                        : imp.gb.build<ConcatOp>(loc, parts, {imp.gb.i64("axis", 0)});
  if (failed(updated))
    return failure();
  auto next = std::make_shared<TensorList>(**list);
  next->stacked = *updated;
  TFValue v;
  v.kind = TFValue::Kind::List;
  v.list = next;
  return SmallVector<TFValue>{v};
}

Result listLength(Importer &imp, const NodeDef &n, Location loc,
                  ArrayRef<TFValue> in) {
  auto list = listInput(n, loc, in);
  if (failed(list))
    return failure();
  Value v = imp.gb.i64Vector(loc, {(*list)->numElements});
  FailureOr<Value> r = imp.gb.reshape(loc, v, {});
  if (failed(r))
    return failure();
  return one(imp.gb.castTo(loc, *r, imp.builder().getI32Type()));
}

} // namespace

const llvm::StringMap<Converter> &tf::converters() {
  static const llvm::StringMap<Converter> table = [] {
    llvm::StringMap<Converter> t;
    for (const char *op : {"Identity", "StopGradient", "Snapshot",
                           "PreventGradient", "CheckNumerics", "EnsureShape"})
      t[op] = passThrough;
    t["IdentityN"] = identityN;
    t["Const"] = constOp;
    t["Placeholder"] = placeholder;
    t["PlaceholderWithDefault"] = placeholder;
    // Elementwise.
    t["Add"] = binary<AddOp>;
    t["AddV2"] = binary<AddOp>;
    t["Sub"] = binary<SubOp>;
    t["Mul"] = binary<MulOp>;
    t["RealDiv"] = realDiv;
    t["Div"] = realDiv;
    t["FloorDiv"] = floorDiv;
    t["Maximum"] = binary<MaximumOp>;
    t["Minimum"] = binary<MinimumOp>;
    t["Pow"] = binary<PowOp>;
    t["SquaredDifference"] = squaredDifference;
    t["Less"] = binary<LessOp>;
    t["LessEqual"] = binary<LessEqualOp>;
    t["Greater"] = binary<GreaterOp>;
    t["GreaterEqual"] = binary<GreaterEqualOp>;
    t["Equal"] = binary<EqualOp>;
    t["NotEqual"] = binary<NotEqualOp>;
    t["LogicalAnd"] = binary<LogicalAndOp>;
    t["LogicalOr"] = binary<LogicalOrOp>;
    t["LogicalNot"] = unary<LogicalNotOp>;
    t["BiasAdd"] = biasAdd;
    t["AddN"] = addN;
    t["Neg"] = unary<NegOp>;
    t["Abs"] = unary<AbsOp>;
    t["Square"] = unary<SquareOp>;
    t["Relu"] = unary<ReluOp>;
    t["Relu6"] = unary<Relu6Op>;
    t["Elu"] = unary<EluOp>;
    t["LeakyRelu"] = leakyRelu;
    t["Exp"] = unary<ExpOp>;
    t["Log"] = unary<LogOp>;
    t["Sqrt"] = unary<SqrtOp>;
    t["Rsqrt"] = unary<RsqrtOp>;
    t["Tanh"] = unary<TanhOp>;
    t["Sigmoid"] = unary<SigmoidOp>;
    t["Softplus"] = unary<SoftplusOp>;
    t["Erf"] = unary<ErfOp>;
    t["Sin"] = unary<SinOp>;
    t["Cos"] = unary<CosOp>;
    t["Floor"] = unary<FloorOp>;
    t["Ceil"] = unary<CeilOp>;
    t["Reciprocal"] = reciprocal;
    t["Inv"] = reciprocal;
    t["Cast"] = castOp;
    t["Select"] = select;
    t["SelectV2"] = select;
    // Linear algebra and neural-network layers.
    t["MatMul"] = matmul;
    t["BatchMatMul"] = matmul;
    t["BatchMatMulV2"] = matmul;
    t["BatchMatMulV3"] = matmul;
    t["Einsum"] = einsum;
    t["Conv2D"] = conv2d;
    t["DepthwiseConv2dNative"] = conv2d;
    t["MaxPool"] = pool<MaxPool2DOp>;
    t["AvgPool"] = pool<AvgPool2DOp>;
    t["Softmax"] = softmax<SoftmaxOp>;
    t["LogSoftmax"] = softmax<LogSoftmaxOp>;
    t["FusedBatchNorm"] = fusedBatchNorm;
    t["FusedBatchNormV2"] = fusedBatchNorm;
    t["FusedBatchNormV3"] = fusedBatchNorm;
    // Reductions.
    t["Mean"] = reduce<ReduceMeanOp>;
    t["Sum"] = reduce<ReduceSumOp>;
    t["Max"] = reduce<ReduceMaxOp>;
    t["Min"] = reduce<ReduceMinOp>;
    t["Prod"] = reduce<ReduceProdOp>;
    t["ArgMax"] = argReduce<ArgMaxOp>;
    t["ArgMin"] = argReduce<ArgMinOp>;
    // Shapes and data movement.
    t["Reshape"] = reshape;
    t["Shape"] = shapeOp;
    t["Size"] = shapeOp;
    t["Rank"] = shapeOp;
    t["StridedSlice"] = stridedSlice;
    t["Pack"] = pack;
    t["Unpack"] = unpack;
    t["ConcatV2"] = concat;
    t["Concat"] = concat;
    t["Split"] = split;
    t["SplitV"] = split;
    t["Fill"] = fill;
    t["ZerosLike"] = likeOp;
    t["OnesLike"] = likeOp;
    t["GatherV2"] = gather;
    t["Gather"] = gather;
    t["Transpose"] = transpose;
    t["ExpandDims"] = expandDimsOp;
    t["Squeeze"] = squeeze;
    t["Pad"] = padOp;
    t["PadV2"] = padOp;
    t["Range"] = range;
    t["Tile"] = tile;
    t["BroadcastTo"] = broadcastTo;
    // TensorLists.
    t["TensorListReserve"] = listReserve;
    t["TensorListFromTensor"] = listFromTensor;
    t["TensorListStack"] = listStack;
    t["TensorListGetItem"] = listGetItem;
    t["TensorListSetItem"] = listSetItem;
    t["TensorListLength"] = listLength;
    addControlFlowConverters(t);
    return t;
  }();
  return table;
}
