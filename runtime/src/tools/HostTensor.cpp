//===- HostTensor.cpp - print, compare and convert host tensors -----------===//

#include "runtime/src/tools/HostTensor.h"
#include "runtime/src/tools/RunSupport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

using namespace kiln::tools;

namespace {

template <typename T> T load(const std::vector<uint8_t> &data, int64_t k) {
  T v;
  std::memcpy(&v, data.data() + k * sizeof(T), sizeof(T));
  return v;
}

double halfToDouble(uint16_t h) {
  int exponent = (h >> 10) & 0x1f;
  int mantissa = h & 0x3ff;
  double v;
  if (exponent == 0)
    v = std::ldexp(mantissa, -24);
  else if (exponent == 31)
    v = mantissa ? NAN : INFINITY;
  else
    v = std::ldexp(mantissa | 0x400, exponent - 25);
  return (h & 0x8000) ? -v : v;
}

double bf16ToDouble(uint16_t b) {
  uint32_t bits = uint32_t{b} << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// Rounds finite `v` to a binary float with `mantissaBits` explicit bits and
/// smallest normal exponent `minExponent`, to nearest even; beyond
/// `maxFinite` gives infinity.
double roundToFormat(double v, int mantissaBits, int minExponent,
                     double maxFinite) {
  if (!std::isfinite(v) || v == 0)
    return v;
  double a = std::fabs(v);
  int exponent;
  std::frexp(a, &exponent); // a = m * 2^exponent, m in [0.5, 1)
  int leading = std::max(exponent - 1, minExponent);
  double ulp = std::ldexp(1.0, leading - mantissaBits);
  double q = std::nearbyint(a / ulp) * ulp;
  if (q > maxFinite)
    q = INFINITY;
  return v < 0 ? -q : q;
}

double roundToDtype(kiln_dtype_t dtype, double v) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    return static_cast<float>(v);
  case KILN_DTYPE_F16:
    return roundToFormat(v, 10, -14, 65504.0);
  case KILN_DTYPE_BF16:
    return roundToFormat(v, 7, -126, 3.3895313892515355e38);
  default:
    return v;
  }
}

std::string indexString(const std::vector<int64_t> &idx) {
  std::string s = "[";
  for (size_t i = 0; i < idx.size(); ++i)
    s += (i ? ", " : "") + std::to_string(idx[i]);
  return s + "]";
}

} // namespace

uint64_t HostTensor::elementCount() const {
  uint64_t n = 1;
  for (int64_t d : dims)
    n *= static_cast<uint64_t>(d);
  return n;
}

bool HostTensor::isFloat() const {
  return dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F64 ||
         dtype == KILN_DTYPE_F16 || dtype == KILN_DTYPE_BF16;
}

double HostTensor::getDouble(int64_t k) const {
  switch (dtype) {
  case KILN_DTYPE_F32:
    return load<float>(data, k);
  case KILN_DTYPE_F64:
    return load<double>(data, k);
  case KILN_DTYPE_F16:
    return halfToDouble(load<uint16_t>(data, k));
  case KILN_DTYPE_BF16:
    return bf16ToDouble(load<uint16_t>(data, k));
  default:
    return static_cast<double>(getInt(k));
  }
}

int64_t HostTensor::getInt(int64_t k) const {
  switch (dtype) {
  case KILN_DTYPE_BOOL:
    return load<uint8_t>(data, k) != 0;
  case KILN_DTYPE_I8:
    return load<int8_t>(data, k);
  case KILN_DTYPE_I32:
    return load<int32_t>(data, k);
  case KILN_DTYPE_I64:
    return load<int64_t>(data, k);
  default:
    return isFloat() ? static_cast<int64_t>(getDouble(k)) : 0;
  }
}

std::string kiln::tools::typeString(const HostTensor &t) {
  static const char *const names[] = {"invalid", "f32", "f64", "f16", "bf16",
                                      "bool",    "i8",  "i32", "i64"};
  unsigned d = static_cast<unsigned>(t.dtype);
  std::string s = d < 9 ? names[d] : "invalid";
  s += "[";
  for (size_t i = 0; i < t.dims.size(); ++i)
    s += (i ? "," : "") + std::to_string(t.dims[i]);
  return s + "]";
}

