//===- kiln-difftest.cpp - compiled code vs the reference interpreter -----===//
//
// The differential test of the CPU compiler: seeded random kiln functions
// (test/compiler/RandomGraph.h) are compiled into artifacts with the
// compiler driver, run through the runtime, and compared with the reference
// interpreter on the same inputs. Many functions share one module, since
// most of a compile is LLVM on the linked-in ukernels.
//
//   kiln-difftest [--seed N] [--count N] [--per-module N] [--threads N]
//                 [--categories elementwise,linear,...|all] [--keep]
//                 [--print] [--verbose]
//
// KILN_DIFFTEST_SEED and KILN_DIFFTEST_COUNT override the defaults (so a
// ctest run can be widened). Function i is generated from seed N + i alone:
// `--seed S --count 1` rebuilds the function of seed S. On a mismatch the
// test prints the seed, the mismatching elements and the function's MLIR,
// and exits with 1.
//
// Tolerances (|got - ref| <= atol + rtol·|ref|; NaN must match NaN and
// infinities must match exactly; integers and booleans exactly), from the
// loosest op of each function:
//   elementwise arithmetic, data movement     atol 1e-6, rtol 1e-6
//   exp/log/tanh/erf/... (polynomial approx.) atol 1e-5, rtol 1e-5
//   matmul, conv, reductions, softmax, norms  atol 1e-5, rtol 1e-4
//
//===----------------------------------------------------------------------===//

#include "RandomGraph.h"

#include "compiler/driver/Compiler.h"
#include "compiler/reference/Interpreter.h"
#include "dialects/kiln/KilnDialect.h"
#include "kiln/runtime.hpp"
#include "runtime/src/npy/Npy.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;
using kiln::reference::Tensor;

namespace kiln::difftest {
namespace {

struct Options {
  uint64_t seed = 1;
  int64_t count = 240;
  int64_t perModule = 40;
  int32_t threads = 2;
  GeneratorConfig config;
  /// Extra LLVM target features for the compiler ("-avx512f": no ukernels).
  std::string targetFeatures;
  bool keep = false, print = false, verbose = false;
};

//===----------------------------------------------------------------------===//
// Crash reporting: a function that crashes the process still names its seed
//===----------------------------------------------------------------------===//

char gRunning[256] = "";

/// Runs from LLVM's crash handler (after its stack dump).
void onFatalSignal(void *) {
  if (gRunning[0]) {
    const char prefix[] = "\nkiln-difftest: FATAL signal while ";
    (void)!write(2, prefix, sizeof(prefix) - 1);
    (void)!write(2, gRunning, strlen(gRunning));
    (void)!write(2, "\n", 1);
  }
}

void setRunning(const llvm::Twine &what) {
  std::string s = what.str();
  std::snprintf(gRunning, sizeof(gRunning), "%s", s.c_str());
}

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

/// The MLIR text of a module holding copies of `funcs` (resource blobs
/// included, so the text reproduces the functions on its own).
std::string moduleText(MLIRContext &ctx, llvm::ArrayRef<func::FuncOp> funcs) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&ctx));
  OpBuilder b(&ctx);
  b.setInsertionPointToEnd(module->getBody());
  for (func::FuncOp f : funcs)
    b.clone(*f);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

bool writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return false;
  os << text;
  return !os.has_error();
}

/// How a child process ended.
struct ChildResult {
  bool exited = false;
  int code = 0, signal = 0;
};

/// Runs `body` in a forked child (so that a crash in the compiler or in
/// generated code is reported instead of ending the test); the child's
/// stderr goes to `stderrPath` when it is not empty. The parent is single
/// threaded whenever this is called.
ChildResult runInChild(llvm::function_ref<int()> body,
                       const std::string &stderrPath = "") {
  llvm::outs().flush();
  llvm::errs().flush();
  pid_t pid = fork();
  if (pid == 0) {
    if (!stderrPath.empty()) {
      int fd = open(stderrPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0)
        dup2(fd, 2);
    }
    int code = body();
    llvm::outs().flush();
    llvm::errs().flush();
    _exit(code);
  }
  ChildResult r;
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) {
    r.signal = -1;
    return r;
  }
  r.exited = WIFEXITED(status);
  r.code = r.exited ? WEXITSTATUS(status) : 0;
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return r;
}

