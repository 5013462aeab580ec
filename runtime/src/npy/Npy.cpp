// Reader and writer for NumPy .npy array files (standard library only).
//
// The reader treats its input as untrusted: every length and dimension is
// validated against the actual input size before anything is allocated, and
// the header dictionary is parsed with a small tokenizer rather than at fixed
// offsets. No exceptions are thrown; errors are returned as values.

#include "runtime/src/npy/Npy.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>

namespace kiln {
namespace npy {

namespace {

constexpr char Magic[] = "\x93NUMPY";
constexpr size_t MagicLen = 6;
/// Largest header dictionary we accept.
constexpr size_t MaxHeaderLen = size_t(1) << 20;
/// Magic, version and the widest (4-byte) header length field.
constexpr size_t MaxPreambleLen = MagicLen + 2 + 4;
/// NumPy's NPY_MAXDIMS (as of NumPy 2.x).
constexpr size_t MaxDims = 64;
/// NumPy aligns the start of the data to this many bytes.
constexpr size_t ArrayAlign = 64;
/// NumPy pads the header so the first dimension can grow to this many digits.
constexpr size_t GrowthAxisMaxDigits = 21;
constexpr const char *SupportedDescrs =
    "'<f4', '<f8', '<f2', '|i1', '<i4', '<i8', '|b1'";

/// The descr string NumPy writes for \p t.
const char *descrFor(DType t) {
  switch (t) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::F16:
    return "<f2";
  case DType::I8:
    return "|i1";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::Bool:
    return "|b1";
  }
  return "";
}

/// Quotes \p s for an error message: escapes non-printable characters and
/// truncates long strings so a hostile header cannot produce a huge message.
std::string quoteForError(const std::string &s) {
  constexpr size_t MaxShown = 64;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < MaxShown; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\x%02x", c);
    out += buf;
  }
  if (s.size() > MaxShown)
    out += "...";
  out += "'";
  return out;
}

/// Python repr of a shape tuple: "()", "(3,)", "(2, 3)".
std::string shapeRepr(const std::vector<int64_t> &shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i != 0)
      out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    out += ",";
  out += ")";
  return out;
}

/// Computes the data size in bytes for \p shape of \p elemSize-byte elements,
/// following NumPy: zero dimensions are skipped for the overflow check, so
/// (huge, huge, 0) is rejected only if huge * huge overflows. Returns an error
/// message (without file name) or an empty string.
std::string computeDataBytes(const std::vector<int64_t> &shape, size_t elemSize,
                             uint64_t &bytesOut) {
  int64_t bytes = static_cast<int64_t>(elemSize);
  bool hasZero = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t d = shape[i];
    if (d < 0)
      return "shape " + shapeRepr(shape) + " has negative dimension " +
             std::to_string(d) + " at index " + std::to_string(i);
    if (d == 0) {
      hasZero = true;
      continue;
    }
    if (__builtin_mul_overflow(bytes, d, &bytes))
      return "shape " + shapeRepr(shape) +
             " is too large: data size overflows 64 bits";
  }
  if (static_cast<uint64_t>(bytes) > std::numeric_limits<size_t>::max())
    return "shape " + shapeRepr(shape) +
           " is too large for this platform's address space";
  bytesOut = hasZero ? 0 : static_cast<uint64_t>(bytes);
  return "";
}

/// Validated contents of a .npy preamble and header.
struct HeaderInfo {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  size_t dataOffset = 0;
  uint64_t dataBytes = 0;
};

/// Tokenizing parser for the header dictionary, a Python literal such as
/// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
class HeaderDictParser {
public:
  HeaderDictParser(const char *headerText, size_t headerLen)
      : text(headerText), len(headerLen) {}

  /// Parses the whole dictionary. Returns false and sets error on failure.
  bool parse();

