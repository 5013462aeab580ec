//===- ArtifactRunner.h - run a compiled artifact on .npy files -----------===//
//
// kiln-run's artifact mode: the same binding, output and comparison rules as
// the reference runner (compiler/reference/Runner.h), through the runtime
// instead of the interpreter, plus --threads and --benchmark. Needs no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_TOOLS_ARTIFACTRUNNER_H
#define KILN_RUNTIME_SRC_TOOLS_ARTIFACTRUNNER_H

#include "runtime/src/tools/RunSupport.h"

#include <cstdio>
#include <string>

namespace kiln::tools {

/// Runs the function, writes and compares its outputs, and prints a summary
/// (and the benchmark) to `out`; errors go to `err` as "error: ..." lines.
RunStatus runArtifact(const RunOptions &options, std::FILE *out,
                      std::FILE *err);

/// True when `path` names a compiled artifact rather than an .mlir file: it
/// ends in ".so" or starts with the ELF magic number.
bool isArtifactPath(const std::string &path);

} // namespace kiln::tools

#endif // KILN_RUNTIME_SRC_TOOLS_ARTIFACTRUNNER_H
