// Unit tests for the NumPy .npy reader/writer in runtime/src/npy.
#include "runtime/src/npy/Npy.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace kiln::npy;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

// Exact bytes written by NumPy 2.4 (np.save, or np.lib.format.write_array with
// an explicit version for the 2.0 / 3.0 files). Generated with python3 + numpy.
// F32_2x3: shape (2, 3) dtype <f4, 152 bytes
static const char NumpyF32_2x3[] =
    "\x93NUMPY\x01\x00v\x00"
    "{'descr': '<f4', 'fortran_order': False, 'shape'"
    ": (2, 3), }                                     "
    "                     \x0a"
    "\x00\x00\x00\x00\x00\x00\x80?\x00\x00\x00@\x00\x00@@"
    "\x00\x00\x80@\x00\x00\xa0@";
// F64_2: shape (2,) dtype <f8, 144 bytes
static const char NumpyF64_2[] =
    "\x93NUMPY\x01\x00v\x00"
    "{'descr': '<f8', 'fortran_order': False, 'shape'"
    ": (2,), }                                       "
    "                     \x0a"
    "\x00\x00\x00\x00\x00\x00\xf8?\x00\x00\x00\x00\x00\x00\x02\xc0";
// F16_3: shape (3,) dtype <f2, 134 bytes
static const char NumpyF16_3[] =
    "\x93NUMPY\x01\x00v\x00"
    "{'descr': '<f2', 'fortran_order': False, 'shape'"
    ": (3,), }                                       "
    "                     \x0a"
    "\x00<\x00@\x00\xc3";
// I8_2x2: shape (2, 2) dtype |i1, 132 bytes
static const char NumpyI8_2x2[] =
    "\x93NUMPY\x01\x00v\x00"
    "{'descr': '|i1', 'fortran_order': False, 'shape'"
    ": (2, 2), }                                     "
    "                     \x0a"
    "\xff\x02\x7f\x80";
// I32_2x3x4: shape (2, 3, 4) dtype <i4, 224 bytes
static const char NumpyI32_2x3x4[] =
    "\x93NUMPY\x01\x00v\x00"
    "{'descr': '<i4', 'fortran_order': False, 'shape'"
    ": (2, 3, 4), }                                  "
    "                     \x0a"
    "\xfb\xff\xff\xff\xfc\xff\xff\xff\xfd\xff\xff\xff\xfe\xff\xff\xff"
    "\xff\xff\xff\xff\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00"
    "\x03\x00\x00\x00\x04\x00\x00\x00\x05\x00\x00\x00\x06\x00\x00\x00"
    "\x07\x00\x00\x00\x08\x00\x00\x00\x09\x00\x00\x00\x0a\x00\x00\x00"
    "\x0b\x00\x00\x00\x0c\x00\x00\x00\x0d\x00\x00\x00\x0e\x00\x00\x00"
    "\x0f\x00\x00\x00\x10\x00\x00\x00\x11\x00\x00\x00\x12\x00\x00\x00";
// I64_scalar: shape () dtype <i8, 136 bytes
static const char NumpyI64_scalar[] =
    "\x93NUMPY\x01\x00v\x00"
    "{'descr': '<i8', 'fortran_order': False, 'shape'"
    ": (), }                                         "
    "                     \x0a"
    "\xd6\xff\xff\xff\xff\xff\xff\xff";
// Bool_3: shape (3,) dtype |b1, 131 bytes
static const char NumpyBool_3[] =
    "\x93NUMPY\x01\x00v\x00"
    "{'descr': '|b1', 'fortran_order': False, 'shape'"
    ": (3,), }                                       "
    "                     \x0a"
    "\x01\x00\x01";
// F32_0x3: shape (0, 3) dtype <f4, 128 bytes
static const char NumpyF32_0x3[] =
    "\x93NUMPY\x01\x00v\x00"
    "{'descr': '<f4', 'fortran_order': False, 'shape'"
    ": (0, 3), }                                     "
    "                     \x0a";
