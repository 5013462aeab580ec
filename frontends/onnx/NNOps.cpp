//===- NNOps.cpp - ONNX matmul, conv, pooling, norms and reductions -------===//
////

#include "frontends/onnx/OnnxImporterImpl.h"

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Diagnostics.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using namespace kiln::importer;
using namespace kiln::importer::onnx;

namespace {

LogicalResult convertMatMul(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 2, 2)))
    return failure();
  Value a = nc.inputs[0], c = nc.inputs[1];
  ArrayRef<int64_t> as = Importer::shapeOf(a), cs = Importer::shapeOf(c);
  if (as.empty() || cs.empty())
    return imp.error(nc) << "operands must have rank >= 1, got " << a.getType()
                         << " and " << c.getType();
  // NumPy semantics for vectors: promote to a matrix, then drop the dim.
  bool vecA = as.size() == 1, vecB = cs.size() == 1;
  if (vecA) {
    FailureOr<Value> r = imp.gb.reshape(nc.loc, a, {1, as[0]});
    if (failed(r))
      return failure();
    a = *r;
  }
  if (vecB) {
    FailureOr<Value> r = imp.gb.reshape(nc.loc, c, {cs[0], 1});
    if (failed(r))
      return failure();
    c = *r;
  }
  FailureOr<Value> mm = imp.gb.build<MatmulOp>(nc.loc, {a, c});
  if (failed(mm))
    return failure();
  if (vecA || vecB) {
    SmallVector<int64_t> shape(Importer::shapeOf(*mm));
    if (vecB)
      shape.pop_back();
    if (vecA)
      shape.erase(shape.end() - (vecB ? 1 : 2));
    FailureOr<Value> r = imp.gb.reshape(nc.loc, *mm, shape);
    if (failed(r))
      return failure();
    mm = r;
  }
  nc.outputs = {*mm};
  return success();
}

/// Gemm: alpha * A' B' + beta * C with A' = A or A^T, B' = B or B^T.
LogicalResult convertGemm(Importer &imp, NodeContext &nc) {
  FailureOr<double> alpha = imp.attrFloat(nc, "alpha", 1.0);
  FailureOr<double> beta = imp.attrFloat(nc, "beta", 1.0);
  FailureOr<int64_t> transA = imp.attrInt(nc, "transA", 0);
  FailureOr<int64_t> transB = imp.attrInt(nc, "transB", 0);
  if (failed(alpha) || failed(beta) || failed(transA) || failed(transB) ||
      failed(imp.expectInputs(nc, 2, 3)))
    return failure();
  Value a = nc.inputs[0], c = nc.inputs[1];
  if (Importer::typeOf(a).getRank() != 2 || Importer::typeOf(c).getRank() != 2)
    return imp.error(nc) << "A and B must be 2-D matrices, got " << a.getType()
                         << " and " << c.getType();
  GraphBuilder &gb = imp.gb;
  FailureOr<Value> y = gb.build<MatmulOp>(
      nc.loc, {a, c},
      {gb.attr("transpose_a", imp.b.getBoolAttr(*transA != 0)),
       gb.attr("transpose_b", imp.b.getBoolAttr(*transB != 0))});
  if (failed(y))
    return failure();
  Type et = Importer::typeOf(*y).getElementType();
  // Integer products scale by alpha/beta only when those are exact integers
  // (a double outside the int64 range must not reach an integer constant).
  if (isa<IntegerType>(et))
    for (double f : {*alpha, *beta})
      if (!(f >= -0x1p63 && f < 0x1p63) || f != std::trunc(f))
        return imp.error(nc) << "alpha " << *alpha << " and beta " << *beta
                             << " must be integers for " << et << " operands";
  if (*alpha != 1.0) {
    y = gb.build<MulOp>(nc.loc, {*y, gb.scalar(nc.loc, et, *alpha)});
    if (failed(y))
      return failure();
  }
  if (Value bias = nc.input(2); bias && *beta != 0.0) {
    if (*beta != 1.0) {
      FailureOr<Value> scaled =
          gb.build<MulOp>(nc.loc, {bias, gb.scalar(nc.loc, et, *beta)});
      if (failed(scaled))
        return failure();
      bias = *scaled;
    }
    y = gb.build<AddOp>(nc.loc, {*y, bias});
    if (failed(y))
      return failure();
  }
  nc.outputs = {*y};
  return success();
}