  std::string error;
  bool haveDescr = false, haveFortran = false, haveShape = false;
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;

private:
  bool atEnd() const { return pos >= len; }
  char peek() const { return text[pos]; }
  static bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
  }
  static bool isDigit(char c) { return c >= '0' && c <= '9'; }
  static bool isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  static bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }
  void skipSpace() {
    while (!atEnd() && isSpace(peek()))
      ++pos;
  }

  /// Records a syntax error at the current position.
  bool syntaxError(const std::string &what) {
    error = "malformed header: " + what + " at header offset " +
            std::to_string(pos);
    return false;
  }
  /// Records a syntax error, reporting end of header if we are there.
  bool expected(const std::string &what) {
    if (atEnd())
      return syntaxError("unexpected end of header, expected " + what);
    return syntaxError("expected " + what + ", found " +
                       quoteForError(std::string(1, peek())));
  }

  bool parseString(std::string &out);
  bool parseIdentifier(std::string &out);
  bool parseDimension(int64_t &out);
  bool parseEntry();
  bool parseDescr();
  bool parseFortranOrder();
  bool parseShape();

  const char *text;
  size_t len;
  size_t pos = 0;
};

bool HeaderDictParser::parse() {
  skipSpace();
  if (atEnd() || peek() != '{')
    return expected("'{' starting the header dictionary");
  ++pos;
  while (true) {
    skipSpace();
    if (atEnd())
      return syntaxError("unterminated dictionary (missing '}')");
    if (peek() == '}') {
      ++pos;
      break;
    }
    if (!parseEntry())
      return false;
    skipSpace();
    if (atEnd())
      return syntaxError("unterminated dictionary (missing '}')");
    if (peek() == ',') {
      ++pos;
      continue;
    }
    if (peek() == '}') {
      ++pos;
      break;
    }
    return expected("',' or '}' after dictionary value");
  }
  skipSpace();
  if (!atEnd())
    return syntaxError("unexpected characters after the closing '}'");
  return true;
}

bool HeaderDictParser::parseString(std::string &out) {
  if (atEnd() || (peek() != '\'' && peek() != '"'))
    return expected("a quoted string");
  size_t start = pos;
  char quote = peek();
  ++pos;
  out.clear();
  while (true) {
    if (atEnd() || peek() == '\n' || peek() == '\r') {
      pos = start;
      return syntaxError("unterminated string");
    }
    char c = peek();
    ++pos;
    if (c == quote)
      return true;
    if (c == '\\') {
      if (atEnd()) {
        pos = start;
        return syntaxError("unterminated string");
      }
      char e = peek();
      if (e != '\\' && e != '\'' && e != '"')
        return syntaxError("unsupported escape sequence in string");
      ++pos;
      out += e;
      continue;
    }
    out += c;
  }
}

bool HeaderDictParser::parseIdentifier(std::string &out) {
  if (atEnd() || !isIdentStart(peek()))
    return expected("an identifier");
  size_t start = pos;
  while (!atEnd() && isIdentChar(peek()))
    ++pos;
  out.assign(text + start, pos - start);
  return true;
}

bool HeaderDictParser::parseDimension(int64_t &out) {
  size_t start = pos;
  bool negative = false;
  if (!atEnd() && (peek() == '-' || peek() == '+')) {
    negative = peek() == '-';
    ++pos;
    skipSpace();
  }
  if (atEnd() || !isDigit(peek()))
    return expected("an integer dimension in 'shape'");
  uint64_t value = 0;
  bool overflow = false;
  while (!atEnd() && isDigit(peek())) {
    uint64_t digit = static_cast<uint64_t>(peek() - '0');
    if (__builtin_mul_overflow(value, uint64_t(10), &value) ||
        __builtin_add_overflow(value, digit, &value))
      overflow = true;
    ++pos;
  }
  // Python 2 era NumPy wrote long integers with an 'L' suffix.
  if (!atEnd() && (peek() == 'L' || peek() == 'l'))
    ++pos;
  if (!atEnd() && (isIdentChar(peek()) || peek() == '.'))
    return syntaxError("invalid integer literal in 'shape'");
  std::string literal(text + start, pos - start);
  if (negative && (value != 0 || overflow)) {
    error = "shape has negative dimension " + quoteForError(literal);
    return false;
  }
  if (overflow ||
      value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    error = "shape dimension " + quoteForError(literal) +
            " is too large (does not fit in 64 bits)";
    return false;
  }
  out = static_cast<int64_t>(value);
  return true;
}