std::string kiln::tools::formatFloat(double v, kiln_dtype_t dtype) {
  return formatFloat(v, [dtype](double x) { return roundToDtype(dtype, x); });
}

std::string kiln::tools::formatValues(const HostTensor &t) {
  constexpr int64_t kEdge = 3, kFull = 1000;
  bool summarize = t.size() > kFull;
  const std::vector<int64_t> &shape = t.dims;
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    strides[i - 1] = strides[i] * shape[i];
  std::string os;
  std::function<void(size_t, int64_t)> rec = [&](size_t dim, int64_t base) {
    if (dim == shape.size()) {
      if (t.isFloat())
        os += formatFloat(t.getDouble(base), t.dtype);
      else if (t.dtype == KILN_DTYPE_BOOL)
        os += t.getInt(base) ? "true" : "false";
      else
        os += std::to_string(t.getInt(base));
      return;
    }
    os += "[";
    for (int64_t i = 0; i < shape[dim]; ++i) {
      if (summarize && shape[dim] > 2 * kEdge && i == kEdge) {
        os += "..., ";
        i = shape[dim] - kEdge;
      }
      if (i > 0)
        os += ", ";
      rec(dim + 1, base + i * strides[dim]);
    }
    os += "]";
  };
  rec(0, 0);
  return os;
}

bool kiln::tools::compareTensors(const std::string &name, const HostTensor &got,
                                 const HostTensor &want, double rtol,
                                 double atol, std::string &report) {
  int64_t bad = 0, first = -1;
  double worst = 0.0;
  for (int64_t k = 0, n = got.size(); k < n; ++k) {
    bool ok;
    if (got.isFloat()) {
      double g = got.getDouble(k), w = want.getDouble(k);
      ok = (std::isnan(g) && std::isnan(w)) || g == w ||
           std::fabs(g - w) <= atol + rtol * std::fabs(w);
      if (!std::isnan(g) && !std::isnan(w))
        worst = std::max(worst, std::fabs(g - w));
    } else {
      ok = got.getInt(k) == want.getInt(k);
    }
    if (!ok && bad++ == 0)
      first = k;
  }
  char buf[64];
  if (bad == 0) {
    std::snprintf(buf, sizeof(buf), "%.3g", worst);
    report = "  " + name + ": matches expected (max |diff| " + buf + ")\n";
    return true;
  }
  std::vector<int64_t> idx(got.dims.size());
  int64_t rest = first;
  for (size_t i = got.dims.size(); i-- > 0;) {
    int64_t d = got.dims[i] > 0 ? got.dims[i] : 1;
    idx[i] = rest % d;
    rest /= d;
  }
  // Integers print exactly through f64 formatting.
  kiln_dtype_t printType = got.isFloat() ? got.dtype : KILN_DTYPE_F64;
  report = "  " + name + ": MISMATCH in " + std::to_string(bad) + " of " +
           std::to_string(got.size()) + " elements; first at " +
           indexString(idx) + ": got " +
           formatFloat(got.getDouble(first), printType) + ", expected " +
           formatFloat(want.getDouble(first), printType);
  std::snprintf(buf, sizeof(buf), " (rtol %g, atol %g)\n", rtol, atol);
  report += buf;
  return false;
}

std::vector<uint8_t> kiln::tools::f32ToBf16(const std::vector<uint8_t> &f32) {
  std::vector<uint8_t> out(f32.size() / 2);
  for (size_t k = 0; k < f32.size() / 4; ++k) {
    uint32_t bits;
    std::memcpy(&bits, f32.data() + 4 * k, 4);
    uint16_t b;
    if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN stays a quiet NaN
      b = static_cast<uint16_t>((bits >> 16) | 0x40);
    else
      b = static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1)) >> 16);
    std::memcpy(out.data() + 2 * k, &b, 2);
  }
  return out;
}

std::vector<uint8_t> kiln::tools::bf16ToF32(const std::vector<uint8_t> &bf16) {
  std::vector<uint8_t> out(bf16.size() * 2);
  for (size_t k = 0; k < bf16.size() / 2; ++k) {
    uint16_t b;
    std::memcpy(&b, bf16.data() + 2 * k, 2);
    uint32_t bits = uint32_t{b} << 16;
    std::memcpy(out.data() + 4 * k, &bits, 4);
  }
  return out;
}