// I32_1234567x0: shape (1234567, 0) dtype <i4, 128 bytes
static const char NumpyI32_1234567x0[] =
    "\x93NUMPY\x01\x00v\x00"
    "{'descr': '<i4', 'fortran_order': False, 'shape'"
    ": (1234567, 0), }                               "
    "                     \x0a";
// F32_pad64: shape (0, 100, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2) dtype <f4, 192
// bytes
static const char NumpyF32_pad64[] =
    "\x93NUMPY\x01\x00\xb6\x00"
    "{'descr': '<f4', 'fortran_order': False, 'shape'"
    ": (0, 100, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2), "
    "}                                               "
    "                                     \x0a";
// F32_3_v2: shape (3,) dtype <f4, 140 bytes
static const char NumpyF32_3_v2[] =
    "\x93NUMPY\x02\x00t\x00\x00\x00"
    "{'descr': '<f4', 'fortran_order': False, 'shape'"
    ": (3,), }                                       "
    "                   \x0a"
    "\x00\x00\x00\x00\x00\x00\x80?\x00\x00\x00@";
// I64_2_v3: shape (2,) dtype <i8, 144 bytes
static const char NumpyI64_2_v3[] =
    "\x93NUMPY\x03\x00t\x00\x00\x00"
    "{'descr': '<i8', 'fortran_order': False, 'shape'"
    ": (2,), }                                       "
    "                   \x0a"
    "\x07\x00\x00\x00\x00\x00\x00\x00\xf8\xff\xff\xff\xff\xff\xff\xff";

/// Bytes of a string literal, without the terminating NUL.
template <size_t N> std::vector<uint8_t> bytesOf(const char (&s)[N]) {
  return std::vector<uint8_t>(s, s + N - 1);
}

template <typename T>
Array makeArray(DType dtype, std::vector<int64_t> shape,
                const std::vector<T> &values) {
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.data.resize(values.size() * sizeof(T));
  if (!values.empty())
    std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

ReadResult parse(const std::vector<uint8_t> &b) {
  return parseNpy(b.data(), b.size(), "x.npy");
}

/// Builds a .npy file from a raw header dictionary, padding it as NumPy does
/// (to \p align bytes, newline-terminated), followed by \p data.
std::vector<uint8_t> makeNpy(const std::string &dict,
                             const std::vector<uint8_t> &data = {},
                             uint8_t major = 1, size_t align = 64) {
  size_t lenSize = major == 1 ? 2 : 4;
  size_t hlen = dict.size() + 1;
  size_t pad = (align - (10 + (lenSize - 2) + hlen) % align) % align;
  hlen += pad;
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  for (size_t i = 0; i < lenSize; ++i)
    out.push_back(static_cast<uint8_t>(hlen >> (8 * i)));
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), pad, ' ');
  out.push_back('\n');
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::string f32Dict(const std::string &shape) {
  return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
}

void requireSameArray(const Array &a, const Array &b) {
  CHECK(a.dtype == b.dtype);
  CHECK(a.shape == b.shape);
  CHECK(a.data == b.data);
}

std::vector<uint8_t> readFile(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in),
                              std::istreambuf_iterator<char>());
}

void writeFile(const fs::path &p, const std::vector<uint8_t> &b) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char *>(b.data()),
            static_cast<std::streamsize>(b.size()));
}

/// A fresh, empty directory removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path =
        fs::temp_directory_path() /
        ("kiln-npy-test-" + std::to_string(reinterpret_cast<uintptr_t>(this)) +
         "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto &e : fs::directory_iterator(path))
      names.push_back(e.path().filename().string());
    return names;
  }
};

struct NumpyCase {
  const char *name;
  std::vector<uint8_t> bytes;
  Array array;
};