/// Compiles `stem`.mlir into `stem`.so with the compiler driver in a child
/// process; on failure `diagnostics` holds its diagnostics (or crash dump).
bool compileFile(const std::string &stem, const std::string &features,
                 std::string &diagnostics) {
  std::string diagPath = stem + ".diag";
  ChildResult r = runInChild(
      [&] {
        DialectRegistry registry;
        kiln::driver::registerCompilerDialects(registry);
        MLIRContext ctx(registry);
        ctx.disableMultithreading();
        llvm::SourceMgr sourceMgr;
        SourceMgrDiagnosticHandler handler(sourceMgr, &ctx, llvm::errs());
        kiln::driver::CompileOptions options;
        options.inputPath = stem + ".mlir";
        options.outputPath = stem + ".so";
        options.progress = false;
        options.targetFeatures = features;
        return succeeded(kiln::driver::compile(ctx, sourceMgr, options,
                                               llvm::errs()))
                   ? 0
                   : 1;
      },
      diagPath);
  if (r.exited && r.code == 0)
    return true;
  auto buffer = llvm::MemoryBuffer::getFile(diagPath);
  diagnostics = buffer ? (*buffer)->getBuffer().str() : "";
  if (diagnostics.size() > 6000)
    diagnostics = diagnostics.substr(0, 6000) + "\n[... cut]\n";
  if (!r.exited)
    diagnostics += "the compiler crashed (signal " + std::to_string(r.signal) +
                   ")\n";
  return false;
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

std::string indexString(llvm::ArrayRef<int64_t> shape, int64_t linear) {
  llvm::SmallVector<int64_t> idx(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    idx[d] = linear % shape[d];
    linear /= shape[d];
  }
  std::string s = "[";
  for (size_t i = 0; i < idx.size(); ++i)
    s += (i ? ", " : "") + std::to_string(idx[i]);
  return s + "]";
}

/// Compares one output; on a mismatch appends a description to `report`.
bool compareTensor(const Tensor &got, const Tensor &ref, Tolerance tol,
                   std::string &report) {
  llvm::raw_string_ostream os(report);
  int64_t bad = 0, shown = 0;
  double worst = 0;
  for (int64_t k = 0; k < ref.size(); ++k) {
    bool ok;
    double g = got.getDouble(k), r = ref.getDouble(k);
    if (!ref.isFloat())
      ok = got.ints[k] == ref.ints[k];
    else if (std::isnan(r) || std::isnan(g))
      ok = std::isnan(r) && std::isnan(g);
    else if (std::isinf(r) || std::isinf(g))
      ok = g == r;
    else
      ok = std::fabs(g - r) <= tol.atol + tol.rtol * std::fabs(r);
    if (ok)
      continue;
    ++bad;
    if (std::isfinite(g - r))
      worst = std::max(worst, std::fabs(g - r) / (tol.atol + tol.rtol * std::fabs(r)));
    if (shown++ < 8)
      os << "    " << indexString(ref.shape(), k) << ": got "
         << llvm::format("%.9g", g) << ", expected " << llvm::format("%.9g", r)
         << "\n";
  }
  if (bad)
    os << "    " << bad << " of " << ref.size()
       << " elements differ (worst finite error "
       << llvm::format("%.3g", worst) << "x the tolerance)\n";
  return bad == 0;
}

kiln_dtype_t dtypeOf(Type t) {
  if (t.isF32())
    return KILN_DTYPE_F32;
  if (t.isF64())
    return KILN_DTYPE_F64;
  if (t.isF16())
    return KILN_DTYPE_F16;
  if (t.isBF16())
    return KILN_DTYPE_BF16;
  if (t.isInteger(1))
    return KILN_DTYPE_BOOL;
  if (t.isInteger(8))
    return KILN_DTYPE_I8;
  if (t.isInteger(32))
    return KILN_DTYPE_I32;
  if (t.isInteger(64))
    return KILN_DTYPE_I64;
  return KILN_DTYPE_INVALID;
}

/// A host buffer described as a kiln_tensor_t.
struct Buffer {
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;
  kiln_tensor_t view(Type element) {
    return kiln_tensor_t{dtypeOf(element), static_cast<uint32_t>(dims.size()),
                         dims.data(), bytes.data(), bytes.size()};
  }
};

//===----------------------------------------------------------------------===//
// The test
//===----------------------------------------------------------------------===//

struct Case {
  GeneratedFunction gen;
  std::string name;
  std::vector<Tensor> expected;
};

class DiffTest {
public:
  explicit DiffTest(const Options &options) : options(options) {
    DialectRegistry registry;
    kiln::driver::registerCompilerDialects(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadDialect<kiln::KilnDialect, func::FuncDialect>();
    ctx.disableMultithreading();
  }

  int run();

private:
  /// Generates, compiles, runs and checks functions [first, first + n).
  void runModule(int64_t index, uint64_t first, int64_t n);
  /// Finds the functions of a module that fail to compile.
  void bisectCompile(std::vector<Case *> cases, const std::string &stem);
  void checkCase(Case &c, kiln::Module &artifact, kiln::Session &session);
  void fail(const Case &c, const llvm::Twine &what, const std::string &details);
  /// Writes the function, its inputs and expected outputs next to the
  /// modules; returns the kiln-compile/kiln-run command that replays it.
  std::string writeReproducer(const Case &c);

  Options options;
  MLIRContext ctx;
  std::string dir;
  int64_t functions = 0, failures = 0, nanFunctions = 0, outputsChecked = 0;
  std::map<std::string, int64_t> coverage;
  std::map<std::string, int64_t> tolerances;
  double compileSeconds = 0, runSeconds = 0;
};

/// Writes `t` as .npy (false for element types .npy cannot hold).
bool writeTensor(const std::string &path, const Tensor &t) {
  npy::Array a;
  Type e = t.elementType();
  if (e.isF32())
    a.dtype = npy::DType::F32;
  else if (e.isF64())
    a.dtype = npy::DType::F64;
  else if (e.isInteger(1))
    a.dtype = npy::DType::Bool;
  else if (e.isInteger(8))
    a.dtype = npy::DType::I8;
  else if (e.isInteger(32))
    a.dtype = npy::DType::I32;
  else if (e.isInteger(64))
    a.dtype = npy::DType::I64;
  else
    return false;
  a.shape.assign(t.shape().begin(), t.shape().end());
  a.data = reference::tensorToBytes(t);
  return npy::writeNpy(path, a).empty();
}

std::string DiffTest::writeReproducer(const Case &c) {
  std::string stem = dir + "/" + c.name;
  if (!writeFile(stem + ".mlir", moduleText(ctx, {c.gen.func})))
    return "";
  std::string run = "kiln-compile " + stem + ".mlir -o " + stem +
                    ".so && kiln-run " + stem + ".so";
  for (auto [i, t] : llvm::enumerate(c.gen.inputs)) {
    std::string path = stem + ".arg" + std::to_string(i) + ".npy";
    if (!writeTensor(path, t))
      return "";
    run += " -i " + path;
  }
  for (auto [i, t] : llvm::enumerate(c.expected)) {
    std::string path = stem + ".expected" + std::to_string(i) + ".npy";
    if (!writeTensor(path, t))
      return "";
    run += " --expect " + path;
  }
  Tolerance tol = toleranceOf(c.gen.tolerance);
  return run + llvm::formatv(" --atol {0:e1} --rtol {1:e1}", tol.atol, tol.rtol)
                   .str();
}

void DiffTest::fail(const Case &c, const llvm::Twine &what,
                    const std::string &details) {
  ++failures;
  std::string run = writeReproducer(c);
  llvm::errs() << "\n==== MISMATCH: " << c.name << " (seed " << c.gen.seed
               << "): " << what << "\n"
               << details << "  layers:";
  for (const std::string &l : c.gen.layers)
    llvm::errs() << " " << l;
  llvm::errs() << "\n  tolerance class: " << tolClassName(c.gen.tolerance)
               << (c.gen.nanInputs ? " (NaN inputs)" : "") << "\n"
               << "  reproduce: kiln-difftest --seed " << c.gen.seed
               << " --count 1";
  if (options.config.categories != kAllCategories) {
    llvm::ListSeparator comma(",");
    llvm::errs() << " --categories=";
    for (unsigned bit = 1; bit & kAllCategories; bit <<= 1)
      if (options.config.categories & bit)
        llvm::errs() << comma << categoryName(Category(bit));
  }
  if (!options.config.skip.empty()) {
    llvm::ListSeparator comma(",");
    llvm::errs() << " --skip=";
    for (const std::string &n : options.config.skip)
      llvm::errs() << comma << n;
  }
  if (!options.targetFeatures.empty())
    llvm::errs() << " --target-features=" << options.targetFeatures;
  if (!run.empty())
    llvm::errs() << "\n  or: " << run;
  llvm::errs() << "\n---- MLIR ----\n"
               << moduleText(ctx, {c.gen.func}) << "---- end ----\n";
}

void DiffTest::checkCase(Case &c, kiln::Module &artifact,
                         kiln::Session &session) {
  auto index = artifact.lookup(c.name.c_str());
  if (!index.ok()) {
    fail(c, "not found in the artifact", std::string("    ") +
                                             index.status().message() + "\n");
    return;
  }
  func::FuncOp f = c.gen.func;
  std::vector<Buffer> inputs, outputs;
  std::vector<kiln_tensor_t> inViews, outViews;
  for (const Tensor &t : c.gen.inputs) {
    Buffer buf{std::vector<int64_t>(t.shape().begin(), t.shape().end()),
               reference::tensorToBytes(t)};
    if (buf.bytes.empty())
      buf.bytes.reserve(1);
    inputs.push_back(std::move(buf));
  }
  for (Type t : f.getResultTypes()) {
    auto type = cast<RankedTensorType>(t);
    Buffer buf;
    buf.dims.assign(type.getShape().begin(), type.getShape().end());
    // A pattern no correct result has, so unwritten outputs show.
    buf.bytes.assign(type.getNumElements() *
                         reference::rawElementSize(type.getElementType()),
                     0xA5);
    outputs.push_back(std::move(buf));
  }
  for (auto [buf, t] : llvm::zip(inputs, c.gen.inputs))
    inViews.push_back(buf.view(t.elementType()));
  for (auto [buf, t] : llvm::zip(outputs, f.getResultTypes()))
    outViews.push_back(buf.view(cast<RankedTensorType>(t).getElementType()));

  setRunning("running " + c.name + " (seed " + llvm::Twine(c.gen.seed) +
             "; reproduce with kiln-difftest --seed " + llvm::Twine(c.gen.seed) +
             " --count 1)");
  kiln::Status status = session.invoke(*index, inViews, outViews);
  setRunning("");
  if (!status.ok()) {
    fail(c, "the artifact failed", std::string("    ") + status.message() + "\n");
    return;
  }
  std::string details;
  bool ok = true;
  for (auto [i, t] : llvm::enumerate(f.getResultTypes())) {
    auto type = cast<RankedTensorType>(t);
    llvm::ArrayRef<char> bytes(reinterpret_cast<const char *>(outputs[i].bytes.data()),
                               outputs[i].bytes.size());
    FailureOr<Tensor> got =
        reference::tensorFromBytes(type, bytes, UnknownLoc::get(&ctx));
    if (failed(got)) {
      ok = false;
      details += "    cannot decode result #" + std::to_string(i) + "\n";
      continue;
    }
    std::string report;
    if (!compareTensor(*got, c.expected[i], toleranceOf(c.gen.tolerance),
                       report)) {
      ok = false;
      std::string typeText;
      llvm::raw_string_ostream(typeText) << type;
      details += "  result #" + std::to_string(i) + " " + typeText + ":\n" + report;
    }
  }
  if (!ok) {
    Tolerance tol = toleranceOf(c.gen.tolerance);
    fail(c,
         llvm::formatv("outputs differ from the reference (atol {0:e1}, rtol {1:e1})",
                       tol.atol, tol.rtol),
         details);
  }
}

void DiffTest::bisectCompile(std::vector<Case *> cases,
                             const std::string &stem) {
  if (cases.size() == 1) {
    std::string diagnostics;
    std::vector<func::FuncOp> funcs{cases[0]->gen.func};
    writeFile(stem + ".mlir", moduleText(ctx, funcs));
    if (!compileFile(stem, options.targetFeatures, diagnostics))
      fail(*cases[0], "does not compile", diagnostics);
    return;
  }
  size_t half = cases.size() / 2;
  for (int part = 0; part < 2; ++part) {
    std::vector<Case *> sub(part ? cases.begin() + half : cases.begin(),
                            part ? cases.end() : cases.begin() + half);
    std::vector<func::FuncOp> funcs;
    for (Case *c : sub)
      funcs.push_back(c->gen.func);
    std::string name = stem + (part ? "b" : "a"), diagnostics;
    writeFile(name + ".mlir", moduleText(ctx, funcs));
    if (!compileFile(name, options.targetFeatures, diagnostics))
      bisectCompile(sub, name);
  }
}

void DiffTest::runModule(int64_t index, uint64_t first, int64_t n) {
  auto t0 = std::chrono::steady_clock::now();
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&ctx));
  std::vector<Case> cases(n);
  for (int64_t i = 0; i < n; ++i) {
    uint64_t seed = first + i;
    cases[i].name = "g" + std::to_string(seed);
    cases[i].gen =
        generateFunction(*module, cases[i].name, seed, options.config);
  }
  if (failed(verify(*module))) {
    llvm::errs() << "kiln-difftest: generator bug: invalid module\n";
    std::exit(2);
  }
  // The oracle.
  for (Case &c : cases) {
    ++functions;
    nanFunctions += c.gen.nanInputs;
    ++tolerances[tolClassName(c.gen.tolerance).str()];
    for (const std::string &l : c.gen.layers)
      ++coverage[l];
    FailureOr<llvm::SmallVector<Tensor>> ref =
        reference::interpret(c.gen.func, c.gen.inputs);
    if (failed(ref)) {
      llvm::errs() << "kiln-difftest: the reference interpreter failed on "
                   << c.name << "\n";
      std::exit(2);
    }
    c.expected.assign(ref->begin(), ref->end());
  }
  std::string stem = dir + "/m" + std::to_string(index);
  std::string text;
  {
    llvm::raw_string_ostream os(text);
    module->print(os);
  }
  writeFile(stem + ".mlir", text);
  if (options.print)
    llvm::outs() << text;

  auto t1 = std::chrono::steady_clock::now();
  setRunning("compiling " + stem + ".mlir (seeds " + llvm::Twine(first) + ".." +
             llvm::Twine(first + n - 1) + ")");
  std::string diagnostics;
  bool compiled = compileFile(stem, options.targetFeatures, diagnostics);
  setRunning("");
  auto t2 = std::chrono::steady_clock::now();
  compileSeconds += std::chrono::duration<double>(t2 - t1).count();
  int64_t before = failures;
  if (!compiled) {
    llvm::errs() << "kiln-difftest: module " << index
                 << " does not compile; finding the functions that fail\n";
    if (options.verbose)
      llvm::errs() << diagnostics;
    std::vector<Case *> all;
    for (Case &c : cases)
      all.push_back(&c);
    bisectCompile(all, stem);
    if (failures == before) {
      llvm::errs() << "kiln-difftest: module " << index
                   << " fails to compile only as a whole:\n"
                   << diagnostics;
      ++failures;
    }
  } else {
    // Run in a child too: a crash names its function and ends only this
    // module. The child reports its failures and exits with their count.
    ChildResult r = runInChild([&]() -> int {
      auto artifact = kiln::Module::load((stem + ".so").c_str());
      if (!artifact.ok()) {
        llvm::errs() << "kiln-difftest: cannot load " << stem
                     << ".so: " << artifact.status().message() << "\n";
        return 1;
      }
      auto session = kiln::Session::create(*artifact, options.threads);
      if (!session.ok()) {
        llvm::errs() << "kiln-difftest: cannot create a session: "
                     << session.status().message() << "\n";
        return 1;
      }
      for (Case &c : cases)
        checkCase(c, *artifact, *session);
      return static_cast<int>(std::min<int64_t>(failures - before, 100));
    });
    if (!r.exited) {
      llvm::errs() << "kiln-difftest: module " << index
                   << " crashed (signal " << r.signal << ")\n";
      ++failures;
    }
    failures += r.code;
    for (Case &c : cases)
      outputsChecked += c.expected.size();
  }
  auto t3 = std::chrono::steady_clock::now();
  runSeconds += std::chrono::duration<double>(t3 - t2).count();
  llvm::outs() << llvm::format(
      "module %lld: %lld functions (seeds %llu..%llu): generate+reference "
      "%.2f s, compile %.2f s, run+compare %.2f s: %s\n",
      (long long)index, (long long)n, (unsigned long long)first,
      (unsigned long long)(first + n - 1),
      std::chrono::duration<double>(t1 - t0).count(),
      std::chrono::duration<double>(t2 - t1).count(),
      std::chrono::duration<double>(t3 - t2).count(),
      failures == before ? "ok" : "FAILED");
  llvm::outs().flush();
}