/// Spatial attributes shared by Conv and the pooling ops, resolved into
/// kiln's explicit `[top, bottom, left, right]` padding.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padding;
};

/// Reads kernel_shape (or `kernel` from the filter), strides, dilations,
/// pads and auto_pad for a 2-D window over NCHW `input`.
FailureOr<Window> readWindow(Importer &imp, NodeContext &nc, Value input,
                             std::optional<SmallVector<int64_t>> kernel) {
  ArrayRef<int64_t> shape = Importer::shapeOf(input);
  if (shape.size() != 4)
    return imp.error(nc) << "only 2-D windows over NCHW inputs are supported; "
                            "the input is "
                         << input.getType();
  FailureOr<std::optional<SmallVector<int64_t>>> ks =
      imp.attrInts(nc, "kernel_shape");
  FailureOr<std::optional<SmallVector<int64_t>>> st =
      imp.attrInts(nc, "strides");
  FailureOr<std::optional<SmallVector<int64_t>>> dl =
      imp.attrInts(nc, "dilations");
  FailureOr<std::optional<SmallVector<int64_t>>> pd = imp.attrInts(nc, "pads");
  FailureOr<std::string> autoPad = imp.attrString(nc, "auto_pad", "NOTSET");
  if (failed(ks) || failed(st) || failed(dl) || failed(pd) || failed(autoPad))
    return failure();
  Window w;
  if (*ks)
    w.kernel = **ks;
  else if (kernel)
    w.kernel = *kernel;
  else
    return imp.error(nc) << "attribute 'kernel_shape' is required";
  w.strides = st->value_or(SmallVector<int64_t>{1, 1});
  w.dilations = dl->value_or(SmallVector<int64_t>{1, 1});
  SmallVector<int64_t> pads = pd->value_or(SmallVector<int64_t>{0, 0, 0, 0});
  if (w.kernel.size() != 2 || w.strides.size() != 2 ||
      w.dilations.size() != 2 || pads.size() != 4)
    return imp.error(nc) << "expected 2 kernel_shape, strides and dilations "
                            "values and 4 pads for a 2-D window";
  if (kernel && *kernel != w.kernel)
    return imp.error(nc) << "kernel_shape " << shapeString(w.kernel)
                         << " disagrees with the filter's spatial shape "
                         << shapeString(*kernel);
  for (int i = 0; i < 2; ++i) {
    if (w.kernel[i] < 1 || w.strides[i] < 1 || w.dilations[i] < 1 ||
        w.kernel[i] > (int64_t(1) << 20) || w.strides[i] > (int64_t(1) << 20) ||
        w.dilations[i] > (int64_t(1) << 20))
      return imp.error(nc) << "kernel_shape, strides and dilations must be "
                              "positive, got "
                           << shapeString(w.kernel) << ", "
                           << shapeString(w.strides) << ", "
                           << shapeString(w.dilations);
  }
  for (int64_t p : pads)
    if (p < 0 || p > (int64_t(1) << 20))
      return imp.error(nc) << "pads must be non-negative, got "
                           << shapeString(pads);
  // ONNX pads: [h_begin, w_begin, h_end, w_end].
  w.padding = {pads[0], pads[2], pads[1], pads[3]};
  StringRef mode = *autoPad;
  if (mode == "VALID") {
    w.padding = {0, 0, 0, 0};
  } else if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
    for (int i = 0; i < 2; ++i) {
      int64_t in = shape[2 + i];
      int64_t out = (in + w.strides[i] - 1) / w.strides[i];
      int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.strides[i] + extent - in);
      int64_t small = total / 2, large = total - small;
      w.padding[2 * i] = mode == "SAME_UPPER" ? small : large;
      w.padding[2 * i + 1] = mode == "SAME_UPPER" ? large : small;
    }
  } else if (mode != "NOTSET") {
    return imp.error(nc) << "unknown auto_pad '" << mode
                         << "' (expected NOTSET, SAME_UPPER, SAME_LOWER or "
                            "VALID)";
  }
  return w;
}

