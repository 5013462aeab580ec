//===- CudaApi.h - the parts of CUDA, cuBLASLt and cuDNN the runtime uses -===//
//
// The runtime never links against CUDA: it loads libcuda.so.1, libcublasLt
// and libcudnn.so.9 with dlopen when a session runs a cuda artifact, so it
// builds and runs CPU artifacts on machines without CUDA. These are the
// types, constants and signatures of the stable C APIs it calls (CUDA
// driver API, cuBLASLt 11+, cuDNN 9's convolution API); test/unit/CudaTest.cpp
// checks them against the installed headers where those exist.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_CUDA_CUDAAPI_H
#define KILN_RUNTIME_SRC_CUDA_CUDAAPI_H

#include <cstddef>
#include <cstdint>

namespace kiln::rt::cuda {

// --- Driver API (cuda.h) ---------------------------------------------------
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
struct CUevent_st;
struct CUgraph_st;
struct CUgraphExec_st;
using CUcontext = CUctx_st *;
using CUmodule = CUmod_st *;
using CUfunction = CUfunc_st *;
using CUstream = CUstream_st *;
using CUevent = CUevent_st *;
using CUgraph = CUgraph_st *;
using CUgraphExec = CUgraphExec_st *;
using CUjit_option = int;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr unsigned CU_STREAM_NON_BLOCKING = 0x1;
constexpr int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;
constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

/// The driver entry points, resolved with dlsym (versioned names where the
/// driver exports several).
struct DriverApi {
  CUresult (*cuInit)(unsigned flags);
  CUresult (*cuDeviceGetCount)(int *count);
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal);
  CUresult (*cuDeviceGetName)(char *name, int len, CUdevice device);
  CUresult (*cuDeviceGetAttribute)(int *value, int attribute, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *ctx, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice device);
  CUresult (*cuCtxSetCurrent)(CUcontext ctx);
  CUresult (*cuStreamCreate)(CUstream *stream, unsigned flags);
  CUresult (*cuStreamDestroy)(CUstream stream);
  CUresult (*cuStreamSynchronize)(CUstream stream);
  CUresult (*cuModuleLoadDataEx)(CUmodule *module, const void *image,
                                 unsigned numOptions, CUjit_option *options,
                                 void **values);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuModuleGetFunction)(CUfunction *fn, CUmodule module,
                                  const char *name);
  CUresult (*cuMemAlloc)(CUdeviceptr *ptr, size_t bytes);
  CUresult (*cuMemFree)(CUdeviceptr ptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr dst, const void *src, size_t bytes);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr dst, const void *src, size_t bytes,
                                CUstream stream);
  CUresult (*cuMemcpyDtoHAsync)(void *dst, CUdeviceptr src, size_t bytes,
                                CUstream stream);
  CUresult (*cuLaunchKernel)(CUfunction fn, unsigned gridX, unsigned gridY,
                             unsigned gridZ, unsigned blockX, unsigned blockY,
                             unsigned blockZ, unsigned sharedBytes,
                             CUstream stream, void **params, void **extra);
  CUresult (*cuGetErrorName)(CUresult error, const char **name);
  CUresult (*cuDriverGetVersion)(int *version);
  // Optional (device timing): null when the driver lacks them.
  CUresult (*cuEventCreate)(CUevent *event, unsigned flags);
  CUresult (*cuEventDestroy)(CUevent event);
  CUresult (*cuEventRecord)(CUevent event, CUstream stream);
  CUresult (*cuEventElapsedTime)(float *ms, CUevent start, CUevent end);
  // Optional (CUDA Graphs): null when the driver lacks any of them.
  CUresult (*cuStreamBeginCapture)(CUstream stream, int mode);
  CUresult (*cuStreamEndCapture)(CUstream stream, CUgraph *graph);
  CUresult (*cuGraphInstantiateWithFlags)(CUgraphExec *exec, CUgraph graph,
                                          unsigned long long flags);
  CUresult (*cuGraphLaunch)(CUgraphExec exec, CUstream stream);
  CUresult (*cuGraphExecDestroy)(CUgraphExec exec);
  CUresult (*cuGraphDestroy)(CUgraph graph);
};

