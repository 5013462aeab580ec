// Reader and writer for NumPy .npy array files (standard library only).
#ifndef KILN_RUNTIME_NPY_NPY_H
#define KILN_RUNTIME_NPY_NPY_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln {
namespace npy {

/// Element types that can be stored in and loaded from .npy files.
enum class DType { F32, F64, F16, I8, I32, I64, Bool };

/// Returns "f32", "f64", "f16", "i8", "i32", "i64", "bool".
const char *dtypeName(DType t);

/// Size of one element in bytes.
size_t dtypeSize(DType t);

/// A dense, C-order, little-endian n-dimensional array.
struct Array {
  DType dtype = DType::F32;
  /// Dimensions; empty means a scalar (0-d array).
  std::vector<int64_t> shape;
  /// Little-endian, C order, numElements() * dtypeSize(dtype) bytes.
  std::vector<uint8_t> data;

  /// Product of shape (1 for 0-d, 0 if any dimension is 0). Returns -1 if the
  /// shape has a negative dimension or the product overflows int64_t.
  int64_t numElements() const;
};

/// Result of a read: ok() or an error message that names the file and what is
/// wrong.
struct ReadResult {
  std::optional<Array> array;
  std::string error;
  bool ok() const { return array.has_value(); }
};

/// Reads and validates the .npy file at \p path. Never throws; on failure the
/// error message starts with \p path.
ReadResult readNpy(const std::string &path);

/// Parses and validates the .npy bytes [bytes, bytes + size), which are treated
/// as untrusted input. Error messages start with \p nameForErrors.
ReadResult parseNpy(const uint8_t *bytes, size_t size,
                    const std::string &nameForErrors);

/// Writes atomically: to a temporary file in the same directory, then rename();
/// on failure nothing is left behind. Returns empty string on success, else an
/// error message naming the file.
std::string writeNpy(const std::string &path, const Array &array);

/// Serializes to NPY bytes (version 1.0 header, padded so the data starts at a
/// multiple of 64 bytes, header ends with '\n', as NumPy writes it; version 2.0
/// only if the header exceeds 65535 bytes). Returns an empty vector if \p array
/// is inconsistent (negative or overflowing shape, or data.size() differs from
/// numElements() * dtypeSize(dtype)); valid output is never empty.
std::vector<uint8_t> serializeNpy(const Array &array);

} // namespace npy
} // namespace kiln

#endif // KILN_RUNTIME_NPY_NPY_H
