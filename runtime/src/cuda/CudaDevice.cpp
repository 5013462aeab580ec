//===- CudaDevice.cpp - a session's NVIDIA GPU: driver, stream, memory -----===//

#include "runtime/src/cuda/CudaDevice.h"
#include "runtime/src/Module.h"
#include "runtime/src/Status.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <string_view>

using namespace kiln::rt;
using namespace kiln::rt::cuda;

namespace {

/// Staging offsets and sizes are aligned like cudaMalloc's allocations.
constexpr uint64_t kDeviceAlignment = 256;
/// cuBLASLt's and cuDNN's workspace (the size NVIDIA recommends for
/// cuBLASLt on Hopper).
constexpr size_t kWorkspaceBytes = 32u << 20;
constexpr uint32_t kMaxKernelArgs = 1024;

/// The largest power of two (up to 256) dividing `address`.
uint32_t alignmentOf(uint64_t address) {
  uint32_t a = 256;
  while (a > 1 && address % a != 0)
    a /= 2;
  return a;
}

uint64_t alignUp(uint64_t v) {
  return (v + kDeviceAlignment - 1) / kDeviceAlignment * kDeviceAlignment;
}

template <typename Fn>
bool resolve(void *lib, const char *name, Fn &fn, std::string &missing) {
  void *sym = dlsym(lib, name);
  if (!sym) {
    missing += missing.empty() ? name : std::string(", ") + name;
    return false;
  }
  static_assert(sizeof(fn) == sizeof(sym), "function pointers are pointers");
  std::memcpy(&fn, &sym, sizeof(fn));
  return true;
}

struct LoadedDriver {
  DriverApi api{};
  std::string error; // empty when usable
};

/// libcuda.so.1 (or $KILN_CUDA_DRIVER), loaded and initialized once per
/// process and never unloaded (the driver does not support it).
const LoadedDriver &loadDriver() {
  static LoadedDriver loaded = [] {
    LoadedDriver d;
    const char *path = std::getenv("KILN_CUDA_DRIVER");
    if (!path || !*path)
      path = "libcuda.so.1";
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char *why = dlerror();
      d.error = std::string("no CUDA driver: cannot load ") + path + " (" +
                (why ? why : "unknown error") + ")";
      return d;
    }
    std::string missing;
    DriverApi &a = d.api;
    resolve(lib, "cuInit", a.cuInit, missing);
    resolve(lib, "cuDeviceGetCount", a.cuDeviceGetCount, missing);
    resolve(lib, "cuDeviceGet", a.cuDeviceGet, missing);
    resolve(lib, "cuDeviceGetName", a.cuDeviceGetName, missing);
    resolve(lib, "cuDeviceGetAttribute", a.cuDeviceGetAttribute, missing);
    resolve(lib, "cuDevicePrimaryCtxRetain", a.cuDevicePrimaryCtxRetain, missing);
    resolve(lib, "cuDevicePrimaryCtxRelease_v2", a.cuDevicePrimaryCtxRelease,
            missing);
    resolve(lib, "cuCtxSetCurrent", a.cuCtxSetCurrent, missing);
    resolve(lib, "cuStreamCreate", a.cuStreamCreate, missing);
    resolve(lib, "cuStreamDestroy_v2", a.cuStreamDestroy, missing);
    resolve(lib, "cuStreamSynchronize", a.cuStreamSynchronize, missing);
    resolve(lib, "cuModuleLoadDataEx", a.cuModuleLoadDataEx, missing);
    resolve(lib, "cuModuleUnload", a.cuModuleUnload, missing);
    resolve(lib, "cuModuleGetFunction", a.cuModuleGetFunction, missing);
    resolve(lib, "cuMemAlloc_v2", a.cuMemAlloc, missing);
    resolve(lib, "cuMemFree_v2", a.cuMemFree, missing);
    resolve(lib, "cuMemcpyHtoD_v2", a.cuMemcpyHtoD, missing);
    resolve(lib, "cuMemcpyHtoDAsync_v2", a.cuMemcpyHtoDAsync, missing);
    resolve(lib, "cuMemcpyDtoHAsync_v2", a.cuMemcpyDtoHAsync, missing);
    resolve(lib, "cuLaunchKernel", a.cuLaunchKernel, missing);
    resolve(lib, "cuGetErrorName", a.cuGetErrorName, missing);
    resolve(lib, "cuDriverGetVersion", a.cuDriverGetVersion, missing);
    std::string optional;
    if (!resolve(lib, "cuEventElapsedTime_v2", a.cuEventElapsedTime, optional))
      resolve(lib, "cuEventElapsedTime", a.cuEventElapsedTime, optional);
    if (!resolve(lib, "cuEventCreate", a.cuEventCreate, optional) ||
        !resolve(lib, "cuEventDestroy_v2", a.cuEventDestroy, optional) ||
        !resolve(lib, "cuEventRecord", a.cuEventRecord, optional) ||
        !a.cuEventElapsedTime)
      a.cuEventCreate = nullptr; // no device timing
    if (!resolve(lib, "cuStreamBeginCapture_v2", a.cuStreamBeginCapture, optional) ||
        !resolve(lib, "cuStreamEndCapture", a.cuStreamEndCapture, optional) ||
        !resolve(lib, "cuGraphInstantiateWithFlags", a.cuGraphInstantiateWithFlags,
                 optional) ||
        !resolve(lib, "cuGraphLaunch", a.cuGraphLaunch, optional) ||
        !resolve(lib, "cuGraphExecDestroy", a.cuGraphExecDestroy, optional) ||
        !resolve(lib, "cuGraphDestroy", a.cuGraphDestroy, optional))
      a.cuStreamBeginCapture = nullptr; // no CUDA Graphs
    if (!missing.empty()) {
      d.error = std::string("the CUDA driver ") + path +
                " lacks " + missing + " (too old a driver?)";
      return d;
    }
    CUresult init = a.cuInit(0);
    if (init != CUDA_SUCCESS) {
      const char *name = nullptr;
      if (a.cuGetErrorName(init, &name) != CUDA_SUCCESS || !name)
        name = "unknown error";
      d.error = std::string("no CUDA device: cuInit failed with ") + name +
                " (" + std::to_string(init) + ")";
    }
    return d;
  }();
  return loaded;
}

