//===- ParallelizeLoops.cpp - the kiln-parallelize-loops pass -------------===//
//
// Splits the large linalg ops of entry points (im2col copies, pooling,
// normalization, elementwise and reduction loops — everything that is not a
// microkernel call) into tasks over their outermost parallel dimension that
// every output is indexed by, and runs the tasks through the runtime's
// thread pool (kiln_host_api_t.parallel_for). Each task is a private
// function `(ctx, index)`: `ctx` holds the base pointers of the op's
// buffers, whose static types the task rebuilds; the task computes its
// slice of the op (linalg tiling) exactly as the serial loop would, so the
// results do not depend on the number of threads.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/Passes.h"

#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNPARALLELIZELOOPS
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

constexpr int64_t kMaxTasks = 64;
/// Innermost-loop pieces: at least this long, a multiple of a vector.
constexpr int64_t kMinInnerChunk = 256;
constexpr int64_t kVectorElements = 16;
constexpr llvm::StringLiteral kHelperName = "__kiln_parallel_for";

/// How one op is split.
struct Split {
  unsigned dim;
  int64_t tasks, chunk;
};

/// A buffer type whose descriptor follows from a base pointer alone.
bool isStaticBuffer(Type type) {
  auto t = dyn_cast<MemRefType>(type);
  if (!t || !t.hasStaticShape())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(getStridesAndOffset(t, strides, offset)) &&
         !ShapedType::isDynamic(offset) &&
         llvm::none_of(strides, ShapedType::isDynamic);
}

std::optional<Split> planSplit(linalg::LinalgOp op, int64_t minWork,
                               int64_t grain) {
  if (!op.hasPureBufferSemantics() || op->getNumResults() != 0)
    return std::nullopt;
  for (Value v : op->getOperands())
    if (!isStaticBuffer(v.getType()))
      return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t work = 1;
  for (int64_t r : ranges) {
    if (ShapedType::isDynamic(r) || llvm::MulOverflow(work, r, work))
      return std::nullopt;
  }
  if (work < minWork)
    return std::nullopt;
  // Values from outside the body must be constants, cloned into the task.
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(op->getRegions(), above);
  for (Value v : above)
    if (!v.getDefiningOp() || !v.getDefiningOp()->hasTrait<OpTrait::ConstantLike>())
      return std::nullopt;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned d = 0; d < ranges.size(); ++d) {
    if (iters[d] != utils::IteratorType::parallel || ranges[d] < 2)
      continue;
    // Tasks write disjoint elements only if every output is indexed by d.
    if (!kiln::indexesEveryOutput(op, d))
      continue;
    // The innermost loop is the one that vectorizes: split it only into
    // long, vector-aligned pieces (a reduction to channels, say, stays
    // serial rather than becoming one strided scalar loop per channel).
    bool innermost = d + 1 == ranges.size();
    int64_t maxTasks = innermost ? ranges[d] / kMinInnerChunk : ranges[d];
    if (maxTasks < 2)
      continue;
    int64_t want = std::clamp<int64_t>(work / grain, 2, std::min(maxTasks, kMaxTasks));
    // Prefer a task count that divides the dimension (static slice sizes).
    int64_t tasks = want;
    for (int64_t t = want; t >= std::max<int64_t>(2, want / 2); --t)
      if (ranges[d] % t == 0) {
        tasks = t;
        break;
      }
    int64_t chunk = llvm::divideCeil(ranges[d], tasks);
    if (innermost)
      chunk = llvm::alignTo(chunk, kVectorElements);
    tasks = llvm::divideCeil(ranges[d], chunk);
    if (tasks < 2)
      return std::nullopt;
    return Split{d, tasks, chunk};
  }
  return std::nullopt;
}

} // namespace

bool kiln::indexesEveryOutput(linalg::LinalgOp op, unsigned d) {
  return llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    return llvm::any_of(map.getResults(), [&](AffineExpr e) {
      auto dim = dyn_cast<AffineDimExpr>(e);
      return dim && dim.getPosition() == d;
    });
  });
}

