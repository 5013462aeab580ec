//===- kiln-difftest.cpp - compiled code vs the reference interpreter -----===//
//
// The differential test of the CPU compiler: seeded random kiln functions
// (RandomGraph.h) are compiled into artifacts with the compiler driver, run
// through the runtime, and compared with the reference interpreter on the
// same inputs. Many functions share one module (a compile has a fixed cost),
// modules compile in parallel child processes, and every compile and run
// happens in a child, so that a crash is reported against its function
// instead of ending the test.
//
//   kiln-difftest [--seed N] [--count N] [--per-module N] [--jobs N]
//                 [--threads N] [--categories LIST|all] [--skip NAME,...]
//                 [--no-ukernels] [--target-features F] [--list] [--keep]
//                 [--print] [--verbose]
//
// KILN_DIFFTEST_SEED and KILN_DIFFTEST_COUNT override the defaults (to widen
// a ctest run). Function i is generated from seed N + i alone, so
// `--seed S --count 1` rebuilds the function of seed S. On a mismatch the
// test prints the seed, the mismatching elements, the function's MLIR and a
// kiln-compile/kiln-run command replaying it, and exits with 1.
//
// Tolerances (|got - ref| <= atol + rtol·|ref|; NaN must match NaN,
// infinities match exactly, integers and booleans exactly), by the loosest
// op of the function (see toleranceOf):
//   elementwise arithmetic, data movement     atol 1e-6, rtol 1e-6
//   exp/log/tanh/erf/pow (polynomial approx.) atol 1e-5, rtol 1e-5
//   matmul, conv, reductions, softmax, norms  atol 1e-5, rtol 1e-4, with
//     |ref| no smaller than the output's RMS (see toleranceScale)
// The summary prints how close the passing elements came to them.
//
//===----------------------------------------------------------------------===//

#include "RandomGraph.h"

#include "compiler/driver/Artifact.h"
#include "compiler/driver/Compiler.h"
#include "compiler/reference/Interpreter.h"
#include "dialects/kiln/KilnDialect.h"
#include "kiln/runtime.hpp"
#include "runtime/src/npy/Npy.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
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
  /// Modules compiled at once.
  int64_t jobs = 2;
  /// Threads of the runtime session.
  int32_t threads = 2;
  GeneratorConfig config;
  /// Extra LLVM target features for the compiler ("-avx512f").
  std::string targetFeatures;
  /// Compile matmuls to loops instead of ukernel calls.
  bool noUkernels = false;
  bool keep = false, print = false, verbose = false;
};

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

//===----------------------------------------------------------------------===//
// Files and child processes
//===----------------------------------------------------------------------===//

/// What a child runs when it crashes, for LLVM's crash handler to print.
char gRunning[256] = "";

void onFatalSignal(void *) {
  if (gRunning[0]) {
    const char prefix[] = "\nkiln-difftest: FATAL signal while ";
    (void)!write(2, prefix, sizeof(prefix) - 1);
    (void)!write(2, gRunning, strlen(gRunning));
    (void)!write(2, "\n", 1);
  }
}

void setRunning(const std::string &what) {
  std::snprintf(gRunning, sizeof(gRunning), "%s", what.c_str());
}

bool writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return false;
  os << text;
  os.close();
  return !os.has_error();
}

std::string readFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  return buffer ? (*buffer)->getBuffer().str() : "";
}

/// Forks a child running `body` (its exit code is body's result), with its
/// stderr in `stderrPath` when that is not empty. The parent is single
/// threaded whenever it forks: sessions and their threads live in children.
pid_t startChild(llvm::function_ref<int()> body,
                 const std::string &stderrPath = "") {
  llvm::outs().flush();
  llvm::errs().flush();
  pid_t pid = fork();
  if (pid != 0)
    return pid;
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

/// How a child ended.
struct ChildResult {
  bool exited = false;
  int code = 0, signal = 0;
};

ChildResult decodeStatus(int status) {
  ChildResult r;
  r.exited = WIFEXITED(status);
  r.code = r.exited ? WEXITSTATUS(status) : 0;
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return r;
}

ChildResult waitChild(pid_t pid) {
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid)
    return ChildResult{false, 0, -1};
  return decodeStatus(status);
}

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

