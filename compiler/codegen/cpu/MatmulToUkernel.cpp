//===- MatmulToUkernel.cpp - the kiln-matmul-to-ukernel pass --------------===//

#include "compiler/codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

namespace kiln {
#define GEN_PASS_DEF_KILNMATMULTOUKERNEL
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

constexpr StringLiteral kUkernel = "kiln_uk_matmul_f32";
// Flags and activations of compiler/ukernels/Ukernels.h.
constexpr int32_t kTransA = 1, kTransB = 2, kAccumulate = 4;
constexpr int32_t kActNone = 0, kActRelu = 1;

/// A memref operand with a static layout whose innermost stride is 1.
struct Operand {
  Value memref;
  SmallVector<int64_t> strides;
};

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

/// `!llvm.ptr` to the first element of `memref` (base + offset).
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

func::FuncOp declareUkernel(ModuleOp module) {
  if (auto f = module.lookupSymbol<func::FuncOp>(kUkernel))
    return f;
  MLIRContext *ctx = module.getContext();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64), i32 = IntegerType::get(ctx, 32);
  auto type = FunctionType::get(ctx,
                                {ptr, ptr, ptr, i64, i64, i64, i64, i64, i64,
                                 i64, i64, i64, i64, i32, ptr, i32, ptr},
                                {});
  OpBuilder b(module.getBodyRegion());
  auto f = b.create<func::FuncOp>(module.getLoc(), kUkernel, type);
  f.setPrivate();
  return f;
}

/// `fill` is `linalg.fill` of +0.0 into exactly `out`.
bool isZeroFillOf(Operation *op, Value out) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op);
  if (!fill || fill.getOutputs()[0] != out)
    return false;
  FloatAttr value;
  return matchPattern(fill.getInputs()[0], m_Constant(&value)) &&
         value.getValue().isPosZero();
}

/// A bias-add (+ ReLU) epilogue that can run inside the kernel.
struct Epilogue {
  linalg::GenericOp op;
  Value bias;       // contiguous [N] f32
  Value output;     // where the epilogue writes
  bool relu = false;
};

/// `next` is `out[..., n] = (relu?)(c[..., n] + bias[n])` reading the matmul
/// result `c` (an identity-mapped input); unless `out` is `c` itself, nothing
/// but `matmul` and `next` may use `c` (it will never be written).
/// The buffer `v` views (through the reinterpret_casts that reshapes
/// become after expand-strided-metadata).
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

/// `v` covers its root buffer from the first element, densely, row-major.
bool isDenseFromStart(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || !type.hasStaticShape())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(getStridesAndOffset(type, strides, offset)) || offset != 0)
    return false;
  int64_t expected = 1;
  for (int64_t d = type.getRank() - 1; d >= 0; --d) {
    if (type.getDimSize(d) != 1 && strides[d] != expected)
      return false;
    expected *= type.getDimSize(d);
  }
  return true;
}

/// Whether every use of `buffer` (through views) is by `a` or `b`.
bool onlyUsedBy(Value buffer, Operation *a, Operation *b) {
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
      generic.getNumDpsInputs() != 2 || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0 || !isDenseFromStart(c))
    return std::nullopt;
  unsigned rank = generic.getNumLoops();
  int64_t elements = cast<MemRefType>(c.getType()).getNumElements();
  auto sameElements = [&](Value v) {
    return isDenseFromStart(v) &&
           cast<MemRefType>(v.getType()).getNumElements() == elements &&
           cast<MemRefType>(v.getType()).getShape().back() == n;
  };
  Value out = generic.getDpsInits()[0];
  Value root = rootBuffer(c);
  if (!sameElements(out))
    return std::nullopt;
  // The result must land in c itself, or c must die here (only the
  // matmul and this epilogue use it).
  if (rootBuffer(out) != root &&
      (!root.getDefiningOp<memref::AllocOp>() ||
       !onlyUsedBy(root, matmul, generic)))
    return std::nullopt;
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, next->getContext());
  int cIndex = -1;
  for (unsigned i = 0; i < 2; ++i) {
    Value in = generic.getDpsInputs()[i];
    if (rootBuffer(in) == root && sameElements(in) &&
        generic.getIndexingMapsArray()[i] == identity)
      cIndex = i;
  }
  if (cIndex < 0 || generic.getIndexingMapsArray()[2] != identity)
    return std::nullopt;
  Value bias = generic.getDpsInputs()[1 - cIndex];
  AffineMap biasMap = generic.getIndexingMapsArray()[1 - cIndex];
  auto biasType = dyn_cast<MemRefType>(bias.getType());
  if (!biasType || biasType.getRank() != 1 || biasType.getDimSize(0) != n ||
      !biasType.getElementType().isF32() || !biasType.getLayout().isIdentity() ||
      biasMap.getNumResults() != 1 ||
      biasMap.getResult(0) != getAffineDimExpr(rank - 1, next->getContext()))
    return std::nullopt;
  // Body: add(c, bias) [then maximumf(_, 0)], yield.
  Block &body = generic.getRegion().front();
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
    auto max = dyn_cast<arith::MaximumFOp>(*it);
    FloatAttr zero;
    if (!max || max.getLhs() != result ||
        !matchPattern(max.getRhs(), m_Constant(&zero)) ||
        !zero.getValue().isZero() || ++it != ops.end())
      return std::nullopt;
    result = max;
    relu = true;
  }
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1 || yield.getValues()[0] != result)
    return std::nullopt;
  return Epilogue{generic, bias, out, relu};
}

