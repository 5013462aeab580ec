//===- HostTensor.h - a tensor in host memory: print, compare, convert ----===//
//
// The values side of kiln-run's artifact mode: a dense buffer with a kiln
// dtype and shape, printed the way the reference runner prints (Python-repr
// digits, NumPy-style summaries) and compared with the same tolerances.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_TOOLS_HOSTTENSOR_H
#define KILN_RUNTIME_SRC_TOOLS_HOSTTENSOR_H

#include "kiln/artifact_abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::tools {

struct HostTensor {
  kiln_dtype_t dtype = KILN_DTYPE_INVALID;
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;

  int64_t size() const { return static_cast<int64_t>(elementCount()); }
  uint64_t elementCount() const;
  bool isFloat() const;
  /// Element `k` as a double (exact for every float type and for integers
  /// up to 2^53).
  double getDouble(int64_t k) const;
  /// Element `k` of an integer or bool tensor.
  int64_t getInt(int64_t k) const;
};

/// "f32[4,8]".
std::string typeString(const HostTensor &t);

/// Prints `v` with the fewest significant digits that read back to the same
/// value of `dtype`'s precision, like Python's repr.
std::string formatFloat(double v, kiln_dtype_t dtype);

/// The values, nested by dimension; above 1000 elements each dimension shows
/// only its first and last three entries.
std::string formatValues(const HostTensor &t);

/// Compares `got` with `want` (same dtype and shape): floats within
/// atol + rtol * |want| (NaN equals NaN), integers exactly. Returns true when
/// all match; `report` gets the verdict line for output `name`.
bool compareTensors(const std::string &name, const HostTensor &got,
                    const HostTensor &want, double rtol, double atol,
                    std::string &report);

/// Rounds f32 values to bf16 (to nearest even).
std::vector<uint8_t> f32ToBf16(const std::vector<uint8_t> &f32);
/// Widens bf16 values to f32 (exact).
std::vector<uint8_t> bf16ToF32(const std::vector<uint8_t> &bf16);

} // namespace kiln::tools

#endif // KILN_RUNTIME_SRC_TOOLS_HOSTTENSOR_H
