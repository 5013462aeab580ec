/* Kiln's CPU microkernels: the C ABI that compiled models call. */
#ifndef KILN_UKERNELS_H
#define KILN_UKERNELS_H

#include "kiln/artifact_abi.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* kiln_uk_matmul_f32 flags. */
#define KILN_UK_TRANS_A 1
#define KILN_UK_TRANS_B 2
#define KILN_UK_ACCUMULATE 4

/* kiln_uk_matmul_f32 activations. */
#define KILN_UK_ACT_NONE 0
#define KILN_UK_ACT_RELU 1

/* C[b] (M×N, row stride ldc) = (accumulate ? C[b] : 0) + op(A[b]) · op(B[b])
   [+ bias[n]] [then activation], for b in [0, batch).
   op(A) is M×K: A row-major with row stride lda, or, if KILN_UK_TRANS_A, A is
   K×M with row stride lda. op(B) is K×N: B row-major with row stride ldb, or,
   if KILN_UK_TRANS_B, B is N×K with row stride ldb.
   Batch strides in elements: strideA/strideB/strideC (0 = broadcast the same
   matrix to all batches; C must not be broadcast when batch > 1).
   bias: NULL or N floats. activation: KILN_UK_ACT_NONE / KILN_UK_ACT_RELU.
   C must not alias A, B or bias.
   host: may be NULL (single-threaded) or used for parallel_for over
   independent tiles (batch × M-blocks × N-blocks) when the product is large
   enough. Scratch: at most 32 KB of stack; larger packed panels of B are
   malloc'd (aligned_alloc) per call or task. */
void kiln_uk_matmul_f32(const float *A, const float *B, float *C, int64_t batch,
                        int64_t M, int64_t N, int64_t K, int64_t lda,
                        int64_t ldb, int64_t ldc, int64_t strideA,
                        int64_t strideB, int64_t strideC, int32_t flags,
                        const float *bias, int32_t activation,
                        const kiln_host_api_t *host);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_UKERNELS_H */
