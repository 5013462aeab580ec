//===- PlanMemory.cpp - the kiln-plan-memory pass -------------------------===//

#include "compiler/codegen/cpu/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace kiln {
#define GEN_PASS_DEF_KILNPLANMEMORY
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

constexpr uint64_t kAlignment = 64;

struct Buffer {
  memref::AllocOp alloc;
  uint64_t size = 0;
  unsigned start = 0, end = 0; // live range over top-level op indices
  uint64_t offset = 0;
};

/// The op of `block` that contains `op` (or `op` itself).
Operation *topLevelAncestor(Block &block, Operation *op) {
  return block.findAncestorOpInBlock(*op);
}

struct KilnPlanMemory : kiln::impl::KilnPlanMemoryBase<KilnPlanMemory> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::optional<unsigned> arenaIndex = kiln::findAbiArgument(func, "arena");
    if (!arenaIndex || func.isExternal())
      return;
    Block &entry = func.getBody().front();
    llvm::DenseMap<Operation *, unsigned> index;
    for (auto [i, op] : llvm::enumerate(entry.getOperations()))
      index[&op] = i;
    unsigned lastIndex = entry.getOperations().size();

    DataLayout layout = DataLayout::closest(func);
    std::vector<Buffer> buffers;
    bool failedAlloc = false;
    func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
        alloc.emitError("cannot plan a dynamically shaped or strided "
                        "allocation: ")
            << type;
        failedAlloc = true;
        return;
      }
      Buffer buffer;
      buffer.alloc = alloc;
      uint64_t elementBytes =
          std::max<uint64_t>(1, layout.getTypeSize(type.getElementType()));
      buffer.size = llvm::alignTo(
          std::max<uint64_t>(1, type.getNumElements() * elementBytes),
          kAlignment);
      buffer.start = index[topLevelAncestor(entry, alloc)];
      buffer.end = buffer.start;
      // Follow the buffer through every alias to its last use.
      SmallVector<Value> worklist = {alloc.getResult()};
      while (!worklist.empty()) {
        Value v = worklist.pop_back_val();
        for (OpOperand &use : v.getUses()) {
          Operation *user = use.getOwner();
          if (isa<scf::YieldOp>(user) || isa<scf::ForOp>(user) ||
              isa<func::ReturnOp>(user)) {
            buffer.end = lastIndex; // escapes through loop-carried values
            continue;
          }
          buffer.end =
              std::max(buffer.end, index[topLevelAncestor(entry, user)]);
          if (auto view = dyn_cast<ViewLikeOpInterface>(user))
            if (view.getViewSource() == v)
              for (Value r : user->getResults())
                worklist.push_back(r);
        }
      }
      buffers.push_back(buffer);
    });
    if (failedAlloc)
      return signalPassFailure();

    // Largest first, each at the lowest offset clear of every placed buffer
    // whose live range overlaps its own.
    std::vector<Buffer *> order;
    for (Buffer &b : buffers)
      order.push_back(&b);
    std::sort(order.begin(), order.end(), [](Buffer *a, Buffer *b) {
      return a->size != b->size ? a->size > b->size : a->start < b->start;
    });
    std::vector<Buffer *> placed;
    uint64_t peak = 0;
    for (Buffer *b : order) {
      std::vector<std::pair<uint64_t, uint64_t>> busy;
      for (Buffer *p : placed)
        if (p->start <= b->end && b->start <= p->end)
          busy.push_back({p->offset, p->offset + p->size});
      std::sort(busy.begin(), busy.end());
      uint64_t offset = 0;
      for (auto [lo, hi] : busy) {
        if (offset + b->size <= lo)
          break;
        offset = std::max(offset, hi);
      }
      b->offset = offset;
      peak = std::max(peak, offset + b->size);
      placed.push_back(b);
    }

    MLIRContext *ctx = &getContext();
    auto arenaType = MemRefType::get({static_cast<int64_t>(peak)},
                                     IntegerType::get(ctx, 8));
    BlockArgument arena = func.getArgument(*arenaIndex);
    arena.setType(arenaType);
    SmallVector<Type> inputs(func.getArgumentTypes());
    inputs[*arenaIndex] = arenaType;
    func.setType(FunctionType::get(ctx, inputs, func.getResultTypes()));
    func->setAttr("kiln.arena_size",
                  IntegerAttr::get(IntegerType::get(ctx, 64), peak));

    for (Buffer &b : buffers) {
      OpBuilder builder(b.alloc);
      Location loc = b.alloc.getLoc();
      Value offset = builder.create<arith::ConstantIndexOp>(loc, b.offset);
      Value view = builder.create<memref::ViewOp>(loc, b.alloc.getType(),
                                                  arena, offset, ValueRange{});
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
    }
    func.walk([](memref::DeallocOp dealloc) { dealloc.erase(); });
  }
};

} // namespace
