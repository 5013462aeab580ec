//===- CliChecks.h - CLI11 validators with plain messages -----------------===//
//
// CLI11's PositiveNumber reports "Value 0 not in range 2.2e-308 to
// 1.8e308"; these say what is wanted.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_CLICHECKS_H
#define KILN_TOOLS_CLICHECKS_H

#include "kiln/runtime.h"

#include <CLI/CLI.hpp>

#include <string>

namespace kiln::tools {

/// A number > 0.
inline CLI::Validator positiveNumber() {
  return CLI::Validator(
      [](std::string &text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value) || !(value > 0))
          return "must be a positive number, got '" + text + "'";
        return "";
      },
      "POSITIVE");
}

/// `--cuda-graphs auto|on|off` (kiln_session_options_t.cuda_graphs).
inline CLI::Option *addCudaGraphsOption(CLI::App &app,
                                        kiln_cuda_graphs_t &mode) {
  return app
      .add_option_function<std::string>(
          "--cuda-graphs",
          [&mode](const std::string &value) {
            mode = value == "on"    ? KILN_CUDA_GRAPHS_ON
                   : value == "off" ? KILN_CUDA_GRAPHS_OFF
                                    : KILN_CUDA_GRAPHS_AUTO;
          },
          "cuda artifacts: record a function's GPU work into a CUDA Graph at "
          "its second run and replay it afterwards: auto (functions of at "
          "least " +
              std::to_string(KILN_CUDA_GRAPH_MIN_CALLS) +
              " launches and library calls per run, as compiled), on (all), "
              "off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->type_name("MODE")
      ->default_str("auto");
}

} // namespace kiln::tools

#endif // KILN_TOOLS_CLICHECKS_H
