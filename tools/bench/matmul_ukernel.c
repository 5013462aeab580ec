/* Benchmarks kiln_uk_matmul_f32 against single-thread OpenBLAS sgemm. */
#define _POSIX_C_SOURCE 199309L
#include "compiler/ukernels/Ukernels.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS 15

/* CPU time of this thread: the 2-core machine is shared, so wall time would
   also count the time other processes hold the core. */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct {
  int64_t M, K, N;
  int flags;
  const char *name;
} Shape;

static void runKiln(const Shape *s, const float *A, const float *B, float *C) {
  int64_t lda = s->flags & KILN_UK_TRANS_A ? s->M : s->K;
  int64_t ldb = s->flags & KILN_UK_TRANS_B ? s->K : s->N;
  kiln_uk_matmul_f32(A, B, C, 1, s->M, s->N, s->K, lda, ldb, s->N, 0, 0, 0,
                     s->flags, NULL, KILN_UK_ACT_NONE, NULL);
}

static void runBlas(const Shape *s, const float *A, const float *B, float *C) {
  int ta = s->flags & KILN_UK_TRANS_A, tb = s->flags & KILN_UK_TRANS_B;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
              tb ? CblasTrans : CblasNoTrans, (int)s->M, (int)s->N, (int)s->K,
              1.0f, A, ta ? (int)s->M : (int)s->K, B,
              tb ? (int)s->K : (int)s->N, 0.0f, C, (int)s->N);
}

int main(int argc, char **argv) {
  static const Shape shapes[] = {
      {64, 64, 64, 0, "64^3"},
      {128, 128, 128, 0, "128^3"},
      {256, 256, 256, 0, "256^3"},
      {512, 512, 512, 0, "512^3"},
      {1024, 1024, 1024, 0, "1024^3"},
      {1024, 1024, 1024, KILN_UK_TRANS_B, "1024^3"},
      {1024, 1024, 1024, KILN_UK_TRANS_A, "1024^3"},
      {1, 784, 128, 0, "dense 1x784x128"},
      {1, 784, 128, KILN_UK_TRANS_B, "dense 1x784x128"},
      {8, 784, 128, KILN_UK_TRANS_B, "dense 8x784x128"},
      {32, 784, 128, 0, "dense 32x784x128"},
      {32, 784, 128, KILN_UK_TRANS_B, "dense 32x784x128"},
      {32, 128, 10, 0, "dense 32x128x10"},
      {32 * 26 * 26, 9, 32, 0, "im2col 21632x9x32"},
      {32 * 11 * 11, 288, 64, 0, "im2col 3872x288x64"},
      /* A CNN training step (batch 32, 28x28 input, two 3x3 convolutions):
       * first-layer depth-major columns, and the two gradients of the
       * second convolution (input: dy · Wᵀ; filter: colsᵀ · dy) and the
       * first one's filter. */
      {32 * 26 * 26, 9, 32, KILN_UK_TRANS_A, "train conv1 21632x9x32"},
      {32 * 11 * 11, 64, 288, KILN_UK_TRANS_B, "train dx2 3872x64x288"},
      {288, 32 * 11 * 11, 64, KILN_UK_TRANS_A, "train dw2 288x3872x64"},
      {9, 32 * 26 * 26, 32, 0, "train dw1 9x21632x32"},
  };
  const char *only = argc > 1 ? argv[1] : NULL;
  /* The zmm FMA peak of one core: DESIGN.md's Zen 5 figure by default. */
  const char *peakEnv = getenv("KILN_PEAK_GFLOPS");
  double peak = peakEnv ? atof(peakEnv) : 243.0;
  printf("# single thread, thread CPU time, %d interleaved rounds, "
         "GFLOP/s median (p90), peak %.0f GFLOP/s\n",
         ROUNDS, peak);
  printf("%-22s %5s %16s %16s %6s %6s %8s\n", "shape (M x K x N)", "op", "kiln",
         "OpenBLAS", "ratio", "%peak", "max|err|");
  for (size_t si = 0; si < sizeof(shapes) / sizeof(shapes[0]); ++si) {
    const Shape *s = &shapes[si];
    if (only && !strstr(s->name, only))
      continue;
    float *A = aligned_alloc(64, (size_t)(s->M * s->K * 4 + 64));
    float *B = aligned_alloc(64, (size_t)(s->K * s->N * 4 + 64));
    float *C0 = aligned_alloc(64, (size_t)(s->M * s->N * 4 + 64));
    float *C1 = aligned_alloc(64, (size_t)(s->M * s->N * 4 + 64));
    srand(1);
    for (int64_t i = 0; i < s->M * s->K; ++i)
      A[i] = rand() / (float)RAND_MAX - 0.5f;
    for (int64_t i = 0; i < s->K * s->N; ++i)
      B[i] = rand() / (float)RAND_MAX - 0.5f;
    double flop = 2.0 * s->M * s->N * s->K;
    /* Repetitions per timed sample: about 20 ms of work at peak. */
    int reps = (int)(20e-3 * peak * 1e9 / flop) + 1;
    double tk[ROUNDS], tb[ROUNDS];
    runKiln(s, A, B, C0);
    runBlas(s, A, B, C1);
    float err = 0;
    for (int64_t i = 0; i < s->M * s->N; ++i)
      err = fmaxf(err, fabsf(C0[i] - C1[i]));
    for (int r = 0; r < ROUNDS; ++r) {
      double t = now();
      for (int i = 0; i < reps; ++i)
        runKiln(s, A, B, C0);
      tk[r] = (now() - t) / reps;
      t = now();
      for (int i = 0; i < reps; ++i)
        runBlas(s, A, B, C1);
      tb[r] = (now() - t) / reps;
    }
    qsort(tk, ROUNDS, sizeof(double), cmp);
    qsort(tb, ROUNDS, sizeof(double), cmp);
    int p50 = ROUNDS / 2, p90 = (ROUNDS * 9 + 9) / 10 - 1;
    double gk = flop / tk[p50] * 1e-9, gb = flop / tb[p50] * 1e-9;
    char kiln[32], blas[32];
    snprintf(kiln, sizeof kiln, "%.1f (%.1f)", gk, flop / tk[p90] * 1e-9);
    snprintf(blas, sizeof blas, "%.1f (%.1f)", gb, flop / tb[p90] * 1e-9);
    printf("%-22s %5s %16s %16s %6.2f %5.1f%% %8.2g\n", s->name,
           s->flags == 0                 ? "AB"
           : s->flags == KILN_UK_TRANS_A ? "A^T B"
                                         : "A B^T",
           kiln, blas, gk / gb, 100.0 * gk / peak, err);
    fflush(stdout);
    free(A);
    free(B);
    free(C0);
    free(C1);
  }
  return 0;
}
