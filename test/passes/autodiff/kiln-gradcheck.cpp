//===- kiln-gradcheck.cpp - gradient rules vs finite differences ----------===//
//
// For every public function of a kiln file, builds its vector-Jacobian
// product with the autodiff library and compares, in the reference
// interpreter, the gradient of `L = sum_k <result_k, cotangent_k>` with
// central finite differences in f64, on seeded random inputs and
// cotangents. Argument attributes `gradcheck.min` / `gradcheck.max` (f64)
// bound an argument's random values (positive inputs for log and sqrt,
// valid indices for gather).
//
//   kiln-gradcheck rules.mlir [--seed N] [--samples K]
//
// Prints `@f: ok` per function, or the first mismatching element, and
// exits 1 when any gradient disagrees.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Interpreter.h"
#include "dialects/kiln/KilnDialect.h"
#include "passes/autodiff/Autodiff.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/IR/Diagnostics.h"

#include <cmath>
#include <random>

using namespace mlir;
using kiln::reference::Tensor;

static llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                            llvm::cl::desc("<file.mlir>"),
                                            llvm::cl::Required);
static llvm::cl::opt<unsigned> seed("seed", llvm::cl::desc("random seed"),
                                    llvm::cl::init(1));
static llvm::cl::opt<unsigned>
    samples("samples",
            llvm::cl::desc("elements checked per argument (all when fewer)"),
            llvm::cl::init(48));

namespace {

double attrOr(func::FuncOp fn, unsigned i, StringRef name, double fallback) {
  if (auto a = fn.getArgAttrOfType<FloatAttr>(i, name))
    return a.getValueAsDouble();
  return fallback;
}

/// L = sum_k <results_k, cotangents_k> over the float results.
double pairing(ArrayRef<Tensor> results, ArrayRef<Tensor> cotangents) {
  double l = 0;
  size_t c = 0;
  for (const Tensor &r : results) {
    if (!r.isFloat())
      continue;
    for (size_t e = 0; e < r.floats.size(); ++e)
      l += r.floats[e] * cotangents[c].floats[e];
    ++c;
  }
  return l;
}

/// Checks one function; prints the verdict.
bool check(func::FuncOp fn, std::mt19937_64 &rng) {
  std::string name = ("@" + fn.getSymName()).str();
  FailureOr<func::FuncOp> vjp =
      kiln::autodiff::buildVjpFunction(fn, (fn.getSymName() + "_vjp").str());
  if (failed(vjp)) {
    llvm::outs() << name << ": no gradient\n";
    return false;
  }
  SmallVector<Tensor> args;
  for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes())) {
    FailureOr<Tensor> t =
        Tensor::zeros(cast<RankedTensorType>(type), fn.getLoc());
    if (failed(t))
      return false;
    if (t->isFloat()) {
      std::uniform_real_distribution<double> u(attrOr(fn, i, "gradcheck.min", -2),
                                               attrOr(fn, i, "gradcheck.max", 2));
      for (double &v : t->floats)
        v = u(rng);
    } else {
      std::uniform_int_distribution<int64_t> u(
          static_cast<int64_t>(attrOr(fn, i, "gradcheck.min", 0)),
          static_cast<int64_t>(attrOr(fn, i, "gradcheck.max", 3)));
      for (int64_t &v : t->ints)
        v = u(rng);
    }
    args.push_back(std::move(*t));
  }
  SmallVector<Tensor> cotangents;
  for (Type type : fn.getResultTypes()) {
    auto tensor = cast<RankedTensorType>(type);
    if (!isa<FloatType>(tensor.getElementType()))
      continue;
    FailureOr<Tensor> t = Tensor::zeros(tensor, fn.getLoc());
    std::uniform_real_distribution<double> u(-1, 1);
    for (double &v : t->floats)
      v = u(rng);
    cotangents.push_back(std::move(*t));
  }
  SmallVector<Tensor> vjpArgs(args);
  vjpArgs.append(cotangents);
  auto analytic = kiln::reference::interpret(*vjp, vjpArgs);
  vjp->erase();
  if (failed(analytic))
    return false;

  const double h = 1e-6, rtol = 1e-6, atol = 1e-8;
  unsigned grad = 0;
  size_t checks = 0;
  for (unsigned i = 0; i < args.size(); ++i) {
    if (!args[i].isFloat())
      continue;
    const Tensor &g = (*analytic)[grad++];
    int64_t n = args[i].size();
    SmallVector<int64_t> picks;
    if (n <= static_cast<int64_t>(samples)) {
      for (int64_t e = 0; e < n; ++e)
        picks.push_back(e);
    } else {
      std::uniform_int_distribution<int64_t> u(0, n - 1);
      for (unsigned s = 0; s < samples; ++s)
        picks.push_back(u(rng));
    }
    for (int64_t e : picks) {
      double saved = args[i].floats[e];
      double l[2];
      for (int side = 0; side < 2; ++side) {
        args[i].floats[e] = saved + (side ? -h : h);
        auto out = kiln::reference::interpret(fn, args);
        if (failed(out))
          return false;
        l[side] = pairing(*out, cotangents);
      }
      args[i].floats[e] = saved;
      double numeric = (l[0] - l[1]) / (2 * h);
      double a = g.floats[e];
      ++checks;
      if (!(std::fabs(a - numeric) <=
            atol + rtol * std::max(std::fabs(a), std::fabs(numeric)))) {
        llvm::outs() << name << ": MISMATCH argument " << i << " element " << e
                     << ": autodiff " << llvm::format("%.10g", a)
                     << ", finite differences "
                     << llvm::format("%.10g", numeric) << "\n";
        return false;
      }
    }
  }
  llvm::outs() << name << ": ok (" << checks << " elements)\n";
  return true;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "kiln-gradcheck: gradient rules vs f64 finite differences\n");
  DialectRegistry registry;
  registry.insert<kiln::KilnDialect, func::FuncDialect>();
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context, llvm::errs());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFile, sourceMgr, &context);
  if (!module)
    return 2;
  std::mt19937_64 rng(seed);
  SmallVector<func::FuncOp> functions;
  for (auto fn : module->getOps<func::FuncOp>())
    if (fn.isPublic() && !fn.isExternal())
      functions.push_back(fn);
  bool ok = true;
  for (func::FuncOp fn : functions)
    ok &= check(fn, rng);
  return ok ? 0 : 1;
}
