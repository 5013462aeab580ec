//===- ShapeInference.cpp - result types of kiln ops ----------------------===//
//
// Every kiln op computes its own result type, so importers and passes never
// compute shapes by hand. A failure names the operand or attribute at fault
// and the shapes that disagree.
//
//===----------------------------------------------------------------------===//

#include "dialects/kiln/KilnDialect.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace kiln;

namespace {

RankedTensorType rankedOrNull(Value v) {
  return v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

LogicalResult expectSize(std::optional<Location> loc, StringRef attr,
                         ArrayRef<int64_t> values, size_t size) {
  if (values.size() == size)
    return success();
  return emitOptionalError(loc, "attribute '", attr, "' must have ", size,
                           " entries, got ", values.size());
}

/// Checks that every entry of attribute `attr` is at least `min`.
LogicalResult expectAtLeast(std::optional<Location> loc, StringRef attr,
                            ArrayRef<int64_t> values, int64_t min) {
  if (llvm::all_of(values, [&](int64_t v) { return v >= min; }))
    return success();
  return emitOptionalError(loc, "attribute '", attr, "' must have entries >= ",
                           min, ", got ", shapeString(values));
}

LogicalResult expectDataFormat(std::optional<Location> loc, StringRef format) {
  if (format == "NHWC" || format == "NCHW")
    return success();
  return emitOptionalError(loc, "data_format must be \"NHWC\" or \"NCHW\", got \"",
                           format, "\"");
}

/// Positions of (N, C, H, W) in a 4-D tensor of the given layout.
struct Layout4D {
  unsigned n, c, h, w;
};
Layout4D layoutOf(StringRef format) {
  return format == "NCHW" ? Layout4D{0, 1, 2, 3} : Layout4D{0, 3, 1, 2};
}

/// Checks a list of axes against `rank`: in range, no duplicates. Returns a
/// mask of the reduced dimensions.
FailureOr<SmallVector<bool>> axesMask(std::optional<Location> loc,
                                      ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<bool> mask(rank, false);
  for (int64_t axis : axes) {
    FailureOr<int64_t> a = normalizeAxis(axis, rank);
    if (failed(a))
      return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                               rank);
    if (mask[*a])
      return emitOptionalError(loc, "axis ", axis, " appears more than once");
    mask[*a] = true;
  }
  return mask;
}

/// Checked product of a shape, failing on overflow.
FailureOr<int64_t> checkedNumElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || llvm::MulOverflow(n, d, n))
      return failure();
  return n;
}

} // namespace

FailureOr<int64_t> kiln::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return failure();
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>> kiln::broadcastShapes(ArrayRef<int64_t> a,
                                                      ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return failure();
    out[i] = da == 1 ? db : da;
  }
  return out;
}

FailureOr<int64_t> kiln::windowOutputSize(int64_t in, int64_t kernel,
                                          int64_t stride, int64_t dilation,
                                          int64_t padLo, int64_t padHi) {
  if (kernel <= 0 || stride <= 0 || dilation <= 0 || padLo < 0 || padHi < 0)
    return failure();
  int64_t span, padded;
  if (llvm::MulOverflow(dilation, kernel - 1, span) ||
      llvm::AddOverflow(span, int64_t(1), span) ||
      llvm::AddOverflow(in, padLo, padded) ||
      llvm::AddOverflow(padded, padHi, padded) || padded < span)
    return failure();
  return (padded - span) / stride + 1;
}

LogicalResult kiln::inferBroadcastResult(std::optional<Location> loc,
                                         ArrayRef<Value> operands,
                                         ArrayRef<StringRef> names,
                                         Type resultElement,
                                         SmallVectorImpl<Type> &types) {
  SmallVector<int64_t> shape;
  Type element;
  for (auto [i, v] : llvm::enumerate(operands)) {
    RankedTensorType t = rankedOrNull(v);
    if (!t)
      return emitOptionalError(loc, "operand '", names[i],
                               "' must be a ranked tensor");
    if (i == 0) {
      shape.assign(t.getShape().begin(), t.getShape().end());
      element = t.getElementType();
      continue;
    }
    if (t.getElementType() != element)
      return emitOptionalError(loc, "operands '", names[0], "' (",
                               operands[0].getType(), ") and '", names[i],
                               "' (", t, ") have different element types");
    FailureOr<SmallVector<int64_t>> b = broadcastShapes(shape, t.getShape());
    if (failed(b))
      return emitOptionalError(
          loc, "operand '", names[i], "' of shape ", shapeString(t.getShape()),
          " does not broadcast with shape ", shapeString(shape),
          i == 1 ? " of '" + names[0].str() + "'" : std::string(" of the others"));
    shape = *b;
  }
  types.push_back(
      RankedTensorType::get(shape, resultElement ? resultElement : element));
  return success();
}

