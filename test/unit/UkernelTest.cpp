// Unit tests for the f32 matmul ukernel against a double-precision reference.
#include "compiler/ukernels/Ukernels.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

bool haveAvx512() {
  return __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq");
}

struct Case {
  int64_t batch, M, N, K;
  int32_t flags;
  bool bias, relu, broadcastA, broadcastB;
  int64_t padA, padB, padC; // extra elements per row beyond the minimum
  std::string str() const {
    std::ostringstream os;
    os << "batch=" << batch << " M=" << M << " N=" << N << " K=" << K
       << " flags=" << flags << " bias=" << bias << " relu=" << relu
       << " broadcastA=" << broadcastA << " broadcastB=" << broadcastB
       << " pads=" << padA << "," << padB << "," << padC;
    return os.str();
  }
};

// parallel_for that runs the tasks one after another, last first (results
// must not depend on the order).
void reverseParallelFor(void *pool, int64_t count, void (*fn)(void *, int64_t),
                        void *ctx) {
  ++*static_cast<int64_t *>(pool);
  for (int64_t i = count - 1; i >= 0; --i)
    fn(ctx, i);
}

// parallel_for on three std::threads taking tasks from a shared counter.
void threadedParallelFor(void *pool, int64_t count, void (*fn)(void *, int64_t),
                         void *ctx) {
  ++*static_cast<int64_t *>(pool);
  std::atomic<int64_t> next{0};
  auto work = [&] {
    for (int64_t i; (i = next++) < count;)
      fn(ctx, i);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back(work);
  for (std::thread &t : threads)
    t.join();
}

/// Runs `c` on random data and checks every element of C against a double
/// reference, and that C's row padding is left alone.
void check(const Case &c, const kiln_host_api_t *host, std::mt19937 &rng) {
  INFO(c.str());
  bool ta = c.flags & KILN_UK_TRANS_A, tb = c.flags & KILN_UK_TRANS_B;
  bool acc = c.flags & KILN_UK_ACCUMULATE;
  int64_t lda = (ta ? c.M : c.K) + c.padA, aRows = ta ? c.K : c.M;
  int64_t ldb = (tb ? c.K : c.N) + c.padB, bRows = tb ? c.N : c.K;
  int64_t ldc = c.N + c.padC;
  int64_t strideA = c.broadcastA ? 0 : aRows * lda;
  int64_t strideB = c.broadcastB ? 0 : bRows * ldb;
  int64_t strideC = c.M * ldc;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  auto random = [&](size_t n) {
    std::vector<float> v(n);
    for (float &x : v)
      x = dist(rng);
    return v;
  };
  std::vector<float> A =
      random(std::max<int64_t>(1, (c.broadcastA ? 1 : c.batch) * aRows * lda));
  std::vector<float> B =
      random(std::max<int64_t>(1, (c.broadcastB ? 1 : c.batch) * bRows * ldb));
  std::vector<float> bias = random(std::max<int64_t>(1, c.N));
  // Without accumulate C's contents must be ignored: NaN shows if they are not.
  const float sentinel = 12345.0f;
  std::vector<float> C0(std::max<int64_t>(1, c.batch * strideC), sentinel);
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t m = 0; m < c.M; ++m)
      for (int64_t n = 0; n < c.N; ++n)
        C0[b * strideC + m * ldc + n] =
            acc ? dist(rng) : std::numeric_limits<float>::quiet_NaN();
  std::vector<float> C = C0;

  kiln_uk_matmul_f32(A.data(), B.data(), C.data(), c.batch, c.M, c.N, c.K, lda,
                     ldb, ldc, strideA, strideB, strideC, c.flags,
                     c.bias ? bias.data() : nullptr,
                     c.relu ? KILN_UK_ACT_RELU : KILN_UK_ACT_NONE, host);

  int64_t bad = 0;
  std::string first;
  for (int64_t b = 0; b < c.batch; ++b) {
    const float *a = A.data() + b * strideA, *bm = B.data() + b * strideB;
    for (int64_t m = 0; m < c.M; ++m)
      for (int64_t n = 0; n < c.N + c.padC; ++n) {
        int64_t at = b * strideC + m * ldc + n;
        if (n >= c.N) {
          if (std::memcmp(&C[at], &sentinel, sizeof(float)) != 0 && !bad++)
            first = "padding overwritten at m=" + std::to_string(m) +
                    " n=" + std::to_string(n);
          continue;
        }
        double ref = acc ? C0[at] : 0.0, mag = std::fabs(ref);
        for (int64_t k = 0; k < c.K; ++k) {
          double p = double(ta ? a[k * lda + m] : a[m * lda + k]) *
                     double(tb ? bm[n * ldb + k] : bm[k * ldb + n]);
          ref += p;
          mag += std::fabs(p);
        }
        if (c.bias) {
          ref += bias[n];
          mag += std::fabs(bias[n]);
        }
        if (c.relu)
          ref = std::max(ref, 0.0);
        // Long sums: the error grows with the sum of |a·b|, not with |ref|.
        double tol = 1e-5 + 1e-4 * std::fabs(ref) + 1e-5 * mag;
        if (!(std::fabs(C[at] - ref) <= tol) && !bad++)
          first = "b=" + std::to_string(b) + " m=" + std::to_string(m) +
                  " n=" + std::to_string(n) + " got " + std::to_string(C[at]) +
                  " want " + std::to_string(ref);
      }
  }
  INFO(first);
  CHECK(bad == 0);
}

