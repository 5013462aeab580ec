/* Kiln's compiled matmul artifact vs OpenBLAS sgemm, single thread,
 * interleaved (A B A B ...), medians: see tools/bench/matmul.sh. */
#include "kiln/runtime.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void check(kiln_status_t s) {
  if (s) {
    fprintf(stderr, "kiln: %s\n", kiln_status_message(s));
    exit(2);
  }
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s ARTIFACT M N K ROUNDS\n", argv[0]);
    return 2;
  }
  long m = atol(argv[2]), n = atol(argv[3]), k = atol(argv[4]);
  int rounds = atoi(argv[5]);
  kiln_module_t *module;
  check(kiln_module_load_file(argv[1], NULL, &module));
  kiln_session_options_t options;
  kiln_session_options_initialize(&options);
  options.num_threads = 1;
  kiln_session_t *session;
  check(kiln_session_create(module, &options, &session));
  float *a = aligned_alloc(64, ((m * k * 4 + 63) / 64) * 64);
  float *b = aligned_alloc(64, ((k * n * 4 + 63) / 64) * 64);
  float *c = aligned_alloc(64, ((m * n * 4 + 63) / 64) * 64);
  float *c2 = aligned_alloc(64, ((m * n * 4 + 63) / 64) * 64);
  for (long i = 0; i < m * k; ++i) a[i] = (float)((i * 7 % 13) - 6) / 8;
  for (long i = 0; i < k * n; ++i) b[i] = (float)((i * 5 % 11) - 5) / 8;
  int64_t da[2] = {m, k}, db[2] = {k, n}, dc[2] = {m, n};
  kiln_tensor_t in[2] = {{KILN_DTYPE_F32, 2, da, a, m * k * 4},
                         {KILN_DTYPE_F32, 2, db, b, k * n * 4}};
  kiln_tensor_t out = {KILN_DTYPE_F32, 2, dc, c, m * n * 4};
  double flops = 2.0 * m * n * k;
  /* Repetitions per sample: about 20 ms of work. */
  int reps = (int)(2e9 * 0.02 / flops) + 1;
  double *tk = malloc(sizeof(double) * rounds), *tb = malloc(sizeof(double) * rounds);
  for (int r = -2; r < rounds; ++r) { /* two warm-up rounds */
    double t0 = now();
    for (int i = 0; i < reps; ++i)
      check(kiln_session_invoke(session, 0, in, 2, &out, 1));
    double t1 = now();
    for (int i = 0; i < reps; ++i)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a,
                  k, b, n, 0.0f, c2, n);
    double t2 = now();
    if (r >= 0) {
      tk[r] = (t1 - t0) / reps;
      tb[r] = (t2 - t1) / reps;
    }
  }
  double maxDiff = 0;
  for (long i = 0; i < m * n; ++i) {
    double d = c[i] - c2[i];
    if (d < 0) d = -d;
    if (d > maxDiff) maxDiff = d;
  }
  qsort(tk, rounds, sizeof(double), cmp);
  qsort(tb, rounds, sizeof(double), cmp);
  double gk = flops / tk[rounds / 2] * 1e-9, gb = flops / tb[rounds / 2] * 1e-9;
  const char *peakText = getenv("KILN_PEAK_GFLOPS");
  double peak = peakText ? atof(peakText) : 243.0;
  printf("%5ldx%5ldx%5ld  kiln %7.1f GFLOP/s (%4.0f%% peak, p90 %7.3f ms)  "
         "openblas %7.1f GFLOP/s (p90 %7.3f ms)  ratio %.2f  max|diff| %.1e\n",
         m, n, k, gk, 100 * gk / peak, tk[(rounds * 9) / 10] * 1e3, gb,
         tb[(rounds * 9) / 10] * 1e3, gk / gb, maxDiff);
  kiln_session_release(session);
  kiln_module_release(module);
  return 0;
}