std::vector<NumpyCase> numpyCases() {
  std::vector<int32_t> i32(24);
  for (int i = 0; i < 24; ++i)
    i32[i] = i - 5;
  return {
      {"f32 (2, 3)", bytesOf(NumpyF32_2x3),
       makeArray<float>(DType::F32, {2, 3}, {0, 1, 2, 3, 4, 5})},
      {"f64 (2,)", bytesOf(NumpyF64_2),
       makeArray<double>(DType::F64, {2}, {1.5, -2.25})},
      {"f16 (3,)", bytesOf(NumpyF16_3),
       makeArray<uint16_t>(DType::F16, {3}, {0x3c00, 0x4000, 0xc300})},
      {"i8 (2, 2)", bytesOf(NumpyI8_2x2),
       makeArray<int8_t>(DType::I8, {2, 2}, {-1, 2, 127, -128})},
      {"i32 (2, 3, 4)", bytesOf(NumpyI32_2x3x4),
       makeArray<int32_t>(DType::I32, {2, 3, 4}, i32)},
      {"i64 ()", bytesOf(NumpyI64_scalar),
       makeArray<int64_t>(DType::I64, {}, {-42})},
      {"bool (3,)", bytesOf(NumpyBool_3),
       makeArray<uint8_t>(DType::Bool, {3}, {1, 0, 1})},
      {"f32 (0, 3)", bytesOf(NumpyF32_0x3),
       makeArray<float>(DType::F32, {0, 3}, {})},
      {"i32 (1234567, 0)", bytesOf(NumpyI32_1234567x0),
       makeArray<int32_t>(DType::I32, {1234567, 0}, {})},
      {"f32 full 64-byte padding", bytesOf(NumpyF32_pad64),
       makeArray<float>(DType::F32,
                        {0, 100, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, {})},
  };
}

bool hostIsLittleEndian() {
  uint16_t one = 1;
  uint8_t first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

} // namespace

TEST_CASE("npy: dtype names and sizes", "[npy]") {
  CHECK(std::string(dtypeName(DType::F32)) == "f32");
  CHECK(std::string(dtypeName(DType::F64)) == "f64");
  CHECK(std::string(dtypeName(DType::F16)) == "f16");
  CHECK(std::string(dtypeName(DType::I8)) == "i8");
  CHECK(std::string(dtypeName(DType::I32)) == "i32");
  CHECK(std::string(dtypeName(DType::I64)) == "i64");
  CHECK(std::string(dtypeName(DType::Bool)) == "bool");
  CHECK(dtypeSize(DType::F32) == 4);
  CHECK(dtypeSize(DType::F64) == 8);
  CHECK(dtypeSize(DType::F16) == 2);
  CHECK(dtypeSize(DType::I8) == 1);
  CHECK(dtypeSize(DType::I32) == 4);
  CHECK(dtypeSize(DType::I64) == 8);
  CHECK(dtypeSize(DType::Bool) == 1);
}

TEST_CASE("npy: numElements", "[npy]") {
  Array a;
  CHECK(a.numElements() == 1);
  a.shape = {2, 3, 4};
  CHECK(a.numElements() == 24);
  a.shape = {5, 0};
  CHECK(a.numElements() == 0);
  a.shape = {INT64_MAX, INT64_MAX, 0};
  CHECK(a.numElements() == 0);
  a.shape = {INT64_MAX, 2};
  CHECK(a.numElements() == -1);
  a.shape = {-1, 2};
  CHECK(a.numElements() == -1);
}

TEST_CASE("npy: serializeNpy is byte-identical to numpy", "[npy]") {
  REQUIRE(hostIsLittleEndian());
  for (const NumpyCase &c : numpyCases()) {
    INFO(c.name);
    CHECK(serializeNpy(c.array) == c.bytes);
  }
}

TEST_CASE("npy: parse numpy-written files", "[npy]") {
  REQUIRE(hostIsLittleEndian());
  for (const NumpyCase &c : numpyCases()) {
    INFO(c.name);
    ReadResult r = parse(c.bytes);
    REQUIRE(r.ok());
    CHECK(r.error.empty());
    requireSameArray(*r.array, c.array);
  }
}

TEST_CASE("npy: parse version 2.0 and 3.0 headers", "[npy]") {
  ReadResult r2 = parse(bytesOf(NumpyF32_3_v2));
  REQUIRE(r2.ok());
  requireSameArray(*r2.array, makeArray<float>(DType::F32, {3}, {0, 1, 2}));
  ReadResult r3 = parse(bytesOf(NumpyI64_2_v3));
  REQUIRE(r3.ok());
  requireSameArray(*r3.array, makeArray<int64_t>(DType::I64, {2}, {7, -8}));
}

TEST_CASE("npy: parse legacy 16-byte aligned header with long suffix",
          "[npy]") {
  // As written by old NumPy under Python 2.
  static const char Legacy[] =
      "\x93NUMPY\x01\x00"
      "F\x00"
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }"
      "        \n"
      "\x00\x00\x00\x00\x00\x00\x80?\x00\x00\x00@\x00\x00@@"
      "\x00\x00\x80@\x00\x00\xa0@";
  ReadResult r = parse(bytesOf(Legacy));
  REQUIRE(r.ok());
  requireSameArray(*r.array,
                   makeArray<float>(DType::F32, {2, 3}, {0, 1, 2, 3, 4, 5}));
}

