// Unit tests for the runtime C API and its C++ wrapper (runtime/include/kiln),
// on the hand-written artifact test/unit/artifacts/add_bias.c:
//   predict(x: f32[4,8]) -> y = x + bias
//   affine(x: f32[4,8], scale: f32[]) -> scaled, shifted, positive: i64[]
// and on broken copies of it.
#include "kiln/runtime.h"
#include "kiln/runtime.hpp"

#include <catch2/catch.hpp>

#include <elf.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

/// The bias add_bias.c's generator writes, restated here as the expectation.
const float kBias[8] = {0.5f, -1.0f, 2.0f, 0.25f, 3.0f, -0.5f, 1.5f, 4.0f};
const int64_t kDims[2] = {4, 8};

std::string artifactPath(const char *name) {
  return std::string(KILN_TEST_ARTIFACTS_DIR) + "/" + name;
}

/// A fresh directory for files this test writes.
fs::path scratchDir(const std::string &name) {
  fs::path dir = fs::temp_directory_path() /
                 ("kiln-runtime-test-" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<char> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const fs::path &path, const char *data, size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(data, static_cast<std::streamsize>(size));
}

/// The code and message of a status, which it frees.
struct Outcome {
  kiln_status_code_t code;
  std::string message;
};
Outcome take(kiln_status_t status) {
  Outcome o{kiln_status_code(status), kiln_status_message(status)};
  kiln_status_free(status);
  return o;
}

/// Tries to load `path`; the module, if any, is released.
Outcome tryLoad(const std::string &path) {
  kiln_module_t *module = nullptr;
  Outcome o = take(kiln_module_load_file(path.c_str(), nullptr, &module));
  if (o.code == KILN_STATUS_OK)
    CHECK(module != nullptr);
  else
    CHECK(module == nullptr);
  kiln_module_release(module);
  return o;
}

/// The file offset and size of section `name`, from the ELF section headers.
std::pair<size_t, size_t> findSection(const std::vector<char> &file,
                                      const char *name) {
  Elf64_Ehdr eh;
  std::memcpy(&eh, file.data(), sizeof(eh));
  std::vector<Elf64_Shdr> shdrs(eh.e_shnum);
  std::memcpy(shdrs.data(), file.data() + eh.e_shoff,
              eh.e_shnum * sizeof(Elf64_Shdr));
  const char *names = file.data() + shdrs[eh.e_shstrndx].sh_offset;
  for (const Elf64_Shdr &sh : shdrs)
    if (std::strcmp(names + sh.sh_name, name) == 0)
      return {sh.sh_offset, sh.sh_size};
  return {0, 0};
}

kiln_tensor_t view(std::vector<float> &data, const int64_t *dims,
                   uint32_t rank) {
  return {KILN_DTYPE_F32, rank, dims, data.data(), data.size() * sizeof(float)};
}

/// Loads add_bias.so and opens a session with `threads` threads.
struct Fixture {
  kiln_module_t *module = nullptr;
  kiln_session_t *session = nullptr;
  explicit Fixture(int32_t threads = 1) {
    REQUIRE(take(kiln_module_load_file(artifactPath("add_bias.so").c_str(),
                                       nullptr, &module))
                .code == KILN_STATUS_OK);
    kiln_session_options_t options;
    kiln_session_options_initialize(&options);
    options.num_threads = threads;
    REQUIRE(take(kiln_session_create(module, &options, &session)).code ==
            KILN_STATUS_OK);
  }
  ~Fixture() {
    kiln_session_release(session);
    kiln_module_release(module);
  }
};

std::vector<float> rampInput() {
  std::vector<float> x(32);
  for (size_t k = 0; k < x.size(); ++k)
    x[k] = 0.25f * static_cast<float>(k) - 3.0f;
  return x;
}

/// Runs affine on `x` and `scale`: scaled, shifted and positive.
struct AffineResult {
  std::vector<float> scaled = std::vector<float>(32),
                     shifted = std::vector<float>(32);
  int64_t positive = -1;
};
Outcome runAffine(kiln_session_t *session, std::vector<float> &x, float scale,
                  AffineResult &r) {
  std::vector<float> s = {scale};
  kiln_tensor_t inputs[2] = {view(x, kDims, 2), view(s, nullptr, 0)};
  kiln_tensor_t outputs[3] = {
      view(r.scaled, kDims, 2),
      view(r.shifted, kDims, 2),
      {KILN_DTYPE_I64, 0, nullptr, &r.positive, sizeof(int64_t)}};
  return take(kiln_session_invoke(session, 1, inputs, 2, outputs, 3));
}

} // namespace

