//===- MatmulPlan.h - a row-major kiln_matmul_t as a cuBLASLt matmul ------===//

#ifndef KILN_RUNTIME_SRC_CUDA_MATMULPLAN_H
#define KILN_RUNTIME_SRC_CUDA_MATMULPLAN_H

#include "kiln/artifact_abi.h"
#include "runtime/src/cuda/CudaApi.h"

#include <string>

namespace kiln::rt {

/// How one kiln_matmul_t (row-major) runs as a column-major cuBLASLt
/// matmul: D' = op(A')·op(B') with A' = B's memory and B' = A's memory, so
/// that D' (n × m, column-major) is C (m × n, row-major).
struct LtMatmulPlan {
  struct Layout {
    uint64_t rows = 0, cols = 0;
    int64_t ld = 0, batchStride = 0;
  };
  int transA = cuda::CUBLAS_OP_N, transB = cuda::CUBLAS_OP_N;
  Layout a, b, c;
  int32_t batch = 1;
  uint32_t epilogue = cuda::CUBLASLT_EPILOGUE_DEFAULT;
  int computeType = cuda::CUBLAS_COMPUTE_32F;
  float beta = 0.0f;
};

/// Checks `op` (sizes, strides and flags generated code filled in) and
/// plans it; an empty string on success, else what is wrong.
std::string planMatmul(const kiln_matmul_t &op, LtMatmulPlan &plan);

} // namespace kiln::rt

#endif // KILN_RUNTIME_SRC_CUDA_MATMULPLAN_H
