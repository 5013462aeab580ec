//===- RunCli.h - the command line of kiln-run and kiln-run-artifact ------===//

#ifndef KILN_TOOLS_KILN_RUN_RUNCLI_H
#define KILN_TOOLS_KILN_RUN_RUNCLI_H

#include "runtime/src/tools/RunSupport.h"
#include "tools/CliChecks.h"

#include <CLI/CLI.hpp>

namespace kiln::tools {

/// The options that apply to artifacts only.
struct ArtifactOptions {
  CLI::Option *threads, *device, *benchmark, *cudaGraphs;
};

/// Adds kiln-run's options to `app`, bound to `options`. `model` describes
/// the positional model argument.
inline ArtifactOptions addRunOptions(CLI::App &app, RunOptions &options,
                                     const std::string &model) {
  app.add_option("model", options.modelPath, model)->required();
  app.add_option("-i,--input", options.inputs,
                 "an input .npy: FILE (next argument in order) or NAME=FILE "
                 "(the argument whose kiln.name is NAME, or argN)");
  app.add_option("-f,--function", options.function,
                 "the function to run (default: the first public one)");
  app.add_option("-o,--output-dir", options.outputDir,
                 "write each result to DIR/<result name>.npy (created if "
                 "absent)");
  app.add_flag("-p,--print", options.printValues, "print the result values");
  app.add_option("--expect", options.expected,
                 "a golden .npy to compare a result with: FILE (results in "
                 "order) or NAME=FILE; any mismatch exits with status 1");
  app.add_option("--rtol", options.rtol, "relative tolerance for --expect")
      ->capture_default_str();
  app.add_option("--atol", options.atol, "absolute tolerance for --expect")
      ->capture_default_str();
  ArtifactOptions artifact;
  artifact.threads = app.add_option(
      "--threads", options.threads,
      "artifacts: threads to run on, the caller included (0: one per core)");
  artifact.device = app.add_option(
      "--device", options.device,
      "artifacts: cpu, cuda or cuda:N (default: the device the artifact was "
      "compiled for; an artifact runs only there)");
  artifact.benchmark = app.add_option(
      "--benchmark", options.benchmark,
      "artifacts: time N runs after warm-up and print median_ms, p90_ms and "
      "throughput (and device_median_ms on cuda)");
  artifact.cudaGraphs = addCudaGraphsOption(app, options.cudaGraphs);
  return artifact;
}

} // namespace kiln::tools

#endif // KILN_TOOLS_KILN_RUN_RUNCLI_H
