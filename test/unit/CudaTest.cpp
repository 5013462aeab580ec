//===- CudaTest.cpp - the CUDA device's host logic, without a GPU ---------===//

#include "runtime/src/cuda/ConvPlan.h"
#include "runtime/src/cuda/MatmulPlan.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#ifdef KILN_HAVE_CUDA_HEADERS
#include <cublasLt.h>
#include <cuda.h>
#endif
#ifdef KILN_HAVE_CUDNN_HEADERS
#include <cudnn.h>
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

#ifdef KILN_HAVE_CUDNN_HEADERS
// cuDNN's values and the one struct the runtime reads.
static_assert(::CUDNN_STATUS_SUCCESS == kiln::rt::cuda::CUDNN_STATUS_SUCCESS);
static_assert(::CUDNN_DATA_FLOAT == kiln::rt::cuda::CUDNN_DATA_FLOAT);
static_assert(::CUDNN_TENSOR_NHWC == kiln::rt::cuda::CUDNN_TENSOR_NHWC);
static_assert(::CUDNN_CROSS_CORRELATION == kiln::rt::cuda::CUDNN_CROSS_CORRELATION);
static_assert(::CUDNN_TENSOR_OP_MATH == kiln::rt::cuda::CUDNN_TENSOR_OP_MATH);
static_assert(::CUDNN_FMA_MATH == kiln::rt::cuda::CUDNN_FMA_MATH);
static_assert(::CUDNN_ACTIVATION_RELU == kiln::rt::cuda::CUDNN_ACTIVATION_RELU);
static_assert(::CUDNN_PROPAGATE_NAN == kiln::rt::cuda::CUDNN_PROPAGATE_NAN);
static_assert(::CUDNN_CONVOLUTION_FWD_ALGO_COUNT ==
              kiln::rt::cuda::CUDNN_CONVOLUTION_FWD_ALGO_COUNT);
static_assert(sizeof(::cudnnConvolutionFwdAlgoPerf_t) ==
              sizeof(kiln::rt::cuda::cudnnConvolutionFwdAlgoPerf_t));
static_assert(offsetof(::cudnnConvolutionFwdAlgoPerf_t, memory) ==
              offsetof(kiln::rt::cuda::cudnnConvolutionFwdAlgoPerf_t, memory));
static_assert(offsetof(::cudnnConvolutionFwdAlgoPerf_t, mathType) ==
              offsetof(kiln::rt::cuda::cudnnConvolutionFwdAlgoPerf_t, mathType));
static_assert(::CUDNN_DETERMINISTIC == kiln::rt::cuda::CUDNN_DETERMINISTIC);
static_assert(::CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT ==
              kiln::rt::cuda::CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT);
static_assert(::CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT ==
              kiln::rt::cuda::CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT);
// The gradients' algorithm results, read through the forward's layout.
static_assert(sizeof(::cudnnConvolutionBwdDataAlgoPerf_t) ==
              sizeof(kiln::rt::cuda::cudnnConvolutionBwdDataAlgoPerf_t));
static_assert(sizeof(::cudnnConvolutionBwdFilterAlgoPerf_t) ==
              sizeof(kiln::rt::cuda::cudnnConvolutionBwdFilterAlgoPerf_t));
static_assert(offsetof(::cudnnConvolutionBwdDataAlgoPerf_t, memory) ==
              offsetof(::cudnnConvolutionFwdAlgoPerf_t, memory));
static_assert(offsetof(::cudnnConvolutionBwdDataAlgoPerf_t, determinism) ==
              offsetof(::cudnnConvolutionFwdAlgoPerf_t, determinism));
static_assert(offsetof(::cudnnConvolutionBwdDataAlgoPerf_t, mathType) ==
              offsetof(::cudnnConvolutionFwdAlgoPerf_t, mathType));
static_assert(offsetof(::cudnnConvolutionBwdFilterAlgoPerf_t, memory) ==
              offsetof(::cudnnConvolutionFwdAlgoPerf_t, memory));
