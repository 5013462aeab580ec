//===- Compiler.cpp - the compile pipeline as a library (kiln-compile) ----===//

#include "compiler/driver/Compiler.h"
#include "runtime/src/train/Checkpoint.h"
#include "compiler/codegen/cpu/Pipeline.h"
#include "compiler/codegen/cuda/Passes.h"
#include "compiler/codegen/cuda/Pipeline.h"
#include "compiler/driver/Artifact.h"
#include "compiler/driver/UkernelObject.h"
#include "dialects/kiln/KilnDialect.h"
#include "frontends/Import.h"
#include "kiln/artifact_abi.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/Timer.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <chrono>
#include <cstdlib>

using namespace mlir;

namespace kiln::driver {
namespace {

/// One progress line per stage: `[2/6] optimize     0.12 s`.
class Progress {
public:
  Progress(llvm::raw_ostream &log, bool enabled, unsigned total)
      : log(log), enabled(enabled), total(total) {}
  void start(llvm::StringRef stage) {
    name = stage.str();
    begin = std::chrono::steady_clock::now();
  }
  void done(llvm::StringRef detail = "") {
    if (!enabled)
      return;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             begin)
                   .count();
    log << llvm::format("[%u/%u] %-10s %7.2f s", ++step, total, name.c_str(), s);
    if (!detail.empty())
      log << "  " << detail;
    log << "\n";
    log.flush();
  }

private:
  llvm::raw_ostream &log;
  bool enabled;
  unsigned total, step = 0;
  std::string name;
  std::chrono::steady_clock::time_point begin;
};


/// The signature of every public function, read before lowering.
FailureOr<std::vector<FunctionInfo>> collectSignatures(ModuleOp module) {
  std::vector<FunctionInfo> functions;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    FunctionInfo info;
    info.name = func.getSymName().str();
    auto describe = [&](Type type, StringAttr name, StringRef fallback,
                        std::vector<TensorInfo> &out) -> LogicalResult {
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor || !tensor.hasStaticShape() ||
          !dtypeOf(tensor.getElementType()))
        return func.emitError("entry point '")
               << info.name << "' has a non-static or unsupported " << fallback
               << " type " << type;
      if (tensor.getNumElements() == 0)
        return func.emitError("entry point '")
               << info.name << "': " << fallback << " " << type
               << " has no elements; zero-size inputs and outputs are not "
                  "supported";
      out.push_back({name ? name.str() : fallback.str(),
                     dtypeOf(tensor.getElementType()),
                     llvm::SmallVector<int64_t>(tensor.getShape())});
      return success();
    };
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (failed(describe(func.getArgumentTypes()[i],
                          func.getArgAttrOfType<StringAttr>(i, "kiln.name"),
                          ("arg" + llvm::Twine(i)).str(), info.inputs)))
        return failure();
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      if (failed(describe(func.getResultTypes()[i],
                          func.getResultAttrOfType<StringAttr>(i, "kiln.name"),
                          ("result" + llvm::Twine(i)).str(), info.outputs)))
        return failure();
    functions.push_back(std::move(info));
  }
  if (functions.empty())
    return module.emitError("the module has no public function to compile");
  return functions;
}

