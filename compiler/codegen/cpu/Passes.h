//===- Passes.h - CPU code generation passes ------------------------------===//

#ifndef KILN_COMPILER_CODEGEN_CPU_PASSES_H
#define KILN_COMPILER_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "compiler/codegen/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/codegen/cpu/Passes.h.inc"

/// Name of the argument attribute marking the entry-ABI arguments.
constexpr llvm::StringLiteral kAbiArgAttr = "kiln.abi";

/// Whether loop dimension `d` of `op` appears as a plain dimension in every
/// output's indexing map: pieces of the op split along `d` (tasks, GPU
/// threads) then write disjoint elements.
bool indexesEveryOutput(mlir::linalg::LinalgOp op, unsigned d);

/// The index of `func`'s argument with `kiln.abi = role`, if any.
std::optional<unsigned> findAbiArgument(mlir::func::FuncOp func,
                                        llvm::StringRef role);

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_CPU_PASSES_H
