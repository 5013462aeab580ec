//===- ArtifactRunner.cpp - run a compiled artifact on .npy files ---------===//

#include "runtime/src/tools/ArtifactRunner.h"
#include "kiln/runtime.hpp"
#include "runtime/src/npy/Npy.h"
#include "runtime/src/tools/HostTensor.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>
#include <optional>

using namespace kiln;
using namespace kiln::tools;

namespace {

using Clock = std::chrono::steady_clock;

/// The npy dtype that stores a kiln dtype (bf16 is stored as f32).
std::optional<npy::DType> npyDtypeFor(kiln_dtype_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32:
  case KILN_DTYPE_BF16:
    return npy::DType::F32;
  case KILN_DTYPE_F64:
    return npy::DType::F64;
  case KILN_DTYPE_F16:
    return npy::DType::F16;
  case KILN_DTYPE_BOOL:
    return npy::DType::Bool;
  case KILN_DTYPE_I8:
    return npy::DType::I8;
  case KILN_DTYPE_I32:
    return npy::DType::I32;
  case KILN_DTYPE_I64:
    return npy::DType::I64;
  case KILN_DTYPE_INVALID:
    break;
  }
  return std::nullopt;
}

kiln_dtype_t kilnDtypeFor(npy::DType dtype) {
  switch (dtype) {
  case npy::DType::F32:
    return KILN_DTYPE_F32;
  case npy::DType::F64:
    return KILN_DTYPE_F64;
  case npy::DType::F16:
    return KILN_DTYPE_F16;
  case npy::DType::Bool:
    return KILN_DTYPE_BOOL;
  case npy::DType::I8:
    return KILN_DTYPE_I8;
  case npy::DType::I32:
    return KILN_DTYPE_I32;
  case npy::DType::I64:
    return KILN_DTYPE_I64;
  }
  return KILN_DTYPE_INVALID;
}

HostTensor specOf(const kiln_tensor_info_t &info) {
  HostTensor t;
  t.dtype = info.dtype;
  t.dims.assign(info.dims, info.dims + info.rank);
  return t;
}

/// The user-facing name of a manifest tensor: its name, else `<prefix><i>`.
std::string nameOf(const kiln_tensor_info_t &info, const char *prefix,
                   size_t i) {
  return info.name[0] ? info.name : prefix + std::to_string(i);
}

class Run {
public:
  Run(const RunOptions &options, std::FILE *out, std::FILE *err)
      : options(options), out(out), err(err) {}

  RunStatus run();

private:
  RunStatus error(const std::string &message) {
    std::fprintf(err, "error: %s\n", message.c_str());
    return RunStatus::InputError;
  }
  void print(const std::string &text) { std::fputs(text.c_str(), out); }

  bool pickFunction();
  bool bindInputs();
  /// Reads `path` as a tensor shaped like `spec`; `what` names it in errors.
  std::optional<HostTensor> readAs(const std::string &path,
                                   const HostTensor &spec,
                                   const std::string &what);
  bool writeOutputs();
  RunStatus compareOutputs();
  bool benchmark();

  const RunOptions &options;
  std::FILE *out, *err;
  Module module;
  std::optional<Session> session;
  size_t fnIndex = 0;
  kiln_function_info_t fn{};
  std::vector<std::string> inputNames, outputNames;
  std::vector<HostTensor> inputs, outputs;
  std::vector<kiln_tensor_t> inputViews, outputViews;
};

bool Run::pickFunction() {
  if (!options.function.empty()) {
    Result<size_t> index = module.lookup(options.function.c_str());
    if (!index.ok()) {
      error(index.status().message());
      return false;
    }
    fnIndex = *index;
  } else if (module.functionCount() == 0) {
    error(options.modelPath + ": the artifact has no functions");
    return false;
  }
  fn = *module.function(fnIndex);
  for (size_t i = 0; i < fn.num_inputs; ++i)
    inputNames.push_back(nameOf(fn.inputs[i], "arg", i));
  for (size_t i = 0; i < fn.num_outputs; ++i)
    outputNames.push_back(nameOf(fn.outputs[i], "result", i));
  return true;
}

