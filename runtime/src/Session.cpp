//===- Session.cpp - kiln_session_t: arena, thread pool and invocation ----===//

#include "runtime/src/Module.h"
#include "runtime/src/Status.h"
#include "runtime/src/ThreadPool.h"
#include "runtime/src/cuda/ConvPlan.h"
#include "runtime/src/cuda/CudaDevice.h"
#include "runtime/src/cuda/MatmulPlan.h"

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <new>

using namespace kiln::rt;

namespace {
/// More threads than this is a mistake, not a machine.
constexpr int32_t kMaxThreads = 4096;
} // namespace

struct kiln_session_t {
  kiln_module_t *module = nullptr;
  void *arena = nullptr;
  ThreadPool pool;
  kiln_host_api_t host{};
  /// Pointer tables handed to the entry, sized for the largest function.
  std::vector<void *> inputPtrs, outputPtrs;
  /// The GPU of a cuda artifact's session (the arena is then on the device).
  std::unique_ptr<CudaDevice> cuda;
  /// CPU sessions: the first failure of the host's matmul or convolution
  /// during an invocation (host.device points here).
  std::string hostError;

  ~kiln_session_t() {
    cuda.reset();
    std::free(arena);
    kiln_module_release(module);
  }
};

namespace {

/// A device address of a --cuda-emulation artifact: host memory in a CPU
/// session.
float *hostFloats(uint64_t address) {
  return reinterpret_cast<float *>(static_cast<uintptr_t>(address));
}

/// kiln_host_api_t.matmul of CPU sessions: the cuBLASLt plan of the call,
/// run on the host (--cuda-emulation artifacts hand their matmuls to it).
void hostMatmul(void *device, const kiln_matmul_t *op) {
  auto *error = static_cast<std::string *>(device);
  if (!error->empty())
    return;
  LtMatmulPlan plan;
  *error = op ? planMatmul(*op, plan) : "a NULL matmul descriptor";
  if (!error->empty())
    return;
  runPlan<float>(plan, hostFloats(op->b), hostFloats(op->a),
                 op->bias ? hostFloats(op->bias) : nullptr, hostFloats(op->c));
}

/// kiln_host_api_t.conv of CPU sessions: the reference convolution
/// (--cuda-emulation artifacts hand their convolutions to it), after the
/// checks the CUDA device makes.
void hostConv(void *device, const kiln_conv_t *op) {
  auto *error = static_cast<std::string *>(device);
  if (!error->empty())
    return;
  CudnnConvPlan plan;
  *error = op ? planConv(*op, plan) : "a NULL convolution descriptor";
  if (!error->empty())
    return;
  referenceConv(*op, hostFloats(op->x), hostFloats(op->filter),
                op->bias ? hostFloats(op->bias) : nullptr, hostFloats(op->y));
}

/// Checks one caller tensor against the manifest; empty when it matches.
std::string checkTensor(const ManifestFunction &fn, const char *kind,
                        size_t index, const ManifestTensor &want,
                        const kiln_tensor_t &got) {
  std::string label = "function '" + fn.name + "': " + kind + " '" + want.name +
                      "' (#" + std::to_string(index) + ")";
  std::string wantType =
      typeString(want.dtype, want.dims.data(), want.dims.size());
  if (got.rank > 0 && !got.dims)
    return label + " expects " + wantType + ", got rank " +
           std::to_string(got.rank) + " with NULL dims";
  uint32_t gotDtype = rawDtype(got.dtype);
  bool sameType = gotDtype == want.dtype && got.rank == want.dims.size();
  for (uint32_t d = 0; sameType && d < got.rank; ++d)
    sameType = got.dims[d] == want.dims[d];
  if (!sameType) {
    std::string gotType = got.rank <= kMaxRank
                              ? typeString(gotDtype, got.dims, got.rank)
                              : "rank " + std::to_string(got.rank);
    return label + " expects " + wantType + ", got " + gotType;
  }
  if (got.byte_size != want.byteSize)
    return label + " expects " + wantType + " (" +
           std::to_string(want.byteSize) + " bytes), got a buffer of " +
           std::to_string(got.byte_size) + " bytes";
  if (!got.data && want.byteSize > 0)
    return label + " has NULL data";
  return "";
}

} // namespace

