//===- CudaTest.cpp - the CUDA device's host logic, without a GPU ---------===//

#include "runtime/src/cuda/MatmulPlan.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#ifdef KILN_HAVE_CUDA_HEADERS
#include <cublasLt.h>
#include <cuda.h>
#endif

using namespace kiln::rt;
namespace kc = kiln::rt::cuda;

namespace {

/// C = act(A·B (+ C) (+ bias)) on row-major operands, as kiln_matmul_t
/// defines it.
void referenceMatmul(const kiln_matmul_t &op, const std::vector<double> &a,
                     const std::vector<double> &b, const std::vector<double> &bias,
                     std::vector<double> &c) {
  bool ta = op.flags & KILN_MATMUL_TRANSPOSE_A;
  bool tb = op.flags & KILN_MATMUL_TRANSPOSE_B;
  for (int64_t p = 0; p < op.batch; ++p)
    for (int64_t i = 0; i < op.m; ++i)
      for (int64_t j = 0; j < op.n; ++j) {
        double sum = 0;
        for (int64_t l = 0; l < op.k; ++l) {
          double x = a[p * op.stride_a + (ta ? l * op.lda + i : i * op.lda + l)];
          double y = b[p * op.stride_b + (tb ? j * op.ldb + l : l * op.ldb + j)];
          sum += x * y;
        }
        double &out = c[p * op.stride_c + i * op.ldc + j];
        double v = sum + ((op.flags & KILN_MATMUL_ACCUMULATE) ? out : 0.0) +
                   (op.bias ? bias[j] : 0.0);
        out = op.activation == KILN_ACTIVATION_RELU ? std::max(v, 0.0) : v;
      }
}

/// Runs `plan` the way cuBLASLt defines its column-major matmul:
/// D = epilogue(op(A)·op(B) + beta·C), A = B's memory, B = A's memory.
void runPlan(const LtMatmulPlan &p, const std::vector<double> &aMem,
             const std::vector<double> &bMem, const std::vector<double> &bias,
             std::vector<double> &c) {
  auto at = [](const LtMatmulPlan::Layout &l, int trans, int64_t batch,
               uint64_t i, uint64_t j) {
    // Element (i, j) of op(X): X(i, j), or X(j, i) transposed.
    uint64_t r = trans == kc::CUBLAS_OP_N ? i : j, col = trans == kc::CUBLAS_OP_N ? j : i;
    REQUIRE(r < l.rows);
    REQUIRE(col < l.cols);
    return batch * l.batchStride + static_cast<int64_t>(r) +
           static_cast<int64_t>(col) * l.ld;
  };
  uint64_t m = p.transA == kc::CUBLAS_OP_N ? p.a.rows : p.a.cols;
  uint64_t k = p.transA == kc::CUBLAS_OP_N ? p.a.cols : p.a.rows;
  uint64_t n = p.transB == kc::CUBLAS_OP_N ? p.b.cols : p.b.rows;
  REQUIRE(k == (p.transB == kc::CUBLAS_OP_N ? p.b.rows : p.b.cols));
  REQUIRE(p.c.rows == m);
  REQUIRE(p.c.cols == n);
  for (int64_t q = 0; q < p.batch; ++q)
    for (uint64_t i = 0; i < m; ++i)
      for (uint64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (uint64_t l = 0; l < k; ++l)
          sum += bMem[at(p.a, p.transA, q, i, l)] * aMem[at(p.b, p.transB, q, l, j)];
        double &out = c[at(p.c, kc::CUBLAS_OP_N, q, i, j)];
        double v = sum + p.beta * out;
        if (p.epilogue == kc::CUBLASLT_EPILOGUE_BIAS ||
            p.epilogue == kc::CUBLASLT_EPILOGUE_RELU_BIAS)
          v += bias[i]; // one bias per row of D: per column of C
        if (p.epilogue == kc::CUBLASLT_EPILOGUE_RELU ||
            p.epilogue == kc::CUBLASLT_EPILOGUE_RELU_BIAS)
          v = std::max(v, 0.0);
        out = v;
      }
}

} // namespace

