/*===- fake_cuda_driver.c - a stand-in libcuda for the runtime's tests -----===*
 *
 * Exports the driver entry points the runtime resolves, so tests on
 * machines without a GPU can drive the CUDA device's error paths through
 * KILN_CUDA_DRIVER. $FAKE_CUDA_MODE picks the machine it pretends to be:
 *   nodevice (default): cuInit fails with CUDA_ERROR_NO_DEVICE (100);
 *   nodevices: cuInit succeeds, cuDeviceGetCount reports 0 devices;
 *   oldgpu: one sm_70 device named "Fake V100".
 * Everything past device selection fails with CUDA_ERROR_NOT_SUPPORTED.
 *
 *===----------------------------------------------------------------------===*/

#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#define NOT_SUPPORTED 801

static const char *mode(void) {
  const char *m = getenv("FAKE_CUDA_MODE");
  return m && *m ? m : "nodevice";
}

EXPORT int cuInit(unsigned flags) {
  (void)flags;
  return strcmp(mode(), "nodevice") == 0 ? 100 : 0;
}
EXPORT int cuDeviceGetCount(int *count) {
  *count = strcmp(mode(), "oldgpu") == 0 ? 1 : 0;
  return 0;
}
EXPORT int cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return 0;
}
EXPORT int cuDeviceGetName(char *name, int len, int device) {
  (void)device;
  strncpy(name, "Fake V100", (size_t)len);
  return 0;
}
EXPORT int cuDeviceGetAttribute(int *value, int attribute, int device) {
  (void)device;
  *value = attribute == 75 ? 7 : 0; /* compute capability 7.0 */
  return 0;
}
EXPORT int cuGetErrorName(int error, const char **name) {
  *name = error == 100   ? "CUDA_ERROR_NO_DEVICE"
          : error == 801 ? "CUDA_ERROR_NOT_SUPPORTED"
                         : "CUDA_ERROR_UNKNOWN";
  return 0;
}

#define UNSUPPORTED(name) \
  EXPORT int name(void) { return NOT_SUPPORTED; }
UNSUPPORTED(cuDevicePrimaryCtxRetain)
UNSUPPORTED(cuDevicePrimaryCtxRelease_v2)
UNSUPPORTED(cuCtxSetCurrent)
UNSUPPORTED(cuStreamCreate)
UNSUPPORTED(cuStreamDestroy_v2)
UNSUPPORTED(cuStreamSynchronize)
UNSUPPORTED(cuModuleLoadDataEx)
UNSUPPORTED(cuModuleUnload)
UNSUPPORTED(cuModuleGetFunction)
UNSUPPORTED(cuMemAlloc_v2)
UNSUPPORTED(cuMemFree_v2)
UNSUPPORTED(cuMemcpyHtoD_v2)
UNSUPPORTED(cuMemcpyHtoDAsync_v2)
UNSUPPORTED(cuMemcpyDtoHAsync_v2)
UNSUPPORTED(cuLaunchKernel)
