//===- OnnxImporterImpl.h - the ONNX importer's shared internals -*- C++
//-*-===//
//
// Private to frontends/onnx: the importer state that the per-category op
// converters (ElementwiseOps, NNOps, ShapeOps, RecurrentOps, ControlFlowOps)
// share, and the converter registry.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_ONNXIMPORTERIMPL_H
#define KILN_FRONTENDS_ONNX_ONNXIMPORTERIMPL_H

#include "dialects/kiln/KilnDialect.h"
#include "frontends/common/GraphBuilder.h"
#include "frontends/common/ImportOptions.h"
#include "frontends/onnx/proto/onnx.pb.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>

namespace kiln::importer::onnx {

/// Nested graphs (Loop bodies) deeper than this are rejected.
constexpr int kMaxGraphDepth = 16;

/// One node being converted: its proto, location, resolved inputs (null for
/// omitted optional inputs) and the outputs the converter produces (null for
/// optional outputs it does not compute).
struct NodeContext {
  const ::kiln::onnx::NodeProto &node;
  mlir::Location loc;
  llvm::SmallVector<mlir::Value> inputs;
  llvm::SmallVector<mlir::Value> outputs;

  /// Input `i`, or null when it is omitted.
  mlir::Value input(size_t i) const {
    return i < inputs.size() ? inputs[i] : mlir::Value();
  }
  size_t numInputs() const { return inputs.size(); }
};

class Importer;
using Converter = mlir::LogicalResult (*)(Importer &, NodeContext &);

/// Each category file registers its converters by ONNX op type.
void registerElementwiseOps(llvm::StringMap<Converter> &table);
void registerNNOps(llvm::StringMap<Converter> &table);
void registerShapeOps(llvm::StringMap<Converter> &table);
void registerRecurrentOps(llvm::StringMap<Converter> &table);
void registerControlFlowOps(llvm::StringMap<Converter> &table);

/// The converters of all supported ops, keyed by op type (default domain).
const llvm::StringMap<Converter> &converterTable();

/// The kiln element type of an ONNX TensorProto.DataType, if supported.
std::optional<mlir::Type> elementType(mlir::MLIRContext *ctx, int64_t dataType);
/// The name of an ONNX data type, for diagnostics.
std::string dataTypeName(int64_t dataType);

class Importer {
public:
  Importer(mlir::MLIRContext &context, const ImportOptions &options,
           int64_t opset);

  mlir::MLIRContext *ctx;
  const ImportOptions &options;
  int64_t opset;
  mlir::OpBuilder b;
  GraphBuilder gb;

  /// Scopes of named values, innermost last (a Loop body sees its parent).
  llvm::SmallVector<llvm::StringMap<mlir::Value>, 2> scopes;
  /// Names of optional node outputs that were not computed, with the node.
  llvm::StringMap<std::string> unavailable;
  int depth = 0;

  //===--------------------------------------------------------------------===//
  // Values
  //===--------------------------------------------------------------------===//

  /// The value named `name` in the innermost scope that has it.
  mlir::Value lookup(llvm::StringRef name) const;
  bool isDefined(llvm::StringRef name) const { return bool(lookup(name)); }
  void bind(llvm::StringRef name, mlir::Value v) { scopes.back()[name] = v; }

  /// The location of a node: its name, or its first output's name.
  mlir::Location locOf(const ::kiln::onnx::NodeProto &node);

  /// A diagnostic located at the node (which names it), starting with the
  /// node's op type.
  mlir::InFlightDiagnostic error(const NodeContext &nc);

  //===--------------------------------------------------------------------===//
  // Graph walking
  //===--------------------------------------------------------------------===//

  /// Checks `graph`'s nodes (unique outputs, every input defined by the
  /// graph, its scope or `extraNames`, no cycles) and returns them in a
  /// dependency order.
  mlir::FailureOr<llvm::SmallVector<const ::kiln::onnx::NodeProto *>>
  sortNodes(const ::kiln::onnx::GraphProto &graph,
            const llvm::StringSet<> &extraNames);

