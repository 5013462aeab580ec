//===- TrainSupportTest.cpp - kiln-train's support library ----------------===//
//
// CRC-32C against published vectors and a bitwise reference, IDX files
// (plain and gzip) and hostile variants, dataset loading (Fashion-MNIST when
// installed), checkpoints under every single-bit flip, and the PNG plot's
// structure decoded with zlib.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/npy/Npy.h"
#include "runtime/src/train/Augment.h"
#include "runtime/src/train/Checkpoint.h"
#include "runtime/src/train/Crc32c.h"
#include "runtime/src/train/Dataset.h"
#include "runtime/src/train/Idx.h"
#include "runtime/src/train/Plot.h"

#include <catch2/catch.hpp>

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace kiln::train;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

/// A fresh, empty directory removed at scope exit.
struct TrainTempDir {
  fs::path path;
  TrainTempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("kiln-train-test-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TrainTempDir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
  }
  std::string file(const std::string &name) const {
    return (path / name).string();
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto &e : fs::directory_iterator(path))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::vector<uint8_t> slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in),
                              std::istreambuf_iterator<char>());
}

void spit(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

/// Writes \p bytes gzip-compressed with zlib's gz* API.
void spitGzip(const std::string &path, const std::vector<uint8_t> &bytes) {
  gzFile gz = gzopen(path.c_str(), "wb");
  REQUIRE(gz != nullptr);
  if (!bytes.empty())
    REQUIRE(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())) ==
            static_cast<int>(bytes.size()));
  REQUIRE(gzclose(gz) == Z_OK);
}

/// CRC-32C one bit at a time, straight from the definition.
uint32_t bitwiseCrc32c(const uint8_t *p, size_t n, uint32_t crc = 0) {
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int b = 0; b < 8; ++b)
      crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
  }
  return ~crc;
}

std::vector<uint8_t> pseudoRandomBytes(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = static_cast<uint8_t>(seed >> 24);
  }
  return v;
}

/// An IDX file: magic, big-endian dims, then \p data (already big-endian).
std::vector<uint8_t> makeIdx(uint8_t type, const std::vector<uint32_t> &dims,
                             const std::vector<uint8_t> &data) {
  std::vector<uint8_t> out = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<uint8_t>(d >> shift));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

uint32_t loadU32(const std::vector<uint8_t> &b, size_t at) {
  return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 |
         uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}

uint64_t loadU64(const std::vector<uint8_t> &b, size_t at) {
  return uint64_t(loadU32(b, at)) | uint64_t(loadU32(b, at + 4)) << 32;
}

uint32_t loadU32BigEndian(const std::vector<uint8_t> &b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 |
         uint32_t(b[at + 2]) << 8 | uint32_t(b[at + 3]);
}

template <typename T> std::vector<uint8_t> rawBytes(const std::vector<T> &v) {
  std::vector<uint8_t> out(v.size() * sizeof(T));
  if (!v.empty())
    std::memcpy(out.data(), v.data(), out.size());
  return out;
}

CheckpointTensor makeTensor(std::string name, std::string dtype,
                            std::vector<int64_t> dims,
                            std::vector<uint8_t> data) {
  CheckpointTensor t;
  t.name = std::move(name);
  t.dtype = std::move(dtype);
  t.dims = std::move(dims);
  t.data = std::move(data);
  return t;
}

/// A small checkpoint with metadata and two tensors.
Checkpoint smallCheckpoint() {
  Checkpoint c;
  c.metadata = {{"step", "1875"}, {"model", "mlp"}};
  c.tensors.push_back(makeTensor("dense/kernel", "f32", {2, 3},
                                 rawBytes<float>({1, 2, 3, 4, 5, 6})));
  c.tensors.push_back(
      makeTensor("dense/bias", "f32", {3}, rawBytes<float>({-1, 0, 1})));
  return c;
}

