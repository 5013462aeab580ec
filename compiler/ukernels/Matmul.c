/* Kiln's f32 matmul ukernel: blocked AVX-512 GEMM with fused bias/ReLU. */
#include "Ukernels.h"

#include <immintrin.h>
#include <stddef.h>
#include <stdlib.h>

/* The register tile is MR rows × NV·16 columns (24 zmm accumulators); B is
   packed in KC×NR panels, NC columns at a time (a KC×NC block stays in L2,
   the tile's MR×KC rows of A in L1). -DKILN_UK_MR=… etc. for experiments. */
#ifndef KILN_UK_MR
#define KILN_UK_MR 8
#define KILN_UK_NV 3
#define KILN_UK_KC 256
#define KILN_UK_NC 512
#endif
#define MR KILN_UK_MR
#define NV KILN_UK_NV
#define NR (16 * NV)
/* Up to this M, row-major B is read in place rather than packed. */
#define SMALL_M 64
/* Up to this M, N×K B (with row-major A) is multiplied by dot products. */
#define DOT_M 16
/* Packed B up to this many floats lives on the stack; more is malloc'd. */
#define STACK_FLOATS 8192

_Static_assert(MR <= 14 && NV <= 4, "tileDispatch instantiates up to 14×4");

#define INLINE static inline __attribute__((always_inline))

typedef struct Gemm {
  const float *A, *B, *bias;
  float *C;
  int64_t M, N, K, lda, ldb, ldc, strideA, strideB, strideC;
  int transA, transB, accumulate, relu;
  int packB, dot;
  int64_t tileM, tileN, tilesM, tilesN; /* the task grid of one batch element */
} Gemm;

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t roundUp(int64_t x, int64_t m) {
  return (x + m - 1) / m * m;
}
static inline __mmask16 tailMask(int64_t n) {
  return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1);
}

/* One k step of the register tile into the accumulators acc. */
INLINE void tileStep(int mr, int nv, const float *a, int64_t rsa,
                     const float *b, __mmask16 bMask, __m512 acc[MR][8]) {
  __m512 bv[8];
  for (int j = 0; j < nv; ++j)
    bv[j] = j == nv - 1 ? _mm512_maskz_loadu_ps(bMask, b + 16 * j)
                        : _mm512_loadu_ps(b + 16 * j);
  for (int i = 0; i < mr; ++i) {
    __m512 av = _mm512_set1_ps(a[i * rsa]);
    for (int j = 0; j < nv; ++j)
      acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
  }
}

/* The register tile: C[mr×(16·nv)] (+)= a · b over kc, then the epilogue.
   a(i, k) = a[i·rsa + k·csa]; b rows are bStride apart, their last vector
   masked by bMask; cMask masks C's last vector. Small tiles split k over
   several accumulator sets to hide FMA latency. */
INLINE void tile(int mr, int nv, int64_t kc, const float *a, int64_t rsa,
                 int64_t csa, const float *b, int64_t bStride, __mmask16 bMask,
                 float *c, int64_t ldc, __mmask16 cMask, int loadC,
                 const float *bias, int relu) {
  const int chains = mr * nv, sets = chains >= 8 ? 1 : chains >= 4 ? 2 : 4;
  __m512 acc[4][MR][8];
  for (int s = 0; s < sets; ++s)
    for (int i = 0; i < mr; ++i)
      for (int j = 0; j < nv; ++j)
        acc[s][i][j] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + sets <= kc; k += sets) {
    for (int s = 0; s < sets; ++s)
      tileStep(mr, nv, a + s * csa, rsa, b + s * bStride, bMask, acc[s]);
    a += sets * csa;
    b += sets * bStride;
  }
  for (; k < kc; ++k, a += csa, b += bStride)
    tileStep(mr, nv, a, rsa, b, bMask, acc[0]);
  for (int s = 1; s < sets; ++s)
    for (int i = 0; i < mr; ++i)
      for (int j = 0; j < nv; ++j)
        acc[0][i][j] = _mm512_add_ps(acc[0][i][j], acc[s][i][j]);
  for (int i = 0; i < mr; ++i) {
    float *ci = c + i * ldc;
    for (int j = 0; j < nv; ++j) {
      __mmask16 m = j == nv - 1 ? cMask : (__mmask16)0xFFFF;
      __m512 v = acc[0][i][j];
      if (loadC)
        v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, ci + 16 * j));
      if (bias)
        v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, bias + 16 * j));
      if (relu)
        v = _mm512_max_ps(v, _mm512_setzero_ps());
      _mm512_mask_storeu_ps(ci + 16 * j, m, v);
    }
  }
}

