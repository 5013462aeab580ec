//===- Module.h - kiln_module_t: a loaded and verified artifact -----------===//

#ifndef KILN_RUNTIME_SRC_MODULE_H
#define KILN_RUNTIME_SRC_MODULE_H

#include "kiln/runtime.h"
#include "runtime/src/Manifest.h"

#include <atomic>
#include <string>
#include <vector>

/// Immutable once kiln_module_load_file returns it; views below point into
/// `manifest`, which never moves.
struct kiln_module_t {
  std::atomic<int> refs{1};
  std::string path;
  void *handle = nullptr; // from dlopen
  const kiln_artifact_t *artifact = nullptr;
  kiln::rt::Manifest manifest;
  /// C views of manifest.functions[i]'s inputs and outputs.
  std::vector<std::vector<kiln_tensor_info_t>> inputInfos, outputInfos;
  /// The largest arena over all functions.
  uint64_t maxArenaSize = 0;

  ~kiln_module_t();
};

#endif // KILN_RUNTIME_SRC_MODULE_H
