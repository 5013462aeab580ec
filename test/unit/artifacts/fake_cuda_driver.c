/*===- fake_cuda_driver.c - a stand-in libcuda for the runtime's tests -----===*
 *
 * Exports the driver entry points the runtime resolves, so tests on
 * machines without a GPU can drive the CUDA device through
 * KILN_CUDA_DRIVER. $FAKE_CUDA_MODE picks the machine it pretends to be:
 *   nodevice (default): cuInit fails with CUDA_ERROR_NO_DEVICE (100);
 *   nodevices: cuInit succeeds, cuDeviceGetCount reports 0 devices;
 *   oldgpu: one sm_70 device named "Fake V100", on which creating a
 *     context fails with CUDA_ERROR_NOT_SUPPORTED (801);
 *   host: one sm_90 device, "Fake H100", whose memory is host memory. It
 *     runs no kernel code: it checks every call (copies stay inside
 *     allocations, kernels exist in the loaded PTX, every pointer argument
 *     of a launch points into an allocation) and logs the launches, the
 *     copies and, at exit, the allocations still live to $FAKE_CUDA_LOG.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#define NOT_SUPPORTED 801
#define INVALID_VALUE 1
#define NOT_FOUND 500

static const char *mode(void) {
  const char *m = getenv("FAKE_CUDA_MODE");
  return m && *m ? m : "nodevice";
}
static int isMode(const char *m) { return strcmp(mode(), m) == 0; }

static FILE *logFile(void) {
  static FILE *f;
  if (!f) {
    const char *path = getenv("FAKE_CUDA_LOG");
    f = path && *path ? fopen(path, "w") : stderr;
    if (!f)
      f = stderr;
  }
  return f;
}

/* Device memory: host allocations, tracked. */
#define MAX_ALLOCATIONS 1024
static struct {
  char *base;
  size_t size;
} allocations[MAX_ALLOCATIONS];
static int liveAllocations;

static int inside(uint64_t address, size_t bytes) {
  for (int i = 0; i < MAX_ALLOCATIONS; ++i) {
    uint64_t lo = (uint64_t)(uintptr_t)allocations[i].base;
    if (allocations[i].base && address >= lo &&
        address + bytes <= lo + allocations[i].size)
      return 1;
  }
  return 0;
}

__attribute__((destructor)) static void report(void) {
  if (isMode("host")) {
    fprintf(logFile(), "allocations live at exit: %d\n", liveAllocations);
    fflush(logFile());
  }
}

EXPORT int cuInit(unsigned flags) {
  (void)flags;
  return isMode("nodevice") ? 100 : 0;
}
EXPORT int cuDeviceGetCount(int *count) {
  *count = isMode("oldgpu") || isMode("host") ? 1 : 0;
  return 0;
}
EXPORT int cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return 0;
}
EXPORT int cuDeviceGetName(char *name, int len, int device) {
  (void)device;
  strncpy(name, isMode("host") ? "Fake H100" : "Fake V100", (size_t)len);
  return 0;
}
EXPORT int cuDeviceGetAttribute(int *value, int attribute, int device) {
  (void)device;
  if (attribute == 75) /* compute capability major */
    *value = isMode("host") ? 9 : 7;
  else
    *value = 0;
  return 0;
}
EXPORT int cuDriverGetVersion(int *version) {
  *version = 13000;
  return 0;
}
EXPORT int cuGetErrorName(int error, const char **name) {
  *name = error == 100   ? "CUDA_ERROR_NO_DEVICE"
          : error == 801 ? "CUDA_ERROR_NOT_SUPPORTED"
          : error == 500 ? "CUDA_ERROR_NOT_FOUND"
          : error == 1   ? "CUDA_ERROR_INVALID_VALUE"
                         : "CUDA_ERROR_UNKNOWN";
  return 0;
}

static int dummy;
EXPORT int cuDevicePrimaryCtxRetain(void **ctx, int device) {
  (void)device;
  if (!isMode("host"))
    return NOT_SUPPORTED;
  *ctx = &dummy;
  return 0;
}
EXPORT int cuDevicePrimaryCtxRelease_v2(int device) {
  (void)device;
  fprintf(logFile(), "context released\n");
  return 0;
}
EXPORT int cuCtxSetCurrent(void *ctx) { return ctx == &dummy ? 0 : INVALID_VALUE; }
EXPORT int cuStreamCreate(void **stream, unsigned flags) {
  (void)flags;
  *stream = &dummy;
  return 0;
}
EXPORT int cuStreamDestroy_v2(void *stream) {
  return stream == &dummy ? 0 : INVALID_VALUE;
}
EXPORT int cuStreamSynchronize(void *stream) {
  return stream == &dummy ? 0 : INVALID_VALUE;
}

/* A module is a copy of the PTX text. */
EXPORT int cuModuleLoadDataEx(void **module, const void *image, unsigned n,
                              int *options, void **values) {
  (void)n;
  (void)options;
  (void)values;
  const char *text = (const char *)image;
  if (!strstr(text, ".version") || !strstr(text, ".target"))
    return INVALID_VALUE;
  *module = strdup(text);
  fprintf(logFile(), "loaded %zu bytes of PTX\n", strlen(text));
  return 0;
}
EXPORT int cuModuleUnload(void *module) {
  free(module);
  return 0;
}
/* A function: its name, which must be an .entry of the module, and its
 * parameter count, read from the entry's signature. */