//===----------------------------------------------------------------------===//
// Compiling
//===----------------------------------------------------------------------===//

/// Starts compiling `stem`.mlir into `stem`.so with the compiler driver in a
/// child, which also checks that the runtime loads the artifact (an
/// undefined symbol is a compile failure too). Its diagnostics, or the crash
/// dump, go to `stem`.diag.
pid_t startCompile(const std::string &stem, const Options &testOptions) {
  return startChild(
      [&] {
        setRunning("compiling " + stem + ".mlir");
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
        options.targetFeatures = testOptions.targetFeatures;
        options.ukernels = !testOptions.noUkernels;
        if (failed(
                kiln::driver::compile(ctx, sourceMgr, options, llvm::errs())))
          return 1;
        auto artifact = kiln::Module::load(options.outputPath.c_str());
        if (!artifact.ok()) {
          llvm::errs() << artifact.status().message() << "\n";
          return 1;
        }
        return 0;
      },
      stem + ".diag");
}

/// The outcome of a compile child: success, or false with its diagnostics.
bool finishCompile(const std::string &stem, ChildResult r,
                   std::string &diagnostics) {
  if (r.exited && r.code == 0)
    return true;
  diagnostics = readFile(stem + ".diag");
  if (diagnostics.size() > 6000)
    diagnostics = diagnostics.substr(0, 6000) + "\n[... cut]\n";
  if (!r.exited)
    diagnostics +=
        "the compiler crashed (signal " + std::to_string(r.signal) + ")\n";
  return false;
}

bool compileFile(const std::string &stem, const Options &options,
                 std::string &diagnostics) {
  return finishCompile(stem, waitChild(startCompile(stem, options)),
                       diagnostics);
}

//===----------------------------------------------------------------------===//
// Comparing
//===----------------------------------------------------------------------===//

std::string indexString(llvm::ArrayRef<int64_t> shape, int64_t linear) {
  llvm::SmallVector<int64_t> idx(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    idx[d] = linear % shape[d];
    linear /= shape[d];
  }
  return "[" +
         llvm::join(
             llvm::map_range(idx, [](int64_t i) { return std::to_string(i); }),
             ", ") +
         "]";
}

/// The root mean square of the finite elements of a float tensor.
double rms(const Tensor &t) {
  double sum = 0;
  int64_t n = 0;
  for (double v : t.floats)
    if (std::isfinite(v)) {
      sum += v * v;
      ++n;
    }
  return n ? std::sqrt(sum / n) : 0;
}

/// Compares one output; on a mismatch appends a description to `report`.
/// An element matches when |got - ref| <= atol + rtol·max(|ref|, scale).
/// `closest` is raised to the largest such ratio of the matching float
/// elements.
bool compareTensor(const Tensor &got, const Tensor &ref, Tolerance tol,
                   double scale, std::string &report, double &closest) {
  llvm::raw_string_ostream os(report);
  int64_t bad = 0;
  double worst = 0;
  for (int64_t k = 0; k < ref.size(); ++k) {
    double g = got.getDouble(k), r = ref.getDouble(k);
    double ratio = std::fabs(g - r) /
                   (tol.atol + tol.rtol * std::max(std::fabs(r), scale));
    bool ok;
    if (!ref.isFloat())
      ok = got.ints[k] == ref.ints[k];
    else if (std::isnan(r) || std::isnan(g))
      ok = std::isnan(r) && std::isnan(g);
    else if (std::isinf(r) || std::isinf(g))
      ok = g == r;
    else
      ok = ratio <= 1;
    if (ok) {
      if (ref.isFloat() && std::isfinite(ratio))
        closest = std::max(closest, ratio);
      continue;
    }
    if (std::isfinite(ratio))
      worst = std::max(worst, ratio);
    if (bad++ < 8)
      os << "    " << indexString(ref.shape(), k) << ": got "
         << llvm::format("%.9g", g) << ", expected " << llvm::format("%.9g", r)
         << "\n";
  }
  if (bad)
    os << "    " << bad << " of " << ref.size()
       << " elements differ (worst finite error " << llvm::format("%.3g", worst)
       << "x the tolerance)\n";
  return bad == 0;
}

