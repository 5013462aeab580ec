//===- Import.h - import a model file of any supported format -------------===//

#ifndef KILN_FRONTENDS_IMPORT_H
#define KILN_FRONTENDS_IMPORT_H

#include "frontends/common/ImportOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>

namespace kiln::importer {

enum class ModelFormat { Auto, GraphDef, GraphDefText, Onnx, OnnxText };

/// Parses `auto`, `pb`, `pbtxt`, `onnx`, `onnxtxt`.
std::optional<ModelFormat> parseModelFormat(llvm::StringRef name);

/// The format a path's extension implies (`.pb`, `.pbtxt`, `.onnx`,
/// `.onnxtxt`/`.textproto`); Auto when the extension says nothing.
ModelFormat formatFromPath(llvm::StringRef path);

/// Registers the dialects an imported module uses.
void registerImportDialects(mlir::DialectRegistry &registry);

/// Reads `path` and imports it; failures are diagnostics (a missing file,
/// an unknown format, anything the importer rejects). Null on failure.
mlir::OwningOpRef<mlir::ModuleOp> importModelFile(llvm::StringRef path,
                                                  ModelFormat format,
                                                  const ImportOptions &options,
                                                  mlir::MLIRContext &context);

} // namespace kiln::importer

#endif // KILN_FRONTENDS_IMPORT_H