void kiln_session_options_initialize(kiln_session_options_t *options) {
  if (options) {
    options->num_threads = 0;
    options->device = KILN_DEVICE_DEFAULT;
    options->device_ordinal = 0;
    options->cuda_graphs = KILN_CUDA_GRAPHS_AUTO;
  }
}

kiln_status_t kiln_session_create(kiln_module_t *module,
                                  const kiln_session_options_t *options,
                                  kiln_session_t **out_session) {
  if (!module || !out_session)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "kiln_session_create: module and out_session must not "
                      "be NULL");
  int32_t threads = options ? options->num_threads : 0;
  if (threads < 0 || threads > kMaxThreads)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "num_threads " + std::to_string(threads) +
                          " is outside [0, " + std::to_string(kMaxThreads) +
                          "]");
  int32_t device = options ? static_cast<int32_t>(options->device) : 0;
  if (device < KILN_DEVICE_DEFAULT || device > KILN_DEVICE_CUDA)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "unknown device kind " + std::to_string(device));
  int32_t graphs = options ? options->cuda_graphs : KILN_CUDA_GRAPHS_AUTO;
  if (graphs != KILN_CUDA_GRAPHS_AUTO && graphs != KILN_CUDA_GRAPHS_ON &&
      graphs != KILN_CUDA_GRAPHS_OFF)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "cuda_graphs " + std::to_string(graphs) +
                          " is not a kiln_cuda_graphs_t (0 off, 1 on, 2 auto)");
  bool cudaArtifact = module->manifest.device == "cuda";
  if (device == KILN_DEVICE_CPU && cudaArtifact)
    return makeStatus(KILN_STATUS_FAILED_PRECONDITION,
                      module->path + ": compiled for cuda (" +
                          module->manifest.deviceArch +
                          "); it cannot run on the cpu device (recompile "
                          "with --target=cpu)");
  if (device == KILN_DEVICE_CUDA && !cudaArtifact)
    return makeStatus(KILN_STATUS_FAILED_PRECONDITION,
                      module->path + ": compiled for the cpu; it cannot run "
                                     "on the cuda device (recompile with "
                                     "--target=cuda)");
  if (cudaArtifact)
    threads = 1; // the calling thread drives the GPU
  if (threads == 0) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    threads = online < 1             ? 1
              : online > kMaxThreads ? kMaxThreads
                                     : static_cast<int32_t>(online);
  }

  auto *session = new (std::nothrow) kiln_session_t;
  if (!session)
    return makeStatus(KILN_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  kiln_module_retain(module);
  session->module = module;
  if (cudaArtifact) {
    int32_t ordinal = options ? options->device_ordinal : 0;
    if (kiln_status_t status = CudaDevice::open(
            *module, ordinal, static_cast<kiln_cuda_graphs_t>(graphs),
            session->cuda)) {
      delete session;
      return status;
    }
  }
  // Every function gets a valid, aligned arena, even when it needs none (a
  // cuda session's arena is on the device; this one stays minimal).
  uint64_t arenaBytes = module->maxArenaSize > 0 && !cudaArtifact
                            ? module->maxArenaSize
                            : KILN_ARTIFACT_ALIGNMENT;
  arenaBytes = (arenaBytes + KILN_ARTIFACT_ALIGNMENT - 1) /
               KILN_ARTIFACT_ALIGNMENT * KILN_ARTIFACT_ALIGNMENT;
  if ((!cudaArtifact && arenaBytes < module->maxArenaSize) ||
      posix_memalign(&session->arena, KILN_ARTIFACT_ALIGNMENT,
                     static_cast<size_t>(arenaBytes)) != 0) {
    session->arena = nullptr;
    delete session;
    return makeStatus(KILN_STATUS_RESOURCE_EXHAUSTED,
                      module->path + ": cannot allocate an arena of " +
                          std::to_string(module->maxArenaSize) + " bytes");
  }
  std::string error = session->pool.start(threads);
  if (!error.empty()) {
    delete session;
    return makeStatus(KILN_STATUS_RESOURCE_EXHAUSTED, error);
  }
  size_t maxInputs = 0, maxOutputs = 0;
  for (const ManifestFunction &fn : module->manifest.functions) {
    maxInputs = fn.inputs.size() > maxInputs ? fn.inputs.size() : maxInputs;
    maxOutputs =
        fn.outputs.size() > maxOutputs ? fn.outputs.size() : maxOutputs;
  }
  session->inputPtrs.resize(maxInputs);
  session->outputPtrs.resize(maxOutputs);
  session->host.abi_version = KILN_ARTIFACT_ABI_VERSION;
  session->host.num_threads = session->pool.numThreads();
  session->host.pool = &session->pool;
  session->host.parallel_for = &ThreadPool::hostParallelFor;
  if (session->cuda) {
    session->cuda->bind(session->host);
  } else {
    session->host.device = &session->hostError;
    session->host.matmul = &hostMatmul;
    session->host.conv = &hostConv;
  }
  *out_session = session;
  return nullptr;
}