TEST_CASE("runtime: a loaded artifact describes its functions and tensors",
          "[runtime]") {
  Fixture f;
  const kiln_module_t *m = f.module;
  CHECK(kiln_module_function_count(m) == 2);
  CHECK(std::string(kiln_module_producer(m)) == "kiln-test");
  CHECK_THAT(kiln_module_target_triple(m), Contains("-linux-gnu"));
  CHECK(std::string(kiln_module_target_cpu(m)) == "generic");
  CHECK(kiln_module_weights_size(m) == sizeof(kBias));
  CHECK(std::string(kiln_module_path(m)) == artifactPath("add_bias.so"));

  kiln_function_info_t info;
  REQUIRE(take(kiln_module_function_info(m, 0, &info)).code == KILN_STATUS_OK);
  CHECK(std::string(info.name) == "predict");
  CHECK(info.arena_size == 0);
  REQUIRE(info.num_inputs == 1);
  CHECK(std::string(info.inputs[0].name) == "x");
  CHECK(info.inputs[0].dtype == KILN_DTYPE_F32);
  REQUIRE(info.inputs[0].rank == 2);
  CHECK(info.inputs[0].dims[0] == 4);
  CHECK(info.inputs[0].dims[1] == 8);
  CHECK(info.inputs[0].element_count == 32);
  CHECK(info.inputs[0].byte_size == 128);
  REQUIRE(info.num_outputs == 1);
  CHECK(std::string(info.outputs[0].name) == "y");

  size_t index = 99;
  REQUIRE(take(kiln_module_lookup_function(m, "affine", &index)).code ==
          KILN_STATUS_OK);
  CHECK(index == 1);
  REQUIRE(take(kiln_module_function_info(m, index, &info)).code ==
          KILN_STATUS_OK);
  CHECK(info.arena_size == 128);
  REQUIRE(info.num_inputs == 2);
  CHECK(info.inputs[1].rank == 0);
  CHECK(info.inputs[1].element_count == 1);
  CHECK(info.inputs[1].byte_size == 4);
  REQUIRE(info.num_outputs == 3);
  CHECK(info.outputs[2].dtype == KILN_DTYPE_I64);
  CHECK(info.outputs[2].byte_size == 8);

  Outcome missing = take(kiln_module_lookup_function(m, "nope", &index));
  CHECK(missing.code == KILN_STATUS_NOT_FOUND);
  CHECK_THAT(missing.message,
             Contains("no function named 'nope'; the module has: 'predict' "
                      "'affine'"));
  CHECK(take(kiln_module_function_info(m, 2, &info)).code ==
        KILN_STATUS_INVALID_ARGUMENT);
}

TEST_CASE("runtime: dtype names and sizes, status accessors", "[runtime]") {
  CHECK(std::string(kiln_dtype_name(KILN_DTYPE_BF16)) == "bf16");
  CHECK(kiln_dtype_size(KILN_DTYPE_F64) == 8);
  CHECK(kiln_dtype_size(KILN_DTYPE_INVALID) == 0);
  CHECK(kiln_status_code(nullptr) == KILN_STATUS_OK);
  CHECK(std::string(kiln_status_message(nullptr)) == "OK");
  CHECK(std::string(kiln_status_code_name(KILN_STATUS_DATA_LOSS)) ==
        "DATA_LOSS");
  kiln_status_free(nullptr);
  kiln_module_release(nullptr);
  kiln_session_release(nullptr);
}

