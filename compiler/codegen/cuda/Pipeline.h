//===- Pipeline.h - optimized kiln → host code + PTX for NVIDIA GPUs ------===//

#ifndef KILN_COMPILER_CODEGEN_CUDA_PIPELINE_H
#define KILN_COMPILER_CODEGEN_CUDA_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace kiln {

struct CudaPipelineOptions {
  /// The GPU architecture (`sm_90`).
  std::string arch = "sm_90";
  /// The PTX ISA version the kernels are written in (`+ptx80`).
  std::string ptxFeatures = "+ptx80";
  /// The CUDA toolkit (for libdevice, the math library kernels link).
  std::string toolkitPath;
  /// cuBLASLt for f32 matmuls; off: matmuls become kernels like the rest.
  bool useLibraries = true;
  /// cuBLASLt may use TF32 tensor cores for f32 matmuls.
  bool allowTf32 = false;
  /// Threads per block of the generated kernels.
  int64_t blockSize = 256;
  /// Testing aid: the kernels run as host loops (kiln-cuda-outline-kernels
  /// emulate=true); the result is a CPU artifact (whose matmul calls CPU
  /// sessions run with a reference loop).
  bool emulate = false;
};

/// kiln → bufferized, arena-planned entry points that launch kernels (and
/// call cuBLASLt) through kiln_host_api_t, plus `gpu.module @kiln_kernels`.
void buildCudaBufferPipeline(mlir::OpPassManager &pm,
                             const CudaPipelineOptions &options);

/// `gpu.module @kiln_kernels` → NVVM → `gpu.binary` holding the PTX.
void buildCudaKernelPipeline(mlir::OpPassManager &pm,
                             const CudaPipelineOptions &options);

void registerCudaCodegenPasses();

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_CUDA_PIPELINE_H
