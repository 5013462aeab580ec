//===- ElfCheck.h - is this file safe to hand to dlopen? ------------------===//
//
// dlopen trusts the file: a truncated shared object faults (SIGBUS) when a
// segment beyond the end of the file is touched, and a corrupt dynamic table
// sends the loader to wild addresses. Before dlopen, the loader checks the
// ELF header, program headers, section headers and dynamic table against the
// file's size and the loaded segments. This detects truncation and
// corruption; it does not make a hostile file safe to load.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_ELFCHECK_H
#define KILN_RUNTIME_SRC_ELFCHECK_H

#include "kiln/runtime.h"

#include <cstdint>
#include <string>

namespace kiln::rt {

/// Checks the file open as `fd`, `fileSize` bytes long, to be an ELF64
/// shared object for this machine whose headers, segments, sections and
/// dynamic table lie inside it. Returns KILN_STATUS_OK, or a code and sets
/// `error` to what is wrong (without the file name).
kiln_status_code_t checkElfFile(int fd, uint64_t fileSize, std::string &error);

} // namespace kiln::rt

#endif // KILN_RUNTIME_SRC_ELFCHECK_H