TEST_CASE("cuda: the cuBLASLt plan of a row-major matmul computes it",
          "[cuda]") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> value(-1, 1);
  std::uniform_int_distribution<int> size(1, 6), pad(0, 3), coin(0, 1);
  for (int trial = 0; trial < 500; ++trial) {
    kiln_matmul_t op{};
    op.flags = (coin(rng) ? KILN_MATMUL_TRANSPOSE_A : 0) |
               (coin(rng) ? KILN_MATMUL_TRANSPOSE_B : 0) |
               (coin(rng) ? KILN_MATMUL_ACCUMULATE : 0) |
               (coin(rng) ? KILN_MATMUL_ALLOW_TF32 : 0);
    op.activation = coin(rng) ? KILN_ACTIVATION_RELU : KILN_ACTIVATION_NONE;
    op.batch = coin(rng) ? 1 : size(rng);
    op.m = size(rng);
    op.n = size(rng);
    op.k = size(rng);
    bool ta = op.flags & KILN_MATMUL_TRANSPOSE_A;
    bool tb = op.flags & KILN_MATMUL_TRANSPOSE_B;
    op.lda = (ta ? op.m : op.k) + pad(rng);
    op.ldb = (tb ? op.k : op.n) + pad(rng);
    op.ldc = op.n + pad(rng);
    int64_t aRows = ta ? op.k : op.m, bRows = tb ? op.n : op.k;
    op.stride_a = op.batch > 1 ? aRows * op.lda + pad(rng) : 0;
    op.stride_b = op.batch > 1 && coin(rng) ? bRows * op.ldb + pad(rng) : 0;
    op.stride_c = op.batch > 1 ? op.m * op.ldc + pad(rng) : 0;
    op.a = op.b = op.c = 1; // addresses are only checked for NULL
    op.bias = coin(rng) ? 1 : 0;
    auto buffer = [&](int64_t stride, int64_t rows, int64_t ld) {
      std::vector<double> v(static_cast<size_t>(
          std::max<int64_t>(stride * (op.batch - 1), 0) + rows * ld));
      for (double &x : v)
        x = value(rng);
      return v;
    };
    std::vector<double> a = buffer(op.stride_a, aRows, op.lda);
    std::vector<double> b = buffer(op.stride_b, bRows, op.ldb);
    std::vector<double> c = buffer(op.stride_c, op.m, op.ldc);
    std::vector<double> bias(static_cast<size_t>(op.n));
    for (double &x : bias)
      x = value(rng);

    LtMatmulPlan plan;
    REQUIRE(planMatmul(op, plan) == "");
    CHECK(plan.computeType == ((op.flags & KILN_MATMUL_ALLOW_TF32)
                                   ? kc::CUBLAS_COMPUTE_32F_FAST_TF32
                                   : kc::CUBLAS_COMPUTE_32F));
    std::vector<double> want = c, got = c;
    referenceMatmul(op, a, b, bias, want);
    runPlan(plan, a, b, bias, got);
    for (size_t i = 0; i < want.size(); ++i)
      REQUIRE(std::abs(got[i] - want[i]) <= 1e-12);
  }
}

TEST_CASE("cuda: malformed matmul descriptors are refused", "[cuda]") {
  kiln_matmul_t good{};
  good.batch = 1;
  good.m = 2;
  good.n = 3;
  good.k = 4;
  good.lda = 4;
  good.ldb = 3;
  good.ldc = 3;
  good.a = good.b = good.c = 64;
  LtMatmulPlan plan;
  REQUIRE(planMatmul(good, plan) == "");
  kiln_matmul_t op = good;
  op.flags = 64;
  CHECK_THAT(planMatmul(op, plan), Catch::Contains("unknown matmul flags 64"));
  op = good;
  op.activation = 9;
  CHECK_THAT(planMatmul(op, plan), Catch::Contains("unknown matmul activation"));
  op = good;
  op.k = 0;
  CHECK_THAT(planMatmul(op, plan), Catch::Contains("are not positive"));
  op = good;
  op.lda = 3;
  CHECK_THAT(planMatmul(op, plan), Catch::Contains("shorter than the rows"));
  op = good;
  op.stride_b = -1;
  CHECK_THAT(planMatmul(op, plan), Catch::Contains("negative"));
  op = good;
  op.c = 0;
  CHECK_THAT(planMatmul(op, plan), Catch::Contains("NULL"));
}