static_assert(offsetof(::cudnnConvolutionBwdFilterAlgoPerf_t, determinism) ==
              offsetof(::cudnnConvolutionFwdAlgoPerf_t, determinism));
static_assert(offsetof(::cudnnConvolutionBwdFilterAlgoPerf_t, mathType) ==
              offsetof(::cudnnConvolutionFwdAlgoPerf_t, mathType));
#endif

TEST_CASE("cuda: a kiln_conv_t becomes cuDNN descriptors, or says what is wrong",
          "[cuda]") {
  kiln_conv_t good{};
  good.n = 2, good.h = 9, good.w = 7, good.c = 3;
  good.o = 8, good.kh = 3, good.kw = 2;
  good.pad_top = good.pad_bottom = 1, good.pad_left = good.pad_right = 0;
  good.stride_h = 2, good.stride_w = 1, good.dilation_h = 1, good.dilation_w = 2;
  good.oh = 5, good.ow = 5; // (9 + 2 - 2 - 1) / 2 + 1, (7 - 2 - 1) + 1
  good.x = good.filter = good.y = 64;
  CudnnConvPlan plan;
  REQUIRE(planConv(good, plan) == "");
  CHECK(plan.x == std::array<int, 4>{2, 3, 9, 7});
  CHECK(plan.y == std::array<int, 4>{2, 8, 5, 5});
  CHECK(plan.filter == std::array<int, 4>{8, 3, 3, 2});
  CHECK(plan.padH == 1);
  CHECK(plan.padW == 0);
  CHECK(plan.strideH == 2);
  CHECK(plan.dilationW == 2);
  CHECK(plan.call == CudnnConvPlan::Call::Forward);
  CHECK(plan.beta == 0.0f);
  CHECK_FALSE(plan.tf32);

  // The epilogue picks the call sequence; ACCUMULATE is beta = 1.
  kiln_conv_t op = good;
  op.bias = 128;
  op.activation = KILN_ACTIVATION_RELU;
  op.flags = KILN_CONV_ACCUMULATE | KILN_CONV_ALLOW_TF32;
  CudnnConvPlan fused;
  REQUIRE(planConv(op, fused) == "");
  CHECK(fused.call == CudnnConvPlan::Call::FusedBiasRelu);
  CHECK(fused.beta == 1.0f);
  CHECK(fused.tf32);
  CHECK(fused.key != plan.key);
  op.activation = KILN_ACTIVATION_NONE;
  REQUIRE(planConv(op, fused) == "");
  CHECK(fused.call == CudnnConvPlan::Call::ForwardAddBias);
  op.bias = 0;
  op.activation = KILN_ACTIVATION_RELU;
  REQUIRE(planConv(op, fused) == "");
  CHECK(fused.call == CudnnConvPlan::Call::ForwardRelu);
  // Addresses are not part of the key.
  op = good;
  op.x = 4096;
  CudnnConvPlan moved;
  REQUIRE(planConv(op, moved) == "");
  CHECK(moved.key == plan.key);

  // The gradients: their own calls, keyed apart from the forward.
  op = good;
  op.flags = KILN_CONV_BACKWARD_DATA | KILN_CONV_ACCUMULATE;
  CudnnConvPlan data;
  REQUIRE(planConv(op, data) == "");
  CHECK(data.call == CudnnConvPlan::Call::BackwardData);
  CHECK(data.beta == 1.0f);
  CHECK(data.key != plan.key);
  op.flags = KILN_CONV_BACKWARD_FILTER;
  CudnnConvPlan filter;
  REQUIRE(planConv(op, filter) == "");
  CHECK(filter.call == CudnnConvPlan::Call::BackwardFilter);
  CHECK(filter.beta == 0.0f);
  CHECK(filter.key != data.key);
  op.flags = KILN_CONV_BACKWARD_DATA | KILN_CONV_BACKWARD_FILTER;
  CHECK_THAT(planConv(op, plan), Catch::Contains("both gradients"));
  op.flags = KILN_CONV_BACKWARD_FILTER;
  op.bias = 128;
  CHECK_THAT(planConv(op, plan), Catch::Contains("gradient with a bias or activation"));
  op.bias = 0;
  op.activation = KILN_ACTIVATION_RELU;
  CHECK_THAT(planConv(op, plan), Catch::Contains("gradient with a bias or activation"));

  op = good;
  op.flags = 16;
  CHECK_THAT(planConv(op, plan), Catch::Contains("unknown convolution flags"));
  op = good;
  op.activation = 7;
  CHECK_THAT(planConv(op, plan), Catch::Contains("unknown convolution activation"));
  op = good;
  op.c = 0;
  CHECK_THAT(planConv(op, plan), Catch::Contains("out of range"));
  op = good;
  op.o = int64_t(1) << 40;
  CHECK_THAT(planConv(op, plan), Catch::Contains("out of range"));
  op = good;
  op.pad_bottom = 2;
  CHECK_THAT(planConv(op, plan), Catch::Contains("asymmetric"));
  op = good;
  op.oh = 6;
  CHECK_THAT(planConv(op, plan), Catch::Contains("does not follow"));
  op = good;
  op.n = 1 << 20, op.h = 1 << 10;
  CHECK_THAT(planConv(op, plan), Catch::Contains("too large"));
  op = good;
  op.y = 0;
  CHECK_THAT(planConv(op, plan), Catch::Contains("NULL"));
}

