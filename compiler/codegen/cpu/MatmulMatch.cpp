//===- MatmulMatch.cpp - matmuls on buffers that a library call can run --===//

#include "compiler/codegen/cpu/MatmulMatch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace kiln::codegen {

std::optional<Operand> contiguousRows(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(getStridesAndOffset(type, strides, offset)) ||
      ShapedType::isDynamic(offset) || strides.back() != 1 ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  return Operand{v, strides};
}

Value elementPointer(OpBuilder &b, Location loc, Value memref) {
  auto meta = b.create<memref::ExtractStridedMetadataOp>(loc, memref);
  Value base = b.create<memref::ExtractAlignedPointerAsIndexOp>(
      loc, meta.getBaseBuffer());
  auto type = cast<MemRefType>(memref.getType());
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  Value byteOffset = b.create<arith::MulIOp>(
      loc, meta.getOffset(),
      b.create<arith::ConstantIndexOp>(loc, elementBytes));
  Value address = b.create<arith::AddIOp>(loc, base, byteOffset);
  Value asInt = b.create<arith::IndexCastOp>(loc, b.getI64Type(), address);
  return b.create<LLVM::IntToPtrOp>(loc, LLVM::LLVMPointerType::get(b.getContext()),
                                    asInt);
}

bool isZeroFillOf(Operation *op, Value out) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op);
  if (!fill || fill.getOutputs()[0] != out)
    return false;
  FloatAttr value;
  return matchPattern(fill.getInputs()[0], m_Constant(&value)) &&
         value.getValue().isPosZero();
}

