//===- Runner.cpp - run a kiln function on .npy files ---------------------===//

#include "compiler/reference/Runner.h"
#include "compiler/reference/Interpreter.h"
#include "dialects/kiln/KilnDialect.h"
#include "runtime/src/npy/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>

using namespace mlir;
using namespace kiln;
using namespace kiln::reference;
using kiln::tools::fileNameFor;
using kiln::tools::splitBinding;

void kiln::reference::registerRunnerDialects(DialectRegistry &registry) {
  registry.insert<KilnDialect, func::FuncDialect>();
}

namespace {

/// Maps an npy dtype to the kiln element type it holds.
Type elementTypeOf(MLIRContext *ctx, npy::DType t) {
  switch (t) {
  case npy::DType::F32:
    return Float32Type::get(ctx);
  case npy::DType::F64:
    return Float64Type::get(ctx);
  case npy::DType::F16:
    return Float16Type::get(ctx);
  case npy::DType::I8:
    return IntegerType::get(ctx, 8);
  case npy::DType::I32:
    return IntegerType::get(ctx, 32);
  case npy::DType::I64:
    return IntegerType::get(ctx, 64);
  case npy::DType::Bool:
    return IntegerType::get(ctx, 1);
  }
  return Type();
}

std::optional<npy::DType> dtypeOf(Type t) {
  if (t.isF32())
    return npy::DType::F32;
  if (t.isF64())
    return npy::DType::F64;
  if (t.isF16())
    return npy::DType::F16;
  if (t.isInteger(1))
    return npy::DType::Bool;
  if (t.isInteger(8))
    return npy::DType::I8;
  if (t.isInteger(32))
    return npy::DType::I32;
  if (t.isInteger(64))
    return npy::DType::I64;
  return std::nullopt;
}

/// The user-facing name of argument or result `i`: its `kiln.name`
/// attribute, else `<prefix><i>`.
std::string nameOf(DictionaryAttr attrs, StringRef prefix, unsigned i) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("kiln.name"))
      return name.str();
  return (prefix + Twine(i)).str();
}


/// Prints a float like Python's repr at `element`'s precision.
void printFloat(raw_ostream &os, double v, Type element) {
  os << tools::formatFloat(
      v, [element](double x) { return roundToType(element, x); });
}

void printValues(raw_ostream &os, const Tensor &t) {
  constexpr int64_t kEdge = 3, kFull = 1000;
  bool summarize = t.size() > kFull;
  ArrayRef<int64_t> shape = t.shape();
  SmallVector<int64_t> strides = stridesOf(shape);
  Type element = t.elementType();
  std::function<void(unsigned, int64_t)> rec = [&](unsigned dim, int64_t base) {
    if (dim == shape.size()) {
      if (t.isFloat())
        printFloat(os, t.floats[base], element);
      else if (element.isInteger(1))
        os << (t.ints[base] ? "true" : "false");
      else
        os << t.ints[base];
      return;
    }
    os << "[";
    for (int64_t i = 0; i < shape[dim]; ++i) {
      if (summarize && shape[dim] > 2 * kEdge && i == kEdge) {
        os << "..., ";
        i = shape[dim] - kEdge;
      }
      if (i > 0)
        os << ", ";
      rec(dim + 1, base + i * strides[dim]);
    }
    os << "]";
  };
  rec(0, 0);
}


/// Reads an .npy file as a tensor of `type`, naming `what` in errors.
FailureOr<Tensor> readAs(Location loc, const std::string &path,
                         RankedTensorType type, const std::string &what) {
  npy::ReadResult r = npy::readNpy(path);
  if (!r.ok())
    return emitError(loc) << what << ": " << r.error;
  const npy::Array &a = *r.array;
  Type element = elementTypeOf(type.getContext(), a.dtype);
  if (element != type.getElementType() ||
      ArrayRef<int64_t>(a.shape) != type.getShape())
    return emitError(loc) << what << " expects " << type << " but " << path
                          << " holds " << npy::dtypeName(a.dtype)
                          << " of shape " << shapeString(a.shape);
  ArrayRef<char> bytes(reinterpret_cast<const char *>(a.data.data()),
                       a.data.size());
  return tensorFromBytes(type, bytes, loc);
}

