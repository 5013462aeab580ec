//===- ReductionKernels.cpp - reductions, arg-reductions and softmax ------===//

#include "compiler/reference/Kernels.h"
#include "dialects/kiln/ScalarMath.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace kiln;
using namespace kiln::reference;

namespace {

enum class Reduce { Sum, Mean, Max, Min, Prod };

/// Maps every input element to the output element it reduces into.
SmallVector<int64_t> outputOffsets(ArrayRef<int64_t> shape,
                                   ArrayRef<bool> reduced) {
  SmallVector<int64_t> keptShape;
  for (auto [d, r] : llvm::zip(shape, reduced))
    keptShape.push_back(r ? 1 : d);
  SmallVector<int64_t> strides = stridesOf(keptShape);
  for (auto [s, r] : llvm::zip(strides, reduced))
    if (r)
      s = 0;
  SmallVector<int64_t> offsets;
  forEachIndex(shape, [&](ArrayRef<int64_t> idx, int64_t) {
    offsets.push_back(dot(idx, strides));
  });
  return offsets;
}

SmallVector<bool> reducedMask(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<bool> mask(rank, false);
  for (int64_t a : axes)
    mask[a < 0 ? a + rank : a] = true;
  return mask;
}

FailureOr<Tensor> evalReduce(Operation *op, const Tensor &x,
                             ArrayRef<int64_t> axes, Reduce kind) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  SmallVector<bool> mask = reducedMask(axes, x.rank());
  SmallVector<int64_t> offsets = outputOffsets(x.shape(), mask);
  int64_t count = 1;
  for (auto [d, r] : llvm::zip(x.shape(), mask))
    if (r)
      count *= d;
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (x.isFloat()) {
    // -0.0 is the identity of addition (+0.0 would turn -0.0 into +0.0);
    // the sum of nothing is +0.0, as NumPy's.
    double init = kind == Reduce::Max    ? -inf
                  : kind == Reduce::Min  ? inf
                  : kind == Reduce::Prod ? 1.0
                  : count == 0           ? 0.0
                                         : -0.0;
    std::fill(out->floats.begin(), out->floats.end(), init);
    for (size_t k = 0; k < offsets.size(); ++k) {
      double &acc = out->floats[offsets[k]];
      double v = x.floats[k];
      switch (kind) {
      case Reduce::Sum:
      case Reduce::Mean:
        acc += v;
        break;
      case Reduce::Prod:
        acc *= v;
        break;
      case Reduce::Max:
        acc = scalar::maximum(acc, v);
        break;
      case Reduce::Min:
        acc = scalar::minimum(acc, v);
        break;
      }
    }
    if (kind == Reduce::Mean)
      for (double &v : out->floats)
        v /= static_cast<double>(count);
    return out;
  }
  // The identities of max and min are the element type's own limits.
  unsigned bits = x.elementType().getIntOrFloatBitWidth();
  int64_t typeMax = bits >= 64 ? std::numeric_limits<int64_t>::max()
                               : (int64_t(1) << (bits - 1)) - 1;
  int64_t init = kind == Reduce::Max   ? -typeMax - 1
                 : kind == Reduce::Min ? typeMax
                 : kind == Reduce::Prod ? 1
                                        : 0;
  std::fill(out->ints.begin(), out->ints.end(), init);
  for (size_t k = 0; k < offsets.size(); ++k) {
    int64_t &acc = out->ints[offsets[k]];
    int64_t v = x.ints[k];
    switch (kind) {
    case Reduce::Sum:
    case Reduce::Mean:
      acc = scalar::wrapAdd(acc, v);
      break;
    case Reduce::Prod:
      acc = scalar::wrapMul(acc, v);
      break;
    case Reduce::Max:
      acc = std::max(acc, v);
      break;
    case Reduce::Min:
      acc = std::min(acc, v);
      break;
    }
  }
  return out;
}

/// Index of the first maximum (or minimum) along `axis`; a NaN wins.
FailureOr<Tensor> evalArg(Operation *op, const Tensor &x, int64_t axis,
                          bool isMax) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  AxisSplit split(x.shape(), axis);
  int64_t outer = split.outer, len = split.len, inner = split.inner;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      double bestValue = len ? x.getDouble(split.at(o, 0, i)) : 0.0;
      for (int64_t t = 1; t < len && bestValue == bestValue; ++t) {
        double v = x.getDouble(split.at(o, t, i));
        if (v != v || (isMax ? v > bestValue : v < bestValue)) {
          best = t;
          bestValue = v;
        }
      }
      out->ints[o * inner + i] = best;
    }
  return out;
}

/// Softmax or log-softmax along `axis`, stabilized by the maximum.
FailureOr<Tensor> evalSoftmax(Operation *op, const Tensor &x, int64_t axis,
                              bool log) {
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  AxisSplit split(x.shape(), axis);
  int64_t outer = split.outer, len = split.len, inner = split.inner;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t t) { return split.at(o, t, i); };
      double m = -std::numeric_limits<double>::infinity();
      for (int64_t t = 0; t < len; ++t)
        m = scalar::maximum(m, x.floats[at(t)]);
      double sum = 0.0;
      for (int64_t t = 0; t < len; ++t)
        sum += std::exp(x.floats[at(t)] - m);
      double logSum = std::log(sum);
      for (int64_t t = 0; t < len; ++t) {
        double shifted = x.floats[at(t)] - m;
        out->floats[at(t)] = log ? shifted - logSum : std::exp(shifted) / sum;
      }
    }
  return out;
}

} // namespace

KernelResult kiln::reference::evalReduction(Operation *op,
                                            ArrayRef<const Tensor *> operands) {
  const Tensor &x = *operands[0];
  return llvm::TypeSwitch<Operation *, KernelResult>(op)
      .Case([&](ReduceSumOp o) { return evalReduce(o, x, o.getAxes(), Reduce::Sum); })
      .Case([&](ReduceMeanOp o) { return evalReduce(o, x, o.getAxes(), Reduce::Mean); })
      .Case([&](ReduceMaxOp o) { return evalReduce(o, x, o.getAxes(), Reduce::Max); })
      .Case([&](ReduceMinOp o) { return evalReduce(o, x, o.getAxes(), Reduce::Min); })
      .Case([&](ReduceProdOp o) { return evalReduce(o, x, o.getAxes(), Reduce::Prod); })
      .Case([&](ArgMaxOp o) { return evalArg(o, x, o.getAxis(), true); })
      .Case([&](ArgMinOp o) { return evalArg(o, x, o.getAxis(), false); })
      .Case([&](SoftmaxOp o) { return evalSoftmax(o, x, o.getAxis(), false); })
      .Case([&](LogSoftmaxOp o) { return evalSoftmax(o, x, o.getAxis(), true); })
      .Default([](Operation *) { return std::nullopt; });
}
