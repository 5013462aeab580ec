//===- OnnxImporter.cpp - ONNX ModelProto -> kiln dialect -----------------===//
//
// Parses and validates an ONNX model (opsets 13-17), checks that every
// operator is supported before building anything, then walks the graph in
// dependency order and hands each node to its converter (ElementwiseOps,
// NNOps, ShapeOps, RecurrentOps, ControlFlowOps). Model files are untrusted:
// every size, index and attribute is checked and reported at the node it
// belongs to.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/OnnxImporter.h"
#include "frontends/onnx/OnnxImporterImpl.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <climits>
#include <cstring>
#include <queue>

using namespace mlir;
using namespace kiln;
using namespace kiln::importer;
using namespace kiln::importer::onnx;
namespace pb = ::kiln::onnx;

//===----------------------------------------------------------------------===//
// Types and tensors
//===----------------------------------------------------------------------===//

std::optional<Type> kiln::importer::onnx::elementType(MLIRContext *ctx,
                                                      int64_t dataType) {
  Builder b(ctx);
  switch (dataType) {
  case pb::TensorProto::FLOAT:
    return b.getF32Type();
  case pb::TensorProto::DOUBLE:
    return b.getF64Type();
  case pb::TensorProto::FLOAT16:
    return b.getF16Type();
  case pb::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case pb::TensorProto::INT8:
    return b.getIntegerType(8);
  case pb::TensorProto::INT32:
    return b.getI32Type();
  case pb::TensorProto::INT64:
    return b.getI64Type();
  case pb::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return std::nullopt;
  }
}

std::string kiln::importer::onnx::dataTypeName(int64_t dataType) {
  if (dataType >= INT_MIN && dataType <= INT_MAX &&
      pb::TensorProto::DataType_IsValid(static_cast<int>(dataType)))
    return pb::TensorProto::DataType_Name(
        static_cast<pb::TensorProto::DataType>(dataType));
  return "data type " + std::to_string(dataType);
}

/// Bytes per element of a supported data type as stored in raw_data.
static int64_t elementBytes(int64_t dataType) {
  switch (dataType) {
  case pb::TensorProto::DOUBLE:
  case pb::TensorProto::INT64:
    return 8;
  case pb::TensorProto::FLOAT:
  case pb::TensorProto::INT32:
    return 4;
  case pb::TensorProto::FLOAT16:
  case pb::TensorProto::BFLOAT16:
    return 2;
  default:
    return 1;
  }
}

/// The element count of `dims`, or an error message.
static FailureOr<int64_t> elementCount(ArrayRef<int64_t> dims,
                                       std::string &message) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) {
      message = "has a negative dimension " + std::to_string(d) + " in " +
                shapeString(dims);
      return failure();
    }
    if (llvm::MulOverflow(n, d, n) || n > kMaxImportElements) {
      message = "has too many elements (" + shapeString(dims) + ")";
      return failure();
    }
  }
  return n;
}

template <typename T> static void appendLE(std::vector<char> &out, T value) {
  char buf[sizeof(T)];
  llvm::support::endian::write<T, llvm::endianness::little>(buf, value);
  out.insert(out.end(), buf, buf + sizeof(T));
}

