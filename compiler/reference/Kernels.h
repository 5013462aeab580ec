//===- Kernels.h - per-category kernels of the reference interpreter ------===//

#ifndef KILN_COMPILER_REFERENCE_KERNELS_H
#define KILN_COMPILER_REFERENCE_KERNELS_H

#include "compiler/reference/Tensor.h"
#include "dialects/kiln/KilnDialect.h"

namespace kiln::reference {

/// Each returns the op's result, or failure with a diagnostic at the op.
/// `std::nullopt` means the op does not belong to the category.
using KernelResult = std::optional<mlir::FailureOr<Tensor>>;

KernelResult evalElementwise(mlir::Operation *op,
                             llvm::ArrayRef<const Tensor *> operands);
KernelResult evalLinalg(mlir::Operation *op,
                        llvm::ArrayRef<const Tensor *> operands);
KernelResult evalReduction(mlir::Operation *op,
                           llvm::ArrayRef<const Tensor *> operands);
KernelResult evalNormalization(mlir::Operation *op,
                               llvm::ArrayRef<const Tensor *> operands);
KernelResult evalDataMovement(mlir::Operation *op,
                              llvm::ArrayRef<const Tensor *> operands);

/// A zero tensor of the op's (single) result type.
mlir::FailureOr<Tensor> resultTensor(mlir::Operation *op);

/// Calls `f(index, linear)` for every multi-index of `shape` in row-major
/// order.
template <typename F> void forEachIndex(llvm::ArrayRef<int64_t> shape, F f) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  llvm::SmallVector<int64_t> idx(shape.size(), 0);
  for (int64_t linear = 0; linear < n; ++linear) {
    f(llvm::ArrayRef<int64_t>(idx), linear);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
}

/// A shape seen as [outer, len, inner] around one axis: element
/// (o, t, i) is at (o * len + t) * inner + i.
struct AxisSplit {
  int64_t outer = 1, len = 1, inner = 1;
  /// `axis` may be negative (counted from the end).
  AxisSplit(llvm::ArrayRef<int64_t> shape, int64_t axis) {
    int64_t rank = static_cast<int64_t>(shape.size());
    axis = axis < 0 ? axis + rank : axis;
    for (int64_t d = 0; d < rank; ++d)
      (d < axis ? outer : d == axis ? len : inner) *= shape[d];
  }
  int64_t at(int64_t o, int64_t t, int64_t i) const {
    return (o * len + t) * inner + i;
  }
};

/// Strides for reading a tensor of `shape` broadcast to `outShape`: trailing
/// alignment, stride 0 along broadcast dimensions.
llvm::SmallVector<int64_t> broadcastStrides(llvm::ArrayRef<int64_t> shape,
                                            llvm::ArrayRef<int64_t> outShape);

inline int64_t dot(llvm::ArrayRef<int64_t> idx, llvm::ArrayRef<int64_t> strides) {
  int64_t off = 0;
  for (size_t i = 0; i < idx.size(); ++i)
    off += idx[i] * strides[i];
  return off;
}

} // namespace kiln::reference

#endif // KILN_COMPILER_REFERENCE_KERNELS_H
