//===- GraphDefImporter.cpp - TensorFlow GraphDef -> kiln -----------------===//
//
// Parses a frozen GraphDef, resolves its edges (and those of the functions
// its While/PartitionedCall nodes use), rejects unsupported ops in one
// message, and imports the nodes the outputs need in dependency order.
//
//===----------------------------------------------------------------------===//

#include "frontends/tensorflow/GraphDefImporter.h"
#include "frontends/tensorflow/TFImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <climits>
#include <map>

using namespace mlir;
using namespace kiln;
using namespace kiln::importer;
using namespace kiln::importer::tf;

//===----------------------------------------------------------------------===//
// Attributes and types
//===----------------------------------------------------------------------===//

const AttrValue *tf::findAttr(const NodeDef &node, llvm::StringRef name) {
  auto it = node.attr().find(std::string(name));
  return it == node.attr().end() ? nullptr : &it->second;
}

FailureOr<const AttrValue *> tf::requireAttr(const NodeDef &node, Location loc,
                                             llvm::StringRef name,
                                             AttrValue::ValueCase kind) {
  const AttrValue *a = findAttr(node, name);
  if (!a)
    return emitError(loc) << node.op() << " node '" << node.name()
                          << "' has no attribute '" << name << "'";
  if (a->value_case() != kind)
    return emitError(loc) << node.op() << " node '" << node.name()
                          << "': attribute '" << name
                          << "' has the wrong kind of value";
  return a;
}

int64_t tf::attrInt(const NodeDef &node, llvm::StringRef name, int64_t dflt) {
  const AttrValue *a = findAttr(node, name);
  return a && a->value_case() == AttrValue::kI ? a->i() : dflt;
}

bool tf::attrBool(const NodeDef &node, llvm::StringRef name, bool dflt) {
  const AttrValue *a = findAttr(node, name);
  return a && a->value_case() == AttrValue::kB ? a->b() : dflt;
}

float tf::attrFloat(const NodeDef &node, llvm::StringRef name, float dflt) {
  const AttrValue *a = findAttr(node, name);
  return a && a->value_case() == AttrValue::kF ? a->f() : dflt;
}

std::string tf::attrString(const NodeDef &node, llvm::StringRef name,
                           llvm::StringRef dflt) {
  const AttrValue *a = findAttr(node, name);
  return a && a->value_case() == AttrValue::kS ? a->s() : dflt.str();
}

SmallVector<int64_t> tf::attrInts(const NodeDef &node, llvm::StringRef name) {
  SmallVector<int64_t> out;
  const AttrValue *a = findAttr(node, name);
  if (a && a->value_case() == AttrValue::kList)
    out.assign(a->list().i().begin(), a->list().i().end());
  return out;
}