struct LoadedBlasLt {
  BlasLtApi api{};
  std::string error;
};

/// The first of `candidates` that dlopen loads; the others are listed in
/// `tried`.
void *openFirst(const std::vector<std::string> &candidates, std::string &tried) {
  for (const std::string &c : candidates) {
    if (void *lib = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL))
      return lib;
    tried += tried.empty() ? c : ", " + c;
  }
  return nullptr;
}

/// `sonames` under $CUDA_HOME, $CUDA_PATH and /usr/local/cuda.
std::vector<std::string> toolkitCopies(const std::vector<std::string> &sonames) {
  std::vector<std::string> roots, out;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *root = std::getenv(var); root && *root)
      roots.push_back(root);
  roots.push_back("/usr/local/cuda");
  for (const std::string &root : roots)
    for (const std::string &so : sonames)
      out.push_back(root + "/lib64/" + so);
  return out;
}

/// cuBLASLt: the soname of the driver's CUDA major version first (a newer
/// cuBLASLt needs a newer driver), then older ones, then the CUDA toolkit's
/// own copy.
const LoadedBlasLt &loadBlasLt(int driverVersion) {
  static LoadedBlasLt loaded = [driverVersion] {
    LoadedBlasLt l;
    std::vector<std::string> candidates;
    if (const char *path = std::getenv("KILN_CUBLASLT"); path && *path)
      candidates.push_back(path);
    int major = driverVersion / 1000;
    std::vector<std::string> sonames;
    for (int v = major < 11 || major > 13 ? 13 : major; v >= 11; --v)
      sonames.push_back("libcublasLt.so." + std::to_string(v));
    candidates.insert(candidates.end(), sonames.begin(), sonames.end());
    std::vector<std::string> copies = toolkitCopies(sonames);
    candidates.insert(candidates.end(), copies.begin(), copies.end());
    std::string tried;
    void *lib = openFirst(candidates, tried);
    if (!lib) {
      l.error = "no cuBLASLt: cannot load any of " + tried;
      return l;
    }
    std::string missing;
    BlasLtApi &a = l.api;
    resolve(lib, "cublasLtCreate", a.cublasLtCreate, missing);
    resolve(lib, "cublasLtDestroy", a.cublasLtDestroy, missing);
    resolve(lib, "cublasLtMatmulDescCreate", a.cublasLtMatmulDescCreate, missing);
    resolve(lib, "cublasLtMatmulDescDestroy", a.cublasLtMatmulDescDestroy,
            missing);
    resolve(lib, "cublasLtMatmulDescSetAttribute",
            a.cublasLtMatmulDescSetAttribute, missing);
    resolve(lib, "cublasLtMatrixLayoutCreate", a.cublasLtMatrixLayoutCreate,
            missing);
    resolve(lib, "cublasLtMatrixLayoutDestroy", a.cublasLtMatrixLayoutDestroy,
            missing);
    resolve(lib, "cublasLtMatrixLayoutSetAttribute",
            a.cublasLtMatrixLayoutSetAttribute, missing);
    resolve(lib, "cublasLtMatmulPreferenceCreate",
            a.cublasLtMatmulPreferenceCreate, missing);
    resolve(lib, "cublasLtMatmulPreferenceDestroy",
            a.cublasLtMatmulPreferenceDestroy, missing);
    resolve(lib, "cublasLtMatmulPreferenceSetAttribute",
            a.cublasLtMatmulPreferenceSetAttribute, missing);
    resolve(lib, "cublasLtMatmulAlgoGetHeuristic",
            a.cublasLtMatmulAlgoGetHeuristic, missing);
    resolve(lib, "cublasLtMatmul", a.cublasLtMatmul, missing);
    if (!missing.empty())
      l.error = "cuBLASLt lacks " + missing;
    return l;
  }();
  return loaded;
}

struct LoadedCudnn {
  CudnnApi api{};
  std::string error;
};

/// cuDNN 9: $KILN_CUDNN, else libcudnn.so.9 on the library path, else the
/// CUDA toolkit's copy. Loaded on the first convolution.
const LoadedCudnn &loadCudnn() {
  static LoadedCudnn loaded = [] {
    LoadedCudnn l;
    std::vector<std::string> candidates;
    if (const char *path = std::getenv("KILN_CUDNN"); path && *path)
      candidates.push_back(path);
    candidates.push_back("libcudnn.so.9");
    std::vector<std::string> copies = toolkitCopies({"libcudnn.so.9"});
    candidates.insert(candidates.end(), copies.begin(), copies.end());
    std::string tried;
    void *lib = openFirst(candidates, tried);
    if (!lib) {
      l.error = "no cuDNN: cannot load any of " + tried;
      return l;
    }
    std::string missing;
    CudnnApi &a = l.api;
#define KILN_RESOLVE(name) resolve(lib, #name, a.name, missing)
    KILN_RESOLVE(cudnnGetVersion);
    KILN_RESOLVE(cudnnGetErrorString);
    KILN_RESOLVE(cudnnCreate);
    KILN_RESOLVE(cudnnDestroy);
    KILN_RESOLVE(cudnnSetStream);
    KILN_RESOLVE(cudnnCreateTensorDescriptor);
    KILN_RESOLVE(cudnnDestroyTensorDescriptor);
    KILN_RESOLVE(cudnnSetTensor4dDescriptor);
    KILN_RESOLVE(cudnnCreateFilterDescriptor);
    KILN_RESOLVE(cudnnDestroyFilterDescriptor);
    KILN_RESOLVE(cudnnSetFilter4dDescriptor);
    KILN_RESOLVE(cudnnCreateConvolutionDescriptor);
    KILN_RESOLVE(cudnnDestroyConvolutionDescriptor);
    KILN_RESOLVE(cudnnSetConvolution2dDescriptor);
    KILN_RESOLVE(cudnnSetConvolutionMathType);
    KILN_RESOLVE(cudnnCreateActivationDescriptor);
    KILN_RESOLVE(cudnnDestroyActivationDescriptor);
    KILN_RESOLVE(cudnnSetActivationDescriptor);
    KILN_RESOLVE(cudnnGetConvolutionForwardAlgorithm_v7);
    KILN_RESOLVE(cudnnConvolutionForward);
    KILN_RESOLVE(cudnnConvolutionBiasActivationForward);
    KILN_RESOLVE(cudnnAddTensor);
    KILN_RESOLVE(cudnnActivationForward);
    KILN_RESOLVE(cudnnGetConvolutionBackwardDataAlgorithm_v7);
    KILN_RESOLVE(cudnnConvolutionBackwardData);
    KILN_RESOLVE(cudnnGetConvolutionBackwardFilterAlgorithm_v7);
    KILN_RESOLVE(cudnnConvolutionBackwardFilter);
#undef KILN_RESOLVE
    if (!missing.empty())
      l.error = "cuDNN lacks " + missing;
    else if (size_t version = a.cudnnGetVersion(); version < 90000)
      l.error = "cuDNN " + std::to_string(version) + " is older than 9.0";
    return l;
  }();
  return loaded;
}

} // namespace