bool HeaderDictParser::parseEntry() {
  if (atEnd() || (peek() != '\'' && peek() != '"'))
    return expected("a quoted key or '}'");
  std::string key;
  if (!parseString(key))
    return false;
  bool *seen = nullptr;
  if (key == "descr")
    seen = &haveDescr;
  else if (key == "fortran_order")
    seen = &haveFortran;
  else if (key == "shape")
    seen = &haveShape;
  else {
    error = "header has unexpected key " + quoteForError(key) +
            " (expected 'descr', 'fortran_order' and 'shape')";
    return false;
  }
  if (*seen) {
    error = "header has duplicate key " + quoteForError(key);
    return false;
  }
  *seen = true;
  skipSpace();
  if (atEnd() || peek() != ':')
    return expected("':' after key");
  ++pos;
  skipSpace();
  if (key == "descr")
    return parseDescr();
  if (key == "fortran_order")
    return parseFortranOrder();
  return parseShape();
}

bool HeaderDictParser::parseDescr() {
  if (!atEnd() && peek() == '[') {
    error = "structured dtypes are not supported ('descr' is a list); "
            "supported descrs: " +
            std::string(SupportedDescrs);
    return false;
  }
  if (atEnd() || (peek() != '\'' && peek() != '"'))
    return expected("a string value for 'descr'");
  return parseString(descr);
}

bool HeaderDictParser::parseFortranOrder() {
  std::string ident;
  if (atEnd() || !isIdentStart(peek()) || !parseIdentifier(ident) ||
      (ident != "True" && ident != "False")) {
    error = "'fortran_order' must be True or False";
    return false;
  }
  fortranOrder = ident == "True";
  return true;
}

bool HeaderDictParser::parseShape() {
  if (atEnd() || peek() != '(') {
    error = "'shape' must be a tuple of integers, e.g. (3, 4), (3,) or ()";
    return false;
  }
  ++pos;
  bool trailingComma = false;
  while (true) {
    skipSpace();
    if (atEnd())
      return syntaxError("unterminated 'shape' tuple (missing ')')");
    if (peek() == ')') {
      ++pos;
      break;
    }
    if (shape.size() >= MaxDims) {
      error = "shape has more than " + std::to_string(MaxDims) + " dimensions";
      return false;
    }
    int64_t dim = 0;
    if (!parseDimension(dim))
      return false;
    shape.push_back(dim);
    skipSpace();
    trailingComma = false;
    if (!atEnd() && peek() == ',') {
      ++pos;
      trailingComma = true;
      continue;
    }
    if (!atEnd() && peek() == ')') {
      ++pos;
      break;
    }
    return expected("',' or ')' in 'shape'");
  }
  // "(3)" is the integer 3 in Python, not a tuple.
  if (shape.size() == 1 && !trailingComma) {
    error = "'shape' must be a tuple of integers; write a one-element tuple "
            "as (N,)";
    return false;
  }
  return true;
}

/// Maps a descr string to a DType, or returns an error message.
std::string dtypeFromDescr(const std::string &descr, DType &out) {
  char order = 0;
  std::string code = descr;
  if (!code.empty() && std::strchr("<>=|!", code[0]) != nullptr) {
    order = code[0];
    code.erase(0, 1);
  }
  if (code == "f4")
    out = DType::F32;
  else if (code == "f8")
    out = DType::F64;
  else if (code == "f2")
    out = DType::F16;
  else if (code == "i1")
    out = DType::I8;
  else if (code == "i4")
    out = DType::I32;
  else if (code == "i8")
    out = DType::I64;
  else if (code == "b1" || code == "?")
    out = DType::Bool;
  else
    return "unsupported dtype descr " + quoteForError(descr) +
           " (supported: " + SupportedDescrs + ")";
  // Byte order is meaningless for one-byte types.
  if ((order == '>' || order == '!') && dtypeSize(out) > 1)
    return "big-endian data is not supported (descr " + quoteForError(descr) +
           "); convert with arr.astype(arr.dtype.newbyteorder('<'))";
  return "";
}

