//===- Module.cpp - load an artifact: check, dlopen, verify ---------------===//
//
// Loading order: open and stat the file; check the ELF structure against the
// file size (ElfCheck); dlopen; find the descriptor; check that every pointer
// it holds lies inside the object's own segments; parse the manifest; verify
// the weights checksum. Only then is the module handed out.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Module.h"
#include "runtime/src/ElfCheck.h"
#include "runtime/src/Status.h"
#include "runtime/src/support/Checksum.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

using namespace kiln;
using namespace kiln::rt;

namespace {

constexpr uint64_t kDefaultMaxFileSize = uint64_t{16} << 30;
/// More entry points than any model has; bounds the entry table check.
constexpr uint64_t kMaxEntries = 1u << 20;

/// A loaded segment of the artifact, as mapped in memory.
struct Segment {
  uintptr_t begin, end;
  bool executable;
};

struct FindSegments {
  const link_map *map;
  std::vector<Segment> segments;
};

/// Collects the PT_LOAD segments of the object `handle` refers to.
std::vector<Segment> loadedSegments(void *handle) {
  FindSegments find{nullptr, {}};
  link_map *map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map)
    return {};
  find.map = map;
  dl_iterate_phdr(
      [](dl_phdr_info *info, size_t, void *data) -> int {
        auto *f = static_cast<FindSegments *>(data);
        if (info->dlpi_addr != f->map->l_addr || !info->dlpi_name ||
            std::strcmp(info->dlpi_name, f->map->l_name) != 0)
          return 0;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr) &ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD)
            continue;
          uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
          f->segments.push_back(
              {begin, begin + ph.p_memsz, (ph.p_flags & PF_X) != 0});
        }
        return 1;
      },
      &find);
  return find.segments;
}

/// True when [p, p + size) lies inside one segment (executable if asked).
bool inSegments(const std::vector<Segment> &segments, const void *p,
                uint64_t size, bool executable = false) {
  auto begin = reinterpret_cast<uintptr_t>(p);
  for (const Segment &s : segments)
    if (begin >= s.begin && begin <= s.end && size <= s.end - begin &&
        (!executable || s.executable))
      return true;
  return false;
}

/// Owns a dlopen handle until released.
struct DlHandle {
  void *handle = nullptr;
  ~DlHandle() {
    if (handle)
      dlclose(handle);
  }
};

class Loader {
public:
  Loader(const char *path, uint64_t maxFileSize)
      : path(path), maxFileSize(maxFileSize) {}

  kiln_status_t load(kiln_module_t **outModule) {
    if (kiln_status_t s = checkFile())
      return s;
    DlHandle dl;
    // Without a slash, dlopen would search the library path instead.
    std::string openPath =
        path.find('/') == std::string::npos ? "./" + path : path;
    dl.handle = dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!dl.handle) {
      const char *why = dlerror();
      return fail(KILN_STATUS_INVALID_ARGUMENT,
                  std::string("cannot load the shared object: ") +
                      (why ? why : "unknown dlopen error"));
    }
    auto *artifact = static_cast<const kiln_artifact_t *>(
        dlsym(dl.handle, KILN_ARTIFACT_SYMBOL));
    if (!artifact)
      return fail(KILN_STATUS_INVALID_ARGUMENT,
                  "not a Kiln artifact: no symbol '" KILN_ARTIFACT_SYMBOL "'");
    segments = loadedSegments(dl.handle);
    if (kiln_status_t s = checkDescriptor(artifact))
      return s;

    auto *module = new (std::nothrow) kiln_module_t;
    if (!module)
      return fail(KILN_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    module->path = path;
    module->artifact = artifact;
    if (kiln_status_t s = checkManifest(*artifact, module->manifest)) {
      delete module;
      return s;
    }
    module->handle = dl.handle;
    dl.handle = nullptr;
    for (const ManifestFunction &fn : module->manifest.functions) {
      module->inputInfos.push_back(views(fn.inputs));
      module->outputInfos.push_back(views(fn.outputs));
      if (fn.arenaSize > module->maxArenaSize)
        module->maxArenaSize = fn.arenaSize;
    }
    *outModule = module;
    return nullptr;
  }

private:
  kiln_status_t fail(kiln_status_code_t code, const std::string &what) {
    return makeStatus(code, path + ": " + what);
  }

