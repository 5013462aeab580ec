/*===- artifact_abi.h - the contract between kiln-compile and the runtime -===*
 *
 * A Kiln artifact is one ELF shared object. It exports exactly one symbol,
 * `kiln_artifact_v1`, a `kiln_artifact_t` describing:
 *   - a serialized manifest (entry points, tensor names/dtypes/shapes, arena
 *     sizes, target, weight checksum), little-endian, format below;
 *   - a read-only weights blob (64-byte aligned, in section `.kiln.weights`);
 *   - a table of entry functions with the `kiln_entry_fn_t` signature;
 *   - for device artifacts (CUDA), the device code: PTX text whose kernels
 *     the manifest lists in launch order.
 * Nothing in the artifact runs before the runtime has checked the header, the
 * manifest and the weights checksum (the artifact has no constructors).
 *
 * This header is plain C, included by the runtime and by the compiler. Bump
 * KILN_ARTIFACT_ABI_VERSION on any change to the layout below.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_ARTIFACT_ABI_H
#define KILN_ARTIFACT_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_ARTIFACT_ABI_VERSION 3u
#define KILN_ARTIFACT_SYMBOL "kiln_artifact_v1"
/* The 8 bytes at the start of kiln_artifact_t (no terminating NUL). */
#define KILN_ARTIFACT_MAGIC "KILNART1"
/* The 4 bytes at the start of the serialized manifest. */
#define KILN_MANIFEST_MAGIC "KMAN"
/* Alignment of the weights blob, of every weight in it, and of the arena. */
#define KILN_ARTIFACT_ALIGNMENT 64u

/* Element types. Values are part of the ABI. */
typedef enum kiln_dtype_e {
  KILN_DTYPE_INVALID = 0,
  KILN_DTYPE_F32 = 1,
  KILN_DTYPE_F64 = 2,
  KILN_DTYPE_F16 = 3,
  KILN_DTYPE_BF16 = 4,
  KILN_DTYPE_BOOL = 5, /* one byte per element, 0 or 1 */
  KILN_DTYPE_I8 = 6,
  KILN_DTYPE_I32 = 7,
  KILN_DTYPE_I64 = 8,
} kiln_dtype_t;

/* kiln_matmul_t.flags */
#define KILN_MATMUL_TRANSPOSE_A 1 /* A is stored [k, m] (per batch) */
#define KILN_MATMUL_TRANSPOSE_B 2 /* B is stored [n, k] */
#define KILN_MATMUL_ACCUMULATE 4  /* C += A·B; otherwise C = A·B */
#define KILN_MATMUL_ALLOW_TF32 8  /* TF32 tensor cores allowed (cuda) */
/* kiln_matmul_t.activation */
#define KILN_ACTIVATION_NONE 0
#define KILN_ACTIVATION_RELU 1

/* One f32 (batch) matmul on row-major operands, as generated code hands it
 * to the device: C[b] = act(A[b]·B[b] (+ C[b] if ACCUMULATE) (+ bias)).
 * Every field is 64-bit (generated code fills it as an int64_t array). */
typedef struct kiln_matmul_t {
  int64_t flags;
  int64_t activation;
  int64_t batch, m, n, k;
  int64_t lda, ldb, ldc;                /* row strides, in elements */
  int64_t stride_a, stride_b, stride_c; /* batch strides, in elements */
  uint64_t a, b, c;                     /* device addresses */
  uint64_t bias; /* device address of a [n] vector added to every row, or 0 */
} kiln_matmul_t;

/* kiln_conv_t.flags */
#define KILN_CONV_ACCUMULATE 1 /* y += conv(x, w); otherwise y = conv(x, w) */
#define KILN_CONV_ALLOW_TF32 2 /* TF32 tensor cores allowed (cuda) */
/* The gradients of the convolution the fields describe (at most one of the
 * two; activation NONE and no bias): */
#define KILN_CONV_BACKWARD_DATA 4   /* x = conv_backward_data(y, w) */
#define KILN_CONV_BACKWARD_FILTER 8 /* filter = conv_backward_filter(x, y) */

/* One f32 2-D convolution (cross-correlation), as generated code hands it to
 * the device: y = act(conv(x, w) (+ y if ACCUMULATE) (+ bias)), or one of
 * its gradients (BACKWARD_DATA: x, the input gradient, from y, the output
 * gradient; BACKWARD_FILTER: the filter gradient; ACCUMULATE adds to the
 * buffer written instead of overwriting it). x is a dense
 * NHWC [n, h, w, c] buffer, w a dense OHWI [o, kh, kw, c] filter, y a dense
 * NHWC [n, oh, ow, o] buffer; padding is zeros, top/bottom and left/right.
 * Every field is 64-bit (generated code fills it as an int64_t array). */
typedef struct kiln_conv_t {
  int64_t flags;
  int64_t activation; /* KILN_ACTIVATION_* */
  int64_t n, h, w, c; /* input */
  int64_t o, kh, kw;  /* filter */
  int64_t oh, ow;     /* output */
  int64_t pad_top, pad_bottom, pad_left, pad_right;
  int64_t stride_h, stride_w, dilation_h, dilation_w;
  uint64_t x, filter, y; /* device addresses */
  uint64_t bias; /* device address of a [o] vector added to every pixel, or 0 */
} kiln_conv_t;