bool mayTouch(Operation *op, Value root, bool reads) {
  WalkResult walk = op->walk([&](Operation *inner) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
    if (!effects) {
      // Ops with regions report their nested ops' effects through the
      // walk; anything else unknown may touch anything.
      if (inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>() ||
          isPure(inner))
        return WalkResult::advance();
      return WalkResult::interrupt();
    }
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffects(list);
    for (auto &effect : list) {
      bool write = isa<MemoryEffects::Write>(effect.getEffect());
      bool read = isa<MemoryEffects::Read>(effect.getEffect());
      if (!write && !(reads && read))
        continue;
      Value target = effect.getValue();
      if (!target || rootBuffer(target) == root)
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return walk.wasInterrupted();
}

namespace {
/// How far back zeroInitializer looks for the initializer.
constexpr int kInitializerSearch = 64;

/// The nearest op before `user` (within kInitializerSearch) for which
/// `found` holds, if nothing between them writes `buffer` (with `reads`,
/// or reads it).
Operation *lastBefore(Operation *user, Value buffer, bool reads,
                      llvm::function_ref<bool(Operation *)> found) {
  Value root = rootBuffer(buffer);
  int steps = 0;
  for (Operation *op = user->getPrevNode(); op && steps < kInitializerSearch;
       op = op->getPrevNode(), ++steps) {
    if (found(op))
      return op;
    if (mayTouch(op, root, reads))
      return nullptr;
  }
  return nullptr;
}
} // namespace

Operation *zeroInitializer(Operation *user, Value out) {
  return lastBefore(user, out, /*reads=*/true, [&](Operation *op) {
    if (isZeroFillOf(op, out))
      return true;
    // A copy of a buffer still holding its zero fill.
    auto copy = dyn_cast<memref::CopyOp>(op);
    Value source = copy ? copy.getSource() : Value();
    return copy && copy.getTarget() == out &&
           source.getType() == out.getType() &&
           lastBefore(copy, source, /*reads=*/false, [&](Operation *fill) {
             return isZeroFillOf(fill, source);
           });
  });
}

void eraseZeroInitializer(Operation *init) {
  auto copy = dyn_cast<memref::CopyOp>(init);
  Value source = copy ? copy.getSource() : Value();
  init->erase();
  auto alloc = source ? source.getDefiningOp<memref::AllocOp>() : nullptr;
  if (!alloc)
    return;
  // The shared zero buffer, if its fill is all that is left of its uses.
  SmallVector<Operation *> users(alloc->getUsers());
  if (llvm::all_of(users, [&](Operation *user) {
        return isZeroFillOf(user, alloc.getResult());
      })) {
    for (Operation *user : users)
      user->erase();
    alloc->erase();
  }
}

Value rootBuffer(Value v) {
  while (true) {
    if (auto cast = v.getDefiningOp<memref::ReinterpretCastOp>())
      v = cast.getSource();
    else if (auto meta = v.getDefiningOp<memref::ExtractStridedMetadataOp>())
      v = meta.getSource();
    else
      return v;
  }
}

/// The static offset of `v` if it is laid out densely, row-major.
static std::optional<int64_t> denseRowMajorOffset(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(getStridesAndOffset(type, strides, offset)) ||
      ShapedType::isDynamic(offset))
    return std::nullopt;
  int64_t expected = 1;
  for (int64_t d = type.getRank() - 1; d >= 0; --d) {
    if (type.getDimSize(d) != 1 && strides[d] != expected)
      return std::nullopt;
    expected *= type.getDimSize(d);
  }
  return offset;
}

bool isDenseRowMajor(Value v) { return denseRowMajorOffset(v).has_value(); }

/// `v` covers its root buffer from the first element, densely, row-major.
static bool isDenseFromStart(Value v) { return denseRowMajorOffset(v) == 0; }

/// Whether every use of `buffer` (through views) is by `a` or `b`.
static bool onlyUsedBy(Value buffer, Operation *a, Operation *b) {
  for (Operation *user : buffer.getUsers()) {
    if (user == a || user == b)
      continue;
    if (isa<memref::ReinterpretCastOp, memref::ExtractStridedMetadataOp>(user)) {
      for (Value r : user->getResults())
        if (!onlyUsedBy(r, a, b))
          return false;
      continue;
    }
    return false;
  }
  return true;
}

std::optional<Epilogue> matchEpilogue(Operation *matmul, Operation *next,
                                      Value c, int64_t n) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(next);
  if (!generic || !generic.hasPureBufferSemantics() ||
      generic.getNumDpsInputs() < 1 || generic.getNumDpsInputs() > 2 ||
      generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() != 0 ||
      !isDenseFromStart(c))
    return std::nullopt;
  unsigned numInputs = generic.getNumDpsInputs();
  unsigned rank = generic.getNumLoops();
  int64_t elements = cast<MemRefType>(c.getType()).getNumElements();
  auto sameElements = [&](Value v) {
    return isDenseFromStart(v) && cast<MemRefType>(v.getType()).getRank() >= 1 &&
           cast<MemRefType>(v.getType()).getNumElements() == elements &&
           cast<MemRefType>(v.getType()).getShape().back() == n;
  };
  Value out = generic.getDpsInits()[0];
  Value root = rootBuffer(c);
  if (!sameElements(out))
    return std::nullopt;
  // The result must land in c itself, or c must die here (only the
  // matmul and this epilogue use it) and the result must not overwrite an
  // operand the fused call still reads.
  if (rootBuffer(out) != root) {
    if (!root.getDefiningOp<memref::AllocOp>() ||
        !onlyUsedBy(root, matmul, generic))
      return std::nullopt;
    for (Value operand : matmul->getOperands())
      if (rootBuffer(operand) == rootBuffer(out))
        return std::nullopt;
    for (Value in : generic.getDpsInputs())
      if (rootBuffer(in) != root && rootBuffer(in) == rootBuffer(out))
        return std::nullopt;
  }
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, next->getContext());
  int cIndex = -1;
  for (unsigned i = 0; i < numInputs; ++i) {
    Value in = generic.getDpsInputs()[i];
    if (rootBuffer(in) == root && sameElements(in) &&
        generic.getIndexingMapsArray()[i] == identity)
      cIndex = i;
  }
  if (cIndex < 0 || generic.getIndexingMapsArray()[numInputs] != identity)
    return std::nullopt;
  Block &body = generic.getRegion().front();
  auto isReluOf = [&](Operation *op, Value x) {
    auto max = dyn_cast_or_null<arith::MaximumFOp>(op);
    FloatAttr zero;
    return max && max.getLhs() == x &&
           matchPattern(max.getRhs(), m_Constant(&zero)) &&
           zero.getValue().isZero();
  };
  if (numInputs == 1) {
    // A ReLU alone: yield maximumf(c, 0).
    auto ops = body.without_terminator();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    if (!llvm::hasSingleElement(ops) || yield.getValues().size() != 1 ||
        yield.getValues()[0].getDefiningOp() != &*ops.begin() ||
        !isReluOf(&*ops.begin(), body.getArgument(0)))
      return std::nullopt;
    return Epilogue{generic, Value(), out, /*relu=*/true};
  }
  Value bias = generic.getDpsInputs()[1 - cIndex];
  AffineMap biasMap = generic.getIndexingMapsArray()[1 - cIndex];
  auto biasType = dyn_cast<MemRefType>(bias.getType());
  if (!biasType || biasType.getRank() != 1 || biasType.getDimSize(0) != n ||
      !biasType.getElementType().isF32() || !biasType.getLayout().isIdentity() ||
      biasMap.getNumResults() != 1 ||
      biasMap.getResult(0) != getAffineDimExpr(rank - 1, next->getContext()))
    return std::nullopt;
  // Body: add(c, bias) [then maximumf(_, 0)], yield.
  auto ops = body.without_terminator();
  auto it = ops.begin();
  if (it == ops.end())
    return std::nullopt;
  auto add = dyn_cast<arith::AddFOp>(*it);
  if (!add)
    return std::nullopt;
  Value cArg = body.getArgument(cIndex), biasArg = body.getArgument(1 - cIndex);
  if (!((add.getLhs() == cArg && add.getRhs() == biasArg) ||
        (add.getLhs() == biasArg && add.getRhs() == cArg)))
    return std::nullopt;
  Value result = add;
  bool relu = false;
  if (++it != ops.end()) {
    if (!isReluOf(&*it, result))
      return std::nullopt;
    result = it->getResult(0);
    relu = true;
    if (++it != ops.end())
      return std::nullopt;
  }
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1 || yield.getValues()[0] != result)
    return std::nullopt;
  return Epilogue{generic, bias, out, relu};
}

