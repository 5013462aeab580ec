//===- ImportOptions.h - options shared by the model importers ------------===//

#ifndef KILN_FRONTENDS_COMMON_IMPORTOPTIONS_H
#define KILN_FRONTENDS_COMMON_IMPORTOPTIONS_H

#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kiln::importer {

struct ImportOptions {
  /// Name of the function the model becomes.
  std::string functionName = "predict";
  /// Replaces an unknown leading (batch) dimension of every input.
  std::optional<int64_t> batch;
  /// Full static shapes for named inputs (`--input-shape NAME=1x784`).
  std::vector<std::pair<std::string, llvm::SmallVector<int64_t>>> inputShapes;
  /// Output node names; empty means the model's own outputs.
  std::vector<std::string> outputs;
};

/// Parses `NAME=2x3x4` (also `NAME=` for a scalar) into `out`; on failure
/// returns a message.
std::optional<std::string>
parseInputShape(llvm::StringRef text,
                std::pair<std::string, llvm::SmallVector<int64_t>> &out);

/// The static shape of input `name`: an `--input-shape` override, else
/// `modelShape` (-1 for unknown dimensions) with an unknown leading
/// dimension replaced by `--batch` (default 1). Unknown dimensions elsewhere
/// or a rank that disagrees with the override are errors at `loc`.
mlir::FailureOr<llvm::SmallVector<int64_t>>
resolveInputShape(const ImportOptions &options, llvm::StringRef name,
                  std::optional<llvm::ArrayRef<int64_t>> modelShape,
                  mlir::Location loc);

} // namespace kiln::importer

#endif // KILN_FRONTENDS_COMMON_IMPORTOPTIONS_H