namespace {

/// `__kiln_parallel_for(host, count, fn, ctx)`: fn(ctx, i) for i in
/// [0, count) through host->parallel_for, or in a loop here when there is no
/// host, no parallel_for or a single thread.
func::FuncOp getOrCreateHelper(ModuleOp module) {
  if (auto fn = module.lookupSymbol<func::FuncOp>(kHelperName))
    return fn;
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64), i32 = IntegerType::get(ctx, 32);
  auto taskType = FunctionType::get(ctx, {ptr, i64}, {});
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto helper = b.create<func::FuncOp>(
      loc, kHelperName, FunctionType::get(ctx, {ptr, i64, taskType, ptr}, {}));
  helper.setPrivate();
  Block *entry = helper.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Value host = entry->getArgument(0), count = entry->getArgument(1),
        fn = entry->getArgument(2), taskCtx = entry->getArgument(3);
  // kiln_host_api_t: {u32 abi_version, i32 num_threads, void *pool,
  //                   parallel_for}.
  auto hostType = LLVM::LLVMStructType::getLiteral(ctx, {i32, i32, ptr, ptr});
  auto field = [&](OpBuilder &fb, int32_t i, Type type) -> Value {
    Value at = fb.create<LLVM::GEPOp>(loc, ptr, hostType, host,
                                      ArrayRef<LLVM::GEPArg>{0, i});
    return fb.create<LLVM::LoadOp>(loc, type, at);
  };
  Value null = b.create<LLVM::ZeroOp>(loc, ptr);
  Value hasHost = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ne, host, null);
  auto ifHost = b.create<scf::IfOp>(
      loc, hasHost,
      [&](OpBuilder &tb, Location l) {
        Value pf = field(tb, 3, ptr);
        Value threads = field(tb, 1, i32);
        Value hasFn = tb.create<LLVM::ICmpOp>(l, LLVM::ICmpPredicate::ne, pf, null);
        Value many = tb.create<arith::CmpIOp>(
            l, arith::CmpIPredicate::sgt, threads,
            tb.create<arith::ConstantIntOp>(l, 1, 32));
        tb.create<scf::YieldOp>(l, ValueRange{tb.create<arith::AndIOp>(l, hasFn, many)});
      },
      [&](OpBuilder &eb, Location l) {
        eb.create<scf::YieldOp>(l, ValueRange{eb.create<arith::ConstantIntOp>(l, 0, 1)});
      });
  b.create<scf::IfOp>(
      loc, ifHost.getResult(0),
      [&](OpBuilder &tb, Location l) {
        Value pf = field(tb, 3, ptr), pool = field(tb, 2, ptr);
        Value fnPtr =
            tb.create<UnrealizedConversionCastOp>(l, ptr, fn).getResult(0);
        auto calleeType = LLVM::LLVMFunctionType::get(
            LLVM::LLVMVoidType::get(ctx), {ptr, i64, ptr, ptr});
        tb.create<LLVM::CallOp>(l, calleeType,
                                ValueRange{pf, pool, count, fnPtr, taskCtx});
        tb.create<scf::YieldOp>(l);
      },
      [&](OpBuilder &eb, Location l) {
        Value zero = eb.create<arith::ConstantIndexOp>(l, 0);
        Value one = eb.create<arith::ConstantIndexOp>(l, 1);
        Value n = eb.create<arith::IndexCastOp>(l, eb.getIndexType(), count);
        eb.create<scf::ForOp>(
            l, zero, n, one, ValueRange{},
            [&](OpBuilder &lb, Location ll, Value i, ValueRange) {
              Value i64v = lb.create<arith::IndexCastOp>(ll, i64, i);
              lb.create<func::CallIndirectOp>(ll, fn, ValueRange{taskCtx, i64v});
              lb.create<scf::YieldOp>(ll);
            });
        eb.create<scf::YieldOp>(l);
      });
  b.create<func::ReturnOp>(loc);
  return helper;
}