//===----------------------------------------------------------------------===//
// Constants and elementwise
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto value = adaptor.getValueAttr();
  if (!value)
    return emitOptionalError(loc, "requires attribute 'value'");
  types.push_back(value.getType());
  return success();
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType onTrue = rankedOrNull(adaptor.getOnTrue());
  RankedTensorType onFalse = rankedOrNull(adaptor.getOnFalse());
  RankedTensorType cond = rankedOrNull(adaptor.getCondition());
  if (!onTrue || !onFalse || !cond)
    return emitOptionalError(loc, "operands must be ranked tensors");
  if (onTrue.getElementType() != onFalse.getElementType())
    return emitOptionalError(loc, "operands 'on_true' (", onTrue,
                             ") and 'on_false' (", onFalse,
                             ") have different element types");
  FailureOr<SmallVector<int64_t>> s =
      broadcastShapes(onTrue.getShape(), onFalse.getShape());
  if (failed(s))
    return emitOptionalError(loc, "operand 'on_false' of shape ",
                             shapeString(onFalse.getShape()),
                             " does not broadcast with 'on_true' of shape ",
                             shapeString(onTrue.getShape()));
  FailureOr<SmallVector<int64_t>> all = broadcastShapes(*s, cond.getShape());
  if (failed(all))
    return emitOptionalError(loc, "operand 'condition' of shape ",
                             shapeString(cond.getShape()),
                             " does not broadcast with shape ", shapeString(*s));
  types.push_back(RankedTensorType::get(*all, onTrue.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Matmul, convolution, pooling
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType a = rankedOrNull(adaptor.getA());
  RankedTensorType b = rankedOrNull(adaptor.getB());
  if (!a || !b)
    return emitOptionalError(loc, "operands must be ranked tensors");
  if (a.getRank() < 2)
    return emitOptionalError(loc, "operand 'a' (", a, ") must have rank >= 2");
  if (b.getRank() < 2)
    return emitOptionalError(loc, "operand 'b' (", b, ") must have rank >= 2");
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "operands 'a' (", a, ") and 'b' (", b,
                             ") have different element types");
  ArrayRef<int64_t> as = a.getShape(), bs = b.getShape();
  int64_t m = as[as.size() - 2], ka = as.back();
  if (adaptor.getTransposeA())
    std::swap(m, ka);
  int64_t kb = bs[bs.size() - 2], n = bs.back();
  if (adaptor.getTransposeB())
    std::swap(kb, n);
  if (ka != kb)
    return emitOptionalError(loc, "contraction dimensions differ: operand 'a' (",
                             a, ") has ", ka, ", operand 'b' (", b, ") has ",
                             kb);
  FailureOr<SmallVector<int64_t>> batch =
      broadcastShapes(as.drop_back(2), bs.drop_back(2));
  if (failed(batch))
    return emitOptionalError(loc, "batch dimensions of operand 'a' (", a,
                             ") and operand 'b' (", b, ") do not broadcast");
  SmallVector<int64_t> shape = *batch;
  shape.push_back(m);
  shape.push_back(n);
  types.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

/// The result type of a convolution of `in` with `f`; shared by conv2d and
/// its two gradients, which check their operands against it.
template <typename Adaptor>
static LogicalResult inferConv(std::optional<Location> loc,
                               RankedTensorType in, RankedTensorType f,
                               Adaptor adaptor, SmallVectorImpl<Type> &types) {
  if (in.getRank() != 4)
    return emitOptionalError(loc, "operand 'input' (", in, ") must have rank 4");
  if (f.getRank() != 4)
    return emitOptionalError(loc, "operand 'filter' (", f, ") must have rank 4");
  if (in.getElementType() != f.getElementType())
    return emitOptionalError(loc, "operands 'input' (", in, ") and 'filter' (",
                             f, ") have different element types");
  StringRef format = adaptor.getDataFormat();
  StringRef filterFormat = adaptor.getFilterFormat();
  if (failed(expectDataFormat(loc, format)))
    return failure();
  if (filterFormat != "HWIO" && filterFormat != "OIHW")
    return emitOptionalError(loc, "filter_format must be \"HWIO\" or \"OIHW\", got \"",
                             filterFormat, "\"");
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    dilations = adaptor.getDilations(),
                    padding = adaptor.getPadding();
  if (failed(expectSize(loc, "strides", strides, 2)) ||
      failed(expectSize(loc, "dilations", dilations, 2)) ||
      failed(expectSize(loc, "padding", padding, 4)) ||
      failed(expectAtLeast(loc, "strides", strides, 1)) ||
      failed(expectAtLeast(loc, "dilations", dilations, 1)) ||
      failed(expectAtLeast(loc, "padding", padding, 0)))
    return failure();
  Layout4D l = layoutOf(format);
  ArrayRef<int64_t> is = in.getShape(), fs = f.getShape();
  bool hwio = filterFormat == "HWIO";
  int64_t kh = hwio ? fs[0] : fs[2], kw = hwio ? fs[1] : fs[3];
  int64_t fin = hwio ? fs[2] : fs[1], fout = hwio ? fs[3] : fs[0];
  int64_t groups = adaptor.getGroups();
  int64_t channels = is[l.c];
  if (groups < 1 || channels % groups != 0 || fout % groups != 0)
    return emitOptionalError(loc, "groups = ", groups,
                             " must divide the input channels (", channels,
                             ") and the filter's output channels (", fout, ")");
  if (fin * groups != channels)
    return emitOptionalError(loc, "operand 'filter' (", f, ") has ", fin,
                             " input channels per group but operand 'input' (",
                             in, ") has ", channels, " channels in ", groups,
                             " group(s)");
  FailureOr<int64_t> oh = windowOutputSize(is[l.h], kh, strides[0], dilations[0],
                                           padding[0], padding[1]);
  FailureOr<int64_t> ow = windowOutputSize(is[l.w], kw, strides[1], dilations[1],
                                           padding[2], padding[3]);
  if (failed(oh) || failed(ow))
    return emitOptionalError(
        loc, "the ", kh, "x", kw, " filter (strides ", shapeString(strides),
        ", dilations ", shapeString(dilations), ", padding ", shapeString(padding),
        ") does not fit the ", is[l.h], "x", is[l.w], " input of operand 'input' (",
        in, ")");
  SmallVector<int64_t> shape(4);
  shape[l.n] = is[l.n];
  shape[l.c] = fout;
  shape[l.h] = *oh;
  shape[l.w] = *ow;
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedOrNull(adaptor.getInput());
  RankedTensorType f = rankedOrNull(adaptor.getFilter());
  if (!in || !f)
    return emitOptionalError(loc, "operands must be ranked tensors");
  return inferConv(loc, in, f, adaptor, types);
}

/// A tensor type of the shape in attribute `name`, checked to be a valid
/// 4-D shape.
static FailureOr<RankedTensorType>
shapeAttrType(std::optional<Location> loc, StringRef name,
              ArrayRef<int64_t> shape, Type element) {
  if (shape.size() != 4 ||
      llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return emitOptionalError(loc, "attribute '", name,
                             "' must be 4 sizes >= 0, got ", shapeString(shape));
  return RankedTensorType::get(shape, element);
}

/// Checks a convolution gradient's `grad` against the forward result type.
static LogicalResult expectForwardResult(std::optional<Location> loc,
                                         Value grad,
                                         ArrayRef<Type> forward) {
  if (grad.getType() != forward.front())
    return emitOptionalError(loc, "operand 'grad' (", grad.getType(),
                             ") must have the convolution result's type ",
                             forward.front());
  return success();
}

LogicalResult Conv2DBackpropInputOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  RankedTensorType f = rankedOrNull(adaptor.getFilter());
  if (!f || !rankedOrNull(adaptor.getGrad()))
    return emitOptionalError(loc, "operands must be ranked tensors");
  FailureOr<RankedTensorType> in = shapeAttrType(
      loc, "input_shape", adaptor.getInputShape(), f.getElementType());
  SmallVector<Type> forward;
  if (failed(in) || failed(inferConv(loc, *in, f, adaptor, forward)) ||
      failed(expectForwardResult(loc, adaptor.getGrad(), forward)))
    return failure();
  types.push_back(*in);
  return success();
}

LogicalResult Conv2DBackpropFilterOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedOrNull(adaptor.getInput());
  if (!in || !rankedOrNull(adaptor.getGrad()))
    return emitOptionalError(loc, "operands must be ranked tensors");
  FailureOr<RankedTensorType> f = shapeAttrType(
      loc, "filter_shape", adaptor.getFilterShape(), in.getElementType());
  SmallVector<Type> forward;
  if (failed(f) || failed(inferConv(loc, in, *f, adaptor, forward)) ||
      failed(expectForwardResult(loc, adaptor.getGrad(), forward)))
    return failure();
  types.push_back(*f);
  return success();
}

