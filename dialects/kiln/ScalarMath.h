//===- ScalarMath.h - the scalar semantics of kiln's elementwise ops ------===//
//
// One definition of each elementwise function, shared by the folders and the
// reference interpreter, so that folding never changes a result.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_KILN_SCALARMATH_H
#define KILN_DIALECTS_KILN_SCALARMATH_H

#include <cmath>
#include <cstdint>
#include <limits>

namespace kiln::scalar {

inline double sigmoid(double x) {
  // Split by sign so that exp never overflows.
  if (x >= 0)
    return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}

inline double softplus(double x) {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

inline double gelu(double x, bool approximate) {
  if (!approximate)
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  constexpr double kSqrt2OverPi = 0.7978845608028654;
  return 0.5 * x * (1.0 + std::tanh(kSqrt2OverPi * (x + 0.044715 * x * x * x)));
}

inline double elu(double x, double alpha) {
  return x > 0 ? x : alpha * std::expm1(x);
}

inline double leakyRelu(double x, double alpha) { return x >= 0 ? x : alpha * x; }

inline double relu(double x) { return x > 0 ? x : (x == x ? 0.0 : x); }

inline double relu6(double x) {
  return x != x ? x : (x < 0 ? 0.0 : (x > 6 ? 6.0 : x));
}

inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }

/// NaN-propagating maximum and minimum (numpy.maximum / numpy.minimum).
inline double maximum(double a, double b) {
  return (a != a || b != b) ? std::numeric_limits<double>::quiet_NaN()
                            : (a > b ? a : b);
}
inline double minimum(double a, double b) {
  return (a != a || b != b) ? std::numeric_limits<double>::quiet_NaN()
                            : (a < b ? a : b);
}

/// Converts a float to a signed integer of `bits` bits: truncation toward
/// zero, saturation at the range, NaN to 0.
inline int64_t floatToInt(double x, unsigned bits) {
  if (x != x)
    return 0;
  double lo = -std::ldexp(1.0, bits - 1), hi = std::ldexp(1.0, bits - 1);
  if (x <= lo)
    return bits == 64 ? std::numeric_limits<int64_t>::min()
                      : static_cast<int64_t>(lo);
  if (x >= hi)
    return bits == 64 ? std::numeric_limits<int64_t>::max()
                      : static_cast<int64_t>(hi) - 1;
  return static_cast<int64_t>(std::trunc(x));
}

/// Wraps a 64-bit value to a signed integer of `bits` bits (two's
/// complement), as integer arithmetic of that width would.
inline int64_t wrapToWidth(int64_t v, unsigned bits) {
  if (bits >= 64)
    return v;
  if (bits == 1)
    return v & 1;
  uint64_t m = (uint64_t(1) << bits) - 1;
  uint64_t u = static_cast<uint64_t>(v) & m;
  uint64_t sign = uint64_t(1) << (bits - 1);
  return static_cast<int64_t>((u ^ sign) - sign);
}

/// Wrapping integer arithmetic (no signed-overflow UB).
inline int64_t wrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t wrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t wrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

/// Integer power by squaring with wrap-around; `e` must be >= 0.
inline int64_t intPow(int64_t b, int64_t e) {
  int64_t r = 1;
  while (e > 0) {
    if (e & 1)
      r = wrapMul(r, b);
    b = wrapMul(b, b);
    e >>= 1;
  }
  return r;
}

} // namespace kiln::scalar

#endif // KILN_DIALECTS_KILN_SCALARMATH_H
