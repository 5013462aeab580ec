//===- Pipeline.cpp - optimized kiln → LLVM dialect for CPUs --------------===//

#include "compiler/codegen/cpu/Pipeline.h"
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/conversion/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void kiln::buildBufferizePipeline(
    OpPassManager &pm,
    llvm::function_ref<void(OpPassManager &)> onTensors, bool convLibrary,
    bool parallelScatter) {
  ConvertKilnToLinalgOptions lowering;
  lowering.convLibrary = convLibrary;
  lowering.parallelScatter = parallelScatter;
  pm.addPass(kiln::createConvertKilnToLinalg(lowering));
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(kiln::createKilnFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (onTensors)
    onTensors(pm);
  pm.addNestedPass<func::FuncOp>(kiln::createKilnPrivateInits());
  pm.addNestedPass<func::FuncOp>(kiln::createKilnSeparateResults());

  bufferization::OneShotBufferizationOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.hoistStaticAllocs = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());

  // Subviews and reshapes become reinterpret_casts of their base buffers
  // now, while those are still allocations and globals: MLIR 19's
  // expand-strided-metadata drops the byte shift of a memref.view, and the
  // passes below turn allocations and globals into views.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
}

void kiln::buildCpuBufferPipeline(OpPassManager &pm,
                                  const CpuPipelineOptions &options) {
  buildBufferizePipeline(pm);
  pm.addPass(kiln::createKilnOutlineWeights());
  pm.addNestedPass<func::FuncOp>(kiln::createKilnEntryAbi());
  if (options.useUkernels)
    pm.addPass(kiln::createKilnMatmulToUkernel());
  pm.addNestedPass<func::FuncOp>(kiln::createKilnPlanMemory());
  pm.addNestedPass<func::FuncOp>(kiln::createKilnExpandCopies());
  // Needs the entry-ABI host argument and the final buffers.
  pm.addPass(kiln::createKilnParallelizeLoops());
}

void kiln::buildCpuToLLVMPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addNestedPass<func::FuncOp>(kiln::createKilnApproximateMath());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  // bf16 conversions in plain integer arithmetic: no compiler-rt import
  // (__truncsfbf2) on targets without native bf16.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLLVMPass());
  // What LLVM has no intrinsic for (f64 tanh, erf, ...) calls libm; after
  // math-to-llvm, so fma and friends stay vectorizable intrinsics.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void kiln::buildCpuLoweringPipeline(OpPassManager &pm,
                                    const CpuPipelineOptions &options) {
  buildCpuBufferPipeline(pm, options);
  buildCpuToLLVMPipeline(pm);
}

void kiln::registerCpuCodegenPasses() {
  kiln::registerConvertKilnToLinalg();
  kiln::registerKilnOutlineWeights();
  kiln::registerKilnEntryAbi();
  kiln::registerKilnPlanMemory();
  kiln::registerKilnMatmulToUkernel();
  kiln::registerKilnApproximateMath();
  kiln::registerKilnExpandCopies();
  kiln::registerKilnFuseElementwise();
  kiln::registerKilnSeparateResults();
  kiln::registerKilnPrivateInits();
  kiln::registerKilnParallelizeLoops();
  PassPipelineRegistration<>(
      "kiln-lower-to-llvm",
      "lower optimized kiln to the LLVM dialect for CPUs (the code generation "
      "half of kiln-compile)",
      [](OpPassManager &pm) { buildCpuLoweringPipeline(pm, {}); });
}