  kiln_status_t checkFile() {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      return fail(err == ENOENT || err == ENOTDIR
                      ? KILN_STATUS_NOT_FOUND
                      : KILN_STATUS_INVALID_ARGUMENT,
                  std::string("cannot open: ") + std::strerror(err));
    }
    struct stat st;
    kiln_status_t status = nullptr;
    std::string error;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      status = fail(KILN_STATUS_INVALID_ARGUMENT, "not a regular file");
    } else if (static_cast<uint64_t>(st.st_size) > maxFileSize) {
      status = fail(KILN_STATUS_INVALID_ARGUMENT,
                    "the file has " + std::to_string(st.st_size) +
                        " bytes, more than the limit of " +
                        std::to_string(maxFileSize));
    } else if (kiln_status_code_t code =
                   checkElfFile(fd, static_cast<uint64_t>(st.st_size), error)) {
      status = fail(code, error);
    }
    close(fd);
    return status;
  }

  /// The descriptor and every pointer in it must lie inside the artifact.
  kiln_status_t checkDescriptor(const kiln_artifact_t *a) {
    constexpr size_t kHeaderBytes = offsetof(kiln_artifact_t, manifest);
    if (!inSegments(segments, a, kHeaderBytes))
      return fail(KILN_STATUS_DATA_LOSS, "symbol '" KILN_ARTIFACT_SYMBOL
                                         "' lies outside the artifact");
    if (std::memcmp(a->magic, KILN_ARTIFACT_MAGIC, sizeof(a->magic)) != 0)
      return fail(KILN_STATUS_DATA_LOSS,
                  "bad artifact magic (expected \"" KILN_ARTIFACT_MAGIC "\")");
    if (a->abi_version != KILN_ARTIFACT_ABI_VERSION)
      return fail(KILN_STATUS_FAILED_PRECONDITION,
                  "artifact ABI version " + std::to_string(a->abi_version) +
                      ", runtime supports " +
                      std::to_string(KILN_ARTIFACT_ABI_VERSION));
    if (a->struct_size != sizeof(kiln_artifact_t) ||
        !inSegments(segments, a, sizeof(kiln_artifact_t)))
      return fail(KILN_STATUS_DATA_LOSS,
                  "artifact descriptor size " + std::to_string(a->struct_size) +
                      ", expected " + std::to_string(sizeof(kiln_artifact_t)));
    if (!a->manifest || !inSegments(segments, a->manifest, a->manifest_size))
      return fail(KILN_STATUS_DATA_LOSS,
                  "the manifest lies outside the artifact");
    if (a->weights_size > 0) {
      if (!a->weights || !inSegments(segments, a->weights, a->weights_size))
        return fail(KILN_STATUS_DATA_LOSS,
                    "the weights lie outside the artifact");
      if (reinterpret_cast<uintptr_t>(a->weights) % KILN_ARTIFACT_ALIGNMENT)
        return fail(KILN_STATUS_DATA_LOSS,
                    "the weights are not " +
                        std::to_string(KILN_ARTIFACT_ALIGNMENT) +
                        "-byte aligned");
    }
    if (a->device_code_size > 0 &&
        (!a->device_code ||
         !inSegments(segments, a->device_code, a->device_code_size)))
      return fail(KILN_STATUS_DATA_LOSS,
                  "the device code lies outside the artifact");
    if (a->num_entries > kMaxEntries ||
        (a->num_entries > 0 &&
         (!a->entries ||
          !inSegments(segments, a->entries,
                      a->num_entries * sizeof(kiln_entry_fn_t)))))
      return fail(KILN_STATUS_DATA_LOSS,
                  "the entry table lies outside the artifact");
    for (uint64_t i = 0; i < a->num_entries; ++i) {
      void *fn = reinterpret_cast<void *>(a->entries[i]);
      if (!fn || !inSegments(segments, fn, 1, /*executable=*/true))
        return fail(KILN_STATUS_DATA_LOSS,
                    "entry " + std::to_string(i) +
                        " does not point at code in the artifact");
    }
    return nullptr;
  }

  kiln_status_t checkManifest(const kiln_artifact_t &a, Manifest &manifest) {
    std::string error =
        parseManifest(a.manifest, a.manifest_size, a.num_entries, manifest);
    if (!error.empty())
      return fail(KILN_STATUS_DATA_LOSS, "corrupt manifest: " + error);
    if (manifest.weightsSize != a.weights_size)
      return fail(KILN_STATUS_DATA_LOSS,
                  "the manifest says " + std::to_string(manifest.weightsSize) +
                      " bytes of weights, the artifact holds " +
                      std::to_string(a.weights_size));
    if (checksum64(a.weights, a.weights_size) != manifest.weightsChecksum)
      return fail(KILN_STATUS_DATA_LOSS,
                  "weights checksum mismatch: artifact tampered or corrupt");
    if (manifest.deviceCodeSize != a.device_code_size)
      return fail(KILN_STATUS_DATA_LOSS,
                  "the manifest says " +
                      std::to_string(manifest.deviceCodeSize) +
                      " bytes of device code, the artifact holds " +
                      std::to_string(a.device_code_size));
    if (checksum64(a.device_code, a.device_code_size) !=
        manifest.deviceCodeChecksum)
      return fail(KILN_STATUS_DATA_LOSS,
                  "device code checksum mismatch: artifact tampered or "
                  "corrupt");
    if (manifest.device == "cuda" &&
        (a.device_code_size == 0 || a.device_code[a.device_code_size - 1] != 0))
      return fail(KILN_STATUS_DATA_LOSS,
                  "a cuda artifact whose device code is not NUL-terminated "
                  "PTX");
    return nullptr;
  }

  static std::vector<kiln_tensor_info_t>
  views(const std::vector<ManifestTensor> &tensors) {
    std::vector<kiln_tensor_info_t> out;
    out.reserve(tensors.size());
    for (const ManifestTensor &t : tensors)
      out.push_back({t.name.c_str(), t.dtype,
                     static_cast<uint32_t>(t.dims.size()), t.dims.data(),
                     t.elementCount, t.byteSize});
    return out;
  }

  std::string path;
  uint64_t maxFileSize;
  std::vector<Segment> segments;
};

} // namespace

