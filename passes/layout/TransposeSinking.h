//===- TransposeSinking.h - move transposes down until they cancel --------===//

#ifndef KILN_PASSES_LAYOUT_TRANSPOSESINKING_H
#define KILN_PASSES_LAYOUT_TRANSPOSESINKING_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln::layout {

/// The constant `value` reshaped to `from`, its dimensions permuted by `perm`
/// (`result.shape[i] = from[perm[i]]`) and reshaped to `to`: how weights are
/// permuted instead of activations. A blob result is named after `value`'s
/// blob with `suffix` appended. Failure when `value` cannot be read.
mlir::FailureOr<mlir::ElementsAttr>
permuteConstant(mlir::ElementsAttr value, llvm::ArrayRef<int64_t> from,
                llvm::ArrayRef<int64_t> perm, llvm::ArrayRef<int64_t> to,
                llvm::StringRef suffix);

/// `shape` permuted: `result[i] = shape[perm[i]]`.
llvm::SmallVector<int64_t> permuteShape(llvm::ArrayRef<int64_t> shape,
                                        llvm::ArrayRef<int64_t> perm);

/// Adds the patterns that sink `kiln.transpose` below the ops that commute
/// with a permutation, compose adjacent transposes and absorb a transpose
/// feeding a flatten and a matmul with constant weights into the weights.
void populateTransposeSinkingPatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln::layout

#endif // KILN_PASSES_LAYOUT_TRANSPOSESINKING_H