TEST_CASE("runtime: predict computes x + bias", "[runtime]") {
  Fixture f(4);
  std::vector<float> x = rampInput(), y(32, NAN);
  kiln_tensor_t in = view(x, kDims, 2), out = view(y, kDims, 2);
  REQUIRE(take(kiln_session_invoke(f.session, 0, &in, 1, &out, 1)).code ==
          KILN_STATUS_OK);
  for (size_t k = 0; k < 32; ++k)
    CHECK(y[k] == x[k] + kBias[k % 8]);
}

TEST_CASE("runtime: 1 and 4 threads give the same results, many times over",
          "[runtime]") {
  Fixture one(1), four(4);
  CHECK(kiln_session_num_threads(one.session) == 1);
  CHECK(kiln_session_num_threads(four.session) == 4);
  std::vector<float> x = rampInput();
  AffineResult a, b;
  REQUIRE(runAffine(one.session, x, 1.5f, a).code == KILN_STATUS_OK);
  int64_t positive = 0;
  for (size_t k = 0; k < 32; ++k) {
    CHECK(a.scaled[k] == x[k] * 1.5f);
    CHECK(a.shifted[k] == x[k] * 1.5f + kBias[k % 8]);
    positive += a.shifted[k] > 0;
  }
  CHECK(a.positive == positive);
  for (int round = 0; round < 200; ++round) {
    REQUIRE(runAffine(four.session, x, 1.5f, b).code == KILN_STATUS_OK);
    REQUIRE(b.scaled == a.scaled);
    REQUIRE(b.shifted == a.shifted);
    REQUIRE(b.positive == a.positive);
  }
}

TEST_CASE("runtime: num_threads 0 means one per core; negative is refused",
          "[runtime]") {
  Fixture all(0);
  CHECK(kiln_session_num_threads(all.session) >= 1);
  kiln_session_options_t options;
  kiln_session_options_initialize(&options);
  options.num_threads = -1;
  kiln_session_t *session = nullptr;
  Outcome o = take(kiln_session_create(all.module, &options, &session));
  CHECK(o.code == KILN_STATUS_INVALID_ARGUMENT);
  CHECK(session == nullptr);
}

TEST_CASE("runtime: cuda_graphs defaults to auto; unknown modes are refused",
          "[runtime]") {
  Fixture cpu(1);
  kiln_session_options_t options;
  kiln_session_options_initialize(&options);
  CHECK(options.cuda_graphs == KILN_CUDA_GRAPHS_AUTO);
  for (int32_t mode : {3, -1}) {
    INFO("cuda_graphs " << mode);
    options.cuda_graphs = mode;
    kiln_session_t *session = nullptr;
    Outcome o = take(kiln_session_create(cpu.module, &options, &session));
    CHECK(o.code == KILN_STATUS_INVALID_ARGUMENT);
    CHECK_THAT(o.message, Contains("is not a kiln_cuda_graphs_t"));
    CHECK(session == nullptr);
  }
  // On a cpu artifact every mode is accepted and means nothing.
  for (int32_t mode : {KILN_CUDA_GRAPHS_ON, KILN_CUDA_GRAPHS_OFF}) {
    options.cuda_graphs = mode;
    kiln_session_t *session = nullptr;
    CHECK(take(kiln_session_create(cpu.module, &options, &session)).code ==
          KILN_STATUS_OK);
    kiln_session_release(session);
  }
}

TEST_CASE("runtime: a session keeps its module alive", "[runtime]") {
  Fixture f(2);
  kiln_module_release(f.module); // the session still holds a reference
  f.module = nullptr;
  CHECK(kiln_session_module(f.session) != nullptr);
  std::vector<float> x = rampInput(), y(32);
  kiln_tensor_t in = view(x, kDims, 2), out = view(y, kDims, 2);
  CHECK(take(kiln_session_invoke(f.session, 0, &in, 1, &out, 1)).code ==
        KILN_STATUS_OK);
  CHECK(y[7] == x[7] + kBias[7]);
}