OwningOpRef<ModuleOp> loadInput(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                                const CompileOptions &options) {
  if (llvm::StringRef(options.inputPath).ends_with(".mlir")) {
      auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(options.inputPath);
    if (!buffer) {
      emitError(UnknownLoc::get(&context))
          << "cannot read '" << options.inputPath
          << "': " << buffer.getError().message();
      return nullptr;
    }
    sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
    return parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  importer::ImportOptions importOptions;
  importOptions.batch = options.batch;
  importOptions.inputShapes = options.inputShapes;
  return importer::importModelFile(options.inputPath,
                                   importer::formatFromPath(options.inputPath),
                                   importOptions, context);
}

struct Target {
  std::string triple, cpu, features;
  std::unique_ptr<llvm::TargetMachine> machine;
};

FailureOr<Target> createTarget(MLIRContext &context,
                               const CompileOptions &options) {
  Target t;
  t.triple = options.targetTriple.empty() ? llvm::sys::getDefaultTargetTriple()
                                          : options.targetTriple;
  llvm::Triple triple(llvm::Triple::normalize(t.triple));
  t.triple = triple.str();
  bool native = options.targetCpu == "native";
  bool host = triple.getArch() ==
              llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch();
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(t.triple, error);
  if (!target) {
    emitError(UnknownLoc::get(&context))
        << "unknown target triple '" << t.triple << "': " << error;
    return failure();
  }
  std::vector<std::string> features;
  if (native && host) {
    t.cpu = llvm::sys::getHostCPUName().str();
    for (auto &f : llvm::sys::getHostCPUFeatures())
      features.push_back((f.second ? "+" : "-") + f.first().str());
  } else {
    t.cpu = native ? "generic" : options.targetCpu;
  }
  if (!options.targetFeatures.empty())
    features.push_back(options.targetFeatures);
  t.features = llvm::join(features, ",");
  llvm::TargetOptions targetOptions;
  auto level = options.optLevel == 0   ? llvm::CodeGenOptLevel::None
               : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                       : llvm::CodeGenOptLevel::Aggressive;
  t.machine.reset(target->createTargetMachine(t.triple, t.cpu, t.features,
                                              targetOptions, llvm::Reloc::PIC_,
                                              std::nullopt, level));
  if (!t.machine) {
    emitError(UnknownLoc::get(&context))
        << "cannot create a target machine for '" << t.triple << "' cpu '"
        << t.cpu << "'";
    return failure();
  }
  return t;
}

bool hasAvx512(const Target &t) {
  const llvm::MCSubtargetInfo *sti = t.machine->getMCSubtargetInfo();
  return llvm::Triple(t.triple).getArch() == llvm::Triple::x86_64 &&
         sti->checkFeatures("+avx512f");
}

/// Runs LLVM's -O<level> pipeline on `module`.
void optimizeLLVM(llvm::Module &module, llvm::TargetMachine &machine,
                  unsigned optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel > 1;
  tuning.SLPVectorization = optLevel > 1;
  llvm::PassBuilder pb(&machine, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = optLevel == 0
                                    ? pb.buildO0DefaultPipeline(level)
                                    : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

/// Writes `bytes` to `path` through a temporary file in the same directory,
/// renamed into place: a failure never leaves a partial file behind.
LogicalResult writeAtomically(MLIRContext &context, llvm::StringRef path,
                              llvm::function_ref<llvm::Error(llvm::StringRef)>
                                  writeTo) {
  llvm::SmallString<256> temp(path);
  temp += ".tmp%%%%%%";
  int fd;
  llvm::SmallString<256> tempPath;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(temp, fd, tempPath)) {
    emitError(UnknownLoc::get(&context))
        << "cannot write '" << path << "': " << ec.message();
    return failure();
  }
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  if (llvm::Error err = writeTo(tempPath)) {
    llvm::sys::fs::remove(tempPath);
    emitError(UnknownLoc::get(&context))
        << "cannot write '" << path << "': " << llvm::toString(std::move(err));
    return failure();
  }
  if (std::error_code ec = llvm::sys::fs::rename(tempPath, path)) {
    llvm::sys::fs::remove(tempPath);
    emitError(UnknownLoc::get(&context))
        << "cannot write '" << path << "': " << ec.message();
    return failure();
  }
  return success();
}

llvm::Error writeBytes(llvm::StringRef path, llvm::StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(ec, "cannot open");
  os << bytes;
  os.close();
  if (os.has_error())
    return llvm::createStringError(os.error(), "write failed");
  return llvm::Error::success();
}

/// The CUDA toolkit whose libdevice the kernels link.
std::string cudaToolkitPath(const CompileOptions &options) {
  if (!options.cudaPath.empty())
    return options.cudaPath;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *v = std::getenv(var); v && *v)
      return v;
  return "/usr/local/cuda";
}

/// `arch` is an sm_XY that LLVM's NVPTX backend knows.
LogicalResult checkGpuArch(MLIRContext &context, llvm::StringRef arch) {
  std::string error;
  const char *triple = "nvptx64-nvidia-cuda";
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  std::unique_ptr<llvm::MCSubtargetInfo> sti;
  if (target)
    sti.reset(target->createMCSubtargetInfo(triple, "", ""));
  if (!sti)
    return emitError(UnknownLoc::get(&context))
               << "this compiler has no NVPTX backend (" << error << ")";
  if (!llvm::Regex("^sm_[0-9]+a?$").match(arch) || !sti->isCPUStringValid(arch))
    return emitError(UnknownLoc::get(&context))
               << "--gpu-arch '" << arch
               << "' is not an NVIDIA architecture LLVM 19 can target "
                  "(sm_50 ... sm_90a)";
  return success();
}

/// Kernels link libdevice (their math functions) from the CUDA toolkit.
LogicalResult checkLibdevice(MLIRContext &context, llvm::StringRef toolkit) {
  llvm::SmallString<256> path(toolkit);
  llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
  if (llvm::sys::fs::exists(path))
    return success();
  return emitError(UnknownLoc::get(&context))
         << "no libdevice at '" << path
         << "': the cuda target links its math functions from the CUDA "
            "toolkit (set --cuda-path or $CUDA_HOME)";
}

/// The kernels of `gpu.module @kiln_kernels`, in launch-index order.
std::vector<std::string> kernelNames(ModuleOp module) {
  std::vector<std::string> names;
  for (auto m : module.getOps<gpu::GPUModuleOp>())
    if (m.getName() == kiln::kKernelModuleName)
      for (auto f : m.getOps<gpu::GPUFuncOp>())
        names.push_back(f.getName().str());
  return names;
}

/// Takes the PTX out of the `gpu.binary` the kernel pipeline made (and
/// erases it: the host code does not refer to it). NUL-terminated.
FailureOr<std::vector<char>> takePtx(ModuleOp module,
                                     llvm::StringRef toolkit) {
  std::vector<char> ptx;
  SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
  for (gpu::BinaryOp binary : binaries) {
    if (binary.getObjects().size() != 1 || !ptx.empty()) {
      emitError(binary.getLoc()) << "expected one PTX object for the kernels";
      return failure();
    }
    for (Attribute a : binary.getObjects()) {
      auto object = cast<gpu::ObjectAttr>(a);
      llvm::StringRef text = object.getObject().getValue();
      while (!text.empty() && text.back() == '\0')
        text = text.drop_back();
      ptx.assign(text.begin(), text.end());
    }
    binary.erase();
  }
  if (ptx.empty())
    return ptx; // no kernels
  llvm::StringRef text(ptx.data(), ptx.size());
  // A math function libdevice should have supplied, left as an external.
  size_t at = text.find(".extern .func");
  if (at != llvm::StringRef::npos) {
    llvm::StringRef line = text.substr(at).take_until([](char c) {
      return c == '\n';
    });
    emitError(module.getLoc())
        << "the kernels call an external function (" << line.trim()
        << "): libdevice was not linked; is the CUDA toolkit at '" << toolkit
        << "' (--cuda-path)?";
    return failure();
  }
  ptx.push_back('\0');
  return ptx;
}

/// Writes `text` to `path` atomically.
LogicalResult writeText(MLIRContext &context, llvm::StringRef path,
                        llvm::StringRef text) {
  return writeAtomically(context, path, [&](llvm::StringRef p) {
    return writeBytes(p, text);
  });
}

/// The C header of a static-linking object, beside it (`OUT.h`).
LogicalResult writeStaticHeader(MLIRContext &context, llvm::StringRef objectPath,
                                const ArtifactInfo &info, llvm::StringRef prefix) {
  llvm::SmallString<256> header(objectPath);
  llvm::sys::path::replace_extension(header, "h");
  return writeText(context, header, staticHeader(info, prefix));
}

std::string defaultSymbolPrefix(llvm::StringRef outputPath) {
  std::string stem =
      llvm::sys::path::stem(outputPath).split('.').first.str();
  if (stem.empty() || llvm::isDigit(stem[0]))
    stem = "model_" + stem;
  return cIdentifier(stem);
}

} // namespace

