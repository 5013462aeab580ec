//===- Import.cpp - import a model file of any supported format -----------===//

#include "frontends/Import.h"
#include "frontends/onnx/OnnxImporter.h"
#include "frontends/tensorflow/GraphDefImporter.h"

#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace kiln::importer;

std::optional<ModelFormat> kiln::importer::parseModelFormat(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<ModelFormat>>(name)
      .Case("auto", ModelFormat::Auto)
      .Case("pb", ModelFormat::GraphDef)
      .Case("pbtxt", ModelFormat::GraphDefText)
      .Case("onnx", ModelFormat::Onnx)
      .Case("onnxtxt", ModelFormat::OnnxText)
      .Default(std::nullopt);
}

ModelFormat kiln::importer::formatFromPath(llvm::StringRef path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  return llvm::StringSwitch<ModelFormat>(ext.lower())
      .Cases(".pb", ".graphdef", ModelFormat::GraphDef)
      .Cases(".pbtxt", ".pbtext", ModelFormat::GraphDefText)
      .Case(".onnx", ModelFormat::Onnx)
      .Cases(".onnxtxt", ".textproto", ".onnxtext", ModelFormat::OnnxText)
      .Default(ModelFormat::Auto);
}

void kiln::importer::registerImportDialects(DialectRegistry &registry) {
  registry.insert<kiln::KilnDialect, func::FuncDialect>();
}

OwningOpRef<ModuleOp>
kiln::importer::importModelFile(llvm::StringRef path, ModelFormat format,
                                const ImportOptions &options,
                                MLIRContext &context) {
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                                 /*RequiresNullTerminator=*/false);
  if (std::error_code ec = file.getError()) {
    emitError(loc) << "cannot read model file '" << path << "': "
                   << ec.message();
    return nullptr;
  }
  if (format == ModelFormat::Auto)
    format = formatFromPath(path);
  if (format == ModelFormat::Auto) {
    emitError(loc) << "cannot tell the format of '" << path
                   << "' from its extension; pass --format "
                      "pb|pbtxt|onnx|onnxtxt";
    return nullptr;
  }
  context.loadDialect<kiln::KilnDialect, func::FuncDialect>();
  llvm::StringRef bytes = (*file)->getBuffer();
  switch (format) {
  case ModelFormat::GraphDef:
  case ModelFormat::GraphDefText:
    return importGraphDef(bytes, format == ModelFormat::GraphDefText, options,
                          context);
  case ModelFormat::Onnx:
  case ModelFormat::OnnxText:
    return importOnnx(bytes, format == ModelFormat::OnnxText, options, context);
  case ModelFormat::Auto:
    break;
  }
  return nullptr;
}
