//===- GraphBuilder.h - what every model importer shares ------------------===//
//
// Importers turn framework graphs into kiln ops through a GraphBuilder:
//  - `build<OpTy>` creates an op only after its result type was inferred, so
//    inconsistent shapes in a model become a located diagnostic instead of a
//    fatal error inside MLIR's generated builders;
//  - every op whose operands are all constants is evaluated on the spot with
//    the reference interpreter (the shape subgraphs exporters emit:
//    Shape/StridedSlice/Pack/Gather/Concat...), so later nodes can read
//    reshape targets, axes and paddings as constants;
//  - weights become `dense_resource` constants, small constants stay inline;
//  - `einsum` lowers an Einstein summation to transposes, reshapes and one
//    batched matmul.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_COMMON_GRAPHBUILDER_H
#define KILN_FRONTENDS_COMMON_GRAPHBUILDER_H

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OperationSupport.h"

#include <optional>
#include <string>

namespace kiln::importer {

/// Constants with more elements than this are stored as dense_resource blobs.
constexpr int64_t kInlineConstantLimit = 16;
/// Operations producing more elements than this are not evaluated at import.
constexpr int64_t kFoldElementLimit = int64_t(1) << 20;
/// The most operations one import may create (loops evaluated at import
/// time and inlined functions count every time): a model past this is
/// rejected instead of hanging the importer.
constexpr int64_t kMaxImportOps = 2000000;
/// The largest tensor an imported model may declare or compute, in elements
/// (both importers).
constexpr int64_t kMaxImportElements = int64_t(1) << 40;

class GraphBuilder {
public:
  explicit GraphBuilder(mlir::OpBuilder &builder) : b(builder) {}

  mlir::OpBuilder &builder() { return b; }
  mlir::MLIRContext *context() { return b.getContext(); }

  /// Creates `OpTy` with `operands` and `attrs` after inferring its result
  /// types; on an inference failure the op's own diagnostic is emitted at
  /// `loc` and failure returned. Folds the op when all operands are
  /// constants. Returns the op's first result.
  template <typename OpTy>
  mlir::FailureOr<mlir::Value>
  build(mlir::Location loc, mlir::ValueRange operands,
        llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    return buildValue(loc, OpTy::getOperationName(), operands, attrs);
  }

  /// `build` by op name: creates the op and, when it folds to one of its
  /// operands (an identity reshape, say), returns that operand instead.
  mlir::FailureOr<mlir::Value>
  buildValue(mlir::Location loc, llvm::StringRef name,
             mlir::ValueRange operands,
             llvm::ArrayRef<mlir::NamedAttribute> attrs = {});

  /// The untyped form of `build`: creates any registered op that implements
  /// InferTypeOpInterface.
  mlir::FailureOr<mlir::Operation *>
  buildGeneric(mlir::Location loc, llvm::StringRef name,
               mlir::ValueRange operands,
               llvm::ArrayRef<mlir::NamedAttribute> attrs);

  /// A kiln.constant holding `value` (dense, or dense_resource when large).
  mlir::Value constant(mlir::Location loc, mlir::ElementsAttr value);

  /// A constant decoded from little-endian raw bytes; the size must already
  /// have been checked against `type`. `name` names the resource blob.
  mlir::Value constantFromBytes(mlir::Location loc,
                                mlir::RankedTensorType type,
                                llvm::ArrayRef<char> bytes,
                                llvm::StringRef name);

  /// Convenience constants.
  mlir::Value splat(mlir::Location loc, mlir::RankedTensorType type,
                    double value);
  /// An integer splat, exact for every int64 value.
  mlir::Value splatInt(mlir::Location loc, mlir::RankedTensorType type,
                       int64_t value);
  mlir::Value i64Vector(mlir::Location loc, llvm::ArrayRef<int64_t> values);
  mlir::Value scalar(mlir::Location loc, mlir::Type element, double value);

  /// The value's constant, if it is produced by kiln.constant.
  mlir::ElementsAttr getConstant(mlir::Value v);
  /// The integer (or integral float) elements of a constant value.
  std::optional<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value v);
  /// The float elements of a constant value.
  std::optional<llvm::SmallVector<double>> getConstantFloats(mlir::Value v);

  /// Helpers that build the corresponding kiln ops.
  mlir::FailureOr<mlir::Value> reshape(mlir::Location loc, mlir::Value x,
                                       llvm::ArrayRef<int64_t> shape);
  mlir::FailureOr<mlir::Value> transpose(mlir::Location loc, mlir::Value x,
                                         llvm::ArrayRef<int64_t> perm);
  mlir::FailureOr<mlir::Value> castTo(mlir::Location loc, mlir::Value x,
                                      mlir::Type element);
  mlir::FailureOr<mlir::Value> slice(mlir::Location loc, mlir::Value x,
                                     llvm::ArrayRef<int64_t> start,
                                     llvm::ArrayRef<int64_t> limit,
                                     llvm::ArrayRef<int64_t> strides = {});

  /// Lowers `equation` (two operands or one, explicit `->` output, no
  /// ellipsis) to transposes, reshapes, reductions and one batched matmul.
  mlir::FailureOr<mlir::Value> einsum(mlir::Location loc,
                                      llvm::StringRef equation,
                                      mlir::ValueRange operands);

  mlir::NamedAttribute attr(llvm::StringRef name, mlir::Attribute value) {
    return b.getNamedAttr(name, value);
  }
  mlir::NamedAttribute i64Array(llvm::StringRef name,
                                llvm::ArrayRef<int64_t> values) {
    return attr(name, b.getDenseI64ArrayAttr(values));
  }
  mlir::NamedAttribute i64(llvm::StringRef name, int64_t value) {
    return attr(name, b.getI64IntegerAttr(value));
  }

private:
  /// Replaces `op` by a constant when its operands are all constants.
  mlir::Operation *tryFold(mlir::Operation *op);

  mlir::OpBuilder &b;
  int64_t blobCounter = 0;
  int64_t created = 0;
};

/// A location carrying a graph node's name (and its op type for context).
mlir::Location nodeLoc(mlir::MLIRContext *ctx, llvm::StringRef nodeName);

} // namespace kiln::importer

#endif // KILN_FRONTENDS_COMMON_GRAPHBUILDER_H