/// The magnitude below which an element's tolerance stops shrinking. An
/// accumulation's rounding error scales with the values it sums, not with
/// the element it lands in: an output element near zero after a layer
/// norm's offset, or a matmul's cancellation, carries the error of its
/// O(|output|) neighbours. Accumulation-class outputs are therefore held to
/// atol + rtol·max(|ref|, rms(ref)); elementwise ones, element by element.
double toleranceScale(TolClass c, const Tensor &ref) {
  return c == TolClass::Accumulation && ref.isFloat() ? rms(ref) : 0;
}

/// A host buffer viewed as a kiln_tensor_t.
struct Buffer {
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;
  kiln_tensor_t view(Type element) {
    auto dtype = static_cast<kiln_dtype_t>(kiln::driver::dtypeOf(element));
    return kiln_tensor_t{dtype, static_cast<uint32_t>(dims.size()),
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

/// One module of the run: its functions and where its files are.
struct ModuleJob {
  int64_t index = 0;
  uint64_t first = 0;
  std::vector<Case> cases;
  std::string stem;
  pid_t compiler = -1;
  Clock::time_point compileStart;
  double compileSeconds = 0;
  std::optional<ChildResult> compiled;
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
  /// Generates a module's functions and their expected outputs and writes
  /// the module.
  void generate(ModuleJob &job);
  /// Compiles every module, `options.jobs` at a time.
  void compileAll(std::vector<ModuleJob> &jobs);
  /// Tests the functions of a compiled (or not) module.
  void test(ModuleJob &job);
  /// Finds the functions of a module that fail to compile (reported and
  /// added to `broken`).
  void bisectCompile(std::vector<Case *> cases, const std::string &stem,
                     std::vector<Case *> &broken);
  /// Runs `cases` from the artifact `stem`.so and compares.
  void runCases(std::vector<Case *> cases, const std::string &stem);
  void checkCase(Case &c, kiln::Module &artifact, kiln::Session &session);
  void fail(const Case &c, const llvm::Twine &what, const std::string &details);
  /// Writes the function, its inputs and expected outputs beside the
  /// modules; returns the kiln-compile/kiln-run command that replays it.
  std::string writeReproducer(const Case &c);

  Options options;
  MLIRContext ctx;
  /// Generated modules live until the end (cases point into them).
  std::vector<OwningOpRef<ModuleOp>> modules;
  std::string dir;
  int64_t functions = 0, failures = 0, nanFunctions = 0, outputsChecked = 0;
  std::map<std::string, int64_t> coverage, tolerances;
  /// Per tolerance class: the largest error of a passing element, as a
  /// fraction of its tolerance (how much room the tolerances leave).
  double closest[3] = {0, 0, 0};
};

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
  llvm::raw_ostream &os = llvm::errs();
  os << "\n==== MISMATCH: " << c.name << " (seed " << c.gen.seed
     << "): " << what << "\n"
     << details << "  layers: " << llvm::join(c.gen.layers, " ")
     << "\n  tolerance class: " << tolClassName(c.gen.tolerance)
     << (c.gen.nanInputs ? " (NaN inputs)" : "")
     << "\n  reproduce: kiln-difftest --seed " << c.gen.seed << " --count 1";
  if (options.config.categories != kAllCategories) {
    llvm::ListSeparator comma(",");
    os << " --categories=";
    for (unsigned bit = 1; bit & kAllCategories; bit <<= 1)
      if (options.config.categories & bit)
        os << comma << categoryName(Category(bit));
  }
  if (!options.config.skip.empty())
    os << " --skip=" << llvm::join(options.config.skip, ",");
  if (!options.targetFeatures.empty())
    os << " --target-features=" << options.targetFeatures;
  if (options.noUkernels)
    os << " --no-ukernels";
  if (!run.empty())
    os << "\n  or: " << run
       << (options.noUkernels ? " (kiln-compile --no-ukernels)" : "");
  os << "\n---- MLIR ----\n"
     << moduleText(ctx, {c.gen.func}) << "---- end ----\n";
  os.flush();
}

void DiffTest::checkCase(Case &c, kiln::Module &artifact,
                         kiln::Session &session) {
  auto index = artifact.lookup(c.name.c_str());
  if (!index.ok()) {
    fail(c, "not found in the artifact",
         std::string("    ") + index.status().message() + "\n");
    return;
  }
  func::FuncOp f = c.gen.func;
  std::vector<Buffer> inputs;
  for (const Tensor &t : c.gen.inputs)
    inputs.push_back(Buffer{{t.shape().begin(), t.shape().end()},
                            reference::tensorToBytes(t)});
  std::vector<kiln_tensor_t> inViews;
  for (auto [buf, t] : llvm::zip(inputs, c.gen.inputs))
    inViews.push_back(buf.view(t.elementType()));
  // Calls the function into fresh output buffers filled with `pattern` (so
  // that unwritten outputs show).
  auto call = [&](uint8_t pattern, std::vector<Buffer> &outputs) {
    std::vector<kiln_tensor_t> outViews;
    for (Type t : f.getResultTypes()) {
      auto type = cast<RankedTensorType>(t);
      outputs.push_back(
          Buffer{{type.getShape().begin(), type.getShape().end()},
                 std::vector<uint8_t>(
                     type.getNumElements() *
                         reference::rawElementSize(type.getElementType()),
                     pattern)});
      outViews.push_back(outputs.back().view(type.getElementType()));
    }
    setRunning("running " + c.name + " (reproduce: kiln-difftest --seed " +
               std::to_string(c.gen.seed) + " --count 1)");
    kiln::Status status = session.invoke(*index, inViews, outViews);
    setRunning("");
    return status;
  };
  std::vector<Buffer> outputs, again;
  kiln::Status status = call(0xA5, outputs);
  if (!status.ok()) {
    fail(c, "the artifact failed",
         std::string("    ") + status.message() + "\n");
    return;
  }
  // Inputs are only read.
  for (auto [i, t] : llvm::enumerate(c.gen.inputs))
    if (inputs[i].bytes != reference::tensorToBytes(t)) {
      fail(c, "the artifact wrote into input #" + llvm::Twine(i), "");
      return;
    }
  // Both calls match the reference: a second call finds no state left by
  // the first in the arena, the inputs or the weights.
  status = call(0x5A, again);
  if (!status.ok()) {
    fail(c, "the second call failed",
         std::string("    ") + status.message() + "\n");
    return;
  }
  std::string details;
  std::vector<Buffer> *calls[] = {&outputs, &again};
  for (auto [call, results] : llvm::enumerate(calls)) {
    for (auto [i, t] : llvm::enumerate(f.getResultTypes())) {
      auto type = cast<RankedTensorType>(t);
      const std::vector<uint8_t> &raw = (*results)[i].bytes;
      llvm::ArrayRef<char> bytes(reinterpret_cast<const char *>(raw.data()),
                                 raw.size());
      FailureOr<Tensor> got =
          reference::tensorFromBytes(type, bytes, UnknownLoc::get(&ctx));
      std::string report;
      if (failed(got))
        report = "    cannot decode the result\n";
      else if (compareTensor(*got, c.expected[i], toleranceOf(c.gen.tolerance),
                             toleranceScale(c.gen.tolerance, c.expected[i]),
                             report, closest[int(c.gen.tolerance)]))
        continue;
      std::string typeText;
      llvm::raw_string_ostream(typeText) << type;
      details += "  result #" + std::to_string(i) + " " + typeText +
                 (call ? " of the second call" : "") + ":\n" + report;
    }
    if (!details.empty())
      break;
  }
  if (!details.empty()) {
    Tolerance tol = toleranceOf(c.gen.tolerance);
    fail(c,
         llvm::formatv(
             "outputs differ from the reference (atol {0:e1}, rtol {1:e1})",
             tol.atol, tol.rtol),
         details);
  }
}

void DiffTest::bisectCompile(std::vector<Case *> cases, const std::string &stem,
                             std::vector<Case *> &broken) {
  std::string diagnostics;
  if (cases.size() == 1) {
    writeFile(stem + ".mlir", moduleText(ctx, {cases[0]->gen.func}));
    if (!compileFile(stem, options, diagnostics)) {
      fail(*cases[0], "does not compile", diagnostics);
      broken.push_back(cases[0]);
    }
    return;
  }
  size_t half = cases.size() / 2;
  for (int part = 0; part < 2; ++part) {
    std::vector<Case *> sub(part ? cases.begin() + half : cases.begin(),
                            part ? cases.end() : cases.begin() + half);
    std::vector<func::FuncOp> funcs;
    for (Case *c : sub)
      funcs.push_back(c->gen.func);
    std::string name = stem + (part ? "b" : "a");
    writeFile(name + ".mlir", moduleText(ctx, funcs));
    if (!compileFile(name, options, diagnostics))
      bisectCompile(sub, name, broken);
  }
}

void DiffTest::runCases(std::vector<Case *> cases, const std::string &stem) {
  // The functions run in a child, which records the index of the one
  // running: a crash is pinned on it, and the rest run in a new child.
  std::string progress = stem + ".running", stats = stem + ".closest";
  size_t start = 0;
  while (start < cases.size()) {
    int64_t before = failures;
    ChildResult r = waitChild(startChild([&]() -> int {
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
      for (size_t k = start; k < cases.size(); ++k) {
        writeFile(progress, std::to_string(k));
        checkCase(*cases[k], *artifact, *session);
      }
      writeFile(stats,
                llvm::formatv("{0} {1} {2}", closest[0], closest[1], closest[2])
                    .str());
      return static_cast<int>(std::min<int64_t>(failures - before, 100));
    }));
    failures += r.code;
    if (r.exited)
      break;
    size_t crashed = cases.size();
    if (llvm::StringRef(readFile(progress)).getAsInteger(10, crashed) ||
        crashed < start || crashed >= cases.size()) {
      llvm::errs() << "kiln-difftest: " << stem << " crashed (signal "
                   << r.signal << ")\n";
      ++failures;
      break;
    }
    fail(*cases[crashed],
         "crashed the process (signal " + llvm::Twine(r.signal) + ")", "");
    start = crashed + 1;
  }
  llvm::SmallVector<llvm::StringRef> fields;
  std::string text = readFile(stats);
  llvm::StringRef(text).split(fields, ' ');
  for (size_t k = 0; k < fields.size() && k < 3; ++k) {
    double v = 0;
    if (!fields[k].getAsDouble(v))
      closest[k] = std::max(closest[k], v);
  }
  for (Case *c : cases)
    outputsChecked += c->expected.size();
}

void DiffTest::generate(ModuleJob &job) {
  modules.push_back(ModuleOp::create(UnknownLoc::get(&ctx)));
  ModuleOp module = *modules.back();
  for (auto [i, c] : llvm::enumerate(job.cases)) {
    uint64_t seed = job.first + i;
    c.name = "g" + std::to_string(seed);
    c.gen = generateFunction(module, c.name, seed, options.config);
    ++functions;
    nanFunctions += c.gen.nanInputs;
    ++tolerances[tolClassName(c.gen.tolerance).str()];
    for (const std::string &l : c.gen.layers)
      ++coverage[l];
    // The oracle.
    FailureOr<llvm::SmallVector<Tensor>> ref =
        reference::interpret(c.gen.func, c.gen.inputs);
    if (failed(ref)) {
      llvm::errs() << "kiln-difftest: the reference interpreter failed on "
                   << c.name << "\n";
      std::exit(2);
    }
    c.expected.assign(ref->begin(), ref->end());
  }
  if (failed(verify(module))) {
    llvm::errs() << "kiln-difftest: generator bug: invalid module\n";
    std::exit(2);
  }
  job.stem = dir + "/m" + std::to_string(job.index);
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os); // with the resource blobs, unlike operator<<
  writeFile(job.stem + ".mlir", text);
  if (options.print)
    llvm::outs() << text;
}

void DiffTest::compileAll(std::vector<ModuleJob> &jobs) {
  size_t next = 0, running = 0;
  while (next < jobs.size() || running) {
    if (next < jobs.size() && running < static_cast<size_t>(options.jobs)) {
      jobs[next].compileStart = Clock::now();
      jobs[next].compiler = startCompile(jobs[next].stem, options);
      ++next;
      ++running;
      continue;
    }
    int status = 0;
    pid_t pid = wait(&status);
    if (pid < 0)
      break;
    for (ModuleJob &job : jobs)
      if (job.compiler == pid && !job.compiled) {
        job.compiled = decodeStatus(status);
        job.compileSeconds = secondsSince(job.compileStart);
        --running;
      }
  }
}

void DiffTest::test(ModuleJob &job) {
  Clock::time_point start = Clock::now();
  int64_t before = failures;
  std::vector<Case *> runnable;
  for (Case &c : job.cases)
    runnable.push_back(&c);
  std::string stem = job.stem, diagnostics;
  if (!job.compiled || !finishCompile(stem, *job.compiled, diagnostics)) {
    // Find the functions that do not compile, then test the others.
    llvm::errs() << "kiln-difftest: module " << job.index
                 << " does not compile; finding the functions that fail\n";
    if (options.verbose)
      llvm::errs() << diagnostics;
    std::vector<Case *> broken;
    bisectCompile(runnable, stem, broken);
    llvm::erase_if(runnable,
                   [&](Case *c) { return llvm::is_contained(broken, c); });
    std::vector<func::FuncOp> funcs;
    for (Case *c : runnable)
      funcs.push_back(c->gen.func);
    stem += "r";
    writeFile(stem + ".mlir", moduleText(ctx, funcs));
    if (broken.empty() ||
        (!runnable.empty() && !compileFile(stem, options, diagnostics))) {
      llvm::errs() << "kiln-difftest: module " << job.index
                   << " fails to compile only as a whole:\n"
                   << diagnostics;
      ++failures;
      runnable.clear();
    }
  }
  if (!runnable.empty())
    runCases(runnable, stem);
  llvm::outs() << llvm::format(
      "module %lld: %zu functions (seeds %llu..%llu): compile %.1f s, "
      "test %.1f s: %s\n",
      (long long)job.index, job.cases.size(), (unsigned long long)job.first,
      (unsigned long long)(job.first + job.cases.size() - 1),
      job.compileSeconds, secondsSince(start),
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
  Clock::time_point start = Clock::now();
  llvm::outs() << "kiln-difftest: " << options.count
               << " random functions from seed " << options.seed << ", "
               << options.perModule << " per module; categories:";
  for (unsigned bit = 1; bit & kAllCategories; bit <<= 1)
    if (options.config.categories & bit)
      llvm::outs() << " " << categoryName(Category(bit));
  llvm::outs() << "\n";
  for (unsigned bit = 1; bit & kAllCategories; bit <<= 1)
    if (!(options.config.categories & bit))
      llvm::outs() << "  (category " << categoryName(Category(bit))
                   << " is disabled: not tested)\n";
  for (const std::string &name : options.config.skip)
    llvm::outs() << "  (" << name << " is skipped: not tested)\n";

  std::vector<ModuleJob> jobs;
  for (int64_t i = 0; i < options.count; i += options.perModule) {
    ModuleJob &job = jobs.emplace_back();
    job.index = static_cast<int64_t>(jobs.size()) - 1;
    job.first = options.seed + i;
    job.cases.resize(std::min(options.perModule, options.count - i));
    generate(job);
  }
  double generateSeconds = secondsSince(start);
  Clock::time_point compileStart = Clock::now();
  compileAll(jobs);
  double compileSeconds = secondsSince(compileStart);
  for (ModuleJob &job : jobs)
    test(job);

  llvm::outs() << "coverage (layers generated):";
  int column = 0;
  for (auto &[name, n] : coverage)
    llvm::outs() << (column++ % 6 ? " " : "\n  ") << name << "=" << n;
  llvm::outs() << "\ntolerance classes (functions):";
  for (auto &[name, n] : tolerances)
    llvm::outs() << " " << name << "=" << n;
  llvm::outs() << "\nlargest passing error / tolerance:";
  for (int k = 0; k < 3; ++k)
    llvm::outs() << " " << tolClassName(TolClass(k))
                 << llvm::format("=%.3g", closest[k]);
  llvm::outs() << llvm::format(
      "\n%lld functions (%lld with NaN inputs), %lld outputs checked, %lld "
      "failures; generate %.1f s, compile %.1f s (%lld at a time), total "
      "%.1f s\n",
      (long long)functions, (long long)nanFunctions, (long long)outputsChecked,
      (long long)failures, generateSeconds, compileSeconds,
      (long long)options.jobs, secondsSince(start));
  if (failures || options.keep)
    llvm::outs() << "files kept in " << dir << "\n";
  else
    llvm::sys::fs::remove_directories(dir);
  return failures ? 1 : 0;
}

bool parseUnsigned(llvm::StringRef text, uint64_t &out) {
  return !text.getAsInteger(10, out);
}

int usage() {
  llvm::errs()
      << "usage: kiln-difftest [--seed N] [--count N] [--per-module N] "
         "[--jobs N] [--threads N] [--categories LIST|all] "
         "[--skip GENERATOR,...] [--no-ukernels] [--target-features F] "
         "[--list] [--keep] [--print] [--verbose]\n";
  return 2;
}

} // namespace
} // namespace kiln::difftest