TEST_CASE("runtime: wrong inputs are refused with a message naming them",
          "[runtime]") {
  Fixture f;
  std::vector<float> x = rampInput(), y(32), small(16);
  int64_t twoByEight[2] = {2, 8};
  kiln_tensor_t out = view(y, kDims, 2);

  SECTION("shape") {
    kiln_tensor_t in = view(small, twoByEight, 2);
    Outcome o = take(kiln_session_invoke(f.session, 0, &in, 1, &out, 1));
    CHECK(o.code == KILN_STATUS_INVALID_ARGUMENT);
    CHECK(o.message ==
          "function 'predict': input 'x' (#0) expects f32[4,8], got f32[2,8]");
  }
  SECTION("rank") {
    kiln_tensor_t in = view(x, kDims, 1);
    CHECK(take(kiln_session_invoke(f.session, 0, &in, 1, &out, 1)).message ==
          "function 'predict': input 'x' (#0) expects f32[4,8], got f32[4]");
  }
  SECTION("dtype") {
    kiln_tensor_t in = view(x, kDims, 2);
    in.dtype = KILN_DTYPE_I32;
    CHECK(take(kiln_session_invoke(f.session, 0, &in, 1, &out, 1)).message ==
          "function 'predict': input 'x' (#0) expects f32[4,8], got i32[4,8]");
  }
  SECTION("byte size") {
    kiln_tensor_t in = view(x, kDims, 2);
    in.byte_size = 100;
    Outcome o = take(kiln_session_invoke(f.session, 0, &in, 1, &out, 1));
    CHECK(o.code == KILN_STATUS_INVALID_ARGUMENT);
    CHECK_THAT(o.message, Contains("input 'x' (#0) expects f32[4,8] (128 "
                                   "bytes), got a buffer of 100 bytes"));
  }
  SECTION("NULL data and dims") {
    kiln_tensor_t in = view(x, kDims, 2);
    in.data = nullptr;
    CHECK_THAT(take(kiln_session_invoke(f.session, 0, &in, 1, &out, 1)).message,
               Contains("input 'x' (#0) has NULL data"));
    in = view(x, nullptr, 2);
    CHECK_THAT(take(kiln_session_invoke(f.session, 0, &in, 1, &out, 1)).message,
               Contains("got rank 2 with NULL dims"));
  }
  SECTION("count") {
    kiln_tensor_t in[2] = {view(x, kDims, 2), view(x, kDims, 2)};
    Outcome o = take(kiln_session_invoke(f.session, 0, in, 2, &out, 1));
    CHECK(o.code == KILN_STATUS_INVALID_ARGUMENT);
    CHECK(o.message == "function 'predict' takes 1 input(s) and 1 output(s), "
                       "got 2 and 1");
  }
  SECTION("output") {
    kiln_tensor_t in = view(x, kDims, 2), badOut = view(small, twoByEight, 2);
    CHECK(take(kiln_session_invoke(f.session, 0, &in, 1, &badOut, 1)).message ==
          "function 'predict': output 'y' (#0) expects f32[4,8], got f32[2,8]");
  }
  SECTION("scalar") {
    std::vector<float> s = {2.0f}, scaled(32), shifted(32);
    int64_t one[1] = {1}, positive;
    kiln_tensor_t in[2] = {view(x, kDims, 2), view(s, one, 1)};
    kiln_tensor_t outs[3] = {view(scaled, kDims, 2),
                             view(shifted, kDims, 2),
                             {KILN_DTYPE_I64, 0, nullptr, &positive, 8}};
    CHECK(take(kiln_session_invoke(f.session, 1, in, 2, outs, 3)).message ==
          "function 'affine': input 'scale' (#1) expects f32[], got f32[1]");
  }
  SECTION("function index") {
    kiln_tensor_t in = view(x, kDims, 2);
    Outcome o = take(kiln_session_invoke(f.session, 2, &in, 1, &out, 1));
    CHECK(o.code == KILN_STATUS_INVALID_ARGUMENT);
    CHECK_THAT(o.message, Contains("function index 2 is out of range"));
  }
}

