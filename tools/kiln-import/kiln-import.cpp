//===- kiln-import.cpp - import a TensorFlow or ONNX model as kiln MLIR ---===//
//
//   kiln-import model.{pb,pbtxt,onnx,onnxtxt} -o model.mlir
//               [--input-shape NAME=1x784 ...] [--batch N]
//               [--output NODE ...] [--format F] [--function NAME]
//
// Exit status: 0 success; 2 bad usage, unreadable, malformed or unsupported
// model (every diagnostic names the node at fault). The output file is
// written only when the import succeeds.
//
//===----------------------------------------------------------------------===//

#include "frontends/Import.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

using namespace kiln::importer;

/// Where a diagnostic points: the graph node it names (unless the message
/// already names it), else the model file.
static std::string where(mlir::Location loc, llvm::StringRef modelPath,
                         llvm::StringRef message) {
  if (auto name = mlir::dyn_cast<mlir::NameLoc>(loc)) {
    std::string quoted = "'" + name.getName().str() + "'";
    if (message.contains(quoted))
      return "";
    return "node " + quoted + ": ";
  }
  if (auto file = mlir::dyn_cast<mlir::FileLineColLoc>(loc)) {
    std::string s = file.getFilename().str();
    if (file.getLine())
      s += ":" + std::to_string(file.getLine());
    return s + ": ";
  }
  if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(loc))
    if (!fused.getLocations().empty())
      return where(fused.getLocations().front(), modelPath, message);
  return modelPath.str() + ": ";
}

/// Prints `kiln-import: error: node 'conv1': <message>` and its notes.
static void printDiagnostic(mlir::Diagnostic &diag, llvm::StringRef modelPath) {
  auto severity = [](mlir::DiagnosticSeverity s) {
    switch (s) {
    case mlir::DiagnosticSeverity::Error:
      return "error";
    case mlir::DiagnosticSeverity::Warning:
      return "warning";
    case mlir::DiagnosticSeverity::Note:
      return "note";
    case mlir::DiagnosticSeverity::Remark:
      return "remark";
    }
    return "error";
  };
  llvm::errs() << "kiln-import: " << severity(diag.getSeverity()) << ": "
               << where(diag.getLocation(), modelPath, diag.str()) << diag.str()
               << "\n";
  for (mlir::Diagnostic &note : diag.getNotes())
    llvm::errs() << "kiln-import: note: "
                 << where(note.getLocation(), modelPath, note.str())
                 << note.str() << "\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::string modelPath, outputPath = "-", formatName = "auto";
  std::vector<std::string> shapes;
  ImportOptions options;
  int64_t batch = 0;
  bool noLocations = false;
  CLI::App app{"Import a TensorFlow GraphDef or an ONNX model as a kiln-dialect "
               "module (weights as dense_resource blobs, node names as "
               "locations).",
               "kiln-import"};
  app.add_option("model", modelPath,
                 "the model: .pb / .pbtxt (TensorFlow GraphDef, frozen) or "
                 ".onnx / .onnxtxt (ONNX, opsets 13-17)")
      ->required();
  app.add_option("-o,--output-file", outputPath,
                 "where to write the .mlir ('-' for standard output)")
      ->capture_default_str();
  app.add_option("--input-shape", shapes,
                 "the full static shape of an input, NAME=DxDx... (repeatable)");
  app.add_option("--batch", batch,
                 "the size of every input's unknown leading dimension "
                 "(default 1)")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 30));
  app.add_option("--output", options.outputs,
                 "an output node (TensorFlow: NODE or NODE:INDEX; ONNX: a "
                 "value name); repeatable; default: the model's outputs");
  app.add_option("--format", formatName,
                 "auto (from the extension), pb, pbtxt, onnx or onnxtxt")
      ->capture_default_str();
  app.add_flag("--no-locations", noLocations,
               "do not write node names as locations into the .mlir");
  app.add_option("--function", options.functionName,
                 "the name of the imported function")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  std::optional<ModelFormat> format = parseModelFormat(formatName);
  if (!format) {
    llvm::errs() << "kiln-import: error: unknown --format '" << formatName
                 << "' (expected auto, pb, pbtxt, onnx or onnxtxt)\n";
    return 2;
  }
  for (const std::string &s : shapes) {
    std::pair<std::string, llvm::SmallVector<int64_t>> parsed;
    if (std::optional<std::string> err = parseInputShape(s, parsed)) {
      llvm::errs() << "kiln-import: error: --input-shape: " << *err << "\n";
      return 2;
    }
    options.inputShapes.push_back(std::move(parsed));
  }
  if (batch > 0)
    options.batch = batch;

  mlir::DialectRegistry registry;
  registerImportDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    printDiagnostic(diag, modelPath);
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      importModelFile(modelPath, *format, options, context);
  if (!module)
    return 2;
  if (mlir::failed(mlir::verify(*module))) {
    llvm::errs() << "kiln-import: error: the imported module does not verify "
                    "(see above)\n";
    return 2;
  }
  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output) {
    llvm::errs() << "kiln-import: error: " << error << "\n";
    return 2;
  }
  // Node names travel as locations, so later errors can name the node.
  mlir::OpPrintingFlags flags;
  if (!noLocations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module->print(output->os(), flags);
  output->os() << "\n";
  output->os().flush();
  if (output->os().has_error()) {
    llvm::errs() << "kiln-import: error: cannot write '" << outputPath << "'\n";
    output->os().clear_error();
    return 2;
  }
  output->keep();
  return 0;
}
