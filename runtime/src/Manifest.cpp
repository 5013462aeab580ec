//===- Manifest.cpp - parse and bounds-check the artifact manifest --------===//

#include "runtime/src/Manifest.h"

#include <cstring>
#include <set>

using namespace kiln::rt;

namespace {

/// Smallest encodings, used to bound counts before reserving memory.
constexpr size_t kMinTensorBytes = 4 + 4 + 4;           // name, dtype, rank
constexpr size_t kMinFunctionBytes = 4 + 4 + 8 + 4 + 4; // name .. #outputs

/// Reads little-endian values from an untrusted buffer; the first failed
/// read records an error and every later read fails too.
class Reader {
public:
  Reader(const uint8_t *data, size_t size) : data(data), size(size) {}

  bool u32(uint32_t &v, const char *what) { return fixed(&v, 4, what); }
  bool u64(uint64_t &v, const char *what) { return fixed(&v, 8, what); }
  bool i64(int64_t &v, const char *what) { return fixed(&v, 8, what); }

  bool str(std::string &s, const std::string &what) {
    uint32_t length;
    if (!u32(length, what.c_str()))
      return false;
    if (length > remaining())
      return fail(what + " claims " + std::to_string(length) +
                  " bytes but only " + std::to_string(remaining()) + " remain");
    s.assign(reinterpret_cast<const char *>(data + offset), length);
    if (s.find('\0') != std::string::npos)
      return fail(what + " contains a NUL byte");
    offset += length;
    return true;
  }

  /// Checks that `count` items of at least `minBytes` each can still follow.
  bool plausibleCount(uint64_t count, size_t minBytes, const char *what) {
    if (count > remaining() / minBytes)
      return fail(std::string(what) + " count " + std::to_string(count) +
                  " cannot fit in the " + std::to_string(remaining()) +
                  " remaining bytes");
    return true;
  }

  bool fail(const std::string &message) {
    if (error.empty())
      error = "manifest byte " + std::to_string(offset) + ": " + message;
    return false;
  }

  size_t remaining() const { return size - offset; }
  size_t position() const { return offset; }
  std::string error;

private:
  bool fixed(void *out, size_t bytes, const char *what) {
    if (!error.empty())
      return false;
    if (remaining() < bytes)
      return fail(std::string("truncated while reading ") + what);
    std::memcpy(out, data + offset, bytes); // little-endian hosts only
    offset += bytes;
    return true;
  }

  const uint8_t *data;
  size_t size;
  size_t offset = 0;
};

bool isValidDtype(uint32_t v) {
  return v >= KILN_DTYPE_F32 && v <= KILN_DTYPE_I64;
}

bool parseTensor(Reader &r, const std::string &what, ManifestTensor &t) {
  uint32_t dtype, rank;
  if (!r.str(t.name, what + " name") || !r.u32(dtype, "a tensor dtype") ||
      !r.u32(rank, "a tensor rank"))
    return false;
  std::string label = what + " '" + t.name + "'";
  if (!isValidDtype(dtype))
    return r.fail(label + " has unknown dtype " + std::to_string(dtype));
  if (rank > kMaxRank)
    return r.fail(label + " has rank " + std::to_string(rank) + ", more than " +
                  std::to_string(kMaxRank));
  t.dtype = static_cast<kiln_dtype_t>(dtype);
  t.dims.resize(rank);
  uint64_t count = 1;
  bool overflow = false;
  for (uint32_t d = 0; d < rank; ++d) {
    if (!r.i64(t.dims[d], "a tensor dimension"))
      return false;
    if (t.dims[d] < 0)
      return r.fail(label + " has negative dimension " +
                    std::to_string(t.dims[d]));
    overflow |=
        __builtin_mul_overflow(count, static_cast<uint64_t>(t.dims[d]), &count);
  }
  uint64_t bytes = 0;
  if (overflow || count > static_cast<uint64_t>(INT64_MAX) ||
      __builtin_mul_overflow(count, dtypeSize(t.dtype), &bytes) ||
      bytes > static_cast<uint64_t>(INT64_MAX))
    return r.fail(label + " of type " +
                  typeString(t.dtype, t.dims.data(), rank) +
                  " has a byte size that overflows 64 bits");
  t.elementCount = count;
  t.byteSize = bytes;
  return true;
}

bool parseTensors(Reader &r, const std::string &fnLabel, const char *kind,
                  std::vector<ManifestTensor> &out) {
  uint32_t count;
  if (!r.u32(count, "a tensor count") ||
      !r.plausibleCount(count, kMinTensorBytes, kind))
    return false;
  out.resize(count);
  std::set<std::string> seen;
  for (uint32_t i = 0; i < count; ++i) {
    std::string what = fnLabel + " " + kind + " #" + std::to_string(i);
    if (!parseTensor(r, what, out[i]))
      return false;
    if (!out[i].name.empty() && !seen.insert(out[i].name).second)
      return r.fail(fnLabel + " has two " + kind + "s named '" + out[i].name +
                    "'");
  }
  return true;
}

} // namespace

