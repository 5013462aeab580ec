/* Kiln's f32 matmul ukernel: GotoBLAS-style packed, register-blocked AVX-512 GEMM with fused bias/ReLU. */
#include "Ukernels.h"

#include <immintrin.h>
#include <stddef.h>
#include <stdlib.h>

/* Blocking (tunable with -D for experiments). MR×32 is the register tile. */
#ifndef KILN_UK_MR
#define KILN_UK_MR 14
#endif
#ifndef KILN_UK_KC
#define KILN_UK_KC 256
#endif
#ifndef KILN_UK_MC
#define KILN_UK_MC 224
#endif
#ifndef KILN_UK_NC
#define KILN_UK_NC 512
#endif
#define MR KILN_UK_MR
#define NR 32
/* Largest M that reads B in place (row-major B) instead of packing it. */
#define SMALL_M 16
/* Largest M that uses dot products for N×K (transposed) B instead of packing it. */
#define DOT_M 16
/* Scratch up to this many floats lives on the stack; more is malloc'd. */
#define STACK_FLOATS 8192

#define INLINE static inline __attribute__((always_inline))

typedef struct Gemm {
  const float *A, *B, *bias;
  float *C;
  int64_t M, N, K, lda, ldb, ldc, strideA, strideB, strideC;
  int transA, transB, accumulate, relu;
  int packA, packB, dot;
  int64_t tileM, tileN, tilesM, tilesN; /* task grid per batch element */
} Gemm;

