//===- Checkpoint.h - kiln-train's checkpoint files, checksummed ----------===//
//
// A checkpoint holds named tensors (parameters, optimizer state) and string
// metadata (step, epoch, model hash...). Files are written atomically and
// every byte is covered by a CRC-32C (Crc32c.h), so a torn write, a truncated
// copy or a flipped bit is reported, never loaded.
//
// Layout, format version 1. All integers little-endian; "crc" is CRC-32C.
//
//   Header, 52 bytes
//      0  u8[8]  magic "KILNCKPT"
//      8  u32    format version, 1
//     12  u32    number of metadata entries
//     16  u32    number of tensors
//     20  u32    reserved, 0
//     24  u64    M, the size of the metadata section
//     32  u64    T, the size of the tensor table
//     40  u64    D, the size of the data section
//     48  u32    crc of bytes [0, 48)
//   Metadata section, M bytes, then a u32 crc of those M bytes
//     per entry: u32 key length, key bytes, u32 value length, value bytes
//   Tensor table, T bytes, then a u32 crc of those T bytes
//     per tensor: u32 name length, name bytes,
//                 u32 dtype (1 f32, 2 f64, 3 i64, 4 i32, 5 u8),
//                 u32 rank, rank x i64 dims,
//                 u64 data offset (from the start of the data section),
//                 u64 data size, u32 crc of the tensor's data
//   Data section, D bytes: each tensor's elements (little-endian, C order),
//     in table order, back to back (offset i = sum of the sizes before i)
//
// The file is exactly 52 + M + 4 + T + 4 + D bytes. Key, value and name bytes
// are opaque (UTF-8 by convention); keys and names are unique and non-empty.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_TRAIN_CHECKPOINT_H
#define KILN_RUNTIME_SRC_TRAIN_CHECKPOINT_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kiln::train {

struct CheckpointTensor {
  std::string name;
  /// "f32", "f64", "i64", "i32" or "u8".
  std::string dtype;
  /// Empty for a scalar; each >= 0.
  std::vector<int64_t> dims;
  /// product(dims) elements, little-endian, C order.
  std::vector<uint8_t> data;
};

struct Checkpoint {
  /// Key/value strings, kept in order.
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<CheckpointTensor> tensors;
};

/// Limits both the writer and the reader enforce.
constexpr uint32_t CheckpointFormatVersion = 1;
constexpr size_t MaxCheckpointTensors = size_t(1) << 20;
constexpr size_t MaxCheckpointMetadataEntries = size_t(1) << 20;
constexpr size_t MaxCheckpointNameBytes = 4096;
constexpr size_t MaxCheckpointRank = 16;
/// Bound on the metadata section and on the tensor table, each.
constexpr uint64_t MaxCheckpointSectionBytes = uint64_t(256) << 20;

/// Size in bytes of one element of \p dtype ("f32" -> 4), 0 if unknown.
size_t checkpointDtypeSize(const std::string &dtype);

/// Writes \p ckpt to \p path atomically: to `path + ".tmp.<pid>"` in the same
/// directory, fsync()ed, rename()d over \p path, then the directory is
/// fsync()ed. Returns "" on success, else a message naming \p path; on
/// failure the temporary file is removed and a previous file at \p path is
/// untouched. An invalid checkpoint (unknown dtype, data size not matching
/// dims, duplicate or empty names, limits exceeded) is rejected before
/// anything is written. Not for concurrent writers of one path in one
/// process (they would share the temporary file).
std::string writeCheckpoint(const std::string &path, const Checkpoint &ckpt);

/// Reads and verifies the checkpoint at \p path: magic, version, every length
/// and count against the file size and the limits above, the header, metadata
/// and tensor-table CRCs, and each tensor's data CRC. Returns "" on success,
/// else a message that starts with \p path and names the corrupt part, e.g.
/// "ckpt/step-00001875.kckpt: tensor 'dense/kernel' is corrupt (CRC32C
/// mismatch: stored 0x1a2b3c4d, computed 0x5e6f7a8b)". On failure \p out is
/// left unchanged.
std::string readCheckpoint(const std::string &path, Checkpoint &out);

/// A run of bytes to write.
struct ByteRange {
  const void *data;
  size_t size;
};

/// The atomic writer behind writeCheckpoint, for any file: writes the
/// concatenation of \p pieces to `path + ".tmp.<pid>"`, fsync()s it, renames
/// it over \p path and fsync()s the directory. Same contract as
/// writeCheckpoint.
std::string writeFileAtomically(const std::string &path,
                                const std::vector<ByteRange> &pieces);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_CHECKPOINT_H
