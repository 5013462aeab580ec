//===- Crc32c.h - CRC-32C (Castagnoli) checksums --------------------------===//
//
// The checksum of Kiln's checkpoint files: CRC-32C, polynomial 0x82F63B78
// (reflected), initial and final XOR 0xFFFFFFFF, as in iSCSI, ext4 and
// Snappy framing. A portable table-driven software implementation.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_TRAIN_CRC32C_H
#define KILN_RUNTIME_SRC_TRAIN_CRC32C_H

#include <cstddef>
#include <cstdint>

namespace kiln::train {

/// Returns the CRC-32C of [data, data + size) continued from \p crc, the
/// CRC-32C of the bytes before it (0 for none), so that
/// crc32c(b, nb, crc32c(a, na)) == crc32c(a followed by b).
/// crc32c("123456789", 9) == 0xE3069283. Thread-safe.
uint32_t crc32c(const void *data, size_t size, uint32_t crc = 0);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_CRC32C_H