void requireSameCheckpoint(const Checkpoint &a, const Checkpoint &b) {
  REQUIRE(a.metadata == b.metadata);
  REQUIRE(a.tensors.size() == b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    CHECK(a.tensors[i].name == b.tensors[i].name);
    CHECK(a.tensors[i].dtype == b.tensors[i].dtype);
    CHECK(a.tensors[i].dims == b.tensors[i].dims);
    CHECK(a.tensors[i].data == b.tensors[i].data);
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// CRC-32C
//===----------------------------------------------------------------------===//

TEST_CASE("train: crc32c matches published vectors", "[train]") {
  const char *check = "123456789";
  CHECK(crc32c(check, 9) == 0xE3069283u);
  CHECK(crc32c(nullptr, 0) == 0u);
  // RFC 3720 (iSCSI) appendix B.4.
  std::vector<uint8_t> zeros(32, 0x00), ones(32, 0xFF), up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = static_cast<uint8_t>(i);
    down[i] = static_cast<uint8_t>(31 - i);
  }
  CHECK(crc32c(zeros.data(), 32) == 0x8A9136AAu);
  CHECK(crc32c(ones.data(), 32) == 0x62A8AB43u);
  CHECK(crc32c(up.data(), 32) == 0x46DD794Eu);
  CHECK(crc32c(down.data(), 32) == 0x113FDB5Cu);
}

TEST_CASE("train: crc32c agrees with a bitwise reference at every length "
          "and offset",
          "[train]") {
  // The 8-byte fast path and the byte tail must agree with the definition
  // whatever the alignment and length.
  std::vector<uint8_t> buf = pseudoRandomBytes(300, 7);
  for (size_t offset = 0; offset < 9; ++offset)
    for (size_t len = 0; len + offset <= buf.size(); len += 1 + len / 16)
      REQUIRE(crc32c(buf.data() + offset, len) ==
              bitwiseCrc32c(buf.data() + offset, len));
}

TEST_CASE("train: crc32c chains across any split", "[train]") {
  std::vector<uint8_t> buf = pseudoRandomBytes(1000, 11);
  uint32_t whole = crc32c(buf.data(), buf.size());
  for (size_t split = 0; split <= buf.size(); split += 7) {
    uint32_t head = crc32c(buf.data(), split);
    REQUIRE(crc32c(buf.data() + split, buf.size() - split, head) == whole);
  }
  CHECK(crc32c("6789", 4, crc32c("12345", 5)) == 0xE3069283u);
}

//===----------------------------------------------------------------------===//
// IDX
//===----------------------------------------------------------------------===//

TEST_CASE("train: IDX round trip of every element type, plain and gzip",
          "[train]") {
  TrainTempDir dir;
  for (bool gzip : {false, true}) {
    CAPTURE(gzip);
    auto write = [&](const std::string &name, const std::vector<uint8_t> &b) {
      std::string p = dir.file(name + (gzip ? ".gz" : ""));
      if (gzip)
        spitGzip(p, b);
      else
        spit(p, b);
      return p;
    };
    IdxArray a;

    std::string p =
        write("u8", makeIdx(0x08, {2, 3}, {0, 1, 51, 128, 254, 255}));
    REQUIRE(readIdx(p, a) == "");
    CHECK(a.type == IdxArray::Type::U8);
    CHECK(a.dims == std::vector<int64_t>{2, 3});
    CHECK(a.numElements() == 6);
    CHECK(a.toInt() == std::vector<int64_t>{0, 1, 51, 128, 254, 255});
    std::vector<float> f = a.toFloat(1.0 / 255.0);
    REQUIRE(f.size() == 6);
    CHECK(f[0] == 0.0f);
    CHECK(f[2] == Approx(0.2f));
    CHECK(f[5] == 1.0f);

    p = write("i8", makeIdx(0x09, {3}, {0x80, 0xFF, 0x7F}));
    REQUIRE(readIdx(p, a) == "");
    CHECK(a.type == IdxArray::Type::I8);
    CHECK(a.toInt() == std::vector<int64_t>{-128, -1, 127});

    // Big-endian: 0x8000 = -32768, 0x0102 = 258.
    p = write("i16", makeIdx(0x0B, {2}, {0x80, 0x00, 0x01, 0x02}));
    REQUIRE(readIdx(p, a) == "");
    CHECK(a.type == IdxArray::Type::I16);
    CHECK(a.toInt() == std::vector<int64_t>{-32768, 258});

    p = write("i32", makeIdx(0x0C, {1, 2},
                             {0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x01, 0x00, 0x00}));
    REQUIRE(readIdx(p, a) == "");
    CHECK(a.type == IdxArray::Type::I32);
    CHECK(a.dims == std::vector<int64_t>{1, 2});
    CHECK(a.toInt() == std::vector<int64_t>{-2, 65536});

    // 1.5f = 0x3FC00000, -2.0f = 0xC0000000.
    p = write("f32", makeIdx(0x0D, {2}, {0x3F, 0xC0, 0, 0, 0xC0, 0, 0, 0}));
    REQUIRE(readIdx(p, a) == "");
    CHECK(a.type == IdxArray::Type::F32);
    CHECK(a.toFloat() == std::vector<float>{1.5f, -2.0f});
    CHECK(a.toFloat(2.0) == std::vector<float>{3.0f, -4.0f});
    CHECK(a.toInt() == std::vector<int64_t>{1, -2});

    // 0.25 = 0x3FD0000000000000.
    p = write("f64", makeIdx(0x0E, {1}, {0x3F, 0xD0, 0, 0, 0, 0, 0, 0}));
    REQUIRE(readIdx(p, a) == "");
    CHECK(a.type == IdxArray::Type::F64);
    CHECK(a.toFloat() == std::vector<float>{0.25f});

    // A zero dimension is an empty array, not an error.
    p = write("empty", makeIdx(0x08, {0, 28, 28}, {}));
    REQUIRE(readIdx(p, a) == "");
    CHECK(a.dims == std::vector<int64_t>{0, 28, 28});
    CHECK(a.toFloat().empty());
  }
}

TEST_CASE("train: IDX files that lie are rejected with the path and reason",
          "[train]") {
  TrainTempDir dir;
  IdxArray untouched;
  untouched.dims = {42};
  auto check = [&](const std::string &name, const std::vector<uint8_t> &bytes,
                   bool gzip, const std::string &expected) {
    std::string p = dir.file(name + (gzip ? ".gz" : ""));
    if (gzip)
      spitGzip(p, bytes);
    else
      spit(p, bytes);
    IdxArray a = untouched;
    std::string err = readIdx(p, a);
    CAPTURE(name, gzip);
    CHECK_THAT(err, StartsWith(p + ": "));
    CHECK_THAT(err, Contains(expected));
    CHECK(a.dims == untouched.dims);
  };
  for (bool gzip : {false, true}) {
    std::string inflated = gzip ? " (after gzip decompression)" : "";
    check("truncated", makeIdx(0x08, {2, 3}, {1, 2, 3, 4}), gzip,
          "truncated: header says 6 data bytes, file has 4" + inflated);
    check("truncated-i32", makeIdx(0x0C, {3}, {0, 0, 0, 1, 0, 0}), gzip,
          "truncated: header says 12 data bytes, file has 6");
    check("trailing", makeIdx(0x08, {2}, {1, 2, 3}), gzip,
          "trailing bytes after the 2 data bytes");
    check("short-header", {0, 0}, gzip, "truncated: 2 bytes");
    check("short-dims", {0, 0, 0x08, 3, 0, 0, 0, 2, 0}, gzip,
          "truncated: header announces 3 dimensions");
    check("bad-magic", {0x12, 0x34, 0x08, 1, 0, 0, 0, 1, 7}, gzip,
          "not an IDX file: magic is 12 34 08 01");
    check("bad-type", makeIdx(0x0A, {1}, {7}), gzip,
          "unknown IDX element type 0x0a");
    check("rank-0", {0, 0, 0x08, 0}, gzip, "IDX rank 0 is out of range");
    check("rank-9", makeIdx(0x08, std::vector<uint32_t>(9, 1), {7}), gzip,
          "IDX rank 9 is out of range");
    check("overflow",
          makeIdx(0x08, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}, {}), gzip,
          "element count overflows (dims 4294967295x4294967295x4294967295)");
    check("overflow-bytes", makeIdx(0x0E, {0x80000000u, 0x80000000u, 2}, {}),
          gzip, "element count overflows");
    // 8 GiB of u8, over the default 4 GiB limit: rejected from the header.
    check("too-big", makeIdx(0x08, {65536, 65536, 2}, {}), gzip,
          "data of 8589934592 bytes (dims 65536x65536x2 of u8) exceeds the "
          "limit of 4294967296 bytes");
  }
  check("empty", {}, false, "truncated: 0 bytes");

  IdxArray a;
  std::string missing = dir.file("missing");
  CHECK(readIdx(missing, a) ==
        missing + ": cannot open: " + std::strerror(ENOENT));
}