FailureOr<Type> tf::elementType(MLIRContext *ctx, int dtype, Location loc) {
  Builder b(ctx);
  switch (dtype) {
  case kiln::tfproto::DT_FLOAT:
    return Type(b.getF32Type());
  case kiln::tfproto::DT_DOUBLE:
    return Type(b.getF64Type());
  case kiln::tfproto::DT_HALF:
    return Type(b.getF16Type());
  case kiln::tfproto::DT_BFLOAT16:
    return Type(b.getBF16Type());
  case kiln::tfproto::DT_INT32:
    return Type(b.getI32Type());
  case kiln::tfproto::DT_INT64:
    return Type(b.getI64Type());
  case kiln::tfproto::DT_INT8:
    return Type(b.getIntegerType(8));
  case kiln::tfproto::DT_BOOL:
    return Type(b.getI1Type());
  default:
    break;
  }
  std::string name = kiln::tfproto::DataType_IsValid(dtype)
                         ? kiln::tfproto::DataType_Name(
                               static_cast<kiln::tfproto::DataType>(dtype))
                         : "unknown dtype " + std::to_string(dtype);
  return emitError(loc) << "unsupported element type " << name;
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// Appends `count` typed values as little-endian bytes, repeating the last
/// given value as TensorFlow does when fewer values than elements are given.
template <typename Src, typename Dst, typename Field>
static LogicalResult typedValues(const Field &field, int64_t count,
                                 std::vector<char> &bytes, Location loc,
                                 llvm::StringRef what) {
  int64_t given = field.size();
  if (given > count)
    return emitError(loc) << "tensor has " << given << " " << what
                          << " entries but its shape holds only " << count
                          << " elements";
  bytes.resize(static_cast<size_t>(count) * sizeof(Dst));
  for (int64_t k = 0; k < count; ++k) {
    Dst v = given == 0 ? Dst() : static_cast<Dst>(field.Get(std::min(k, given - 1)));
    std::memcpy(bytes.data() + k * sizeof(Dst), &v, sizeof(Dst));
  }
  return success();
}

FailureOr<Value> Importer::constant(const kiln::tfproto::TensorProto &proto,
                                    Location loc, llvm::StringRef name) {
  FailureOr<Type> element = elementType(ctx(), proto.dtype(), loc);
  if (failed(element))
    return failure();
  if (proto.tensor_shape().unknown_rank())
    return emitError(loc) << "constant tensor has an unknown rank";
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (const auto &dim : proto.tensor_shape().dim()) {
    if (dim.size() < 0)
      return emitError(loc) << "constant tensor has negative dimension "
                            << dim.size();
    if (dim.size() > 0 && count > (int64_t(1) << 34) / dim.size())
      return emitError(loc) << "constant tensor is too large";
    count *= dim.size();
    shape.push_back(dim.size());
  }
  if (shape.size() > 16)
    return emitError(loc) << "constant tensor has rank " << shape.size()
                          << " (at most 16 is supported)";
  auto type = RankedTensorType::get(shape, *element);
  int64_t elemSize = element->isInteger(1) ? 1 : element->getIntOrFloatBitWidth() / 8;
  std::vector<char> bytes;
  if (!proto.tensor_content().empty()) {
    const std::string &content = proto.tensor_content();
    if (static_cast<int64_t>(content.size()) != count * elemSize)
      return emitError(loc) << "constant tensor_content has " << content.size()
                            << " bytes but shape " << shapeString(shape)
                            << " of " << *element << " needs "
                            << count * elemSize;
    bytes.assign(content.begin(), content.end());
  } else {
    // A single typed value (or none) fills the whole tensor: a splat, never
    // materialized, however large the shape.
    int64_t given = std::max({proto.float_val_size(), proto.double_val_size(),
                              proto.int_val_size(), proto.int64_val_size(),
                              proto.bool_val_size(), proto.half_val_size()});
    if (given <= 1 && count > 1 && proto.dtype() != kiln::tfproto::DT_HALF &&
        proto.dtype() != kiln::tfproto::DT_BFLOAT16) {
      if (proto.int64_val_size())
        return gb.splatInt(loc, type, proto.int64_val(0));
      if (proto.int_val_size())
        return gb.splatInt(loc, type, proto.int_val(0));
      if (proto.bool_val_size())
        return gb.splatInt(loc, type, proto.bool_val(0));
      double v = 0;
      if (proto.float_val_size())
        v = proto.float_val(0);
      else if (proto.double_val_size())
        v = proto.double_val(0);
      return gb.splat(loc, type, v);
    }
    if (count > (int64_t(1) << 28))
      return emitError(loc) << "constant tensor of shape " << shapeString(shape)
                            << " is too large to fill from typed values";
    LogicalResult ok = success();
    switch (proto.dtype()) {
    case kiln::tfproto::DT_FLOAT:
      ok = typedValues<float, float>(proto.float_val(), count, bytes, loc, "float_val");
      break;
    case kiln::tfproto::DT_DOUBLE:
      ok = typedValues<double, double>(proto.double_val(), count, bytes, loc, "double_val");
      break;
    case kiln::tfproto::DT_INT32:
      ok = typedValues<int32_t, int32_t>(proto.int_val(), count, bytes, loc, "int_val");
      break;
    case kiln::tfproto::DT_INT8:
      ok = typedValues<int32_t, int8_t>(proto.int_val(), count, bytes, loc, "int_val");
      break;
    case kiln::tfproto::DT_INT64:
      ok = typedValues<int64_t, int64_t>(proto.int64_val(), count, bytes, loc, "int64_val");
      break;
    case kiln::tfproto::DT_BOOL:
      ok = typedValues<bool, uint8_t>(proto.bool_val(), count, bytes, loc, "bool_val");
      break;
    case kiln::tfproto::DT_HALF:
    case kiln::tfproto::DT_BFLOAT16:
      ok = typedValues<int32_t, uint16_t>(proto.half_val(), count, bytes, loc, "half_val");
      break;
    default:
      return emitError(loc) << "unsupported constant dtype";
    }
    if (failed(ok))
      return failure();
  }
  return gb.constantFromBytes(loc, type, bytes, name);
}

//===----------------------------------------------------------------------===//
// Graph resolution
//===----------------------------------------------------------------------===//

/// Position of output argument `arg` among an op's flattened outputs, for
/// ops with more than one output argument.
static std::optional<int> outputArgOffset(llvm::StringRef op,
                                          llvm::StringRef arg) {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"FusedBatchNorm",
       {"y", "batch_mean", "batch_variance", "reserve_space_1",
        "reserve_space_2"}},
      {"FusedBatchNormV2",
       {"y", "batch_mean", "batch_variance", "reserve_space_1",
        "reserve_space_2"}},
      {"FusedBatchNormV3",
       {"y", "batch_mean", "batch_variance", "reserve_space_1",
        "reserve_space_2", "reserve_space_3"}},
  };
  auto it = table.find(op.str());
  if (it == table.end())
    return 0;
  for (size_t i = 0; i < it->second.size(); ++i)
    if (it->second[i] == arg)
      return static_cast<int>(i);
  return std::nullopt;
}

