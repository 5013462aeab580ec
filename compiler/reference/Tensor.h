//===- Tensor.h - host tensors of the reference interpreter ---------------===//

#ifndef KILN_COMPILER_REFERENCE_TENSOR_H
#define KILN_COMPILER_REFERENCE_TENSOR_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"

#include <cstdint>
#include <vector>

namespace kiln::reference {

/// The largest tensor the interpreter allocates, in elements (8 GiB of f64).
constexpr int64_t kMaxElements = int64_t(1) << 30;

/// A tensor of the reference interpreter. Floating-point elements are held
/// as doubles already rounded to the element type (f16, bf16, f32 or f64);
/// integers and booleans as int64_t already wrapped to their width. Exactly
/// one of `floats` and `ints` is in use, with one entry per element in
/// row-major order.
struct Tensor {
  mlir::RankedTensorType type;
  std::vector<double> floats;
  std::vector<int64_t> ints;

  /// A zero-filled tensor of `type`, or failure (with a diagnostic at `loc`)
  /// when it is not a kiln tensor type or exceeds kMaxElements.
  static mlir::FailureOr<Tensor> zeros(mlir::RankedTensorType type,
                                       mlir::Location loc);

  bool isFloat() const { return mlir::isa<mlir::FloatType>(elementType()); }
  mlir::Type elementType() const { return type.getElementType(); }
  llvm::ArrayRef<int64_t> shape() const { return type.getShape(); }
  int64_t rank() const { return type.getRank(); }
  int64_t size() const {
    return isFloat() ? static_cast<int64_t>(floats.size())
                     : static_cast<int64_t>(ints.size());
  }
  /// Element `k` as a double (integers converted).
  double getDouble(int64_t k) const {
    return isFloat() ? floats[k] : static_cast<double>(ints[k]);
  }
};

/// Rounds `v` to the precision of the float type `element`.
double roundToType(mlir::Type element, double v);

/// Rounds (floats) or wraps (integers) every element to its element type.
void normalize(Tensor &t);

/// Reads a constant (dense or dense_resource) into a tensor.
mlir::FailureOr<Tensor> tensorFromAttr(mlir::ElementsAttr attr,
                                       mlir::Location loc);

/// Decodes `type`'s elements from little-endian bytes (1 byte per i1).
/// `bytes.size()` must equal rawSize(type).
mlir::FailureOr<Tensor> tensorFromBytes(mlir::RankedTensorType type,
                                        llvm::ArrayRef<char> bytes,
                                        mlir::Location loc);

/// A constant attribute holding `t`: a splat when all elements are equal,
/// else dense for up to 16 elements and a dense_resource blob named
/// `blobName` (uniqued by MLIR) beyond.
mlir::ElementsAttr tensorToAttr(const Tensor &t, llvm::StringRef blobName);

/// Encodes a tensor as little-endian bytes (1 byte per i1).
std::vector<uint8_t> tensorToBytes(const Tensor &t);

/// Bytes per element in the raw encoding.
int64_t rawElementSize(mlir::Type element);

/// Row-major strides of a shape.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);

/// Checked element count of a shape: failure on overflow or negative dims.
mlir::FailureOr<int64_t> checkedCount(llvm::ArrayRef<int64_t> shape);

} // namespace kiln::reference

#endif // KILN_COMPILER_REFERENCE_TENSOR_H