func::FuncOp pickFunction(ModuleOp module, StringRef name, Location loc) {
  if (!name.empty()) {
    auto fn = module.lookupSymbol<func::FuncOp>(name);
    if (!fn) {
      InFlightDiagnostic d = emitError(loc) << "no function named '" << name
                                            << "'; the module has:";
      for (auto f : module.getOps<func::FuncOp>())
        d << " '" << f.getName() << "'";
    }
    return fn;
  }
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn.isPublic() && !fn.isExternal())
      return fn;
  emitError(loc) << "the module has no public function with a body";
  return nullptr;
}

/// Binds the input specs to the function's arguments.
FailureOr<SmallVector<Tensor>> bindInputs(func::FuncOp fn,
                                          const RunOptions &options) {
  Location loc = fn.getLoc();
  unsigned numArgs = fn.getNumArguments();
  SmallVector<std::string> names;
  for (unsigned i = 0; i < numArgs; ++i)
    names.push_back(nameOf(fn.getArgAttrDict(i), "arg", i));
  SmallVector<std::string> paths(numArgs);
  unsigned next = 0;
  for (const std::string &spec : options.inputs) {
    auto [name, path] = splitBinding(spec);
    unsigned slot;
    if (!name.empty()) {
      auto it = llvm::find(names, name);
      if (it == names.end()) {
        InFlightDiagnostic d = emitError(loc)
                               << "--input " << spec << ": function '"
                               << fn.getName() << "' has no argument named '"
                               << name << "'; its arguments are:";
        for (auto &n : names)
          d << " '" << n << "'";
        return failure();
      }
      slot = it - names.begin();
    } else {
      while (next < numArgs && !paths[next].empty())
        ++next;
      if (next == numArgs)
        return emitError(loc) << "--input " << spec << ": function '"
                              << fn.getName() << "' takes only " << numArgs
                              << " argument(s)";
      slot = next;
    }
    if (!paths[slot].empty())
      return emitError(loc) << "argument '" << names[slot]
                            << "' is bound twice";
    paths[slot] = path;
  }
  SmallVector<Tensor> args;
  for (unsigned i = 0; i < numArgs; ++i) {
    auto type = dyn_cast<RankedTensorType>(fn.getArgumentTypes()[i]);
    if (paths[i].empty())
      return emitError(loc) << "no input for argument '" << names[i] << "' ("
                            << fn.getArgumentTypes()[i]
                            << "); pass --input " << names[i] << "=FILE.npy";
    if (!type)
      return emitError(loc) << "argument '" << names[i]
                            << "' must be a ranked tensor";
    FailureOr<Tensor> t =
        readAs(loc, paths[i], type, "argument '" + names[i] + "'");
    if (failed(t))
      return failure();
    args.push_back(std::move(*t));
  }
  return args;
}

/// Compares a result with its golden; prints the verdict. True when close.
bool compare(raw_ostream &out, StringRef name, const Tensor &got,
             const Tensor &want, double rtol, double atol) {
  int64_t bad = 0, first = -1;
  double worst = 0.0;
  for (int64_t k = 0, n = got.size(); k < n; ++k) {
    double g = got.getDouble(k), w = want.getDouble(k);
    bool ok;
    if (got.isFloat()) {
      ok = (std::isnan(g) && std::isnan(w)) || g == w ||
           std::fabs(g - w) <= atol + rtol * std::fabs(w);
      if (!std::isnan(g) && !std::isnan(w))
        worst = std::max(worst, std::fabs(g - w));
    } else {
      ok = got.ints[k] == want.ints[k];
    }
    if (!ok && bad++ == 0)
      first = k;
  }
  if (bad == 0) {
    out << "  " << name << ": matches expected (max |diff| "
        << llvm::format("%.3g", worst) << ")\n";
    return true;
  }
  SmallVector<int64_t> idx;
  int64_t rest = first;
  for (int64_t s : stridesOf(got.shape())) {
    idx.push_back(rest / s);
    rest %= s;
  }
  out << "  " << name << ": MISMATCH in " << bad << " of " << got.size()
      << " elements; first at " << shapeString(idx) << ": got ";
  // Integers print exactly through f64 formatting.
  Type printType = got.isFloat() ? got.elementType()
                                 : Float64Type::get(got.type.getContext());
  printFloat(out, got.getDouble(first), printType);
  out << ", expected ";
  printFloat(out, want.getDouble(first), printType);
  out << " (rtol " << llvm::format("%g", rtol) << ", atol "
      << llvm::format("%g", atol) << ")\n";
  return false;
}

} // namespace

