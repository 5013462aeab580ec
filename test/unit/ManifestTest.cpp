// Unit tests for the artifact manifest parser (runtime/src/Manifest.cpp):
// every field of the untrusted manifest is bounds- and range-checked.
#include "runtime/src/Manifest.h"
#include "test/unit/artifacts/ManifestWriter.h"

#include <catch2/catch.hpp>

using namespace kiln::rt;
using Catch::Matchers::Contains;
using kiln::test::ManifestWriter;

namespace {

/// One function `f(x: f32[2,3]) -> y: i64[]` with entry 0 and a 64-byte
/// arena, in a manifest declaring 128 bytes of weights.
ManifestWriter validManifest(uint32_t version = 3) {
  ManifestWriter m;
  m.version = version;
  m.header(128, 0x1234, 1);
  m.function("f", 0, 64, 13).u32(1).tensor("x", KILN_DTYPE_F32, {2, 3});
  m.u32(1).tensor("y", KILN_DTYPE_I64, {});
  return m;
}

std::string parse(const ManifestWriter &m, uint64_t numEntries = 1) {
  Manifest out;
  return parseManifest(m.bytes.data(), m.bytes.size(), numEntries, out);
}

/// A manifest whose one function has input `x` of `dtype` and `dims`.
ManifestWriter withInput(uint32_t dtype, const std::vector<int64_t> &dims) {
  ManifestWriter m;
  m.header(0, 0, 1).function("f", 0, 0).u32(1).str("x").u32(dtype);
  m.u32(static_cast<uint32_t>(dims.size()));
  for (int64_t d : dims)
    m.i64(d);
  m.u32(0);
  return m;
}

} // namespace

TEST_CASE("manifest: a valid manifest parses into names, types and sizes",
          "[runtime][manifest]") {
  ManifestWriter m = validManifest();
  Manifest out;
  REQUIRE(parseManifest(m.bytes.data(), m.bytes.size(), 1, out) == "");
  CHECK(out.formatVersion == 3);
  CHECK(out.device == "cpu");
  CHECK(out.kernels.empty());
  CHECK(out.producer == "kiln-test");
  CHECK(out.targetCpu == "generic");
  CHECK(out.weightsSize == 128);
  CHECK(out.weightsChecksum == 0x1234);
  REQUIRE(out.functions.size() == 1);
  const ManifestFunction &f = out.functions[0];
  CHECK(f.name == "f");
  CHECK(f.arenaSize == 64);
  CHECK(f.deviceCalls == 13);
  REQUIRE(f.inputs.size() == 1);
  CHECK(f.inputs[0].dims == std::vector<int64_t>{2, 3});
  CHECK(f.inputs[0].elementCount == 6);
  CHECK(f.inputs[0].byteSize == 24);
  REQUIRE(f.outputs.size() == 1);
  CHECK(f.outputs[0].dtype == KILN_DTYPE_I64);
  CHECK(f.outputs[0].elementCount == 1); // a scalar
  CHECK(f.outputs[0].byteSize == 8);
}

TEST_CASE("manifest: format version 2 (no device call counts) still parses",
          "[runtime][manifest]") {
  ManifestWriter m = validManifest(2);
  Manifest out;
  REQUIRE(parseManifest(m.bytes.data(), m.bytes.size(), 1, out) == "");
  CHECK(out.formatVersion == 2);
  REQUIRE(out.functions.size() == 1);
  CHECK(out.functions[0].arenaSize == 64);
  CHECK(out.functions[0].deviceCalls == 0);
  CHECK(out.functions[0].inputs.size() == 1);
  // A version 3 header over version 2 fields misreads the input count as
  // part of the device call count and fails, it does not misparse quietly.
  ManifestWriter mixed = validManifest(2);
  mixed.bytes[4] = 3;
  CHECK(parse(mixed) != "");
}

TEST_CASE("manifest: every truncation is an error, never a crash",
          "[runtime][manifest]") {
  for (uint32_t version : {2u, 3u}) {
    ManifestWriter m = validManifest(version);
    for (size_t size = 0; size < m.bytes.size(); ++size) {
      Manifest out;
      // A copy of exactly `size` bytes, so a read past it is caught by ASan.
      std::vector<uint8_t> prefix(m.bytes.begin(), m.bytes.begin() + size);
      std::string error = parseManifest(prefix.data(), size, 1, out);
      INFO("truncated to " << size << " bytes");
      CHECK_THAT(error, Contains("truncated") || Contains("remain"));
    }
  }
}

TEST_CASE("manifest: trailing bytes are rejected", "[runtime][manifest]") {
  ManifestWriter m = validManifest();
  m.u32(0);
  CHECK_THAT(parse(m), Contains("4 trailing bytes after the last function"));
}

TEST_CASE("manifest: bad magic and unknown format versions are rejected",
          "[runtime][manifest]") {
  ManifestWriter m = validManifest();
  m.bytes[0] = 'X';
  CHECK_THAT(parse(m), Contains("bad magic"));
  ManifestWriter v1 = validManifest();
  v1.bytes[4] = 1;
  CHECK_THAT(parse(v1),
             Contains("format version 1, this runtime reads 2 and 3"));
  ManifestWriter v4 = validManifest();
  v4.bytes[4] = 4;
  CHECK_THAT(parse(v4),
             Contains("format version 4, this runtime reads 2 and 3"));
}