TEST_CASE("train: IDX gzip bombs and broken gzip streams stop early",
          "[train]") {
  TrainTempDir dir;
  IdxArray a;

  SECTION("the header's size is checked against the limit before inflating") {
    std::string p = dir.file("big.gz");
    spitGzip(p, makeIdx(0x08, {1000, 1000}, std::vector<uint8_t>(1000000, 0)));
    std::string err = readIdx(p, a, 4096);
    CHECK_THAT(err, Contains("data of 1000000 bytes"));
    CHECK_THAT(err, Contains("exceeds the limit of 4096 bytes"));
    CHECK(readIdx(p, a) == "");
    CHECK(a.data.size() == 1000000);
  }

  SECTION("a small header followed by a huge stream reads one extra byte") {
    // 64 MiB of zeros deflate to ~64 KiB; the reader must not inflate them.
    std::string p = dir.file("bomb.gz");
    spitGzip(p, makeIdx(0x08, {4}, std::vector<uint8_t>(64 << 20, 0)));
    std::string err = readIdx(p, a);
    CHECK_THAT(err, Contains("trailing bytes after the 4 data bytes"));
  }

  SECTION("a gzip file cut short") {
    std::string p = dir.file("cut.gz");
    spitGzip(p, makeIdx(0x08, {100}, pseudoRandomBytes(100, 3)));
    std::vector<uint8_t> bytes = slurp(p);
    bytes.resize(bytes.size() - 6); // Into the CRC-32/size trailer.
    spit(p, bytes);
    CHECK_THAT(readIdx(p, a), Contains("truncated gzip stream"));
  }

  SECTION("a corrupt gzip trailer") {
    std::string p = dir.file("crc.gz");
    spitGzip(p, makeIdx(0x08, {100}, pseudoRandomBytes(100, 3)));
    std::vector<uint8_t> bytes = slurp(p);
    bytes[bytes.size() - 8] ^= 0x01; // The stored CRC-32.
    spit(p, bytes);
    CHECK_THAT(readIdx(p, a), Contains("corrupt gzip data"));
  }

  SECTION("concatenated gzip members read as one stream") {
    std::string p = dir.file("two.gz");
    std::vector<uint8_t> whole = makeIdx(0x08, {3}, {7, 8, 9});
    spitGzip(p + ".a", std::vector<uint8_t>(whole.begin(), whole.begin() + 5));
    spitGzip(p + ".b", std::vector<uint8_t>(whole.begin() + 5, whole.end()));
    std::vector<uint8_t> joined = slurp(p + ".a"), tail = slurp(p + ".b");
    joined.insert(joined.end(), tail.begin(), tail.end());
    spit(p, joined);
    REQUIRE(readIdx(p, a) == "");
    CHECK(a.toInt() == std::vector<int64_t>{7, 8, 9});
  }
}

//===----------------------------------------------------------------------===//
// Datasets
//===----------------------------------------------------------------------===//

TEST_CASE("train: Fashion-MNIST from /usr/share/datasets", "[train]") {
  if (!fs::exists(FashionMnistDir)) {
    WARN("skipped: " << FashionMnistDir
                     << " is absent (Debian's fashion-mnist data files)");
    return;
  }
  Dataset ds;
  REQUIRE(loadDataset("fashion-mnist", ds) == "");
  CHECK(ds.train.count == 60000);
  CHECK(ds.test.count == 10000);
  CHECK(ds.train.sampleShape == std::vector<int64_t>{28, 28});
  CHECK(ds.test.sampleShape == std::vector<int64_t>{28, 28});
  CHECK(ds.train.x.size() == size_t(60000) * 784);
  CHECK(ds.test.x.size() == size_t(10000) * 784);
  REQUIRE(ds.train.y.size() == 60000);
  REQUIRE(ds.test.y.size() == 10000);
  // The first training image is an ankle boot (class 9), and so is the
  // first test image.
  CHECK(ds.train.y[0] == 9);
  CHECK(ds.test.y[0] == 9);
  for (const Split *s : {&ds.train, &ds.test}) {
    std::vector<int64_t> perClass(10, 0);
    bool inRange = true;
    for (int64_t label : s->y) {
      inRange = inRange && label >= 0 && label <= 9;
      if (label >= 0 && label <= 9)
        ++perClass[label];
    }
    CHECK(inRange);
    // Fashion-MNIST is balanced: 6000 (train) or 1000 (test) per class.
    for (int64_t n : perClass)
      CHECK(n == s->count / 10);
    float lo = 1, hi = 0;
    for (float v : s->x) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    CHECK(lo == 0.0f);
    CHECK(hi == 1.0f);
  }
  CHECK_THAT(ds.description, Contains("60000 train, 10000 test"));
  CHECK_THAT(ds.description, Contains("28x28"));
}