std::optional<MatmulSpec> matchMatmul(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::MatmulTransposeAOp,
           linalg::MatmulTransposeBOp, linalg::BatchMatmulOp,
           linalg::BatchMatmulTransposeAOp, linalg::BatchMatmulTransposeBOp>(
          op.getOperation()) ||
      !op.hasPureBufferSemantics())
    return std::nullopt;
  std::optional<Operand> a = contiguousRows(op.getDpsInputs()[0]);
  std::optional<Operand> b = contiguousRows(op.getDpsInputs()[1]);
  std::optional<Operand> c = contiguousRows(op.getDpsInits()[0]);
  if (!a || !b || !c)
    return std::nullopt;
  MatmulSpec s;
  s.batched = isa<linalg::BatchMatmulOp, linalg::BatchMatmulTransposeAOp,
                  linalg::BatchMatmulTransposeBOp>(op.getOperation());
  s.transposeA =
      isa<linalg::MatmulTransposeAOp, linalg::BatchMatmulTransposeAOp>(
          op.getOperation());
  s.transposeB =
      isa<linalg::MatmulTransposeBOp, linalg::BatchMatmulTransposeBOp>(
          op.getOperation());
  auto cType = cast<MemRefType>(c->memref.getType());
  auto aType = cast<MemRefType>(a->memref.getType());
  unsigned r = s.batched ? 1 : 0;
  s.batch = s.batched ? cType.getDimSize(0) : 1;
  s.m = cType.getDimSize(r);
  s.n = cType.getDimSize(r + 1);
  s.k = s.transposeA ? aType.getDimSize(r) : aType.getDimSize(r + 1);
  // The row stride of a dimension of size 1 is arbitrary in the type; the
  // libraries want at least a row's length.
  auto rowStride = [&](const Operand &o) {
    auto type = cast<MemRefType>(o.memref.getType());
    int64_t stride = o.strides[r];
    return type.getDimSize(r) == 1 ? std::max(stride, type.getDimSize(r + 1))
                                   : stride;
  };
  s.lda = rowStride(*a);
  s.ldb = rowStride(*b);
  s.ldc = rowStride(*c);
  if (s.batched) {
    s.strideA = a->strides[0];
    s.strideB = b->strides[0];
    s.strideC = c->strides[0];
  }
  s.a = std::move(*a);
  s.b = std::move(*b);
  s.c = std::move(*c);
  return s;
}

} // namespace kiln::codegen