FailureOr<Value> Importer::tensorConstant(const pb::TensorProto &t,
                                          Location loc, StringRef what) {
  if (t.data_location() == pb::TensorProto::EXTERNAL ||
      t.external_data_size() > 0)
    return emitError(loc) << what
                          << " uses external data (a separate weights file), "
                             "which Kiln does not read; re-save the model with "
                             "its weights inside";
  std::optional<Type> element = elementType(ctx, t.data_type());
  if (!element)
    return emitError(loc) << what << " has element type "
                          << dataTypeName(t.data_type())
                          << ", which Kiln does not support (expected FLOAT, "
                             "DOUBLE, FLOAT16, BFLOAT16, INT8, INT32, INT64 or "
                             "BOOL)";
  SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
  std::string message;
  FailureOr<int64_t> count = elementCount(dims, message);
  if (failed(count))
    return emitError(loc) << what << " " << message;
  int64_t n = *count;
  int64_t width = elementBytes(t.data_type());
  auto type = RankedTensorType::get(dims, *element);
  std::vector<char> bytes;
  if (t.has_raw_data()) {
    int64_t expected;
    if (llvm::MulOverflow(n, width, expected) ||
        static_cast<uint64_t>(expected) != t.raw_data().size())
      return emitError(loc)
             << what << " has " << t.raw_data().size()
             << " bytes of raw_data but its shape " << shapeString(dims)
             << " of " << dataTypeName(t.data_type()) << " needs " << n << " x "
             << width << " bytes";
    bytes.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    auto mismatch = [&](int64_t have, StringRef field) {
      return emitError(loc) << what << " has " << have << " values in " << field
                            << " but its shape " << shapeString(dims) << " has "
                            << n << " elements";
    };
    switch (t.data_type()) {
    case pb::TensorProto::FLOAT:
      if (t.float_data_size() != n)
        return mismatch(t.float_data_size(), "float_data");
      for (float f : t.float_data())
        appendLE<uint32_t>(bytes, llvm::bit_cast<uint32_t>(f));
      break;
    case pb::TensorProto::DOUBLE:
      if (t.double_data_size() != n)
        return mismatch(t.double_data_size(), "double_data");
      for (double d : t.double_data())
        appendLE<uint64_t>(bytes, llvm::bit_cast<uint64_t>(d));
      break;
    case pb::TensorProto::INT64:
      if (t.int64_data_size() != n)
        return mismatch(t.int64_data_size(), "int64_data");
      for (int64_t v : t.int64_data())
        appendLE<uint64_t>(bytes, static_cast<uint64_t>(v));
      break;
    default: // INT32, INT8, BOOL, FLOAT16, BFLOAT16 live in int32_data.
      if (t.int32_data_size() != n)
        return mismatch(t.int32_data_size(), "int32_data");
      for (int32_t v : t.int32_data()) {
        if (width == 4)
          appendLE<uint32_t>(bytes, static_cast<uint32_t>(v));
        else if (width == 2)
          appendLE<uint16_t>(bytes, static_cast<uint16_t>(v));
        else if (t.data_type() == pb::TensorProto::BOOL)
          bytes.push_back(v != 0 ? 1 : 0);
        else
          bytes.push_back(static_cast<char>(static_cast<int8_t>(v)));
      }
      break;
    }
  }
  std::string name = t.name().empty() ? std::string("const") : t.name();
  return gb.constantFromBytes(loc, type, bytes, name);
}

FailureOr<std::optional<SmallVector<int64_t>>>
Importer::valueInfoShape(const pb::ValueInfoProto &info, Location loc) {
  if (!info.type().has_tensor_type())
    return emitError(loc) << "value '" << info.name()
                          << "' is not a tensor (sequences, maps and "
                             "optionals are not supported)";
  const auto &tt = info.type().tensor_type();
  if (!tt.has_shape())
    return std::optional<SmallVector<int64_t>>();
  SmallVector<int64_t> shape;
  for (const auto &dim : tt.shape().dim()) {
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 0)
        return emitError(loc)
               << "value '" << info.name() << "' has a negative dimension "
               << dim.dim_value();
      shape.push_back(dim.dim_value());
    } else {
      shape.push_back(-1);
    }
  }
  return std::optional<SmallVector<int64_t>>(shape);
}

//===----------------------------------------------------------------------===//
// Importer basics
//===----------------------------------------------------------------------===//

Importer::Importer(MLIRContext &context, const ImportOptions &options,
                   int64_t opset)
    : ctx(&context), options(options), opset(opset), b(&context), gb(b) {
  scopes.emplace_back();
}

Value Importer::lookup(StringRef name) const {
  for (const auto &scope : llvm::reverse(scopes)) {
    auto it = scope.find(name);
    if (it != scope.end())
      return it->second;
  }
  return {};
}

