//===- RunSupport.h - what kiln-run's two modes share ---------------------===//
//
// kiln-run interprets a `.mlir` function (compiler/reference/Runner.h) or
// runs a compiled artifact (ArtifactRunner.h); both take these options,
// bind inputs and name output files by the same rules, and print values the
// same way. Plain C++: the artifact mode needs no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_TOOLS_RUNSUPPORT_H
#define KILN_RUNTIME_SRC_TOOLS_RUNSUPPORT_H

#include "kiln/runtime.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace kiln::tools {

struct RunOptions {
  /// The `.mlir` file to interpret or the artifact (`.so`) to run.
  std::string modelPath;
  /// `file.npy` (bound in order) or `name=file.npy` (bound by name, or
  /// `argN` for an unnamed argument).
  std::vector<std::string> inputs;
  /// The function to run; empty: the only, or else the first, public one.
  std::string function;
  /// Where to write one `.npy` per result; empty: write nothing.
  std::string outputDir;
  /// Golden `.npy` files to compare the results with, in result order or as
  /// `name=file.npy`.
  std::vector<std::string> expected;
  double rtol = 1e-4;
  double atol = 1e-5;
  /// Print result values, not only their types.
  bool printValues = false;
  /// Artifacts only: threads for the session, the caller included; 0: one
  /// per core.
  int threads = 0;
  /// Artifacts only: the device to run on ("" : the artifact's, "cpu",
  /// "cuda" or "cuda:N").
  std::string device;
  /// Artifacts only: kiln_session_options_t.cuda_graphs.
  kiln_cuda_graphs_t cudaGraphs = KILN_CUDA_GRAPHS_AUTO;
  /// Artifacts only: timed invocations after warm-up; 0: no benchmark.
  int benchmark = 0;
};

enum class RunStatus {
  Ok = 0,
  /// A result differs from its expected golden.
  Mismatch = 1,
  /// Bad usage or input: malformed model or artifact, wrong input file,
  /// unsupported op, failed run.
  InputError = 2,
};

/// Splits `name=path`; an argument without `=` has no name.
std::pair<std::string, std::string> splitBinding(const std::string &spec);

/// A file name derived from a result name: only [A-Za-z0-9_.-], never
/// starting with a dot.
std::string fileNameFor(const std::string &name);

/// `v` like Python's repr: the fewest significant digits that read back
/// (through `roundTo`, the element type's rounding) to `v`, positional for
/// exponents in [-4, 16) and scientific otherwise.
std::string formatFloat(double v,
                        const std::function<double(double)> &roundTo);

} // namespace kiln::tools

#endif // KILN_RUNTIME_SRC_TOOLS_RUNSUPPORT_H
