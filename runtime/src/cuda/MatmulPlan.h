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

/// Runs `plan` on the host the way cuBLASLt defines its column-major
/// matmul: D = epilogue(op(A')·op(B') + beta·C) with D = C in place, where
/// A' is `ltA` (the kiln_matmul_t's B) and B' is `ltB` (its A), and the
/// epilogue adds `bias` (one value per row of D) and applies ReLU as the
/// plan says. Accumulates in double. CPU sessions run --cuda-emulation
/// artifacts' matmuls with it; the tests check plans with it.
template <typename T>
void runPlan(const LtMatmulPlan &p, const T *ltA, const T *ltB, const T *bias,
             T *d) {
  auto at = [](const LtMatmulPlan::Layout &l, bool transposed, int64_t batch,
               uint64_t i, uint64_t j) {
    uint64_t r = transposed ? j : i, c = transposed ? i : j;
    return batch * l.batchStride + static_cast<int64_t>(r) +
           static_cast<int64_t>(c) * l.ld;
  };
  bool ta = p.transA != cuda::CUBLAS_OP_N, tb = p.transB != cuda::CUBLAS_OP_N;
  uint64_t m = ta ? p.a.cols : p.a.rows, k = ta ? p.a.rows : p.a.cols;
  uint64_t n = tb ? p.b.rows : p.b.cols;
  bool addBias = p.epilogue == cuda::CUBLASLT_EPILOGUE_BIAS ||
                 p.epilogue == cuda::CUBLASLT_EPILOGUE_RELU_BIAS;
  bool relu = p.epilogue == cuda::CUBLASLT_EPILOGUE_RELU ||
              p.epilogue == cuda::CUBLASLT_EPILOGUE_RELU_BIAS;
  for (int64_t q = 0; q < p.batch; ++q)
    for (uint64_t j = 0; j < n; ++j)
      for (uint64_t i = 0; i < m; ++i) {
        double sum = 0;
        for (uint64_t l = 0; l < k; ++l)
          sum += static_cast<double>(ltA[at(p.a, ta, q, i, l)]) *
                 static_cast<double>(ltB[at(p.b, tb, q, l, j)]);
        T &out = d[at(p.c, false, q, i, j)];
        double v = sum + static_cast<double>(p.beta) * static_cast<double>(out);
        if (addBias)
          v += static_cast<double>(bias[i]);
        if (relu && v < 0)
          v = 0;
        out = static_cast<T>(v);
      }
}

} // namespace kiln::rt

#endif // KILN_RUNTIME_SRC_CUDA_MATMULPLAN_H