int main(int argc, char **argv) {
  using namespace kiln::difftest;
  llvm::sys::PrintStackTraceOnErrorSignal(argv[0]);
  llvm::sys::AddSignalHandler(onFatalSignal, nullptr);
  Options options;
  uint64_t value;
  if (const char *s = std::getenv("KILN_DIFFTEST_SEED"))
    if (parseUnsigned(s, value))
      options.seed = value;
  if (const char *s = std::getenv("KILN_DIFFTEST_COUNT"))
    if (parseUnsigned(s, value))
      options.count = static_cast<int64_t>(value);
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    auto [flag, inlineText] = arg.split('=');
    bool hasInline = arg.contains('=');
    llvm::StringRef inlineValue = inlineText, v;
    auto next = [&] {
      if (hasInline) {
        v = inlineValue;
        return true;
      }
      if (i + 1 >= argc)
        return false;
      v = argv[++i];
      return true;
    };
    if (flag == "--keep") {
      options.keep = true;
    } else if (flag == "--print") {
      options.print = true;
    } else if (flag == "--verbose") {
      options.verbose = true;
    } else if (flag == "--no-ukernels") {
      options.noUkernels = true;
    } else if (flag == "--list") {
      for (const std::string &n : generatorNames(kAllCategories))
        llvm::outs() << n << "\n";
      llvm::outs() << "return_input\nreturn_twice\n";
      return 0;
    } else if (flag == "--seed" && next() && parseUnsigned(v, value)) {
      options.seed = value;
    } else if (flag == "--count" && next() && parseUnsigned(v, value)) {
      options.count = static_cast<int64_t>(value);
    } else if (flag == "--per-module" && next() && parseUnsigned(v, value) &&
               value > 0) {
      options.perModule = static_cast<int64_t>(value);
    } else if (flag == "--jobs" && next() && parseUnsigned(v, value) &&
               value > 0) {
      options.jobs = static_cast<int64_t>(value);
    } else if (flag == "--threads" && next() && parseUnsigned(v, value)) {
      options.threads = static_cast<int32_t>(value);
    } else if (flag == "--target-features" && next()) {
      options.targetFeatures = v.str();
    } else if (flag == "--skip" && next()) {
      llvm::SmallVector<llvm::StringRef> names;
      v.split(names, ',', -1, false);
      for (llvm::StringRef n : names)
        options.config.skip.insert(n.trim().str());
    } else if (flag == "--categories" && next() &&
               parseCategories(v, options.config.categories)) {
    } else {
      return usage();
    }
  }
  DiffTest test(options);
  return test.run();
}