int DiffTest::run() {
  llvm::SmallString<128> path;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("kiln-difftest", path)) {
    llvm::errs() << "kiln-difftest: cannot create a temporary directory: "
                 << ec.message() << "\n";
    return 2;
  }
  dir = path.str().str();
  auto start = std::chrono::steady_clock::now();
  llvm::outs() << "kiln-difftest: " << options.count
               << " random functions from seed " << options.seed << ", "
               << options.perModule << " per module, categories:";
  for (unsigned bit = 1; bit & kAllCategories; bit <<= 1)
    if (options.config.categories & bit)
      llvm::outs() << " " << categoryName(Category(bit));
  llvm::outs() << "\n";
  for (unsigned bit = 1; bit & kAllCategories; bit <<= 1)
    if (!(options.config.categories & bit))
      llvm::outs() << "  (category " << categoryName(Category(bit))
                   << " is disabled and not tested)\n";
  for (int64_t i = 0, m = 0; i < options.count; i += options.perModule, ++m)
    runModule(m, options.seed + i, std::min(options.perModule, options.count - i));

  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                               start)
                     .count();
  llvm::outs() << "coverage (layers generated):";
  int column = 0;
  for (auto &[name, n] : coverage) {
    if (column++ % 6 == 0)
      llvm::outs() << "\n ";
    llvm::outs() << " " << name << "=" << n;
  }
  llvm::outs() << "\ntolerance classes:";
  for (auto &[name, n] : tolerances)
    llvm::outs() << " " << name << "=" << n;
  llvm::outs() << llvm::format(
      "\n%lld functions (%lld with NaN inputs), %lld outputs checked, %lld "
      "failures; compile %.1f s, run %.1f s, total %.1f s\n",
      (long long)functions, (long long)nanFunctions, (long long)outputsChecked,
      (long long)failures, compileSeconds, runSeconds, total);
  if (failures || options.keep)
    llvm::outs() << "modules kept in " << dir << "\n";
  else
    llvm::sys::fs::remove_directories(dir);
  return failures ? 1 : 0;
}

