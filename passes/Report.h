//===- Report.h - what the optimizer did, for --kiln-opt-report -----------===//
//
// Passes add lines (what was fused, why a candidate was rejected) while a
// report is being collected; kiln-opt's report instrumentation prints them
// under the pass that wrote them, with the op counts before and after.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_REPORT_H
#define KILN_PASSES_REPORT_H

#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace kiln::report {

/// Records `line` under pass `pass` when a report is being collected.
void note(llvm::StringRef pass, const std::string &line);

/// An instrumentation that counts the ops of every function before and
/// after each pass and prints, when destroyed, a table of the counts and
/// the passes' notes to `path` (`-` for standard error).
std::unique_ptr<mlir::PassInstrumentation>
createReportInstrumentation(std::string path);

} // namespace kiln::report

#endif // KILN_PASSES_REPORT_H
