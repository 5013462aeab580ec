//===- UkernelObject.h - the ukernels as a prebuilt object, built in ------===//

#ifndef KILN_COMPILER_DRIVER_UKERNELOBJECT_H
#define KILN_COMPILER_DRIVER_UKERNELOBJECT_H

#include "llvm/ADT/ArrayRef.h"

extern const unsigned char kilnUkernelsX86_64[];
extern const unsigned long kilnUkernelsX86_64_size;

namespace kiln::driver {

/// compiler/ukernels compiled by clang for x86-64 with AVX-512 (an ELF
/// relocatable object), linked into every artifact for such targets.
inline llvm::ArrayRef<char> ukernelObjectX86_64() {
  return llvm::ArrayRef<char>(reinterpret_cast<const char *>(kilnUkernelsX86_64),
                              kilnUkernelsX86_64_size);
}

} // namespace kiln::driver

#endif // KILN_COMPILER_DRIVER_UKERNELOBJECT_H