Location Importer::locOf(const pb::NodeProto &node) {
  if (!node.name().empty())
    return nodeLoc(ctx, node.name());
  if (node.output_size() > 0 && !node.output(0).empty())
    return nodeLoc(ctx, node.output(0));
  return nodeLoc(ctx, node.op_type());
}

/// How a node is named in messages: its name, else its first output.
static std::string nodeLabel(const pb::NodeProto &node) {
  if (!node.name().empty())
    return node.name();
  if (node.output_size() > 0 && !node.output(0).empty())
    return node.output(0);
  return "<unnamed>";
}

InFlightDiagnostic Importer::error(const NodeContext &nc) {
  return emitError(nc.loc) << nc.node.op_type() << ": ";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

/// The attribute's declared type, or the one its set fields imply (very old
/// exporters leave `type` unset).
static pb::AttributeProto::AttributeType attrType(const pb::AttributeProto &a) {
  if (a.type() != pb::AttributeProto::UNDEFINED)
    return a.type();
  if (a.has_f())
    return pb::AttributeProto::FLOAT;
  if (a.has_i())
    return pb::AttributeProto::INT;
  if (a.has_s())
    return pb::AttributeProto::STRING;
  if (a.has_t())
    return pb::AttributeProto::TENSOR;
  if (a.has_g())
    return pb::AttributeProto::GRAPH;
  if (a.floats_size())
    return pb::AttributeProto::FLOATS;
  if (a.ints_size())
    return pb::AttributeProto::INTS;
  if (a.strings_size())
    return pb::AttributeProto::STRINGS;
  return pb::AttributeProto::UNDEFINED;
}

static std::string attrTypeName(pb::AttributeProto::AttributeType t) {
  return pb::AttributeProto::AttributeType_Name(t);
}

const pb::AttributeProto *Importer::findAttr(const NodeContext &nc,
                                             StringRef name) {
  for (const pb::AttributeProto &a : nc.node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

/// Checks that `a` has type `want` (or, for FLOAT, INT).
static LogicalResult checkAttrType(Importer &imp, NodeContext &nc,
                                   const pb::AttributeProto &a,
                                   pb::AttributeProto::AttributeType want) {
  pb::AttributeProto::AttributeType have = attrType(a);
  if (have == want ||
      (want == pb::AttributeProto::FLOAT && have == pb::AttributeProto::INT) ||
      (want == pb::AttributeProto::FLOATS && have == pb::AttributeProto::INTS))
    return success();
  return imp.error(nc) << "attribute '" << a.name() << "' must be "
                       << attrTypeName(want) << ", got " << attrTypeName(have);
}

FailureOr<int64_t> Importer::attrInt(NodeContext &nc, StringRef name,
                                     int64_t defaultValue) {
  const pb::AttributeProto *a = findAttr(nc, name);
  if (!a)
    return defaultValue;
  if (failed(checkAttrType(*this, nc, *a, pb::AttributeProto::INT)))
    return failure();
  return a->i();
}

FailureOr<double> Importer::attrFloat(NodeContext &nc, StringRef name,
                                      double defaultValue) {
  const pb::AttributeProto *a = findAttr(nc, name);
  if (!a)
    return defaultValue;
  if (failed(checkAttrType(*this, nc, *a, pb::AttributeProto::FLOAT)))
    return failure();
  return attrType(*a) == pb::AttributeProto::INT ? double(a->i())
                                                 : double(a->f());
}

FailureOr<std::string> Importer::attrString(NodeContext &nc, StringRef name,
                                            StringRef defaultValue) {
  const pb::AttributeProto *a = findAttr(nc, name);
  if (!a)
    return defaultValue.str();
  if (failed(checkAttrType(*this, nc, *a, pb::AttributeProto::STRING)))
    return failure();
  return a->s();
}

FailureOr<std::optional<SmallVector<int64_t>>>
Importer::attrInts(NodeContext &nc, StringRef name) {
  const pb::AttributeProto *a = findAttr(nc, name);
  if (!a)
    return std::optional<SmallVector<int64_t>>();
  if (failed(checkAttrType(*this, nc, *a, pb::AttributeProto::INTS)))
    return failure();
  return std::optional<SmallVector<int64_t>>(
      SmallVector<int64_t>(a->ints().begin(), a->ints().end()));
}

FailureOr<std::optional<SmallVector<double>>>
Importer::attrFloats(NodeContext &nc, StringRef name) {
  const pb::AttributeProto *a = findAttr(nc, name);
  if (!a)
    return std::optional<SmallVector<double>>();
  if (failed(checkAttrType(*this, nc, *a, pb::AttributeProto::FLOATS)))
    return failure();
  SmallVector<double> out;
  if (attrType(*a) == pb::AttributeProto::INTS)
    for (int64_t v : a->ints())
      out.push_back(double(v));
  else
    for (float v : a->floats())
      out.push_back(v);
  return std::optional<SmallVector<double>>(out);
}

FailureOr<std::optional<SmallVector<std::string>>>
Importer::attrStrings(NodeContext &nc, StringRef name) {
  const pb::AttributeProto *a = findAttr(nc, name);
  if (!a)
    return std::optional<SmallVector<std::string>>();
  if (failed(checkAttrType(*this, nc, *a, pb::AttributeProto::STRINGS)))
    return failure();
  return std::optional<SmallVector<std::string>>(
      SmallVector<std::string>(a->strings().begin(), a->strings().end()));
}

//===----------------------------------------------------------------------===//
// Converter helpers
//===----------------------------------------------------------------------===//

LogicalResult Importer::expectInputs(NodeContext &nc, size_t min, size_t max) {
  size_t n = nc.inputs.size();
  while (n > 0 && !nc.inputs[n - 1])
    --n;
  if (n < min || n > max) {
    auto diag = error(nc) << "expected ";
    if (min == max)
      diag << min;
    else
      diag << min << " to " << max;
    diag << " inputs, got " << n;
    return failure();
  }
  for (size_t i = 0; i < min; ++i)
    if (!nc.inputs[i])
      return error(nc) << "required input #" << i << " is missing";
  return success();
}

FailureOr<Value> Importer::required(NodeContext &nc, size_t i) {
  if (Value v = nc.input(i))
    return v;
  return error(nc) << "required input #" << i << " is missing";
}

FailureOr<SmallVector<int64_t>>
Importer::constantInts(NodeContext &nc, size_t i, StringRef what) {
  Value v = nc.input(i);
  if (!v)
    return error(nc) << "input #" << i << " (" << what << ") is missing";
  std::optional<SmallVector<int64_t>> ints = gb.getConstantInts(v);
  if (!ints)
    return error(nc) << "input #" << i << " (" << what << ", '"
                     << nc.node.input(i)
                     << "') must be a constant known at import time (Kiln "
                        "compiles static shapes)";
  return *ints;
}

FailureOr<int64_t> Importer::normalizeAxis(NodeContext &nc, int64_t axis,
                                           int64_t rank, StringRef what) {
  if (axis < -rank || axis >= rank)
    return error(nc) << what << " " << axis << " is out of range for rank "
                     << rank;
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Graph walking
//===----------------------------------------------------------------------===//

/// Names a subgraph reads from its enclosing scopes (recursively).
static void collectFreeNames(const pb::GraphProto &g, llvm::StringSet<> &out,
                             int depth) {
  if (depth > kMaxGraphDepth)
    return;
  llvm::StringSet<> defined;
  for (const auto &i : g.input())
    defined.insert(i.name());
  for (const auto &t : g.initializer())
    defined.insert(t.name());
  for (const auto &n : g.node())
    for (const auto &o : n.output())
      defined.insert(o);
  auto use = [&](const std::string &name) {
    if (!name.empty() && !defined.contains(name))
      out.insert(name);
  };
  for (const auto &n : g.node()) {
    for (const auto &i : n.input())
      use(i);
    for (const auto &a : n.attribute()) {
      llvm::StringSet<> inner;
      if (a.has_g())
        collectFreeNames(a.g(), inner, depth + 1);
      for (const auto &sub : a.graphs())
        collectFreeNames(sub, inner, depth + 1);
      for (const auto &name : inner)
        use(name.getKey().str());
    }
  }
  for (const auto &o : g.output())
    use(o.name());
}

FailureOr<SmallVector<const pb::NodeProto *>>
Importer::sortNodes(const pb::GraphProto &graph,
                    const llvm::StringSet<> &extraNames) {
  int n = graph.node_size();
  llvm::StringMap<int> producer;
  llvm::StringSet<> external(extraNames);
  for (const auto &i : graph.input())
    external.insert(i.name());
  for (const auto &t : graph.initializer())
    external.insert(t.name());
  for (int k = 0; k < n; ++k) {
    const pb::NodeProto &node = graph.node(k);
    for (const std::string &o : node.output()) {
      if (o.empty())
        continue;
      Location loc = locOf(node);
      if (external.contains(o))
        return emitError(loc) << node.op_type() << " output '" << o
                              << "' has the name of a graph input or "
                                 "initializer";
      auto [it, inserted] = producer.try_emplace(o, k);
      if (!inserted)
        return emitError(loc) << node.op_type() << " output '" << o
                              << "' is also produced by node '"
                              << nodeLabel(graph.node(it->second))
                              << "' (value names must be unique)";
    }
  }
  // Dependencies, including the values subgraphs read from this scope.
  std::vector<SmallVector<int>> deps(n);
  std::vector<SmallVector<int>> users(n);
  for (int k = 0; k < n; ++k) {
    const pb::NodeProto &node = graph.node(k);
    llvm::StringSet<> names;
    for (const std::string &i : node.input())
      if (!i.empty())
        names.insert(i);
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        collectFreeNames(a.g(), names, 1);
      for (const auto &sub : a.graphs())
        collectFreeNames(sub, names, 1);
    }
    for (const auto &entry : names) {
      StringRef name = entry.getKey();
      auto it = producer.find(name);
      if (it != producer.end()) {
        deps[k].push_back(it->second);
        users[it->second].push_back(k);
        continue;
      }
      if (external.contains(name) || isDefined(name))
        continue;
      return emitError(locOf(node))
             << node.op_type() << " input '" << name
             << "' is not produced by any node, initializer or graph input";
    }
  }
  // Kahn's algorithm, preferring the file's order.
  std::vector<int> pending(n);
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int k = 0; k < n; ++k) {
    pending[k] = static_cast<int>(deps[k].size());
    if (pending[k] == 0)
      ready.push(k);
  }
  SmallVector<const pb::NodeProto *> order;
  std::vector<bool> done(n, false);
  while (!ready.empty()) {
    int k = ready.top();
    ready.pop();
    order.push_back(&graph.node(k));
    done[k] = true;
    for (int u : users[k])
      if (--pending[u] == 0)
        ready.push(u);
  }
  if (static_cast<int>(order.size()) != n) {
    // Walk unfinished dependencies until a node repeats: it is on a cycle.
    int k = 0;
    while (done[k])
      ++k;
    std::vector<bool> seen(n, false);
    while (!seen[k]) {
      seen[k] = true;
      for (int d : deps[k])
        if (!done[d]) {
          k = d;
          break;
        }
    }
    const pb::NodeProto &node = graph.node(k);
    return emitError(locOf(node))
           << node.op_type()
           << " node is part of a cycle: its inputs depend on its own outputs";
  }
  return order;
}

LogicalResult Importer::convertNode(const pb::NodeProto &node) {
  NodeContext nc{node, locOf(node), {}, {}};
  for (int i = 0; i < node.input_size(); ++i) {
    const std::string &name = node.input(i);
    if (name.empty()) {
      nc.inputs.push_back(Value());
      continue;
    }
    Value v = lookup(name);
    if (!v) {
      auto it = unavailable.find(name);
      if (it != unavailable.end())
        return error(nc) << "input '" << name << "' is an optional output of "
                         << it->second << " that Kiln does not compute";
      return error(nc) << "input '" << name
                       << "' is not produced by any node, initializer or "
                          "graph input";
    }
    nc.inputs.push_back(v);
  }
  const llvm::StringMap<Converter> &table = converterTable();
  auto it = table.find(node.op_type());
  if (it == table.end() ||
      !(node.domain().empty() || node.domain() == "ai.onnx"))
    return error(nc) << "unsupported operator";
  if (failed(it->second(*this, nc)))
    return failure();
  for (int i = 0; i < node.output_size(); ++i) {
    const std::string &name = node.output(i);
    if (name.empty())
      continue;
    if (static_cast<size_t>(i) < nc.outputs.size() && nc.outputs[i])
      bind(name, nc.outputs[i]);
    else
      unavailable[name] = "node '" + nodeLabel(node) + "' (" + node.op_type() +
                          " output #" + std::to_string(i) + ")";
  }
  return success();
}

LogicalResult Importer::convertNodes(ArrayRef<const pb::NodeProto *> nodes) {
  for (const pb::NodeProto *node : nodes)
    if (failed(convertNode(*node)))
      return failure();
  return success();
}

LogicalResult Importer::importInitializers(const pb::GraphProto &graph) {
  for (const pb::TensorProto &t : graph.initializer()) {
    Location loc = nodeLoc(ctx, t.name());
    if (t.name().empty())
      return emitError(loc) << "an initializer has no name";
    FailureOr<Value> v =
        tensorConstant(t, loc, "initializer '" + t.name() + "'");
    if (failed(v))
      return failure();
    bind(t.name(), *v);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Registry and the support check
//===----------------------------------------------------------------------===//

const llvm::StringMap<Converter> &kiln::importer::onnx::converterTable() {
  static const llvm::StringMap<Converter> table = [] {
    llvm::StringMap<Converter> t;
    registerElementwiseOps(t);
    registerNNOps(t);
    registerShapeOps(t);
    registerRecurrentOps(t);
    registerControlFlowOps(t);
    return t;
  }();
  return table;
}

/// Collects, in first-use order, every unsupported op type (domain-qualified
/// outside the default domain) with the nodes that use it.
using UnsupportedList =
    std::vector<std::pair<std::string, SmallVector<std::string>>>;
static void collectUnsupported(const pb::GraphProto &g, UnsupportedList &out,
                               llvm::StringMap<size_t> &index, int depth) {
  const llvm::StringMap<Converter> &table = converterTable();
  for (const pb::NodeProto &node : g.node()) {
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    if (!defaultDomain || !table.count(node.op_type())) {
      std::string key =
          defaultDomain ? node.op_type() : node.domain() + "." + node.op_type();
      auto [it, inserted] = index.try_emplace(key, out.size());
      if (inserted)
        out.push_back({key, {}});
      out[it->second].second.push_back(nodeLabel(node));
    }
    if (depth >= kMaxGraphDepth)
      continue;
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        collectUnsupported(a.g(), out, index, depth + 1);
      for (const auto &sub : a.graphs())
        collectUnsupported(sub, out, index, depth + 1);
    }
  }
}

/// The maximum nesting depth of subgraphs under `g`.
static int graphDepth(const pb::GraphProto &g, int depth) {
  if (depth > kMaxGraphDepth)
    return depth;
  int deepest = depth;
  for (const pb::NodeProto &node : g.node())
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        deepest = std::max(deepest, graphDepth(a.g(), depth + 1));
      for (const auto &sub : a.graphs())
        deepest = std::max(deepest, graphDepth(sub, depth + 1));
    }
  return deepest;
}

/// The nodes of `order` that the values `roots` depend on, in order.
static SmallVector<const pb::NodeProto *>
liveNodes(ArrayRef<const pb::NodeProto *> order, ArrayRef<std::string> roots) {
  llvm::StringSet<> needed;
  for (const std::string &r : roots)
    needed.insert(r);
  SmallVector<const pb::NodeProto *> live;
  for (const pb::NodeProto *node : llvm::reverse(order)) {
    if (llvm::none_of(node->output(), [&](const std::string &o) {
          return !o.empty() && needed.contains(o);
        }))
      continue;
    live.push_back(node);
    for (const std::string &in : node->input())
      needed.insert(in);
    for (const auto &a : node->attribute()) {
      if (a.has_g())
        collectFreeNames(a.g(), needed, 1);
      for (const auto &sub : a.graphs())
        collectFreeNames(sub, needed, 1);
    }
  }
  std::reverse(live.begin(), live.end());
  return live;
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

namespace {
/// Collects text-format parse errors into one message.
class TextErrors : public google::protobuf::io::ErrorCollector {
public:
  void AddError(int line, int column, const std::string &message) override {
    if (text.empty())
      text = "line " + std::to_string(line + 1) + ", column " +
             std::to_string(column + 1) + ": " + message;
  }
  void AddWarning(int, int, const std::string &) override {}
  std::string text;
};
} // namespace

/// Parses `bytes` as a ModelProto.
static LogicalResult parseModel(StringRef bytes, bool text,
                                pb::ModelProto &model, Location loc) {
  if (text) {
    google::protobuf::TextFormat::Parser parser;
    parser.AllowUnknownField(true);
    TextErrors errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(bytes.str(), &model))
      return emitError(loc)
             << "not a valid ONNX model in protobuf text format ("
             << errors.text << ")";
    return success();
  }
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return emitError(loc) << "the ONNX model is larger than 2 GiB; Kiln does "
                             "not read external-data models";
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return emitError(loc) << "not a valid ONNX model (the protobuf does not "
                             "parse; is the file truncated?)";
  return success();
}

OwningOpRef<ModuleOp> kiln::importer::importOnnx(llvm::StringRef bytes,
                                                 bool text,
                                                 const ImportOptions &options,
                                                 MLIRContext &context) {
  context.loadDialect<kiln::KilnDialect, func::FuncDialect>();
  Location fileLoc = UnknownLoc::get(&context);
  pb::ModelProto model;
  if (failed(parseModel(bytes, text, model, fileLoc)))
    return nullptr;
  if (!model.has_graph())
    return emitError(fileLoc) << "not a valid ONNX model: it has no graph",
           nullptr;

  // Opset: the default domain must be imported at 13..17.
  std::optional<int64_t> opset;
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  if (!opset)
    return emitError(fileLoc) << "the ONNX model does not import the default "
                                 "operator set (ai.onnx)",
           nullptr;
  if (*opset < 13 || *opset > 17)
    return emitError(fileLoc)
               << "the ONNX model uses opset " << *opset
               << " of the default domain; Kiln imports opsets 13 to 17 "
                  "(convert it with onnx.version_converter)",
           nullptr;

  const pb::GraphProto &graph = model.graph();
  if (graphDepth(graph, 0) > kMaxGraphDepth)
    return emitError(fileLoc) << "the ONNX model nests subgraphs deeper than "
                              << kMaxGraphDepth << " levels",
           nullptr;

  // Every operator must be supported before anything is built.
  UnsupportedList unsupported;
  llvm::StringMap<size_t> unsupportedIndex;
  collectUnsupported(graph, unsupported, unsupportedIndex, 0);
  if (!unsupported.empty()) {
    std::string list;
    for (auto &[op, nodes] : unsupported) {
      if (!list.empty())
        list += "; ";
      list += op + " (nodes: ";
      for (size_t i = 0; i < nodes.size(); ++i)
        list += (i ? ", " : "") + nodes[i];
      list += ")";
    }
    const std::string &firstNode = unsupported.front().second.front();
    emitError(nodeLoc(&context, firstNode))
        << "unsupported ONNX operators: " << list;
    return nullptr;
  }

  Importer imp(context, options, *opset);
  OpBuilder &b = imp.b;
  OwningOpRef<ModuleOp> module(ModuleOp::create(fileLoc));
  b.setInsertionPointToEnd(module->getBody());

  // Arguments: graph inputs that are not initializers.
  llvm::StringSet<> initNames;
  for (const auto &t : graph.initializer())
    initNames.insert(t.name());
  SmallVector<const pb::ValueInfoProto *> args;
  SmallVector<Type> argTypes;
  llvm::StringSet<> inputNames;
  for (const pb::ValueInfoProto &in : graph.input()) {
    Location loc = nodeLoc(&context, in.name());
    if (in.name().empty())
      return emitError(loc) << "a graph input has no name", nullptr;
    if (!inputNames.insert(in.name()).second)
      return emitError(loc)
                 << "graph input '" << in.name() << "' is declared twice",
             nullptr;
    if (initNames.contains(in.name()))
      continue;
    FailureOr<std::optional<SmallVector<int64_t>>> shape =
        imp.valueInfoShape(in, loc);
    if (failed(shape))
      return nullptr;
    std::optional<Type> element =
        elementType(&context, in.type().tensor_type().elem_type());
    if (!element)
      return emitError(loc)
                 << "graph input '" << in.name() << "' has element type "
                 << dataTypeName(in.type().tensor_type().elem_type())
                 << ", which Kiln does not support",
             nullptr;
    std::optional<ArrayRef<int64_t>> modelShape;
    if (*shape)
      modelShape = ArrayRef<int64_t>(**shape);
    FailureOr<SmallVector<int64_t>> resolved =
        resolveInputShape(options, in.name(), modelShape, loc);
    if (failed(resolved))
      return nullptr;
    args.push_back(&in);
    argTypes.push_back(RankedTensorType::get(*resolved, *element));
  }
  for (const auto &[name, shape] : options.inputShapes)
    if (!inputNames.contains(name) || initNames.contains(name))
      return emitError(fileLoc) << "--input-shape names '" << name
                                << "', which is not an input of the model",
             nullptr;

  auto fn = b.create<func::FuncOp>(fileLoc, options.functionName,
                                   b.getFunctionType(argTypes, {}));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, in] : llvm::enumerate(args)) {
    entry->getArgument(i).setLoc(nodeLoc(&context, in->name()));
    imp.bind(in->name(), entry->getArgument(i));
    fn.setArgAttr(i, "kiln.name", b.getStringAttr(in->name()));
  }
  if (failed(imp.importInitializers(graph)))
    return nullptr;

  FailureOr<SmallVector<const pb::NodeProto *>> order =
      imp.sortNodes(graph, {});
  if (failed(order))
    return nullptr;

  // Results: the requested values, or the graph's outputs.
  SmallVector<std::string> outputNames;
  if (!options.outputs.empty())
    outputNames.assign(options.outputs.begin(), options.outputs.end());
  else
    for (const auto &o : graph.output())
      outputNames.push_back(o.name());
  if (outputNames.empty())
    return emitError(fileLoc) << "the ONNX graph has no outputs", nullptr;
  if (failed(imp.convertNodes(liveNodes(*order, outputNames))))
    return nullptr;
  SmallVector<Value> results;
  for (const std::string &name : outputNames) {
    Value v = imp.lookup(name);
    if (!v) {
      auto it = imp.unavailable.find(name);
      if (it != imp.unavailable.end())
        return emitError(nodeLoc(&context, name))
                   << "output '" << name << "' is an optional output of "
                   << it->second << " that Kiln does not compute",
               nullptr;
      return emitError(nodeLoc(&context, name))
                 << "output '" << name
                 << "' is not produced by any node, initializer or input",
             nullptr;
    }
    results.push_back(v);
  }
  b.create<func::ReturnOp>(fileLoc, results);
  eraseDeadOps(fn.getBody());
  fn.setFunctionType(
      b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(outputNames))
    fn.setResultAttr(i, "kiln.name", b.getStringAttr(name));
  return module;
}