std::optional<HostTensor> Run::readAs(const std::string &path,
                                      const HostTensor &spec,
                                      const std::string &what) {
  npy::ReadResult r = npy::readNpy(path);
  if (!r.ok()) {
    error(what + ": " + r.error);
    return std::nullopt;
  }
  npy::Array &a = *r.array;
  HostTensor t;
  t.dtype = kilnDtypeFor(a.dtype);
  t.dims = a.shape;
  bool bf16FromF32 = spec.dtype == KILN_DTYPE_BF16 && t.dtype == KILN_DTYPE_F32;
  if ((t.dtype != spec.dtype && !bf16FromF32) || t.dims != spec.dims) {
    error(what + " expects " + typeString(spec) +
          (spec.dtype == KILN_DTYPE_BF16 ? " (as f32)" : "") + " but " + path +
          " holds " + typeString(t));
    return std::nullopt;
  }
  t.data = std::move(a.data);
  if (bf16FromF32) {
    t.dtype = KILN_DTYPE_BF16;
    t.data = f32ToBf16(t.data);
  }
  return t;
}

bool Run::bindInputs() {
  std::string fnName = fn.name;
  std::vector<std::string> paths(fn.num_inputs);
  size_t next = 0;
  for (const std::string &spec : options.inputs) {
    auto [name, path] = splitBinding(spec);
    size_t slot;
    if (!name.empty()) {
      auto it = std::find(inputNames.begin(), inputNames.end(), name);
      if (it == inputNames.end()) {
        std::string message = "--input " + spec + ": function '" + fnName +
                              "' has no input named '" + name +
                              "'; its inputs are:";
        for (const std::string &n : inputNames)
          message += " '" + n + "'";
        error(message);
        return false;
      }
      slot = static_cast<size_t>(it - inputNames.begin());
    } else {
      while (next < paths.size() && !paths[next].empty())
        ++next;
      if (next == paths.size()) {
        error("--input " + spec + ": function '" + fnName + "' takes only " +
              std::to_string(paths.size()) + " input(s)");
        return false;
      }
      slot = next;
    }
    if (!paths[slot].empty()) {
      error("input '" + inputNames[slot] + "' is bound twice");
      return false;
    }
    paths[slot] = path;
  }
  for (size_t i = 0; i < fn.num_inputs; ++i) {
    HostTensor spec = specOf(fn.inputs[i]);
    if (paths[i].empty()) {
      error("no input for '" + inputNames[i] + "' (" + typeString(spec) +
            "); pass --input " + inputNames[i] + "=FILE.npy");
      return false;
    }
    std::optional<HostTensor> t =
        readAs(paths[i], spec,
               "function '" + fnName + "': input '" + inputNames[i] + "' (#" +
                   std::to_string(i) + ")");
    if (!t)
      return false;
    inputs.push_back(std::move(*t));
  }
  for (const HostTensor &t : inputs)
    inputViews.push_back({t.dtype, static_cast<uint32_t>(t.dims.size()),
                          t.dims.data(), const_cast<uint8_t *>(t.data.data()),
                          t.data.size()});
  return true;
}

bool Run::writeOutputs() {
  std::map<std::string, int> used;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const HostTensor &t = outputs[i];
    print("  " + outputNames[i] + ": " + typeString(t));
    if (!options.outputDir.empty()) {
      std::string base = fileNameFor(outputNames[i]);
      if (used[base]++)
        base += "_" + std::to_string(i);
      std::string path =
          (std::filesystem::path(options.outputDir) / (base + ".npy")).string();
      npy::Array array;
      array.dtype = *npyDtypeFor(t.dtype);
      array.shape = t.dims;
      if (t.dtype == KILN_DTYPE_BF16) {
        // NumPy has no bfloat16: write the (exact) f32 widening.
        array.data = bf16ToF32(t.data);
        print(" (written as f32)");
      } else {
        array.data = t.data;
      }
      std::string writeError = npy::writeNpy(path, array);
      if (!writeError.empty()) {
        print("\n");
        error(writeError);
        return false;
      }
      print(" -> " + path);
    }
    print("\n");
    if (options.printValues)
      print("    " + formatValues(t) + "\n");
  }
  return true;
}

