//===- CudaDevice.h - a session's NVIDIA GPU: driver, stream, memory -------===//
//
// Runs cuda artifacts: their entry points are host code that enqueues
// kernel launches (PTX from the artifact, loaded with cuModuleLoadDataEx),
// cuBLASLt matmuls and cuDNN convolutions on one stream, through kiln_host_api_t. Everything
// CUDA is loaded with dlopen on first use.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_CUDA_CUDADEVICE_H
#define KILN_RUNTIME_SRC_CUDA_CUDADEVICE_H

#include "kiln/artifact_abi.h"
#include "kiln/runtime.h"
#include "runtime/src/Manifest.h"
#include "runtime/src/cuda/ConvPlan.h"
#include "runtime/src/cuda/CudaApi.h"
#include "runtime/src/cuda/MatmulPlan.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct kiln_module_t;

namespace kiln::rt {

/// The number of parameters kernel `kernel` declares in `ptx` (its
/// `.entry` signature); -1 if the PTX has no such kernel.
int kernelParamCount(const uint8_t *ptx, size_t size, const std::string &kernel);

class CudaDevice {
public:
  /// Opens CUDA device `ordinal` for `module` (a cuda artifact): the
  /// driver, the primary context, a stream, the kernels, the weights, the
  /// arena and the staging buffers for inputs and outputs.
  /// The functions `cudaGraphs` selects (all, none, or those with at least
  /// KILN_CUDA_GRAPH_MIN_CALLS device calls) have their work captured into
  /// a CUDA Graph at their second invocation and replayed from then on.
  static kiln_status_t open(const kiln_module_t &module, int32_t ordinal,
                            kiln_cuda_graphs_t cudaGraphs,
                            std::unique_ptr<CudaDevice> &out);
  ~CudaDevice();
  CudaDevice(const CudaDevice &) = delete;
  CudaDevice &operator=(const CudaDevice &) = delete;

  /// Fills the device fields of `host`.
  void bind(kiln_host_api_t &host);

  /// Copies the inputs in, runs `entry`, copies the outputs back and waits.
  kiln_status_t invoke(size_t functionIndex, const ManifestFunction &fn,
                       kiln_entry_fn_t entry,
                       const kiln_tensor_t *inputs, kiln_tensor_t *outputs,
                       const kiln_host_api_t &host);

  /// "NVIDIA H100 (sm_90)".
  const std::string &description() const { return description_; }

  /// The GPU time of the last invocation's generated code (kernels and
  /// library calls, not the copies), in milliseconds; negative if unknown.
  double lastDeviceMs() const { return lastDeviceMs_; }

private:
  CudaDevice() = default;
  static void launchThunk(void *device, uint32_t kernel, uint32_t grid,
                          uint32_t block, uint32_t numArgs,
                          const uint64_t *args);
  static void matmulThunk(void *device, const kiln_matmul_t *op);
  static void convThunk(void *device, const kiln_conv_t *op);
  void launch(uint32_t kernel, uint32_t grid, uint32_t block, uint32_t numArgs,
              const uint64_t *args);
  void matmul(const kiln_matmul_t &op);
  void conv(const kiln_conv_t &op);
  /// Records the first failure of an invocation (later ones are effects);
  /// an empty message is no failure.
  void fail(std::string message);
  /// "" for CUDA_SUCCESS, else "what: CUDA_ERROR_..." .
  std::string check(cuda::CUresult result, const char *what) const;

  struct LtEntry;
  struct ConvEntry;
  struct FunctionGraph {
    // cuda_graphs selects this function and the driver has CUDA Graphs.
    bool wanted = false;
    int64_t invocations = 0;
    cuda::CUgraphExec exec = nullptr;
    bool failed = false; // capture failed: run plainly
  };
  /// Records `run`'s work on the stream into `graph.exec`; on any failure
  /// marks the function as not capturable (and clears the error).
  void capture(FunctionGraph &graph, const std::function<int32_t()> &run);
  LtEntry *ltEntry(const kiln_matmul_t &op, std::string &error);
  ConvEntry *convEntry(const CudnnConvPlan &plan, std::string &error);
  /// Allocates the workspace cuBLASLt and cuDNN share, once.
  bool ensureWorkspace(std::string &error);

  const cuda::DriverApi *driver_ = nullptr;
  const cuda::BlasLtApi *blasLt_ = nullptr;
  const cuda::CudnnApi *cudnn_ = nullptr;
  std::string modulePath_;
  std::string description_;
  cuda::CUdevice device_ = 0;
  cuda::CUcontext context_ = nullptr;
  cuda::CUstream stream_ = nullptr;
  cuda::CUmodule kernelsModule_ = nullptr;
  cuda::CUevent start_ = nullptr, stop_ = nullptr;
  double lastDeviceMs_ = -1;
  std::vector<cuda::CUfunction> kernels_;
  std::vector<std::string> kernelNames_;
  std::vector<uint32_t> kernelParams_;
  cuda::CUdeviceptr weights_ = 0, arena_ = 0, staging_ = 0, workspace_ = 0;
  size_t workspaceBytes_ = 0;
  /// Byte offsets of each function's inputs, then outputs, in staging_.
  std::vector<std::vector<uint64_t>> stagingOffsets_;
  std::vector<void *> inputPtrs_, outputPtrs_;
  cuda::cublasLtHandle_t blasLtHandle_ = nullptr;
  std::map<std::vector<int64_t>, std::unique_ptr<LtEntry>> ltCache_;
  cuda::cudnnHandle_t cudnnHandle_ = nullptr;
  std::map<std::array<int64_t, 19>, std::unique_ptr<ConvEntry>> convCache_;
  std::vector<FunctionGraph> graphs_;
  std::string error_;
};

} // namespace kiln::rt

#endif // KILN_RUNTIME_SRC_CUDA_CUDADEVICE_H