#define TILE_ARGS                                                              \
  int64_t kc, const float *a, int64_t rsa, int64_t csa, const float *b,        \
      int64_t bStride, __mmask16 bMask, float *c, int64_t ldc,                 \
      __mmask16 cMask, int loadC, const float *bias, int relu
#define TILE_CASE(R, V)                                                        \
  case R * 8 + V:                                                              \
    if ((R <= MR && V <= NV) || R == 1)                                        \
      tile(R, V, kc, a, rsa, csa, b, bStride, bMask, c, ldc, cMask, loadC,     \
           bias, relu);                                                        \
    return;
#define TILE_ROW(R)                                                            \
  TILE_CASE(R, 1) TILE_CASE(R, 2) TILE_CASE(R, 3) TILE_CASE(R, 4)
#define GEMV_CASE(V)                                                           \
  case 8 + V:                                                                  \
    tile(1, V, kc, a, rsa, csa, b, bStride, bMask, c, ldc, cMask, loadC, bias, \
         relu);                                                                \
    return;

/* Instantiates the tile for mr ≤ MR rows and nv ≤ NV vectors, and for one row
   of up to 8 vectors (a GEMV row reading B in place). */
static void tileDispatch(int mr, int nv, TILE_ARGS) {
  switch (mr * 8 + nv) {
    // clang-format off
    TILE_ROW(1) TILE_ROW(2) TILE_ROW(3) TILE_ROW(4) TILE_ROW(5) TILE_ROW(6)
    TILE_ROW(7) TILE_ROW(8) TILE_ROW(9) TILE_ROW(10) TILE_ROW(11) TILE_ROW(12)
    TILE_ROW(13) TILE_ROW(14)
    GEMV_CASE(5) GEMV_CASE(6) GEMV_CASE(7) GEMV_CASE(8)
    // clang-format on
  }
}

/* dst[k·dstLd + i] = src[i·ld + k] for k < cols, i < 16 (rows ≥ `rows` read
   as zero; rows, cols ≤ 16). */
static void transpose16(const float *src, int64_t ld, int rows, int cols,
                        float *dst, int64_t dstLd) {
  __m512 r[16], t[16];
  __mmask16 m = tailMask(cols);
  for (int i = 0; i < 16; ++i)
    r[i] =
        i < rows ? _mm512_maskz_loadu_ps(m, src + i * ld) : _mm512_setzero_ps();
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {
    r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  /* r[4g + j], 128-bit lane l: rows 4g..4g+3 of column 4l + j. */
  for (int j = 0; j < 4; ++j) {
    __m512 x0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);
    __m512 x1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xDD);
    __m512 y0 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
    __m512 y1 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xDD);
    t[j] = _mm512_shuffle_f32x4(x0, y0, 0x88);
    t[j + 8] = _mm512_shuffle_f32x4(x0, y0, 0xDD);
    t[j + 4] = _mm512_shuffle_f32x4(x1, y1, 0x88);
    t[j + 12] = _mm512_shuffle_f32x4(x1, y1, 0xDD);
  }
  for (int k = 0; k < cols; ++k)
    _mm512_store_ps(dst + k * dstLd, t[k]);
}

/* Packs op(B)[pc:pc+kc, n0:n0+nc] into 64-byte aligned panels of NR columns
   (the last rounded up to a multiple of 16), zero-padded: panel p holds
   row k at dst + p·NR·kc + k·width. */
