//===- SimplifyPatterns.h - kiln-simplify's rewrite patterns --------------===//

#ifndef KILN_PASSES_SIMPLIFY_SIMPLIFYPATTERNS_H
#define KILN_PASSES_SIMPLIFY_SIMPLIFYPATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace kiln {

/// Adds kiln-simplify's algebraic rewrites to `patterns`. Every rule gives
/// the reference interpreter's results bit for bit (signed zeros included;
/// NaN stays NaN, its sign and payload unspecified as in IEEE 754 §6.3);
/// `fastMath` adds the rules that round differently or lose the sign of a
/// zero.
void populateKilnSimplifyPatterns(mlir::RewritePatternSet &patterns,
                                  bool fastMath);

} // namespace kiln

#endif // KILN_PASSES_SIMPLIFY_SIMPLIFYPATTERNS_H