typedef struct {
  char name[256];
  int params;
} Function;

EXPORT int cuModuleGetFunction(void **fn, void *module, const char *name) {
  char pattern[300];
  snprintf(pattern, sizeof(pattern), ".entry %s(", name);
  const char *at = strstr((const char *)module, pattern);
  if (!at || strlen(name) >= 256)
    return NOT_FOUND;
  Function *f = calloc(1, sizeof(Function));
  strcpy(f->name, name);
  const char *end = strchr(at, ')');
  for (const char *p = strstr(at, ".param"); p && end && p < end;
       p = strstr(p + 1, ".param"))
    ++f->params;
  *fn = f;
  return 0;
}

EXPORT int cuMemAlloc_v2(uint64_t *ptr, size_t bytes) {
  for (int i = 0; i < MAX_ALLOCATIONS; ++i)
    if (!allocations[i].base) {
      allocations[i].base = calloc(1, bytes);
      allocations[i].size = bytes;
      ++liveAllocations;
      *ptr = (uint64_t)(uintptr_t)allocations[i].base;
      return 0;
    }
  return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
}
EXPORT int cuMemFree_v2(uint64_t ptr) {
  for (int i = 0; i < MAX_ALLOCATIONS; ++i)
    if ((uint64_t)(uintptr_t)allocations[i].base == ptr) {
      free(allocations[i].base);
      allocations[i].base = NULL;
      --liveAllocations;
      return 0;
    }
  return INVALID_VALUE;
}
EXPORT int cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t bytes) {
  if (!inside(dst, bytes))
    return INVALID_VALUE;
  memcpy((void *)(uintptr_t)dst, src, bytes);
  fprintf(logFile(), "copy to device %zu bytes\n", bytes);
  return 0;
}
EXPORT int cuMemcpyHtoDAsync_v2(uint64_t dst, const void *src, size_t bytes,
                                void *stream) {
  (void)stream;
  return cuMemcpyHtoD_v2(dst, src, bytes);
}
EXPORT int cuMemcpyDtoHAsync_v2(void *dst, uint64_t src, size_t bytes,
                                void *stream) {
  (void)stream;
  if (!inside(src, bytes))
    return INVALID_VALUE;
  memcpy(dst, (const void *)(uintptr_t)src, bytes);
  fprintf(logFile(), "copy to host %zu bytes\n", bytes);
  return 0;
}

/* Stream capture: launches are logged as captured and counted; a graph
 * is that count, and launching it logs it. */
static int capturing, captured;
EXPORT int cuStreamBeginCapture_v2(void *stream, int mode) {
  if (stream != &dummy || mode != 1 || capturing)
    return INVALID_VALUE;
  capturing = 1;
  captured = 0;
  return 0;
}
EXPORT int cuStreamEndCapture(void *stream, int **graph) {
  if (stream != &dummy || !capturing)
    return INVALID_VALUE;
  capturing = 0;
  *graph = malloc(sizeof(int));
  **graph = captured;
  fprintf(logFile(), "captured %d launches\n", captured);
  return 0;
}
EXPORT int cuGraphInstantiateWithFlags(int **exec, int *graph,
                                       unsigned long long flags) {
  (void)flags;
  *exec = malloc(sizeof(int));
  **exec = *graph;
  return 0;
}
EXPORT int cuGraphLaunch(int *exec, void *stream) {
  if (stream != &dummy || capturing)
    return INVALID_VALUE;
  fprintf(logFile(), "graph launch (%d launches)\n", *exec);
  return 0;
}
EXPORT int cuGraphExecDestroy(int *exec) {
  free(exec);
  return 0;
}
EXPORT int cuGraphDestroy(int *graph) {
  free(graph);
  return 0;
}

/* Every kernel parameter is 8 bytes (the artifact ABI); each is logged as
 * `p` (points into an allocation), `s` (a small scalar: an offset, an
 * index) or `X` (neither: a bad pointer). */
EXPORT int cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz,
                          unsigned bx, unsigned by, unsigned bz,
                          unsigned shared, void *stream, void **params,
                          void **extra) {
  (void)stream;
  if (gy != 1 || gz != 1 || by != 1 || bz != 1 || shared || extra)
    return INVALID_VALUE;
  const Function *f = (const Function *)fn;
  if (capturing)
    ++captured;
  fprintf(logFile(), "%slaunch %s grid %u block %u args",
          capturing ? "capture " : "", f->name, gx, bx);
  for (int i = 0; i < f->params; ++i) {
    uint64_t v;
    memcpy(&v, params[i], sizeof(v));
    fprintf(logFile(), " %c", inside(v, 1) ? 'p' : v < (1ull << 32) ? 's' : 'X');
  }
  fprintf(logFile(), "\n");
  return 0;
}

/* Events: the fake stream runs nothing, so every interval is 0.25 ms. */
EXPORT int cuEventCreate(void **event, unsigned flags) {
  (void)flags;
  *event = &dummy;
  return 0;
}
EXPORT int cuEventDestroy_v2(void *event) {
  return event == &dummy ? 0 : INVALID_VALUE;
}
EXPORT int cuEventRecord(void *event, void *stream) {
  (void)stream;
  return event == &dummy ? 0 : INVALID_VALUE;
}
EXPORT int cuEventElapsedTime(float *ms, void *start, void *end) {
  (void)start;
  (void)end;
  *ms = 0.25f;
  return 0;
}