TEST_CASE("manifest: ranks above 16 are rejected before reading dims",
          "[runtime][manifest]") {
  CHECK(parse(withInput(KILN_DTYPE_F32, std::vector<int64_t>(16, 1))) == "");
  ManifestWriter m = withInput(KILN_DTYPE_F32, {});
  // Rewrite the rank to 17 with no dims after it.
  m.bytes.resize(m.bytes.size() - 8);
  m.u32(17).u32(0);
  CHECK_THAT(parse(m), Contains("has rank 17, more than 16"));
}

TEST_CASE("manifest: negative dims, unknown dtypes and overflowing sizes are "
          "rejected",
          "[runtime][manifest]") {
  CHECK_THAT(parse(withInput(KILN_DTYPE_F32, {2, -1})),
             Contains("input #0 'x' has negative dimension -1"));
  CHECK_THAT(parse(withInput(99, {2})), Contains("unknown dtype 99"));
  CHECK_THAT(parse(withInput(KILN_DTYPE_INVALID, {2})),
             Contains("unknown dtype 0"));
  // 2^62 one-byte elements fit in 64 bits; as 8-byte elements (2^65 bytes)
  // they do not; 2^93 elements overflow the element count itself.
  int64_t big = int64_t{1} << 31;
  CHECK(parse(withInput(KILN_DTYPE_I8, {big, big})) == "");
  CHECK_THAT(parse(withInput(KILN_DTYPE_F64, {big, big})),
             Contains("byte size that overflows"));
  CHECK_THAT(parse(withInput(KILN_DTYPE_F32, {big, big, big})),
             Contains("byte size that overflows"));
  // A zero dimension makes the tensor empty, whatever the others are.
  CHECK(parse(withInput(KILN_DTYPE_F32, {0, big, big})) == "");
}

TEST_CASE("manifest: entry indices must be inside the entry table",
          "[runtime][manifest]") {
  CHECK(parse(validManifest(), 1) == "");
  CHECK_THAT(parse(validManifest(), 0),
             Contains("function 'f' has entry index 0 but the artifact has 0 "
                      "entries"));
}

TEST_CASE("manifest: huge counts and lengths fail without allocating",
          "[runtime][manifest]") {
  ManifestWriter m;
  m.header(0, 0, 0xffffffffu);
  CHECK_THAT(parse(m), Contains("function count 4294967295 cannot fit"));
  // Padding makes the function itself plausible; its counts are not.
  std::vector<uint8_t> padding(64);
  ManifestWriter inputs;
  inputs.header(0, 0, 1).function("f", 0, 0).u32(0xffffffffu);
  inputs.raw(padding.data(), padding.size());
  CHECK_THAT(parse(inputs), Contains("input count 4294967295 cannot fit"));
  ManifestWriter name;
  name.header(0, 0, 1).u32(0xfffffff0u).raw(padding.data(), padding.size());
  CHECK_THAT(parse(name), Contains("function #0 name claims 4294967280 bytes"));
}

TEST_CASE("manifest: duplicate names, empty function names and NUL bytes are "
          "rejected",
          "[runtime][manifest]") {
  ManifestWriter twoF;
  twoF.header(0, 0, 2);
  twoF.function("f", 0, 0).u32(0).u32(0);
  twoF.function("f", 0, 0).u32(0).u32(0);
  CHECK_THAT(parse(twoF), Contains("two functions are named 'f'"));

  ManifestWriter twoX;
  twoX.header(0, 0, 1).function("f", 0, 0).u32(2);
  twoX.tensor("x", KILN_DTYPE_F32, {1}).tensor("x", KILN_DTYPE_F32, {1});
  twoX.u32(0);
  CHECK_THAT(parse(twoX), Contains("function 'f' has two inputs named 'x'"));

  ManifestWriter empty;
  empty.header(0, 0, 1).function("", 0, 0).u32(0).u32(0);
  CHECK_THAT(parse(empty), Contains("function #0 has an empty name"));

  ManifestWriter nul;
  nul.header(0, 0, 1).function(std::string("a\0b", 3), 0, 0).u32(0).u32(0);
  CHECK_THAT(parse(nul), Contains("contains a NUL byte"));
}

TEST_CASE("manifest: type strings", "[runtime][manifest]") {
  int64_t dims[] = {1, 784};
  CHECK(typeString(KILN_DTYPE_F32, dims, 2) == "f32[1,784]");
  CHECK(typeString(KILN_DTYPE_BF16, nullptr, 0) == "bf16[]");
  CHECK(std::string(dtypeName(42)) == "invalid");
  CHECK(dtypeSize(42) == 0);
  CHECK(dtypeSize(KILN_DTYPE_BOOL) == 1);
  CHECK(dtypeSize(KILN_DTYPE_BF16) == 2);
}