FailureOr<Ref> Graph::resolve(llvm::StringRef input, const NodeDef &user,
                              MLIRContext *ctx) const {
  Location loc = nodeLoc(ctx, user.name());
  auto missing = [&](llvm::StringRef name) {
    return emitError(loc) << user.op() << " node '" << user.name()
                          << "' reads '" << input << "', but there is no node '"
                          << name << "'";
  };
  if (function) {
    SmallVector<llvm::StringRef, 3> parts;
    input.split(parts, ':');
    if (parts.size() == 1) {
      for (size_t i = 0; i < argNames.size(); ++i)
        if (argNames[i] == input)
          return Ref{-static_cast<int>(i) - 1, 0};
      return missing(input);
    }
    auto it = byName.find(parts[0]);
    if (it == byName.end())
      return missing(parts[0]);
    int index = 0;
    if (parts.size() == 3 &&
        (parts[2].getAsInteger(10, index) || index < 0 || index > (1 << 20)))
      return emitError(loc) << "node '" << user.name()
                            << "' has a malformed input '" << input << "'";
    const NodeDef &producer = *nodes[it->second].def;
    std::optional<int> offset = outputArgOffset(producer.op(), parts[1]);
    if (!offset || index < 0)
      return emitError(loc) << "node '" << user.name() << "' reads output '"
                            << parts[1] << ":" << index << "' that "
                            << producer.op() << " node '" << producer.name()
                            << "' does not have";
    return Ref{it->second, *offset + index};
  }
  auto [name, indexText] = input.split(':');
  int index = 0;
  if (!indexText.empty() &&
      (indexText.getAsInteger(10, index) || index < 0 || index > (1 << 20)))
    return emitError(loc) << "node '" << user.name()
                          << "' has a malformed input '" << input << "'";
  auto it = byName.find(name);
  if (it == byName.end())
    return missing(name);
  return Ref{it->second, index};
}

/// Indexes `nodes` by name and resolves every data input.
static LogicalResult buildGraph(Graph &graph,
                                const google::protobuf::RepeatedPtrField<NodeDef> &nodes,
                                MLIRContext *ctx) {
  for (const NodeDef &node : nodes) {
    Location loc = nodeLoc(ctx, node.name());
    if (node.name().empty())
      return emitError(loc) << "a " << node.op() << " node has no name";
    if (!graph.byName.try_emplace(node.name(), graph.nodes.size()).second)
      return emitError(loc) << "two nodes are named '" << node.name() << "'";
    graph.nodes.push_back({&node, {}});
  }
  for (Graph::Node &n : graph.nodes) {
    for (const std::string &input : n.def->input()) {
      if (!input.empty() && input[0] == '^')
        continue; // control dependency: no data flows
      FailureOr<Ref> ref = graph.resolve(input, *n.def, ctx);
      if (failed(ref))
        return failure();
      n.inputs.push_back(*ref);
    }
  }
  return success();
}