TEST_CASE("npy: round trip every dtype", "[npy]") {
  std::vector<Array> arrays = {
      makeArray<float>(DType::F32, {2, 2}, {1.0f, -2.5f, 3e30f, 0.0f}),
      makeArray<double>(DType::F64, {3}, {1e300, -0.0, 42.0}),
      makeArray<uint16_t>(DType::F16, {1, 2}, {0x3c00, 0x7c00}),
      makeArray<int8_t>(DType::I8, {4}, {-128, -1, 0, 127}),
      makeArray<int32_t>(DType::I32, {2, 1}, {INT32_MIN, INT32_MAX}),
      makeArray<int64_t>(DType::I64, {2}, {INT64_MIN, INT64_MAX}),
      makeArray<uint8_t>(DType::Bool, {2, 2}, {0, 1, 1, 0}),
  };
  // 0-d and zero-sized variants of every dtype.
  for (DType t : {DType::F32, DType::F64, DType::F16, DType::I8, DType::I32,
                  DType::I64, DType::Bool}) {
    Array scalar;
    scalar.dtype = t;
    scalar.data.assign(dtypeSize(t), t == DType::Bool ? 1 : 0x5a);
    arrays.push_back(scalar);
    Array empty;
    empty.dtype = t;
    empty.shape = {3, 0, 2};
    arrays.push_back(empty);
  }
  TempDir dir;
  int index = 0;
  for (const Array &a : arrays) {
    INFO("dtype " << dtypeName(a.dtype) << ", rank " << a.shape.size());
    std::vector<uint8_t> bytes = serializeNpy(a);
    REQUIRE(!bytes.empty());
    // Data starts at a multiple of 64 and the header ends with '\n'.
    size_t dataStart = bytes.size() - a.data.size();
    CHECK(dataStart % 64 == 0);
    CHECK(bytes[dataStart - 1] == '\n');
    CHECK(bytes[6] == 1);
    ReadResult r = parse(bytes);
    REQUIRE(r.ok());
    requireSameArray(*r.array, a);

    fs::path p = dir.path / ("a" + std::to_string(index++) + ".npy");
    REQUIRE(writeNpy(p.string(), a).empty());
    CHECK(readFile(p) == bytes);
    ReadResult rf = readNpy(p.string());
    REQUIRE(rf.ok());
    requireSameArray(*rf.array, a);
  }
  // Only the written files remain: no temporaries left behind.
  CHECK(dir.entries().size() == arrays.size());
}

