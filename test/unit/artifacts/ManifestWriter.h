//===- ManifestWriter.h - serialize artifact manifests for tests ----------===//
//
// Writes the manifest format of kiln/artifact_abi.h field by field, so tests
// can build both valid manifests and precisely malformed ones.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_UNIT_ARTIFACTS_MANIFESTWRITER_H
#define KILN_TEST_UNIT_ARTIFACTS_MANIFESTWRITER_H

#include "kiln/artifact_abi.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace kiln::test {

struct ManifestWriter {
  /// kiln_checksum64 of zero bytes (XXH64 of the empty input, seed 0).
  static constexpr uint64_t kEmptyChecksum = 0xEF46DB3751D8E999ull;
  std::vector<uint8_t> bytes;
  /// The format version header() writes (2 has no device call counts).
  uint32_t version = 3;

  ManifestWriter &raw(const void *data, size_t size) {
    const auto *p = static_cast<const uint8_t *>(data);
    bytes.insert(bytes.end(), p, p + size);
    return *this;
  }
  ManifestWriter &u32(uint32_t v) { return raw(&v, 4); }
  ManifestWriter &u64(uint64_t v) { return raw(&v, 8); }
  ManifestWriter &i64(int64_t v) { return raw(&v, 8); }
  ManifestWriter &str(const std::string &s) {
    u32(static_cast<uint32_t>(s.size()));
    return raw(s.data(), s.size());
  }

  /// Magic, format version, producer, target, a cpu device (no device
  /// code, no kernels), weights and function count.
  ManifestWriter &
  header(uint64_t weightsSize, uint64_t weightsChecksum, uint32_t numFunctions,
         const std::string &triple = "x86_64-unknown-linux-gnu") {
    raw(KILN_MANIFEST_MAGIC, 4).u32(version).str("kiln-test").str(triple);
    return str("generic")
        .str("cpu")
        .str("")
        .u64(0)
        .u64(kEmptyChecksum)
        .u32(0)
        .u64(weightsSize)
        .u64(weightsChecksum)
        .u32(numFunctions);
  }
  /// A function's name, entry index, arena size and (version 3) device
  /// call count; its tensors follow.
  ManifestWriter &function(const std::string &name, uint32_t entry,
                           uint64_t arenaSize, uint64_t deviceCalls = 0) {
    str(name).u32(entry).u64(arenaSize);
    return version >= 3 ? u64(deviceCalls) : *this;
  }
  ManifestWriter &tensor(const std::string &name, kiln_dtype_t dtype,
                         const std::vector<int64_t> &dims) {
    str(name).u32(dtype).u32(static_cast<uint32_t>(dims.size()));
    for (int64_t d : dims)
      i64(d);
    return *this;
  }
};

} // namespace kiln::test

#endif // KILN_TEST_UNIT_ARTIFACTS_MANIFESTWRITER_H
