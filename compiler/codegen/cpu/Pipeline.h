//===- Pipeline.h - optimized kiln → LLVM dialect for CPUs ----------------===//

#ifndef KILN_COMPILER_CODEGEN_CPU_PIPELINE_H
#define KILN_COMPILER_CODEGEN_CPU_PIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace kiln {

struct CpuPipelineOptions {
  /// Call the packed f32 matmul microkernel (x86-64 targets with AVX-512).
  bool useUkernels = true;
};

/// Adds the lowering from optimized kiln (after `kiln-optimize`) to the LLVM
/// dialect: kiln → linalg, elementwise fusion, bufferization, weights
/// outlining, the entry ABI, ukernel calls, memory planning, loops, LLVM.
void buildCpuLoweringPipeline(mlir::OpPassManager &pm,
                              const CpuPipelineOptions &options);

/// The first half: optimized kiln → bufferized, arena-planned memref code
/// with the entry ABI (functions carry `kiln.arena_size`, the module
/// `kiln.weights`).
/// kiln → bufferized linalg with static layouts (shared by every target):
/// conversion, elementwise fusion, then `onTensors` (a target's own passes
/// on the fused linalg ops), one-shot bufferization, results as out
/// parameters, strided metadata expanded. `convLibrary`: the target runs
/// ungrouped f32 convolutions in a library (convert-kiln-to-linalg's
/// conv-library); `parallelScatter`: the target's host cannot read tensors
/// (convert-kiln-to-linalg's parallel-scatter).
void buildBufferizePipeline(
    mlir::OpPassManager &pm,
    llvm::function_ref<void(mlir::OpPassManager &)> onTensors = nullptr,
    bool convLibrary = false, bool parallelScatter = false);

void buildCpuBufferPipeline(mlir::OpPassManager &pm,
                            const CpuPipelineOptions &options);

/// The second half: planned memref code → the LLVM dialect (bare-pointer
/// calling convention).
void buildCpuToLLVMPipeline(mlir::OpPassManager &pm);

/// Registers the CPU passes and the `kiln-lower-to-llvm` pipeline.
void registerCpuCodegenPasses();

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_CPU_PIPELINE_H