TEST_CASE("npy: accepted header variations", "[npy]") {
  std::vector<uint8_t> f32x3(12, 0);
  struct Case {
    const char *dict;
    DType dtype;
    std::vector<int64_t> shape;
    size_t dataBytes;
  };
  std::vector<Case> cases = {
      {"{'shape': (3,), 'fortran_order': False, 'descr': '<f4'}",
       DType::F32,
       {3},
       12},
      {"{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3,)}",
       DType::F32,
       {3},
       12},
      {"  {  'descr'  :'<f4' ,\n'fortran_order':False,\t'shape':( 3 , ) , } ",
       DType::F32,
       {3},
       12},
      {"{'descr': '=f4', 'fortran_order': False, 'shape': (3,)}",
       DType::F32,
       {3},
       12},
      {"{'descr': '|f8', 'fortran_order': False, 'shape': (1, 1)}",
       DType::F64,
       {1, 1},
       8},
      {"{'descr': '<f2', 'fortran_order': False, 'shape': ()}",
       DType::F16,
       {},
       2},
      {"{'descr': '<i1', 'fortran_order': False, 'shape': (2,)}",
       DType::I8,
       {2},
       2},
      {"{'descr': 'i1', 'fortran_order': False, 'shape': (2,)}",
       DType::I8,
       {2},
       2},
      {"{'descr': '>i1', 'fortran_order': False, 'shape': (2,)}",
       DType::I8,
       {2},
       2},
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (1,)}",
       DType::I32,
       {1},
       4},
      {"{'descr': '<i8', 'fortran_order': False, 'shape': (1,)}",
       DType::I64,
       {1},
       8},
      {"{'descr': '<b1', 'fortran_order': False, 'shape': (2,)}",
       DType::Bool,
       {2},
       2},
      {"{'descr': '?', 'fortran_order': False, 'shape': (2,)}",
       DType::Bool,
       {2},
       2},
      {"{'descr': '|?', 'fortran_order': False, 'shape': (2,)}",
       DType::Bool,
       {2},
       2},
      {"{'descr': '|i1', 'fortran_order': False, 'shape': "
       "(9223372036854775807, "
       "0)}",
       DType::I8,
       {INT64_MAX, 0},
       0},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-0, +2)}",
       DType::F32,
       {0, 2},
       0},
  };
  for (const Case &c : cases) {
    INFO(c.dict);
    ReadResult r = parse(makeNpy(c.dict, std::vector<uint8_t>(c.dataBytes, 0)));
    REQUIRE(r.ok());
    CHECK(r.array->dtype == c.dtype);
    CHECK(r.array->shape == c.shape);
    CHECK(r.array->data.size() == c.dataBytes);
  }
  // Version 2.0 with a header not aligned at all.
  ReadResult r = parse(makeNpy(f32Dict("(3,)"), f32x3, 2, 1));
  REQUIRE(r.ok());
  CHECK(r.array->shape == std::vector<int64_t>{3});
}

