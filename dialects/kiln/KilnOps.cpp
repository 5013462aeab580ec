//===- KilnOps.cpp - verifiers and builders of kiln ops -------------------===//

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace kiln;

/// Parses `(` type-list `)` where the list may be empty, so that a scan
/// without results (printed `-> ()`) reads back.
static ParseResult parseParenTypeList(OpAsmParser &parser,
                                      SmallVectorImpl<Type> &types) {
  return parser.parseCommaSeparatedList(
      OpAsmParser::Delimiter::Paren,
      [&] { return parser.parseType(types.emplace_back()); });
}

static void printParenTypeList(OpAsmPrinter &p, Operation *, TypeRange types) {
  p << '(';
  llvm::interleaveComma(types, p);
  p << ')';
}

#define GET_OP_CLASSES
#include "dialects/kiln/KilnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  auto type = cast<ShapedType>(getValue().getType());
  if (type != getType())
    return emitOpError("value type ") << type << " differs from result type "
                                      << getType();
  // A resource blob that is present must hold exactly the tensor's bytes.
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(getValue())) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return success(); // resolved later, when the resource section is read
    Type element = type.getElementType();
    unsigned bits = element.getIntOrFloatBitWidth();
    int64_t bytesPerElement = bits == 1 ? 1 : bits / 8;
    int64_t expected;
    if (llvm::MulOverflow(type.getNumElements(), bytesPerElement, expected) ||
        static_cast<int64_t>(blob->getData().size()) != expected)
      return emitOpError("dense_resource '")
             << resource.getRawHandle().getKey() << "' holds "
             << blob->getData().size() << " bytes but " << type << " needs "
             << expected;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Softmax, dropout
//===----------------------------------------------------------------------===//

static LogicalResult verifyAxis(Operation *op, int64_t axis, ShapedType type) {
  if (failed(normalizeAxis(axis, type.getRank())))
    return op->emitOpError("axis ")
           << axis << " is out of range for operand 'x' (" << type << ")";
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getX().getType());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getX().getType());
}

LogicalResult DropoutOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError("rate must be in [0, 1), got ") << rate;
  return success();
}

//===----------------------------------------------------------------------===//
// ScanOp
//===----------------------------------------------------------------------===//

/// The type of one step's slice of `type` along `axis`.
static RankedTensorType dropDim(RankedTensorType type, int64_t axis) {
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  return RankedTensorType::get(shape, type.getElementType());
}

/// The type of per-step outputs of `type` stacked over `steps` along `axis`.
static RankedTensorType insertDim(RankedTensorType type, int64_t axis,
                                  int64_t steps) {
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + axis, steps);
  return RankedTensorType::get(shape, type.getElementType());
}

void ScanOp::build(OpBuilder &builder, OperationState &state, ValueRange init,
                   ValueRange sequences, bool reverse, int64_t axis,
                   function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                   ValueRange)>
                       bodyBuilder) {
  state.addOperands(init);
  state.addOperands(sequences);
  Properties &props = state.getOrAddProperties<Properties>();
  props.operandSegmentSizes = {static_cast<int32_t>(init.size()),
                               static_cast<int32_t>(sequences.size())};
  props.reverse = builder.getBoolAttr(reverse);
  props.axis = builder.getI64IntegerAttr(axis);

  Region *body = state.addRegion();
  Block *block = new Block();
  body->push_back(block);
  for (Value v : init)
    block->addArgument(v.getType(), state.location);
  for (Value v : sequences)
    block->addArgument(dropDim(cast<RankedTensorType>(v.getType()), axis),
                       state.location);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(block);
  SmallVector<Value> yielded =
      bodyBuilder(builder, state.location, block->getArguments());
  builder.create<YieldOp>(state.location, yielded);

  int64_t steps = sequences.empty()
                      ? 0
                      : cast<RankedTensorType>(sequences[0].getType())
                            .getDimSize(axis);
  for (auto [i, v] : llvm::enumerate(yielded)) {
    auto type = cast<RankedTensorType>(v.getType());
    state.addTypes(i < init.size() ? Type(type)
                                   : Type(insertDim(type, axis, steps)));
  }
}

int64_t ScanOp::getNumSteps() {
  if (getSequences().empty())
    return getLength().value_or(0);
  return cast<RankedTensorType>(getSequences()[0].getType())
      .getDimSize(getAxis());
}

