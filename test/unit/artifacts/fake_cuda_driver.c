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
 * It is also a stand-in cuDNN (KILN_CUDNN): the convolution calls the
 * runtime makes, computed on the host from their descriptors as cuDNN
 * defines them (NHWC tensors, KRSC filters, cross-correlation, alpha/beta
 * scaling), with every pointer checked to lie inside an allocation. So a
 * test can compare a cuda artifact whose work is all convolutions with the
 * CPU's result.
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
/* A function: its name, which must be an .entry of the module, and its
 * parameter count, read from the entry's signature. Functions are freed
 * with their module, as the driver's are. */
typedef struct Function {
  char name[256];
  int params;
  void *module;
  struct Function *next;
} Function;
static Function *functions;

EXPORT int cuModuleUnload(void *module) {
  for (Function **f = &functions; *f;) {
    if ((*f)->module == module) {
      Function *dead = *f;
      *f = dead->next;
      free(dead);
    } else {
      f = &(*f)->next;
    }
  }
  free(module);
  return 0;
}

EXPORT int cuModuleGetFunction(void **fn, void *module, const char *name) {
  char pattern[300];
  snprintf(pattern, sizeof(pattern), ".entry %s(", name);
  const char *at = strstr((const char *)module, pattern);
  if (!at || strlen(name) >= 256)
    return NOT_FOUND;
  Function *f = calloc(1, sizeof(Function));
  strcpy(f->name, name);
  f->module = module;
  f->next = functions;
  functions = f;
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

/* --- cuDNN ----------------------------------------------------------------*/

typedef struct {
  int format, type, n, c, h, w;
} TensorDesc;
typedef struct {
  int type, format, k, c, h, w;
} FilterDesc;
typedef struct {
  int padH, padW, strideH, strideW, dilH, dilW, mode, type, math;
} ConvDesc;
typedef struct {
  int mode, nan;
  double coef;
} ActivationDesc;
typedef struct {
  int algo, status;
  float time;
  size_t memory;
  int determinism, mathType, reserved[3];
} AlgoPerf;

#define CUDNN_BAD_PARAM 2000
#define CUDNN_NOT_SUPPORTED 3000

EXPORT size_t cudnnGetVersion(void) { return 90100; }
EXPORT const char *cudnnGetErrorString(int status) {
  return status == 0 ? "CUDNN_STATUS_SUCCESS"
         : status == CUDNN_BAD_PARAM ? "CUDNN_STATUS_BAD_PARAM"
                                     : "CUDNN_STATUS_NOT_SUPPORTED";
}
EXPORT int cudnnCreate(void **handle) {
  if (!isMode("host"))
    return CUDNN_NOT_SUPPORTED;
  *handle = &dummy;
  fprintf(logFile(), "cudnn handle created\n");
  return 0;
}
EXPORT int cudnnDestroy(void *handle) {
  return handle == &dummy ? 0 : CUDNN_BAD_PARAM;
}
EXPORT int cudnnSetStream(void *handle, void *stream) {
  return handle == &dummy && stream ? 0 : CUDNN_BAD_PARAM;
}
#define DESCRIPTOR(Name, Type)                                                 \
  EXPORT int cudnnCreate##Name##Descriptor(Type **d) {                         \
    *d = calloc(1, sizeof(Type));                                              \
    return *d ? 0 : CUDNN_BAD_PARAM;                                           \
  }                                                                            \
  EXPORT int cudnnDestroy##Name##Descriptor(Type *d) {                         \
    free(d);                                                                   \
    return 0;                                                                  \
  }
DESCRIPTOR(Tensor, TensorDesc)
DESCRIPTOR(Filter, FilterDesc)
DESCRIPTOR(Convolution, ConvDesc)
DESCRIPTOR(Activation, ActivationDesc)

