//===- MatmulPlan.cpp - a row-major kiln_matmul_t as a cuBLASLt matmul ----===//

#include "runtime/src/cuda/MatmulPlan.h"

#include <cstdint>

using namespace kiln::rt::cuda;

std::string kiln::rt::planMatmul(const kiln_matmul_t &op, LtMatmulPlan &plan) {
  const int64_t known = KILN_MATMUL_TRANSPOSE_A | KILN_MATMUL_TRANSPOSE_B |
                        KILN_MATMUL_ACCUMULATE | KILN_MATMUL_ALLOW_TF32;
  if (op.flags & ~known)
    return "unknown matmul flags " + std::to_string(op.flags);
  if (op.activation != KILN_ACTIVATION_NONE &&
      op.activation != KILN_ACTIVATION_RELU)
    return "unknown matmul activation " + std::to_string(op.activation);
  if (op.batch < 1 || op.batch > INT32_MAX || op.m < 1 || op.n < 1 || op.k < 1)
    return "matmul sizes batch " + std::to_string(op.batch) + ", m " +
           std::to_string(op.m) + ", n " + std::to_string(op.n) + ", k " +
           std::to_string(op.k) + " are not positive";
  bool ta = op.flags & KILN_MATMUL_TRANSPOSE_A;
  bool tb = op.flags & KILN_MATMUL_TRANSPOSE_B;
  int64_t aRow = ta ? op.m : op.k, bRow = tb ? op.k : op.n;
  if (op.lda < aRow || op.ldb < bRow || op.ldc < op.n)
    return "matmul row strides lda " + std::to_string(op.lda) + ", ldb " +
           std::to_string(op.ldb) + ", ldc " + std::to_string(op.ldc) +
           " are shorter than the rows";
  if (op.stride_a < 0 || op.stride_b < 0 || op.stride_c < 0)
    return "negative matmul batch strides";
  if (op.batch > 1 && op.stride_c < op.m * op.ldc)
    return "matmul output batches overlap (stride_c " +
           std::to_string(op.stride_c) + " < m * ldc)";
  if (!op.a || !op.b || !op.c)
    return "a matmul operand is NULL";
  // D'(n × m) = op(A')·op(B'), A' = B's memory, B' = A's memory.
  plan.transA = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  plan.a = tb ? LtMatmulPlan::Layout{static_cast<uint64_t>(op.k),
                                     static_cast<uint64_t>(op.n), op.ldb,
                                     op.stride_b}
              : LtMatmulPlan::Layout{static_cast<uint64_t>(op.n),
                                     static_cast<uint64_t>(op.k), op.ldb,
                                     op.stride_b};
  plan.transB = ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  plan.b = ta ? LtMatmulPlan::Layout{static_cast<uint64_t>(op.m),
                                     static_cast<uint64_t>(op.k), op.lda,
                                     op.stride_a}
              : LtMatmulPlan::Layout{static_cast<uint64_t>(op.k),
                                     static_cast<uint64_t>(op.m), op.lda,
                                     op.stride_a};
  plan.c = {static_cast<uint64_t>(op.n), static_cast<uint64_t>(op.m), op.ldc,
            op.stride_c};
  plan.batch = static_cast<int32_t>(op.batch);
  bool relu = op.activation == KILN_ACTIVATION_RELU;
  plan.epilogue = op.bias ? (relu ? CUBLASLT_EPILOGUE_RELU_BIAS
                                  : CUBLASLT_EPILOGUE_BIAS)
                          : (relu ? CUBLASLT_EPILOGUE_RELU
                                  : CUBLASLT_EPILOGUE_DEFAULT);
  plan.computeType = (op.flags & KILN_MATMUL_ALLOW_TF32)
                         ? CUBLAS_COMPUTE_32F_FAST_TF32
                         : CUBLAS_COMPUTE_32F;
  plan.beta = (op.flags & KILN_MATMUL_ACCUMULATE) ? 1.0f : 0.0f;
  return "";
}