TEST_CASE("train: loadDataset from IDX files, plain or gzip", "[train]") {
  TrainTempDir dir;
  // Two 2x2 training images, one test image; labels 3, 0 and 1.
  spit(dir.file("train-images-idx3-ubyte"),
       makeIdx(0x08, {2, 2, 2}, {0, 255, 51, 102, 255, 0, 0, 0}));
  spitGzip(dir.file("train-labels-idx1-ubyte.gz"), makeIdx(0x08, {2}, {3, 0}));
  spitGzip(dir.file("t10k-images-idx3-ubyte.gz"),
           makeIdx(0x08, {1, 2, 2}, {255, 255, 255, 255}));
  spit(dir.file("t10k-labels-idx1-ubyte"), makeIdx(0x08, {1}, {1}));

  Dataset ds;
  REQUIRE(loadDataset(dir.path.string(), ds) == "");
  CHECK(ds.train.count == 2);
  CHECK(ds.test.count == 1);
  CHECK(ds.train.sampleShape == std::vector<int64_t>{2, 2});
  CHECK(ds.train.y == std::vector<int64_t>{3, 0});
  CHECK(ds.test.y == std::vector<int64_t>{1});
  REQUIRE(ds.train.x.size() == 8);
  CHECK(ds.train.x[0] == 0.0f);
  CHECK(ds.train.x[1] == 1.0f);
  CHECK(ds.train.x[2] == Approx(0.2f));
  CHECK(ds.train.x[3] == Approx(0.4f));
  CHECK(ds.test.x == std::vector<float>(4, 1.0f));

  SECTION("image and label counts must agree") {
    spit(dir.file("t10k-labels-idx1-ubyte"), makeIdx(0x08, {2}, {1, 2}));
    Dataset other;
    std::string err = loadDataset(dir.path.string(), other);
    CHECK(err == dir.file("t10k-images-idx3-ubyte.gz") + " has 1 images but " +
                     dir.file("t10k-labels-idx1-ubyte") + " has 2 labels");
    CHECK(other.train.count == 0);
  }
  SECTION("labels must be integers") {
    spit(dir.file("t10k-labels-idx1-ubyte"),
         makeIdx(0x0D, {1}, {0x3F, 0x80, 0, 0}));
    std::string err = loadDataset(dir.path.string(), ds);
    CHECK(err == dir.file("t10k-labels-idx1-ubyte") +
                     ": labels have non-integer element type f32; expected "
                     "u8, i8, i16 or i32");
  }
  SECTION("labels must not be negative") {
    spit(dir.file("t10k-labels-idx1-ubyte"), makeIdx(0x09, {1}, {0xFF}));
    CHECK_THAT(loadDataset(dir.path.string(), ds),
               Contains("label -1 at index 0 is negative"));
  }
  SECTION("train and test samples must have one shape") {
    spitGzip(dir.file("t10k-images-idx3-ubyte.gz"),
             makeIdx(0x08, {1, 4}, {1, 2, 3, 4}));
    CHECK_THAT(loadDataset(dir.path.string(), ds),
               Contains("test samples are 4 but training samples"));
  }
  SECTION("a missing file is named, with what was looked for") {
    fs::remove(dir.file("t10k-labels-idx1-ubyte"));
    std::string err = loadDataset(dir.path.string(), ds);
    CHECK_THAT(err,
               StartsWith(dir.path.string() +
                          ": incomplete dataset: missing "
                          "t10k-labels-idx1-ubyte[.gz] (looked for IDX files "
                          "train-images-idx3-ubyte[.gz]"));
    CHECK_THAT(err, Contains("x_train.npy, y_train.npy, x_test.npy, "
                             "y_test.npy"));
  }
  SECTION("a broken file's error passes through") {
    spit(dir.file("train-images-idx3-ubyte"), makeIdx(0x08, {2, 2, 2}, {1}));
    CHECK(loadDataset(dir.path.string(), ds) ==
          dir.file("train-images-idx3-ubyte") +
              ": truncated: header says 8 data bytes, file has 1");
  }
}

TEST_CASE("train: loadDataset from .npy files", "[train]") {
  using kiln::npy::Array;
  using kiln::npy::DType;
  using kiln::npy::writeNpy;
  auto array = [](DType dtype, std::vector<int64_t> shape,
                  std::vector<uint8_t> data) {
    Array a;
    a.dtype = dtype;
    a.shape = std::move(shape);
    a.data = std::move(data);
    return a;
  };
  TrainTempDir dir;
  REQUIRE(writeNpy(dir.file("x_train.npy"),
                   array(DType::F32, {2, 3},
                         rawBytes<float>({0.5f, -1, 2, 3, 4, 5}))) == "");
  REQUIRE(writeNpy(dir.file("y_train.npy"),
                   array(DType::I64, {2}, rawBytes<int64_t>({4, 7}))) == "");
  REQUIRE(writeNpy(dir.file("x_test.npy"),
                   array(DType::F64, {1, 3}, rawBytes<double>({0.25, 1, 2}))) ==
          "");
  REQUIRE(writeNpy(dir.file("y_test.npy"),
                   array(DType::I32, {1, 1}, rawBytes<int32_t>({2}))) == "");

  Dataset ds;
  REQUIRE(loadDataset(dir.path.string(), ds) == "");
  CHECK(ds.train.count == 2);
  CHECK(ds.train.sampleShape == std::vector<int64_t>{3});
  // Float images are kept as they are, not rescaled.
  CHECK(ds.train.x == std::vector<float>{0.5f, -1, 2, 3, 4, 5});
  CHECK(ds.train.y == std::vector<int64_t>{4, 7});
  CHECK(ds.test.x == std::vector<float>{0.25f, 1, 2});
  CHECK(ds.test.y == std::vector<int64_t>{2});
  CHECK_THAT(ds.description, Contains(".npy"));

  SECTION("float labels are rejected") {
    REQUIRE(writeNpy(dir.file("y_test.npy"),
                     array(DType::F32, {1}, rawBytes<float>({2}))) == "");
    CHECK(loadDataset(dir.path.string(), ds) ==
          dir.file("y_test.npy") +
              ": labels have non-integer dtype f32; expected i8, i32 or i64");
  }
  SECTION("a missing .npy file is named") {
    fs::remove(dir.file("y_test.npy"));
    CHECK_THAT(loadDataset(dir.path.string(), ds),
               Contains("incomplete dataset: missing y_test.npy"));
  }
}

