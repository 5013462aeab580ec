//===- Idx.h - reader for IDX files (the MNIST format) --------------------===//
//
// An IDX file is a 4-byte magic (0, 0, element type, rank), rank big-endian
// u32 dimensions, then the elements, big-endian, in C order. MNIST-style
// datasets ship them gzip-compressed; the reader inflates .gz transparently.
// Files are untrusted input: every count, size and length is checked, and
// nothing is decompressed beyond what the header announces.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_TRAIN_IDX_H
#define KILN_RUNTIME_SRC_TRAIN_IDX_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::train {

/// A dense array read from an IDX file. Elements are kept in their file type
/// (a 60000x28x28 u8 image set stays 47 MB), converted to host byte order;
/// toFloat() and toInt() convert on demand.
struct IdxArray {
  /// The IDX type codes 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E.
  enum class Type { U8, I8, I16, I32, F32, F64 };

  Type type = Type::U8;
  /// Dimensions, 1 to 8 of them, each in [0, 2^32).
  std::vector<int64_t> dims;
  /// numElements() elements of elementSize(type) bytes, host byte order.
  std::vector<uint8_t> data;

  /// Product of dims.
  int64_t numElements() const;
  /// Every element times \p scale, as float (e.g. 1/255 for u8 pixels).
  std::vector<float> toFloat(double scale = 1.0) const;
  /// Every element as int64_t; F32/F64 elements are truncated toward zero
  /// (NaN and out-of-range values become 0). Callers that need integers
  /// should check isInteger(type) first.
  std::vector<int64_t> toInt() const;
};

/// Size in bytes of one element of \p type.
size_t elementSize(IdxArray::Type type);
/// "u8", "i8", "i16", "i32", "f32", "f64".
const char *typeName(IdxArray::Type type);
/// True for U8, I8, I16, I32.
bool isInteger(IdxArray::Type type);

/// The most data bytes (after decompression) readIdx accepts by default.
constexpr uint64_t DefaultIdxMaxBytes = uint64_t(4) << 30;

/// Reads the IDX file at \p path, plain or gzip-compressed (detected by the
/// 1f 8b magic, not the name), into \p out. Returns "" on success, else a
/// message that starts with \p path, e.g. "/x/train-images-idx3-ubyte.gz:
/// truncated: header says 47040000 data bytes, file has 1000". Data larger
/// than \p maxBytes is rejected before it is read. On failure \p out is left
/// unchanged. Never throws except std::bad_alloc.
std::string readIdx(const std::string &path, IdxArray &out,
                    uint64_t maxBytes = DefaultIdxMaxBytes);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_IDX_H
