//===- Idx.cpp - reader for IDX files (the MNIST format) ------------------===//
//
// The file is read through a small stream that either copies plain bytes or
// inflates gzip members with zlib. The header is parsed first, so the size
// checks happen before any data is decompressed, and the stream is asked for
// exactly the announced number of data bytes plus one (to detect trailing
// data): a gzip bomb never inflates more than the header allows.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/train/Idx.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <limits>

namespace kiln::train {
namespace {

constexpr size_t MaxRank = 8;

/// Reads a file's bytes, inflating it first if it starts with the gzip magic.
class ByteStream {
public:
  ByteStream() = default;
  ByteStream(const ByteStream &) = delete;
  ByteStream &operator=(const ByteStream &) = delete;
  ~ByteStream() {
    if (inflating)
      inflateEnd(&zs);
    if (file)
      std::fclose(file);
  }

  /// Opens \p path and sniffs the gzip magic. Returns "" or an error.
  std::string open(const std::string &path) {
    errno = 0;
    file = std::fopen(path.c_str(), "rb");
    if (!file)
      return std::string("cannot open: ") + std::strerror(errno);
    std::string err = refill();
    if (!err.empty())
      return err;
    if (bufLen >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
      std::memset(&zs, 0, sizeof(zs));
      // 16 + MAX_WBITS: expect a gzip wrapper and check its CRC-32 and size.
      if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return "cannot initialize zlib";
      zs.next_in = buf.data();
      zs.avail_in = static_cast<uInt>(bufLen);
      inflating = true;
      gzip = true;
    }
    return "";
  }

  bool isGzip() const { return gzip; }

  /// Reads up to \p n bytes into \p dst; fewer only at the end of the data
  /// or on an error, which error() then describes.
  size_t read(uint8_t *dst, size_t n) {
    size_t got = 0;
    while (got < n && err.empty()) {
      size_t r =
          gzip ? inflateSome(dst + got, n - got) : copySome(dst + got, n - got);
      if (r == 0)
        break;
      got += r;
    }
    return got;
  }

  const std::string &error() const { return err; }

private:
  /// Plain files: serves the sniffed buffer, then reads the file directly.
  size_t copySome(uint8_t *dst, size_t n) {
    if (bufPos < bufLen) {
      size_t k = std::min(n, bufLen - bufPos);
      std::memcpy(dst, buf.data() + bufPos, k);
      bufPos += k;
      return k;
    }
    errno = 0;
    size_t k = std::fread(dst, 1, n, file);
    if (k == 0 && std::ferror(file))
      err = std::string("read error: ") + std::strerror(errno);
    return k;
  }

  /// Gzip files: inflates until at least one byte is produced, the data
  /// ends, or an error occurs.
  size_t inflateSome(uint8_t *dst, size_t n) {
    while (err.empty()) {
      if (zs.avail_in == 0) {
        err = refill();
        if (!err.empty())
          return 0;
        zs.next_in = buf.data();
        zs.avail_in = static_cast<uInt>(bufLen);
      }
      if (memberEnded) {
        if (zs.avail_in == 0)
          return 0; // Clean end after a complete member.
        // Another gzip member follows (as `cat a.gz b.gz` makes).
        inflateReset(&zs);
        memberEnded = false;
      }
      if (zs.avail_in == 0) {
        err = "truncated gzip stream (file ends inside the compressed data)";
        return 0;
      }
      zs.next_out = dst;
      zs.avail_out = static_cast<uInt>(std::min<size_t>(n, UINT_MAX));
      int rc = inflate(&zs, Z_NO_FLUSH);
      size_t produced = static_cast<size_t>(zs.next_out - dst);
      if (rc == Z_STREAM_END)
        memberEnded = true;
      else if (rc == Z_BUF_ERROR && produced == 0 && zs.avail_in > 0)
        err = "corrupt gzip data: inflate made no progress";
      else if (rc != Z_OK && rc != Z_BUF_ERROR)
        err = std::string("corrupt gzip data: ") +
              (zs.msg ? zs.msg : "zlib error " + std::to_string(rc));
      if (produced > 0)
        return produced;
    }
    return 0;
  }

  /// Reads the next chunk of the file into buf (bufLen 0 at the end).
  std::string refill() {
    errno = 0;
    bufLen = std::fread(buf.data(), 1, buf.size(), file);
    bufPos = 0;
    if (bufLen == 0 && std::ferror(file))
      return std::string("read error: ") + std::strerror(errno);
    return "";
  }