int kiln::rt::kernelParamCount(const uint8_t *ptx, size_t size,
                               const std::string &kernel) {
  std::string_view text(reinterpret_cast<const char *>(ptx), size);
  std::string entry = ".entry " + kernel + "(";
  size_t at = text.find(entry);
  if (at == std::string_view::npos)
    return -1;
  size_t end = text.find(')', at);
  if (end == std::string_view::npos)
    return -1;
  int count = 0;
  for (size_t p = text.find(".param", at); p != std::string_view::npos && p < end;
       p = text.find(".param", p + 1))
    ++count;
  return count;
}

/// One planned matmul shape: cuBLASLt descriptors and the chosen algorithm.
struct CudaDevice::LtEntry {
  const BlasLtApi *api = nullptr;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
  LtMatmulPlan plan;
  ~LtEntry() {
    if (!api)
      return;
    if (desc)
      api->cublasLtMatmulDescDestroy(desc);
    for (cublasLtMatrixLayout_t l : {a, b, c})
      if (l)
        api->cublasLtMatrixLayoutDestroy(l);
  }
};

/// One planned convolution: cuDNN descriptors and the chosen algorithm.
struct CudaDevice::ConvEntry {
  const CudnnApi *api = nullptr;
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t filter = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnActivationDescriptor_t relu = nullptr;
  int algo = 0;
  CudnnConvPlan plan;
  ~ConvEntry() {
    if (!api)
      return;
    for (cudnnTensorDescriptor_t t : {x, y, bias})
      if (t)
        api->cudnnDestroyTensorDescriptor(t);
    if (filter)
      api->cudnnDestroyFilterDescriptor(filter);
    if (conv)
      api->cudnnDestroyConvolutionDescriptor(conv);
    if (relu)
      api->cudnnDestroyActivationDescriptor(relu);
  }
};