// --- cuBLASLt (cublasLt.h) --------------------------------------------------
using cublasStatus_t = int;
struct cublasLtContext;
using cublasLtHandle_t = cublasLtContext *;
struct cublasLtMatmulDescOpaque;
using cublasLtMatmulDesc_t = cublasLtMatmulDescOpaque *;
struct cublasLtMatrixLayoutOpaque;
using cublasLtMatrixLayout_t = cublasLtMatrixLayoutOpaque *;
struct cublasLtMatmulPreferenceOpaque;
using cublasLtMatmulPreference_t = cublasLtMatmulPreferenceOpaque *;
struct cublasLtMatmulAlgo_t {
  uint64_t data[8];
};
struct cublasLtMatmulHeuristicResult_t {
  cublasLtMatmulAlgo_t algo;
  size_t workspaceSize;
  cublasStatus_t state;
  float wavesCount;
  int reserved[4];
};

constexpr cublasStatus_t CUBLAS_STATUS_SUCCESS = 0;
constexpr int CUBLAS_COMPUTE_32F = 68;
constexpr int CUBLAS_COMPUTE_32F_FAST_TF32 = 77;
constexpr int CUDA_R_32F = 0;
constexpr int CUBLAS_OP_N = 0;
constexpr int CUBLAS_OP_T = 1;
constexpr int CUBLASLT_MATMUL_DESC_TRANSA = 3;
constexpr int CUBLASLT_MATMUL_DESC_TRANSB = 4;
constexpr int CUBLASLT_MATMUL_DESC_EPILOGUE = 7;
constexpr int CUBLASLT_MATMUL_DESC_BIAS_POINTER = 8;
constexpr int CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT = 5;
constexpr int CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET = 6;
constexpr uint32_t CUBLASLT_EPILOGUE_DEFAULT = 1;
constexpr uint32_t CUBLASLT_EPILOGUE_RELU = 2;
constexpr uint32_t CUBLASLT_EPILOGUE_BIAS = 4;
constexpr uint32_t CUBLASLT_EPILOGUE_RELU_BIAS = 6;
constexpr int CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1;
constexpr int CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES = 5;
constexpr int CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES = 6;
constexpr int CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES = 7;
constexpr int CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES = 8;

struct BlasLtApi {
  cublasStatus_t (*cublasLtCreate)(cublasLtHandle_t *handle);
  cublasStatus_t (*cublasLtDestroy)(cublasLtHandle_t handle);
  cublasStatus_t (*cublasLtMatmulDescCreate)(cublasLtMatmulDesc_t *desc,
                                             int computeType, int scaleType);
  cublasStatus_t (*cublasLtMatmulDescDestroy)(cublasLtMatmulDesc_t desc);
  cublasStatus_t (*cublasLtMatmulDescSetAttribute)(cublasLtMatmulDesc_t desc,
                                                   int attribute,
                                                   const void *value,
                                                   size_t bytes);
  cublasStatus_t (*cublasLtMatrixLayoutCreate)(cublasLtMatrixLayout_t *layout,
                                               int type, uint64_t rows,
                                               uint64_t cols, int64_t ld);
  cublasStatus_t (*cublasLtMatrixLayoutDestroy)(cublasLtMatrixLayout_t layout);
  cublasStatus_t (*cublasLtMatrixLayoutSetAttribute)(
      cublasLtMatrixLayout_t layout, int attribute, const void *value,
      size_t bytes);
  cublasStatus_t (*cublasLtMatmulPreferenceCreate)(
      cublasLtMatmulPreference_t *pref);
  cublasStatus_t (*cublasLtMatmulPreferenceDestroy)(
      cublasLtMatmulPreference_t pref);
  cublasStatus_t (*cublasLtMatmulPreferenceSetAttribute)(
      cublasLtMatmulPreference_t pref, int attribute, const void *value,
      size_t bytes);
  cublasStatus_t (*cublasLtMatmulAlgoGetHeuristic)(
      cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,
      cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
      cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
      cublasLtMatmulPreference_t pref, int requested,
      cublasLtMatmulHeuristicResult_t *results, int *returned);
  cublasStatus_t (*cublasLtMatmul)(
      cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, const void *alpha,
      const void *a, cublasLtMatrixLayout_t aLayout, const void *b,
      cublasLtMatrixLayout_t bLayout, const void *beta, const void *c,
      cublasLtMatrixLayout_t cLayout, void *d, cublasLtMatrixLayout_t dLayout,
      const cublasLtMatmulAlgo_t *algo, void *workspace, size_t workspaceBytes,
      CUstream stream);
};

