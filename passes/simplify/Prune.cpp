//===- Prune.cpp - remove inference no-ops, dead ops and unused scan results -===//

#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallBitVector.h"

#include <functional>

namespace kiln {
#define GEN_PASS_DEF_KILNPRUNE
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// Whether carried slot `j` of `scan` can go: nobody reads its final value,
/// and inside the body its block argument only feeds ops whose results only
/// feed yield slot `j` (a counter advancing itself, say).
bool carriedIsDead(ScanOp scan, unsigned j) {
  if (!scan.getResult(j).use_empty())
    return false;
  Block &body = scan.getBody().front();
  Operation *yield = body.getTerminator();
  // The ops whose values reach nothing but yield slot j.
  llvm::SetVector<Operation *> own;
  std::function<bool(Value)> onlyFeedsSlot = [&](Value v) -> bool {
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (user == yield) {
        if (use.getOperandNumber() != j)
          return false;
        continue;
      }
      if (user->getBlock() != &body || !isMemoryEffectFree(user) ||
          user->getNumRegions())
        return false;
      if (own.contains(user))
        continue;
      own.insert(user);
      for (Value r : user->getResults())
        if (!onlyFeedsSlot(r))
          return false;
    }
    return true;
  };
  if (!onlyFeedsSlot(body.getArgument(j)))
    return false;
  // What the slot yields must come from the argument's own chain (or from
  // outside the body), so nothing else is lost.
  Value next = yield->getOperand(j);
  if (Operation *def = next.getDefiningOp();
      def && def->getBlock() == &body && !own.contains(def))
    return false;
  return true;
}

/// Rebuilds `scan` without the carried slots and step outputs in `drop`.
void rebuildScan(ScanOp scan, const llvm::SmallBitVector &drop) {
  Block &body = scan.getBody().front();
  Operation *yield = body.getTerminator();
  unsigned numInit = scan.getInit().size();
  SmallVector<Value> init;
  SmallVector<Type> types;
  SmallVector<unsigned> kept;
  for (unsigned i = 0; i < scan.getNumResults(); ++i) {
    if (drop.test(i))
      continue;
    kept.push_back(i);
    types.push_back(scan.getResult(i).getType());
    if (i < numInit)
      init.push_back(scan.getInit()[i]);
  }
  // The body: drop yielded values and carried arguments (their users are
  // all inside the dropped chain, erased below as dead).
  SmallVector<Value> yielded;
  for (unsigned i : kept)
    yielded.push_back(yield->getOperand(i));
  OpBuilder b(yield);
  b.create<YieldOp>(yield->getLoc(), yielded);
  yield->erase();
  eraseDeadOps(scan.getBody());
  for (int i = static_cast<int>(numInit) - 1; i >= 0; --i)
    if (drop.test(i))
      body.eraseArgument(i);

  b.setInsertionPoint(scan);
  OperationState state(scan.getLoc(), ScanOp::getOperationName());
  state.addOperands(init);
  state.addOperands(scan.getSequences());
  auto &props = state.getOrAddProperties<ScanOp::Properties>();
  props = scan.getProperties();
  props.operandSegmentSizes = {static_cast<int32_t>(init.size()),
                               static_cast<int32_t>(scan.getSequences().size())};
  if (scan.getSequences().empty())
    props.length = b.getI64IntegerAttr(scan.getNumSteps());
  state.addTypes(types);
  state.addRegion()->takeBody(scan.getBody());
  Operation *replacement = b.create(state);
  for (auto [k, i] : llvm::enumerate(kept))
    scan.getResult(i).replaceAllUsesWith(replacement->getResult(k));
  scan.erase();
}

struct Prune : kiln::impl::KilnPruneBase<Prune> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    fn.walk([](DropoutOp op) {
      if (!op.getTraining()) {
        op.getResult().replaceAllUsesWith(op.getX());
        op.erase();
      }
    });
    eraseDeadOps(fn.getBody());
    // Dropping a scan's results can make other values dead: a carried slot
    // that only fed a dropped step output, an inner scan's results that
    // only an outer scan's dropped output read. Repeat until nothing
    // changes (each round removes at least one result, so it ends).
    for (bool changed = true; changed;) {
      changed = false;
      SmallVector<ScanOp> scans;
      fn.walk([&](ScanOp scan) { scans.push_back(scan); });
      for (ScanOp scan : scans) {
        unsigned numInit = scan.getInit().size();
        llvm::SmallBitVector drop(scan.getNumResults());
        for (unsigned i = numInit; i < scan.getNumResults(); ++i)
          drop[i] = scan.getResult(i).use_empty();
        if (drop.none())
          for (unsigned j = 0; j < numInit; ++j)
            drop[j] = carriedIsDead(scan, j);
        if (drop.any()) {
          rebuildScan(scan, drop);
          eraseDeadOps(fn.getBody());
          changed = true;
          break; // the walk's list is stale now
        }
      }
    }
  }
};
} // namespace
