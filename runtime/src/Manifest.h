//===- Manifest.h - the artifact manifest, parsed and bounds-checked ------===//
//
// The serialized manifest of kiln/artifact_abi.h is untrusted input: the
// parser checks every read, count, rank, dimension and size product, and
// rejects trailing bytes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_MANIFEST_H
#define KILN_RUNTIME_SRC_MANIFEST_H

#include "kiln/artifact_abi.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace kiln::rt {

/// Largest rank a manifest tensor may have.
constexpr uint32_t kMaxRank = 16;

struct ManifestTensor {
  std::string name;
  kiln_dtype_t dtype = KILN_DTYPE_INVALID;
  std::vector<int64_t> dims;
  uint64_t elementCount = 0;
  uint64_t byteSize = 0;
};

struct ManifestFunction {
  std::string name;
  uint32_t entryIndex = 0;
  uint64_t arenaSize = 0;
  /// cuda: kernel launches and library calls per invocation (0 when the
  /// manifest predates the count, format version 2).
  uint64_t deviceCalls = 0;
  std::vector<ManifestTensor> inputs;
  std::vector<ManifestTensor> outputs;
};

struct Manifest {
  uint32_t formatVersion = 0;
  std::string producer;
  std::string targetTriple;
  std::string targetCpu;
  /// "cpu" or "cuda".
  std::string device;
  std::string deviceArch;
  uint64_t deviceCodeSize = 0;
  uint64_t deviceCodeChecksum = 0;
  /// Kernel names in the device code, by launch index.
  std::vector<std::string> kernels;
  uint64_t weightsSize = 0;
  uint64_t weightsChecksum = 0;
  std::vector<ManifestFunction> functions;
};

/// Parses the manifest in [data, data + size) of an artifact with
/// `numEntries` entry functions into `out`. Returns an empty string on
/// success, else what is wrong and at which byte offset.
std::string parseManifest(const uint8_t *data, size_t size, uint64_t numEntries,
                          Manifest &out);

/// The value of a dtype that came from outside (C callers may store any
/// integer; in C++ loading an out-of-range enum is undefined).
inline uint32_t rawDtype(const kiln_dtype_t &dtype) {
  uint32_t v;
  static_assert(sizeof(dtype) == sizeof(v), "kiln_dtype_t is 32 bits");
  std::memcpy(&v, &dtype, sizeof(v));
  return v;
}

/// "f32", "bf16", ...; "invalid" for values outside kiln_dtype_t.
const char *dtypeName(uint32_t dtype);
/// Bytes per element; 0 for values outside kiln_dtype_t.
size_t dtypeSize(uint32_t dtype);

/// "f32[1,784]"; a scalar is "f32[]".
std::string typeString(uint32_t dtype, const int64_t *dims, size_t rank);

} // namespace kiln::rt

#endif // KILN_RUNTIME_SRC_MANIFEST_H