FailureOr<Graph *> Importer::functionGraph(llvm::StringRef name,
                                           Location loc) {
  auto cached = functionGraphs.find(name);
  if (cached != functionGraphs.end())
    return cached->second.get();
  auto fit = functions.find(name);
  if (fit == functions.end())
    return emitError(loc) << "function '" << name
                          << "' is not in the graph's function library";
  const FunctionDef &fn = *fit->second;
  auto graph = std::make_unique<Graph>();
  graph->function = &fn;
  for (const auto &arg : fn.signature().input_arg())
    graph->argNames.push_back(arg.name());
  if (failed(buildGraph(*graph, fn.node_def(), ctx())))
    return failure();
  for (const auto &arg : fn.signature().output_arg()) {
    auto it = fn.ret().find(arg.name());
    if (it == fn.ret().end())
      return emitError(loc) << "function '" << name << "' does not define its "
                            << "output '" << arg.name() << "'";
    NodeDef retUser;
    retUser.set_name(name.str());
    retUser.set_op("return");
    FailureOr<Ref> ref = graph->resolve(it->second, retUser, ctx());
    if (failed(ref))
      return failure();
    graph->rets.push_back(*ref);
  }
  Graph *raw = graph.get();
  functionGraphs[name] = std::move(graph);
  return raw;
}

