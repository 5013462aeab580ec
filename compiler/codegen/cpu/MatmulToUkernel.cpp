//===- MatmulToUkernel.cpp - the kiln-matmul-to-ukernel pass --------------===//

#include "compiler/codegen/cpu/MatmulMatch.h"
#include "compiler/codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

namespace kiln {
#define GEN_PASS_DEF_KILNMATMULTOUKERNEL
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln::codegen;

namespace {

constexpr StringLiteral kUkernel = "kiln_uk_matmul_f32";
// Flags and activations of compiler/ukernels/Ukernels.h.
constexpr int32_t kTransA = 1, kTransB = 2, kAccumulate = 4;
constexpr int32_t kActNone = 0, kActRelu = 1;

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

struct KilnMatmulToUkernel
    : kiln::impl::KilnMatmulToUkernelBase<KilnMatmulToUkernel> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Every matmul and its zero initializer is found before any becomes a
    // call (which hides what it writes).
    std::vector<std::tuple<func::FuncOp, linalg::LinalgOp, MatmulSpec,
                           Operation *>>
        matmuls;
    module.walk([&](linalg::LinalgOp op) {
      if (std::optional<MatmulSpec> spec = matchMatmul(op))
        matmuls.push_back({op->getParentOfType<func::FuncOp>(), op, *spec,
                           zeroInitializer(op, spec->c.memref)});
    });
    for (auto &[func, op, spec, init] : matmuls)
      lower(module, func, op, &spec, init);
  }

  void lower(ModuleOp module, func::FuncOp func, linalg::LinalgOp op,
             const MatmulSpec *spec, Operation *init) {
    int64_t batch = spec->batch, m = spec->m, n = spec->n, k = spec->k;
    int32_t flags =
        (spec->transposeA ? kTransA : 0) | (spec->transposeB ? kTransB : 0);
    Value c = spec->c.memref;

    OpBuilder b(op);
    Location loc = op.getLoc();
    if (init)
      eraseZeroInitializer(init);
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
    Value out = c;
    std::optional<Epilogue> epilogue;
    if (!(flags & kAccumulate))
      epilogue = matchEpilogue(op, op->getNextNode(), c, n);
    if (epilogue) {
      if (epilogue->bias)
        bias = elementPointer(b, loc, epilogue->bias);
      activation = epilogue->relu ? kActRelu : kActNone;
      out = epilogue->output;
    } else {
      epilogue.reset();
    }
    SmallVector<Value> args = {
        elementPointer(b, loc, spec->a.memref),
        elementPointer(b, loc, spec->b.memref),
        elementPointer(b, loc, out),
        i64(batch), i64(m), i64(n), i64(k),
        i64(spec->lda), i64(spec->ldb), i64(spec->ldc), i64(spec->strideA),
        i64(spec->strideB), i64(spec->strideC), i32(flags), bias,
        i32(activation), host};
    b.create<func::CallOp>(loc, declareUkernel(module), args);
    op->erase();
    if (epilogue)
      epilogue->op->erase();
  }
};

} // namespace