bool parseUnsigned(llvm::StringRef text, uint64_t &out) {
  return !text.getAsInteger(10, out);
}

int usage() {
  llvm::errs() << "usage: kiln-difftest [--seed N] [--count N] "
                  "[--per-module N] [--threads N] [--categories LIST|all] "
                  "[--skip GENERATOR,...] [--list] [--keep] [--print] "
                  "[--verbose]\n";
  return 2;
}

} // namespace
} // namespace kiln::difftest

int main(int argc, char **argv) {
  using namespace kiln::difftest;
  Options options;
  uint64_t value;
  if (const char *s = std::getenv("KILN_DIFFTEST_SEED"))
    if (parseUnsigned(s, value))
      options.seed = value;
  if (const char *s = std::getenv("KILN_DIFFTEST_COUNT"))
    if (parseUnsigned(s, value))
      options.count = static_cast<int64_t>(value);
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef a(argv[i]);
    auto [flag, inlineText] = a.split('=');
    llvm::StringRef inlineValue = inlineText;
    auto next = [&](llvm::StringRef &v) {
      if (a.contains('=')) {
        v = inlineValue;
        return true;
      }
      if (i + 1 >= argc)
        return false;
      v = argv[++i];
      return true;
    };
    llvm::StringRef v;
    if (flag == "--keep") {
      options.keep = true;
    } else if (flag == "--print") {
      options.print = true;
    } else if (flag == "--verbose") {
      options.verbose = true;
    } else if (flag == "--seed" && next(v) && parseUnsigned(v, value)) {
      options.seed = value;
    } else if (flag == "--count" && next(v) && parseUnsigned(v, value)) {
      options.count = static_cast<int64_t>(value);
    } else if (flag == "--per-module" && next(v) && parseUnsigned(v, value) &&
               value > 0) {
      options.perModule = static_cast<int64_t>(value);
    } else if (flag == "--threads" && next(v) && parseUnsigned(v, value)) {
      options.threads = static_cast<int32_t>(value);
    } else if (flag == "--target-features" && next(v)) {
      options.targetFeatures = v.str();
    } else if (flag == "--skip" && next(v)) {
      llvm::SmallVector<llvm::StringRef> names;
      v.split(names, ',', -1, false);
      for (llvm::StringRef n : names)
        options.config.skip.insert(n.trim().str());
    } else if (flag == "--list") {
      for (const std::string &n : generatorNames(kAllCategories))
        llvm::outs() << n << "\n";
      llvm::outs() << "return_input\nreturn_twice\n";
      return 0;
    } else if (flag == "--categories" && next(v) &&
               parseCategories(v, options.config.categories)) {
    } else {
      return usage();
    }
  }
  llvm::sys::PrintStackTraceOnErrorSignal(argv[0]);
  llvm::sys::AddSignalHandler(onFatalSignal, nullptr);
  DiffTest test(options);
  return test.run();
}
