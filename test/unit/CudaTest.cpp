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
    // Shapes first (runPlan trusts them), then the values.
    bool lta = plan.transA != kc::CUBLAS_OP_N, ltb = plan.transB != kc::CUBLAS_OP_N;
    REQUIRE((lta ? plan.a.rows : plan.a.cols) == (ltb ? plan.b.cols : plan.b.rows));
    REQUIRE(plan.c.rows == (lta ? plan.a.cols : plan.a.rows));
    REQUIRE(plan.c.cols == (ltb ? plan.b.rows : plan.b.cols));
    auto last = [&](const LtMatmulPlan::Layout &l) {
      REQUIRE(l.ld >= static_cast<int64_t>(l.rows));
      return (op.batch - 1) * l.batchStride + static_cast<int64_t>(l.rows - 1) +
             static_cast<int64_t>(l.cols - 1) * l.ld;
    };
    REQUIRE(last(plan.a) < static_cast<int64_t>(b.size()));
    REQUIRE(last(plan.b) < static_cast<int64_t>(a.size()));
    REQUIRE(last(plan.c) < static_cast<int64_t>(got.size()));
    runPlan(plan, b.data(), a.data(), bias.data(), got.data());
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