TEST_CASE("npy: malformed input is rejected with a clear message", "[npy]") {
  const std::vector<uint8_t> magic = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  auto withMagic = [&](std::vector<uint8_t> rest) {
    std::vector<uint8_t> b = magic;
    b.insert(b.end(), rest.begin(), rest.end());
    return b;
  };
  std::vector<uint8_t> data24(24, 0);
  auto f32x2x3 = [&](const std::string &dict) { return makeNpy(dict, data24); };
  std::string big(70000, ' ');
  std::string dims65;
  for (int i = 0; i < 65; ++i)
    dims65 += "1, ";

  struct Case {
    const char *name;
    std::vector<uint8_t> bytes;
    const char *expected;
  };
  std::vector<Case> cases = {
      {"empty file", {}, "file is empty"},
      {"bad magic", {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0}, "bad magic"},
      {"magic only", magic, "truncated header"},
      {"short magic", {0x93, 'N', 'U'}, "bad magic"},
      {"truncated header length", withMagic({1, 0, 0x76}), "truncated header"},
      {"truncated v2 header length", withMagic({2, 0, 0x76, 0, 0}),
       "truncated header"},
      {"header length past EOF", withMagic({1, 0, 0xc8, 0, '{', '}'}),
       "extends past end of file"},
      {"header length 4 GiB", withMagic({2, 0, 0xff, 0xff, 0xff, 0xff, '{'}),
       "exceeds the 1 MiB limit"},
      {"header over 1 MiB",
       makeNpy(f32Dict("(0,)") + std::string((1 << 20) + 1, ' '), {}, 2),
       "exceeds the 1 MiB limit"},
      {"unsupported version 4.0", withMagic({4, 0, 10, 0}),
       "unsupported .npy format version 4.0"},
      {"unsupported version 1.1", withMagic({1, 1, 10, 0}),
       "unsupported .npy format version 1.1"},
      {"unsupported version 0.0", withMagic({0, 0, 10, 0}),
       "unsupported .npy format version 0.0"},
      {"big-endian f4",
       f32x2x3("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }"),
       "big-endian data is not supported (descr '>f4')"},
      {"big-endian i8 network order",
       f32x2x3("{'descr': '!i8', 'fortran_order': False, 'shape': (3,), }"),
       "big-endian data is not supported (descr '!i8')"},
      {"unsigned",
       f32x2x3("{'descr': '<u4', 'fortran_order': False, 'shape': (2, 3), }"),
       "unsupported dtype descr '<u4' (supported: '<f4', '<f8', '<f2', "
       "'|i1', '<i4', '<i8', '|b1')"},
      {"complex",
       f32x2x3("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }"),
       "unsupported dtype descr '<c8'"},
      {"object",
       f32x2x3("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }"),
       "unsupported dtype descr '|O'"},
      {"unicode",
       f32x2x3("{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }"),
       "unsupported dtype descr '<U5'"},
      {"empty descr",
       f32x2x3("{'descr': '', 'fortran_order': False, 'shape': (1,), }"),
       "unsupported dtype descr ''"},
      {"structured",
       f32x2x3("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': "
               "(3,), }"),
       "structured dtypes are not supported"},
      {"descr not a string",
       f32x2x3("{'descr': 4, 'fortran_order': False, 'shape': (6,), }"),
       "expected a string value for 'descr'"},
      {"fortran order",
       f32x2x3("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"),
       "Fortran-order arrays are not supported; save with "
       "np.ascontiguousarray"},
      {"fortran order not a bool",
       f32x2x3("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }"),
       "'fortran_order' must be True or False"},
      {"negative dimension", f32x2x3(f32Dict("(-1, 3)")), "negative dimension"},
      {"overflowing shape",
       f32x2x3(f32Dict("(9223372036854775807, 9223372036854775807)")),
       "is too large: data size overflows"},
      {"overflowing byte size",
       f32x2x3("{'descr': '<f8', 'fortran_order': False, 'shape': "
               "(2305843009213693952,), }"),
       "data size overflows"},
      {"dimension literal too large",
       f32x2x3(f32Dict("(99999999999999999999999,)")),
       "does not fit in 64 bits"},
      {"huge shape without data", makeNpy(f32Dict("(1000000000000,)")),
       "truncated: expected 4000000000000 data bytes, found 0"},
      {"too many dimensions", makeNpy(f32Dict("(" + dims65 + ")")),
       "more than 64 dimensions"},
      {"truncated data", makeNpy(f32Dict("(2, 3)"), std::vector<uint8_t>(20)),
       "truncated: expected 24 data bytes, found 20"},
      {"trailing data", makeNpy(f32Dict("(2, 3)"), std::vector<uint8_t>(25)),
       "trailing bytes: expected 24 data bytes, found 25"},
      {"missing descr", f32x2x3("{'fortran_order': False, 'shape': (2, 3), }"),
       "missing required key 'descr'"},
      {"missing fortran_order", f32x2x3("{'descr': '<f4', 'shape': (2, 3), }"),
       "missing required key 'fortran_order'"},
      {"missing shape", f32x2x3("{'descr': '<f4', 'fortran_order': False, }"),
       "missing required key 'shape'"},
      {"empty dict", f32x2x3("{}"), "missing required key"},
      {"duplicate key",
       f32x2x3("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "
               "'descr': '<f4'}"),
       "duplicate key 'descr'"},
      {"unexpected key",
       f32x2x3("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "
               "'foo': 1}"),
       "unexpected key 'foo'"},
      {"bool not 0/1",
       makeNpy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
               {1, 2, 0}),
       "invalid bool value 2 at element 1"},
      {"unterminated dict",
       f32x2x3("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "),
       "unterminated dictionary"},
      {"unterminated dict after value",
       f32x2x3("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)"),
       "unterminated dictionary"},
      {"unterminated string", f32x2x3("{'descr': '<f4}"),
       "unterminated string at header offset 10"},
      {"string with newline",
       f32x2x3("{'descr': '<f4\n', 'fortran_order': False, 'shape': (2, 3)}"),
       "unterminated string"},
      {"unterminated string at end", f32x2x3("{'descr"), "unterminated string"},
      {"unterminated shape tuple", f32x2x3(f32Dict("(2, 3")),
       "expected an integer dimension in 'shape', found '}'"},
      {"header ends inside shape",
       f32x2x3("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3"),
       "unexpected end of header, expected ',' or ')' in 'shape'"},
      {"zero-size dimension does not hide overflow",
       f32x2x3(f32Dict("(9223372036854775807, 0)")), "data size overflows"},
      {"garbage header", f32x2x3("hello world"), "malformed header"},
      {"empty header", f32x2x3(""),
       "malformed header: unexpected end of header"},
      {"binary garbage header",
       makeNpy(std::string("\x01\xff\x00{", 4), data24), "malformed header"},
      {"missing colon",
       f32x2x3("{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3)}"),
       "expected ':' after key"},
      {"missing comma",
       f32x2x3("{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}"),
       "expected ',' or '}'"},
      {"double comma",
       f32x2x3("{'descr': '<f4',, 'fortran_order': False, 'shape': (2, 3)}"),
       "expected a quoted key or '}'"},
      {"unquoted key",
       f32x2x3("{descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}"),
       "expected a quoted key or '}'"},
      {"text after dict", f32x2x3(f32Dict("(2, 3)") + " x"),
       "unexpected characters after the closing '}'"},
      {"shape not a tuple", f32x2x3(f32Dict("6")), "'shape' must be a tuple"},
      {"shape parenthesized int", f32x2x3(f32Dict("(6)")),
       "write a one-element tuple as (N,)"},
      {"shape with float", f32x2x3(f32Dict("(6.0,)")),
       "invalid integer literal"},
      {"shape with hex", f32x2x3(f32Dict("(0x6,)")), "invalid integer literal"},
      {"shape with empty element", f32x2x3(f32Dict("(,)")),
       "expected an integer dimension"},
      {"huge v2 header of spaces", makeNpy(big, {}, 2), "malformed header"},
  };
  for (const Case &c : cases) {
    INFO(c.name);
    ReadResult r = parse(c.bytes);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.error, StartsWith("x.npy: "));
    CHECK_THAT(r.error, Contains(c.expected));
  }
}