#ifdef KILN_HAVE_CUDA_HEADERS
// The runtime declares the driver and cuBLASLt APIs itself (it builds
// without CUDA); where the toolkit is installed, its values must agree.
static_assert(CUDA_SUCCESS == 0 && ::CUDA_ERROR_NO_DEVICE == kiln::rt::cuda::CUDA_ERROR_NO_DEVICE);
static_assert(::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR ==
              kiln::rt::cuda::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
static_assert(::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR ==
              kiln::rt::cuda::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
static_assert(::CU_STREAM_NON_BLOCKING == kiln::rt::cuda::CU_STREAM_NON_BLOCKING);
static_assert(::CU_JIT_ERROR_LOG_BUFFER == kiln::rt::cuda::CU_JIT_ERROR_LOG_BUFFER);
static_assert(::CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES ==
              kiln::rt::cuda::CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
static_assert(sizeof(::CUdeviceptr) == sizeof(kiln::rt::cuda::CUdeviceptr));
static_assert(::CUBLAS_COMPUTE_32F == kiln::rt::cuda::CUBLAS_COMPUTE_32F);
static_assert(::CUBLAS_COMPUTE_32F_FAST_TF32 ==
              kiln::rt::cuda::CUBLAS_COMPUTE_32F_FAST_TF32);
static_assert(::CUDA_R_32F == kiln::rt::cuda::CUDA_R_32F);
static_assert(::CUBLAS_OP_N == kiln::rt::cuda::CUBLAS_OP_N &&
              ::CUBLAS_OP_T == kiln::rt::cuda::CUBLAS_OP_T);
static_assert(::CUBLASLT_MATMUL_DESC_TRANSA == kiln::rt::cuda::CUBLASLT_MATMUL_DESC_TRANSA);
static_assert(::CUBLASLT_MATMUL_DESC_TRANSB == kiln::rt::cuda::CUBLASLT_MATMUL_DESC_TRANSB);
static_assert(::CUBLASLT_MATMUL_DESC_EPILOGUE ==
              kiln::rt::cuda::CUBLASLT_MATMUL_DESC_EPILOGUE);
static_assert(::CUBLASLT_MATMUL_DESC_BIAS_POINTER ==
              kiln::rt::cuda::CUBLASLT_MATMUL_DESC_BIAS_POINTER);
static_assert(::CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT ==
              kiln::rt::cuda::CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT);
static_assert(::CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET ==
              kiln::rt::cuda::CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET);
static_assert(::CUBLASLT_EPILOGUE_DEFAULT == kiln::rt::cuda::CUBLASLT_EPILOGUE_DEFAULT);
static_assert(::CUBLASLT_EPILOGUE_RELU == kiln::rt::cuda::CUBLASLT_EPILOGUE_RELU);
static_assert(::CUBLASLT_EPILOGUE_BIAS == kiln::rt::cuda::CUBLASLT_EPILOGUE_BIAS);
static_assert(::CUBLASLT_EPILOGUE_RELU_BIAS ==
              kiln::rt::cuda::CUBLASLT_EPILOGUE_RELU_BIAS);
static_assert(::CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES ==
              kiln::rt::cuda::CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES);
static_assert(sizeof(::cublasLtMatmulAlgo_t) == sizeof(kiln::rt::cuda::cublasLtMatmulAlgo_t));
static_assert(sizeof(::cublasLtMatmulHeuristicResult_t) ==
              sizeof(kiln::rt::cuda::cublasLtMatmulHeuristicResult_t));
static_assert(offsetof(::cublasLtMatmulHeuristicResult_t, workspaceSize) ==
              offsetof(kiln::rt::cuda::cublasLtMatmulHeuristicResult_t, workspaceSize));
static_assert(offsetof(::cublasLtMatmulHeuristicResult_t, state) ==
              offsetof(kiln::rt::cuda::cublasLtMatmulHeuristicResult_t, state));

TEST_CASE("cuda: the runtime's CUDA declarations match the toolkit's headers",
          "[cuda]") {
  SUCCEED("checked at compile time against the installed headers");
}
#endif