EXPORT int cudnnSetTensor4dDescriptor(TensorDesc *d, int format, int type,
                                      int n, int c, int h, int w) {
  if (format != 1 || type != 0 || n < 1 || c < 1 || h < 1 || w < 1)
    return CUDNN_NOT_SUPPORTED; /* the stand-in knows f32 NHWC only */
  *d = (TensorDesc){format, type, n, c, h, w};
  return 0;
}
EXPORT int cudnnSetFilter4dDescriptor(FilterDesc *d, int type, int format,
                                      int k, int c, int h, int w) {
  if (format != 1 || type != 0 || k < 1 || c < 1 || h < 1 || w < 1)
    return CUDNN_NOT_SUPPORTED;
  *d = (FilterDesc){type, format, k, c, h, w};
  return 0;
}
EXPORT int cudnnSetConvolution2dDescriptor(ConvDesc *d, int padH, int padW,
                                           int strideH, int strideW, int dilH,
                                           int dilW, int mode, int type) {
  if (padH < 0 || padW < 0 || strideH < 1 || strideW < 1 || dilH < 1 ||
      dilW < 1 || mode != 1 || type != 0)
    return CUDNN_BAD_PARAM;
  *d = (ConvDesc){padH, padW, strideH, strideW, dilH, dilW, mode, type, 0};
  return 0;
}
EXPORT int cudnnSetConvolutionMathType(ConvDesc *d, int math) {
  d->math = math;
  return 0;
}
EXPORT int cudnnSetActivationDescriptor(ActivationDesc *d, int mode, int nan,
                                        double coef) {
  if (mode != 1)
    return CUDNN_NOT_SUPPORTED;
  *d = (ActivationDesc){mode, nan, coef};
  return 0;
}

/* The output shape cuDNN derives must be the one the runtime declared. */
static int shapesAgree(const TensorDesc *x, const FilterDesc *w,
                       const ConvDesc *c, const TensorDesc *y) {
  int oh = (x->h + 2 * c->padH - c->dilH * (w->h - 1) - 1) / c->strideH + 1;
  int ow = (x->w + 2 * c->padW - c->dilW * (w->w - 1) - 1) / c->strideW + 1;
  return x->c == w->c && y->n == x->n && y->c == w->k && y->h == oh &&
         y->w == ow;
}

/* FAKE_CUDNN_ALGOS=unsupported: every candidate reports NOT_SUPPORTED;
 * =huge: every one needs 1 TiB of workspace. */
static void constrain(int n, AlgoPerf *results) {
  const char *how = getenv("FAKE_CUDNN_ALGOS");
  for (int i = 0; how && i < n; ++i) {
    if (strcmp(how, "unsupported") == 0)
      results[i].status = CUDNN_NOT_SUPPORTED;
    else if (strcmp(how, "huge") == 0)
      results[i].memory = (size_t)1 << 40;
  }
}

/* A heuristic's answer: up to two candidates, as given. */
static int candidates(void *handle, const TensorDesc *x, const FilterDesc *w,
                      const ConvDesc *c, const TensorDesc *y, int requested,
                      int *returned, AlgoPerf *results, AlgoPerf first,
                      AlgoPerf second) {
  if (handle != &dummy || requested < 1 || !shapesAgree(x, w, c, y))
    return CUDNN_BAD_PARAM;
  int n = requested < 2 ? requested : 2;
  results[0] = first;
  if (n > 1)
    results[1] = second;
  *returned = n;
  constrain(n, results);
  return 0;
}

EXPORT int cudnnGetConvolutionForwardAlgorithm_v7(
    void *handle, const TensorDesc *x, const FilterDesc *w, const ConvDesc *c,
    const TensorDesc *y, int requested, int *returned, AlgoPerf *results) {
  /* A TF32 tensor-op algorithm first, as cuDNN ranks them on Hopper; the
   * runtime must skip it unless TF32 is allowed. */
  return candidates(handle, x, w, c, y, requested, returned, results,
                    (AlgoPerf){1, 0, 0.1f, 0, 0, 1, {0, 0, 0}},
                    (AlgoPerf){0, 0, 0.2f, 0, 0, 3, {0, 0, 0}});
}