TEST_CASE("train: loadDataset with nothing to load", "[train]") {
  TrainTempDir dir;
  Dataset ds;
  CHECK_THAT(loadDataset(dir.path.string(), ds),
             StartsWith(dir.path.string() +
                        ": no dataset files found (looked for IDX files "
                        "train-images-idx3-ubyte[.gz]"));
  std::string nowhere = dir.file("nowhere");
  CHECK_THAT(loadDataset(nowhere, ds),
             StartsWith(nowhere + ": not a directory"));
}

//===----------------------------------------------------------------------===//
// Checkpoints
//===----------------------------------------------------------------------===//

TEST_CASE("train: checkpoint round trip", "[train]") {
  TrainTempDir dir;
  Checkpoint c;
  c.metadata = {{"step", "1875"},
                {"epoch", "3"},
                {"empty", ""},
                {"utf8", "\xc3\xa9t\xc3\xa9"}};
  c.tensors.push_back(
      makeTensor("w", "f32", {2, 2}, rawBytes<float>({1, -2, 3.5f, 1e-30f})));
  c.tensors.push_back(
      makeTensor("adam/m", "f64", {3}, rawBytes<double>({0.1, 0.2, 0.3})));
  c.tensors.push_back(makeTensor("step", "i64", {}, rawBytes<int64_t>({-7})));
  c.tensors.push_back(
      makeTensor("idx", "i32", {1, 1, 2}, rawBytes<int32_t>({2147483647, -5})));
  c.tensors.push_back(makeTensor("mask", "u8", {5}, {0, 1, 2, 254, 255}));
  c.tensors.push_back(makeTensor("none", "f32", {0, 3}, {}));
  std::string p = dir.file("ckpt.kckpt");
  REQUIRE(writeCheckpoint(p, c) == "");
  CHECK(dir.entries() == std::vector<std::string>{"ckpt.kckpt"});

  Checkpoint back;
  REQUIRE(readCheckpoint(p, back) == "");
  requireSameCheckpoint(c, back);

  // Overwriting replaces the file and leaves no temporary behind.
  c.tensors.resize(1);
  REQUIRE(writeCheckpoint(p, c) == "");
  REQUIRE(readCheckpoint(p, back) == "");
  requireSameCheckpoint(c, back);
  CHECK(dir.entries() == std::vector<std::string>{"ckpt.kckpt"});

  // An empty checkpoint is valid too.
  REQUIRE(writeCheckpoint(p, Checkpoint()) == "");
  REQUIRE(readCheckpoint(p, back) == "");
  CHECK(back.metadata.empty());
  CHECK(back.tensors.empty());
}

TEST_CASE("train: checkpoint bytes follow the documented layout", "[train]") {
  TrainTempDir dir;
  std::string p = dir.file("c.kckpt");
  Checkpoint c = smallCheckpoint();
  REQUIRE(writeCheckpoint(p, c) == "");
  std::vector<uint8_t> b = slurp(p);
  REQUIRE(b.size() >= 52);
  CHECK(std::string(b.begin(), b.begin() + 8) == "KILNCKPT");
  CHECK(loadU32(b, 8) == 1);
  CHECK(loadU32(b, 12) == 2);
  CHECK(loadU32(b, 16) == 2);
  CHECK(loadU32(b, 20) == 0);
  uint64_t m = loadU64(b, 24), t = loadU64(b, 32), d = loadU64(b, 40);
  CHECK(loadU32(b, 48) == crc32c(b.data(), 48));
  // Metadata: (4 + 4) + (4 + 4) for "step"/"1875", (4 + 5) + (4 + 3).
  CHECK(m == 8 + 8 + 9 + 7);
  CHECK(d == 24 + 12);
  REQUIRE(b.size() == 52 + m + 4 + t + 4 + d);
  CHECK(loadU32(b, 52 + m) == crc32c(b.data() + 52, m));
  CHECK(loadU32(b, 52 + m + 4 + t) == crc32c(b.data() + 52 + m + 4, t));
  // The data section is the tensors' bytes back to back.
  std::vector<uint8_t> data(b.end() - static_cast<long>(d), b.end());
  std::vector<uint8_t> expected = c.tensors[0].data;
  expected.insert(expected.end(), c.tensors[1].data.begin(),
                  c.tensors[1].data.end());
  CHECK(data == expected);
}