/// Parses and validates the preamble and header of a .npy input. \p bytes holds
/// the first \p avail bytes of an input of \p total bytes; \p avail must be at
/// least min(total, MaxPreambleLen + MaxHeaderLen). Returns an error message
/// (without file name) or an empty string. Does not look at the data bytes.
std::string parseHeader(const uint8_t *bytes, size_t avail, uint64_t total,
                        HeaderInfo &info) {
  if (total == 0)
    return "file is empty (not a .npy file)";
  if (avail < MagicLen || std::memcmp(bytes, Magic, MagicLen) != 0)
    return "not a .npy file (bad magic string)";
  if (avail < MagicLen + 2)
    return "truncated header: file ends inside the format version";
  unsigned major = bytes[MagicLen], minor = bytes[MagicLen + 1];
  if (major < 1 || major > 3 || minor != 0)
    return "unsupported .npy format version " + std::to_string(major) + "." +
           std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)";
  size_t lenFieldSize = major == 1 ? 2 : 4;
  size_t preambleLen = MagicLen + 2 + lenFieldSize;
  if (avail < preambleLen)
    return "truncated header: file ends inside the header length field";
  uint64_t headerLen = 0;
  for (size_t i = 0; i < lenFieldSize; ++i)
    headerLen |= uint64_t(bytes[MagicLen + 2 + i]) << (8 * i);
  if (headerLen > MaxHeaderLen)
    return "header length " + std::to_string(headerLen) +
           " exceeds the 1 MiB limit";
  if (headerLen > total - preambleLen)
    return "truncated header: header length " + std::to_string(headerLen) +
           " extends past end of file (" + std::to_string(total - preambleLen) +
           " bytes available)";
  if (avail < preambleLen + headerLen)
    return "internal error: header not fully buffered";

  HeaderDictParser parser(reinterpret_cast<const char *>(bytes) + preambleLen,
                          static_cast<size_t>(headerLen));
  if (!parser.parse())
    return parser.error;
  if (!parser.haveDescr)
    return "header is missing required key 'descr'";
  if (!parser.haveFortran)
    return "header is missing required key 'fortran_order'";
  if (!parser.haveShape)
    return "header is missing required key 'shape'";

  std::string err = dtypeFromDescr(parser.descr, info.dtype);
  if (!err.empty())
    return err;
  if (parser.fortranOrder)
    return "Fortran-order arrays are not supported; save with "
           "np.ascontiguousarray";
  err = computeDataBytes(parser.shape, dtypeSize(info.dtype), info.dataBytes);
  if (!err.empty())
    return err;
  info.shape = std::move(parser.shape);
  info.dataOffset = static_cast<size_t>(preambleLen + headerLen);

  uint64_t found = total - info.dataOffset;
  if (found < info.dataBytes)
    return "truncated: expected " + std::to_string(info.dataBytes) +
           " data bytes, found " + std::to_string(found);
  if (found > info.dataBytes)
    return "trailing bytes: expected " + std::to_string(info.dataBytes) +
           " data bytes, found " + std::to_string(found);
  return "";
}

/// Checks that every byte of bool data is 0 or 1.
std::string checkBoolData(const std::vector<uint8_t> &data) {
  for (size_t i = 0; i < data.size(); ++i)
    if (data[i] > 1)
      return "invalid bool value " + std::to_string(data[i]) + " at element " +
             std::to_string(i) + " (must be 0 or 1)";
  return "";
}

ReadResult failure(const std::string &name, const std::string &message) {
  ReadResult r;
  r.error = name + ": " + message;
  return r;
}

/// Validates \p array for writing. Returns an error message or empty string.
std::string checkArray(const Array &array, uint64_t &dataBytes) {
  if (dtypeSize(array.dtype) == 0)
    return "invalid dtype";
  if (array.shape.size() > MaxDims)
    return "shape has more than " + std::to_string(MaxDims) + " dimensions";
  std::string err =
      computeDataBytes(array.shape, dtypeSize(array.dtype), dataBytes);
  if (!err.empty())
    return err;
  if (array.data.size() != dataBytes)
    return "data has " + std::to_string(array.data.size()) +
           " bytes but shape " + shapeRepr(array.shape) + " of " +
           dtypeName(array.dtype) + " needs " + std::to_string(dataBytes);
  return "";
}

