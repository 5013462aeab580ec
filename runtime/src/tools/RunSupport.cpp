//===- RunSupport.cpp - what kiln-run's two modes share -------------------===//

#include "runtime/src/tools/RunSupport.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

std::pair<std::string, std::string>
kiln::tools::splitBinding(const std::string &spec) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos)
    return {"", spec};
  return {spec.substr(0, eq), spec.substr(eq + 1)};
}

std::string kiln::tools::fileNameFor(const std::string &name) {
  std::string s;
  for (char c : name)
    s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
          c == '.')
             ? c
             : '_';
  if (s.empty() || s[0] == '.')
    s = "_" + s;
  return s;
}

std::string
kiln::tools::formatFloat(double v,
                         const std::function<double(double)> &roundTo) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v < 0 ? "-inf" : "inf";
  char buf[64];
  // 17 significant digits always read back; stop at the first that does.
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*e", precision - 1, v);
    if (roundTo(std::strtod(buf, nullptr)) == v)
      break;
  }
  // buf is "[-]d[.ddd]e[+-]XX": split into sign, digits and exponent.
  std::string text(buf), out;
  if (text[0] == '-') {
    out = "-";
    text.erase(0, 1);
  }
  size_t e = text.find('e');
  std::string digits = text.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exponent = std::atoi(text.c_str() + e + 1);
  while (digits.size() > 1 && digits.back() == '0')
    digits.pop_back();
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1)
      out += "." + digits.substr(1);
    std::snprintf(buf, sizeof(buf), "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    return out + buf;
  }
  if (exponent < 0)
    return out + "0." + std::string(-exponent - 1, '0') + digits;
  size_t intDigits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= intDigits)
    return out + digits + std::string(intDigits - digits.size(), '0');
  return out + digits.substr(0, intDigits) + "." + digits.substr(intDigits);
}