std::optional<EmitKind> parseEmitKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<EmitKind>>(name)
      .Case("so", EmitKind::SharedObject)
      .Case("obj", EmitKind::Object)
      .Case("mlir", EmitKind::Mlir)
      .Case("llvm", EmitKind::LlvmIr)
      .Case("asm", EmitKind::Assembly)
      .Case("ptx", EmitKind::Ptx)
      .Default(std::nullopt);
}

void registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<kiln::KilnDialect>();
  importer::registerImportDialects(registry);
}

LogicalResult compile(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                      const CompileOptions &options, llvm::raw_ostream &log) {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialized;
  bool toMlir = options.emit == EmitKind::Mlir;
  bool cuda = options.target == "cuda";
  if (options.cudaEmulation && !cuda)
    return emitError(UnknownLoc::get(&context))
               << "--cuda-emulation needs --target=cuda",
           failure();
  // Emulation compiles the cuda schedule into a CPU artifact.
  bool gpu = cuda && !options.cudaEmulation;
  if (options.target != "cpu" && !cuda)
    return emitError(UnknownLoc::get(&context))
               << "unknown target '" << options.target
               << "' (expected cpu or cuda)",
           failure();
  if (options.emit == EmitKind::Ptx && !gpu)
    return emitError(UnknownLoc::get(&context))
               << "--emit=ptx needs --target=cuda (without --cuda-emulation)",
           failure();
  if (gpu && options.emit == EmitKind::Object)
    return emitError(UnknownLoc::get(&context))
               << "--emit=obj is for cpu artifacts; a cuda artifact is a "
                  "shared object (--emit=so) the runtime loads",
           failure();
  if (gpu && failed(checkGpuArch(context, options.gpuArch)))
    return failure();
  std::string toolkit = cudaToolkitPath(options);
  if (gpu && failed(checkLibdevice(context, toolkit)))
    return failure();
  unsigned stages = options.emit == EmitKind::Mlir  ? 4
                    : options.emit == EmitKind::Ptx ? 5
                                                    : 6 + (gpu ? 2 : 0);
  Progress progress(log, options.progress, stages + (options.train ? 1 : 0));

  progress.start("import");
  OwningOpRef<ModuleOp> module = loadInput(context, sourceMgr, options);
  if (!module)
    return failure();
  progress.done(options.inputPath);

  if (!options.weightsPath.empty()) {
    train::Checkpoint ckpt;
    std::string error = train::readCheckpoint(options.weightsPath, ckpt);
    if (!error.empty())
      return emitError(UnknownLoc::get(&context)) << error, failure();
    std::map<std::string, autodiff::VariableValue> values;
    for (train::CheckpointTensor &t : ckpt.tensors)
      values[t.name] = {t.dims, std::move(t.data)};
    if (failed(autodiff::applyTrainedWeights(*module, values)))
      return failure();
  }

  if (options.train) {
    progress.start("autodiff");
    if (failed(autodiff::buildTrainingModule(*module, *options.train)))
      return failure();
    progress.done(options.train->loss + ", " + options.train->optimizer);
  }

  FailureOr<Target> target = createTarget(context, options);
  if (failed(target))
    return failure();

  progress.start("optimize");
  PassManager optimize(&context);
  optimize.enableVerifier(true);
  if (options.timings)
    optimize.enableTiming();
  kiln::buildOptimizePipeline(optimize, options.target);
  if (failed(optimize.run(*module)))
    return failure();
  FailureOr<std::vector<FunctionInfo>> functions = collectSignatures(*module);
  if (failed(functions))
    return failure();
  progress.done();

  progress.start("lower");
  PassManager lower(&context);
  if (options.timings)
    lower.enableTiming();
  CpuPipelineOptions cpuOptions;
  cpuOptions.useUkernels = !cuda && options.ukernels && hasAvx512(*target);
  CudaPipelineOptions cudaOptions;
  cudaOptions.arch = options.gpuArch;
  cudaOptions.allowTf32 = options.allowTf32;
  cudaOptions.toolkitPath = toolkit;
  cudaOptions.useLibraries = options.ukernels;
  cudaOptions.emulate = options.cudaEmulation;
  if (cuda)
    buildCudaBufferPipeline(lower, cudaOptions);
  else
    buildCpuBufferPipeline(lower, cpuOptions);
  if (failed(lower.run(*module)))
    return failure();
  ArtifactInfo info;
  info.functions = std::move(*functions);
  info.triple = target->triple;
  info.cpu = target->cpu;
  if (gpu) {
    info.device = "cuda";
    info.deviceArch = options.gpuArch;
  }
  uint64_t peak = 0;
  for (FunctionInfo &f : info.functions) {
    auto func = module->lookupSymbol<func::FuncOp>(f.name);
    if (auto size = func ? func->getAttrOfType<IntegerAttr>("kiln.arena_size")
                         : nullptr)
      f.arenaSize = size.getInt();
    if (auto calls = func
                         ? func->getAttrOfType<IntegerAttr>("kiln.device_calls")
                         : nullptr)
      f.deviceCalls = calls.getInt();
    peak = std::max(peak, f.arenaSize);
  }
  // The ABI markers have done their job; LLVM translation knows none of them.
  if (!toMlir)
    module->walk([](func::FuncOp func) {
      func->removeAttr("kiln.arena_size");
      func->removeAttr("kiln.device_calls");
      for (unsigned i = 0; i < func.getNumArguments(); ++i) {
        func.removeArgAttr(i, "kiln.abi");
        func.removeArgAttr(i, "kiln.name");
      }
      for (unsigned i = 0; i < func.getNumResults(); ++i)
        func.removeResultAttr(i, StringAttr::get(func.getContext(),
                                                 "kiln.name"));
    });
  if (auto weights = (*module)->getAttrOfType<DenseResourceElementsAttr>(
          "kiln.weights")) {
    if (AsmResourceBlob *blob = weights.getRawHandle().getBlob())
      info.weights.assign(blob->getData().begin(), blob->getData().end());
    (*module)->removeAttr("kiln.weights");
  }
  if (toMlir) {
    progress.done();
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    if (failed(writeText(context, options.outputPath, text)))
      return failure();
    progress.start("write");
    progress.done(options.outputPath);
    return success();
  }
  if (gpu) {
    progress.done(llvm::formatv("arena {0} bytes, weights {1} bytes", peak,
                                info.weights.size())
                      .str());
    progress.start("kernels");
    info.kernels = kernelNames(*module);
    PassManager kernels(&context);
    if (options.timings)
      kernels.enableTiming();
    buildCudaKernelPipeline(kernels, cudaOptions);
    if (failed(kernels.run(*module)))
      return failure();
    FailureOr<std::vector<char>> ptx = takePtx(*module, cudaOptions.toolkitPath);
    if (failed(ptx))
      return failure();
    info.deviceCode = std::move(*ptx);
    if (info.deviceCode.empty()) // an artifact with no kernels
      info.deviceCode.push_back('\0');
    // What each function issues per call (launches and library calls):
    // the runtime's CUDA Graph decision.
    std::string perCall;
    for (const FunctionInfo &f : info.functions)
      perCall += (perCall.empty() ? "" : ", ") + f.name + " " +
                 std::to_string(f.deviceCalls);
    progress.done(llvm::formatv("{0} kernels, {1} bytes of PTX for {2}; "
                                "device calls per run: {3}",
                                info.kernels.size(), info.deviceCode.size(),
                                options.gpuArch, perCall)
                      .str());
    if (options.emit == EmitKind::Ptx) {
      progress.start("write");
      llvm::StringRef text(info.deviceCode.data(), info.deviceCode.size() - 1);
      if (failed(writeText(context, options.outputPath, text)))
        return failure();
      progress.done(options.outputPath);
      return success();
    }
    progress.start("host");
  }
  PassManager toLLVM(&context);
  if (options.timings)
    toLLVM.enableTiming();
  buildCpuToLLVMPipeline(toLLVM);
  if (failed(toLLVM.run(*module)))
    return failure();
  if (gpu)
    progress.done();
  else
    progress.done(llvm::formatv("arena {0} bytes, weights {1} bytes", peak,
                                info.weights.size())
                      .str());

  progress.start("translate");
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, "kiln");
  if (!llvmModule) {
    emitError(module->getLoc()) << "translation to LLVM IR failed";
    return failure();
  }
  llvmModule->setTargetTriple(target->triple);
  llvmModule->setDataLayout(target->machine->createDataLayout());
  std::string prefix;
  if (options.emit == EmitKind::Object)
    prefix = options.symbolPrefix.empty()
                 ? defaultSymbolPrefix(options.outputPath)
                 : options.symbolPrefix;
  if (llvm::Error err = addArtifactMetadata(*llvmModule, info, prefix)) {
    emitError(module->getLoc()) << llvm::toString(std::move(err));
    return failure();
  }
  for (llvm::Function &f : llvmModule->functions()) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", target->cpu);
    if (!target->features.empty())
      f.addFnAttr("target-features", target->features);
    if (cpuOptions.useUkernels)
      f.addFnAttr("prefer-vector-width", "512");
    f.addFnAttr(llvm::Attribute::NoUnwind);
  }
  if (llvm::verifyModule(*llvmModule, &llvm::errs())) {
    emitError(module->getLoc()) << "the generated LLVM IR is invalid";
    return failure();
  }
  progress.done();

  progress.start("llvm-opt");
  optimizeLLVM(*llvmModule, *target->machine, options.optLevel);
  progress.done(llvm::formatv("-O{0}, {1} {2}", options.optLevel,
                              target->triple, target->cpu)
                    .str());

  progress.start("codegen");
  if (options.emit == EmitKind::LlvmIr) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    if (failed(writeText(context, options.outputPath, text)))
      return failure();
    progress.done(options.outputPath);
    return success();
  }
  llvm::SmallString<0> code;
  {
    llvm::raw_svector_ostream os(code);
    llvm::legacy::PassManager codegen;
    auto kind = options.emit == EmitKind::Assembly
                    ? llvm::CodeGenFileType::AssemblyFile
                    : llvm::CodeGenFileType::ObjectFile;
    if (target->machine->addPassesToEmitFile(codegen, os, nullptr, kind)) {
      emitError(module->getLoc()) << "the target cannot emit this file type";
      return failure();
    }
    codegen.run(*llvmModule);
  }
  llvm::StringRef bytes(code.data(), code.size());
  LogicalResult written = success();
  // The ukernels are a prebuilt object, linked in next to the model's code
  // (into the shared object, or into one relocatable object).
  std::vector<llvm::ArrayRef<char>> objects = {
      llvm::ArrayRef<char>(code.data(), code.size())};
  if (cpuOptions.useUkernels)
    objects.push_back(ukernelObjectX86_64());
  bool isElf =
      llvm::Triple(target->triple).getObjectFormat() == llvm::Triple::ELF;
  if (options.emit == EmitKind::SharedObject) {
    if (!isElf) {
      emitError(module->getLoc()) << "shared-object artifacts are ELF only; "
                                     "use --emit=obj for "
                                  << target->triple;
      return failure();
    }
    written = writeAtomically(context, options.outputPath,
                              [&](llvm::StringRef p) {
                                return linkObjects(objects, p,
                                                   /*relocatable=*/false);
                              });
  } else if (options.emit == EmitKind::Object && objects.size() > 1) {
    written = writeAtomically(context, options.outputPath,
                              [&](llvm::StringRef p) {
                                return linkObjects(objects, p,
                                                   /*relocatable=*/true);
                              });
    if (succeeded(written))
      written = writeStaticHeader(context, options.outputPath, info, prefix);
  } else {
    written = writeText(context, options.outputPath, bytes);
    if (succeeded(written) && options.emit == EmitKind::Object)
      written = writeStaticHeader(context, options.outputPath, info, prefix);
  }
  if (failed(written))
    return failure();
  progress.done(llvm::formatv("{0} ({1} bytes of code)", options.outputPath,
                              code.size())
                    .str());
  return success();
}

} // namespace kiln::driver
