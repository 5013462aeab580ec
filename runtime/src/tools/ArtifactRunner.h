//===- ArtifactRunner.h - run a compiled artifact on .npy files -----------===//
//
// kiln-run's artifact mode: the same binding, output and comparison rules as
// the reference runner (compiler/reference/Runner.h), through the runtime
// instead of the interpreter, plus --threads and --benchmark. Needs no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_TOOLS_ARTIFACTRUNNER_H
#define KILN_RUNTIME_SRC_TOOLS_ARTIFACTRUNNER_H

#include <cstdio>
#include <string>
#include <vector>

namespace kiln::tools {

struct ArtifactRunOptions {
  /// The artifact (.so) to load.
  std::string modelPath;
  /// `file.npy` (bound in order) or `name=file.npy` (bound by input name).
  std::vector<std::string> inputs;
  /// The function to run; empty: the first one.
  std::string function;
  /// Where to write one `.npy` per output; empty: write nothing.
  std::string outputDir;
  /// Golden `.npy` files, in output order or as `name=file.npy`.
  std::vector<std::string> expected;
  double rtol = 1e-4;
  double atol = 1e-5;
  bool printValues = false;
  /// Threads for the session, the caller included; 0: one per core.
  int threads = 0;
  /// Timed invocations after warm-up; 0: no benchmark.
  int benchmark = 0;
};

enum class ArtifactRunStatus {
  Ok = 0,
  /// An output differs from its expected golden.
  Mismatch = 1,
  /// Bad usage or input: unloadable artifact, wrong .npy, failed run.
  InputError = 2,
};

/// Runs the function, writes and compares its outputs, and prints a summary
/// (and the benchmark) to `out`; errors go to `err` as "error: ..." lines.
ArtifactRunStatus runArtifact(const ArtifactRunOptions &options, std::FILE *out,
                              std::FILE *err);

/// True when `path` names a compiled artifact rather than an .mlir file: it
/// ends in ".so" or starts with the ELF magic number.
bool isArtifactPath(const std::string &path);

} // namespace kiln::tools

#endif // KILN_RUNTIME_SRC_TOOLS_ARTIFACTRUNNER_H
