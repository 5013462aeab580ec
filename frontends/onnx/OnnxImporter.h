//===- OnnxImporter.h - ONNX -> kiln --------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_ONNXIMPORTER_H
#define KILN_FRONTENDS_ONNX_ONNXIMPORTER_H

#include "frontends/common/ImportOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace kiln::importer {

/// Imports an ONNX model (binary ModelProto, or protobuf text format when
/// `text`; opsets 13-17) as one kiln function. Errors are emitted as
/// diagnostics located at the offending node; the result is null on failure.
mlir::OwningOpRef<mlir::ModuleOp> importOnnx(llvm::StringRef bytes, bool text,
                                             const ImportOptions &options,
                                             mlir::MLIRContext &context);

} // namespace kiln::importer

#endif // KILN_FRONTENDS_ONNX_ONNXIMPORTER_H