LogicalResult convertConv(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 2, 3)))
    return failure();
  Value x = nc.inputs[0], w = nc.inputs[1];
  ArrayRef<int64_t> ws = Importer::shapeOf(w);
  if (ws.size() != 4)
    return imp.error(nc) << "only 2-D convolutions (4-D OIHW weights) are "
                            "supported; W is "
                         << w.getType();
  FailureOr<int64_t> group = imp.attrInt(nc, "group", 1);
  if (failed(group))
    return failure();
  if (*group < 1)
    return imp.error(nc) << "group must be positive, got " << *group;
  FailureOr<Window> win =
      readWindow(imp, nc, x, SmallVector<int64_t>{ws[2], ws[3]});
  if (failed(win))
    return failure();
  GraphBuilder &gb = imp.gb;
  FailureOr<Value> y = gb.build<Conv2DOp>(
      nc.loc, {x, w},
      {gb.i64Array("strides", win->strides),
       gb.i64Array("dilations", win->dilations),
       gb.i64Array("padding", win->padding), gb.i64("groups", *group),
       gb.attr("data_format", imp.b.getStringAttr("NCHW")),
       gb.attr("filter_format", imp.b.getStringAttr("OIHW"))});
  if (failed(y))
    return failure();
  if (Value bias = nc.input(2)) {
    ArrayRef<int64_t> bs = Importer::shapeOf(bias);
    if (bs.size() != 1 || bs[0] != ws[0])
      return imp.error(nc) << "bias B must be 1-D with " << ws[0]
                           << " elements, got " << bias.getType();
    FailureOr<Value> b4 = gb.reshape(nc.loc, bias, {1, bs[0], 1, 1});
    if (failed(b4))
      return failure();
    y = gb.build<AddOp>(nc.loc, {*y, *b4});
    if (failed(y))
      return failure();
  }
  nc.outputs = {*y};
  return success();
}

template <typename OpTy, bool isAverage>
LogicalResult convertPool(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  FailureOr<int64_t> ceilMode = imp.attrInt(nc, "ceil_mode", 0);
  FailureOr<int64_t> includePad = imp.attrInt(nc, "count_include_pad", 0);
  if (failed(ceilMode) || failed(includePad))
    return failure();
  if (*ceilMode != 0)
    return imp.error(nc) << "ceil_mode = 1 is not supported";
  FailureOr<Window> win = readWindow(imp, nc, nc.inputs[0], std::nullopt);
  if (failed(win))
    return failure();
  if (win->dilations[0] != 1 || win->dilations[1] != 1)
    return imp.error(nc) << "dilated pooling is not supported";
  GraphBuilder &gb = imp.gb;
  SmallVector<NamedAttribute> attrs = {
      gb.i64Array("kernel_size", win->kernel),
      gb.i64Array("strides", win->strides),
      gb.i64Array("padding", win->padding),
      gb.attr("data_format", imp.b.getStringAttr("NCHW"))};
  if (isAverage)
    attrs.push_back(
        gb.attr("count_include_pad", imp.b.getBoolAttr(*includePad != 0)));
  return imp.emit<OpTy>(nc, nc.inputs[0], attrs);
}