/// Shared by both pooling ops.
static LogicalResult inferPool(std::optional<Location> loc, Value input,
                               ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> padding, StringRef format,
                               SmallVectorImpl<Type> &types) {
  RankedTensorType in = rankedOrNull(input);
  if (!in || in.getRank() != 4)
    return emitOptionalError(loc, "operand 'input' (", input.getType(),
                             ") must have rank 4");
  if (failed(expectDataFormat(loc, format)) ||
      failed(expectSize(loc, "kernel_size", kernel, 2)) ||
      failed(expectSize(loc, "strides", strides, 2)) ||
      failed(expectSize(loc, "padding", padding, 4)) ||
      failed(expectAtLeast(loc, "kernel_size", kernel, 1)) ||
      failed(expectAtLeast(loc, "strides", strides, 1)) ||
      failed(expectAtLeast(loc, "padding", padding, 0)))
    return failure();
  for (unsigned i = 0; i < 2; ++i)
    if (padding[2 * i] >= kernel[i] || padding[2 * i + 1] >= kernel[i])
      return emitOptionalError(loc, "padding ", shapeString(padding),
                               " must be smaller than kernel_size ",
                               shapeString(kernel));
  Layout4D l = layoutOf(format);
  ArrayRef<int64_t> is = in.getShape();
  FailureOr<int64_t> oh =
      windowOutputSize(is[l.h], kernel[0], strides[0], 1, padding[0], padding[1]);
  FailureOr<int64_t> ow =
      windowOutputSize(is[l.w], kernel[1], strides[1], 1, padding[2], padding[3]);
  if (failed(oh) || failed(ow))
    return emitOptionalError(loc, "the window ", shapeString(kernel), " (strides ",
                             shapeString(strides), ", padding ", shapeString(padding),
                             ") does not fit operand 'input' (", in, ")");
  SmallVector<int64_t> shape(is);
  shape[l.h] = *oh;
  shape[l.w] = *ow;
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return inferPool(loc, adaptor.getInput(), adaptor.getKernelSize(),
                   adaptor.getStrides(), adaptor.getPadding(),
                   adaptor.getDataFormat(), types);
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return inferPool(loc, adaptor.getInput(), adaptor.getKernelSize(),
                   adaptor.getStrides(), adaptor.getPadding(),
                   adaptor.getDataFormat(), types);
}

