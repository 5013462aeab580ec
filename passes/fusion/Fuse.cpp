//===- Fuse.cpp - group ops into kiln.fusion regions ----------------------===//
//
// Three kinds of groups, formed in this order, each op in at most one:
//  1. a matmul or conv2d with its epilogue: the chain of elementwise ops
//     that alone consume its result (bias add, activation, residual add);
//  2. a reduction (reduce_*, softmax, log_softmax, layer_norm, batch_norm)
//     with the elementwise ops that alone feed it and the chain that alone
//     consumes it;
//  3. chains of at least two elementwise ops.
// An op joins a group only if every use of its result is inside the group
// (except the group's last op): nothing is ever computed twice, and an
// expensive producer with other users stays outside. Groups never cross
// blocks. Small constants are cloned into the body; every other outside
// value becomes an input. Ops are visited in program order, so the result
// is deterministic.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/Report.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSE
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// Constants with at most this many elements are cloned into fusion bodies.
constexpr int64_t kCloneConstantLimit = 16;

bool isReduction(Operation *op);

bool isElementwise(Operation *op) {
  if (!op || op->getNumResults() != 1 || op->getNumRegions() ||
      isReduction(op))
    return false;
  return op->hasTrait<OpTrait::Elementwise>() ||
         isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaximumOp, MinimumOp, EqualOp,
             NotEqualOp, LessOp, LessEqualOp, GreaterOp, GreaterEqualOp,
             LogicalAndOp, LogicalOrOp, SelectOp>(op);
}

bool isContraction(Operation *op) { return isa<MatmulOp, Conv2DOp>(op); }

bool isReduction(Operation *op) {
  return isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp,
             SoftmaxOp, LogSoftmaxOp, LayerNormOp, BatchNormOp>(op);
}

/// A name for an op in the report: its location's name, else its kind.
std::string describe(Operation *op) {
  std::string s = op->getName().getStringRef().str();
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    s += " '" + name.getName().str() + "'";
  return s;
}

/// The one op that uses `op`'s result (perhaps as several operands, as in
/// `mul %x, %x`), or null when there are none or several.
Operation *soleUser(Operation *op) {
  Value v = op->getResult(0);
  if (v.use_empty())
    return nullptr;
  Operation *user = *v.getUsers().begin();
  for (Operation *other : v.getUsers())
    if (other != user)
      return nullptr;
  return user;
}

class Fuser {
public:
  Fuser(StringRef passName, StringRef function)
      : passName(passName), function(function) {}

  void run(Block &block) {
    // Nested blocks first (scan bodies).
    for (Operation &op : block)
      for (Region &r : op.getRegions())
        if (!isa<FusionOp>(op))
          for (Block &b : r)
            run(b);
    SmallVector<Operation *> ops;
    for (Operation &op : block)
      ops.push_back(&op);
    // 1 and 2: anchored groups.
    for (Operation *op : ops) {
      if (taken.contains(op))
        continue;
      if (isContraction(op))
        formAnchored(op, isa<MatmulOp>(op) ? "matmul" : "conv", false);
      else if (isReduction(op))
        formAnchored(op, "reduction", true);
    }
    // 3: elementwise chains.
    for (Operation *op : ops)
      if (!taken.contains(op) && isElementwise(op))
        formChain(op);
  }

private:
  /// Extends `group` downward from its last op along sole users; returns
  /// why it stopped (empty at a function or loop-body result).
  std::string growEpilogue(llvm::SetVector<Operation *> &group) {
    Operation *last = group.back();
    while (Operation *user = soleUser(last)) {
      if (isa<func::ReturnOp, YieldOp>(user))
        return "";
      bool grouped = taken.contains(user) || isa<FusionOp>(user);
      if (grouped || !isElementwise(user) ||
          user->getBlock() != last->getBlock())
        return "stops at " + describe(user) + ": " +
               (grouped ? "already in another group" : "not an elementwise op");
      group.insert(user);
      last = user;
    }
    if (last->getResult(0).use_empty())
      return "";
    return "stops after " + describe(last) +
           ": its result has several users (fusing further would compute it "
           "twice)";
  }