std::string CudaDevice::check(CUresult result, const char *what) const {
  if (result == CUDA_SUCCESS)
    return "";
  const char *name = nullptr;
  if (driver_->cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    name = "unknown error";
  return std::string(what) + " failed with " + name + " (" +
         std::to_string(result) + ")";
}

void CudaDevice::fail(std::string message) {
  if (error_.empty() && !message.empty())
    error_ = std::move(message);
}

kiln_status_t CudaDevice::open(const kiln_module_t &module, int32_t ordinal,
                               kiln_cuda_graphs_t cudaGraphs,
                               std::unique_ptr<CudaDevice> &out) {
  const std::string &path = module.path;
  auto unavailable = [&](const std::string &why) {
    return makeStatus(KILN_STATUS_UNAVAILABLE,
                      path + ": cannot run on cuda: " + why);
  };
  const LoadedDriver &loaded = loadDriver();
  if (!loaded.error.empty())
    return unavailable(loaded.error);
  std::unique_ptr<CudaDevice> d(new CudaDevice);
  d->driver_ = &loaded.api;
  d->modulePath_ = path;
  const DriverApi &api = loaded.api;
  int count = 0;
  if (std::string e = d->check(api.cuDeviceGetCount(&count), "cuDeviceGetCount");
      !e.empty())
    return unavailable(e);
  if (ordinal < 0 || ordinal >= count)
    return unavailable("no CUDA device " + std::to_string(ordinal) + " (" +
                       std::to_string(count) + " device(s))");
  if (std::string e = d->check(api.cuDeviceGet(&d->device_, ordinal), "cuDeviceGet");
      !e.empty())
    return unavailable(e);
  char name[256] = {};
  int major = 0, minor = 0;
  if (api.cuDeviceGetName(name, sizeof(name) - 1, d->device_) != CUDA_SUCCESS ||
      api.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                               d->device_) != CUDA_SUCCESS ||
      api.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                               d->device_) != CUDA_SUCCESS)
    return unavailable("cannot query CUDA device " + std::to_string(ordinal));
  std::string arch = "sm_" + std::to_string(major) + std::to_string(minor);
  d->description_ = std::string(name) + " (" + arch + ")";
  // PTX for sm_XY runs on devices of compute capability >= X.Y.
  const std::string &want = module.manifest.deviceArch;
  int wantNumber = want.size() > 3 ? std::atoi(want.c_str() + 3) : 0;
  if (wantNumber > major * 10 + minor)
    return makeStatus(KILN_STATUS_FAILED_PRECONDITION,
                      path + ": compiled for " + want + ", but CUDA device " +
                          std::to_string(ordinal) + " is " + d->description_);

  auto failed = [&](const std::string &e) {
    return makeStatus(KILN_STATUS_INTERNAL, path + ": " + e);
  };
  if (std::string e = d->check(api.cuDevicePrimaryCtxRetain(&d->context_, d->device_),
                               "cuDevicePrimaryCtxRetain");
      !e.empty()) {
    d->context_ = nullptr;
    return unavailable(e);
  }
  if (std::string e = d->check(api.cuCtxSetCurrent(d->context_), "cuCtxSetCurrent");
      !e.empty())
    return failed(e);
  if (std::string e = d->check(api.cuStreamCreate(&d->stream_, CU_STREAM_NON_BLOCKING),
                               "cuStreamCreate");
      !e.empty())
    return failed(e);

  // The kernels (the JIT log says why PTX is refused).
  const kiln_artifact_t &artifact = *module.artifact;
  char log[8192] = {};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log, reinterpret_cast<void *>(sizeof(log) - 1)};
  if (std::string e = d->check(api.cuModuleLoadDataEx(&d->kernelsModule_,
                                                      artifact.device_code, 2,
                                                      options, values),
                               "loading the PTX (cuModuleLoadDataEx)");
      !e.empty()) {
    d->kernelsModule_ = nullptr;
    return failed(e + (log[0] ? std::string(": ") + log : ""));
  }
  d->kernelNames_ = module.manifest.kernels;
  for (const std::string &k : d->kernelNames_) {
    CUfunction fn = nullptr;
    if (std::string e = d->check(
            api.cuModuleGetFunction(&fn, d->kernelsModule_, k.c_str()),
            "cuModuleGetFunction");
        !e.empty())
      return makeStatus(KILN_STATUS_DATA_LOSS,
                        path + ": the device code has no kernel '" + k +
                            "': " + e);
    d->kernels_.push_back(fn);
    int params = kernelParamCount(artifact.device_code, artifact.device_code_size, k);
    if (params < 0)
      return makeStatus(KILN_STATUS_DATA_LOSS,
                        path + ": the device code does not declare kernel '" +
                            k + "'");
    d->kernelParams_.push_back(static_cast<uint32_t>(params));
  }

  // Memory: weights (copied once), the arena, staging for the largest
  // function's inputs and outputs.
  auto allocate = [&](CUdeviceptr &ptr, uint64_t bytes, const char *what) {
    std::string e = d->check(api.cuMemAlloc(&ptr, alignUp(bytes ? bytes : 1)),
                             "cuMemAlloc");
    if (e.empty())
      return static_cast<kiln_status_t>(nullptr);
    ptr = 0;
    return makeStatus(KILN_STATUS_RESOURCE_EXHAUSTED,
                      path + ": cannot allocate " + std::to_string(bytes) +
                          " bytes of device memory for the " + what + ": " + e);
  };
  if (kiln_status_t s = allocate(d->weights_, artifact.weights_size, "weights"))
    return s;
  // On the session's (non-blocking) stream, and waited for: a copy on the
  // legacy stream would not be ordered before the first kernels.
  if (artifact.weights_size > 0) {
    if (std::string e = d->check(
            api.cuMemcpyHtoDAsync(d->weights_, artifact.weights,
                                  artifact.weights_size, d->stream_),
            "copying the weights (cuMemcpyHtoDAsync)");
        !e.empty())
      return failed(e);
    if (std::string e = d->check(api.cuStreamSynchronize(d->stream_),
                                 "cuStreamSynchronize");
        !e.empty())
      return failed(e);
  }
  if (kiln_status_t s = allocate(d->arena_, module.maxArenaSize, "arena"))
    return s;
  uint64_t stagingBytes = 0;
  size_t maxInputs = 0, maxOutputs = 0;
  for (const ManifestFunction &fn : module.manifest.functions) {
    std::vector<uint64_t> offsets;
    uint64_t at = 0;
    for (const auto *list : {&fn.inputs, &fn.outputs})
      for (const ManifestTensor &t : *list) {
        offsets.push_back(at);
        if (t.byteSize > UINT64_MAX / 2 || at > UINT64_MAX / 2)
          return makeStatus(KILN_STATUS_RESOURCE_EXHAUSTED,
                            path + ": tensors too large for device staging");
        at += alignUp(t.byteSize);
      }
    stagingBytes = at > stagingBytes ? at : stagingBytes;
    d->stagingOffsets_.push_back(std::move(offsets));
    maxInputs = fn.inputs.size() > maxInputs ? fn.inputs.size() : maxInputs;
    maxOutputs = fn.outputs.size() > maxOutputs ? fn.outputs.size() : maxOutputs;
  }
  if (kiln_status_t s = allocate(d->staging_, stagingBytes, "inputs and outputs"))
    return s;
  d->inputPtrs_.resize(maxInputs);
  d->outputPtrs_.resize(maxOutputs);
  d->graphs_.resize(module.manifest.functions.size());
  for (size_t f = 0; f < d->graphs_.size(); ++f)
    d->graphs_[f].wanted =
        api.cuStreamBeginCapture && cudaGraphs != KILN_CUDA_GRAPHS_OFF &&
        (cudaGraphs == KILN_CUDA_GRAPHS_ON ||
         module.manifest.functions[f].deviceCalls >= KILN_CUDA_GRAPH_MIN_CALLS);
  if (api.cuEventCreate &&
      (api.cuEventCreate(&d->start_, 0) != CUDA_SUCCESS ||
       api.cuEventCreate(&d->stop_, 0) != CUDA_SUCCESS))
    return failed("cuEventCreate failed");
  out = std::move(d);
  return nullptr;
}

CudaDevice::~CudaDevice() {
  if (!driver_ || !context_)
    return;
  driver_->cuCtxSetCurrent(context_);
  if (stream_)
    driver_->cuStreamSynchronize(stream_);
  ltCache_.clear();
  convCache_.clear();
  if (cudnnHandle_)
    cudnn_->cudnnDestroy(cudnnHandle_);
  for (FunctionGraph &g : graphs_)
    if (g.exec)
      driver_->cuGraphExecDestroy(g.exec);
  if (blasLtHandle_)
    blasLt_->cublasLtDestroy(blasLtHandle_);
  for (CUdeviceptr p : {weights_, arena_, staging_, workspace_})
    if (p)
      driver_->cuMemFree(p);
  if (kernelsModule_)
    driver_->cuModuleUnload(kernelsModule_);
  for (CUevent e : {start_, stop_})
    if (e)
      driver_->cuEventDestroy(e);
  if (stream_)
    driver_->cuStreamDestroy(stream_);
  driver_->cuDevicePrimaryCtxRelease(device_);
}

void CudaDevice::bind(kiln_host_api_t &host) {
  host.device = this;
  host.device_weights = reinterpret_cast<const void *>(weights_);
  host.launch = &CudaDevice::launchThunk;
  host.matmul = &CudaDevice::matmulThunk;
  host.conv = &CudaDevice::convThunk;
}

void CudaDevice::launchThunk(void *device, uint32_t kernel, uint32_t grid,
                             uint32_t block, uint32_t numArgs,
                             const uint64_t *args) {
  static_cast<CudaDevice *>(device)->launch(kernel, grid, block, numArgs, args);
}

void CudaDevice::matmulThunk(void *device, const kiln_matmul_t *op) {
  auto *d = static_cast<CudaDevice *>(device);
  if (!op)
    return d->fail("a NULL matmul descriptor");
  d->matmul(*op);
}

