//===- ImportOptions.cpp - options shared by the model importers ----------===//

#include "frontends/common/ImportOptions.h"
#include "frontends/common/GraphBuilder.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::importer;

std::optional<std::string> kiln::importer::parseInputShape(
    llvm::StringRef text,
    std::pair<std::string, llvm::SmallVector<int64_t>> &out) {
  size_t eq = text.rfind('=');
  if (eq == llvm::StringRef::npos || eq == 0)
    return "expected NAME=DIMS (for example input=1x784), got '" + text.str() +
           "'";
  out.first = text.take_front(eq).str();
  out.second.clear();
  llvm::StringRef dims = text.drop_front(eq + 1);
  if (dims.empty())
    return std::nullopt; // a scalar
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x');
  for (llvm::StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d < 0 || d > (int64_t(1) << 40))
      return "invalid dimension '" + p.str() + "' in '" + text.str() +
             "' (dimensions are non-negative integers separated by 'x')";
    out.second.push_back(d);
  }
  return std::nullopt;
}

/// Fails when `shape` holds more than kMaxImportElements elements.
static LogicalResult checkElementCount(llvm::ArrayRef<int64_t> shape,
                                       llvm::StringRef name, Location loc) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && count > kMaxImportElements / d))
      return emitError(loc) << "input '" << name << "' of shape "
                            << shapeString(shape)
                            << " is too large (more than 2^40 elements)";
    count *= d;
  }
  return success();
}

FailureOr<llvm::SmallVector<int64_t>> kiln::importer::resolveInputShape(
    const ImportOptions &options, llvm::StringRef name,
    std::optional<llvm::ArrayRef<int64_t>> modelShape, Location loc) {
  for (const auto &[n, shape] : options.inputShapes) {
    if (n != name)
      continue;
    if (modelShape && modelShape->size() != shape.size())
      return emitError(loc) << "--input-shape " << name << " has rank "
                            << shape.size() << " but the model's input has rank "
                            << modelShape->size() << " ("
                            << shapeString(*modelShape) << ")";
    if (modelShape)
      for (size_t i = 0; i < shape.size(); ++i)
        if ((*modelShape)[i] >= 0 && (*modelShape)[i] != shape[i])
          return emitError(loc)
                 << "--input-shape " << name << " gives " << shapeString(shape)
                 << " but the model fixes dimension " << i << " to "
                 << (*modelShape)[i];
    if (failed(checkElementCount(shape, name, loc)))
      return failure();
    return shape;
  }
  if (!modelShape)
    return emitError(loc) << "input '" << name
                          << "' has an unknown rank: give its shape with "
                             "--input-shape "
                          << name << "=DIMS";
  llvm::SmallVector<int64_t> shape(modelShape->begin(), modelShape->end());
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] >= 0)
      continue;
    if (i == 0) {
      shape[i] = options.batch.value_or(1);
      continue;
    }
    return emitError(loc) << "input '" << name << "' has unknown dimension "
                          << i << " in " << shapeString(*modelShape)
                          << ": give its shape with --input-shape " << name
                          << "=DIMS";
  }
  if (failed(checkElementCount(shape, name, loc)))
    return failure();
  return shape;
}