/// Builds the preamble and padded header exactly as NumPy's np.save does.
std::vector<uint8_t> buildHeader(const Array &array) {
  std::string dict = "{'descr': '";
  dict += descrFor(array.dtype);
  dict += "', 'fortran_order': False, 'shape': ";
  dict += shapeRepr(array.shape);
  dict += ", }";
  // Spare space so the first axis can be grown in place.
  if (!array.shape.empty()) {
    size_t digits = std::to_string(array.shape[0]).size();
    if (digits < GrowthAxisMaxDigits)
      dict.append(GrowthAxisMaxDigits - digits, ' ');
  }
  size_t headerLen = dict.size() + 1; // + '\n'
  size_t lenFieldSize = 2;
  size_t pad =
      ArrayAlign - (MagicLen + 2 + lenFieldSize + headerLen) % ArrayAlign;
  if (headerLen + pad > 0xffff) {
    lenFieldSize = 4;
    pad = ArrayAlign - (MagicLen + 2 + lenFieldSize + headerLen) % ArrayAlign;
  }
  size_t total = headerLen + pad;
  std::string out(Magic, MagicLen);
  out += static_cast<char>(lenFieldSize == 2 ? 1 : 2);
  out += '\0';
  for (size_t i = 0; i < lenFieldSize; ++i)
    out += static_cast<char>((total >> (8 * i)) & 0xff);
  out += dict;
  out.append(pad, ' ');
  out += '\n';
  return std::vector<uint8_t>(out.begin(), out.end());
}

/// Reads up to \p n bytes, stopping early only at end of file or on error.
size_t readFully(std::FILE *f, uint8_t *dst, size_t n) {
  size_t got = 0;
  while (got < n) {
    size_t r = std::fread(dst + got, 1, n - got, f);
    if (r == 0)
      break;
    got += r;
  }
  return got;
}

/// Closes a FILE on scope exit.
struct FileCloser {
  std::FILE *f;
  ~FileCloser() {
    if (f)
      std::fclose(f);
  }
};

} // namespace

const char *dtypeName(DType t) {
  switch (t) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::F16:
    return "f16";
  case DType::I8:
    return "i8";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::Bool:
    return "bool";
  }
  return "invalid";
}

size_t dtypeSize(DType t) {
  switch (t) {
  case DType::F32:
    return 4;
  case DType::F64:
    return 8;
  case DType::F16:
    return 2;
  case DType::I8:
    return 1;
  case DType::I32:
    return 4;
  case DType::I64:
    return 8;
  case DType::Bool:
    return 1;
  }
  return 0;
}

int64_t Array::numElements() const {
  for (int64_t d : shape)
    if (d < 0)
      return -1;
  for (int64_t d : shape)
    if (d == 0)
      return 0;
  int64_t n = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      return -1;
  return n;
}

ReadResult parseNpy(const uint8_t *bytes, size_t size,
                    const std::string &nameForErrors) {
  if (!bytes)
    size = 0;
  HeaderInfo info;
  std::string err = parseHeader(bytes, size, size, info);
  if (!err.empty())
    return failure(nameForErrors, err);
  Array array;
  array.dtype = info.dtype;
  array.shape = std::move(info.shape);
  const uint8_t *data = bytes + info.dataOffset;
  array.data.assign(data, data + static_cast<size_t>(info.dataBytes));
  if (array.dtype == DType::Bool) {
    err = checkBoolData(array.data);
    if (!err.empty())
      return failure(nameForErrors, err);
  }
  ReadResult r;
  r.array = std::move(array);
  return r;
}