TEST_CASE("train: every single-bit flip in a checkpoint is detected",
          "[train]") {
  TrainTempDir dir;
  std::string p = dir.file("step-00001875.kckpt");
  Checkpoint c = smallCheckpoint();
  REQUIRE(writeCheckpoint(p, c) == "");
  const std::vector<uint8_t> good = slurp(p);
  uint64_t m = loadU64(good, 24), t = loadU64(good, 32);
  size_t dataStart = 52 + m + 4 + t + 4;
  size_t biasStart = dataStart + c.tensors[0].data.size();
  REQUIRE(good.size() == biasStart + c.tensors[1].data.size());

  std::string corrupt = dir.file("corrupt.kckpt");
  size_t failures = 0;
  for (size_t byte = 0; byte < good.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> bad = good;
      bad[byte] ^= static_cast<uint8_t>(1u << bit);
      spit(corrupt, bad);
      Checkpoint out;
      out.metadata = {{"sentinel", "1"}};
      std::string err = readCheckpoint(corrupt, out);
      CAPTURE(byte, bit, err);
      if (err.empty())
        continue;
      ++failures;
      CHECK_THAT(err, StartsWith(corrupt + ": "));
      CHECK(out.metadata.size() == 1); // Untouched on failure.
      if (byte < 8)
        CHECK_THAT(err, Contains("bad magic"));
      else if (byte < 52)
        CHECK((err.find("header is corrupt (CRC32C mismatch") !=
                   std::string::npos ||
               err.find("unsupported checkpoint format version") !=
                   std::string::npos));
      else if (byte < 52 + m + 4)
        CHECK_THAT(err, Contains("metadata is corrupt (CRC32C mismatch"));
      else if (byte < dataStart)
        CHECK_THAT(err, Contains("tensor table is corrupt (CRC32C mismatch"));
      else if (byte < biasStart)
        CHECK_THAT(err, Contains("tensor 'dense/kernel' is corrupt (CRC32C "
                                 "mismatch: stored 0x"));
      else
        CHECK_THAT(err, Contains("tensor 'dense/bias' is corrupt (CRC32C "
                                 "mismatch: stored 0x"));
    }
  }
  CHECK(failures == good.size() * 8);

  // The message names both CRCs.
  std::vector<uint8_t> bad = good;
  bad[dataStart] ^= 1;
  spit(corrupt, bad);
  Checkpoint out;
  std::string err = readCheckpoint(corrupt, out);
  char expected[128];
  std::snprintf(expected, sizeof(expected),
                ": tensor 'dense/kernel' is corrupt (CRC32C mismatch: stored "
                "0x%08x, computed 0x%08x)",
                crc32c(good.data() + dataStart, 24),
                crc32c(bad.data() + dataStart, 24));
  CHECK(err == corrupt + expected);
}

TEST_CASE("train: truncated, extended and forged checkpoints are rejected",
          "[train]") {
  TrainTempDir dir;
  std::string p = dir.file("c.kckpt");
  REQUIRE(writeCheckpoint(p, smallCheckpoint()) == "");
  const std::vector<uint8_t> good = slurp(p);
  std::string q = dir.file("bad.kckpt");
  Checkpoint out;

  for (size_t len = 0; len < good.size(); ++len) {
    spit(q, std::vector<uint8_t>(good.begin(), good.begin() + len));
    CAPTURE(len);
    REQUIRE_THAT(readCheckpoint(q, out), StartsWith(q + ": "));
  }
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  spit(q, longer);
  CHECK_THAT(readCheckpoint(q, out),
             Contains("size mismatch: the header describes " +
                      std::to_string(good.size()) + " bytes, the file has " +
                      std::to_string(good.size() + 1)));

  // A header with a valid CRC that claims an enormous data section: the
  // sizes are checked against the file before anything is allocated.
  std::vector<uint8_t> forged = good;
  for (int i = 0; i < 8; ++i)
    forged[40 + i] = 0xFF;
  uint32_t crc = crc32c(forged.data(), 48);
  for (int i = 0; i < 4; ++i)
    forged[48 + i] = static_cast<uint8_t>(crc >> (8 * i));
  spit(q, forged);
  CHECK_THAT(readCheckpoint(q, out),
             Contains("size mismatch: the header describes more than 2^64"));

  // Same for an oversized metadata section.
  forged = good;
  forged[31] = 0x01;
  crc = crc32c(forged.data(), 48);
  for (int i = 0; i < 4; ++i)
    forged[48 + i] = static_cast<uint8_t>(crc >> (8 * i));
  spit(q, forged);
  CHECK_THAT(readCheckpoint(q, out), Contains("exceed the limits"));

  std::string missing = dir.file("missing.kckpt");
  CHECK(readCheckpoint(missing, out) ==
        missing + ": cannot open: " + std::strerror(ENOENT));
  spit(q, {'K', 'I', 'L', 'N'});
  CHECK_THAT(readCheckpoint(q, out), Contains("too small"));
  CHECK_THAT(readCheckpoint(dir.path.string(), out),
             Contains("not a regular file"));
}

TEST_CASE("train: invalid checkpoints are not written", "[train]") {
  TrainTempDir dir;
  std::string p = dir.file("c.kckpt");
  auto rejects = [&](const Checkpoint &c, const std::string &why) {
    std::string err = writeCheckpoint(p, c);
    CHECK_THAT(err, StartsWith(p + ": cannot write checkpoint: "));
    CHECK_THAT(err, Contains(why));
    CHECK(dir.entries().empty());
  };
  Checkpoint c = smallCheckpoint();
  c.tensors[0].dtype = "bf16";
  rejects(c, "unknown dtype 'bf16'");
  c = smallCheckpoint();
  c.tensors[0].data.pop_back();
  rejects(c, "tensor 'dense/kernel' has 23 data bytes, its dims and f32 need "
             "24");
  c = smallCheckpoint();
  c.tensors[1].name = "dense/kernel";
  rejects(c, "duplicate tensor name 'dense/kernel'");
  c = smallCheckpoint();
  c.tensors[1].dims = {-3};
  rejects(c, "negative dimension");
  c = smallCheckpoint();
  c.tensors[1].name = "";
  rejects(c, "is empty");
  c = smallCheckpoint();
  c.metadata.push_back({"step", "2"});
  rejects(c, "duplicate metadata key 'step'");
  c = smallCheckpoint();
  c.tensors[1].dims = std::vector<int64_t>(17, 1);
  rejects(c, "rank 17");
}