void kiln_session_release(kiln_session_t *session) { delete session; }

kiln_module_t *kiln_session_module(const kiln_session_t *session) {
  return session ? session->module : nullptr;
}

int32_t kiln_session_num_threads(const kiln_session_t *session) {
  return session ? session->host.num_threads : 0;
}

const char *kiln_session_device_name(const kiln_session_t *session) {
  if (!session)
    return "";
  return session->cuda ? session->cuda->description().c_str() : "cpu";
}

double kiln_session_device_time_ms(const kiln_session_t *session) {
  return session && session->cuda ? session->cuda->lastDeviceMs() : -1.0;
}

kiln_status_t kiln_session_invoke(kiln_session_t *session,
                                  size_t function_index,
                                  const kiln_tensor_t *inputs,
                                  size_t num_inputs, kiln_tensor_t *outputs,
                                  size_t num_outputs) {
  if (!session)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "kiln_session_invoke: session must not be NULL");
  const kiln_module_t &module = *session->module;
  const std::vector<ManifestFunction> &fns = module.manifest.functions;
  if (function_index >= fns.size())
    return makeStatus(
        KILN_STATUS_INVALID_ARGUMENT,
        module.path + ": function index " + std::to_string(function_index) +
            " is out of range (" + std::to_string(fns.size()) + " functions)");
  const ManifestFunction &fn = fns[function_index];
  if (num_inputs != fn.inputs.size() || num_outputs != fn.outputs.size())
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "function '" + fn.name + "' takes " +
                          std::to_string(fn.inputs.size()) + " input(s) and " +
                          std::to_string(fn.outputs.size()) +
                          " output(s), got " + std::to_string(num_inputs) +
                          " and " + std::to_string(num_outputs));
  if ((num_inputs && !inputs) || (num_outputs && !outputs))
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "function '" + fn.name +
                          "': the input or output array is NULL");
  for (size_t i = 0; i < num_inputs; ++i) {
    std::string error = checkTensor(fn, "input", i, fn.inputs[i], inputs[i]);
    if (!error.empty())
      return makeStatus(KILN_STATUS_INVALID_ARGUMENT, error);
    session->inputPtrs[i] = inputs[i].data;
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    std::string error = checkTensor(fn, "output", i, fn.outputs[i], outputs[i]);
    if (!error.empty())
      return makeStatus(KILN_STATUS_INVALID_ARGUMENT, error);
    session->outputPtrs[i] = outputs[i].data;
  }
  kiln_entry_fn_t entry = module.artifact->entries[fn.entryIndex];
  if (session->cuda)
    return session->cuda->invoke(function_index, fn, entry, inputs, outputs,
                                 session->host);
  session->hostError.clear();
  int32_t code =
      entry(session->inputPtrs.data(), session->outputPtrs.data(),
            session->arena, module.artifact->weights, &session->host);
  if (!session->hostError.empty())
    return makeStatus(KILN_STATUS_INTERNAL,
                      module.path + ": function '" + fn.name +
                          "': " + session->hostError);
  if (code != 0)
    return makeStatus(KILN_STATUS_INTERNAL,
                      module.path + ": function '" + fn.name +
                          "' failed with code " + std::to_string(code));
  return nullptr;
}
