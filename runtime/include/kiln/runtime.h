/*===- runtime.h - the Kiln runtime C API ---------------------------------===*
 *
 * Loads a compiled Kiln artifact (an ELF shared object, see artifact_abi.h),
 * describes its functions and runs them on caller-owned buffers:
 *
 *   kiln_module_t *module = NULL;
 *   kiln_status_t status = kiln_module_load_file("model.so", NULL, &module);
 *   kiln_session_t *session = NULL;
 *   if (!status) status = kiln_session_create(module, NULL, &session);
 *   if (!status) status = kiln_session_invoke(session, 0, inputs, 1,
 *                                             outputs, 1);
 *   if (status) {
 *     fprintf(stderr, "%s\n", kiln_status_message(status));
 *     kiln_status_free(status);
 *   }
 *   kiln_session_release(session);
 *   kiln_module_release(module);
 *
 * Conventions: every fallible call returns a kiln_status_t (NULL is OK);
 * results come back through `out_` parameters, which are written only on
 * success; options structs are filled by their _initialize function first;
 * objects are created with _create/_load and destroyed with _release (which
 * accepts NULL). The library depends on libc and libstdc++ only.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/artifact_abi.h"

#if defined(KILN_RUNTIME_BUILDING_LIBRARY)
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * kiln_status_t
 *===----------------------------------------------------------------------===*/

/* What went wrong. Values are stable. */
typedef enum kiln_status_code_e {
  KILN_STATUS_OK = 0,
  /* The caller passed something wrong: a NULL pointer, an input of the wrong
   * shape, a file that is not an ELF shared object. */
  KILN_STATUS_INVALID_ARGUMENT = 1,
  /* A file, function or tensor name does not exist. */
  KILN_STATUS_NOT_FOUND = 2,
  /* The artifact is truncated, corrupt or tampered with (bad manifest,
   * out-of-range offsets, weights checksum mismatch). */
  KILN_STATUS_DATA_LOSS = 3,
  /* The artifact is well formed but cannot run here: another ABI version,
   * another machine. */
  KILN_STATUS_FAILED_PRECONDITION = 4,
  KILN_STATUS_UNIMPLEMENTED = 5,
  /* A generated function reported failure, or the runtime hit a bug. */
  KILN_STATUS_INTERNAL = 6,
  /* Out of memory or threads. */
  KILN_STATUS_RESOURCE_EXHAUSTED = 7,
  /* The device the artifact needs is not there: no CUDA driver
   * (libcuda.so.1), no CUDA device, or no cuBLASLt. */
  KILN_STATUS_UNAVAILABLE = 8,
} kiln_status_code_t;

/* The result of a fallible call: NULL for success, else an object holding a
 * code and a message. A non-NULL status is owned by the caller, who must pass
 * it to kiln_status_free exactly once. Thread-safety: a status is a plain
 * value; distinct statuses may be used from any thread. */
typedef struct kiln_status_s *kiln_status_t;

/* KILN_STATUS_OK for NULL. */
KILN_API kiln_status_code_t kiln_status_code(kiln_status_t status);
/* The message, e.g. "model.so: weights checksum mismatch: ..."; "OK" for
 * NULL. Valid until the status is freed. */
KILN_API const char *kiln_status_message(kiln_status_t status);
/* "OK", "INVALID_ARGUMENT", ... ("UNKNOWN" for other values). */
KILN_API const char *kiln_status_code_name(kiln_status_code_t code);
/* Frees a status; NULL is a no-op. */
KILN_API void kiln_status_free(kiln_status_t status);

/*===----------------------------------------------------------------------===*
 * Element types
 *===----------------------------------------------------------------------===*/

/* "f32", "f64", "f16", "bf16", "bool", "i8", "i32", "i64"; "invalid" for
 * anything else. */
KILN_API const char *kiln_dtype_name(kiln_dtype_t dtype);
/* Bytes per element; 0 for an invalid dtype. */
KILN_API size_t kiln_dtype_size(kiln_dtype_t dtype);

/*===----------------------------------------------------------------------===*
 * kiln_module_t: a loaded artifact
 *===----------------------------------------------------------------------===*/

/* A loaded, verified artifact: its manifest, weights and code. Reference
 * counted; every session holds a reference. Thread-safety: immutable after
 * loading; every function taking a const module may be called from any
 * number of threads at once, and retain/release are atomic. */
typedef struct kiln_module_t kiln_module_t;

typedef struct kiln_module_options_t {
  /* Files larger than this are refused before anything is mapped
   * (0 means the default, 16 GiB). */
  uint64_t max_file_size;
} kiln_module_options_t;