static void packB(const Gemm *g, const float *B, int64_t pc, int64_t kc,
                  int64_t n0, int64_t nc, float *dst) {
  for (int64_t p = 0; p < nc; p += NR, dst += NR * kc) {
    int64_t w = min64(NR, nc - p), ws = roundUp(w, 16);
    if (!g->transB) {
      const float *src = B + pc * g->ldb + n0 + p;
      for (int64_t k = 0; k < kc; ++k, src += g->ldb)
        for (int64_t j = 0; j < ws; j += 16)
          _mm512_store_ps(dst + k * ws + j,
                          _mm512_maskz_loadu_ps(tailMask(w - j), src + j));
    } else {
      const float *src = B + (n0 + p) * g->ldb + pc;
      for (int64_t k = 0; k < kc; k += 16)
        for (int64_t j = 0; j < ws; j += 16)
          transpose16(src + j * g->ldb + k, g->ldb, (int)min64(16, w - j),
                      (int)min64(16, kc - k), dst + k * ws + j, ws);
    }
  }
}

/* C[m0:m1, n0:n1] of one batch element: A is read in place (its MR×kc rows
   stay in L1 while they sweep a packed kc×nc block of B), B is packed unless
   M is small and B row-major. */
static void gemmRegion(const Gemm *g, const float *A, const float *B, float *C,
                       int64_t m0, int64_t m1, int64_t n0, int64_t n1,
                       int64_t kcMax, int64_t ncMax, float *bBuf) {
  int64_t rsa = g->transA ? 1 : g->lda, csa = g->transA ? g->lda : 1;
  for (int64_t jc = n0; jc < n1; jc += ncMax) {
    int64_t nc = min64(ncMax, n1 - jc), pc = 0;
    do { /* at least once: K = 0 still applies the epilogue */
      int64_t kc = min64(kcMax, g->K - pc);
      int last = pc + kc >= g->K;
      int loadC = pc > 0 || g->accumulate, relu = last && g->relu;
      if (g->packB)
        packB(g, B, pc, kc, jc, nc, bBuf);
      for (int64_t i = m0; i < m1; i += MR) {
        int mr = (int)min64(MR, m1 - i);
        const float *a = A + i * rsa + pc * csa;
        /* One row reading B in place: 128 columns per tile (a GEMV). */
        int64_t pw = mr == 1 && !g->packB ? 128 : NR;
        for (int64_t j = 0; j < nc; j += pw) {
          int64_t w = min64(pw, nc - j);
          int nv = (int)((w + 15) / 16);
          __mmask16 cMask = tailMask(w - 16 * (nv - 1));
          const float *b = g->packB ? bBuf + j * kc : B + pc * g->ldb + jc + j;
          tileDispatch(mr, nv, kc, a, rsa, csa, b, g->packB ? 16 * nv : g->ldb,
                       g->packB ? (__mmask16)0xFFFF : cMask,
                       C + i * g->ldc + jc + j, g->ldc, cMask, loadC,
                       last && g->bias ? g->bias + jc + j : NULL, relu);
        }
      }
      pc += kc;
    } while (pc < g->K);
  }
}