LogicalResult ScanOp::verify() {
  int64_t axis = getAxis();
  if (axis < 0)
    return emitOpError("axis must be >= 0, got ") << axis;
  if (getSequences().empty() && !getLength())
    return emitOpError("needs a 'length' attribute when it has no sequences");
  if (getLength() && *getLength() < 0)
    return emitOpError("length must be >= 0, got ") << *getLength();
  std::optional<int64_t> steps = getLength();
  for (auto [i, v] : llvm::enumerate(getSequences())) {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getRank() <= axis)
      return emitOpError("sequence #") << i << " (" << type
                                       << ") has no axis " << axis;
    if (steps && type.getDimSize(axis) != *steps)
      return emitOpError("sequence #")
             << i << " (" << type << ") has " << type.getDimSize(axis)
             << " steps along axis " << axis << ", expected " << *steps;
    steps = type.getDimSize(axis);
  }
  if (getNumResults() < getInit().size())
    return emitOpError("has ") << getNumResults() << " results but "
                               << getInit().size() << " carried values";
  for (auto [i, v] : llvm::enumerate(getInit()))
    if (v.getType() != getResult(i).getType())
      return emitOpError("result #")
             << i << " (" << getResult(i).getType()
             << ") must have the type of carried value #" << i << " ("
             << v.getType() << ")";
  return success();
}

LogicalResult ScanOp::verifyRegions() {
  Block &block = getBody().front();
  size_t numInit = getInit().size();
  int64_t axis = getAxis();
  if (block.getNumArguments() != numInit + getSequences().size())
    return emitOpError("body has ")
           << block.getNumArguments() << " arguments, expected " << numInit
           << " carried values + " << getSequences().size()
           << " sequence slices";
  for (auto [i, v] : llvm::enumerate(getInit()))
    if (block.getArgument(i).getType() != v.getType())
      return emitOpError("body argument #")
             << i << " (" << block.getArgument(i).getType()
             << ") must have the type of carried value #" << i << " ("
             << v.getType() << ")";
  for (auto [i, v] : llvm::enumerate(getSequences())) {
    Type expected = dropDim(cast<RankedTensorType>(v.getType()), axis);
    Type actual = block.getArgument(numInit + i).getType();
    if (actual != expected)
      return emitOpError("body argument #")
             << numInit + i << " (" << actual << ") must be the step slice "
             << expected << " of sequence #" << i;
  }
  auto yield = block.empty() ? YieldOp() : dyn_cast<YieldOp>(block.back());
  if (!yield)
    return emitOpError("body must end with kiln.yield");
  if (yield.getNumOperands() != getNumResults())
    return yield.emitOpError("yields ")
           << yield.getNumOperands() << " values but the enclosing scan has "
           << getNumResults() << " results";
  int64_t steps = getNumSteps();
  for (auto [i, v] : llvm::enumerate(yield.getValues())) {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getRank() < axis && i >= numInit)
      return yield.emitOpError("per-step output #")
             << i - numInit << " (" << type << ") has rank below axis " << axis;
    Type expected = i < numInit ? Type(type) : Type(insertDim(type, axis, steps));
    if (getResult(i).getType() != expected)
      return emitOpError("result #")
             << i << " (" << getResult(i).getType() << ") does not match "
             << (i < numInit ? "the yielded carried value " : "the stacked per-step output ")
             << expected;
  }
  return success();
}

void kiln::eraseDeadOps(Region &region) {
  for (Block &block : region) {
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block))) {
      for (Region &inner : op.getRegions())
        eraseDeadOps(inner);
      if (op.use_empty() && !op.hasTrait<OpTrait::IsTerminator>() &&
          isMemoryEffectFree(&op))
        op.erase();
    }
  }
}

LogicalResult FusionOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("body has ") << body.getNumArguments()
                                    << " arguments for " << getInputs().size()
                                    << " inputs";
  for (auto [i, arg, input] :
       llvm::enumerate(body.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError("body argument ")
             << i << " has type " << arg.getType() << " but input " << i
             << " has type " << input.getType();
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("body must end with kiln.yield");
  if (yield.getValues().size() != getNumResults())
    return emitOpError("body yields ") << yield.getValues().size()
                                       << " values for " << getNumResults()
                                       << " results";
  for (auto [i, v, r] : llvm::enumerate(yield.getValues(), getResults()))
    if (v.getType() != r.getType())
      return emitOpError("yielded value ")
             << i << " has type " << v.getType() << " but result " << i
             << " has type " << r.getType();
  return success();
}

std::string kiln::shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::interleave(
      shape, [&](int64_t d) { s += std::to_string(d); }, [&] { s += ", "; });
  return s + "]";
}