  void formAnchored(Operation *anchor, StringRef kind, bool withProducers) {
    llvm::SetVector<Operation *> group;
    if (withProducers) {
      // Elementwise producers whose only user is the group.
      SmallVector<Operation *> producers;
      collectProducers(anchor, producers);
      for (Operation *p : llvm::reverse(producers))
        group.insert(p);
    }
    group.insert(anchor);
    std::string stop = growEpilogue(group);
    if (group.size() < 2) {
      note("leaves " + describe(anchor) + " alone: " +
           (stop.empty() ? std::string("nothing to fuse with") : stop));
      return;
    }
    build(group, kind, stop);
  }

  /// Elementwise ops feeding `op` (transitively) whose results only `op` or
  /// other collected producers use, in use-before-def order.
  void collectProducers(Operation *op, SmallVectorImpl<Operation *> &out) {
    for (Value v : op->getOperands()) {
      Operation *def = v.getDefiningOp();
      if (!def || !isElementwise(def) || taken.contains(def) ||
          def->getBlock() != op->getBlock())
        continue;
      if (soleUser(def) != op) {
        note("keeps " + describe(def) + " outside the " + describe(op) +
             " group: its result has other users");
        continue;
      }
      if (llvm::is_contained(out, def))
        continue;
      out.push_back(def);
      collectProducers(def, out);
    }
  }

  void formChain(Operation *start) {
    llvm::SetVector<Operation *> group;
    group.insert(start);
    std::string stop = growEpilogue(group);
    if (group.size() < 2)
      return;
    build(group, "elementwise", stop);
  }

  /// Replaces the ops of `group` (all in one block, the last one's result
  /// the only value used outside) by one kiln.fusion.
  void build(llvm::SetVector<Operation *> &group, StringRef kind,
             const std::string &stop) {
    // Order by position in the block.
    SmallVector<Operation *> ops(group.begin(), group.end());
    llvm::sort(ops, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    Operation *last = ops.back();
    llvm::SmallPtrSet<Operation *, 16> members(ops.begin(), ops.end());
    // Inputs: outside values, except small constants cloned inside.
    llvm::SetVector<Value> inputs;
    llvm::SetVector<Operation *> cloned;
    for (Operation *op : ops)
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (def && members.contains(def))
          continue;
        if (auto c = dyn_cast_or_null<ConstantOp>(def);
            c && c.getValue().getNumElements() <= kCloneConstantLimit) {
          cloned.insert(def);
          continue;
        }
        inputs.insert(v);
      }
    std::string line = "fuses " + describe(ops.front()) + " with";
    for (Operation *op : llvm::drop_begin(ops))
      line += " " + op->getName().getStringRef().drop_front(5).str();
    line += " into a \"" + kind.str() + "\" fusion";
    if (!stop.empty())
      line += "; " + stop;
    note(line);
    OpBuilder b(last);
    auto fusion = b.create<FusionOp>(last->getLoc(),
                                     TypeRange{last->getResult(0).getType()},
                                     b.getStringAttr(kind), inputs.getArrayRef());
    Block *body = new Block();
    fusion.getBody().push_back(body);
    IRMapping map;
    for (Value v : inputs)
      map.map(v, body->addArgument(v.getType(), v.getLoc()));
    OpBuilder inner = OpBuilder::atBlockEnd(body);
    for (Operation *c : cloned)
      inner.clone(*c, map);
    for (Operation *op : ops)
      inner.clone(*op, map);
    inner.create<YieldOp>(last->getLoc(), map.lookup(last->getResult(0)));
    last->getResult(0).replaceAllUsesWith(fusion.getResult(0));
    for (Operation *op : llvm::reverse(ops)) {
      taken.insert(op);
      op->erase();
    }
  }

  void note(const std::string &line) {
    report::note(passName, "@" + function.str() + ": " + line);
  }

  StringRef passName, function;
  llvm::SmallPtrSet<Operation *, 32> taken;
};

struct Fuse : kiln::impl::KilnFuseBase<Fuse> {
  void runOnOperation() override {
    Fuser fuser(getArgument(), getOperation().getSymName());
    for (Block &block : getOperation().getBody())
      fuser.run(block);
    // Constants only the fused ops used are now dead outside.
    eraseDeadOps(getOperation().getBody());
  }
};
} // namespace