RunStatus Run::compareOutputs() {
  bool allMatch = true;
  size_t next = 0;
  for (const std::string &spec : options.expected) {
    auto [name, path] = splitBinding(spec);
    size_t slot = next++;
    if (!name.empty()) {
      auto it = std::find(outputNames.begin(), outputNames.end(), name);
      if (it == outputNames.end())
        return error("--expect " + spec + ": no result named '" + name + "'");
      slot = static_cast<size_t>(it - outputNames.begin());
    }
    if (slot >= outputs.size())
      return error("--expect " + spec + ": the function has only " +
                   std::to_string(outputs.size()) + " result(s)");
    const HostTensor &got = outputs[slot];
    std::optional<HostTensor> want =
        readAs(path, got, "expected result '" + outputNames[slot] + "'");
    if (!want)
      return RunStatus::Mismatch;
    std::string report;
    allMatch &= compareTensors(outputNames[slot], got, *want, options.rtol,
                               options.atol, report);
    print(report);
  }
  return allMatch ? RunStatus::Ok : RunStatus::Mismatch;
}

/// The median of a sorted, non-empty list.
double medianOfSorted(const std::vector<double> &v) {
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool Run::benchmark() {
  // One run already happened; warm up a little more, then time each run.
  int warmups = std::clamp(options.benchmark / 10, 1, 3);
  for (int i = 0; i < warmups; ++i) {
    Status s = session->invoke(fnIndex, inputViews, outputViews);
    if (!s.ok()) {
      error(s.message());
      return false;
    }
  }
  std::vector<double> ms, deviceMs;
  ms.reserve(options.benchmark);
  for (int i = 0; i < options.benchmark; ++i) {
    auto start = Clock::now();
    Status s = session->invoke(fnIndex, inputViews, outputViews);
    auto stop = Clock::now();
    if (!s.ok()) {
      error(s.message());
      return false;
    }
    ms.push_back(
        std::chrono::duration<double, std::milli>(stop - start).count());
    if (session->deviceTimeMs() >= 0)
      deviceMs.push_back(session->deviceTimeMs());
  }
  std::sort(ms.begin(), ms.end());
  size_t n = ms.size();
  double median = medianOfSorted(ms);
  size_t p90Rank = static_cast<size_t>(std::ceil(0.9 * static_cast<double>(n)));
  double p90 = ms[std::max<size_t>(p90Rank, 1) - 1];
  int64_t batch =
      fn.num_inputs > 0 && fn.inputs[0].rank > 0 ? fn.inputs[0].dims[0] : 1;
  double throughput =
      median > 0 ? static_cast<double>(batch) * 1000.0 / median : 0.0;
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "benchmark: %d run(s) after %d warm-up(s), %d thread(s), "
                "batch %lld\n"
                "median_ms: %.4f\np90_ms: %.4f\nthroughput: %.1f "
                "inferences/s\n",
                options.benchmark, warmups, session->numThreads(),
                static_cast<long long>(batch), median, p90, throughput);
  print(buf);
  if (!deviceMs.empty()) {
    // The GPU's own time for the generated code, without the copies.
    std::sort(deviceMs.begin(), deviceMs.end());
    std::snprintf(buf, sizeof(buf), "device: %s\ndevice_median_ms: %.4f\n",
                  session->deviceName(), medianOfSorted(deviceMs));
    print(buf);
  }
  return true;
}