  std::FILE *file = nullptr;
  std::vector<uint8_t> buf = std::vector<uint8_t>(size_t(1) << 18);
  size_t bufLen = 0;
  size_t bufPos = 0;
  z_stream zs;
  bool gzip = false;
  bool inflating = false;
  bool memberEnded = false;
  std::string err;
};

bool typeFromCode(uint8_t code, IdxArray::Type &type) {
  switch (code) {
  case 0x08:
    type = IdxArray::Type::U8;
    return true;
  case 0x09:
    type = IdxArray::Type::I8;
    return true;
  case 0x0B:
    type = IdxArray::Type::I16;
    return true;
  case 0x0C:
    type = IdxArray::Type::I32;
    return true;
  case 0x0D:
    type = IdxArray::Type::F32;
    return true;
  case 0x0E:
    type = IdxArray::Type::F64;
    return true;
  default:
    return false;
  }
}

bool hostIsLittleEndian() {
  uint16_t one = 1;
  uint8_t first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

std::string hexBytes(const uint8_t *p, size_t n) {
  std::string s;
  char tmp[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(tmp, sizeof(tmp), i ? " %02x" : "%02x", p[i]);
    s += tmp;
  }
  return s;
}

/// Calls \p fn(i, value) for every element, decoded as T.
template <typename T, typename Fn>
void forEach(const std::vector<uint8_t> &data, Fn fn) {
  size_t n = data.size() / sizeof(T);
  const uint8_t *p = data.data();
  for (size_t i = 0; i < n; ++i, p += sizeof(T)) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    fn(i, v);
  }
}

/// Truncates toward zero; NaN and values outside int64_t become 0.
int64_t floatToInt(double v) {
  if (!(v > -9223372036854775808.0 && v < 9223372036854775808.0))
    return 0;
  return static_cast<int64_t>(v);
}

} // namespace

size_t elementSize(IdxArray::Type type) {
  switch (type) {
  case IdxArray::Type::U8:
  case IdxArray::Type::I8:
    return 1;
  case IdxArray::Type::I16:
    return 2;
  case IdxArray::Type::I32:
  case IdxArray::Type::F32:
    return 4;
  case IdxArray::Type::F64:
    return 8;
  }
  return 1;
}

const char *typeName(IdxArray::Type type) {
  switch (type) {
  case IdxArray::Type::U8:
    return "u8";
  case IdxArray::Type::I8:
    return "i8";
  case IdxArray::Type::I16:
    return "i16";
  case IdxArray::Type::I32:
    return "i32";
  case IdxArray::Type::F32:
    return "f32";
  case IdxArray::Type::F64:
    return "f64";
  }
  return "?";
}

bool isInteger(IdxArray::Type type) {
  return type != IdxArray::Type::F32 && type != IdxArray::Type::F64;
}

int64_t IdxArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

std::vector<float> IdxArray::toFloat(double scale) const {
  std::vector<float> out(data.size() / elementSize(type));
  auto put = [&](size_t i, auto v) {
    out[i] = static_cast<float>(static_cast<double>(v) * scale);
  };
  switch (type) {
  case Type::U8: {
    // One multiplication per distinct value, not per pixel.
    std::array<float, 256> lut;
    for (int v = 0; v < 256; ++v)
      lut[v] = static_cast<float>(v * scale);
    for (size_t i = 0; i < data.size(); ++i)
      out[i] = lut[data[i]];
    break;
  }
  case Type::I8:
    forEach<int8_t>(data, put);
    break;
  case Type::I16:
    forEach<int16_t>(data, put);
    break;
  case Type::I32:
    forEach<int32_t>(data, put);
    break;
  case Type::F32:
    forEach<float>(data, put);
    break;
  case Type::F64:
    forEach<double>(data, put);
    break;
  }
  return out;
}

std::vector<int64_t> IdxArray::toInt() const {
  std::vector<int64_t> out(data.size() / elementSize(type));
  auto put = [&](size_t i, auto v) { out[i] = static_cast<int64_t>(v); };
  auto putFloat = [&](size_t i, auto v) {
    out[i] = floatToInt(static_cast<double>(v));
  };
  switch (type) {
  case Type::U8:
    forEach<uint8_t>(data, put);
    break;
  case Type::I8:
    forEach<int8_t>(data, put);
    break;
  case Type::I16:
    forEach<int16_t>(data, put);
    break;
  case Type::I32:
    forEach<int32_t>(data, put);
    break;
  case Type::F32:
    forEach<float>(data, putFloat);
    break;
  case Type::F64:
    forEach<double>(data, putFloat);
    break;
  }
  return out;
}

std::string readIdx(const std::string &path, IdxArray &out, uint64_t maxBytes) {
  auto fail = [&](const std::string &msg) { return path + ": " + msg; };
  ByteStream in;
  std::string err = in.open(path);
  if (!err.empty())
    return fail(err);
  const std::string inflated = in.isGzip() ? " (after gzip decompression)" : "";

  uint8_t magic[4];
  size_t got = in.read(magic, 4);
  if (!in.error().empty())
    return fail(in.error());
  if (got < 4)
    return fail("truncated: " + std::to_string(got) + " bytes" + inflated +
                ", an IDX header needs at least 4");
  IdxArray::Type type;
  if (magic[0] != 0 || magic[1] != 0)
    return fail("not an IDX file: magic is " + hexBytes(magic, 4) + inflated +
                ", expected 00 00 <type> <rank>");
  if (!typeFromCode(magic[2], type))
    return fail("unknown IDX element type 0x" + hexBytes(magic + 2, 1) +
                " (expected 08, 09, 0b, 0c, 0d or 0e)");
  size_t rank = magic[3];
  if (rank < 1 || rank > MaxRank)
    return fail("IDX rank " + std::to_string(rank) + " is out of range (1 to " +
                std::to_string(MaxRank) + ")");

  uint8_t dimBytes[4 * MaxRank];
  got = in.read(dimBytes, 4 * rank);
  if (!in.error().empty())
    return fail(in.error());
  if (got < 4 * rank)
    return fail("truncated: header announces " + std::to_string(rank) +
                " dimensions, file ends after " + std::to_string(4 + got) +
                " bytes" + inflated);
  std::vector<int64_t> dims(rank);
  uint64_t count = 1;
  bool overflow = false;
  std::string dimText;
  for (size_t i = 0; i < rank; ++i) {
    const uint8_t *p = dimBytes + 4 * i;
    uint64_t d = uint64_t(p[0]) << 24 | uint64_t(p[1]) << 16 |
                 uint64_t(p[2]) << 8 | uint64_t(p[3]);
    dims[i] = static_cast<int64_t>(d);
    dimText += (i ? "x" : "") + std::to_string(d);
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / d)
      overflow = true;
    else
      count *= d;
  }
  size_t elemSize = elementSize(type);
  if (overflow ||
      count > uint64_t(std::numeric_limits<int64_t>::max()) / elemSize)
    return fail("element count overflows (dims " + dimText + ")");
  uint64_t expected = count * elemSize;
  if (expected > maxBytes || expected > std::numeric_limits<size_t>::max())
    return fail("data of " + std::to_string(expected) + " bytes (dims " +
                dimText + " of " + typeName(type) + ") exceeds the limit of " +
                std::to_string(maxBytes) + " bytes");

