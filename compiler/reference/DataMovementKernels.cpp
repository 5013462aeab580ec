//===- DataMovementKernels.cpp - reshape, transpose, slice, pad, gather ---===//

#include "compiler/reference/Kernels.h"
#include "dialects/kiln/ScalarMath.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::reference;

namespace {

void copyElement(Tensor &dst, int64_t i, const Tensor &src, int64_t j) {
  if (dst.isFloat())
    dst.floats[i] = src.floats[j];
  else
    dst.ints[i] = src.ints[j];
}

/// Fills `out` by reading, for each output index, the source offset
/// `sourceOffset(idx)`.
template <typename F>
FailureOr<Tensor> gatherBy(Operation *op, const Tensor &src, F sourceOffset) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  forEachIndex(out->shape(), [&](ArrayRef<int64_t> idx, int64_t k) {
    copyElement(*out, k, src, sourceOffset(idx));
  });
  return out;
}

FailureOr<Tensor> evalReshape(Operation *op, const Tensor &x) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  out->floats = x.floats;
  out->ints = x.ints;
  return out;
}

FailureOr<Tensor> evalTranspose(TransposeOp op, const Tensor &x) {
  SmallVector<int64_t> inStrides = stridesOf(x.shape());
  SmallVector<int64_t> strides;
  for (int64_t p : op.getPerm())
    strides.push_back(inStrides[p]);
  return gatherBy(op, x, [&](ArrayRef<int64_t> idx) { return dot(idx, strides); });
}

FailureOr<Tensor> evalBroadcastTo(BroadcastToOp op, const Tensor &x) {
  SmallVector<int64_t> strides = broadcastStrides(x.shape(), op.getShape());
  return gatherBy(op, x, [&](ArrayRef<int64_t> idx) { return dot(idx, strides); });
}

FailureOr<Tensor> evalSlice(SliceOp op, const Tensor &x) {
  SmallVector<int64_t> inStrides = stridesOf(x.shape());
  ArrayRef<int64_t> start = op.getStart();
  SmallVector<int64_t> step(x.rank(), 1);
  if (auto s = op.getStrides())
    step.assign(s->begin(), s->end());
  int64_t base = dot(start, inStrides);
  for (int64_t d = 0; d < x.rank(); ++d)
    inStrides[d] *= step[d];
  return gatherBy(op, x,
                  [&](ArrayRef<int64_t> idx) { return base + dot(idx, inStrides); });
}

FailureOr<Tensor> evalConcat(ConcatOp op, ArrayRef<const Tensor *> inputs) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  int64_t axis = op.getAxis() < 0 ? op.getAxis() + out->rank() : op.getAxis();
  SmallVector<int64_t> outStrides = stridesOf(out->shape());
  int64_t offset = 0;
  for (const Tensor *t : inputs) {
    forEachIndex(t->shape(), [&](ArrayRef<int64_t> idx, int64_t k) {
      copyElement(*out, dot(idx, outStrides) + offset * outStrides[axis], *t, k);
    });
    offset += t->shape()[axis];
  }
  return out;
}

FailureOr<Tensor> evalPad(PadOp op, const Tensor &x) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  double value = op.getValue().convertToDouble();
  if (out->isFloat()) {
    std::fill(out->floats.begin(), out->floats.end(), value);
  } else {
    unsigned bits = out->elementType().getIntOrFloatBitWidth();
    int64_t v = bits == 1 ? value != 0.0 : scalar::floatToInt(value, bits);
    std::fill(out->ints.begin(), out->ints.end(), v);
  }
  SmallVector<int64_t> outStrides = stridesOf(out->shape());
  int64_t base = dot(op.getLow(), outStrides);
  forEachIndex(x.shape(), [&](ArrayRef<int64_t> idx, int64_t k) {
    copyElement(*out, base + dot(idx, outStrides), x, k);
  });
  return out;
}