static float *at(const void *p, size_t elements) {
  return inside((uint64_t)(uintptr_t)p, elements * sizeof(float))
             ? (float *)(uintptr_t)p
             : NULL;
}
static size_t count(const TensorDesc *t) {
  return (size_t)t->n * t->c * t->h * t->w;
}

/* "cudnn WHAT x filter w pad .. stride .. dilation .. -> y " */
static void logGeometry(const char *what, const TensorDesc *xd,
                        const FilterDesc *wd, const ConvDesc *cd,
                        const TensorDesc *yd) {
  fprintf(logFile(),
          "cudnn %s %dx%dx%dx%d filter %dx%dx%dx%d pad %d,%d stride %d,%d "
          "dilation %d,%d -> %dx%dx%dx%d ",
          what, xd->n, xd->h, xd->w, xd->c, wd->k, wd->h, wd->w, wd->c,
          cd->padH, cd->padW, cd->strideH, cd->strideW, cd->dilH, cd->dilW,
          yd->n, yd->h, yd->w, yd->c);
}

/* y = alpha1·conv(x, w) + alpha2·z (+ bias) (then ReLU). */
static int convolve(const char *what, const float *alpha1, const TensorDesc *xd,
                    const void *xp, const FilterDesc *wd, const void *wp,
                    const ConvDesc *cd, int algo, const float *alpha2,
                    const void *zp, const void *biasp, int relu,
                    const TensorDesc *yd, void *yp) {
  if (!shapesAgree(xd, wd, cd, yd) || algo < 0 || algo > 7)
    return CUDNN_BAD_PARAM;
  float *x = at(xp, count(xd)), *y = at(yp, count(yd));
  float *w = at(wp, (size_t)wd->k * wd->c * wd->h * wd->w);
  float *z = zp ? at(zp, count(yd)) : NULL;
  float *bias = biasp ? at(biasp, (size_t)yd->c) : NULL;
  if (!x || !y || !w || (zp && !z) || (biasp && !bias)) {
    fprintf(logFile(), "cudnn %s: X pointer outside device memory\n", what);
    return CUDNN_BAD_PARAM;
  }
  if (z && z != y) {
    fprintf(logFile(), "cudnn %s: X z is not y\n", what);
    return CUDNN_NOT_SUPPORTED;
  }
  logGeometry(what, xd, wd, cd, yd);
  fprintf(logFile(), "math %d alpha2 %g%s%s\n", cd->math, *alpha2,
          bias ? " bias" : "", relu ? " relu" : "");
  for (int n = 0; n < yd->n; ++n)
    for (int oy = 0; oy < yd->h; ++oy)
      for (int ox = 0; ox < yd->w; ++ox)
        for (int k = 0; k < yd->c; ++k) {
          double sum = 0;
          for (int r = 0; r < wd->h; ++r)
            for (int q = 0; q < wd->w; ++q) {
              int iy = oy * cd->strideH + r * cd->dilH - cd->padH;
              int ix = ox * cd->strideW + q * cd->dilW - cd->padW;
              if (iy < 0 || iy >= xd->h || ix < 0 || ix >= xd->w)
                continue;
              for (int c = 0; c < xd->c; ++c)
                sum += (double)x[((size_t)(n * xd->h + iy) * xd->w + ix) * xd->c + c] *
                       w[((size_t)(k * wd->h + r) * wd->w + q) * wd->c + c];
            }
          float *out = &y[((size_t)(n * yd->h + oy) * yd->w + ox) * yd->c + k];
          float v = *alpha1 * (float)sum + (*alpha2 != 0 ? *alpha2 * *out : 0);
          if (bias)
            v += bias[k];
          if (relu && v < 0)
            v = 0;
          *out = v;
        }
  return 0;
}

EXPORT int cudnnConvolutionForward(void *handle, const float *alpha,
                                   const TensorDesc *xd, const void *x,
                                   const FilterDesc *wd, const void *w,
                                   const ConvDesc *cd, int algo, void *ws,
                                   size_t wsBytes, const float *beta,
                                   const TensorDesc *yd, void *y) {
  if (handle != &dummy || (wsBytes && !inside((uint64_t)(uintptr_t)ws, wsBytes)))
    return CUDNN_BAD_PARAM;
  return convolve("conv", alpha, xd, x, wd, w, cd, algo, beta, y, NULL, 0, yd, y);
}