ReadResult readNpy(const std::string &path) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return failure(path, std::string("cannot open: ") + std::strerror(errno));
  FileCloser closer{f};
  auto readError = [&]() {
    return failure(path, std::string("read error: ") + std::strerror(errno));
  };

  // Find the file size so the header can be validated against it before the
  // data buffer is allocated.
  long endPos = -1;
  if (std::fseek(f, 0, SEEK_END) == 0) {
    endPos = std::ftell(f);
    if (std::fseek(f, 0, SEEK_SET) != 0)
      return failure(path, std::string("cannot seek: ") + std::strerror(errno));
  }
  std::clearerr(f);
  if (endPos < 0) {
    // Not seekable (e.g. a pipe): read everything, then parse in memory.
    std::vector<uint8_t> all;
    uint8_t chunk[1 << 16];
    while (size_t r = std::fread(chunk, 1, sizeof(chunk), f))
      all.insert(all.end(), chunk, chunk + r);
    if (std::ferror(f))
      return readError();
    return parseNpy(all.data(), all.size(), path);
  }

  uint64_t total = static_cast<uint64_t>(endPos);
  std::vector<uint8_t> head(static_cast<size_t>(
      std::min<uint64_t>(total, MaxPreambleLen + MaxHeaderLen)));
  size_t got = readFully(f, head.data(), head.size());
  if (std::ferror(f))
    return readError();
  if (got < head.size()) { // The file shrank since we measured it.
    head.resize(got);
    total = got;
  }

  HeaderInfo info;
  std::string err = parseHeader(head.data(), head.size(), total, info);
  if (!err.empty())
    return failure(path, err);

  // info.dataBytes == total - dataOffset, i.e. bounded by the real file size.
  Array array;
  array.dtype = info.dtype;
  array.shape = std::move(info.shape);
  size_t dataBytes = static_cast<size_t>(info.dataBytes);
  array.data.resize(dataBytes);
  size_t inHead = std::min(head.size() - info.dataOffset, dataBytes);
  if (inHead != 0)
    std::memcpy(array.data.data(), head.data() + info.dataOffset, inHead);
  std::vector<uint8_t>().swap(head);
  size_t rest = dataBytes - inHead;
  size_t gotRest =
      rest == 0 ? 0 : readFully(f, array.data.data() + inHead, rest);
  if (std::ferror(f))
    return readError();
  if (gotRest < rest)
    return failure(path, "truncated: expected " + std::to_string(dataBytes) +
                             " data bytes, found " +
                             std::to_string(inHead + gotRest));
  if (std::fgetc(f) != EOF)
    return failure(path,
                   "trailing bytes: expected " + std::to_string(dataBytes) +
                       " data bytes, found more (file grew while reading)");
  if (array.dtype == DType::Bool) {
    err = checkBoolData(array.data);
    if (!err.empty())
      return failure(path, err);
  }
  ReadResult r;
  r.array = std::move(array);
  return r;
}

std::vector<uint8_t> serializeNpy(const Array &array) {
  uint64_t dataBytes = 0;
  if (!checkArray(array, dataBytes).empty())
    return {};
  std::vector<uint8_t> out = buildHeader(array);
  out.insert(out.end(), array.data.begin(), array.data.end());
  return out;
}

std::string writeNpy(const std::string &path, const Array &array) {
  uint64_t dataBytes = 0;
  std::string err = checkArray(array, dataBytes);
  if (!err.empty())
    return path + ": cannot write invalid array: " + err;
  std::vector<uint8_t> header = buildHeader(array);

  // Create a uniquely named temporary file next to the target. "x" (C11
  // exclusive mode) guarantees we never clobber another writer's file.
  static std::atomic<uint64_t> counter{0};
  std::string tmpPath;
  std::FILE *f = nullptr;
  for (int attempt = 0; attempt < 100 && !f; ++attempt) {
    uint64_t unique =
        static_cast<uint64_t>(
            std::chrono::steady_clock::now().time_since_epoch().count()) ^
        (counter.fetch_add(1) * 0x9e3779b97f4a7c15ull) ^
        reinterpret_cast<uintptr_t>(&tmpPath);
    char suffix[32];
    std::snprintf(suffix, sizeof(suffix), ".tmp%016llx",
                  static_cast<unsigned long long>(unique));
    tmpPath = path + suffix;
    errno = 0;
    f = std::fopen(tmpPath.c_str(), "wbx");
    if (!f && errno != EEXIST)
      return path + ": cannot create temporary file '" + tmpPath +
             "': " + std::strerror(errno);
  }
  if (!f)
    return path + ": cannot create a unique temporary file";

  auto fail = [&](const char *what, int savedErrno) {
    std::remove(tmpPath.c_str());
    return path + ": " + what + " temporary file '" + tmpPath +
           "': " + std::strerror(savedErrno);
  };
  errno = 0;
  bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size();
  if (ok && !array.data.empty())
    ok = std::fwrite(array.data.data(), 1, array.data.size(), f) ==
         array.data.size();
  if (ok)
    ok = std::fflush(f) == 0;
  int savedErrno = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    savedErrno = errno;
  }
  if (!ok)
    return fail("cannot write", savedErrno != 0 ? savedErrno : EIO);
  if (std::rename(tmpPath.c_str(), path.c_str()) != 0) {
    savedErrno = errno;
    std::remove(tmpPath.c_str());
    return path + ": cannot rename temporary file '" + tmpPath + "'" +
           " to target: " + std::strerror(savedErrno);
  }
  return "";
}

} // namespace npy
} // namespace kiln
