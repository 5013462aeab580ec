//===- KilnToLinalg.cpp - the convert-kiln-to-linalg pass -----------------===//

#include "compiler/conversion/Passes.h"
#include "compiler/conversion/PopulatePatterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALG
#include "compiler/conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct ConvertKilnToLinalg
    : kiln::impl::ConvertKilnToLinalgBase<ConvertKilnToLinalg> {
  using ConvertKilnToLinalgBase::ConvertKilnToLinalgBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect, func::FuncDialect>();
    target.addLegalOp<ModuleOp>();
    target.addIllegalDialect<kiln::KilnDialect>();
    RewritePatternSet patterns(ctx);
    kiln::conversion::populateElementwisePatterns(patterns);
    kiln::conversion::populateLinearPatterns(patterns, convLibrary);
    kiln::conversion::populatePoolingPatterns(patterns);
    kiln::conversion::populateReductionPatterns(patterns);
    kiln::conversion::populateNormalizationPatterns(patterns);
    kiln::conversion::populateDataMovementPatterns(patterns, parallelScatter);
    kiln::conversion::populateControlPatterns(patterns);
    if (failed(applyFullConversion(getOperation(), target,
                                   std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