EXPORT int cudnnConvolutionBiasActivationForward(
    void *handle, const float *alpha1, const TensorDesc *xd, const void *x,
    const FilterDesc *wd, const void *w, const ConvDesc *cd, int algo, void *ws,
    size_t wsBytes, const float *alpha2, const TensorDesc *zd, const void *z,
    const TensorDesc *bd, const void *bias, const ActivationDesc *act,
    const TensorDesc *yd, void *y) {
  if (handle != &dummy || (wsBytes && !inside((uint64_t)(uintptr_t)ws, wsBytes)) ||
      !act || act->mode != 1 || bd->n != 1 || bd->c != yd->c || bd->h != 1 ||
      bd->w != 1 || count(zd) != count(yd))
    return CUDNN_BAD_PARAM;
  return convolve("conv+bias+relu", alpha1, xd, x, wd, w, cd, algo, alpha2, z,
                  bias, 1, yd, y);
}

/* The gradients' heuristics: a non-deterministic algorithm (0) ranked
 * first, as cuDNN often ranks its atomics-based ones, then a deterministic
 * one (1); the runtime must take the second. */
static int backwardAlgorithms(void *handle, const TensorDesc *x,
                              const FilterDesc *w, const ConvDesc *c,
                              const TensorDesc *y, int requested,
                              int *returned, AlgoPerf *results) {
  return candidates(handle, x, w, c, y, requested, returned, results,
                    (AlgoPerf){0, 0, 0.1f, 0, 0, 3, {0, 0, 0}},
                    (AlgoPerf){1, 0, 0.2f, 0, 1, 3, {0, 0, 0}});
}
EXPORT int cudnnGetConvolutionBackwardDataAlgorithm_v7(
    void *handle, const FilterDesc *w, const TensorDesc *dy, const ConvDesc *c,
    const TensorDesc *dx, int requested, int *returned, AlgoPerf *results) {
  return backwardAlgorithms(handle, dx, w, c, dy, requested, returned, results);
}
EXPORT int cudnnGetConvolutionBackwardFilterAlgorithm_v7(
    void *handle, const TensorDesc *x, const TensorDesc *dy, const ConvDesc *c,
    const FilterDesc *dw, int requested, int *returned, AlgoPerf *results) {
  return backwardAlgorithms(handle, x, dw, c, dy, requested, returned, results);
}

/* The input (data) or filter gradient of y = conv(x, w), into
 * alpha·gradient + beta·(what the output held), as cuDNN defines them. */