LogicalResult Pool2DGradOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  StringRef mode = adaptor.getMode();
  if (mode != "max" && mode != "avg")
    return emitOptionalError(loc, "mode must be \"max\" or \"avg\", got \"",
                             mode, "\"");
  SmallVector<Type> pooled;
  if (failed(inferPool(loc, adaptor.getInput(), adaptor.getKernelSize(),
                       adaptor.getStrides(), adaptor.getPadding(),
                       adaptor.getDataFormat(), pooled)))
    return failure();
  auto grad = dyn_cast<RankedTensorType>(adaptor.getGrad().getType());
  if (!grad || grad != pooled.front())
    return emitOptionalError(loc, "operand 'grad' (", adaptor.getGrad().getType(),
                             ") must have the pooling result's type ",
                             pooled.front());
  types.push_back(adaptor.getInput().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult inferReduce(std::optional<Location> loc, Value x,
                                 ArrayRef<int64_t> axes, bool keepdims,
                                 Type element, SmallVectorImpl<Type> &types) {
  RankedTensorType t = rankedOrNull(x);
  if (!t)
    return emitOptionalError(loc, "operand 'x' must be a ranked tensor");
  FailureOr<SmallVector<bool>> mask = axesMask(loc, axes, t.getRank());
  if (failed(mask))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(t.getShape())) {
    if (!(*mask)[i])
      shape.push_back(d);
    else if (keepdims)
      shape.push_back(1);
  }
  types.push_back(
      RankedTensorType::get(shape, element ? element : t.getElementType()));
  return success();
}