kiln_module_t::~kiln_module_t() {
  if (handle)
    dlclose(handle);
}

void kiln_module_options_initialize(kiln_module_options_t *options) {
  if (options)
    options->max_file_size = kDefaultMaxFileSize;
}

kiln_status_t kiln_module_load_file(const char *path,
                                    const kiln_module_options_t *options,
                                    kiln_module_t **out_module) {
  if (!path || !out_module)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "kiln_module_load_file: path and out_module must not "
                      "be NULL");
  uint64_t maxFileSize = options && options->max_file_size
                             ? options->max_file_size
                             : kDefaultMaxFileSize;
  return Loader(path, maxFileSize).load(out_module);
}

void kiln_module_retain(kiln_module_t *module) {
  if (module)
    module->refs.fetch_add(1, std::memory_order_relaxed);
}

void kiln_module_release(kiln_module_t *module) {
  if (module && module->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete module;
}

const char *kiln_module_path(const kiln_module_t *module) {
  return module ? module->path.c_str() : "";
}

const char *kiln_module_producer(const kiln_module_t *module) {
  return module ? module->manifest.producer.c_str() : "";
}

const char *kiln_module_target_triple(const kiln_module_t *module) {
  return module ? module->manifest.targetTriple.c_str() : "";
}

const char *kiln_module_target_cpu(const kiln_module_t *module) {
  return module ? module->manifest.targetCpu.c_str() : "";
}

const char *kiln_module_device(const kiln_module_t *module) {
  return module ? module->manifest.device.c_str() : "";
}

const char *kiln_module_device_arch(const kiln_module_t *module) {
  return module ? module->manifest.deviceArch.c_str() : "";
}

uint64_t kiln_module_weights_size(const kiln_module_t *module) {
  return module ? module->manifest.weightsSize : 0;
}

size_t kiln_module_function_count(const kiln_module_t *module) {
  return module ? module->manifest.functions.size() : 0;
}

kiln_status_t kiln_module_function_info(const kiln_module_t *module,
                                        size_t index,
                                        kiln_function_info_t *out_info) {
  if (!module || !out_info)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "kiln_module_function_info: module and out_info must "
                      "not be NULL");
  if (index >= module->manifest.functions.size())
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      module->path + ": function index " +
                          std::to_string(index) + " is out of range (" +
                          std::to_string(module->manifest.functions.size()) +
                          " functions)");
  const ManifestFunction &fn = module->manifest.functions[index];
  out_info->name = fn.name.c_str();
  out_info->num_inputs = fn.inputs.size();
  out_info->inputs = module->inputInfos[index].data();
  out_info->num_outputs = fn.outputs.size();
  out_info->outputs = module->outputInfos[index].data();
  out_info->arena_size = fn.arenaSize;
  return nullptr;
}

kiln_status_t kiln_module_lookup_function(const kiln_module_t *module,
                                          const char *name, size_t *out_index) {
  if (!module || !name || !out_index)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "kiln_module_lookup_function: arguments must not be "
                      "NULL");
  const std::vector<ManifestFunction> &fns = module->manifest.functions;
  for (size_t i = 0; i < fns.size(); ++i) {
    if (fns[i].name == name) {
      *out_index = i;
      return nullptr;
    }
  }
  std::string message =
      module->path + ": no function named '" + name + "'; the module has:";
  for (const ManifestFunction &fn : fns)
    message += " '" + fn.name + "'";
  return makeStatus(KILN_STATUS_NOT_FOUND, message);
}

const char *kiln_dtype_name(kiln_dtype_t dtype) {
  return dtypeName(rawDtype(dtype));
}

size_t kiln_dtype_size(kiln_dtype_t dtype) {
  return dtypeSize(rawDtype(dtype));
}