TEST_CASE("npy: every truncation of a valid file is rejected", "[npy]") {
  for (const NumpyCase &c : numpyCases()) {
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      INFO(c.name << " cut to " << n << " bytes");
      ReadResult r = parseNpy(c.bytes.data(), n, "cut.npy");
      CHECK_FALSE(r.ok());
      CHECK_THAT(r.error, StartsWith("cut.npy: "));
    }
  }
  CHECK_FALSE(parseNpy(nullptr, 0, "null.npy").ok());
}

TEST_CASE("npy: serializeNpy rejects inconsistent arrays", "[npy]") {
  Array a;
  a.shape = {2, 3};
  a.data.resize(20);
  CHECK(serializeNpy(a).empty());
  a.shape = {-1};
  a.data.clear();
  CHECK(serializeNpy(a).empty());
  a.shape = {INT64_MAX, 2};
  CHECK(serializeNpy(a).empty());
}

TEST_CASE("npy: readNpy and writeNpy errors", "[npy]") {
  TempDir dir;

  SECTION("missing file") {
    std::string p = (dir.path / "missing.npy").string();
    ReadResult r = readNpy(p);
    CHECK_FALSE(r.ok());
    CHECK(r.error == p + ": cannot open: " + std::strerror(ENOENT));
  }

  SECTION("write into a nonexistent directory leaves nothing behind") {
    fs::path sub = dir.path / "no_such_dir";
    std::string p = (sub / "x.npy").string();
    std::string err = writeNpy(p, makeArray<float>(DType::F32, {1}, {1.0f}));
    CHECK_THAT(err, StartsWith(p + ": "));
    CHECK_THAT(err, Contains("cannot create temporary file"));
    CHECK_FALSE(fs::exists(sub));
    CHECK(dir.entries().empty());
  }

  SECTION("failed rename removes the temporary file") {
    fs::path target = dir.path / "target.npy";
    fs::create_directory(target);
    fs::create_directory(target / "keep"); // non-empty: rename must fail
    std::string err =
        writeNpy(target.string(), makeArray<float>(DType::F32, {1}, {1.0f}));
    CHECK_THAT(err, StartsWith(target.string() + ": "));
    CHECK_THAT(err, Contains("cannot rename"));
    CHECK(dir.entries() == std::vector<std::string>{"target.npy"});
  }

  SECTION("invalid array is not written") {
    fs::path p = dir.path / "bad.npy";
    Array a;
    a.shape = {4};
    std::string err = writeNpy(p.string(), a);
    CHECK_THAT(err, StartsWith(p.string() + ": "));
    CHECK_THAT(err, Contains("needs 16"));
    CHECK(dir.entries().empty());
  }

  SECTION("overwriting replaces the old contents") {
    fs::path p = dir.path / "x.npy";
    writeFile(p, std::vector<uint8_t>(5000, 'z'));
    Array a = makeArray<int32_t>(DType::I32, {2}, {7, 8});
    REQUIRE(writeNpy(p.string(), a).empty());
    CHECK(readFile(p) == serializeNpy(a));
    CHECK(dir.entries() == std::vector<std::string>{"x.npy"});
  }

  SECTION("malformed files on disk") {
    fs::path p = dir.path / "x.npy";
    writeFile(p, {});
    CHECK_THAT(readNpy(p.string()).error, Contains("file is empty"));
    writeFile(p, makeNpy(f32Dict("(2, 3)"), std::vector<uint8_t>(20)));
    CHECK_THAT(readNpy(p.string()).error,
               Contains(": truncated: expected 24 data bytes, found 20"));
    writeFile(p, makeNpy(f32Dict("(2, 3)"), std::vector<uint8_t>(30)));
    CHECK_THAT(readNpy(p.string()).error,
               Contains("trailing bytes: expected 24 data bytes, found 30"));
    writeFile(p, makeNpy(f32Dict("(1000000000000,)")));
    CHECK_THAT(readNpy(p.string()).error,
               Contains("truncated: expected 4000000000000 data bytes"));
    writeFile(p, makeNpy("{'descr': '|b1', 'fortran_order': False, 'shape': "
                         "(2,), }",
                         {0, 7}));
    CHECK_THAT(readNpy(p.string()).error, Contains("invalid bool value 7"));
    ReadResult r = readNpy(dir.path.string());
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.error, StartsWith(dir.path.string() + ": "));
  }

  SECTION("large file crosses the internal header buffer") {
    std::vector<float> values(600000);
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = static_cast<float>(i);
    Array a = makeArray<float>(DType::F32, {600000}, values);
    fs::path p = dir.path / "big.npy";
    REQUIRE(writeNpy(p.string(), a).empty());
    ReadResult r = readNpy(p.string());
    REQUIRE(r.ok());
    requireSameArray(*r.array, a);
    std::vector<uint8_t> bytes = readFile(p);
    bytes.pop_back();
    writeFile(p, bytes);
    CHECK_THAT(
        readNpy(p.string()).error,
        Contains("truncated: expected 2400000 data bytes, found 2399999"));
  }
}