// --- cuDNN 9 (cudnn_graph.h, cudnn_ops.h, cudnn_cnn.h) ----------------------
using cudnnStatus_t = int;
struct cudnnContext;
using cudnnHandle_t = cudnnContext *;
struct cudnnTensorStruct;
using cudnnTensorDescriptor_t = cudnnTensorStruct *;
struct cudnnFilterStruct;
using cudnnFilterDescriptor_t = cudnnFilterStruct *;
struct cudnnConvolutionStruct;
using cudnnConvolutionDescriptor_t = cudnnConvolutionStruct *;
struct cudnnActivationStruct;
using cudnnActivationDescriptor_t = cudnnActivationStruct *;
struct cudnnConvolutionFwdAlgoPerf_t {
  int algo;
  cudnnStatus_t status;
  float time;
  size_t memory;
  int determinism;
  int mathType;
  int reserved[3];
};
/// The backward algorithms' results have the forward's layout.
struct cudnnConvolutionBwdDataAlgoPerf_t : cudnnConvolutionFwdAlgoPerf_t {};
struct cudnnConvolutionBwdFilterAlgoPerf_t : cudnnConvolutionFwdAlgoPerf_t {};

constexpr cudnnStatus_t CUDNN_STATUS_SUCCESS = 0;
constexpr int CUDNN_DATA_FLOAT = 0;
constexpr int CUDNN_TENSOR_NHWC = 1;
constexpr int CUDNN_CROSS_CORRELATION = 1;
constexpr int CUDNN_TENSOR_OP_MATH = 1;
constexpr int CUDNN_FMA_MATH = 3;
constexpr int CUDNN_ACTIVATION_RELU = 1;
constexpr int CUDNN_PROPAGATE_NAN = 1;
constexpr int CUDNN_CONVOLUTION_FWD_ALGO_COUNT = 8;
constexpr int CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT = 6;
constexpr int CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT = 7;
constexpr int CUDNN_DETERMINISTIC = 1;