FailureOr<std::vector<int>> Importer::topoOrder(const Graph &graph,
                                                ArrayRef<Ref> roots) {
  enum : uint8_t { White, Grey, Black };
  std::vector<uint8_t> colour(graph.nodes.size(), White);
  std::vector<int> order;
  // Iterative depth-first search: (node, next input to visit).
  std::vector<std::pair<int, size_t>> stack;
  for (const Ref &root : roots) {
    if (root.isArg() || colour[root.node] != White)
      continue;
    stack.push_back({root.node, 0});
    colour[root.node] = Grey;
    while (!stack.empty()) {
      auto &[node, next] = stack.back();
      const Graph::Node &n = graph.nodes[node];
      if (next < n.inputs.size()) {
        const Ref &in = n.inputs[next++];
        if (in.isArg())
          continue;
        if (colour[in.node] == Grey)
          return emitError(nodeLoc(ctx(), graph.nodes[in.node].def->name()))
                 << "the graph has a cycle through node '"
                 << graph.nodes[in.node].def->name() << "' (and '"
                 << n.def->name() << "')";
        if (colour[in.node] == White) {
          colour[in.node] = Grey;
          stack.push_back({in.node, 0});
        }
        continue;
      }
      colour[node] = Black;
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

FailureOr<SmallVector<TFValue>>
Importer::importGraph(const Graph &graph, ArrayRef<Ref> roots,
                      ArrayRef<TFValue> args) {
  FailureOr<std::vector<int>> order = topoOrder(graph, roots);
  if (failed(order))
    return failure();
  std::vector<SmallVector<TFValue>> values(graph.nodes.size());
  auto lookup = [&](const Ref &ref, const NodeDef &user) -> FailureOr<TFValue> {
    if (ref.isArg()) {
      if (ref.argIndex() >= static_cast<int>(args.size()))
        return emitError(nodeLoc(ctx(), user.name()))
               << "internal error: function argument out of range";
      return args[ref.argIndex()];
    }
    const SmallVector<TFValue> &outs = values[ref.node];
    if (ref.output < 0 || ref.output >= static_cast<int>(outs.size()))
      return emitError(nodeLoc(ctx(), user.name()))
             << user.op() << " node '" << user.name() << "' reads output "
             << ref.output << " of " << graph.nodes[ref.node].def->op()
             << " node '" << graph.nodes[ref.node].def->name()
             << "', which has " << outs.size() << " output(s)";
    return outs[ref.output];
  };
  const llvm::StringMap<Converter> &table = converters();
  for (int index : *order) {
    const Graph::Node &n = graph.nodes[index];
    if (++nodesImported > kMaxImportOps)
      return emitError(nodeLoc(ctx(), n.def->name()))
             << "the model expands to more than " << kMaxImportOps
             << " nodes (deeply nested or repeated function calls, or a loop "
                "evaluated at import time)";
    SmallVector<TFValue> in;
    for (const Ref &ref : n.inputs) {
      FailureOr<TFValue> v = lookup(ref, *n.def);
      if (failed(v))
        return failure();
      in.push_back(*v);
    }
    auto it = table.find(n.def->op());
    Location loc = nodeLoc(ctx(), n.def->name());
    if (it == table.end())
      return emitError(loc) << "unsupported TensorFlow op " << n.def->op();
    FailureOr<SmallVector<TFValue>> outs = it->second(*this, *n.def, loc, in);
    if (failed(outs))
      return failure();
    values[index] = std::move(*outs);
  }
  SmallVector<TFValue> result;
  for (const Ref &root : roots) {
    NodeDef user;
    user.set_name(root.isArg() ? "function result" : graph.nodes[root.node].def->name());
    user.set_op("output");
    FailureOr<TFValue> v = lookup(root, user);
    if (failed(v))
      return failure();
    result.push_back(*v);
  }
  return result;
}

FailureOr<Value> Importer::tensor(const NodeDef &node, Location loc,
                                  ArrayRef<TFValue> in, size_t i) {
  if (i >= in.size())
    return emitError(loc) << node.op() << " node '" << node.name()
                          << "' needs at least " << i + 1
                          << " input(s), has " << in.size();
  const TFValue &v = in[i];
  switch (v.kind) {
  case TFValue::Kind::Tensor:
  case TFValue::Kind::LoopInput:
  case TFValue::Kind::LoopCounter: // a carried step counter has a value
    if (v.tensor)
      return v.tensor;
    break;
  case TFValue::Kind::Undefined:
    return emitError(loc) << node.op() << " node '" << node.name()
                          << "' reads input " << i
                          << ", an output TensorFlow defines only in training";
  default:
    break;
  }
  return emitError(loc) << node.op() << " node '" << node.name()
                        << "': input " << i
                        << " is a TensorList or loop counter, not a tensor";
}

FailureOr<SmallVector<int64_t>> Importer::constInts(const NodeDef &node,
                                                    Location loc,
                                                    ArrayRef<TFValue> in,
                                                    size_t i,
                                                    llvm::StringRef what) {
  FailureOr<Value> v = tensor(node, loc, in, i);
  if (failed(v))
    return failure();
  std::optional<SmallVector<int64_t>> ints = gb.getConstantInts(*v);
  if (!ints)
    return emitError(loc) << node.op() << " node '" << node.name() << "': "
                          << what
                          << " (input " << i
                          << ") must be a constant known at import time";
  return *ints;
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

namespace {
/// Collects the first text-format parse error.
class TextErrors : public google::protobuf::io::ErrorCollector {
public:
  void AddError(int line, int column, const std::string &message) override {
    if (first.empty())
      first = "line " + std::to_string(line + 1) + ", column " +
              std::to_string(column + 1) + ": " + message;
  }
  std::string first;
};
} // namespace

/// Records, for every node reachable from `roots` (through the functions
/// While and call nodes use), the op types the importer cannot convert.
static LogicalResult
collectUnsupported(Importer &imp, const Graph &graph, ArrayRef<Ref> roots,
                   std::map<std::string, std::vector<std::string>> &unsupported) {
  // A worklist of graphs, so that long chains of functions need no stack.
  llvm::StringSet<> visitedFunctions;
  std::vector<std::pair<const Graph *, std::vector<Ref>>> work;
  work.push_back({&graph, std::vector<Ref>(roots.begin(), roots.end())});
  const llvm::StringMap<Converter> &table = converters();
  while (!work.empty()) {
    auto [g, gRoots] = std::move(work.back());
    work.pop_back();
    FailureOr<std::vector<int>> order = imp.topoOrder(*g, gRoots);
    if (failed(order))
      return failure();
    for (int index : *order) {
      const NodeDef &node = *g->nodes[index].def;
      if (!table.count(node.op())) {
        unsupported[node.op()].push_back(node.name());
        continue;
      }
      for (const char *attr : {"body", "cond", "f"}) {
        const AttrValue *a = findAttr(node, attr);
        if (!a || a->value_case() != AttrValue::kFunc)
          continue;
        const std::string &fname = a->func().name();
        if (!visitedFunctions.insert(fname).second)
          continue;
        FailureOr<Graph *> body =
            imp.functionGraph(fname, nodeLoc(imp.ctx(), node.name()));
        if (failed(body))
          return failure();
        work.push_back({*body, (*body)->rets});
      }
    }
  }
  return success();
}

OwningOpRef<ModuleOp> kiln::importer::importGraphDef(llvm::StringRef bytes,
                                                     bool text,
                                                     const ImportOptions &options,
                                                     MLIRContext &context) {
  context.loadDialect<KilnDialect, func::FuncDialect>();
  Location fileLoc = UnknownLoc::get(&context);
  kiln::tfproto::GraphDef graphDef;
  if (text) {
    google::protobuf::TextFormat::Parser parser;
    TextErrors errors;
    parser.RecordErrorsTo(&errors);
    parser.AllowUnknownField(true);
    if (!parser.ParseFromString(bytes.str(), &graphDef)) {
      emitError(fileLoc) << "not a valid text-format GraphDef: "
                         << errors.first;
      return nullptr;
    }
  } else {
    if (bytes.size() > static_cast<size_t>(INT_MAX) ||
        !graphDef.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      emitError(fileLoc) << "not a valid binary GraphDef (truncated or "
                            "corrupt protobuf, "
                         << bytes.size() << " bytes)";
      return nullptr;
    }
  }
  if (graphDef.node_size() == 0) {
    emitError(fileLoc) << "the GraphDef has no nodes";
    return nullptr;
  }

  OpBuilder b(&context);
  Importer imp(b, graphDef, options);
  for (const FunctionDef &fn : graphDef.library().function())
    if (!imp.functions.try_emplace(fn.signature().name(), &fn).second) {
      emitError(fileLoc) << "the function library defines '"
                         << fn.signature().name() << "' twice";
      return nullptr;
    }
  Graph graph;
  if (failed(buildGraph(graph, graphDef.node(), &context)))
    return nullptr;

  // Outputs: the requested nodes, else every node no other node reads.
  std::vector<Ref> roots;
  std::vector<std::string> rootNames;
  if (!options.outputs.empty()) {
    NodeDef user;
    user.set_name("--output");
    user.set_op("option");
    for (const std::string &name : options.outputs) {
      FailureOr<Ref> ref = graph.resolve(name, user, &context);
      if (failed(ref))
        return nullptr;
      roots.push_back(*ref);
      rootNames.push_back(name);
    }
  } else {
    // Nodes read by another node, through data or control edges (Keras'
    // frozen graphs keep weight reads alive through control edges only).
    std::vector<bool> consumed(graph.nodes.size(), false);
    for (const Graph::Node &n : graph.nodes) {
      for (const Ref &r : n.inputs)
        consumed[r.node] = true;
      for (const std::string &input : n.def->input()) {
        if (input.empty() || input[0] != '^')
          continue;
        auto it = graph.byName.find(llvm::StringRef(input).drop_front());
        if (it != graph.byName.end())
          consumed[it->second] = true;
      }
    }
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      llvm::StringRef op = graph.nodes[i].def->op();
      if (consumed[i] || op == "NoOp" || op == "Const" || op == "Placeholder" ||
          op == "Assert" || op == "SaveV2" || op == "RestoreV2")
        continue;
      roots.push_back(Ref{static_cast<int>(i), 0});
      rootNames.push_back(graph.nodes[i].def->name());
    }
    if (roots.empty()) {
      emitError(fileLoc) << "the graph has no outputs (every node's result "
                            "is consumed); name them with --output";
      return nullptr;
    }
  }

  std::map<std::string, std::vector<std::string>> unsupported;
  if (failed(collectUnsupported(imp, graph, roots, unsupported)))
    return nullptr;
  if (!unsupported.empty()) {
    InFlightDiagnostic diag = emitError(fileLoc);
    diag << "unsupported TensorFlow ops: ";
    bool firstOp = true;
    for (const auto &[op, nodes] : unsupported) {
      diag << (firstOp ? "" : "; ") << op << " (";
      firstOp = false;
      for (size_t i = 0; i < nodes.size(); ++i) {
        if (i == 8) {
          diag << ", and " << nodes.size() - 8 << " more";
          break;
        }
        diag << (i ? ", " : "") << "'" << nodes[i] << "'";
      }
      diag << ")";
    }
    return nullptr;
  }

  // Inputs: every Placeholder the outputs need, in graph order.
  FailureOr<std::vector<int>> order = imp.topoOrder(graph, roots);
  if (failed(order))
    return nullptr;
  std::vector<int> placeholders;
  for (int index : *order)
    if (graph.nodes[index].def->op() == "Placeholder")
      placeholders.push_back(index);
  llvm::sort(placeholders);
  SmallVector<Type> argTypes;
  for (int index : placeholders) {
    const NodeDef &node = *graph.nodes[index].def;
    Location loc = nodeLoc(&context, node.name());
    FailureOr<const AttrValue *> dtype =
        requireAttr(node, loc, "dtype", AttrValue::kType);
    if (failed(dtype))
      return nullptr;
    FailureOr<Type> element = elementType(&context, (*dtype)->type(), loc);
    if (failed(element))
      return nullptr;
    std::optional<SmallVector<int64_t>> modelShape;
    if (const AttrValue *s = findAttr(node, "shape");
        s && s->value_case() == AttrValue::kShape && !s->shape().unknown_rank()) {
      modelShape.emplace();
      for (const auto &d : s->shape().dim())
        modelShape->push_back(d.size() < 0 ? -1 : d.size());
    }
    std::optional<ArrayRef<int64_t>> shapeRef;
    if (modelShape)
      shapeRef = ArrayRef<int64_t>(*modelShape);
    FailureOr<SmallVector<int64_t>> shape =
        resolveInputShape(options, node.name(), shapeRef, loc);
    if (failed(shape))
      return nullptr;
    argTypes.push_back(RankedTensorType::get(*shape, *element));
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  auto fn = b.create<func::FuncOp>(fileLoc, options.functionName,
                                   b.getFunctionType(argTypes, {}));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);

  // Placeholders are bound like function arguments of the main graph.
  Graph &mainGraph = graph;
  SmallVector<TFValue> noArgs;
  std::vector<std::pair<int, TFValue>> bound;
  for (size_t i = 0; i < placeholders.size(); ++i) {
    fn.setArgAttr(i, "kiln.name",
                  b.getStringAttr(graph.nodes[placeholders[i]].def->name()));
    imp.placeholderValues[graph.nodes[placeholders[i]].def->name()] =
        entry->getArgument(i);
  }
  FailureOr<SmallVector<TFValue>> results =
      imp.importGraph(mainGraph, roots, noArgs);
  if (failed(results))
    return nullptr;
  SmallVector<Value> returned;
  for (size_t i = 0; i < results->size(); ++i) {
    const TFValue &v = (*results)[i];
    if (v.kind != TFValue::Kind::Tensor || !v.tensor) {
      emitError(nodeLoc(&context, rootNames[i]))
          << "output '" << rootNames[i] << "' is not a tensor";
      return nullptr;
    }
    returned.push_back(v.tensor);
  }
  b.create<func::ReturnOp>(fileLoc, returned);
  eraseDeadOps(fn.getBody());
  fn.setType(b.getFunctionType(argTypes, ValueRange(returned).getTypes()));
  for (size_t i = 0; i < rootNames.size(); ++i)
    fn.setResultAttr(i, "kiln.name", b.getStringAttr(rootNames[i]));
  return module;
}