/* What the runtime hands generated code at every invocation: the only way
 * generated code reaches the host (it imports nothing but libc/libm). */
typedef struct kiln_host_api_t {
  uint32_t abi_version; /* KILN_ARTIFACT_ABI_VERSION */
  int32_t num_threads;  /* workers parallel_for may use, >= 1 */
  void *pool;           /* opaque, passed back to parallel_for */
  /* Runs fn(ctx, i) for every i in [0, count), possibly concurrently on
   * up to num_threads threads, and returns when all have finished. */
  void (*parallel_for)(void *pool, int64_t count,
                       void (*fn)(void *ctx, int64_t index), void *ctx);
  /* Device artifacts. The entry's inputs, outputs and arena are then
   * device addresses, and generated code never dereferences them: it
   * enqueues work on the session's stream through the functions below. A
   * failure is recorded in `device` and reported by the runtime when the
   * entry returns. In a CPU session `device_weights` and `launch` are NULL
   * `matmul` runs the call's cuBLASLt plan and
   * `conv` a reference loop on the host (for --cuda-emulation artifacts). */
  void *device;
  const void *device_weights; /* the weights blob in device memory */
  /* Launches kernel `kernel` (an index into the manifest's kernel list) on
   * `grid` blocks of `block` threads (1-D), with num_args 8-byte arguments
   * (device addresses and scalars as generated code packed them). */
  void (*launch)(void *device, uint32_t kernel, uint32_t grid, uint32_t block,
                 uint32_t num_args, const uint64_t *args);
  /* Runs one matmul (kiln_matmul_t above). */
  void (*matmul)(void *device, const kiln_matmul_t *op);
  /* Runs one convolution (kiln_conv_t above). */
  void (*conv)(void *device, const kiln_conv_t *op);
} kiln_host_api_t;


/* One entry point. inputs[i] / outputs[i] point at dense row-major buffers
 * of the manifest's shapes (outputs are written, never read); arena points
 * at arena_size bytes (64-byte aligned, contents undefined on entry);
 * weights is the artifact's weights blob. Returns 0 on success. */
typedef int32_t (*kiln_entry_fn_t)(void *const *inputs, void *const *outputs,
                                   void *arena, const void *weights,
                                   const kiln_host_api_t *host);

/* The exported descriptor (symbol KILN_ARTIFACT_SYMBOL). */
typedef struct kiln_artifact_t {
  char magic[8];             /* KILN_ARTIFACT_MAGIC */
  uint32_t abi_version;      /* KILN_ARTIFACT_ABI_VERSION */
  uint32_t struct_size;      /* sizeof(kiln_artifact_t) */
  const uint8_t *manifest;   /* serialized manifest, see below */
  uint64_t manifest_size;
  const uint8_t *weights;    /* weights blob (may be NULL if size is 0) */
  uint64_t weights_size;
  const kiln_entry_fn_t *entries;
  uint64_t num_entries;
  const uint8_t *device_code; /* PTX (NUL-terminated) or NULL */
  uint64_t device_code_size;  /* bytes, including the NUL */
} kiln_artifact_t;

/* Serialized manifest, all integers little-endian, strings as
 * u32 byte length + bytes (no NUL):
 *
 *   bytes[4] "KMAN"
 *   u32      manifest format version (3; the runtime also reads 2)
 *   str      producer ("kiln <version>")
 *   str      target triple
 *   str      target cpu
 *   str      device: "cpu", or "cuda" (code for an NVIDIA GPU)
 *   str      device architecture ("" on cpu, "sm_90", ...)
 *   u64      device code size (must equal kiln_artifact_t.device_code_size)
 *   u64      device code checksum (kiln_checksum64)
 *   u32      number of kernels K (0 on cpu), then K strings: the kernels'
 *            names in the device code, in launch-index order
 *   u64      weights size (must equal kiln_artifact_t.weights_size)
 *   u64      weights checksum (kiln_checksum64 of the blob, see below)
 *   u32      number of functions F
 *   F times:
 *     str    function name
 *     u32    entry index (into kiln_artifact_t.entries)
 *     u64    arena size in bytes
 *     u64    (version 3) device calls: the kernel launches and library
 *            calls one invocation issues, loops counted by their trip
 *            counts (0 on cpu); the runtime decides from it whether a
 *            CUDA Graph of the function pays
 *     u32    number of inputs I, then I tensors
 *     u32    number of outputs O, then O tensors
 *   tensor:
 *     str    name
 *     u32    dtype (kiln_dtype_t)
 *     u32    rank R (<= 16)
 *     i64    dims[R] (each >= 0)
 *
 * The manifest ends exactly after the last function.
 *
 * kiln_checksum64: XXH64 with seed 0 (the xxHash specification).
 */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_ARTIFACT_ABI_H */
