//===- Pipeline.cpp - optimized kiln → host code + PTX for NVIDIA GPUs ----===//

#include "compiler/codegen/cuda/Pipeline.h"
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/codegen/cpu/Pipeline.h"
#include "compiler/codegen/cuda/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void kiln::buildCudaBufferPipeline(OpPassManager &pm,
                                   const CudaPipelineOptions &options) {
  buildBufferizePipeline(
      pm,
      [](OpPassManager &tensors) {
        tensors.addNestedPass<func::FuncOp>(
            kiln::createKilnCudaSplitReductions());
      },
      /*convLibrary=*/options.useLibraries, /*parallelScatter=*/true);
  // Every constant goes to the weights blob, which lives in device memory.
  KilnOutlineWeightsOptions weights;
  weights.minBytes = 0;
  pm.addPass(kiln::createKilnOutlineWeights(weights));
  pm.addNestedPass<func::FuncOp>(kiln::createKilnEntryAbi());
  if (options.useLibraries) {
    KilnCudaConvToLibraryOptions convs;
    convs.allowTf32 = options.allowTf32;
    pm.addPass(kiln::createKilnCudaConvToLibrary(convs));
    KilnCudaMatmulToLibraryOptions library;
    library.allowTf32 = options.allowTf32;
    pm.addPass(kiln::createKilnCudaMatmulToLibrary(library));
  }
  pm.addNestedPass<func::FuncOp>(kiln::createKilnPlanMemory());
  pm.addNestedPass<func::FuncOp>(kiln::createKilnExpandCopies());
  KilnCudaOutlineKernelsOptions outline;
  outline.blockSize = options.blockSize;
  outline.emulate = options.emulate;
  pm.addPass(kiln::createKilnCudaOutlineKernels(outline));
}

void kiln::buildCudaKernelPipeline(OpPassManager &pm,
                                   const CudaPipelineOptions &options) {
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createConvertLinalgToLoopsPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createConvertSCFToCFPass());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.arch;
  target.features = options.ptxFeatures;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(nvvm));
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.toolkitPath;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void kiln::registerCudaCodegenPasses() {
  kiln::registerKilnCudaConvToLibrary();
  kiln::registerKilnCudaMatmulToLibrary();
  kiln::registerKilnCudaOutlineKernels();
  kiln::registerKilnCudaSplitReductions();
  PassPipelineRegistration<>(
      "kiln-lower-to-cuda",
      "lower optimized kiln for NVIDIA GPUs: host entry points that launch "
      "kernels and call cuBLASLt and cuDNN, and the kernels as a gpu.binary of PTX "
      "(sm_90)",
      [](OpPassManager &pm) {
        CudaPipelineOptions options;
        buildCudaBufferPipeline(pm, options);
        buildCudaKernelPipeline(pm, options);
      });
}
