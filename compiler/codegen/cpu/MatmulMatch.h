//===- MatmulMatch.h - matmuls on buffers that a library call can run ------===//
//
// Shared by the passes that hand bufferized linalg matmuls to a library:
// the CPU microkernel (kiln-matmul-to-ukernel) and cuBLASLt
// (kiln-cuda-matmul-to-library). Both take row-major f32 operands with
// static strides and a unit innermost stride, can overwrite instead of
// accumulate when a zero fill precedes the matmul, and fuse a following
// bias-add (+ ReLU) into the call.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_CODEGEN_CPU_MATMULMATCH_H
#define KILN_COMPILER_CODEGEN_CPU_MATMULMATCH_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace kiln::codegen {

/// A memref operand with a static layout whose innermost stride is 1.
struct Operand {
  mlir::Value memref;
  llvm::SmallVector<int64_t> strides;
};

/// `v` as an Operand, if it is an f32 memref with static shape, offset and
/// strides and a unit innermost stride.
std::optional<Operand> contiguousRows(mlir::Value v);

/// A (batch) matmul, possibly with a transposed operand, on contiguous rows.
struct MatmulSpec {
  bool batched = false, transposeA = false, transposeB = false;
  int64_t batch = 1, m = 0, n = 0, k = 0;
  Operand a, b, c;
  /// Row strides (elements) of A, B and C, and their batch strides (0 when
  /// not batched).
  int64_t lda = 0, ldb = 0, ldc = 0, strideA = 0, strideB = 0, strideC = 0;
};

/// `op` as a library matmul: linalg.(batch_)matmul(_transpose_a|_b) on
/// buffers whose operands all pass contiguousRows.
std::optional<MatmulSpec> matchMatmul(mlir::linalg::LinalgOp op);

/// `!llvm.ptr` to the first element of `memref` (base + offset).
mlir::Value elementPointer(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value memref);

/// The buffer `v` views (through the reinterpret_casts that reshapes
/// become after expand-strided-metadata, and strided-metadata reads).
mlir::Value rootBuffer(mlir::Value v);

/// `v` is a memref with static shape and offset laid out densely,
/// row-major (strides of size-1 dimensions are free).
bool isDenseRowMajor(mlir::Value v);

/// `op` is `linalg.fill` of +0.0 into exactly `out`.
bool isZeroFillOf(mlir::Operation *op, mlir::Value out);

/// Whether `op` (or an op nested in it) may write the buffer `root` (with
/// `reads`, also read it). Ops that report no memory effects and are not
/// pure are assumed to touch every buffer.
bool mayTouch(mlir::Operation *op, mlir::Value root, bool reads);

/// The op that leaves `out` all +0.0 for `user`, which writes it next: a
/// zero fill of `out`, or a copy into `out` of a buffer that a zero fill
/// left holding zeros (what bufferization makes of one zero-filled tensor
/// shared by several ops' inits), with nothing in between reading or
/// writing `out`. Null if there is none. Without it, `user` may overwrite
/// `out` instead of accumulating into it.
mlir::Operation *zeroInitializer(mlir::Operation *user, mlir::Value out);

/// Erases `init` (from zeroInitializer); for a copy, also its source's
/// allocation and fill once nothing else uses them.
void eraseZeroInitializer(mlir::Operation *init);

/// A bias-add (+ ReLU), or a ReLU alone, that can run inside the matmul
/// call.
struct Epilogue {
  mlir::linalg::GenericOp op;
  mlir::Value bias;   // contiguous [N] f32; null for a ReLU alone
  mlir::Value output; // where the epilogue writes
  bool relu = false;
};

/// `next` is `out[..., n] = (relu?)(c[..., n] + bias[n])` or
/// `out[..., n] = relu(c[..., n])` reading the matmul result `c` (an
/// identity-mapped input); unless `out` is `c` itself, nothing but `matmul`
/// and `next` may use `c` (it will never be written).
std::optional<Epilogue> matchEpilogue(mlir::Operation *matmul,
                                      mlir::Operation *next, mlir::Value c,
                                      int64_t n);

} // namespace kiln::codegen

#endif // KILN_COMPILER_CODEGEN_CPU_MATMULMATCH_H