TEST_CASE("train: a failed checkpoint write leaves the old file intact",
          "[train]") {
  TrainTempDir dir;
  std::string p = dir.file("c.kckpt");
  Checkpoint old = smallCheckpoint();
  REQUIRE(writeCheckpoint(p, old) == "");
  const std::vector<uint8_t> oldBytes = slurp(p);
  Checkpoint next = smallCheckpoint();
  next.metadata[0].second = "3750";

  SECTION("nonexistent directory") {
    std::string q = dir.file("no/such/dir/c.kckpt");
    std::string err = writeCheckpoint(q, next);
    CHECK_THAT(err, StartsWith(q + ": cannot create temporary file"));
    CHECK(dir.entries() == std::vector<std::string>{"c.kckpt"});
  }
  SECTION("the temporary file cannot be created") {
    std::string tmp = p + ".tmp." + std::to_string(::getpid());
    fs::create_directory(tmp);
    std::string err = writeCheckpoint(p, next);
    CHECK_THAT(err, StartsWith(p + ": cannot create temporary file '" + tmp));
    fs::remove(tmp);
  }
  SECTION("rename fails") {
    // The target is a non-empty directory: the temporary is written, the
    // rename fails and the temporary is removed.
    std::string q = dir.file("taken");
    fs::create_directories(fs::path(q) / "keep");
    std::string err = writeCheckpoint(q, next);
    CHECK_THAT(err, StartsWith(q + ": cannot rename temporary file"));
    CHECK(dir.entries() == std::vector<std::string>{"c.kckpt", "taken"});
  }
  SECTION("read-only directory") {
    if (::geteuid() == 0) {
      WARN("skipped the read-only directory case: running as root, which "
           "ignores directory permissions");
    } else {
      fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
      std::string err = writeCheckpoint(p, next);
      fs::permissions(dir.path, fs::perms::owner_all);
      CHECK_THAT(err, StartsWith(p + ": cannot create temporary file"));
    }
  }
  CHECK(slurp(p) == oldBytes);
  Checkpoint back;
  REQUIRE(readCheckpoint(p, back) == "");
  requireSameCheckpoint(old, back);
}

//===----------------------------------------------------------------------===//
// PNG plot
//===----------------------------------------------------------------------===//

namespace {

struct DecodedPng {
  uint32_t width = 0, height = 0;
  uint8_t bitDepth = 0, colorType = 0;
  /// Decompressed IDAT: height rows of a filter byte and width RGB pixels.
  std::vector<uint8_t> scanlines;
};

/// Walks the chunks of \p png, checking each CRC, and inflates IDAT.
DecodedPng decodePng(const std::vector<uint8_t> &png) {
  DecodedPng out;
  const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  REQUIRE(png.size() > 8);
  REQUIRE(std::memcmp(png.data(), signature, 8) == 0);
  std::vector<uint8_t> idat;
  std::vector<std::string> types;
  size_t at = 8;
  while (at < png.size()) {
    REQUIRE(at + 12 <= png.size());
    uint32_t len = loadU32BigEndian(png, at);
    REQUIRE(at + 12 + len <= png.size());
    std::string type(png.begin() + at + 4, png.begin() + at + 8);
    types.push_back(type);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, png.data() + at + 4, 4 + len);
    CHECK(loadU32BigEndian(png, at + 8 + len) == crc);
    const uint8_t *data = png.data() + at + 8;
    if (type == "IHDR") {
      REQUIRE(len == 13);
      out.width = loadU32BigEndian(png, at + 8);
      out.height = loadU32BigEndian(png, at + 12);
      out.bitDepth = data[8];
      out.colorType = data[9];
    } else if (type == "IDAT") {
      idat.insert(idat.end(), data, data + len);
    }
    at += 12 + len;
  }
  REQUIRE(types.size() >= 3);
  CHECK(types.front() == "IHDR");
  CHECK(types.back() == "IEND");
  uLongf size = uLongf(out.height) * (1 + 3 * uLongf(out.width)) + 1;
  out.scanlines.resize(size);
  REQUIRE(uncompress(out.scanlines.data(), &size, idat.data(),
                     static_cast<uLong>(idat.size())) == Z_OK);
  out.scanlines.resize(size);
  return out;
}

/// How many pixels have exactly the colour \p rgb.
size_t countPixels(const DecodedPng &png, uint32_t rgb) {
  size_t stride = 1 + 3 * size_t(png.width), count = 0;
  for (size_t y = 0; y < png.height; ++y)
    for (size_t x = 0; x < png.width; ++x) {
      const uint8_t *p = &png.scanlines[y * stride + 1 + 3 * x];
      count += (uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]) == rgb;
    }
  return count;
}

/// The legend's line sample of one series, in pixels.
constexpr size_t LegendSamplePixels = 18 * 2;

} // namespace