/// A random case of at most ~4M multiply-adds, biased towards edges.
Case randomCase(std::mt19937 &rng) {
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  auto dim = [&] {
    switch (pick(0, 9)) {
    case 0:
      return pick(0, 1);
    case 1:
    case 2:
    case 3:
      return pick(2, 20);
    case 4:
    case 5:
    case 6:
    case 7:
      return pick(21, 150);
    default:
      return pick(151, 400);
    }
  };
  Case c{};
  c.batch = pick(1, 3);
  c.M = dim();
  c.N = dim();
  c.K = pick(0, 7) == 0 ? pick(1000, 3000) : dim();
  while (c.batch * c.M * c.N * c.K > 4000000)
    (c.M > c.N ? c.M : c.N) /= 2;
  c.flags = pick(0, 7);
  c.bias = pick(0, 1);
  c.relu = pick(0, 1);
  c.broadcastA = c.batch > 1 && pick(0, 3) == 0;
  c.broadcastB = c.batch > 1 && pick(0, 3) == 0;
  c.padA = pick(0, 1) * pick(1, 17);
  c.padB = pick(0, 1) * pick(1, 17);
  c.padC = pick(0, 1) * pick(1, 17);
  return c;
}

} // namespace

TEST_CASE("matmul ukernel matches a double reference", "[ukernel]") {
  if (!haveAvx512()) {
    WARN("skipped: this CPU lacks AVX-512 (F, VL, BW, DQ), which the ukernels "
         "require");
    return;
  }
  std::mt19937 rng(20261122);
  int64_t calls = 0;
  kiln_host_api_t sequential{};
  sequential.abi_version = KILN_ARTIFACT_ABI_VERSION;
  sequential.num_threads = 4;
  sequential.pool = &calls;
  sequential.parallel_for = reverseParallelFor;
  kiln_host_api_t threaded = sequential;
  threaded.num_threads = 3;
  threaded.parallel_for = threadedParallelFor;

  SECTION("random shapes, flags, epilogues and batch strides") {
    for (int i = 0; i < 400; ++i) {
      Case c = randomCase(rng);
      const kiln_host_api_t *host = i % 3 == 0   ? nullptr
                                    : i % 3 == 1 ? &sequential
                                                 : &threaded;
      check(c, host, rng);
    }
    CHECK(calls > 0); // some cases were large enough to be split into tasks
  }

  SECTION("model shapes with every flag combination") {
    // Dense layers at batch 1, 12 and 32, a classifier head, CNN im2col
    // GEMMs, and a GEMM crossing every cache-blocking boundary.
    const int64_t shapes[][3] = {
        {1, 128, 784}, {12, 1000, 400}, {32, 128, 784}, {32, 10, 128},
        {2048, 32, 9}, {600, 64, 288},  {230, 540, 520}};
    for (const auto &s : shapes)
      for (int32_t flags = 0; flags < 8; ++flags) {
        Case c{};
        c.batch = 1, c.M = s[0], c.N = s[1], c.K = s[2], c.flags = flags;
        c.bias = flags % 2 == 0, c.relu = flags < 4;
        check(c, flags & KILN_UK_ACCUMULATE ? &threaded : nullptr, rng);
      }
    CHECK(calls > 0);
  }

  SECTION("degenerate sizes") {
    for (int64_t M : {0, 1, 2})
      for (int64_t N : {0, 1, 17})
        for (int64_t K : {0, 1, 3})
          for (int32_t flags : {0, 3, 4, 7}) {
            Case c{2, M, N, K, flags, true, true, false, true, 1, 0, 2};
            check(c, nullptr, rng);
          }
  }
}
