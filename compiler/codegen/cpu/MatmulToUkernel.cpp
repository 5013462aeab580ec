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
    Value nullBias = b.create<LLVM::ZeroOp>(loc, ptrType);
    SmallVector<Value> args = {
        elementPointer(b, loc, a->memref),
        elementPointer(b, loc, bm->memref),
        elementPointer(b, loc, c->memref),
        i64(batch), i64(m), i64(n), i64(k),
        i64(a->strides[r]), i64(bm->strides[r]), i64(c->strides[r]),
        i64(batched ? a->strides[0] : 0), i64(batched ? bm->strides[0] : 0),
        i64(batched ? c->strides[0] : 0), i32(flags), nullBias,
        i32(kActNone), host};
    (void)kActRelu;
    b.create<func::CallOp>(loc, declareUkernel(module), args);
    op->erase();
  }
};

} // namespace