TEST_CASE("runtime: a failing entry gives INTERNAL with its code",
          "[runtime]") {
  Fixture f(4);
  std::vector<float> x = rampInput();
  AffineResult r;
  Outcome o = runAffine(f.session, x, NAN, r); // affine returns 7 on NaN
  CHECK(o.code == KILN_STATUS_INTERNAL);
  CHECK_THAT(o.message, Contains("function 'affine' failed with code 7"));
  // The session stays usable.
  CHECK(runAffine(f.session, x, 2.0f, r).code == KILN_STATUS_OK);
}

TEST_CASE("runtime: missing, empty and non-ELF files are refused by name",
          "[runtime][bad-artifact]") {
  fs::path dir = scratchDir("not-elf");
  Outcome missing = tryLoad((dir / "missing.so").string());
  CHECK(missing.code == KILN_STATUS_NOT_FOUND);
  CHECK_THAT(missing.message, Contains("missing.so: cannot open"));

  writeBytes(dir / "empty.so", "", 0);
  Outcome empty = tryLoad((dir / "empty.so").string());
  CHECK(empty.code == KILN_STATUS_INVALID_ARGUMENT);
  CHECK_THAT(empty.message, Contains("empty.so: the file is empty"));

  std::mt19937 rng(42);
  std::vector<char> noise(8192);
  for (char &c : noise)
    c = static_cast<char>(rng());
  writeBytes(dir / "random.so", noise.data(), noise.size());
  Outcome random = tryLoad((dir / "random.so").string());
  CHECK(random.code == KILN_STATUS_INVALID_ARGUMENT);
  CHECK_THAT(random.message, Contains("random.so: not an ELF shared object"));

  // Random bytes behind an ELF magic number are still refused.
  std::memcpy(noise.data(),
              "\x7f"
              "ELF",
              4);
  writeBytes(dir / "elf-noise.so", noise.data(), noise.size());
  CHECK(tryLoad((dir / "elf-noise.so").string()).code != KILN_STATUS_OK);

  Outcome directory = tryLoad(dir.string());
  CHECK(directory.code == KILN_STATUS_INVALID_ARGUMENT);
  CHECK_THAT(directory.message, Contains("not a regular file"));
}

TEST_CASE("runtime: every truncated copy is refused before dlopen",
          "[runtime][bad-artifact]") {
  std::vector<char> file = readBytes(artifactPath("add_bias.so"));
  REQUIRE(file.size() > 1000);
  fs::path dir = scratchDir("truncated");
  std::vector<size_t> cuts = {4, 16, 63, 64, 65, 200, file.size() - 1};
  for (size_t cut = file.size() / 40; cut < file.size();
       cut += file.size() / 40)
    cuts.push_back(cut);
  for (size_t cut : cuts) {
    fs::path path = dir / ("cut-" + std::to_string(cut) + ".so");
    writeBytes(path, file.data(), cut);
    Outcome o = tryLoad(path.string());
    INFO("truncated to " << cut << " of " << file.size()
                         << " bytes: " << o.message);
    CHECK(o.code == KILN_STATUS_DATA_LOSS);
    CHECK_THAT(o.message, Contains(path.string() + ": truncated or corrupt"));
  }
}

TEST_CASE("runtime: another ABI version is refused",
          "[runtime][bad-artifact]") {
  Outcome o = tryLoad(artifactPath("add_bias_wrong_abi.so"));
  CHECK(o.code == KILN_STATUS_FAILED_PRECONDITION);
  CHECK(o.message == artifactPath("add_bias_wrong_abi.so") +
                         ": artifact ABI version " +
                         std::to_string(KILN_ARTIFACT_ABI_VERSION + 1) +
                         ", runtime supports " +
                         std::to_string(KILN_ARTIFACT_ABI_VERSION));
}