TEST_CASE("cuda: the reference convolution pads, strides, dilates and fuses",
          "[cuda]") {
  // One 3x3 input channel, two 2x2 filters, padding 1, stride 2, then
  // bias and ReLU: every output written from the documented formula.
  kiln_conv_t op{};
  op.n = 1, op.h = 3, op.w = 3, op.c = 1, op.o = 2, op.kh = 2, op.kw = 2;
  op.pad_top = op.pad_bottom = op.pad_left = op.pad_right = 1;
  op.stride_h = op.stride_w = 2, op.dilation_h = op.dilation_w = 1;
  op.oh = op.ow = 2;
  op.activation = KILN_ACTIVATION_RELU;
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  // OHWI: filter 0 = [[1, 0], [0, 1]], filter 1 = [[-1, -1], [-1, -1]].
  std::vector<float> w = {1, 0, 0, 1, -1, -1, -1, -1};
  std::vector<float> bias = {0.5f, 20.0f};
  std::vector<float> y(8, 99.0f);
  op.x = op.filter = op.y = 64;
  CudnnConvPlan plan;
  REQUIRE(planConv(op, plan) == "");
  referenceConv(op, x.data(), w.data(), bias.data(), y.data());
  // Output (oy, ox) reads padded rows/cols 2·oy, 2·oy+1 (input row = that - 1).
  // filter 0: in[2oy-1][2ox-1] + in[2oy][2ox]; filter 1: -(sum of the window).
  std::vector<float> want = {1 + 0.5f,  20 - 1, // (0,0): in[0][0]
                             3 + 0.5f,  20 - 5, // (0,1): in[0][1], in[0][2]
                             7 + 0.5f,  20 - 11, // (1,0): in[1][0], in[2][0]
                             5 + 9 + 0.5f, 0}; // (1,1): ReLU(20 - 28)
  CHECK(y == want);
  // Accumulating adds to what y holds.
  op.flags = KILN_CONV_ACCUMULATE;
  op.activation = KILN_ACTIVATION_NONE;
  std::vector<float> acc(8, 1.0f);
  referenceConv(op, x.data(), w.data(), nullptr, acc.data());
  CHECK(acc[0] == 2.0f);
  CHECK(acc[7] == 1.0f - 28.0f);
}