  /// Converts `nodes` in order, binding their outputs in the innermost scope.
  mlir::LogicalResult
  convertNodes(llvm::ArrayRef<const ::kiln::onnx::NodeProto *> nodes);

  /// Converts one node.
  mlir::LogicalResult convertNode(const ::kiln::onnx::NodeProto &node);

  /// Creates constants for `graph`'s initializers in the innermost scope.
  mlir::LogicalResult importInitializers(const ::kiln::onnx::GraphProto &graph);

  /// A kiln constant for an ONNX tensor (initializer or attribute);
  /// `what` names it in diagnostics.
  mlir::FailureOr<mlir::Value>
  tensorConstant(const ::kiln::onnx::TensorProto &t, mlir::Location loc,
                 llvm::StringRef what);

  /// The static shape of a value_info (-1 for unknown dimensions), nullopt
  /// for an unknown rank; errors for negative dimensions.
  mlir::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
  valueInfoShape(const ::kiln::onnx::ValueInfoProto &info, mlir::Location loc);

  //===--------------------------------------------------------------------===//
  // Attributes (each checks the attribute's type)
  //===--------------------------------------------------------------------===//

  const ::kiln::onnx::AttributeProto *findAttr(const NodeContext &nc,
                                               llvm::StringRef name);
  mlir::FailureOr<int64_t> attrInt(NodeContext &nc, llvm::StringRef name,
                                   int64_t defaultValue);
  mlir::FailureOr<double> attrFloat(NodeContext &nc, llvm::StringRef name,
                                    double defaultValue);
  mlir::FailureOr<std::string> attrString(NodeContext &nc, llvm::StringRef name,
                                          llvm::StringRef defaultValue);
  /// An INTS attribute; nullopt when absent.
  mlir::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
  attrInts(NodeContext &nc, llvm::StringRef name);
  mlir::FailureOr<std::optional<llvm::SmallVector<double>>>
  attrFloats(NodeContext &nc, llvm::StringRef name);
  mlir::FailureOr<std::optional<llvm::SmallVector<std::string>>>
  attrStrings(NodeContext &nc, llvm::StringRef name);

  //===--------------------------------------------------------------------===//
  // Converter helpers
  //===--------------------------------------------------------------------===//

  /// Fails unless the node has between `min` and `max` inputs present
  /// (counting omitted optional ones up to the last present one).
  mlir::LogicalResult expectInputs(NodeContext &nc, size_t min, size_t max);
  /// The required input `i` (an error when omitted).
  mlir::FailureOr<mlir::Value> required(NodeContext &nc, size_t i);
  /// The integer elements of input `i`, which must be a constant.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  constantInts(NodeContext &nc, size_t i, llvm::StringRef what);
  /// `axis` normalized into [0, rank), or an error naming `what`.
  mlir::FailureOr<int64_t> normalizeAxis(NodeContext &nc, int64_t axis,
                                         int64_t rank, llvm::StringRef what);
  /// The type of a tensor value.
  static mlir::RankedTensorType typeOf(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType());
  }
  static llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
    return typeOf(v).getShape();
  }

  /// Builds `OpTy` and stores it as output 0.
  template <typename OpTy>
  mlir::LogicalResult emit(NodeContext &nc, mlir::ValueRange operands,
                           llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    mlir::FailureOr<mlir::Value> v = gb.build<OpTy>(nc.loc, operands, attrs);
    if (mlir::failed(v))
      return mlir::failure();
    nc.outputs = {*v};
    return mlir::success();
  }
};

/// Creates a kiln.scan (axis 0) whose body `body` builds with the importer's
/// builder (it may fail); the op is verified so that a body whose carried
/// types drift is reported. Nothing is left behind on failure.
mlir::FailureOr<kiln::ScanOp>
buildScan(Importer &imp, mlir::Location loc, mlir::ValueRange init,
          mlir::ValueRange sequences, bool reverse,
          llvm::function_ref<
              mlir::FailureOr<llvm::SmallVector<mlir::Value>>(mlir::ValueRange)>
              body);

} // namespace kiln::importer::onnx

#endif // KILN_FRONTENDS_ONNX_ONNXIMPORTERIMPL_H