/* Fills `options` with the defaults. */
KILN_API void kiln_module_options_initialize(kiln_module_options_t *options);

/* Loads the artifact at `path` (`options` may be NULL for the defaults).
 * Before any of its code is mapped, the file is checked to be an ELF64 shared
 * object for this machine whose headers, segments and sections lie inside the
 * file; after mapping, the descriptor, the manifest (bounds, ranks, sizes,
 * entry indices) and the weights checksum are verified. No artifact code runs
 * during loading other than the dynamic loader's initializers of the object.
 * Errors name the file: NOT_FOUND (cannot open), INVALID_ARGUMENT (not an
 * ELF shared object, not a Kiln artifact), DATA_LOSS (truncated, corrupt
 * manifest, checksum mismatch), FAILED_PRECONDITION (other ABI version or
 * machine). On success `*out_module` holds one reference. */
KILN_API kiln_status_t
kiln_module_load_file(const char *path, const kiln_module_options_t *options,
                      kiln_module_t **out_module);

/* Adds a reference. */
KILN_API void kiln_module_retain(kiln_module_t *module);
/* Drops a reference; the last one unloads the artifact. NULL is a no-op. */
KILN_API void kiln_module_release(kiln_module_t *module);

/* Strings below are NUL-terminated and owned by the module. */
KILN_API const char *kiln_module_path(const kiln_module_t *module);
/* The manifest's producer, e.g. "kiln 0.1.0". */
KILN_API const char *kiln_module_producer(const kiln_module_t *module);
/* The target the code was compiled for, e.g. "x86_64-unknown-linux-gnu". */
KILN_API const char *kiln_module_target_triple(const kiln_module_t *module);
/* The target CPU, e.g. "x86-64-v3". */
KILN_API const char *kiln_module_target_cpu(const kiln_module_t *module);
KILN_API uint64_t kiln_module_weights_size(const kiln_module_t *module);
/* The device the code runs on: "cpu", or "cuda" (an NVIDIA GPU driven by
 * host code). */
KILN_API const char *kiln_module_device(const kiln_module_t *module);
/* The GPU architecture of a cuda artifact ("sm_90"); "" for cpu. */
KILN_API const char *kiln_module_device_arch(const kiln_module_t *module);

/* Describes one tensor of a function's signature. */
typedef struct kiln_tensor_info_t {
  const char *name;
  kiln_dtype_t dtype;
  uint32_t rank;
  const int64_t *dims; /* rank entries, each >= 0 */
  uint64_t element_count;
  uint64_t byte_size; /* element_count * kiln_dtype_size(dtype) */
} kiln_tensor_info_t;

/* Describes one function. Pointers are owned by the module. */
typedef struct kiln_function_info_t {
  const char *name;
  size_t num_inputs;
  const kiln_tensor_info_t *inputs;
  size_t num_outputs;
  const kiln_tensor_info_t *outputs;
  uint64_t arena_size; /* scratch bytes the function needs */
} kiln_function_info_t;

KILN_API size_t kiln_module_function_count(const kiln_module_t *module);
/* INVALID_ARGUMENT if `index` >= kiln_module_function_count. */
KILN_API kiln_status_t kiln_module_function_info(
    const kiln_module_t *module, size_t index, kiln_function_info_t *out_info);
/* NOT_FOUND (listing the functions there are) if no function has `name`. */
KILN_API kiln_status_t kiln_module_lookup_function(const kiln_module_t *module,
                                                   const char *name,
                                                   size_t *out_index);

/*===----------------------------------------------------------------------===*
 * kiln_session_t: runs a module's functions
 *===----------------------------------------------------------------------===*/

/* The state to run a module: a scratch arena (allocated once, 64-byte
 * aligned, the size of the largest function's arena) and a thread pool.
 * Thread-safety: not thread-safe; one invocation at a time per session. Use
 * one session per thread to run a module concurrently. */
typedef struct kiln_session_t kiln_session_t;

/* Where a session runs. */
typedef enum kiln_device_kind_e {
  /* The device the artifact was compiled for. */
  KILN_DEVICE_DEFAULT = 0,
  KILN_DEVICE_CPU = 1,
  KILN_DEVICE_CUDA = 2,
} kiln_device_kind_t;

/* When a CUDA session records a function's GPU work into a CUDA Graph
 * (kiln_session_options_t.cuda_graphs). */