void CudaDevice::convThunk(void *device, const kiln_conv_t *op) {
  auto *d = static_cast<CudaDevice *>(device);
  if (!op)
    return d->fail("a NULL convolution descriptor");
  d->conv(*op);
}

void CudaDevice::launch(uint32_t kernel, uint32_t grid, uint32_t block,
                        uint32_t numArgs, const uint64_t *args) {
  if (!error_.empty())
    return;
  if (kernel >= kernels_.size())
    return fail("kernel index " + std::to_string(kernel) + " out of range (" +
                std::to_string(kernels_.size()) + " kernels)");
  if (grid < 1 || block < 1 || block > 1024 || numArgs > kMaxKernelArgs ||
      numArgs != kernelParams_[kernel] || (numArgs > 0 && !args))
    return fail("bad launch of kernel '" + kernelNames_[kernel] + "' (grid " +
                std::to_string(grid) + ", block " + std::to_string(block) +
                ", " + std::to_string(numArgs) + " arguments for " +
                std::to_string(kernelParams_[kernel]) + " parameters)");
  void *params[kMaxKernelArgs];
  for (uint32_t i = 0; i < numArgs; ++i)
    params[i] = const_cast<uint64_t *>(args + i);
  std::string e =
      check(driver_->cuLaunchKernel(kernels_[kernel], grid, 1, 1, block, 1, 1,
                                    0, stream_, params, nullptr),
            "cuLaunchKernel");
  if (!e.empty())
    fail("kernel '" + kernelNames_[kernel] + "': " + e);
}

bool CudaDevice::ensureWorkspace(std::string &error) {
  if (workspace_)
    return true;
  if (std::string e = check(driver_->cuMemAlloc(&workspace_, kWorkspaceBytes),
                            "cuMemAlloc (library workspace)");
      !e.empty()) {
    workspace_ = 0;
    error = e;
    return false;
  }
  workspaceBytes_ = kWorkspaceBytes;
  return true;
}