RunStatus Run::run() {
  if (options.threads < 0)
    return error("--threads must be >= 0 (0: one per core), got " +
                 std::to_string(options.threads));
  if (options.benchmark < 0)
    return error("--benchmark must be >= 0, got " +
                 std::to_string(options.benchmark));
  Result<Module> loaded = Module::load(options.modelPath.c_str());
  if (!loaded.ok())
    return error(loaded.status().message());
  module = *loaded;
  if (!pickFunction() || !bindInputs())
    return RunStatus::InputError;

  for (size_t i = 0; i < fn.num_outputs; ++i) {
    HostTensor t = specOf(fn.outputs[i]);
    try {
      t.data.resize(fn.outputs[i].byte_size);
    } catch (const std::bad_alloc &) {
      return error("cannot allocate " +
                   std::to_string(fn.outputs[i].byte_size) +
                   " bytes for output '" + outputNames[i] + "'");
    }
    outputs.push_back(std::move(t));
  }
  for (HostTensor &t : outputs)
    outputViews.push_back({t.dtype, static_cast<uint32_t>(t.dims.size()),
                           t.dims.data(), t.data.data(), t.data.size()});

  kiln_device_kind_t device = KILN_DEVICE_DEFAULT;
  int32_t ordinal = 0;
  if (options.device == "cpu") {
    device = KILN_DEVICE_CPU;
  } else if (options.device.rfind("cuda", 0) == 0) {
    device = KILN_DEVICE_CUDA;
    std::string rest = options.device.substr(4);
    if (!rest.empty()) {
      char *end = nullptr;
      long n = rest[0] == ':' ? std::strtol(rest.c_str() + 1, &end, 10) : -1;
      if (rest.size() < 2 || !end || *end || n < 0 || n > 1024)
        return error("--device must be cpu, cuda or cuda:N, got '" +
                     options.device + "'");
      ordinal = static_cast<int32_t>(n);
    }
  } else if (!options.device.empty()) {
    return error("--device must be cpu, cuda or cuda:N, got '" +
                 options.device + "'");
  }
  Result<Session> created =
      Session::create(module, options.threads, device, ordinal,
                      options.cudaGraphs);
  if (!created.ok())
    return error(created.status().message());
  session.emplace(std::move(*created));

  auto start = Clock::now();
  Status status = session->invoke(fnIndex, inputViews, outputViews);
  auto stop = Clock::now();
  if (!status.ok())
    return error(status.message());
  double ms = std::chrono::duration<double, std::milli>(stop - start).count();
  if (!options.outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.outputDir, ec);
    if (ec)
      return error("cannot create output directory '" + options.outputDir +
                   "': " + ec.message());
  }

  char buf[64];
  if (std::string(module.device()) == "cuda")
    std::snprintf(buf, sizeof(buf), "%.3f ms on %s\n", ms,
                  session->deviceName());
  else
    std::snprintf(buf, sizeof(buf), "%.3f ms on %d thread(s)\n", ms,
                  session->numThreads());
  print(std::string(fn.name) + ": " + std::to_string(fn.num_inputs) +
        " input(s), " + std::to_string(fn.num_outputs) + " result(s), ran in " +
        buf);
  if (!writeOutputs())
    return RunStatus::InputError;
  RunStatus result = compareOutputs();
  if (result != RunStatus::InputError && options.benchmark > 0 &&
      !benchmark())
    return RunStatus::InputError;
  return result;
}

} // namespace

RunStatus kiln::tools::runArtifact(const RunOptions &options,
                                           std::FILE *out, std::FILE *err) {
  return Run(options, out, err).run();
}

bool kiln::tools::isArtifactPath(const std::string &path) {
  if (path.size() >= 3 && path.compare(path.size() - 3, 3, ".so") == 0)
    return true;
  std::ifstream file(path, std::ios::binary);
  char magic[4] = {};
  return file.read(magic, 4) && std::memcmp(magic,
                                            "\x7f"
                                            "ELF",
                                            4) == 0;
}