struct KilnMatmulToUkernel
    : kiln::impl::KilnMatmulToUkernelBase<KilnMatmulToUkernel> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<func::FuncOp, linalg::LinalgOp>> matmuls;
    module.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::MatmulTransposeAOp,
              linalg::MatmulTransposeBOp, linalg::BatchMatmulOp,
              linalg::BatchMatmulTransposeAOp,
              linalg::BatchMatmulTransposeBOp>(op) &&
          op.hasPureBufferSemantics())
        matmuls.push_back({op->getParentOfType<func::FuncOp>(), op});
    });
    for (auto [func, op] : matmuls)
      lower(module, func, op);
  }

  void lower(ModuleOp module, func::FuncOp func, linalg::LinalgOp op) {
    std::optional<Operand> a = contiguousRows(op.getDpsInputs()[0]);
    std::optional<Operand> bm = contiguousRows(op.getDpsInputs()[1]);
    std::optional<Operand> c = contiguousRows(op.getDpsInits()[0]);
    if (!a || !bm || !c)
      return;
    bool batched = isa<linalg::BatchMatmulOp, linalg::BatchMatmulTransposeAOp,
                       linalg::BatchMatmulTransposeBOp>(op);
    bool ta = isa<linalg::MatmulTransposeAOp, linalg::BatchMatmulTransposeAOp>(op);
    bool tb = isa<linalg::MatmulTransposeBOp, linalg::BatchMatmulTransposeBOp>(op);
    auto cType = cast<MemRefType>(c->memref.getType());
    auto aType = cast<MemRefType>(a->memref.getType());
    unsigned r = batched ? 1 : 0;
    int64_t batch = batched ? cType.getDimSize(0) : 1;
    int64_t m = cType.getDimSize(r), n = cType.getDimSize(r + 1);
    int64_t k = ta ? aType.getDimSize(r) : aType.getDimSize(r + 1);
    int32_t flags = (ta ? kTransA : 0) | (tb ? kTransB : 0);

    OpBuilder b(op);
    Location loc = op.getLoc();
    Operation *prev = op->getPrevNode();
    if (isZeroFillOf(prev, c->memref))
      prev->erase();
    else
      flags |= kAccumulate;

    auto i64 = [&](int64_t v) {
      return b.create<arith::ConstantIntOp>(loc, v, 64).getResult();
    };
    auto i32 = [&](int64_t v) {
      return b.create<arith::ConstantIntOp>(loc, v, 32).getResult();
    };
    Type ptrType = LLVM::LLVMPointerType::get(&getContext());
    Value host;
    if (std::optional<unsigned> h = kiln::findAbiArgument(func, "host"))
      host = func.getArgument(*h);
    else
      host = b.create<LLVM::ZeroOp>(loc, ptrType);
    Value bias = b.create<LLVM::ZeroOp>(loc, ptrType);
    int32_t activation = kActNone;
    Value out = c->memref;
    std::optional<Epilogue> epilogue;
    if (!(flags & kAccumulate))
      epilogue = matchEpilogue(op, op->getNextNode(), c->memref, n);
    if (epilogue) {
      bias = elementPointer(b, loc, epilogue->bias);
      activation = epilogue->relu ? kActRelu : kActNone;
      out = epilogue->output;
    } else {
      epilogue.reset();
    }
    SmallVector<Value> args = {
        elementPointer(b, loc, a->memref),
        elementPointer(b, loc, bm->memref),
        elementPointer(b, loc, out),
        i64(batch), i64(m), i64(n), i64(k),
        i64(a->strides[r]), i64(bm->strides[r]), i64(c->strides[r]),
        i64(batched ? a->strides[0] : 0), i64(batched ? bm->strides[0] : 0),
        i64(batched ? c->strides[0] : 0), i32(flags), bias,
        i32(activation), host};
    b.create<func::CallOp>(loc, declareUkernel(module), args);
    op->erase();
    if (epilogue)
      epilogue->op->erase();
  }
};

} // namespace