CudaDevice::LtEntry *CudaDevice::ltEntry(const kiln_matmul_t &op,
                                         std::string &error) {
  // cuBLASLt picks algorithms by the operands' alignment (256 bytes unless
  // told otherwise); ours can be any multiple of 4 (views into the arena).
  uint32_t alignA = alignmentOf(op.a), alignB = alignmentOf(op.b),
           alignC = alignmentOf(op.c), alignBias = op.bias ? alignmentOf(op.bias) : 0;
  std::vector<int64_t> key = {op.flags,    op.activation, op.batch,
                              op.m,        op.n,          op.k,
                              op.lda,      op.ldb,        op.ldc,
                              op.stride_a, op.stride_b,   op.stride_c,
                              op.bias != 0, alignA,       alignB,
                              alignC,      alignBias};
  auto found = ltCache_.find(key);
  if (found != ltCache_.end())
    return found->second.get();
  if (!blasLtHandle_) {
    int driverVersion = 0;
    if (driver_->cuDriverGetVersion(&driverVersion) != CUDA_SUCCESS)
      driverVersion = 0;
    const LoadedBlasLt &loaded = loadBlasLt(driverVersion);
    if (!loaded.error.empty()) {
      error = loaded.error;
      return nullptr;
    }
    blasLt_ = &loaded.api;
    if (blasLt_->cublasLtCreate(&blasLtHandle_) != CUBLAS_STATUS_SUCCESS) {
      blasLtHandle_ = nullptr;
      error = "cublasLtCreate failed";
      return nullptr;
    }
    if (!ensureWorkspace(error))
      return nullptr;
  }
  auto entry = std::make_unique<LtEntry>();
  entry->api = blasLt_;
  if (std::string e = planMatmul(op, entry->plan); !e.empty()) {
    error = e;
    return nullptr;
  }
  const LtMatmulPlan &p = entry->plan;
  const BlasLtApi &lt = *blasLt_;
  auto ok = [&](cublasStatus_t s, const char *what) {
    if (s == CUBLAS_STATUS_SUCCESS)
      return true;
    error = std::string(what) + " failed with cuBLAS status " + std::to_string(s);
    return false;
  };
  if (!ok(lt.cublasLtMatmulDescCreate(&entry->desc, p.computeType, CUDA_R_32F),
          "cublasLtMatmulDescCreate") ||
      !ok(lt.cublasLtMatmulDescSetAttribute(entry->desc, CUBLASLT_MATMUL_DESC_TRANSA,
                                            &p.transA, sizeof(p.transA)),
          "setting TRANSA") ||
      !ok(lt.cublasLtMatmulDescSetAttribute(entry->desc, CUBLASLT_MATMUL_DESC_TRANSB,
                                            &p.transB, sizeof(p.transB)),
          "setting TRANSB") ||
      !ok(lt.cublasLtMatmulDescSetAttribute(entry->desc,
                                            CUBLASLT_MATMUL_DESC_EPILOGUE,
                                            &p.epilogue, sizeof(p.epilogue)),
          "setting the epilogue"))
    return nullptr;
  if (op.bias && !ok(lt.cublasLtMatmulDescSetAttribute(
                         entry->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &op.bias,
                         sizeof(void *)),
                     "setting the bias"))
    return nullptr;
  auto layout = [&](cublasLtMatrixLayout_t &l, const LtMatmulPlan::Layout &s) {
    if (!ok(lt.cublasLtMatrixLayoutCreate(&l, CUDA_R_32F, s.rows, s.cols, s.ld),
            "cublasLtMatrixLayoutCreate"))
      return false;
    if (p.batch == 1)
      return true;
    return ok(lt.cublasLtMatrixLayoutSetAttribute(
                  l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &p.batch,
                  sizeof(p.batch)),
              "setting the batch count") &&
           ok(lt.cublasLtMatrixLayoutSetAttribute(
                  l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &s.batchStride,
                  sizeof(s.batchStride)),
              "setting the batch stride");
  };
  if (!layout(entry->a, p.a) || !layout(entry->b, p.b) || !layout(entry->c, p.c))
    return nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  if (!ok(lt.cublasLtMatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate"))
    return nullptr;
  uint64_t ws = workspaceBytes_;
  cublasLtMatmulHeuristicResult_t result{};
  int returned = 0;
  // A' is B's memory, B' is A's (see planMatmul).
  auto setAlignment = [&](int attribute, uint32_t bytes) {
    return ok(lt.cublasLtMatmulPreferenceSetAttribute(pref, attribute, &bytes,
                                                      sizeof(bytes)),
              "setting an operand alignment");
  };
  bool found1 =
      ok(lt.cublasLtMatmulPreferenceSetAttribute(
             pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws)),
         "setting the workspace size") &&
      setAlignment(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, alignB) &&
      setAlignment(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, alignA) &&
      setAlignment(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, alignC) &&
      setAlignment(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, alignC) &&
      ok(lt.cublasLtMatmulAlgoGetHeuristic(blasLtHandle_, entry->desc, entry->a,
                                           entry->b, entry->c, entry->c, pref, 1,
                                           &result, &returned),
         "cublasLtMatmulAlgoGetHeuristic");
  lt.cublasLtMatmulPreferenceDestroy(pref);
  if (!found1)
    return nullptr;
  if (returned < 1) {
    error = "cuBLASLt has no algorithm for this matmul";
    return nullptr;
  }
  entry->algo = result.algo;
  LtEntry *raw = entry.get();
  ltCache_.emplace(std::move(key), std::move(entry));
  return raw;
}

void CudaDevice::matmul(const kiln_matmul_t &op) {
  if (!error_.empty())
    return;
  // Every call, cached shape or not: the addresses change.
  LtMatmulPlan plan;
  if (std::string e = planMatmul(op, plan); !e.empty())
    return fail("matmul: " + e);
  std::string error;
  LtEntry *e = ltEntry(op, error);
  if (!e)
    return fail("matmul (m " + std::to_string(op.m) + ", n " +
                std::to_string(op.n) + ", k " + std::to_string(op.k) +
                "): " + error);
  const BlasLtApi &lt = *blasLt_;
  if (op.bias &&
      lt.cublasLtMatmulDescSetAttribute(e->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                                        &op.bias, sizeof(void *)) !=
          CUBLAS_STATUS_SUCCESS)
    return fail("matmul: setting the bias failed");
  float alpha = 1.0f, beta = e->plan.beta;
  auto ptr = [](uint64_t address) { return reinterpret_cast<void *>(address); };
  cublasStatus_t s = lt.cublasLtMatmul(
      blasLtHandle_, e->desc, &alpha, ptr(op.b), e->a, ptr(op.a), e->b, &beta,
      ptr(op.c), e->c, ptr(op.c), e->c, &e->algo, ptr(workspace_),
      workspaceBytes_, stream_);
  if (s != CUBLAS_STATUS_SUCCESS)
    fail("cublasLtMatmul failed with cuBLAS status " + std::to_string(s));
}

CudaDevice::ConvEntry *CudaDevice::convEntry(const CudnnConvPlan &plan,
                                             std::string &error) {
  auto found = convCache_.find(plan.key);
  if (found != convCache_.end())
    return found->second.get();
  if (!cudnnHandle_) {
    const LoadedCudnn &loaded = loadCudnn();
    if (!loaded.error.empty()) {
      error = loaded.error;
      return nullptr;
    }
    cudnn_ = &loaded.api;
    if (cudnnStatus_t s = cudnn_->cudnnCreate(&cudnnHandle_);
        s != CUDNN_STATUS_SUCCESS) {
      cudnnHandle_ = nullptr;
      error = std::string("cudnnCreate failed: ") + cudnn_->cudnnGetErrorString(s);
      return nullptr;
    }
    if (cudnnStatus_t s = cudnn_->cudnnSetStream(cudnnHandle_, stream_);
        s != CUDNN_STATUS_SUCCESS) {
      error = std::string("cudnnSetStream failed: ") +
              cudnn_->cudnnGetErrorString(s);
      return nullptr;
    }
  }
  if (!ensureWorkspace(error))
    return nullptr;
  const CudnnApi &dnn = *cudnn_;
  auto ok = [&](cudnnStatus_t s, const char *what) {
    if (s == CUDNN_STATUS_SUCCESS)
      return true;
    error = std::string(what) + " failed: " + dnn.cudnnGetErrorString(s);
    return false;
  };
  auto entry = std::make_unique<ConvEntry>();
  entry->api = cudnn_;
  entry->plan = plan;
  const CudnnConvPlan &p = plan;
  auto tensor = [&](cudnnTensorDescriptor_t &t, const std::array<int, 4> &d) {
    return ok(dnn.cudnnCreateTensorDescriptor(&t), "cudnnCreateTensorDescriptor") &&
           ok(dnn.cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NHWC,
                                             CUDNN_DATA_FLOAT, d[0], d[1], d[2],
                                             d[3]),
              "cudnnSetTensor4dDescriptor");
  };
  int math = p.tf32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
  if (!tensor(entry->x, p.x) || !tensor(entry->y, p.y) ||
      !ok(dnn.cudnnCreateFilterDescriptor(&entry->filter),
          "cudnnCreateFilterDescriptor") ||
      !ok(dnn.cudnnSetFilter4dDescriptor(entry->filter, CUDNN_DATA_FLOAT,
                                         CUDNN_TENSOR_NHWC, p.filter[0],
                                         p.filter[1], p.filter[2], p.filter[3]),
          "cudnnSetFilter4dDescriptor") ||
      !ok(dnn.cudnnCreateConvolutionDescriptor(&entry->conv),
          "cudnnCreateConvolutionDescriptor") ||
      !ok(dnn.cudnnSetConvolution2dDescriptor(
              entry->conv, p.padH, p.padW, p.strideH, p.strideW, p.dilationH,
              p.dilationW, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
          "cudnnSetConvolution2dDescriptor") ||
      !ok(dnn.cudnnSetConvolutionMathType(entry->conv, math),
          "cudnnSetConvolutionMathType"))
    return nullptr;
  bool bias = p.call == CudnnConvPlan::Call::ForwardAddBias ||
              p.call == CudnnConvPlan::Call::FusedBiasRelu;
  bool relu = p.call == CudnnConvPlan::Call::ForwardRelu ||
              p.call == CudnnConvPlan::Call::FusedBiasRelu;
  if (bias && !tensor(entry->bias, {1, p.y[1], 1, 1}))
    return nullptr;
  if (relu &&
      (!ok(dnn.cudnnCreateActivationDescriptor(&entry->relu),
           "cudnnCreateActivationDescriptor") ||
       !ok(dnn.cudnnSetActivationDescriptor(entry->relu, CUDNN_ACTIVATION_RELU,
                                            CUDNN_PROPAGATE_NAN, 0.0),
           "cudnnSetActivationDescriptor")))
    return nullptr;
  // The heuristic's best algorithm that fits the workspace and, without
  // TF32, computes in plain FMA (f32 TF32 tensor-op algorithms would lose
  // precision); for the gradients, a deterministic one if any qualifies
  // (training runs then repeat bit for bit, as on the CPU).
  // Every direction's results have the forward's layout: gathered into
  // `results`, the first `returned` of them.
  cudnnConvolutionFwdAlgoPerf_t results[CUDNN_CONVOLUTION_FWD_ALGO_COUNT] = {};
  int returned = 0;
  auto gather = [&](cudnnStatus_t status, const char *what, const auto &found) {
    if (!ok(status, what))
      return false;
    returned = std::clamp(returned, 0, static_cast<int>(std::size(found)));
    std::copy(std::begin(found), std::begin(found) + returned, results);
    return true;
  };
  cudnnConvolutionFwdAlgoPerf_t forward[CUDNN_CONVOLUTION_FWD_ALGO_COUNT] = {};
  cudnnConvolutionBwdDataAlgoPerf_t data[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT] = {};
  cudnnConvolutionBwdFilterAlgoPerf_t filter[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT] = {};
  bool gathered =
      p.call == CudnnConvPlan::Call::BackwardData
          ? gather(dnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(
                       cudnnHandle_, entry->filter, entry->y, entry->conv,
                       entry->x, std::size(data), &returned, data),
                   "cudnnGetConvolutionBackwardDataAlgorithm_v7", data)
      : p.call == CudnnConvPlan::Call::BackwardFilter
          ? gather(dnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(
                       cudnnHandle_, entry->x, entry->y, entry->conv,
                       entry->filter, std::size(filter), &returned, filter),
                   "cudnnGetConvolutionBackwardFilterAlgorithm_v7", filter)
          : gather(dnn.cudnnGetConvolutionForwardAlgorithm_v7(
                       cudnnHandle_, entry->x, entry->filter, entry->conv,
                       entry->y, std::size(forward), &returned, forward),
                   "cudnnGetConvolutionForwardAlgorithm_v7", forward);
  if (!gathered)
    return nullptr;
  bool backward = p.call == CudnnConvPlan::Call::BackwardData ||
                  p.call == CudnnConvPlan::Call::BackwardFilter;
  auto usable = [&](const cudnnConvolutionFwdAlgoPerf_t &r) {
    return r.status == CUDNN_STATUS_SUCCESS && r.memory <= workspaceBytes_ &&
           (p.tf32 || r.mathType != CUDNN_TENSOR_OP_MATH);
  };
  const cudnnConvolutionFwdAlgoPerf_t *chosen = nullptr;
  for (int i = 0; i < returned && !chosen; ++i)
    if (usable(results[i]) &&
        (!backward || results[i].determinism == CUDNN_DETERMINISTIC))
      chosen = &results[i];
  for (int i = 0; i < returned && !chosen; ++i)
    if (usable(results[i]))
      chosen = &results[i];
  if (!chosen) {
    // Say which constraint left nothing: support, workspace or math mode.
    int supported = 0, fitting = 0;
    for (int i = 0; i < returned; ++i)
      if (results[i].status == CUDNN_STATUS_SUCCESS) {
        ++supported;
        fitting += results[i].memory <= workspaceBytes_;
      }
    const char *what = p.call == CudnnConvPlan::Call::BackwardData
                           ? "backward-data convolution"
                       : p.call == CudnnConvPlan::Call::BackwardFilter
                           ? "backward-filter convolution"
                           : "convolution";
    error = std::string("cuDNN has no algorithm for this ") + what + ": " +
            (supported == 0 ? "none of its " + std::to_string(returned) +
                                  " candidates supports it"
             : fitting == 0 ? std::to_string(supported) +
                                  " supported, none within " +
                                  std::to_string(workspaceBytes_ >> 20) +
                                  " MiB of workspace"
                            : std::to_string(fitting) +
                                  " fit the workspace, all TF32 tensor-op "
                                  "(compile with --allow-tf32 to allow them)");
    return nullptr;
  }
  if (!ok(dnn.cudnnSetConvolutionMathType(entry->conv, chosen->mathType),
          "cudnnSetConvolutionMathType"))
    return nullptr;
  entry->algo = chosen->algo;
  ConvEntry *raw = entry.get();
  convCache_.emplace(plan.key, std::move(entry));
  return raw;
}

void CudaDevice::conv(const kiln_conv_t &op) {
  if (!error_.empty())
    return;
  CudnnConvPlan plan;
  if (std::string e = planConv(op, plan); !e.empty())
    return fail("convolution: " + e);
  std::string error;
  ConvEntry *e = convEntry(plan, error);
  auto where = [&] {
    return "convolution (" + std::to_string(op.n) + "x" + std::to_string(op.h) +
           "x" + std::to_string(op.w) + "x" + std::to_string(op.c) + " * " +
           std::to_string(op.kh) + "x" + std::to_string(op.kw) + "x" +
           std::to_string(op.o) + "): ";
  };
  if (!e)
    return fail(where() + error);
  const CudnnApi &dnn = *cudnn_;
  auto ptr = [](uint64_t address) { return reinterpret_cast<void *>(address); };
  float one = 1.0f, zero = 0.0f, beta = plan.beta;
  void *ws = ptr(workspace_);
  cudnnStatus_t s = CUDNN_STATUS_SUCCESS;
  const char *what = "cudnnConvolutionForward";
  if (plan.call == CudnnConvPlan::Call::BackwardData) {
    what = "cudnnConvolutionBackwardData";
    s = dnn.cudnnConvolutionBackwardData(
        cudnnHandle_, &one, e->filter, ptr(op.filter), e->y, ptr(op.y), e->conv,
        e->algo, ws, workspaceBytes_, &beta, e->x, ptr(op.x));
  } else if (plan.call == CudnnConvPlan::Call::BackwardFilter) {
    what = "cudnnConvolutionBackwardFilter";
    s = dnn.cudnnConvolutionBackwardFilter(
        cudnnHandle_, &one, e->x, ptr(op.x), e->y, ptr(op.y), e->conv, e->algo,
        ws, workspaceBytes_, &beta, e->filter, ptr(op.filter));
  } else if (plan.call == CudnnConvPlan::Call::FusedBiasRelu) {
    what = "cudnnConvolutionBiasActivationForward";
    s = dnn.cudnnConvolutionBiasActivationForward(
        cudnnHandle_, &one, e->x, ptr(op.x), e->filter, ptr(op.filter), e->conv,
        e->algo, ws, workspaceBytes_, &beta, e->y, ptr(op.y), e->bias,
        ptr(op.bias), e->relu, e->y, ptr(op.y));
  } else {
    s = dnn.cudnnConvolutionForward(cudnnHandle_, &one, e->x, ptr(op.x),
                                    e->filter, ptr(op.filter), e->conv, e->algo,
                                    ws, workspaceBytes_, &beta, e->y, ptr(op.y));
    if (s == CUDNN_STATUS_SUCCESS &&
        plan.call == CudnnConvPlan::Call::ForwardAddBias) {
      what = "cudnnAddTensor";
      s = dnn.cudnnAddTensor(cudnnHandle_, &one, e->bias, ptr(op.bias), &one,
                             e->y, ptr(op.y));
    } else if (s == CUDNN_STATUS_SUCCESS &&
               plan.call == CudnnConvPlan::Call::ForwardRelu) {
      what = "cudnnActivationForward";
      s = dnn.cudnnActivationForward(cudnnHandle_, e->relu, &one, e->y,
                                     ptr(op.y), &zero, e->y, ptr(op.y));
    }
  }
  if (s != CUDNN_STATUS_SUCCESS)
    fail(where() + what + " failed: " + dnn.cudnnGetErrorString(s));
}

kiln_status_t CudaDevice::invoke(size_t functionIndex,
                                 const ManifestFunction &fn,
                                 kiln_entry_fn_t entry,
                                 const kiln_tensor_t *inputs,
                                 kiln_tensor_t *outputs,
                                 const kiln_host_api_t &host) {
  const DriverApi &api = *driver_;
  auto failed = [&](const std::string &e) {
    return makeStatus(KILN_STATUS_INTERNAL, modulePath_ + ": function '" +
                                                fn.name + "' on cuda: " + e);
  };
  if (functionIndex >= stagingOffsets_.size())
    return failed("function index out of range");
  if (std::string e = check(api.cuCtxSetCurrent(context_), "cuCtxSetCurrent");
      !e.empty())
    return failed(e);
  error_.clear();
  const std::vector<uint64_t> &offsets = stagingOffsets_[functionIndex];
  size_t slot = 0;
  for (size_t i = 0; i < fn.inputs.size(); ++i, ++slot) {
    CUdeviceptr at = staging_ + offsets[slot];
    inputPtrs_[i] = reinterpret_cast<void *>(at);
    fail(check(api.cuMemcpyHtoDAsync(at, inputs[i].data, fn.inputs[i].byteSize,
                                     stream_),
               "copying an input to the device (cuMemcpyHtoDAsync)"));
  }
  for (size_t i = 0; i < fn.outputs.size(); ++i, ++slot)
    outputPtrs_[i] = reinterpret_cast<void *>(staging_ + offsets[slot]);
  int32_t code = 0;
  lastDeviceMs_ = -1;
  auto run = [&] {
    return entry(inputPtrs_.data(), outputPtrs_.data(),
                 reinterpret_cast<void *>(arena_),
                 reinterpret_cast<const void *>(weights_), &host);
  };
  // With CUDA Graphs, the second invocation records the function's work
  // (every launch and library call: their arguments do not change between
  // invocations, the buffers being the session's) and later ones replay it.
  // The first runs plainly, so cuBLASLt's handle, workspace and plans exist
  // before any capture.
  FunctionGraph &graph = graphs_[functionIndex];
  if (graph.wanted && error_.empty() && !graph.exec && !graph.failed &&
      graph.invocations >= 1)
    capture(graph, run);
  ++graph.invocations;
  bool timed = start_ && stop_;
  if (timed)
    fail(check(api.cuEventRecord(start_, stream_), "cuEventRecord"));
  if (error_.empty()) {
    if (graph.exec)
      fail(check(api.cuGraphLaunch(graph.exec, stream_), "cuGraphLaunch"));
    else
      code = run();
  }
  if (timed)
    fail(check(api.cuEventRecord(stop_, stream_), "cuEventRecord"));
  if (error_.empty())
    for (size_t i = 0; i < fn.outputs.size(); ++i)
      fail(check(api.cuMemcpyDtoHAsync(outputs[i].data,
                                       reinterpret_cast<CUdeviceptr>(outputPtrs_[i]),
                                       fn.outputs[i].byteSize, stream_),
                 "copying an output from the device (cuMemcpyDtoHAsync)"));
  // Always wait: the stream may still read the caller's inputs.
  fail(check(api.cuStreamSynchronize(stream_), "cuStreamSynchronize"));
  if (!error_.empty())
    return failed(error_);
  float ms = 0;
  if (timed && api.cuEventElapsedTime(&ms, start_, stop_) == CUDA_SUCCESS)
    lastDeviceMs_ = ms;
  if (code != 0)
    return failed("the generated code failed with code " + std::to_string(code));
  return nullptr;
}

void CudaDevice::capture(FunctionGraph &graph,
                         const std::function<int32_t()> &run) {
  const DriverApi &api = *driver_;
  CUgraph recorded = nullptr;
  bool ok = api.cuStreamBeginCapture(stream_, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL) ==
            CUDA_SUCCESS;
  int32_t code = ok ? run() : 0;
  if (ok)
    ok = api.cuStreamEndCapture(stream_, &recorded) == CUDA_SUCCESS &&
         recorded && code == 0 && error_.empty();
  if (ok)
    ok = api.cuGraphInstantiateWithFlags(&graph.exec, recorded, 0) == CUDA_SUCCESS;
  if (recorded)
    api.cuGraphDestroy(recorded);
  if (!ok) {
    // Something in the function cannot be captured: run it plainly, always.
    graph.exec = nullptr;
    graph.failed = true;
    error_.clear();
  }
}
