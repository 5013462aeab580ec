/*===- add_bias.c - a hand-written Kiln artifact for the runtime tests ----===*
 *
 * Implements the artifact ABI (kiln/artifact_abi.h) the way kiln-compile's
 * output does, without the compiler: a descriptor, a manifest, weights in
 * `.kiln.weights` and two entry points that split their work with the host's
 * parallel_for.
 *
 *   predict(x: f32[4,8]) -> y = x + bias
 *   affine(x: f32[4,8], scale: f32[]) -> scaled = x * scale (through the
 *       arena), shifted = scaled + bias, positive = count(shifted > 0): i64[]
 *
 * Entries return nonzero when the host breaks the ABI (an unaligned arena,
 * another host ABI version) and affine returns 7 when `scale` is NaN, so the
 * tests can see an entry's failure.
 *
 * Built with -DWRONG_ABI it claims the ABI version after the current one.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/artifact_abi.h"

#include "add_bias_data.h" /* ADD_BIAS_WEIGHTS, ADD_BIAS_MANIFEST */

#include <stdint.h>

#define ROWS 4
#define WIDTH ADD_BIAS_WIDTH

__attribute__((section(".kiln.weights"), aligned(64), used))
static const float kBias[WIDTH] = ADD_BIAS_WEIGHTS;

static const uint8_t kManifest[] = ADD_BIAS_MANIFEST;

static int hostIsValid(const kiln_host_api_t *host, const void *arena) {
  return host && host->abi_version == KILN_ARTIFACT_ABI_VERSION &&
         host->num_threads >= 1 && host->parallel_for &&
         ((uintptr_t)arena % KILN_ARTIFACT_ALIGNMENT) == 0;
}

typedef struct {
  const float *x;
  const float *bias;
  float scale;
  float *y;
} RowJob;

static void addBiasRow(void *ctx, int64_t row) {
  const RowJob *job = (const RowJob *)ctx;
  for (int i = 0; i < WIDTH; ++i)
    job->y[row * WIDTH + i] = job->x[row * WIDTH + i] + job->bias[i];
}

static void scaleElement(void *ctx, int64_t k) {
  const RowJob *job = (const RowJob *)ctx;
  job->y[k] = job->x[k] * job->scale;
}

static int32_t predict(void *const *inputs, void *const *outputs, void *arena,
                       const void *weights, const kiln_host_api_t *host) {
  if (!hostIsValid(host, arena))
    return 3;
  RowJob job = {(const float *)inputs[0], (const float *)weights, 1.0f,
                (float *)outputs[0]};
  host->parallel_for(host->pool, ROWS, addBiasRow, &job);
  return 0;
}

static int32_t affine(void *const *inputs, void *const *outputs, void *arena,
                      const void *weights, const kiln_host_api_t *host) {
  if (!hostIsValid(host, arena))
    return 3;
  float scale = *(const float *)inputs[1];
  if (scale != scale)
    return 7;
  float *scaledInArena = (float *)arena;
  RowJob scaleJob = {(const float *)inputs[0], 0, scale, scaledInArena};
  host->parallel_for(host->pool, ROWS * WIDTH, scaleElement, &scaleJob);
  float *scaled = (float *)outputs[0];
  for (int k = 0; k < ROWS * WIDTH; ++k)
    scaled[k] = scaledInArena[k];
  RowJob biasJob = {scaled, (const float *)weights, 1.0f, (float *)outputs[1]};
  host->parallel_for(host->pool, ROWS, addBiasRow, &biasJob);
  int64_t positive = 0;
  for (int k = 0; k < ROWS * WIDTH; ++k)
    positive += ((const float *)outputs[1])[k] > 0.0f;
  *(int64_t *)outputs[2] = positive;
  return 0;
}

static const kiln_entry_fn_t kEntries[] = {predict, affine};

#ifdef WRONG_ABI
#define ABI_VERSION (KILN_ARTIFACT_ABI_VERSION + 1)
#else
#define ABI_VERSION KILN_ARTIFACT_ABI_VERSION
#endif

__attribute__((visibility("default"))) const kiln_artifact_t kiln_artifact_v1 = {
    {'K', 'I', 'L', 'N', 'A', 'R', 'T', '1'},
    ABI_VERSION,
    sizeof(kiln_artifact_t),
    kManifest,
    sizeof(kManifest),
    (const uint8_t *)kBias,
    sizeof(kBias),
    kEntries,
    sizeof(kEntries) / sizeof(kEntries[0]),
    0,
    0,
};
