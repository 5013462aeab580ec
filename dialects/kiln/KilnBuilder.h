//===- KilnBuilder.h - a small builder of kiln op graphs ------------------===//
//
// Used where the compiler writes graphs of kiln ops itself: the gradient
// rules (Gradients.cpp) and the training step (passes/autodiff).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_KILN_KILNBUILDER_H
#define KILN_DIALECTS_KILN_KILNBUILDER_H

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace kiln {

inline mlir::RankedTensorType tensorType(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType());
}

inline bool isFloatTensor(mlir::Value v) {
  auto t = mlir::dyn_cast<mlir::RankedTensorType>(v.getType());
  return t && mlir::isa<mlir::FloatType>(t.getElementType());
}

/// Builds kiln ops at one location, skipping the ones that would be
/// identities (a reshape to the same shape, an empty reduction, ...).
struct KilnBuilder {
  using OpBuilder = mlir::OpBuilder;
  using Location = mlir::Location;
  using Value = mlir::Value;
  using Type = mlir::Type;
  using RankedTensorType = mlir::RankedTensorType;
  using DenseElementsAttr = mlir::DenseElementsAttr;
  using DenseI64ArrayAttr = mlir::DenseI64ArrayAttr;
  template <typename T> using ArrayRef = llvm::ArrayRef<T>;
  template <typename T> using SmallVector = llvm::SmallVector<T>;

  OpBuilder &b;
  Location loc;

  /// A rank-0 constant of element type `element`.
  Value scalar(Type element, double v) {
    auto type = RankedTensorType::get({}, element);
    return b.create<ConstantOp>(
        loc, DenseElementsAttr::get(type, b.getFloatAttr(element, v)));
  }
  Value scalarLike(Value like, double v) {
    return scalar(tensorType(like).getElementType(), v);
  }
  Value zerosLike(Value like) {
    RankedTensorType type = tensorType(like);
    return b.create<ConstantOp>(
        loc, DenseElementsAttr::get(
                 type, b.getFloatAttr(type.getElementType(), 0.0)));
  }
  Value add(Value a, Value c) { return b.create<AddOp>(loc, a, c); }
  Value sub(Value a, Value c) { return b.create<SubOp>(loc, a, c); }
  Value mul(Value a, Value c) { return b.create<MulOp>(loc, a, c); }
  Value div(Value a, Value c) { return b.create<DivOp>(loc, a, c); }
  Value neg(Value a) { return b.create<NegOp>(loc, a); }
  Value mulScalar(Value a, double v) { return mul(a, scalarLike(a, v)); }
  Value select(Value c, Value t, Value f) {
    return b.create<SelectOp>(loc, c, t, f);
  }
  /// `g` where `c` holds, else zero.
  Value where(Value c, Value g) { return select(c, g, zerosLike(g)); }
  Value sum(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    if (axes.empty())
      return x;
    return b.create<ReduceSumOp>(loc, x, axes, keepdims);
  }
  Value mean(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    if (axes.empty())
      return x;
    return b.create<ReduceMeanOp>(loc, x, axes, keepdims);
  }
  Value reshape(Value x, ArrayRef<int64_t> shape) {
    if (tensorType(x).getShape() == shape)
      return x;
    return b.create<ReshapeOp>(loc, x, shape);
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    bool identity = true;
    for (size_t i = 0; i < perm.size(); ++i)
      identity &= perm[i] == static_cast<int64_t>(i);
    if (identity)
      return x;
    return b.create<TransposeOp>(loc, x, perm);
  }
  Value broadcastTo(Value x, ArrayRef<int64_t> shape) {
    if (tensorType(x).getShape() == shape)
      return x;
    return b.create<BroadcastToOp>(loc, x, shape);
  }
  Value cast(Value x, Type element) {
    RankedTensorType t = tensorType(x);
    if (t.getElementType() == element)
      return x;
    return b.create<CastOp>(loc, t.clone(element), x);
  }
  Value slice(Value x, ArrayRef<int64_t> start, ArrayRef<int64_t> limit) {
    if (llvm::all_of(start, [](int64_t s) { return s == 0; }) &&
        tensorType(x).getShape() == limit)
      return x;
    return b.create<SliceOp>(loc, x, b.getDenseI64ArrayAttr(start),
                             b.getDenseI64ArrayAttr(limit),
                             DenseI64ArrayAttr());
  }
  Value pad(Value x, ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
    if (llvm::all_of(low, [](int64_t s) { return s == 0; }) &&
        llvm::all_of(high, [](int64_t s) { return s == 0; }))
      return x;
    return b.create<PadOp>(loc, x, b.getDenseI64ArrayAttr(low),
                           b.getDenseI64ArrayAttr(high), b.getF64FloatAttr(0));
  }

  /// `g` summed over the dimensions along which `target` was broadcast to
  /// `g`'s shape (NumPy rules), then reshaped to `target`.
  Value unbroadcast(Value g, RankedTensorType target) {
    ArrayRef<int64_t> gs = tensorType(g).getShape();
    ArrayRef<int64_t> ts = target.getShape();
    if (gs == ts)
      return g;
    int64_t lead = static_cast<int64_t>(gs.size() - ts.size());
    SmallVector<int64_t> axes;
    for (int64_t d = 0; d < static_cast<int64_t>(gs.size()); ++d)
      if (d < lead || (ts[d - lead] == 1 && gs[d] != 1))
        axes.push_back(d);
    return reshape(sum(g, axes, /*keepdims=*/false), ts);
  }

  /// `x` with `s - 1` zeros inserted between neighbours along `axis`
  /// (length n becomes (n - 1) * s + 1): the adjoint of a strided slice.
  Value dilate(Value x, int64_t axis, int64_t s) {
    if (s == 1)
      return x;
    SmallVector<int64_t> shape(tensorType(x).getShape());
    int64_t n = shape[axis];
    SmallVector<int64_t> split(shape);
    split.insert(split.begin() + axis + 1, 1);
    Value v = reshape(x, split);
    SmallVector<int64_t> low(split.size(), 0), high(split.size(), 0);
    high[axis + 1] = s - 1;
    v = pad(v, low, high);
    SmallVector<int64_t> merged(shape);
    merged[axis] = n * s;
    v = reshape(v, merged);
    SmallVector<int64_t> start(shape.size(), 0), limit(merged);
    limit[axis] = (n - 1) * s + 1;
    return slice(v, start, limit);
  }

  /// A 1-D per-feature vector shaped to broadcast along `axis` of a
  /// rank-`rank` tensor.
  Value alongAxis(Value v, int64_t axis, int64_t rank) {
    SmallVector<int64_t> shape(rank - axis, 1);
    shape[0] = tensorType(v).getDimSize(0);
    return reshape(v, shape);
  }
};

} // namespace kiln

#endif // KILN_DIALECTS_KILN_KILNBUILDER_H
