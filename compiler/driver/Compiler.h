//===- Compiler.h - the compile pipeline as a library (kiln-compile) ------===//

#ifndef KILN_COMPILER_DRIVER_COMPILER_H
#define KILN_COMPILER_DRIVER_COMPILER_H

#include "mlir/IR/MLIRContext.h"
#include "passes/autodiff/TrainStep.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kiln::driver {

enum class EmitKind { SharedObject, Object, Mlir, LlvmIr, Assembly, Ptx };

/// Parses `so`, `obj`, `mlir`, `llvm`, `asm`, `ptx`.
std::optional<EmitKind> parseEmitKind(llvm::StringRef name);

struct CompileOptions {
  /// A `.pb`/`.pbtxt`/`.onnx` model or a `.mlir` file in the kiln dialect.
  std::string inputPath;
  std::string outputPath;
  EmitKind emit = EmitKind::SharedObject;
  /// Where the model runs: `cpu` or `cuda` (host code for `targetCpu`
  /// driving kernels for `gpuArch`).
  std::string target = "cpu";
  /// The NVIDIA GPU architecture of `cuda` artifacts.
  std::string gpuArch = "sm_90";
  /// Let cuBLASLt use TF32 tensor cores for f32 matmuls (faster, ~1e-3
  /// relative error); off: full f32.
  bool allowTf32 = false;
  /// The CUDA toolkit whose libdevice the kernels link (empty: $CUDA_HOME,
  /// $CUDA_PATH, or /usr/local/cuda).
  std::string cudaPath;
  /// Testing aid for `cuda`: run the cuda schedule and kernels on the host
  /// CPU instead (a CPU artifact whose matmul calls the runtime runs with a
  /// reference loop), so the kernels can be checked without a GPU.
  bool cudaEmulation = false;
  /// `native` (the host), or an LLVM CPU name (`znver4`, `x86-64-v3`, ...).
  std::string targetCpu = "native";
  /// Empty: the host's triple.
  std::string targetTriple;
  /// Extra LLVM target features (`+avx512f,-avx512vl`), added to the CPU's.
  std::string targetFeatures;
  /// LLVM optimization level, 0..3.
  unsigned optLevel = 3;
  /// Import options for model files.
  std::optional<int64_t> batch;
  std::vector<std::pair<std::string, llvm::SmallVector<int64_t>>> inputShapes;
  /// Call the matmul library where the target allows (cpu: the packed
  /// microkernels, x86-64 with AVX-512; cuda: cuBLASLt); off: matmuls lower
  /// like everything else (loops, kernels).
  bool ukernels = true;
  /// Print per-pass MLIR timings after compiling.
  bool timings = false;
  /// Print one progress line per stage.
  bool progress = true;
  /// Prefix of the entry symbols written with --emit=obj (C identifier).
  std::string symbolPrefix;
  /// Compile a training artifact (init, train_step, eval_step, predict)
  /// from the model's inference function.
  std::optional<autodiff::TrainOptions> train;
  /// A kiln-train checkpoint or export (.kckpt) whose variables replace the
  /// model's weights (by name) before compiling.
  std::string weightsPath;
};

/// Compiles `options.inputPath` into `options.outputPath`. Diagnostics go
/// through `context` (the caller installs a handler); progress lines and
/// timings to `log`. The output file is written atomically: on failure
/// nothing is left at `outputPath`.
llvm::LogicalResult compile(mlir::MLIRContext &context,
                            llvm::SourceMgr &sourceMgr,
                            const CompileOptions &options,
                            llvm::raw_ostream &log);

/// Registers every dialect, interface and translation the compiler uses.
void registerCompilerDialects(mlir::DialectRegistry &registry);

} // namespace kiln::driver

#endif // KILN_COMPILER_DRIVER_COMPILER_H