typedef enum kiln_cuda_graphs_t {
  KILN_CUDA_GRAPHS_OFF = 0, /* none */
  KILN_CUDA_GRAPHS_ON = 1,  /* every function */
  /* Functions that issue at least KILN_CUDA_GRAPH_MIN_CALLS kernel launches
   * and library calls per invocation, as the compiler counted them (a
   * scan's steps multiply its body's); artifacts from before the count
   * (manifest format 2) never. */
  KILN_CUDA_GRAPHS_AUTO = 2,
} kiln_cuda_graphs_t;

/* The smallest GPU work (launches and library calls per invocation) that
 * KILN_CUDA_GRAPHS_AUTO records: XLA's default minimum command-buffer size,
 * not yet tuned for Kiln on a GPU. */
#define KILN_CUDA_GRAPH_MIN_CALLS 5

typedef struct kiln_session_options_t {
  /* Threads a function may use, the calling thread included
   * (0 means one per hardware thread; 1 runs everything on the caller).
   * CUDA sessions drive the GPU from the calling thread. */
  int32_t num_threads;
  /* The device; an artifact runs only on the device it was compiled for
   * (FAILED_PRECONDITION otherwise). */
  kiln_device_kind_t device;
  /* Which CUDA device (0 = the first). */
  int32_t device_ordinal;
  /* CUDA: a kiln_cuda_graphs_t. A function that gets a graph has its GPU
   * work (kernel launches, cuBLASLt and cuDNN calls) recorded into a CUDA
   * Graph at its second invocation, and the graph replayed afterwards,
   * saving the per-launch cost of functions made of many small kernels (a
   * scan's steps, a train step). A function whose work cannot be captured
   * keeps running plainly. kiln_session_options_initialize (and NULL
   * options) give KILN_CUDA_GRAPHS_AUTO; values outside the enum are
   * INVALID_ARGUMENT. */
  int32_t cuda_graphs;
} kiln_session_options_t;

/* Fills `options` with the defaults. */
KILN_API void kiln_session_options_initialize(kiln_session_options_t *options);

/* Creates a session for `module` (`options` may be NULL for the defaults)
 * and retains the module. RESOURCE_EXHAUSTED if the arena or the threads
 * cannot be had. For a cuda artifact the session loads the CUDA driver
 * (libcuda.so.1, with dlopen), uses the device's primary context and one
 * stream, loads the PTX, copies the weights to the device and allocates
 * the arena there; UNAVAILABLE (saying which) when there is no driver, no
 * such device or no cuBLASLt. Inputs and outputs stay host buffers: invoke
 * copies them to and from the device. */
KILN_API kiln_status_t kiln_session_create(
    kiln_module_t *module, const kiln_session_options_t *options,
    kiln_session_t **out_session);
/* Stops the threads, frees the arena and releases the module. NULL is a
 * no-op. */
KILN_API void kiln_session_release(kiln_session_t *session);

KILN_API kiln_module_t *kiln_session_module(const kiln_session_t *session);
/* The number of threads in use, the caller included (>= 1). */
KILN_API int32_t kiln_session_num_threads(const kiln_session_t *session);
/* "cpu", or the GPU of a cuda session ("NVIDIA H100 80GB HBM3 (sm_90)"). */
KILN_API const char *kiln_session_device_name(const kiln_session_t *session);
/* The GPU time of the last successful invocation's generated code (kernels
 * and library calls, without the input and output copies), in
 * milliseconds, measured with CUDA events; negative for CPU sessions or
 * when unknown. */
KILN_API double kiln_session_device_time_ms(const kiln_session_t *session);

/* A caller-owned dense, row-major buffer. */
typedef struct kiln_tensor_t {
  kiln_dtype_t dtype;
  uint32_t rank;
  const int64_t *dims; /* rank entries (may be NULL when rank is 0) */
  void *data;          /* byte_size bytes; inputs are only read */
  uint64_t byte_size;
} kiln_tensor_t;

/* Runs function `function_index` on `inputs`, writing `outputs`. Every
 * tensor must match the manifest exactly (dtype, rank, dims, byte size,
 * non-NULL data); otherwise INVALID_ARGUMENT naming the tensor, e.g.
 * "function 'predict': input 'x' (#0) expects f32[1,784], got f32[2,784]",
 * and nothing runs. A nonzero return from the generated code gives INTERNAL
 * with that code; outputs are then undefined. */
KILN_API kiln_status_t kiln_session_invoke(
    kiln_session_t *session, size_t function_index, const kiln_tensor_t *inputs,
    size_t num_inputs, kiln_tensor_t *outputs, size_t num_outputs);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