TEST_CASE("cuda: the reference convolution gradients are the convolution's "
          "adjoints",
          "[cuda]") {
  // For y = conv(x, w) linear in each of x and w:
  //   <conv(x, w), dy> = <x, backward_data(dy, w)> = <w, backward_filter(x, dy)>
  // on a geometry with padding, unequal strides and a dilation, where some
  // input rows meet no tap (stride 3 with a 2-row filter).
  kiln_conv_t op{};
  op.n = 2, op.h = 8, op.w = 7, op.c = 3, op.o = 4, op.kh = 2, op.kw = 3;
  op.pad_top = op.pad_bottom = 1, op.pad_left = op.pad_right = 2;
  op.stride_h = 3, op.stride_w = 2, op.dilation_h = 1, op.dilation_w = 2;
  op.oh = (8 + 2 - 1 - 1) / 3 + 1, op.ow = (7 + 4 - 4 - 1) / 2 + 1;
  op.x = op.filter = op.y = 64;
  auto fill = [](size_t count, uint32_t seed) {
    std::vector<float> v(count);
    for (float &e : v) {
      seed = seed * 1664525u + 1013904223u;
      e = static_cast<float>(seed >> 8) / static_cast<float>(1 << 24) - 0.5f;
    }
    return v;
  };
  size_t xs = op.n * op.h * op.w * op.c, ws = op.o * op.kh * op.kw * op.c,
         ys = op.n * op.oh * op.ow * op.o;
  std::vector<float> x = fill(xs, 1), w = fill(ws, 2), dy = fill(ys, 3);
  auto dot = [](const std::vector<float> &a, const std::vector<float> &b) {
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i)
      sum += double(a[i]) * b[i];
    return sum;
  };
  CudnnConvPlan plan;
  REQUIRE(planConv(op, plan) == "");
  std::vector<float> y(ys);
  referenceConv(op, x.data(), w.data(), nullptr, y.data());

  kiln_conv_t data = op;
  data.flags = KILN_CONV_BACKWARD_DATA;
  REQUIRE(planConv(data, plan) == "");
  std::vector<float> dx(xs, 7.0f); // overwritten
  referenceConv(data, dx.data(), w.data(), nullptr, dy.data());

  kiln_conv_t filter = op;
  filter.flags = KILN_CONV_BACKWARD_FILTER;
  REQUIRE(planConv(filter, plan) == "");
  std::vector<float> dw(ws, 7.0f);
  referenceConv(filter, x.data(), dw.data(), nullptr, dy.data());

  double forward = dot(y, dy);
  CHECK(std::abs(forward) > 0.1);
  CHECK(dot(x, dx) == Approx(forward).epsilon(1e-5));
  CHECK(dot(w, dw) == Approx(forward).epsilon(1e-5));
  // The taps read padded rows 0, 1, 3, 4, 6, 7 (input rows -1, 0, 2, 3, 5,
  // 6): input rows 1, 4 and 7 get no gradient, the others some.
  for (int64_t n = 0; n < op.n; ++n)
    for (int64_t row = 0; row < op.h; ++row) {
      double magnitude = 0;
      for (int64_t i = 0; i < op.w * op.c; ++i)
        magnitude += std::abs(dx[(n * op.h + row) * op.w * op.c + i]);
      CHECK((magnitude == 0.0) == (row % 3 == 1));
    }

  // ACCUMULATE adds the gradient to what the buffer holds.
  data.flags |= KILN_CONV_ACCUMULATE;
  std::vector<float> acc(xs, 1.0f);
  referenceConv(data, acc.data(), w.data(), nullptr, dy.data());
  for (size_t i = 0; i < xs; ++i)
    CHECK(acc[i] == dx[i] + 1.0f);
  filter.flags |= KILN_CONV_ACCUMULATE;
  std::vector<float> accw(ws, -2.0f);
  referenceConv(filter, x.data(), accw.data(), nullptr, dy.data());
  for (size_t i = 0; i < ws; ++i)
    CHECK(accw[i] == dw[i] - 2.0f);
}
