//===- GraphDefImporter.h - TensorFlow GraphDef -> kiln -------------------===//

#ifndef KILN_FRONTENDS_TENSORFLOW_GRAPHDEFIMPORTER_H
#define KILN_FRONTENDS_TENSORFLOW_GRAPHDEFIMPORTER_H

#include "frontends/common/ImportOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace kiln::importer {

/// Imports a frozen TensorFlow GraphDef (binary, or text format when `text`)
/// as one kiln function. Errors are emitted as diagnostics located at the
/// offending node; the result is null on failure.
mlir::OwningOpRef<mlir::ModuleOp>
importGraphDef(llvm::StringRef bytes, bool text, const ImportOptions &options,
               mlir::MLIRContext &context);

} // namespace kiln::importer

#endif // KILN_FRONTENDS_TENSORFLOW_GRAPHDEFIMPORTER_H