  // Grow the buffer as data arrives, so a lying header cannot make us
  // allocate gigabytes for a small file.
  std::vector<uint8_t> data;
  uint64_t have = 0;
  while (have < expected) {
    uint64_t target =
        std::min<uint64_t>(expected, std::max<uint64_t>(have * 2, 1u << 24));
    data.resize(static_cast<size_t>(target));
    size_t want = static_cast<size_t>(target - have);
    size_t r = in.read(data.data() + have, want);
    have += r;
    if (r < want)
      break;
  }
  if (!in.error().empty())
    return fail(in.error());
  if (have < expected)
    return fail("truncated: header says " + std::to_string(expected) +
                " data bytes, file has " + std::to_string(have) + inflated);
  uint8_t extra;
  if (in.read(&extra, 1) != 0)
    return fail("trailing bytes after the " + std::to_string(expected) +
                " data bytes the header announces" + inflated);
  if (!in.error().empty())
    return fail(in.error());

  if (elemSize > 1 && hostIsLittleEndian())
    for (size_t i = 0; i < data.size(); i += elemSize)
      std::reverse(data.begin() + i, data.begin() + i + elemSize);

  out.type = type;
  out.dims = std::move(dims);
  out.data = std::move(data);
  return "";
}

} // namespace kiln::train
