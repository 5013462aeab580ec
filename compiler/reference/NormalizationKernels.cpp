//===- NormalizationKernels.cpp - batch and layer normalization -----------===//

#include "compiler/reference/Kernels.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using namespace kiln::reference;

namespace {

FailureOr<Tensor> evalBatchNorm(BatchNormOp op,
                                ArrayRef<const Tensor *> operands) {
  const Tensor &x = *operands[0], &scale = *operands[1], &offset = *operands[2],
               &mean = *operands[3], &var = *operands[4];
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  AxisSplit split(x.shape(), op.getAxis());
  double eps = op.getEpsilon().convertToDouble();
  for (int64_t k = 0, n = x.size(); k < n; ++k) {
    int64_t c = (k / split.inner) % split.len;
    out->floats[k] = (x.floats[k] - mean.floats[c]) * scale.floats[c] /
                         std::sqrt(var.floats[c] + eps) +
                     offset.floats[c];
  }
  return out;
}

FailureOr<Tensor> evalLayerNorm(LayerNormOp op,
                                ArrayRef<const Tensor *> operands) {
  const Tensor &x = *operands[0], &scale = *operands[1], &offset = *operands[2];
  FailureOr<Tensor> out = resultTensor(op);
  if (failed(out))
    return failure();
  int64_t axis = op.getAxis() < 0 ? op.getAxis() + x.rank() : op.getAxis();
  int64_t group = 1;
  for (int64_t d = axis; d < x.rank(); ++d)
    group *= x.shape()[d];
  int64_t groups = group ? x.size() / group : 0;
  double eps = op.getEpsilon().convertToDouble();
  for (int64_t g = 0; g < groups; ++g) {
    const double *v = &x.floats[g * group];
    double mean = 0.0;
    for (int64_t k = 0; k < group; ++k)
      mean += v[k];
    mean /= static_cast<double>(group);
    double var = 0.0;
    for (int64_t k = 0; k < group; ++k)
      var += (v[k] - mean) * (v[k] - mean);
    var /= static_cast<double>(group);
    double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t k = 0; k < group; ++k)
      out->floats[g * group + k] =
          (v[k] - mean) * inv * scale.floats[k] + offset.floats[k];
  }
  return out;
}

} // namespace

KernelResult
kiln::reference::evalNormalization(Operation *op,
                                   ArrayRef<const Tensor *> operands) {
  return llvm::TypeSwitch<Operation *, KernelResult>(op)
      .Case([&](BatchNormOp o) { return evalBatchNorm(o, operands); })
      .Case([&](LayerNormOp o) { return evalLayerNorm(o, operands); })
      .Default([](Operation *) { return std::nullopt; });
}
