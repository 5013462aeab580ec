//===- CliChecks.h - CLI11 validators with plain messages -----------------===//
//
// CLI11's PositiveNumber reports "Value 0 not in range 2.2e-308 to
// 1.8e308"; these say what is wanted.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_CLICHECKS_H
#define KILN_TOOLS_CLICHECKS_H

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

} // namespace kiln::tools

#endif // KILN_TOOLS_CLICHECKS_H