struct CudnnApi {
  size_t (*cudnnGetVersion)();
  const char *(*cudnnGetErrorString)(cudnnStatus_t status);
  cudnnStatus_t (*cudnnCreate)(cudnnHandle_t *handle);
  cudnnStatus_t (*cudnnDestroy)(cudnnHandle_t handle);
  cudnnStatus_t (*cudnnSetStream)(cudnnHandle_t handle, CUstream stream);
  cudnnStatus_t (*cudnnCreateTensorDescriptor)(cudnnTensorDescriptor_t *desc);
  cudnnStatus_t (*cudnnDestroyTensorDescriptor)(cudnnTensorDescriptor_t desc);
  cudnnStatus_t (*cudnnSetTensor4dDescriptor)(cudnnTensorDescriptor_t desc,
                                              int format, int dataType, int n,
                                              int c, int h, int w);
  cudnnStatus_t (*cudnnCreateFilterDescriptor)(cudnnFilterDescriptor_t *desc);
  cudnnStatus_t (*cudnnDestroyFilterDescriptor)(cudnnFilterDescriptor_t desc);
  cudnnStatus_t (*cudnnSetFilter4dDescriptor)(cudnnFilterDescriptor_t desc,
                                              int dataType, int format, int k,
                                              int c, int h, int w);
  cudnnStatus_t (*cudnnCreateConvolutionDescriptor)(
      cudnnConvolutionDescriptor_t *desc);
  cudnnStatus_t (*cudnnDestroyConvolutionDescriptor)(
      cudnnConvolutionDescriptor_t desc);
  cudnnStatus_t (*cudnnSetConvolution2dDescriptor)(
      cudnnConvolutionDescriptor_t desc, int padH, int padW, int strideH,
      int strideW, int dilationH, int dilationW, int mode, int computeType);
  cudnnStatus_t (*cudnnSetConvolutionMathType)(cudnnConvolutionDescriptor_t desc,
                                               int mathType);
  cudnnStatus_t (*cudnnCreateActivationDescriptor)(
      cudnnActivationDescriptor_t *desc);
  cudnnStatus_t (*cudnnDestroyActivationDescriptor)(
      cudnnActivationDescriptor_t desc);
  cudnnStatus_t (*cudnnSetActivationDescriptor)(cudnnActivationDescriptor_t desc,
                                                int mode, int nanPropagation,
                                                double coef);
  cudnnStatus_t (*cudnnGetConvolutionForwardAlgorithm_v7)(
      cudnnHandle_t handle, cudnnTensorDescriptor_t x,
      cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv,
      cudnnTensorDescriptor_t y, int requested, int *returned,
      cudnnConvolutionFwdAlgoPerf_t *results);
  cudnnStatus_t (*cudnnConvolutionForward)(
      cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t xDesc,
      const void *x, cudnnFilterDescriptor_t wDesc, const void *w,
      cudnnConvolutionDescriptor_t conv, int algo, void *workspace,
      size_t workspaceBytes, const void *beta, cudnnTensorDescriptor_t yDesc,
      void *y);
  cudnnStatus_t (*cudnnConvolutionBiasActivationForward)(
      cudnnHandle_t handle, const void *alpha1, cudnnTensorDescriptor_t xDesc,
      const void *x, cudnnFilterDescriptor_t wDesc, const void *w,
      cudnnConvolutionDescriptor_t conv, int algo, void *workspace,
      size_t workspaceBytes, const void *alpha2, cudnnTensorDescriptor_t zDesc,
      const void *z, cudnnTensorDescriptor_t biasDesc, const void *bias,
      cudnnActivationDescriptor_t activation, cudnnTensorDescriptor_t yDesc,
      void *y);
  cudnnStatus_t (*cudnnAddTensor)(cudnnHandle_t handle, const void *alpha,
                                  cudnnTensorDescriptor_t aDesc, const void *a,
                                  const void *beta,
                                  cudnnTensorDescriptor_t cDesc, void *c);
  cudnnStatus_t (*cudnnActivationForward)(
      cudnnHandle_t handle, cudnnActivationDescriptor_t activation,
      const void *alpha, cudnnTensorDescriptor_t xDesc, const void *x,
      const void *beta, cudnnTensorDescriptor_t yDesc, void *y);
  cudnnStatus_t (*cudnnGetConvolutionBackwardDataAlgorithm_v7)(
      cudnnHandle_t handle, cudnnFilterDescriptor_t w,
      cudnnTensorDescriptor_t dy, cudnnConvolutionDescriptor_t conv,
      cudnnTensorDescriptor_t dx, int requested, int *returned,
      cudnnConvolutionBwdDataAlgoPerf_t *results);
  cudnnStatus_t (*cudnnConvolutionBackwardData)(
      cudnnHandle_t handle, const void *alpha, cudnnFilterDescriptor_t wDesc,
      const void *w, cudnnTensorDescriptor_t dyDesc, const void *dy,
      cudnnConvolutionDescriptor_t conv, int algo, void *workspace,
      size_t workspaceBytes, const void *beta, cudnnTensorDescriptor_t dxDesc,
      void *dx);
  cudnnStatus_t (*cudnnGetConvolutionBackwardFilterAlgorithm_v7)(
      cudnnHandle_t handle, cudnnTensorDescriptor_t x,
      cudnnTensorDescriptor_t dy, cudnnConvolutionDescriptor_t conv,
      cudnnFilterDescriptor_t dw, int requested, int *returned,
      cudnnConvolutionBwdFilterAlgoPerf_t *results);
  cudnnStatus_t (*cudnnConvolutionBackwardFilter)(
      cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t xDesc,
      const void *x, cudnnTensorDescriptor_t dyDesc, const void *dy,
      cudnnConvolutionDescriptor_t conv, int algo, void *workspace,
      size_t workspaceBytes, const void *beta, cudnnFilterDescriptor_t dwDesc,
      void *dw);
};

} // namespace kiln::rt::cuda

#endif // KILN_RUNTIME_SRC_CUDA_CUDAAPI_H
