//===- UkernelBitcode.h - the ukernels as LLVM bitcode, built in ----------===//

#ifndef KILN_COMPILER_DRIVER_UKERNELBITCODE_H
#define KILN_COMPILER_DRIVER_UKERNELBITCODE_H

#include "llvm/ADT/StringRef.h"

extern const unsigned char kilnUkernelsX86_64[];
extern const unsigned long kilnUkernelsX86_64_size;

namespace kiln::driver {

/// compiler/ukernels compiled by clang for x86-64 with AVX-512, linked into
/// every artifact for such targets.
inline llvm::StringRef ukernelBitcodeX86_64() {
  return llvm::StringRef(reinterpret_cast<const char *>(kilnUkernelsX86_64),
                         kilnUkernelsX86_64_size);
}

} // namespace kiln::driver

#endif // KILN_COMPILER_DRIVER_UKERNELBITCODE_H
