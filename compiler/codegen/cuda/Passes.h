//===- Passes.h - CUDA code generation passes -----------------------------===//

#ifndef KILN_COMPILER_CODEGEN_CUDA_PASSES_H
#define KILN_COMPILER_CODEGEN_CUDA_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "compiler/codegen/cuda/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/codegen/cuda/Passes.h.inc"

/// Name of the gpu.module that holds every kernel of an artifact.
constexpr llvm::StringLiteral kKernelModuleName = "kiln_kernels";

/// Field indices of kiln_host_api_t (runtime/include/kiln/artifact_abi.h)
/// as generated code reads them.
namespace host_api {
constexpr int32_t kDevice = 4, kDeviceWeights = 5, kLaunch = 6, kMatmul = 7,
                  kConv = 8;
/// The forwarders of the launch, matmul and convolution fields: every call
/// of one is one piece of GPU work.
constexpr llvm::StringLiteral kLaunchForwarder = "__kiln_cuda_launch",
                              kMatmulForwarder = "__kiln_cuda_matmul",
                              kConvForwarder = "__kiln_cuda_conv";
/// The struct as an LLVM type: {u32, i32, ptr x 7}.
mlir::LLVM::LLVMStructType type(mlir::MLIRContext *ctx);
/// Loads field `index` (a pointer) of the struct at `host`.
mlir::Value loadField(mlir::OpBuilder &b, mlir::Location loc, mlir::Value host,
                      int32_t index);
/// `name(host, args...)`: calls the host function pointer in field `field`
/// as `fn(host->device, args...)`; does nothing when `host` or the field is
/// NULL (a CPU session, which the runtime never lets run device code).
mlir::func::FuncOp getOrCreateForwarder(mlir::ModuleOp module,
                                        llvm::StringRef name, int32_t field,
                                        mlir::TypeRange argTypes);

/// A library call's descriptor: an array of `fields` i64 on the stack of
/// `fn` (allocated in its entry block), filled in order before `b`'s
/// insertion point.
class Descriptor {
public:
  Descriptor(mlir::OpBuilder &b, mlir::func::FuncOp fn, mlir::Location loc,
             int32_t fields);
  /// The next field: `v` (an i64).
  void store(mlir::Value v);
  /// The next field: a constant.
  void constant(int64_t v);
  /// The next field: the address of `memref`'s first element.
  void address(mlir::Value memref);
  /// The `!llvm.ptr` to the array.
  mlir::Value pointer() const { return desc; }

private:
  mlir::OpBuilder &b;
  mlir::Location loc;
  mlir::Type arrayType;
  mlir::Value desc;
  int32_t next = 0;
};
} // namespace host_api

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_CUDA_PASSES_H
