//===- kiln-run-artifact.cpp - run a compiled artifact, runtime only ------===//
//
//   kiln-run-artifact model.so --input x.npy [...]   (kiln-run's options)
//
// kiln-run's artifact mode without the reference interpreter: it links the
// runtime (libkiln_runtime) and nothing of MLIR or LLVM, so it runs
// artifacts on machines that have neither — a deployment target, a GPU
// machine with only the CUDA driver.
//
// Exit status: as kiln-run's.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/tools/ArtifactRunner.h"
#include "tools/kiln-run/RunCli.h"

#include <CLI/CLI.hpp>

#include <cstdio>

int main(int argc, char **argv) {
  kiln::tools::RunOptions options;
  CLI::App app{"Run a function of a compiled Kiln artifact (.so) on .npy "
               "inputs and write one .npy per result; like kiln-run, without "
               "its interpreter (no MLIR or LLVM needed).",
               "kiln-run-artifact"};
  kiln::tools::addRunOptions(app, options, "the artifact (.so) to run");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return static_cast<int>(kiln::tools::runArtifact(options, stdout, stderr));
}