/* Dot-product tile for N×K B: C[i][j] (+)= <a row i, b row j> over all K. */
INLINE void dotTile(int mr, int nr, int64_t K, const float *a, int64_t lda,
                    const float *b, int64_t ldb, float *c, int64_t ldc,
                    int loadC, const float *bias, int relu) {
  __m512 acc[4][4];
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nr; ++j)
      acc[i][j] = _mm512_setzero_ps();
  for (int64_t k = 0; k < K; k += 16) {
    __mmask16 m = tailMask(K - k);
    __m512 av[4], bv[4];
    for (int i = 0; i < mr; ++i)
      av[i] = _mm512_maskz_loadu_ps(m, a + i * lda + k);
    for (int j = 0; j < nr; ++j)
      bv[j] = _mm512_maskz_loadu_ps(m, b + j * ldb + k);
    for (int i = 0; i < mr; ++i)
      for (int j = 0; j < nr; ++j)
        acc[i][j] = _mm512_fmadd_ps(av[i], bv[j], acc[i][j]);
  }
  /* Horizontal sums of all 16 accumulators at once: lane 4i + j of `sum`. */
  __m512 v[16], t[8], u[4];
  for (int q = 0; q < 16; ++q)
    v[q] = q / 4 < mr && q % 4 < nr ? acc[q / 4][q % 4] : _mm512_setzero_ps();
  for (int p = 0; p < 8; ++p)
    t[p] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * p], v[2 * p + 1]),
                         _mm512_unpackhi_ps(v[2 * p], v[2 * p + 1]));
  for (int p = 0; p < 4; ++p)
    u[p] = _mm512_add_ps(_mm512_shuffle_ps(t[2 * p], t[2 * p + 1], 0x44),
                         _mm512_shuffle_ps(t[2 * p], t[2 * p + 1], 0xEE));
  /* u[g], 128-bit lane l: the lane-l partial sums of accumulators 4g..4g+3. */
  __m512 s01 = _mm512_add_ps(_mm512_shuffle_f32x4(u[0], u[1], 0x88),
                             _mm512_shuffle_f32x4(u[0], u[1], 0xDD));
  __m512 s23 = _mm512_add_ps(_mm512_shuffle_f32x4(u[2], u[3], 0x88),
                             _mm512_shuffle_f32x4(u[2], u[3], 0xDD));
  __m512 sum = _mm512_add_ps(_mm512_shuffle_f32x4(s01, s23, 0x88),
                             _mm512_shuffle_f32x4(s01, s23, 0xDD));
  float sums[16];
  _mm512_storeu_ps(sums, sum);
  __mmask8 m = (__mmask8)((1u << nr) - 1);
  for (int i = 0; i < mr; ++i) {
    __m128 x = _mm_loadu_ps(sums + 4 * i);
    if (loadC)
      x = _mm_add_ps(x, _mm_maskz_loadu_ps(m, c + i * ldc));
    if (bias)
      x = _mm_add_ps(x, _mm_maskz_loadu_ps(m, bias));
    if (relu)
      x = _mm_max_ps(x, _mm_setzero_ps());
    _mm_mask_storeu_ps(c + i * ldc, m, x);
  }
}

#define DOT_CASE(R, NC)                                                        \
  case R * 4 + NC:                                                             \
    dotTile(R, NC, K, a, lda, b, ldb, c, ldc, loadC, bias, relu);              \
    return;
#define DOT_ROW(R) DOT_CASE(R, 1) DOT_CASE(R, 2) DOT_CASE(R, 3) DOT_CASE(R, 4)
static void dotDispatch(int mr, int nr, int64_t K, const float *a, int64_t lda,
                        const float *b, int64_t ldb, float *c, int64_t ldc,
                        int loadC, const float *bias, int relu) {
  switch (mr * 4 + nr) { DOT_ROW(1) DOT_ROW(2) DOT_ROW(3) DOT_ROW(4) }
}

/* C[m0:m1, n0:n1] for row-major A, N×K B and small M: rows dotted with rows,
   nothing packed. */
static void dotRegion(const Gemm *g, const float *A, const float *B, float *C,
                      int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  for (int64_t j = n0; j < n1; j += 4)
    for (int64_t i = m0; i < m1; i += 4)
      dotDispatch((int)min64(4, m1 - i), (int)min64(4, n1 - j), g->K,
                  A + i * g->lda, g->lda, B + j * g->ldb, g->ldb,
                  C + i * g->ldc + j, g->ldc, g->accumulate,
                  g->bias ? g->bias + j : NULL, g->relu);
}

