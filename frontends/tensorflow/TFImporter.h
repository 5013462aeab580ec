//===- TFImporter.h - internals of the TensorFlow GraphDef importer -------===//
//
// Shared by the graph walker (GraphDefImporter.cpp), the op converters
// (TFOps.cpp) and the control-flow converters (TFControlFlow.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TENSORFLOW_TFIMPORTER_H
#define KILN_FRONTENDS_TENSORFLOW_TFIMPORTER_H

#include "frontends/common/GraphBuilder.h"
#include "frontends/common/ImportOptions.h"
#include "frontends/tensorflow/proto/graph.pb.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <memory>

namespace kiln::importer::tf {

using kiln::tfproto::AttrValue;
using kiln::tfproto::FunctionDef;
using kiln::tfproto::NodeDef;

/// A TensorList (TensorArray) as the importer tracks it: either its full
/// contents as one stacked tensor, or a reserved list nobody wrote yet.
struct TensorList {
  mlir::Value stacked;                   ///< [n, element...] when known
  int64_t numElements = -1;              ///< reserved size, -1 unknown
  llvm::SmallVector<int64_t> elementShape; ///< -1 for unknown dimensions
  bool unknownRank = true;
  mlir::Type elementType;
};

/// A value flowing along a graph edge.
struct TFValue {
  enum class Kind {
    Tensor,     ///< an ordinary tensor
    List,       ///< a TensorList outside a loop
    Undefined,  ///< an output TensorFlow defines only in training mode
    LoopCounter,///< a While step counter (with a value when also carried)
    LoopInput,  ///< a list read one element per step (a scan sequence)
    LoopOutput, ///< a list written one element per step (a scan output)
  };
  Kind kind = Kind::Tensor;
  mlir::Value tensor;                 ///< Tensor; LoopInput: the step slice
  std::shared_ptr<TensorList> list;   ///< List
  int64_t loop = -1; ///< LoopCounter/LoopInput: the loop they belong to

  static TFValue of(mlir::Value v) {
    TFValue t;
    t.tensor = v;
    return t;
  }
};

/// A reference to a node output inside one graph: `node` indexes
/// Graph::nodes, or, when negative, argument `-node - 1` of a function.
struct Ref {
  int node = 0;
  int output = 0;
  bool isArg() const { return node < 0; }
  int argIndex() const { return -node - 1; }
};

/// A GraphDef's node list or a FunctionDef body with every input reference
/// resolved to a Ref.
struct Graph {
  struct Node {
    const NodeDef *def = nullptr;
    llvm::SmallVector<Ref> inputs; ///< data inputs only
  };
  std::vector<Node> nodes;
  llvm::StringMap<int> byName;
  const FunctionDef *function = nullptr; ///< set for function bodies
  std::vector<Ref> rets;                 ///< function results, in order
  std::vector<std::string> argNames;     ///< function arguments, in order

  /// Resolves a GraphDef-style (`node[:i]`) or FunctionDef-style
  /// (`node:arg:i` or `arg`) input string.
  mlir::FailureOr<Ref> resolve(llvm::StringRef input, const NodeDef &user,
                               mlir::MLIRContext *ctx) const;
};

class Importer;
/// Converts one node. `in` holds the node's data inputs; the converter
/// returns one TFValue per output it defines.
using Converter = mlir::FailureOr<llvm::SmallVector<TFValue>> (*)(
    Importer &, const NodeDef &, mlir::Location,
    llvm::ArrayRef<TFValue> in);

/// The registry of supported TensorFlow ops.
const llvm::StringMap<Converter> &converters();
/// Control-flow converters (While, StatelessWhile, *PartitionedCall).
void addControlFlowConverters(llvm::StringMap<Converter> &table);

class Importer {
public:
  Importer(mlir::OpBuilder &b, const kiln::tfproto::GraphDef &graphDef,
           const ImportOptions &options)
      : gb(b), graphDef(graphDef), options(options) {}

  GraphBuilder gb;
  const kiln::tfproto::GraphDef &graphDef;
  const ImportOptions &options;
  llvm::StringMap<const FunctionDef *> functions;
  /// The function arguments standing for the main graph's Placeholders.
  llvm::StringMap<mlir::Value> placeholderValues;
  /// Nesting depth of function calls and loop bodies being imported.
  int callDepth = 0;
  /// Nodes converted so far (inlined functions and loop conditions count
  /// every time); bounded by kMaxImportOps.
  int64_t nodesImported = 0;
  /// Numbers the While loops, so a loop's step only indexes its own lists.
  int64_t loopCounter = 0;
  /// Resolved function bodies, built on first use.
  llvm::StringMap<std::unique_ptr<Graph>> functionGraphs;

  mlir::MLIRContext *ctx() { return gb.context(); }
  mlir::OpBuilder &builder() { return gb.builder(); }

  /// The resolved body of function `name`.
  mlir::FailureOr<Graph *> functionGraph(llvm::StringRef name,
                                         mlir::Location loc);

  /// Nodes of `graph` reachable from `roots` through data edges, in an
  /// order where every node follows its inputs; a cycle is an error naming
  /// a node on it.
  mlir::FailureOr<std::vector<int>> topoOrder(const Graph &graph,
                                              llvm::ArrayRef<Ref> roots);

  /// Imports the nodes of `graph` needed for `roots`, with function
  /// arguments bound to `args`; returns the roots' values.
  mlir::FailureOr<llvm::SmallVector<TFValue>>
  importGraph(const Graph &graph, llvm::ArrayRef<Ref> roots,
              llvm::ArrayRef<TFValue> args);

  /// Node-local helpers shared by converters.
  mlir::FailureOr<mlir::Value> tensor(const NodeDef &node, mlir::Location loc,
                                      llvm::ArrayRef<TFValue> in, size_t i);
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  constInts(const NodeDef &node, mlir::Location loc,
            llvm::ArrayRef<TFValue> in, size_t i, llvm::StringRef what);
  mlir::FailureOr<mlir::Value> constant(const kiln::tfproto::TensorProto &proto,
                                        mlir::Location loc,
                                        llvm::StringRef name);
};

/// Attribute access with located errors.
const AttrValue *findAttr(const NodeDef &node, llvm::StringRef name);
mlir::FailureOr<const AttrValue *> requireAttr(const NodeDef &node,
                                               mlir::Location loc,
                                               llvm::StringRef name,
                                               AttrValue::ValueCase kind);
int64_t attrInt(const NodeDef &node, llvm::StringRef name, int64_t dflt);
bool attrBool(const NodeDef &node, llvm::StringRef name, bool dflt);
float attrFloat(const NodeDef &node, llvm::StringRef name, float dflt);
std::string attrString(const NodeDef &node, llvm::StringRef name,
                       llvm::StringRef dflt);
llvm::SmallVector<int64_t> attrInts(const NodeDef &node,
                                    llvm::StringRef name);

/// The MLIR element type of a TensorFlow dtype, or failure (located).
mlir::FailureOr<mlir::Type> elementType(mlir::MLIRContext *ctx, int dtype,
                                        mlir::Location loc);

} // namespace kiln::importer::tf

#endif // KILN_FRONTENDS_TENSORFLOW_TFIMPORTER_H