/// GlobalAveragePool / GlobalMaxPool: a reduction over the spatial axes.
template <typename OpTy>
LogicalResult convertGlobalPool(Importer &imp, NodeContext &nc) {
  if (failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  int64_t rank = Importer::typeOf(nc.inputs[0]).getRank();
  if (rank < 3)
    return imp.error(nc) << "input must have rank >= 3 (N, C, spatial...), got "
                         << nc.inputs[0].getType();
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  return imp.emit<OpTy>(nc, nc.inputs[0],
                        {imp.gb.i64Array("axes", axes),
                         imp.gb.attr("keepdims", imp.b.getBoolAttr(true))});
}

LogicalResult convertBatchNorm(Importer &imp, NodeContext &nc) {
  FailureOr<double> eps = imp.attrFloat(nc, "epsilon", 1e-5);
  FailureOr<int64_t> training = imp.attrInt(nc, "training_mode", 0);
  if (failed(eps) || failed(training) || failed(imp.expectInputs(nc, 5, 5)))
    return failure();
  if (*training != 0)
    return imp.error(nc) << "training_mode = 1 is not supported (Kiln imports "
                            "models for inference)";
  if (Importer::typeOf(nc.inputs[0]).getRank() < 2)
    return imp.error(nc) << "input must have rank >= 2, got "
                         << nc.inputs[0].getType();
  return imp.emit<BatchNormOp>(
      nc,
      {nc.inputs[0], nc.inputs[1], nc.inputs[2], nc.inputs[3], nc.inputs[4]},
      {imp.gb.attr("epsilon", imp.b.getF64FloatAttr(*eps)),
       imp.gb.i64("axis", 1)});
}

LogicalResult convertLayerNorm(Importer &imp, NodeContext &nc) {
  FailureOr<double> eps = imp.attrFloat(nc, "epsilon", 1e-5);
  FailureOr<int64_t> axisAttr = imp.attrInt(nc, "axis", -1);
  if (failed(eps) || failed(axisAttr) || failed(imp.expectInputs(nc, 2, 3)))
    return failure();
  Value x = nc.inputs[0];
  RankedTensorType xt = Importer::typeOf(x);
  FailureOr<int64_t> axis =
      imp.normalizeAxis(nc, *axisAttr, xt.getRank(), "axis");
  if (failed(axis))
    return failure();
  // kiln.layer_norm wants scale and offset with x's trailing shape exactly.
  auto paramType = RankedTensorType::get(xt.getShape().drop_front(*axis),
                                         xt.getElementType());
  GraphBuilder &gb = imp.gb;
  auto toParam = [&](Value v) -> FailureOr<Value> {
    if (v.getType() == paramType)
      return v;
    return gb.build<BroadcastToOp>(
        nc.loc, v, {gb.i64Array("shape", paramType.getShape())});
  };
  FailureOr<Value> scale = toParam(nc.inputs[1]);
  if (failed(scale))
    return failure();
  Value bias = nc.input(2);
  FailureOr<Value> offset =
      bias ? toParam(bias) : FailureOr<Value>(gb.splat(nc.loc, paramType, 0.0));
  if (failed(offset))
    return failure();
  return imp.emit<LayerNormOp>(
      nc, {x, *scale, *offset},
      {gb.attr("epsilon", imp.b.getF64FloatAttr(*eps)), gb.i64("axis", *axis)});
}

template <typename OpTy>
LogicalResult convertSoftmax(Importer &imp, NodeContext &nc) {
  FailureOr<int64_t> axisAttr = imp.attrInt(nc, "axis", -1);
  if (failed(axisAttr) || failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  FailureOr<int64_t> axis = imp.normalizeAxis(
      nc, *axisAttr, Importer::typeOf(nc.inputs[0]).getRank(), "axis");
  if (failed(axis))
    return failure();
  return imp.emit<OpTy>(nc, nc.inputs[0], {imp.gb.i64("axis", *axis)});
}

/// The Reduce* ops: axes from the attribute, or from input #1 for ReduceSum
/// (opset 13+); keepdims; noop_with_empty_axes.
template <typename OpTy, bool axesInput>
LogicalResult convertReduce(Importer &imp, NodeContext &nc) {
  FailureOr<int64_t> keepdims = imp.attrInt(nc, "keepdims", 1);
  FailureOr<int64_t> noop = imp.attrInt(nc, "noop_with_empty_axes", 0);
  if (failed(keepdims) || failed(noop) ||
      failed(imp.expectInputs(nc, 1, axesInput ? 2 : 1)))
    return failure();
  Value x = nc.inputs[0];
  int64_t rank = Importer::typeOf(x).getRank();
  SmallVector<int64_t> axes;
  if (axesInput) {
    if (nc.input(1)) {
      FailureOr<SmallVector<int64_t>> a = imp.constantInts(nc, 1, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
  } else {
    FailureOr<std::optional<SmallVector<int64_t>>> a = imp.attrInts(nc, "axes");
    if (failed(a))
      return failure();
    if (*a)
      axes = **a;
  }
  if (axes.empty()) {
    if (*noop) {
      nc.outputs = {x};
      return success();
    }
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  SmallVector<bool> seen(rank, false);
  for (int64_t &a : axes) {
    FailureOr<int64_t> n = imp.normalizeAxis(nc, a, rank, "axis");
    if (failed(n))
      return failure();
    if (seen[*n])
      return imp.error(nc) << "axis " << a << " is repeated";
    seen[*n] = true;
    a = *n;
  }
  return imp.emit<OpTy>(
      nc, x,
      {imp.gb.i64Array("axes", axes),
       imp.gb.attr("keepdims", imp.b.getBoolAttr(*keepdims != 0))});
}

template <typename OpTy>
LogicalResult convertArg(Importer &imp, NodeContext &nc) {
  FailureOr<int64_t> axisAttr = imp.attrInt(nc, "axis", 0);
  FailureOr<int64_t> keepdims = imp.attrInt(nc, "keepdims", 1);
  FailureOr<int64_t> last = imp.attrInt(nc, "select_last_index", 0);
  if (failed(axisAttr) || failed(keepdims) || failed(last) ||
      failed(imp.expectInputs(nc, 1, 1)))
    return failure();
  if (*last != 0)
    return imp.error(nc) << "select_last_index = 1 is not supported";
  FailureOr<int64_t> axis = imp.normalizeAxis(
      nc, *axisAttr, Importer::typeOf(nc.inputs[0]).getRank(), "axis");
  if (failed(axis))
    return failure();
  return imp.emit<OpTy>(
      nc, nc.inputs[0],
      {imp.gb.i64("axis", *axis),
       imp.gb.attr("keepdims", imp.b.getBoolAttr(*keepdims != 0))});
}

LogicalResult convertEinsum(Importer &imp, NodeContext &nc) {
  FailureOr<std::string> eq = imp.attrString(nc, "equation", "");
  if (failed(eq) || failed(imp.expectInputs(nc, 1, 2)))
    return failure();
  if (eq->empty())
    return imp.error(nc) << "attribute 'equation' is required";
  // Only the present operands: an omitted ("") input is allowed at the end
  // (expectInputs counted up to the last present one), never in between.
  SmallVector<Value> operands;
  for (size_t i = 0; i < nc.inputs.size(); ++i) {
    if (nc.inputs[i]) {
      if (operands.size() != i)
        return imp.error(nc) << "input #" << operands.size()
                             << " is missing (an empty name)";
      operands.push_back(nc.inputs[i]);
    }
  }
  FailureOr<Value> v = imp.gb.einsum(nc.loc, *eq, operands);
  if (failed(v))
    return failure();
  nc.outputs = {*v};
  return success();
}

} // namespace

void kiln::importer::onnx::registerNNOps(llvm::StringMap<Converter> &t) {
  t["MatMul"] = convertMatMul;
  t["Gemm"] = convertGemm;
  t["Conv"] = convertConv;
  t["MaxPool"] = convertPool<MaxPool2DOp, false>;
  t["AveragePool"] = convertPool<AvgPool2DOp, true>;
  t["GlobalAveragePool"] = convertGlobalPool<ReduceMeanOp>;
  t["GlobalMaxPool"] = convertGlobalPool<ReduceMaxOp>;
  t["BatchNormalization"] = convertBatchNorm;
  t["LayerNormalization"] = convertLayerNorm;
  t["Softmax"] = convertSoftmax<SoftmaxOp>;
  t["LogSoftmax"] = convertSoftmax<LogSoftmaxOp>;
  t["ReduceMean"] = convertReduce<ReduceMeanOp, false>;
  t["ReduceSum"] = convertReduce<ReduceSumOp, true>;
  t["ReduceMax"] = convertReduce<ReduceMaxOp, false>;
  t["ReduceMin"] = convertReduce<ReduceMinOp, false>;
  t["ReduceProd"] = convertReduce<ReduceProdOp, false>;
  t["ArgMax"] = convertArg<ArgMaxOp>;
  t["ArgMin"] = convertArg<ArgMinOp>;
  t["Einsum"] = convertEinsum;
}