static int convolveBackward(int filterGradient, void *handle,
                            const float *alpha, const TensorDesc *xd, void *xp,
                            const FilterDesc *wd, void *wp, const TensorDesc *yd,
                            const void *yp, const ConvDesc *cd, int algo,
                            void *ws, size_t wsBytes, const float *beta) {
  const char *what = filterGradient ? "backward filter" : "backward data";
  if (handle != &dummy || (wsBytes && !inside((uint64_t)(uintptr_t)ws, wsBytes)) ||
      !shapesAgree(xd, wd, cd, yd) || algo < 0 || algo > 6)
    return CUDNN_BAD_PARAM;
  size_t filterCount = (size_t)wd->k * wd->c * wd->h * wd->w;
  float *x = at(xp, count(xd)), *w = at(wp, filterCount), *y = at(yp, count(yd));
  if (!x || !w || !y) {
    fprintf(logFile(), "cudnn %s: X pointer outside device memory\n", what);
    return CUDNN_BAD_PARAM;
  }
  logGeometry(what, xd, wd, cd, yd);
  fprintf(logFile(), "algo %d math %d beta %g\n", algo, cd->math, *beta);
  float *out = filterGradient ? w : x;
  size_t outCount = filterGradient ? filterCount : count(xd);
  double *sum = calloc(outCount, sizeof(double));
  if (!sum)
    return CUDNN_BAD_PARAM;
  for (int n = 0; n < yd->n; ++n)
    for (int oy = 0; oy < yd->h; ++oy)
      for (int ox = 0; ox < yd->w; ++ox)
        for (int k = 0; k < yd->c; ++k) {
          double g = y[((size_t)(n * yd->h + oy) * yd->w + ox) * yd->c + k];
          for (int r = 0; r < wd->h; ++r)
            for (int q = 0; q < wd->w; ++q) {
              int iy = oy * cd->strideH + r * cd->dilH - cd->padH;
              int ix = ox * cd->strideW + q * cd->dilW - cd->padW;
              if (iy < 0 || iy >= xd->h || ix < 0 || ix >= xd->w)
                continue;
              size_t xi = ((size_t)(n * xd->h + iy) * xd->w + ix) * xd->c;
              size_t wi = ((size_t)(k * wd->h + r) * wd->w + q) * wd->c;
              for (int c = 0; c < xd->c; ++c) {
                if (filterGradient)
                  sum[wi + c] += g * x[xi + c];
                else
                  sum[xi + c] += g * w[wi + c];
              }
            }
        }
  for (size_t i = 0; i < outCount; ++i)
    out[i] = *alpha * (float)sum[i] + (*beta != 0 ? *beta * out[i] : 0);
  free(sum);
  return 0;
}
EXPORT int cudnnConvolutionBackwardData(void *handle, const float *alpha,
                                        const FilterDesc *wd, const void *w,
                                        const TensorDesc *dyd, const void *dy,
                                        const ConvDesc *cd, int algo, void *ws,
                                        size_t wsBytes, const float *beta,
                                        const TensorDesc *dxd, void *dx) {
  return convolveBackward(0, handle, alpha, dxd, dx, wd, (void *)(uintptr_t)w,
                          dyd, dy, cd, algo, ws, wsBytes, beta);
}
EXPORT int cudnnConvolutionBackwardFilter(void *handle, const float *alpha,
                                          const TensorDesc *xd, const void *x,
                                          const TensorDesc *dyd, const void *dy,
                                          const ConvDesc *cd, int algo, void *ws,
                                          size_t wsBytes, const float *beta,
                                          const FilterDesc *dwd, void *dw) {
  return convolveBackward(1, handle, alpha, xd, (void *)(uintptr_t)x, dwd, dw,
                          dyd, dy, cd, algo, ws, wsBytes, beta);
}

/* C = alpha·A + beta·C, A a [1, c, 1, 1] bias broadcast over C. */
EXPORT int cudnnAddTensor(void *handle, const float *alpha, const TensorDesc *ad,
                          const void *a, const float *beta, const TensorDesc *cd,
                          void *c) {
  float *bias = at(a, (size_t)ad->c), *out = at(c, count(cd));
  if (handle != &dummy || ad->n != 1 || ad->h != 1 || ad->w != 1 ||
      ad->c != cd->c || !bias || !out)
    return CUDNN_BAD_PARAM;
  fprintf(logFile(), "cudnn add bias %d\n", ad->c);
  for (size_t i = 0; i < count(cd); ++i)
    out[i] = *beta * out[i] + *alpha * bias[i % cd->c];
  return 0;
}

EXPORT int cudnnActivationForward(void *handle, const ActivationDesc *act,
                                  const float *alpha, const TensorDesc *xd,
                                  const void *x, const float *beta,
                                  const TensorDesc *yd, void *y) {
  float *in = at(x, count(xd)), *out = at(y, count(yd));
  if (handle != &dummy || act->mode != 1 || count(xd) != count(yd) || !in ||
      !out)
    return CUDNN_BAD_PARAM;
  fprintf(logFile(), "cudnn relu %zu\n", count(xd));
  for (size_t i = 0; i < count(xd); ++i) {
    float v = *alpha * (in[i] > 0 ? in[i] : 0);
    out[i] = *beta != 0 ? v + *beta * out[i] : v;
  }
  return 0;
}
