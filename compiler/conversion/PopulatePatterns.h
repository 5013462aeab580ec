//===- PopulatePatterns.h - kiln → linalg patterns, one set per category --===//

#ifndef KILN_COMPILER_CONVERSION_POPULATEPATTERNS_H
#define KILN_COMPILER_CONVERSION_POPULATEPATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace kiln::conversion {

/// Unary, binary, comparison, logical, select and cast ops; constants.
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
/// matmul and conv2d; with `convLibrary`, ungrouped f32 convolutions become
/// `linalg.conv_2d_nhwc_fhwc` for a library to run, and their gradients
/// direct `linalg.generic`s tagged with the two attributes below (see
/// Linear.cpp).
void populateLinearPatterns(mlir::RewritePatternSet &patterns,
                            bool convLibrary = false);

/// On the generic of a convolution gradient for a library: "data" (the
/// input gradient, NHWC, from an OHWI filter and the output gradient) or
/// "filter" (the OHWI filter gradient, from the padded NHWC input and the
/// output gradient). Such a generic computes its gradient as it stands; the
/// tag tells a backend which library call it may become instead.
inline constexpr llvm::StringLiteral kConvBackwardAttr = "kiln.conv_backward";
/// Its geometry, as a DenseI64ArrayAttr: stride h, w; dilation h, w;
/// padding h, w (symmetric; always 0 for "filter", whose input is padded).
inline constexpr llvm::StringLiteral kConvGeometryAttr = "kiln.conv_geometry";
/// max_pool2d, avg_pool2d.
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);
/// reduce_*, argmax/argmin, softmax, log_softmax.
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
/// layer_norm and batch_norm (inference form; kiln-optimize usually folds
/// batch_norm into the preceding convolution).
void populateNormalizationPatterns(mlir::RewritePatternSet &patterns);
/// reshape, transpose, broadcast_to, concat, slice, pad, gather,
/// scatter_add (with `parallelScatter`, as a generic over its result rather
/// than a loop over its updates: see DataMovement.cpp).
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns,
                                  bool parallelScatter = false);
/// scan, fusion.
void populateControlPatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln::conversion

#endif // KILN_COMPILER_CONVERSION_POPULATEPATTERNS_H
