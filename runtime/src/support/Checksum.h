//===- Checksum.h - kiln_checksum64 (XXH64, seed 0) -----------------------===//
//
// The weights checksum of the artifact ABI (kiln/artifact_abi.h). Header-only
// and dependency-free: the compiler computes it when writing an artifact and
// the runtime when loading one.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SUPPORT_CHECKSUM_H
#define KILN_RUNTIME_SUPPORT_CHECKSUM_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace kiln {
namespace detail {
constexpr uint64_t kXxPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kXxPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kXxPrime3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kXxPrime4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kXxPrime5 = 0x27D4EB2F165667C5ULL;

inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t read64(const uint8_t *p) {
  uint64_t v;
  std::memcpy(&v, p, 8); // little-endian hosts only (x86-64, aarch64)
  return v;
}
inline uint32_t read32(const uint8_t *p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t xxRound(uint64_t acc, uint64_t input) {
  acc += input * kXxPrime2;
  return rotl64(acc, 31) * kXxPrime1;
}
inline uint64_t xxMerge(uint64_t acc, uint64_t val) {
  acc ^= xxRound(0, val);
  return acc * kXxPrime1 + kXxPrime4;
}
} // namespace detail

/// XXH64 of `size` bytes with seed 0: the artifact weights checksum.
inline uint64_t checksum64(const void *data, size_t size) {
  using namespace detail;
  const uint8_t *p = static_cast<const uint8_t *>(data);
  const uint8_t *end = p + size;
  uint64_t h;
  if (size >= 32) {
    uint64_t v1 = kXxPrime1 + kXxPrime2, v2 = kXxPrime2, v3 = 0,
             v4 = 0 - kXxPrime1;
    const uint8_t *limit = end - 32;
    do {
      v1 = xxRound(v1, read64(p));
      v2 = xxRound(v2, read64(p + 8));
      v3 = xxRound(v3, read64(p + 16));
      v4 = xxRound(v4, read64(p + 24));
      p += 32;
    } while (p <= limit);
    h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
    h = xxMerge(h, v1);
    h = xxMerge(h, v2);
    h = xxMerge(h, v3);
    h = xxMerge(h, v4);
  } else {
    h = kXxPrime5;
  }
  h += static_cast<uint64_t>(size);
  // Remaining byte counts, not p + 8 <= end: an empty input may be a null
  // pointer, and null + 8 is undefined.
  while (end - p >= 8) {
    h ^= xxRound(0, read64(p));
    h = rotl64(h, 27) * kXxPrime1 + kXxPrime4;
    p += 8;
  }
  if (end - p >= 4) {
    h ^= static_cast<uint64_t>(read32(p)) * kXxPrime1;
    h = rotl64(h, 23) * kXxPrime2 + kXxPrime3;
    p += 4;
  }
  while (p < end) {
    h ^= (*p) * kXxPrime5;
    h = rotl64(h, 11) * kXxPrime1;
    ++p;
  }
  h ^= h >> 33;
  h *= kXxPrime2;
  h ^= h >> 29;
  h *= kXxPrime3;
  h ^= h >> 32;
  return h;
}

} // namespace kiln

#endif // KILN_RUNTIME_SUPPORT_CHECKSUM_H