RunStatus kiln::reference::runModel(MLIRContext &context,
                                    llvm::SourceMgr &sourceMgr,
                                    const RunOptions &options,
                                    raw_ostream &out) {
  Location fileLoc = FileLineColLoc::get(&context, options.modelPath, 0, 0);
  std::string error;
  auto file = openInputFile(options.modelPath, &error);
  if (!file) {
    emitError(fileLoc) << "cannot open model: " << error;
    return RunStatus::InputError;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return RunStatus::InputError;

  func::FuncOp fn = pickFunction(*module, options.function, fileLoc);
  if (!fn)
    return RunStatus::InputError;
  FailureOr<SmallVector<Tensor>> args = bindInputs(fn, options);
  if (failed(args))
    return RunStatus::InputError;

  auto start = std::chrono::steady_clock::now();
  FailureOr<SmallVector<Tensor>> results = interpret(fn, *args);
  auto stop = std::chrono::steady_clock::now();
  if (failed(results))
    return RunStatus::InputError;
  double ms = std::chrono::duration<double, std::milli>(stop - start).count();

  if (!options.outputDir.empty()) {
    if (std::error_code ec =
            llvm::sys::fs::create_directories(options.outputDir)) {
      emitError(fileLoc) << "cannot create output directory '"
                         << options.outputDir << "': " << ec.message();
      return RunStatus::InputError;
    }
  }

  out << fn.getName() << ": " << args->size() << " input(s), "
      << results->size() << " result(s), interpreted in "
      << llvm::format("%.3f", ms) << " ms\n";
  std::map<std::string, int> used;
  SmallVector<std::string> resultNames;
  for (auto [i, t] : llvm::enumerate(*results)) {
    std::string name = nameOf(fn.getResultAttrDict(i), "result", i);
    resultNames.push_back(name);
    out << "  " << name << ": " << t.type;
    if (!options.outputDir.empty()) {
      std::string base = fileNameFor(name);
      if (used[base]++)
        base += "_" + std::to_string(i);
      SmallString<256> path(options.outputDir);
      llvm::sys::path::append(path, base + ".npy");
      npy::Array array;
      Tensor written = t;
      if (t.elementType().isBF16()) {
        // NumPy has no bfloat16: write the (exact) f32 widening.
        written.type = RankedTensorType::get(t.shape(), Float32Type::get(&context));
        out << " (written as f32)";
      }
      array.dtype = *dtypeOf(written.elementType());
      array.shape.assign(t.shape().begin(), t.shape().end());
      array.data = tensorToBytes(written);
      std::string err = npy::writeNpy(path.str().str(), array);
      if (!err.empty()) {
        emitError(fileLoc) << err;
        return RunStatus::InputError;
      }
      out << " -> " << path;
    }
    out << "\n";
    if (options.printValues) {
      out << "    ";
      printValues(out, t);
      out << "\n";
    }
  }

  if (options.expected.empty())
    return RunStatus::Ok;
  bool allMatch = true;
  unsigned next = 0;
  for (const std::string &spec : options.expected) {
    auto [name, path] = splitBinding(spec);
    unsigned slot = next++;
    if (!name.empty()) {
      auto it = llvm::find(resultNames, name);
      if (it == resultNames.end()) {
        emitError(fileLoc) << "--expect " << spec << ": no result named '"
                           << name << "'";
        return RunStatus::InputError;
      }
      slot = it - resultNames.begin();
    }
    if (slot >= results->size()) {
      emitError(fileLoc) << "--expect " << spec << ": the function has only "
                         << results->size() << " result(s)";
      return RunStatus::InputError;
    }
    const Tensor &got = (*results)[slot];
    FailureOr<Tensor> want =
        readAs(fileLoc, path, got.type, "expected result '" + resultNames[slot] + "'");
    if (failed(want))
      return RunStatus::Mismatch;
    allMatch &= compare(out, resultNames[slot], got, *want, options.rtol,
                        options.atol);
  }
  return allMatch ? RunStatus::Ok : RunStatus::Mismatch;
}