typedef struct Blocking {
  int64_t kc, mc, nc;
} Blocking;

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t roundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }
static inline __mmask16 tailMask(int64_t n) {
  return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

/* The register tile: C[mr×(16·nv)] (+)= a · b over kc, then the epilogue.
   a(i, k) = a[i·rsa + k·csa] (packed: rsa = 1, csa = MR); b rows are bStride
   apart (packed panels are 64-byte aligned and zero-padded; in-place rows are
   masked by bMask in their last vector). cMask masks the last column vector. */
INLINE void tile(int mr, int nv, int aPacked, int bPacked, int64_t kc,
                 const float *a, int64_t rsa, int64_t csa, const float *b,
                 int64_t bStride, __mmask16 bMask, float *c, int64_t ldc,
                 __mmask16 cMask, int loadC, const float *bias, int relu) {
  __m512 acc[MR][4];
  if (aPacked) {
    rsa = 1;
    csa = MR;
  }
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nv; ++j)
      acc[i][j] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    __m512 bv[4];
    for (int j = 0; j < nv; ++j) {
      if (bPacked)
        bv[j] = _mm512_load_ps(b + 16 * j);
      else if (j == nv - 1)
        bv[j] = _mm512_maskz_loadu_ps(bMask, b + 16 * j);
      else
        bv[j] = _mm512_loadu_ps(b + 16 * j);
    }
    for (int i = 0; i < mr; ++i) {
      __m512 av = _mm512_set1_ps(a[i * rsa]);
      for (int j = 0; j < nv; ++j)
        acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
    a += csa;
    b += bStride;
  }
  for (int i = 0; i < mr; ++i) {
    float *ci = c + i * ldc;
    for (int j = 0; j < nv; ++j) {
      __mmask16 m = j == nv - 1 ? cMask : (__mmask16)0xFFFF;
      __m512 v = acc[i][j];
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
#define TILE_PASS kc, a, rsa, csa, b, bStride, bMask, c, ldc, cMask, loadC, bias, relu
#define TILE_CASE(R, NV, AP, BP)                                               \
  case R:                                                                      \
    if (R <= MR)                                                               \
      tile(R, NV, AP, BP, TILE_PASS);                                          \
    return;
#define TILE_FN(NAME, NV, AP, BP)                                              \
  static void NAME(int mr, TILE_ARGS) {                                        \
    switch (mr) {                                                              \
      TILE_CASE(1, NV, AP, BP) TILE_CASE(2, NV, AP, BP)                        \
      TILE_CASE(3, NV, AP, BP) TILE_CASE(4, NV, AP, BP)                        \
      TILE_CASE(5, NV, AP, BP) TILE_CASE(6, NV, AP, BP)                        \
      TILE_CASE(7, NV, AP, BP) TILE_CASE(8, NV, AP, BP)                        \
      TILE_CASE(9, NV, AP, BP) TILE_CASE(10, NV, AP, BP)                       \
      TILE_CASE(11, NV, AP, BP) TILE_CASE(12, NV, AP, BP)                      \
      TILE_CASE(13, NV, AP, BP) TILE_CASE(14, NV, AP, BP)                      \
      TILE_CASE(15, NV, AP, BP) TILE_CASE(16, NV, AP, BP)                      \
    }                                                                          \
  }
TILE_FN(tilePP1, 1, 1, 1)
TILE_FN(tilePP2, 2, 1, 1)
TILE_FN(tilePU1, 1, 1, 0)
TILE_FN(tilePU2, 2, 1, 0)
TILE_FN(tileUP1, 1, 0, 1)
TILE_FN(tileUP2, 2, 0, 1)

/* Packs op(B)[pc:pc+kc, n0:n0+nc] into NR-wide panels (kc×NR each, the last
   one 16 wide if it fits), zero-padded. */
static void packB(const Gemm *g, const float *B, int64_t pc, int64_t kc,
                  int64_t n0, int64_t nc, float *dst) {
  for (int64_t p = 0; p < nc; p += NR, dst += NR * kc) {
    int64_t w = min64(NR, nc - p), ws = w <= 16 ? 16 : NR;
    if (!g->transB) {
      const float *src = B + pc * g->ldb + n0 + p;
      __mmask16 m0 = tailMask(w), m1 = tailMask(w - 16);
      for (int64_t k = 0; k < kc; ++k, src += g->ldb) {
        _mm512_store_ps(dst + k * ws, _mm512_maskz_loadu_ps(m0, src));
        if (ws > 16)
          _mm512_store_ps(dst + k * ws + 16, _mm512_maskz_loadu_ps(m1, src + 16));
      }
    } else {
      const float *src = B + (n0 + p) * g->ldb + pc;
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t j = 0; j < ws; ++j)
          dst[k * ws + j] = j < w ? src[j * g->ldb + k] : 0.0f;
    }
  }
}

/* Packs op(A)[m0:m0+mc, pc:pc+kc] into MR-row strips (kc×MR each). */
static void packA(const Gemm *g, const float *A, int64_t m0, int64_t mc,
                  int64_t pc, int64_t kc, float *dst) {
  for (int64_t s = 0; s < mc; s += MR, dst += MR * kc) {
    int64_t h = min64(MR, mc - s);
    if (g->transA) {
      const float *src = A + pc * g->lda + m0 + s;
      __mmask16 m = tailMask(h);
      for (int64_t k = 0; k < kc; ++k, src += g->lda)
        _mm512_mask_storeu_ps(dst + k * MR, m, _mm512_maskz_loadu_ps(m, src));
    } else {
      const float *src = A + (m0 + s) * g->lda + pc;
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t i = 0; i < h; ++i)
          dst[k * MR + i] = src[i * g->lda + k];
    }
  }
}

/* C[m0:m1, n0:n1] of one batch element with the packed (or in-place) GEMM. */
static void gemmRegion(const Gemm *g, const float *A, const float *B, float *C,
                       int64_t m0, int64_t m1, int64_t n0, int64_t n1,
                       Blocking bl, float *buf) {
  float *bBuf = buf;
  float *aBuf = buf + (g->packB ? roundUp(min64(bl.nc, n1 - n0), NR) * bl.kc : 0);
  for (int64_t jc = n0; jc < n1; jc += bl.nc) {
    int64_t nc = min64(bl.nc, n1 - jc);
    int64_t pc = 0;
    do {
      int64_t kc = min64(bl.kc, g->K - pc);
      int last = pc + kc >= g->K;
      int loadC = pc > 0 || g->accumulate;
      int relu = last && g->relu;
      if (g->packB)
        packB(g, B, pc, kc, jc, nc, bBuf);
      for (int64_t ic = m0; ic < m1; ic += bl.mc) {
        int64_t mc = min64(bl.mc, m1 - ic);
        if (g->packA)
          packA(g, A, ic, mc, pc, kc, aBuf);
        for (int64_t ir = 0; ir < mc; ir += MR) {
          int mr = (int)min64(MR, mc - ir);
          const float *a;
          int64_t rsa = 1, csa = MR;
          if (g->packA) {
            a = aBuf + ir * kc;
          } else if (g->transA) {
            a = A + pc * g->lda + ic + ir;
            csa = g->lda;
          } else {
            a = A + (ic + ir) * g->lda + pc;
            rsa = g->lda;
            csa = 1;
          }
          for (int64_t jr = 0; jr < nc; jr += NR) {
            int64_t w = min64(NR, nc - jr);
            __mmask16 cMask = tailMask(w <= 16 ? w : w - 16);
            float *c = C + (ic + ir) * g->ldc + jc + jr;
            const float *bias = last && g->bias ? g->bias + jc + jr : NULL;
            if (g->packB) {
              const float *b = bBuf + jr * kc;
              int64_t bs = w <= 16 ? 16 : NR;
              if (g->packA) {
                if (w <= 16)
                  tilePP1(mr, kc, a, rsa, csa, b, bs, 0xFFFF, c, g->ldc, cMask, loadC, bias, relu);
                else
                  tilePP2(mr, kc, a, rsa, csa, b, bs, 0xFFFF, c, g->ldc, cMask, loadC, bias, relu);
              } else {
                if (w <= 16)
                  tileUP1(mr, kc, a, rsa, csa, b, bs, 0xFFFF, c, g->ldc, cMask, loadC, bias, relu);
                else
                  tileUP2(mr, kc, a, rsa, csa, b, bs, 0xFFFF, c, g->ldc, cMask, loadC, bias, relu);
              }
            } else {
              const float *b = B + pc * g->ldb + jc + jr;
              if (w <= 16)
                tilePU1(mr, kc, a, rsa, csa, b, g->ldb, cMask, c, g->ldc, cMask, loadC, bias, relu);
              else
                tilePU2(mr, kc, a, rsa, csa, b, g->ldb, cMask, c, g->ldc, cMask, loadC, bias, relu);
            }
          }
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
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nr; ++j) {
      float v = _mm512_reduce_add_ps(acc[i][j]);
      if (loadC)
        v += c[i * ldc + j];
      if (bias)
        v += bias[j];
      if (relu && !(v > 0.0f))
        v = 0.0f;
      c[i * ldc + j] = v;
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

/* C[m0:m1, n0:n1] for N×K B and small M: A rows (transposed into buf if A is
   K×M) dotted with B rows. */
static void dotRegion(const Gemm *g, const float *A, const float *B, float *C,
                      int64_t m0, int64_t m1, int64_t n0, int64_t n1, float *buf) {
  const float *a = A + m0 * g->lda;
  int64_t lda = g->lda, K = g->K;
  if (g->transA) {
    for (int64_t k = 0; k < K; ++k)
      for (int64_t i = m0; i < m1; ++i)
        buf[(i - m0) * K + k] = A[k * g->lda + i];
    a = buf;
    lda = K;
  }
  for (int64_t i = m0; i < m1; i += 4)
    for (int64_t j = n0; j < n1; j += 4)
      dotDispatch((int)min64(4, m1 - i), (int)min64(4, n1 - j), K,
                  a + (i - m0) * lda, lda, B + j * g->ldb, g->ldb,
                  C + i * g->ldc + j, g->ldc, g->accumulate,
                  g->bias ? g->bias + j : NULL, g->relu);
}

/* Floats of scratch one task needs for a tile of at most tileM × tileN. */
static int64_t scratchFloats(const Gemm *g, Blocking bl) {
  if (g->dot)
    return g->transA ? g->tileM * g->K : 0;
  return (g->packB ? roundUp(min64(bl.nc, g->tileN), NR) * bl.kc : 0) +
         (g->packA ? roundUp(min64(bl.mc, g->tileM), MR) * bl.kc : 0);
}

/* Runs tasks [t0, t1) (task = batch element × M tile × N tile). */
static void runTasks(const Gemm *g, int64_t t0, int64_t t1) {
  float stackBuf[STACK_FLOATS] __attribute__((aligned(64)));
  Blocking bl = {min64(KILN_UK_KC, g->K), KILN_UK_MC, KILN_UK_NC};
  int64_t need = scratchFloats(g, bl);
  float *buf = stackBuf, *heap = NULL;
  if (need > STACK_FLOATS) {
    void *p = NULL;
    if (posix_memalign(&p, 64, (size_t)need * sizeof(float)) == 0)
      buf = heap = (float *)p;
    else if (!g->dot)
      bl = (Blocking){min64(128, g->K), MR, NR}; /* out of memory: blocks that fit the stack */
    else
      return; /* no memory for the transposed A rows: nothing sane to do */
  }
  for (int64_t t = t0; t < t1; ++t) {
    int64_t perBatch = g->tilesM * g->tilesN;
    int64_t b = t / perBatch, r = t % perBatch;
    int64_t m0 = r / g->tilesN * g->tileM, n0 = r % g->tilesN * g->tileN;
    int64_t m1 = min64(m0 + g->tileM, g->M), n1 = min64(n0 + g->tileN, g->N);
    const float *A = g->A + b * g->strideA, *B = g->B + b * g->strideB;
    float *C = g->C + b * g->strideC;
    if (g->dot)
      dotRegion(g, A, B, C, m0, m1, n0, n1, buf);
    else
      gemmRegion(g, A, B, C, m0, m1, n0, n1, bl, buf);
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
  Gemm g = {A, B, bias, C, M, N, K < 0 ? 0 : K, lda, ldb, ldc,
            strideA, strideB, strideC,
            (flags & KILN_UK_TRANS_A) != 0, (flags & KILN_UK_TRANS_B) != 0,
            (flags & KILN_UK_ACCUMULATE) != 0, activation == KILN_UK_ACT_RELU,
            0, 0, 0, M, N, 1, 1};
  g.dot = g.transB && M <= DOT_M && g.K > 0;
  g.packB = g.transB || M > SMALL_M;
  g.packA = N > NR;

  int threads = host && host->parallel_for ? host->num_threads : 1;
  double flops = 2.0 * (double)batch * (double)M * (double)N * (double)g.K;
  if (threads > 1 && flops >= 4e6) {
    /* Split each batch element into about 2·threads/batch tiles, N first
       (tiles of N share nothing; tiles of M each pack their own B). */
    int64_t want = (2 * threads + batch - 1) / batch;
    int64_t tn = min64(want, (N + 127) / 128);
    int64_t tm = min64((want + tn - 1) / tn, (M + 4 * MR - 1) / (4 * MR));
    if (tn < 1) tn = 1;
    if (tm < 1) tm = 1;
    g.tileN = roundUp((N + tn - 1) / tn, NR);
    g.tileM = g.dot ? roundUp((M + tm - 1) / tm, 4) : roundUp((M + tm - 1) / tm, MR);
    g.tilesN = (N + g.tileN - 1) / g.tileN;
    g.tilesM = (M + g.tileM - 1) / g.tileM;
  }
  int64_t tasks = batch * g.tilesM * g.tilesN;
  if (threads > 1 && tasks > 1 && flops >= 4e6)
    host->parallel_for(host->pool, tasks, taskEntry, &g);
  else
    runTasks(&g, 0, tasks);
}
