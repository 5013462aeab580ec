//===- runtime.hpp - C++17 RAII wrappers over the Kiln runtime C API ------===//
//
// Header-only and exception-free: fallible calls return a kiln::Status or a
// kiln::Result<T> (a value or a Status).
//
//   auto module = kiln::Module::load("model.so");
//   if (!module.ok()) { puts(module.status().message()); return 2; }
//   auto session = kiln::Session::create(*module, /*numThreads=*/4);
//   kiln::Status s = session->invoke(0, inputs, outputs);
//
// Thread-safety is that of the C types (kiln/runtime.h): a Module may be
// shared by threads, a Session is used by one thread at a time.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_HPP
#define KILN_RUNTIME_HPP

#include "kiln/runtime.h"

#include <optional>
#include <utility>
#include <vector>

namespace kiln {

/// Owns a kiln_status_t; a default-constructed Status is OK.
class Status {
public:
  Status() = default;
  explicit Status(kiln_status_t status) : status_(status) {}
  Status(Status &&other) noexcept : status_(other.release()) {}
  Status &operator=(Status &&other) noexcept {
    if (this != &other) {
      kiln_status_free(status_);
      status_ = other.release();
    }
    return *this;
  }
  Status(const Status &) = delete;
  Status &operator=(const Status &) = delete;
  ~Status() { kiln_status_free(status_); }

  bool ok() const { return status_ == nullptr; }
  kiln_status_code_t code() const { return kiln_status_code(status_); }
  /// "OK" when ok().
  const char *message() const { return kiln_status_message(status_); }
  /// Hands the C status to the caller, leaving this one OK.
  kiln_status_t release() { return std::exchange(status_, nullptr); }

private:
  kiln_status_t status_ = nullptr;
};

/// A T, or the Status saying why there is none.
template <typename T> class Result {
public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {}

  bool ok() const { return value_.has_value(); }
  const Status &status() const { return status_; }
  /// Only when ok().
  T &value() { return *value_; }
  const T &value() const { return *value_; }
  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }

private:
  std::optional<T> value_;
  Status status_;
};

/// A loaded artifact; copies share it (reference counted).
class Module {
public:
  static Result<Module> load(const char *path,
                             const kiln_module_options_t *options = nullptr) {
    kiln_module_t *module = nullptr;
    if (kiln_status_t s = kiln_module_load_file(path, options, &module))
      return Status(s);
    return Module(module);
  }

  Module() = default;
  Module(const Module &other) : module_(other.module_) {
    kiln_module_retain(module_);
  }
  Module &operator=(const Module &other) {
    kiln_module_retain(other.module_);
    kiln_module_release(module_);
    module_ = other.module_;
    return *this;
  }
  Module(Module &&other) noexcept
      : module_(std::exchange(other.module_, nullptr)) {}
  Module &operator=(Module &&other) noexcept {
    if (this != &other) {
      kiln_module_release(module_);
      module_ = std::exchange(other.module_, nullptr);
    }
    return *this;
  }
  ~Module() { kiln_module_release(module_); }

  kiln_module_t *get() const { return module_; }
  const char *path() const { return kiln_module_path(module_); }
  const char *targetTriple() const {
    return kiln_module_target_triple(module_);
  }
  const char *targetCpu() const { return kiln_module_target_cpu(module_); }
  /// "cpu" or "cuda".
  const char *device() const { return kiln_module_device(module_); }
  const char *producer() const { return kiln_module_producer(module_); }
  size_t functionCount() const { return kiln_module_function_count(module_); }

  Result<kiln_function_info_t> function(size_t index) const {
    kiln_function_info_t info;
    if (kiln_status_t s = kiln_module_function_info(module_, index, &info))
      return Status(s);
    return info;
  }
  Result<size_t> lookup(const char *name) const {
    size_t index = 0;
    if (kiln_status_t s = kiln_module_lookup_function(module_, name, &index))
      return Status(s);
    return index;
  }

private:
  explicit Module(kiln_module_t *module) : module_(module) {}
  kiln_module_t *module_ = nullptr;
};

/// An arena and thread pool for one module; movable, not copyable.
class Session {
public:
  /// numThreads 0: one per hardware thread; device: the artifact's by
  /// default.
  static Result<Session>
  create(const Module &module, int32_t numThreads = 0,
         kiln_device_kind_t device = KILN_DEVICE_DEFAULT,
         int32_t deviceOrdinal = 0,
         kiln_cuda_graphs_t cudaGraphs = KILN_CUDA_GRAPHS_AUTO) {
    kiln_session_options_t options;
    kiln_session_options_initialize(&options);
    options.num_threads = numThreads;
    options.device = device;
    options.device_ordinal = deviceOrdinal;
    options.cuda_graphs = cudaGraphs;
    kiln_session_t *session = nullptr;
    if (kiln_status_t s = kiln_session_create(module.get(), &options, &session))
      return Status(s);
    return Session(session);
  }

  Session(Session &&other) noexcept
      : session_(std::exchange(other.session_, nullptr)) {}
  Session &operator=(Session &&other) noexcept {
    if (this != &other) {
      kiln_session_release(session_);
      session_ = std::exchange(other.session_, nullptr);
    }
    return *this;
  }
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;
  ~Session() { kiln_session_release(session_); }

  kiln_session_t *get() const { return session_; }
  int32_t numThreads() const { return kiln_session_num_threads(session_); }
  /// "cpu", or the GPU's name and architecture.
  const char *deviceName() const { return kiln_session_device_name(session_); }
  /// The last invocation's GPU time in ms (negative on the CPU).
  double deviceTimeMs() const { return kiln_session_device_time_ms(session_); }

  Status invoke(size_t function, const kiln_tensor_t *inputs, size_t numInputs,
                kiln_tensor_t *outputs, size_t numOutputs) {
    return Status(kiln_session_invoke(session_, function, inputs, numInputs,
                                      outputs, numOutputs));
  }
  Status invoke(size_t function, const std::vector<kiln_tensor_t> &inputs,
                std::vector<kiln_tensor_t> &outputs) {
    return invoke(function, inputs.data(), inputs.size(), outputs.data(),
                  outputs.size());
  }

private:
  explicit Session(kiln_session_t *session) : session_(session) {}
  kiln_session_t *session_ = nullptr;
};

} // namespace kiln

#endif // KILN_RUNTIME_HPP
