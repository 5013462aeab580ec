//===- ShapeGenerators.cpp - data movement: reshape, slice, gather, ... ---===//

#include "RandomGraph.h"

#include <numeric>

using namespace mlir;
using kiln::reference::Tensor;

namespace kiln::difftest {
namespace {

bool reshape(FunctionGen &g) {
  int64_t n = g.current.numElements();
  int64_t rank = n == 1 && g.coin(0.3) ? 0 : g.uniform(1, 4);
  llvm::SmallVector<int64_t> shape = randomFactors(g, n, rank);
  if (rank > 0 && g.coin(0.3))
    shape[g.uniform(0, rank - 1)] = -1;
  g.current = g.op("kiln.reshape", {g.current}, {g.i64s("shape", shape)}, true);
  g.note("reshape", TolClass::Elementwise);
  return true;
}

bool transpose(FunctionGen &g) {
  int64_t r = g.current.rank();
  if (r < 2)
    return false;
  llvm::SmallVector<int64_t> perm(r);
  std::iota(perm.begin(), perm.end(), 0);
  while (std::is_sorted(perm.begin(), perm.end()))
    std::shuffle(perm.begin(), perm.end(), g.rng);
  g.current = g.op("kiln.transpose", {g.current}, {g.i64s("perm", perm)}, true);
  g.note("transpose", TolClass::Elementwise);
  return true;
}

bool broadcastTo(FunctionGen &g) {
  llvm::SmallVector<int64_t> shape(g.current.shape());
  for (int64_t &d : shape)
    if (d == 1 && g.coin(0.6))
      d = g.uniform(2, 4);
  if (g.coin(0.5) || shape == g.current.shape())
    for (int64_t k = g.uniform(1, 2); k > 0; --k)
      shape.insert(shape.begin(), g.uniform(1, 3));
  if (product(shape) > kMaxElements)
    return false;
  g.current =
      g.op("kiln.broadcast_to", {g.current}, {g.i64s("shape", shape)}, true);
  g.note("broadcast_to", TolClass::Elementwise);
  return true;
}

/// concat with itself, earlier values or new inputs/constants.
bool concat(FunctionGen &g) {
  Val x = g.current;
  int64_t r = x.rank();
  if (r == 0)
    return false;
  int64_t axis = g.uniform(0, r - 1);
  llvm::SmallVector<Val> inputs{x};
  int64_t total = x.numElements();
  for (int64_t k = g.uniform(1, 2); k > 0; --k) {
    Val other = x;
    if (!g.coin(0.25)) {
      std::vector<Val> candidates;
      for (const Val &v : g.pool) {
        bool ok =
            v.value != x.value && v.element() == x.element() && v.rank() == r;
        for (int64_t d = 0; ok && d < r; ++d)
          ok = d == axis || v.shape()[d] == x.shape()[d];
        if (ok)
          candidates.push_back(v);
      }
      if (!candidates.empty() && g.coin(0.4)) {
        other = candidates[g.uniform(0, candidates.size() - 1)];
      } else {
        llvm::SmallVector<int64_t> shape(x.shape());
        shape[axis] = g.uniform(1, 4);
        Dist dist = x.isFloat() ? Dist{-1, 1} : Dist{-10, 10};
        other = g.leaf(g.tensorType(shape, x.element()), dist, 0.5);
      }
    }
    total += other.numElements();
    inputs.push_back(other);
  }
  if (total > kMaxElements)
    return false;
  std::shuffle(inputs.begin(), inputs.end(), g.rng);
  g.current = g.op("kiln.concat", inputs,
                   {g.i64("axis", g.coin(0.2) ? axis - r : axis)}, true);
  g.note("concat", TolClass::Elementwise);
  return true;
}

bool slice(FunctionGen &g) {
  Val x = g.current;
  int64_t r = x.rank();
  if (r == 0)
    return false;
  llvm::SmallVector<int64_t> start, limit, strides;
  bool strided = false;
  for (int64_t d : x.shape()) {
    if (g.coin(0.4)) {
      start.push_back(0);
      limit.push_back(d);
      strides.push_back(1);
      continue;
    }
    int64_t s = g.uniform(0, d - 1);
    start.push_back(s);
    limit.push_back(g.uniform(s + 1, d));
    strides.push_back(g.coin(0.3) ? g.uniform(2, 3) : 1);
    strided |= strides.back() != 1;
  }
  llvm::SmallVector<NamedAttribute> attrs{g.i64s("start", start),
                                          g.i64s("limit", limit)};
  if (strided || g.coin(0.3))
    attrs.push_back(g.i64s("strides", strides));
  g.current = g.op("kiln.slice", {x}, attrs, true);
  g.note(strided ? "slice:strided" : "slice", TolClass::Elementwise);
  return true;
}

bool pad(FunctionGen &g) {
  Val x = g.current;
  int64_t r = x.rank();
  if (r == 0)
    return false;
  llvm::SmallVector<int64_t> low(r, 0), high(r, 0);
  for (int64_t d = 0; d < r; ++d) {
    if (g.coin(0.5))
      low[d] = g.uniform(0, 2);
    if (g.coin(0.5))
      high[d] = g.uniform(0, 2);
  }
  (g.coin(0.5) ? low : high)[g.uniform(0, r - 1)] += 1;
  llvm::SmallVector<int64_t> shape(x.shape());
  for (int64_t d = 0; d < r; ++d)
    shape[d] += low[d] + high[d];
  if (product(shape) > kMaxElements)
    return false;
  llvm::SmallVector<NamedAttribute> attrs{g.i64s("low", low),
                                          g.i64s("high", high)};
  if (g.coin(0.5))
    attrs.push_back(g.f64("value", x.isBool() ? 1.0
                                   : x.isFloat()
                                       ? g.pick<double>({1.5, -2, 0.25})
                                       : g.pick<double>({3, -1})));
  g.current = g.op("kiln.pad", {x}, attrs, true);
  g.note("pad", TolClass::Elementwise);
  return true;
}

/// Indices in [-dim, dim) of a random shape (rank 0-2).
Val indices(FunctionGen &g, int64_t dim) {
  llvm::SmallVector<int64_t> shape;
  for (int64_t k = g.uniform(0, 2); k > 0; --k)
    shape.push_back(g.uniform(1, 5));
  Type e = g.coin(0.5) ? Type(g.b.getI32Type()) : Type(g.b.getI64Type());
  Dist range = g.coin(0.3) ? Dist{double(-dim), double(dim - 1)}
                           : Dist{0, double(dim - 1)};
  return g.leaf(g.tensorType(shape, e), range, 0.4);
}

/// gather from the current value along a random axis.
bool gather(FunctionGen &g) {
  Val x = g.current;
  int64_t r = x.rank();
  if (r == 0)
    return false;
  int64_t axis = g.uniform(0, r - 1);
  Val idx = indices(g, x.shape()[axis]);
  if (x.numElements() / x.shape()[axis] * idx.numElements() > kMaxElements)
    return false;
  llvm::SmallVector<NamedAttribute> attrs;
  if (axis != 0 || g.coin(0.3))
    attrs.push_back(g.i64("axis", g.coin(0.2) ? axis - r : axis));
  g.current = g.op("kiln.gather", {x, idx}, attrs, true);
  g.note("gather", TolClass::Elementwise);
  return true;
}

/// An embedding lookup: the current integer value indexes a table.
bool embedding(FunctionGen &g) {
  Val ids = g.current;
  if (!ids.isInt() || ids.element().isInteger(8))
    return false;
  Stats s = g.stats(ids);
  int64_t vocab = std::max<int64_t>(s.max + 1, -s.min) + g.uniform(0, 3);
  int64_t dim = g.uniform(1, 16);
  if (vocab > 512 || ids.numElements() * dim > kMaxElements)
    return false;
  bool transposed = g.coin(0.25);
  Val table =
      g.leaf(g.tensorType(transposed ? llvm::SmallVector<int64_t>{dim, vocab}
                                     : llvm::SmallVector<int64_t>{vocab, dim},
                          g.f32()),
             {-1, 1}, 0.9);
  llvm::SmallVector<NamedAttribute> attrs;
  if (transposed)
    attrs.push_back(g.i64("axis", 1));
  g.current = g.op("kiln.gather", {table, ids}, attrs, true);
  g.note("gather:embedding", TolClass::Elementwise);
  return true;
}

} // namespace

llvm::ArrayRef<OpGenerator> shapeGenerators() {
  static const OpGenerator table[] = {
      {"reshape", kDataMovement, 0.8, reshape},
      {"transpose", kDataMovement, 0.9, transpose},
      {"broadcast_to", kDataMovement, 0.4, broadcastTo},
      {"concat", kDataMovement, 0.7, concat},
      {"slice", kDataMovement, 0.7, slice},
      {"pad", kDataMovement, 0.5, pad},
      {"gather", kDataMovement, 0.6, gather},
      {"embedding", kDataMovement, 0.5, embedding},
  };
  return table;
}

} // namespace kiln::difftest
