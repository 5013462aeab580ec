//===- Artifact.h - turn lowered LLVM IR into a Kiln artifact -------------===//

#ifndef KILN_COMPILER_DRIVER_ARTIFACT_H
#define KILN_COMPILER_DRIVER_ARTIFACT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "mlir/IR/Types.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::driver {

struct TensorInfo {
  std::string name;
  uint32_t dtype = 0; // kiln_dtype_t
  llvm::SmallVector<int64_t> shape;
};

struct FunctionInfo {
  std::string name;
  std::vector<TensorInfo> inputs, outputs;
  uint64_t arenaSize = 0;
  /// cuda: launches and library calls per invocation (kiln.device_calls).
  uint64_t deviceCalls = 0;
};

struct ArtifactInfo {
  std::vector<FunctionInfo> functions;
  std::vector<char> weights;
  std::string triple, cpu;
  /// "cpu" or "cuda"; for cuda the GPU architecture ("sm_90"), the PTX
  /// (NUL-terminated) and its kernels in launch-index order.
  std::string device = "cpu";
  std::string deviceArch;
  std::vector<char> deviceCode;
  std::vector<std::string> kernels;
};

/// The kiln_dtype_t of a tensor element type; KILN_DTYPE_INVALID (0) for
/// types an artifact cannot carry.
uint32_t dtypeOf(mlir::Type element);

/// A C identifier from `s`: other characters become `_`, and a leading
/// digit gets a `_` in front.
std::string cIdentifier(llvm::StringRef s);

/// The serialized manifest (format in runtime/include/kiln/artifact_abi.h).
std::vector<uint8_t> serializeManifest(const ArtifactInfo &info);

/// Adds to `module` (the translated code, one function per entry point with
/// the bare-pointer signature (inputs..., outputs..., arena, host)) the
/// entry wrappers, the weights blob, the manifest and the exported
/// `kiln_artifact_v1` descriptor; everything else becomes internal. With a
/// non-empty `symbolPrefix` (static linking), the entries are exported as
/// `<prefix>_<function>` and the descriptor as `<prefix>_artifact`.
llvm::Error addArtifactMetadata(llvm::Module &module, const ArtifactInfo &info,
                                llvm::StringRef symbolPrefix);

/// The C header declaring the entry points and the descriptor of an object
/// compiled with `symbolPrefix`.
std::string staticHeader(const ArtifactInfo &info,
                         llvm::StringRef symbolPrefix);

/// Links `objects` (ELF relocatables) with LLD, in process, into a shared
/// object at `path`, or with `relocatable` into one relocatable object.
llvm::Error linkObjects(llvm::ArrayRef<llvm::ArrayRef<char>> objects,
                        llvm::StringRef path, bool relocatable);

} // namespace kiln::driver

#endif // KILN_COMPILER_DRIVER_ARTIFACT_H
