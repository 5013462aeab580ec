//===- MatmulToLibrary.cpp - the kiln-cuda-matmul-to-library pass ---------===//

#include "compiler/codegen/cpu/MatmulMatch.h"
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/codegen/cuda/Passes.h"

#include "kiln/artifact_abi.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCUDAMATMULTOLIBRARY
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln::codegen;

namespace {

/// kiln_matmul_t is 16 int64_t fields.
constexpr int32_t kDescFields = sizeof(kiln_matmul_t) / sizeof(int64_t);
static_assert(sizeof(kiln_matmul_t) == 16 * sizeof(int64_t),
              "kiln_matmul_t is an array of int64_t as generated code sees it");

struct KilnCudaMatmulToLibrary
    : kiln::impl::KilnCudaMatmulToLibraryBase<KilnCudaMatmulToLibrary> {
  using KilnCudaMatmulToLibraryBase::KilnCudaMatmulToLibraryBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Every matmul and its zero initializer is found before any becomes a
    // call (which hides what it writes).
    std::vector<std::tuple<func::FuncOp, linalg::LinalgOp, MatmulSpec,
                           Operation *>>
        matmuls;
    module.walk([&](linalg::LinalgOp op) {
      auto fn = op->getParentOfType<func::FuncOp>();
      if (!fn || !kiln::findAbiArgument(fn, "host"))
        return;
      if (std::optional<MatmulSpec> spec = matchMatmul(op))
        matmuls.push_back(
            {fn, op, *spec, zeroInitializer(op, spec->c.memref)});
    });
    for (auto &[fn, op, spec, init] : matmuls)
      lower(fn, op, spec, init);
  }

  void lower(func::FuncOp fn, linalg::LinalgOp op, const MatmulSpec &spec,
             Operation *init) {
    MLIRContext *ctx = &getContext();
    Location loc = op.getLoc();
    Value host = fn.getArgument(*kiln::findAbiArgument(fn, "host"));
    Value c = spec.c.memref;
    int64_t flags = (spec.transposeA ? KILN_MATMUL_TRANSPOSE_A : 0) |
                    (spec.transposeB ? KILN_MATMUL_TRANSPOSE_B : 0) |
                    (allowTf32 ? KILN_MATMUL_ALLOW_TF32 : 0);
    OpBuilder b(op);
    if (init)
      eraseZeroInitializer(init);
    else
      flags |= KILN_MATMUL_ACCUMULATE;
    std::optional<Epilogue> epilogue;
    if (!(flags & KILN_MATMUL_ACCUMULATE))
      epilogue = matchEpilogue(op, op->getNextNode(), c, spec.n);

    Type ptr = LLVM::LLVMPointerType::get(ctx);
    kiln::host_api::Descriptor desc(b, fn, loc, kDescFields);
    // The order of kiln_matmul_t's fields.
    desc.constant(flags);
    desc.constant(epilogue && epilogue->relu ? KILN_ACTIVATION_RELU
                                        : KILN_ACTIVATION_NONE);
    for (int64_t v : {spec.batch, spec.m, spec.n, spec.k, spec.lda, spec.ldb,
                      spec.ldc, spec.strideA, spec.strideB, spec.strideC})
      desc.constant(v);
    desc.address(spec.a.memref);
    desc.address(spec.b.memref);
    desc.address(epilogue ? epilogue->output : c);
    if (epilogue && epilogue->bias)
      desc.address(epilogue->bias);
    else
      desc.constant(0);
    func::FuncOp helper = kiln::host_api::getOrCreateForwarder(
        getOperation(), kiln::host_api::kMatmulForwarder,
        kiln::host_api::kMatmul, {ptr});
    b.create<func::CallOp>(loc, helper, ValueRange{host, desc.pointer()});
    op->erase();
    if (epilogue)
      epilogue->op->erase();
  }
};

} // namespace