TEST_CASE("train: training plot PNG structure", "[train]") {
  TrainTempDir dir;
  PlotSeries trainLoss{"train", {}, {}, 0x1f77b4};
  PlotSeries valLoss{"validation", {}, {}, 0xd62728};
  PlotSeries trainAcc{"train", {}, {}, 0x2ca02c};
  for (int epoch = 1; epoch <= 20; ++epoch) {
    trainLoss.x.push_back(epoch);
    trainLoss.y.push_back(2.3 * std::exp(-0.2 * epoch));
    valLoss.x.push_back(epoch);
    valLoss.y.push_back(2.4 * std::exp(-0.18 * epoch) + 0.05);
    trainAcc.x.push_back(epoch);
    trainAcc.y.push_back(1 - 0.9 * std::exp(-0.25 * epoch));
  }
  valLoss.y[5] = NAN; // A gap, not a failure.

  std::string p = dir.file("curves.png");
  REQUIRE(writeTrainingPlotPng(p, {trainLoss, valLoss}, {trainAcc}) == "");
  CHECK(dir.entries() == std::vector<std::string>{"curves.png"});
  DecodedPng png = decodePng(slurp(p));
  CHECK(png.width == uint32_t(TrainingPlotWidth));
  CHECK(png.height == uint32_t(TrainingPlotHeight));
  CHECK(png.bitDepth == 8);
  CHECK(png.colorType == 2);
  REQUIRE(png.scanlines.size() == size_t(png.height) * (1 + 3 * png.width));
  // White background in a corner; every series is drawn as a curve (many
  // more pixels of its colour than its legend sample has).
  CHECK(png.scanlines[1] == 0xff);
  CHECK(png.scanlines[2] == 0xff);
  CHECK(png.scanlines[3] == 0xff);
  for (size_t i = 0; i < png.height; ++i)
    REQUIRE(png.scanlines[i * (1 + 3 * png.width)] == 0); // Filter: none.
  CHECK(countPixels(png, 0x1f77b4) > LegendSamplePixels + 100);
  CHECK(countPixels(png, 0xd62728) > LegendSamplePixels + 100);
  CHECK(countPixels(png, 0x2ca02c) > LegendSamplePixels + 100);

  SECTION("empty panels still make a valid image") {
    REQUIRE(writeTrainingPlotPng(p, {}, {}) == "");
    DecodedPng empty = decodePng(slurp(p));
    CHECK(empty.scanlines.size() ==
          size_t(empty.height) * (1 + 3 * empty.width));
    CHECK(countPixels(empty, 0x1f77b4) == 0);
  }
  SECTION("single points and constant series") {
    PlotSeries one{"one", {3}, {0.5}, 0x9467bd};
    PlotSeries flat{"flat", {0, 1, 2}, {1, 1, 1}, 0x8c564b};
    REQUIRE(writeTrainingPlotPng(p, {one}, {flat}) == "");
    DecodedPng img = decodePng(slurp(p));
    CHECK(countPixels(img, 0x9467bd) >= LegendSamplePixels);
    CHECK(countPixels(img, 0x8c564b) > LegendSamplePixels + 100);
  }
  SECTION("x and y of different lengths") {
    PlotSeries bad{"bad", {1, 2}, {1}, 0};
    CHECK(writeTrainingPlotPng(p, {bad}, {}) ==
          p + ": cannot plot series 'bad': 2 x values but 1 y values");
  }
  SECTION("nonexistent directory") {
    std::string q = dir.file("no/such/dir/curves.png");
    CHECK_THAT(writeTrainingPlotPng(q, {trainLoss}, {trainAcc}),
               StartsWith(q + ": cannot create temporary file"));
  }
}

TEST_CASE("augmentImage mirrors and translates with zero fill", "[train]") {
  using kiln::train::Augmentation;
  using kiln::train::augmentImage;
  using kiln::train::ImageShape;
  // A 3x4 image of two channels: value = 100·row + 10·col + channel + 1, so
  // that every pixel and channel is distinct and none is zero.
  const ImageShape shape{3, 4, 2};
  std::vector<float> src(3 * 4 * 2), dst(src.size(), -1.0f);
  auto at = [&](const std::vector<float> &img, int64_t r, int64_t c, int64_t ch) {
    return img[(r * 4 + c) * 2 + ch];
  };
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t c = 0; c < 4; ++c)
      for (int64_t ch = 0; ch < 2; ++ch)
        src[(r * 4 + c) * 2 + ch] = 100.0f * r + 10.0f * c + ch + 1;

  SECTION("identity") {
    augmentImage(dst.data(), src.data(), shape, Augmentation{});
    CHECK(dst == src);
  }
  SECTION("mirror keeps channels in order") {
    augmentImage(dst.data(), src.data(), shape, Augmentation{true, 0, 0});
    for (int64_t r = 0; r < 3; ++r)
      for (int64_t c = 0; c < 4; ++c)
        for (int64_t ch = 0; ch < 2; ++ch)
          CHECK(at(dst, r, c, ch) == at(src, r, 3 - c, ch));
  }
  SECTION("shift down-left, zero fill") {
    augmentImage(dst.data(), src.data(), shape, Augmentation{false, 1, -2});
    for (int64_t r = 0; r < 3; ++r)
      for (int64_t c = 0; c < 4; ++c)
        for (int64_t ch = 0; ch < 2; ++ch) {
          int64_t sr = r - 1, sc = c + 2;
          float want = sr >= 0 && sc < 4 ? at(src, sr, sc, ch) : 0.0f;
          CHECK(at(dst, r, c, ch) == want);
        }
  }
  SECTION("mirror then shift") {
    augmentImage(dst.data(), src.data(), shape, Augmentation{true, -1, 1});
    for (int64_t r = 0; r < 3; ++r)
      for (int64_t c = 0; c < 4; ++c)
        for (int64_t ch = 0; ch < 2; ++ch) {
          int64_t sr = r + 1, sc = c - 1;
          float want = sr < 3 && sc >= 0 ? at(src, sr, 3 - sc, ch) : 0.0f;
          CHECK(at(dst, r, c, ch) == want);
        }
  }
  SECTION("a shift beyond the image leaves zeros") {
    augmentImage(dst.data(), src.data(), shape, Augmentation{false, 0, 4});
    CHECK(std::all_of(dst.begin(), dst.end(), [](float v) { return v == 0.0f; }));
  }
}