std::string kiln::rt::parseManifest(const uint8_t *data, size_t size,
                                    uint64_t numEntries, Manifest &out) {
  Reader r(data, size);
  uint32_t magic;
  if (!r.u32(magic, "the magic"))
    return r.error;
  if (std::memcmp(&magic, KILN_MANIFEST_MAGIC, 4) != 0) {
    r.fail("bad magic (expected \"" KILN_MANIFEST_MAGIC "\")");
    return r.error;
  }
  if (!r.u32(out.formatVersion, "the format version"))
    return r.error;
  if (out.formatVersion != 2 && out.formatVersion != 3) {
    r.fail("manifest format version " + std::to_string(out.formatVersion) +
           ", this runtime reads 2 and 3");
    return r.error;
  }
  uint32_t numFunctions, numKernels;
  if (!r.str(out.producer, "the producer") ||
      !r.str(out.targetTriple, "the target triple") ||
      !r.str(out.targetCpu, "the target cpu") ||
      !r.str(out.device, "the device") ||
      !r.str(out.deviceArch, "the device architecture") ||
      !r.u64(out.deviceCodeSize, "the device code size") ||
      !r.u64(out.deviceCodeChecksum, "the device code checksum") ||
      !r.u32(numKernels, "the kernel count") ||
      !r.plausibleCount(numKernels, 4, "kernel"))
    return r.error;
  if (out.device != "cpu" && out.device != "cuda") {
    r.fail("unknown device '" + out.device + "' (expected cpu or cuda)");
    return r.error;
  }
  if (out.device == "cpu" && (numKernels != 0 || out.deviceCodeSize != 0)) {
    r.fail("a cpu artifact with device code");
    return r.error;
  }
  out.kernels.resize(numKernels);
  for (uint32_t k = 0; k < numKernels; ++k) {
    if (!r.str(out.kernels[k], "kernel #" + std::to_string(k) + " name"))
      return r.error;
    if (out.kernels[k].empty()) {
      r.fail("kernel #" + std::to_string(k) + " has an empty name");
      return r.error;
    }
  }
  if (!r.u64(out.weightsSize, "the weights size") ||
      !r.u64(out.weightsChecksum, "the weights checksum") ||
      !r.u32(numFunctions, "the function count") ||
      !r.plausibleCount(numFunctions, kMinFunctionBytes, "function"))
    return r.error;
  out.functions.resize(numFunctions);
  std::set<std::string> names;
  for (uint32_t f = 0; f < numFunctions; ++f) {
    ManifestFunction &fn = out.functions[f];
    std::string what = "function #" + std::to_string(f);
    if (!r.str(fn.name, what + " name"))
      return r.error;
    if (fn.name.empty()) {
      r.fail(what + " has an empty name");
      return r.error;
    }
    if (!names.insert(fn.name).second) {
      r.fail("two functions are named '" + fn.name + "'");
      return r.error;
    }
    std::string label = "function '" + fn.name + "'";
    if (!r.u32(fn.entryIndex, "an entry index"))
      return r.error;
    if (fn.entryIndex >= numEntries) {
      r.fail(label + " has entry index " + std::to_string(fn.entryIndex) +
             " but the artifact has " + std::to_string(numEntries) +
             " entries");
      return r.error;
    }
    if (!r.u64(fn.arenaSize, "an arena size") ||
        (out.formatVersion >= 3 &&
         !r.u64(fn.deviceCalls, "a device call count")) ||
        !parseTensors(r, label, "input", fn.inputs) ||
        !parseTensors(r, label, "output", fn.outputs))
      return r.error;
  }
  if (r.remaining() != 0)
    r.fail(std::to_string(r.remaining()) +
           " trailing bytes after the last function");
  return r.error;
}

const char *kiln::rt::dtypeName(uint32_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    return "f32";
  case KILN_DTYPE_F64:
    return "f64";
  case KILN_DTYPE_F16:
    return "f16";
  case KILN_DTYPE_BF16:
    return "bf16";
  case KILN_DTYPE_BOOL:
    return "bool";
  case KILN_DTYPE_I8:
    return "i8";
  case KILN_DTYPE_I32:
    return "i32";
  case KILN_DTYPE_I64:
    return "i64";
  default:
    return "invalid";
  }
}

size_t kiln::rt::dtypeSize(uint32_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_F64:
  case KILN_DTYPE_I64:
    return 8;
  case KILN_DTYPE_F32:
  case KILN_DTYPE_I32:
    return 4;
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
    return 2;
  case KILN_DTYPE_BOOL:
  case KILN_DTYPE_I8:
    return 1;
  default:
    return 0;
  }
}

std::string kiln::rt::typeString(uint32_t dtype, const int64_t *dims,
                                 size_t rank) {
  std::string s = dtypeName(dtype);
  s += '[';
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      s += ',';
    s += std::to_string(dims[i]);
  }
  s += ']';
  return s;
}