struct KilnParallelizeLoops
    : kiln::impl::KilnParallelizeLoopsBase<KilnParallelizeLoops> {
  using KilnParallelizeLoopsBase::KilnParallelizeLoopsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn.isExternal() && kiln::findAbiArgument(fn, "host"))
        entries.push_back(fn);
    for (func::FuncOp fn : entries) {
      SmallVector<std::pair<linalg::LinalgOp, Split>> work;
      fn.walk([&](linalg::LinalgOp op) {
        if (std::optional<Split> s = planSplit(op, minWork, grain))
          work.push_back({op, *s});
      });
      Value host = fn.getArgument(*kiln::findAbiArgument(fn, "host"));
      unsigned n = 0;
      for (auto &[op, split] : work)
        if (failed(parallelize(fn, host, op, split, n++)))
          return signalPassFailure();
    }
  }

  LogicalResult parallelize(func::FuncOp fn, Value host, linalg::LinalgOp op,
                            const Split &split, unsigned n) {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    Location loc = op.getLoc();
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    Type i64 = IntegerType::get(ctx, 64);
    SmallVector<Value> buffers;
    for (Value v : op->getOperands())
      if (!llvm::is_contained(buffers, v))
        buffers.push_back(v);
    auto slotsType = LLVM::LLVMArrayType::get(ptr, buffers.size());

    // The task: rebuild the buffers, clone the op, keep the task's slice.
    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    auto task = mb.create<func::FuncOp>(
        loc, (fn.getSymName() + "__task" + Twine(n)).str(),
        FunctionType::get(ctx, {ptr, i64}, {}));
    task.setPrivate();
    Block *entry = task.addEntryBlock();
    OpBuilder tb = OpBuilder::atBlockBegin(entry);
    LLVMTypeConverter converter(ctx);
    IRMapping map;
    for (auto [i, v] : llvm::enumerate(buffers)) {
      Value at = tb.create<LLVM::GEPOp>(
          loc, ptr, slotsType, entry->getArgument(0),
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
      Value base = tb.create<LLVM::LoadOp>(loc, ptr, at);
      auto type = cast<MemRefType>(v.getType());
      Value desc = MemRefDescriptor::fromStaticShape(tb, loc, converter, type, base);
      map.map(v, tb.create<UnrealizedConversionCastOp>(loc, type, desc).getResult(0));
    }
    llvm::SetVector<Value> above;
    getUsedValuesDefinedAbove(op->getRegions(), above);
    for (Value v : above)
      map.map(v, tb.clone(*v.getDefiningOp())->getResult(0));
    Value index = tb.create<arith::IndexCastOp>(loc, tb.getIndexType(),
                                                entry->getArgument(1));
    Value lo = tb.create<arith::MulIOp>(
        loc, index, tb.create<arith::ConstantIndexOp>(loc, split.chunk));
    auto clone = cast<linalg::LinalgOp>(tb.clone(*op, map));
    tb.create<func::ReturnOp>(loc);

    IRRewriter rewriter(ctx);
    rewriter.setInsertionPoint(clone);
    SmallVector<int64_t> sizes(clone.getNumLoops(), 0);
    sizes[split.dim] = split.chunk;
    linalg::LinalgTilingOptions tiling;
    tiling.setTileSizes(sizes).setLoopType(linalg::LinalgTilingLoopType::Loops);
    FailureOr<linalg::TiledLinalgOp> tiled =
        linalg::tileLinalgOp(rewriter, clone, tiling);
    if (failed(tiled) || tiled->loops.size() != 1) {
      task.erase();
      return success(); // left serial
    }
    rewriter.eraseOp(clone);
    // One trip of the tile loop, at this task's offset.
    auto loop = cast<scf::ForOp>(tiled->loops.front());
    Block *body = loop.getBody();
    rewriter.eraseOp(body->getTerminator());
    rewriter.inlineBlockBefore(body, loop, ValueRange{lo});
    rewriter.eraseOp(loop);
    // Subviews become reinterpret_casts here, away from the entry points'
    // memref.views (which expand-strided-metadata must not see again).
    RewritePatternSet patterns(ctx);
    memref::populateExpandStridedMetadataPatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    affine::AffineMinOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsAndFoldGreedily(task, std::move(patterns))))
      return task.emitOpError("could not simplify the task's slices");

    // The call site: the buffers' base pointers into a stack array (one per
    // op, allocated at the function's entry), then the pool.
    OpBuilder eb = OpBuilder::atBlockBegin(&fn.getBody().front());
    Value one = eb.create<LLVM::ConstantOp>(loc, i64, eb.getI64IntegerAttr(1));
    Value slots = eb.create<LLVM::AllocaOp>(loc, ptr, slotsType, one, 8);
    OpBuilder b(op);
    for (auto [i, v] : llvm::enumerate(buffers)) {
      // The descriptor's aligned pointer itself (no ptrtoint/inttoptr round
      // trip, which would blind LLVM's alias analysis in the caller).
      Type descType = converter.convertType(v.getType());
      Value desc = b.create<UnrealizedConversionCastOp>(loc, descType, v).getResult(0);
      Value base = b.create<LLVM::ExtractValueOp>(loc, desc, ArrayRef<int64_t>{1});
      Value at = b.create<LLVM::GEPOp>(
          loc, ptr, slotsType, slots,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
      b.create<LLVM::StoreOp>(loc, base, at);
    }
    Value fnRef = b.create<func::ConstantOp>(loc, task.getFunctionType(),
                                             SymbolRefAttr::get(task));
    Value count = b.create<arith::ConstantIntOp>(loc, split.tasks, 64);
    b.create<func::CallOp>(loc, getOrCreateHelper(module),
                           ValueRange{host, count, fnRef, slots});
    op->erase();
    return success();
  }
};

} // namespace
