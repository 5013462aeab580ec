//===- PopulatePatterns.h - kiln → linalg patterns, one set per category --===//

#ifndef KILN_COMPILER_CONVERSION_POPULATEPATTERNS_H
#define KILN_COMPILER_CONVERSION_POPULATEPATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace kiln::conversion {

/// Unary, binary, comparison, logical, select and cast ops; constants.
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
/// matmul and conv2d; with `convLibrary`, ungrouped f32 convolutions become
/// `linalg.conv_2d_nhwc_fhwc` for a library to run (see Linear.cpp).
void populateLinearPatterns(mlir::RewritePatternSet &patterns,
                            bool convLibrary = false);
/// max_pool2d, avg_pool2d.
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
/// reduce_*, argmax/argmin, softmax, log_softmax.
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
/// layer_norm and batch_norm (inference form; kiln-optimize usually folds
/// batch_norm into the preceding convolution).
void populateNormalizationPatterns(mlir::RewritePatternSet &patterns);
/// reshape, transpose, broadcast_to, concat, slice, pad, gather.
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);
/// scan, fusion.
void populateControlPatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln::conversion

#endif // KILN_COMPILER_CONVERSION_POPULATEPATTERNS_H