/* Runs tasks [t0, t1) (task = batch element × M tile × N tile). */
static void runTasks(const Gemm *g, int64_t t0, int64_t t1) {
  float stackBuf[STACK_FLOATS] __attribute__((aligned(64)));
  int64_t kc = min64(KILN_UK_KC, g->K), nc = roundUp(KILN_UK_NC, NR);
  int64_t need = g->packB ? roundUp(min64(nc, g->tileN), NR) * kc : 0;
  float *buf = stackBuf, *heap = NULL;
  if (need > STACK_FLOATS) {
    heap =
        (float *)aligned_alloc(64, (size_t)roundUp(need, 16) * sizeof(float));
    if (heap) {
      buf = heap;
    } else { /* out of memory: blocks that fit the stack */
      kc = min64(STACK_FLOATS / NR, kc);
      nc = NR;
    }
  }
  int64_t perBatch = g->tilesM * g->tilesN;
  for (int64_t t = t0; t < t1; ++t) {
    int64_t b = t / perBatch, r = t % perBatch;
    int64_t m0 = r / g->tilesN * g->tileM, n0 = r % g->tilesN * g->tileN;
    int64_t m1 = min64(m0 + g->tileM, g->M), n1 = min64(n0 + g->tileN, g->N);
    const float *A = g->A + b * g->strideA, *B = g->B + b * g->strideB;
    float *C = g->C + b * g->strideC;
    if (g->dot)
      dotRegion(g, A, B, C, m0, m1, n0, n1);
    else
      gemmRegion(g, A, B, C, m0, m1, n0, n1, kc, nc, buf);
  }
  free(heap);
}

static void taskEntry(void *ctx, int64_t index) {
  runTasks((const Gemm *)ctx, index, index + 1);
}

void kiln_uk_matmul_f32(const float *A, const float *B, float *C, int64_t batch,
                        int64_t M, int64_t N, int64_t K, int64_t lda,
                        int64_t ldb, int64_t ldc, int64_t strideA,
                        int64_t strideB, int64_t strideC, int32_t flags,
                        const float *bias, int32_t activation,
                        const kiln_host_api_t *host) {
  if (batch <= 0 || M <= 0 || N <= 0)
    return;
  Gemm g = {.A = A, .B = B, .bias = bias, .C = C};
  g.M = M, g.N = N, g.K = K < 0 ? 0 : K;
  g.lda = lda, g.ldb = ldb, g.ldc = ldc;
  g.strideA = strideA, g.strideB = strideB, g.strideC = strideC;
  g.transA = (flags & KILN_UK_TRANS_A) != 0;
  g.transB = (flags & KILN_UK_TRANS_B) != 0;
  g.accumulate = (flags & KILN_UK_ACCUMULATE) != 0;
  g.relu = activation == KILN_UK_ACT_RELU;
  g.tileM = M, g.tileN = N, g.tilesM = 1, g.tilesN = 1;
  g.dot = g.transB && !g.transA && M <= DOT_M && g.K > 0;
  g.packB = !g.dot && (g.transB || M > SMALL_M);

  /* Threads for more than ~4 MFLOP: about 2 tiles per thread, split along N
     first (N tiles share nothing; M tiles each pack the same B). */
  int threads = host && host->parallel_for ? host->num_threads : 1;
  double flops = 2.0 * (double)batch * (double)M * (double)N * (double)g.K;
  if (threads > 1 && flops >= 4e6 && batch < 2 * threads) {
    int64_t want = (2 * threads + batch - 1) / batch;
    int64_t tn = min64(want, (N + 63) / 64);
    int64_t tm = min64((want + tn - 1) / tn, (M + 4 * MR - 1) / (4 * MR));
    g.tileN = roundUp((N + tn - 1) / tn, 16);
    g.tileM = roundUp((M + tm - 1) / tm, MR);
    g.tilesN = (N + g.tileN - 1) / g.tileN;
    g.tilesM = (M + g.tileM - 1) / g.tileM;
  }
  int64_t tasks = batch * g.tilesM * g.tilesN;
  if (threads > 1 && flops >= 4e6 && tasks > 1)
    host->parallel_for(host->pool, tasks, taskEntry, &g);
  else
    runTasks(&g, 0, tasks);
}