TEST_CASE("runtime: tampered weights fail the checksum",
          "[runtime][bad-artifact]") {
  std::vector<char> file = readBytes(artifactPath("add_bias.so"));
  auto [offset, size] = findSection(file, ".kiln.weights");
  REQUIRE(size == sizeof(kBias));
  fs::path dir = scratchDir("tampered");
  // The original loads; each copy with one flipped bit does not.
  CHECK(tryLoad(artifactPath("add_bias.so")).code == KILN_STATUS_OK);
  for (size_t at : {size_t{0}, size / 2, size - 1}) {
    std::vector<char> copy = file;
    copy[offset + at] ^= 0x10;
    fs::path path = dir / ("tampered-" + std::to_string(at) + ".so");
    writeBytes(path, copy.data(), copy.size());
    Outcome o = tryLoad(path.string());
    CHECK(o.code == KILN_STATUS_DATA_LOSS);
    CHECK(o.message == path.string() + ": weights checksum mismatch: "
                                       "artifact tampered or corrupt");
  }
}

TEST_CASE("runtime: a shared object that is not an artifact is refused",
          "[runtime][bad-artifact]") {
  Outcome o = tryLoad(KILN_RUNTIME_LIBRARY);
  CHECK(o.code == KILN_STATUS_INVALID_ARGUMENT);
  CHECK_THAT(o.message,
             Contains("not a Kiln artifact: no symbol 'kiln_artifact_v1'"));
}

TEST_CASE("runtime: files above max_file_size are refused unread",
          "[runtime][bad-artifact]") {
  kiln_module_options_t options;
  kiln_module_options_initialize(&options);
  CHECK(options.max_file_size > (uint64_t{1} << 30));
  options.max_file_size = 1000;
  kiln_module_t *module = nullptr;
  Outcome o = take(kiln_module_load_file(artifactPath("add_bias.so").c_str(),
                                         &options, &module));
  CHECK(o.code == KILN_STATUS_INVALID_ARGUMENT);
  CHECK_THAT(o.message, Contains("more than the limit of 1000"));
  CHECK(take(kiln_module_load_file(nullptr, nullptr, &module)).code ==
        KILN_STATUS_INVALID_ARGUMENT);
}

TEST_CASE("runtime: the C++ wrapper loads, runs and reports errors",
          "[runtime][cpp]") {
  kiln::Result<kiln::Module> module =
      kiln::Module::load(artifactPath("add_bias.so").c_str());
  REQUIRE(module.ok());
  kiln::Module copy = *module; // shares the module
  CHECK(copy.functionCount() == 2);
  kiln::Result<size_t> affine = copy.lookup("affine");
  REQUIRE(affine.ok());
  CHECK(*affine == 1);
  CHECK(copy.lookup("nope").status().code() == KILN_STATUS_NOT_FOUND);
  CHECK(std::string(copy.function(0)->name) == "predict");

  kiln::Result<kiln::Session> session = kiln::Session::create(copy, 3);
  REQUIRE(session.ok());
  CHECK(session->numThreads() == 3);
  std::vector<float> x = rampInput(), y(32);
  std::vector<kiln_tensor_t> inputs = {view(x, kDims, 2)},
                             outputs = {view(y, kDims, 2)};
  kiln::Status status = session->invoke(0, inputs, outputs);
  CHECK(status.ok());
  CHECK(y[3] == x[3] + kBias[3]);
  outputs.clear();
  status = session->invoke(0, inputs, outputs);
  CHECK(status.code() == KILN_STATUS_INVALID_ARGUMENT);

  kiln::Result<kiln::Module> bad =
      kiln::Module::load(artifactPath("add_bias_wrong_abi.so").c_str());
  CHECK_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(),
             Contains("artifact ABI version " +
                      std::to_string(KILN_ARTIFACT_ABI_VERSION + 1)));
}