#define KILN_REDUCE_INFER(OP)                                                  \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferReduce(loc, adaptor.getX(), adaptor.getAxes(),                 \
                       adaptor.getKeepdims(), Type(), types);                  \
  }
KILN_REDUCE_INFER(ReduceSumOp)
KILN_REDUCE_INFER(ReduceMeanOp)
KILN_REDUCE_INFER(ReduceMaxOp)
KILN_REDUCE_INFER(ReduceMinOp)
KILN_REDUCE_INFER(ReduceProdOp)
#undef KILN_REDUCE_INFER

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  return inferReduce(loc, adaptor.getX(), {adaptor.getAxis()},
                     adaptor.getKeepdims(), IntegerType::get(ctx, 64), types);
}

LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  return inferReduce(loc, adaptor.getX(), {adaptor.getAxis()},
                     adaptor.getKeepdims(), IntegerType::get(ctx, 64), types);
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  RankedTensorType x = rankedOrNull(adaptor.getX());
  if (!x || x.getRank() < 1)
    return emitOptionalError(loc, "operand 'x' must have rank >= 1");
  FailureOr<int64_t> axis = normalizeAxis(adaptor.getAxis(), x.getRank());
  if (failed(axis))
    return emitOptionalError(loc, "axis ", adaptor.getAxis(),
                             " is out of range for operand 'x' (", x, ")");
  int64_t channels = x.getShape()[*axis];
  std::pair<Value, StringRef> params[] = {{adaptor.getScale(), "scale"},
                                          {adaptor.getOffset(), "offset"},
                                          {adaptor.getMean(), "mean"},
                                          {adaptor.getVariance(), "variance"}};
  for (auto [v, name] : params) {
    RankedTensorType t = rankedOrNull(v);
    if (!t || t.getRank() != 1 || t.getDimSize(0) != channels ||
        t.getElementType() != x.getElementType())
      return emitOptionalError(loc, "operand '", name, "' (", v.getType(),
                               ") must be a 1-D tensor of ", channels, " ",
                               x.getElementType(), " to match dimension ",
                               *axis, " of operand 'x' (", x, ")");
  }
  types.push_back(x);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  RankedTensorType x = rankedOrNull(adaptor.getX());
  if (!x || x.getRank() < 1)
    return emitOptionalError(loc, "operand 'x' must have rank >= 1");
  FailureOr<int64_t> axis = normalizeAxis(adaptor.getAxis(), x.getRank());
  if (failed(axis))
    return emitOptionalError(loc, "axis ", adaptor.getAxis(),
                             " is out of range for operand 'x' (", x, ")");
  ArrayRef<int64_t> normShape = x.getShape().drop_front(*axis);
  std::pair<Value, StringRef> params[] = {{adaptor.getScale(), "scale"},
                                          {adaptor.getOffset(), "offset"}};
  for (auto [v, name] : params) {
    RankedTensorType t = rankedOrNull(v);
    if (!t || t.getShape() != normShape ||
        t.getElementType() != x.getElementType())
      return emitOptionalError(loc, "operand '", name, "' (", v.getType(),
                               ") must have shape ", shapeString(normShape),
                               " and element type ", x.getElementType(),
                               " (operand 'x' is ", x, ", axis ", *axis, ")");
  }
  types.push_back(x);
  return success();
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  RankedTensorType x = rankedOrNull(adaptor.getX());
  if (!x)
    return emitOptionalError(loc, "operand 'x' must be a ranked tensor");
  SmallVector<int64_t> shape(adaptor.getShape());
  int64_t known = 1;
  int inferred = -1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == -1 && inferred < 0) {
      inferred = i;
      continue;
    }
    if (d < 0 || llvm::MulOverflow(known, d, known))
      return emitOptionalError(loc, "invalid target shape ", shapeString(shape),
                               ": dimensions must be >= 0 with at most one -1");
  }
  int64_t count = x.getNumElements();
  if (inferred >= 0) {
    if (known == 0)
      return emitOptionalError(loc, "cannot infer the -1 in target shape ",
                               shapeString(shape),
                               ": another dimension is 0");
    if (count % known != 0)
      return emitOptionalError(loc, "cannot reshape operand 'x' (", x,
                               ") to ", shapeString(shape), ": ", count,
                               " elements do not divide evenly");
    shape[inferred] = count / known;
  } else if (known != count) {
    return emitOptionalError(loc, "cannot reshape operand 'x' (", x, ", ",
                             count, " elements) to ", shapeString(shape), " (",
                             known, " elements)");
  }
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  RankedTensorType x = rankedOrNull(adaptor.getX());
  if (!x)
    return emitOptionalError(loc, "operand 'x' must be a ranked tensor");
  ArrayRef<int64_t> perm = adaptor.getPerm();
  int64_t rank = x.getRank();
  SmallVector<bool> seen(rank, false);
  if (static_cast<int64_t>(perm.size()) != rank)
    return emitOptionalError(loc, "perm ", shapeString(perm), " has ", perm.size(),
                             " entries but operand 'x' (", x, ") has rank ",
                             rank);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return emitOptionalError(loc, "perm ", shapeString(perm),
                               " is not a permutation of [0, ", rank, ")");
    seen[p] = true;
    shape.push_back(x.getDimSize(p));
  }
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  RankedTensorType x = rankedOrNull(adaptor.getX());
  if (!x)
    return emitOptionalError(loc, "operand 'x' must be a ranked tensor");
  ArrayRef<int64_t> shape = adaptor.getShape();
  FailureOr<SmallVector<int64_t>> b = broadcastShapes(x.getShape(), shape);
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }) || failed(b) ||
      ArrayRef<int64_t>(*b) != shape)
    return emitOptionalError(loc, "operand 'x' (", x,
                             ") cannot be broadcast to shape ", shapeString(shape));
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "requires at least one input");
  RankedTensorType first = rankedOrNull(inputs[0]);
  if (!first)
    return emitOptionalError(loc, "inputs must be ranked tensors");
  FailureOr<int64_t> axis = normalizeAxis(adaptor.getAxis(), first.getRank());
  if (failed(axis))
    return emitOptionalError(loc, "axis ", adaptor.getAxis(),
                             " is out of range for input #0 (", first, ")");
  SmallVector<int64_t> shape(first.getShape());
  for (auto [i, v] : llvm::enumerate(inputs.drop_front())) {
    RankedTensorType t = rankedOrNull(v);
    bool ok = t && t.getRank() == first.getRank() &&
              t.getElementType() == first.getElementType();
    for (int64_t d = 0; ok && d < first.getRank(); ++d)
      ok = d == *axis || t.getDimSize(d) == first.getDimSize(d);
    if (!ok)
      return emitOptionalError(loc, "input #", i + 1, " (", v.getType(),
                               ") does not match input #0 (", first,
                               ") outside axis ", *axis);
    if (llvm::AddOverflow(shape[*axis], t.getDimSize(*axis), shape[*axis]))
      return emitOptionalError(loc, "concatenated dimension ", *axis,
                               " is too large");
  }
  types.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  RankedTensorType x = rankedOrNull(adaptor.getX());
  if (!x)
    return emitOptionalError(loc, "operand 'x' must be a ranked tensor");
  size_t rank = x.getRank();
  ArrayRef<int64_t> start = adaptor.getStart(), limit = adaptor.getLimit();
  SmallVector<int64_t> strides(rank, 1);
  if (auto s = adaptor.getStrides())
    strides.assign(s->begin(), s->end());
  if (failed(expectSize(loc, "start", start, rank)) ||
      failed(expectSize(loc, "limit", limit, rank)) ||
      failed(expectSize(loc, "strides", strides, rank)))
    return failure();
  SmallVector<int64_t> shape;
  for (size_t i = 0; i < rank; ++i) {
    if (start[i] < 0 || start[i] > limit[i] || limit[i] > x.getDimSize(i) ||
        strides[i] < 1)
      return emitOptionalError(loc, "dimension ", i, " of operand 'x' (", x,
                               "): slice [", start[i], ":", limit[i], ":",
                               strides[i], "] is out of bounds (need 0 <= "
                               "start <= limit <= ", x.getDimSize(i),
                               ", stride >= 1)");
    shape.push_back(llvm::divideCeil(limit[i] - start[i], strides[i]));
  }
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  RankedTensorType x = rankedOrNull(adaptor.getX());
  if (!x)
    return emitOptionalError(loc, "operand 'x' must be a ranked tensor");
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh();
  if (failed(expectSize(loc, "low", low, x.getRank())) ||
      failed(expectSize(loc, "high", high, x.getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < x.getRank(); ++i) {
    int64_t d = x.getDimSize(i);
    if (low[i] < 0 || high[i] < 0)
      return emitOptionalError(loc, "padding of dimension ", i,
                               " must be non-negative, got low ", low[i],
                               " high ", high[i]);
    if (llvm::AddOverflow(d, low[i], d) || llvm::AddOverflow(d, high[i], d))
      return emitOptionalError(loc, "padding of dimension ", i, " (low ",
                               low[i], " high ", high[i], ") is too large");
    shape.push_back(d);
  }
  if (failed(checkedNumElements(shape)))
    return emitOptionalError(loc, "padded shape ", shapeString(shape),
                             " is too large");
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType params = rankedOrNull(adaptor.getParams());
  RankedTensorType indices = rankedOrNull(adaptor.getIndices());
  if (!params || !indices)
    return emitOptionalError(loc, "operands must be ranked tensors");
  FailureOr<int64_t> axis = normalizeAxis(adaptor.getAxis(), params.getRank());
  if (failed(axis))
    return emitOptionalError(loc, "axis ", adaptor.getAxis(),
                             " is out of range for operand 'params' (", params,
                             ")");
  SmallVector<int64_t> shape(params.getShape().take_front(*axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, params.getShape().drop_front(*axis + 1));
  types.push_back(RankedTensorType::get(shape, params.getElementType()));
  return success();
}

LogicalResult ScatterAddOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  RankedTensorType indices = rankedOrNull(adaptor.getIndices());
  RankedTensorType updates = rankedOrNull(adaptor.getUpdates());
  if (!indices || !updates)
    return emitOptionalError(loc, "operands must be ranked tensors");
  ArrayRef<int64_t> shape = adaptor.getShape();
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return emitOptionalError(loc, "shape ", shapeString(shape),
                             " has a negative dimension");
  FailureOr<int64_t> axis =
      normalizeAxis(adaptor.getAxis(), static_cast<int64_t>(shape.size()));
  if (failed(axis))
    return emitOptionalError(loc, "axis ", adaptor.getAxis(),
                             " is out of range for shape ", shapeString(shape));
  SmallVector<int64_t> expected(shape.take_front(*axis));
  llvm::append_range(expected, indices.getShape());
  llvm::append_range(expected, shape.drop_front(*axis + 1));
  if (updates.getShape() != ArrayRef<int64_t>(expected))
    return emitOptionalError(loc, "operand 'updates' (", updates,
                             ") must have shape ", shapeString(expected),
                             " (shape[:axis] + indices' shape + shape[axis+1:])");
  types.push_back(RankedTensorType::get(shape, updates.getElementType()));
  return success();
}
