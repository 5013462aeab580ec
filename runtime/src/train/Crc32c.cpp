//===- Crc32c.cpp - CRC-32C (Castagnoli) checksums ------------------------===//
//
// Slicing-by-8: eight 256-entry tables, built at compile time, consume eight
// bytes per step (about 1-2 GB/s, enough to checksum a checkpoint at disk
// speed); the last size % 8 bytes go one at a time.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/train/Crc32c.h"

#include <array>

namespace kiln::train {
namespace {

constexpr uint32_t Polynomial = 0x82F63B78u;

using Tables = std::array<std::array<uint32_t, 256>, 8>;

/// Table 0 is the classic byte-at-a-time table; table k advances a byte's
/// contribution by k further zero bytes.
constexpr Tables makeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit)
      c = (c & 1) ? (c >> 1) ^ Polynomial : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i)
    for (size_t k = 1; k < 8; ++k)
      t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  return t;
}

constexpr Tables CrcTables = makeTables();
static_assert(CrcTables[0][1] == 0xF26B8303u, "CRC-32C table is wrong");

} // namespace

uint32_t crc32c(const void *data, size_t size, uint32_t crc) {
  const auto *p = static_cast<const uint8_t *>(data);
  uint32_t c = ~crc;
  for (; size >= 8; p += 8, size -= 8) {
    // Assemble little-endian words byte by byte: portable and alignment-free.
    uint32_t lo = c ^ (uint32_t(p[0]) | uint32_t(p[1]) << 8 |
                       uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
    c = CrcTables[7][lo & 0xFF] ^ CrcTables[6][(lo >> 8) & 0xFF] ^
        CrcTables[5][(lo >> 16) & 0xFF] ^ CrcTables[4][lo >> 24] ^
        CrcTables[3][p[4]] ^ CrcTables[2][p[5]] ^ CrcTables[1][p[6]] ^
        CrcTables[0][p[7]];
  }
  for (; size > 0; ++p, --size)
    c = (c >> 8) ^ CrcTables[0][(c ^ *p) & 0xFF];
  return ~c;
}

} // namespace kiln::train
