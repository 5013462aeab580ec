/*===- artifact_abi.h - the contract between kiln-compile and the runtime -===*
 *
 * A Kiln artifact is one ELF shared object. It exports exactly one symbol,
 * `kiln_artifact_v1`, a `kiln_artifact_t` describing:
 *   - a serialized manifest (entry points, tensor names/dtypes/shapes, arena
 *     sizes, target, weight checksum), little-endian, format below;
 *   - a read-only weights blob (64-byte aligned, in section `.kiln.weights`);
 *   - a table of entry functions with the `kiln_entry_fn_t` signature.
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

#define KILN_ARTIFACT_ABI_VERSION 1u
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
} kiln_artifact_t;

/* Serialized manifest, all integers little-endian, strings as
 * u32 byte length + bytes (no NUL):
 *
 *   bytes[4] "KMAN"
 *   u32      manifest format version (1)
 *   str      producer ("kiln <version>")
 *   str      target triple
 *   str      target cpu
 *   u64      weights size (must equal kiln_artifact_t.weights_size)
 *   u64      weights checksum (kiln_checksum64 of the blob, see below)
 *   u32      number of functions F
 *   F times:
 *     str    function name
 *     u32    entry index (into kiln_artifact_t.entries)
 *     u64    arena size in bytes
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