/// The addressing gather and its transpose scatter_add share: `indices`
/// picks positions along `axis` of a "full" tensor; an index into the
/// gathered shape (the full shape with `axis` replaced by the indices'
/// shape) maps to an offset into the full tensor.
struct AxisIndexing {
  const Tensor &indices;
  int64_t axis, dim, rank, iRank;
  SmallVector<int64_t> fullStrides, iStrides;

  int64_t offset(ArrayRef<int64_t> idx) const {
    int64_t off = 0;
    for (int64_t d = 0; d < axis; ++d)
      off += idx[d] * fullStrides[d];
    int64_t i = indices.ints[dot(idx.slice(axis, iRank), iStrides)];
    off += (i < 0 ? i + dim : i) * fullStrides[axis];
    for (int64_t d = axis + 1; d < rank; ++d)
      off += idx[d - 1 + iRank] * fullStrides[d];
    return off;
  }
};

/// Checks every index lies in [-dim, dim) of the full tensor's `axis`;
/// `full` names the full tensor in the message.
FailureOr<AxisIndexing> axisIndexing(Operation *op, const Tensor &indices,
                                     int64_t axisAttr, ArrayRef<int64_t> fullShape,
                                     const Twine &full) {
  int64_t rank = fullShape.size();
  int64_t axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  int64_t dim = fullShape[axis];
  for (int64_t k = 0, n = indices.size(); k < n; ++k) {
    int64_t i = indices.ints[k];
    if (i < -dim || i >= dim)
      return op->emitError("index ")
             << i << " at position " << k << " of operand 'indices' is out of "
             << "range [" << -dim << ", " << dim << ") for dimension " << axis
             << " of " << full;
  }
  return AxisIndexing{indices,
                      axis,
                      dim,
                      rank,
                      indices.rank(),
                      stridesOf(fullShape),
                      stridesOf(indices.shape())};
}

FailureOr<Tensor> evalGather(GatherOp op, const Tensor &params,
                             const Tensor &indices) {
  std::string full;
  llvm::raw_string_ostream(full) << "operand 'params' (" << params.type << ")";
  FailureOr<AxisIndexing> at =
      axisIndexing(op, indices, op.getAxis(), params.shape(), full);
  if (failed(at))
    return failure();
  return gatherBy(op, params,
                  [&](ArrayRef<int64_t> idx) { return at->offset(idx); });
}

FailureOr<Tensor> evalScatterAdd(ScatterAddOp op, const Tensor &indices,
                                 const Tensor &updates) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  std::string full;
  llvm::raw_string_ostream(full) << "the result (" << out->type << ")";
  FailureOr<AxisIndexing> at =
      axisIndexing(op, indices, op.getAxis(), out->shape(), full);
  if (failed(at))
    return failure();
  forEachIndex(updates.shape(), [&](ArrayRef<int64_t> idx, int64_t linear) {
    out->floats[at->offset(idx)] += updates.floats[linear];
  });
  normalize(*out);
  return out;
}

} // namespace

KernelResult
kiln::reference::evalDataMovement(Operation *op,
                                  ArrayRef<const Tensor *> operands) {
  return llvm::TypeSwitch<Operation *, KernelResult>(op)
      .Case([&](ReshapeOp o) { return evalReshape(o, *operands[0]); })
      .Case([&](TransposeOp o) { return evalTranspose(o, *operands[0]); })
      .Case([&](BroadcastToOp o) { return evalBroadcastTo(o, *operands[0]); })
      .Case([&](SliceOp o) { return evalSlice(o, *operands[0]); })
      .Case([&](ConcatOp o) { return evalConcat(o, operands); })
      .Case([&](PadOp o) { return evalPad(o, *operands[0]); })
      .Case([&](ScatterAddOp o) {
        return evalScatterAdd(o, *operands[0], *operands[1]);
      })
      .Case([&](GatherOp o) {
        return evalGather(o, *operands[0], *operands[1]);
      })
      .Default([](Operation *) { return std::nullopt; });
}
