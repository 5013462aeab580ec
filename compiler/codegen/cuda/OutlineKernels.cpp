//===- OutlineKernels.cpp - the kiln-cuda-outline-kernels pass ------------===//
//
// Every linalg op of an entry point becomes a CUDA kernel: one thread per
// point of the parallel dimensions that index every output, reductions
// serial inside the thread (the results are those of the serial loop nest,
// whatever the launch shape). The host side keeps the schedule: the entry
// point becomes a sequence of launches (inside the scan loops, if any),
// each reaching the runtime through kiln_host_api_t.launch.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/Passes.h"
#include "compiler/codegen/cuda/Passes.h"

#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCUDAOUTLINEKERNELS
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kWeightsGlobal = "kiln_weights";
/// The count of device calls the pass records on each entry point.
constexpr llvm::StringLiteral kDeviceCallsAttr = "kiln.device_calls";
/// Where the count saturates (a loop of unknown length).
constexpr int64_t kManyCalls = int64_t(1) << 40;

/// A buffer a kernel reads or writes, passed as its base pointer (and its
/// offset, when the layout's is dynamic).
struct KernelBuffer {
  Value value;
  bool dynamicOffset = false;
};

/// Static shape and strides; the offset may be dynamic.
LogicalResult checkLayout(Operation *op, Value v, KernelBuffer &out) {
  auto type = cast<MemRefType>(v.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!type.hasStaticShape() ||
      failed(getStridesAndOffset(type, strides, offset)) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return op->emitOpError("has an operand of type ")
           << type << "; the cuda target needs static shapes and strides";
  out = {v, ShapedType::isDynamic(offset)};
  return success();
}

/// An 8-byte kernel argument for a scalar `v` (host side).
Value scalarToSlot(OpBuilder &b, Location loc, Value v) {
  Type i64 = b.getI64Type();
  Type type = v.getType();
  if (type.isIndex())
    return b.create<arith::IndexCastOp>(loc, i64, v);
  if (auto f = dyn_cast<FloatType>(type)) {
    Value bits = b.create<arith::BitcastOp>(
        loc, b.getIntegerType(f.getWidth()), v);
    return f.getWidth() == 64 ? bits : b.create<arith::ExtUIOp>(loc, i64, bits);
  }
  auto width = type.getIntOrFloatBitWidth();
  return width == 64 ? v : b.create<arith::ExtUIOp>(loc, i64, v).getResult();
}

/// The scalar of type `type` in the 8-byte kernel argument `slot`.
Value slotToScalar(OpBuilder &b, Location loc, Value slot, Type type) {
  if (type.isIndex())
    return b.create<arith::IndexCastOp>(loc, type, slot);
  if (auto f = dyn_cast<FloatType>(type)) {
    Type bitsType = b.getIntegerType(f.getWidth());
    Value bits = f.getWidth() == 64
                     ? slot
                     : b.create<arith::TruncIOp>(loc, bitsType, slot).getResult();
    return b.create<arith::BitcastOp>(loc, type, bits);
  }
  if (type.getIntOrFloatBitWidth() == 64)
    return slot;
  return b.create<arith::TruncIOp>(loc, type, slot);
}

bool isPassableScalar(Type type) {
  if (type.isIndex())
    return true;
  if (auto f = dyn_cast<FloatType>(type))
    return f.getWidth() == 16 || f.getWidth() == 32 || f.getWidth() == 64;
  if (auto i = dyn_cast<IntegerType>(type))
    return i.isSignless() && i.getWidth() <= 64;
  return false;
}

struct KilnCudaOutlineKernels
    : kiln::impl::KilnCudaOutlineKernelsBase<KilnCudaOutlineKernels> {
  using KilnCudaOutlineKernelsBase::KilnCudaOutlineKernelsBase;

  gpu::GPUModuleOp kernels;
  unsigned numKernels = 0;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (blockSize < 1 || blockSize > 1024) {
      module.emitError("block-size must be in [1, 1024], got ") << blockSize;
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn.isExternal() && kiln::findAbiArgument(fn, "host"))
        entries.push_back(fn);
    kernels = nullptr;
    numKernels = 0;
    if (!emulate) {
      module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                      UnitAttr::get(&getContext()));
      for (auto m : module.getOps<gpu::GPUModuleOp>())
        if (m.getName() == kiln::kKernelModuleName)
          kernels = m;
      if (!kernels) {
        OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
        kernels = b.create<gpu::GPUModuleOp>(module.getLoc(),
                                             kiln::kKernelModuleName);
      }
      numKernels = llvm::range_size(kernels.getOps<gpu::GPUFuncOp>());
    }
    for (func::FuncOp fn : entries) {
      Value host = fn.getArgument(*kiln::findAbiArgument(fn, "host"));
      if (!emulate)
        rebaseWeights(fn, host);
      // Contiguous copies (which kiln-expand-copies leaves to memcpy) run
      // as kernels too.
      fn.walk([](memref::CopyOp copy) {
        OpBuilder b(copy);
        b.create<linalg::CopyOp>(copy.getLoc(), copy.getSource(),
                                 copy.getTarget());
        copy.erase();
      });
      SmallVector<linalg::LinalgOp> ops;
      fn.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
      fn->setAttr(kDeviceCallsAttr,
                  IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                   countDeviceCalls(fn, ops)));
      for (linalg::LinalgOp op : ops)
        if (failed(outline(fn, host, op)))
          return signalPassFailure();
      if (!emulate && failed(checkHostCode(fn)))
        return signalPassFailure();
    }
  }

  /// The GPU work one call of `fn` issues: a launch per op of `ops` (those
  /// with iterations) and each library call, times the trip counts of the
  /// loops around it (a scan's steps). A loop whose trip count is not a
  /// constant (or a while loop) counts as kManyCalls iterations.
  static int64_t countDeviceCalls(func::FuncOp fn,
                                  ArrayRef<linalg::LinalgOp> ops) {
    auto timesRun = [&](Operation *op) {
      int64_t n = 1;
      for (Operation *p = op->getParentOp(); p && p != fn;
           p = p->getParentOp()) {
        if (!isa<LoopLikeOpInterface>(p))
          continue; // scf.if and the like: both branches count
        std::optional<int64_t> lb, ub, step;
        if (auto loop = dyn_cast<scf::ForOp>(p)) {
          lb = getConstantIntValue(loop.getLowerBound());
          ub = getConstantIntValue(loop.getUpperBound());
          step = getConstantIntValue(loop.getStep());
        }
        int64_t trips = kManyCalls, span;
        if (lb && ub && step && *step > 0)
          trips = *ub <= *lb                          ? 0
                  : llvm::SubOverflow(*ub, *lb, span) ? kManyCalls
                                                      : (span - 1) / *step + 1;
        if (llvm::MulOverflow(n, trips, n) || n > kManyCalls)
          n = kManyCalls;
      }
      return n;
    };
    int64_t total = 0;
    auto add = [&](Operation *op) {
      total = std::min(kManyCalls, total + timesRun(op));
    };
    for (linalg::LinalgOp op : ops)
      if (!llvm::is_contained(op.getStaticLoopRanges(), 0))
        add(op);
    fn.walk([&](func::CallOp call) {
      if (call.getCallee() == kiln::host_api::kMatmulForwarder ||
          call.getCallee() == kiln::host_api::kConvForwarder ||
          call.getCallee() == kiln::host_api::kLaunchForwarder)
        add(call);
    });
    return total;
  }

  /// `memref.get_global @kiln_weights` → the same buffer at
  /// host->device_weights.
  void rebaseWeights(func::FuncOp fn, Value host) {
    SmallVector<memref::GetGlobalOp> uses;
    fn.walk([&](memref::GetGlobalOp g) {
      if (g.getName() == kWeightsGlobal)
        uses.push_back(g);
    });
    if (uses.empty())
      return;
    Location loc = fn.getLoc();
    OpBuilder b = OpBuilder::atBlockBegin(&fn.getBody().front());
    Value base = kiln::host_api::loadField(b, loc, host,
                                           kiln::host_api::kDeviceWeights);
    LLVMTypeConverter converter(&getContext());
    for (memref::GetGlobalOp g : uses) {
      auto type = cast<MemRefType>(g.getType());
      b.setInsertionPoint(g);
      Value desc = MemRefDescriptor::fromStaticShape(b, loc, converter, type, base);
      g.replaceAllUsesWith(
          b.create<UnrealizedConversionCastOp>(loc, type, desc).getResult(0));
      g.erase();
    }
  }

  LogicalResult outline(func::FuncOp fn, Value host, linalg::LinalgOp op) {
    MLIRContext *ctx = &getContext();
    Location loc = op.getLoc();
    if (!op.hasPureBufferSemantics())
      return op->emitOpError("is not on buffers; the cuda target runs "
                             "bufferized linalg ops only");

    // What the kernel needs: buffers (operands and any memref the body
    // reads), scalars from above; constants are cloned in.
    SmallVector<KernelBuffer> buffers;
    auto addBuffer = [&](Value v) -> LogicalResult {
      if (llvm::any_of(buffers, [&](auto &k) { return k.value == v; }))
        return success();
      KernelBuffer kb;
      if (failed(checkLayout(op, v, kb)))
        return failure();
      buffers.push_back(kb);
      return success();
    };
    for (Value v : op->getOperands())
      if (isa<MemRefType>(v.getType()) && failed(addBuffer(v)))
        return failure();
    // Scalars come in as operands (linalg.fill's value) or from above.
    llvm::SetVector<Value> above;
    for (Value v : op->getOperands())
      if (!isa<MemRefType>(v.getType()))
        above.insert(v);
    getUsedValuesDefinedAbove(op->getRegions(), above);
    SmallVector<Value> scalars, constants;
    for (Value v : above) {
      Operation *def = v.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>() &&
          def->getNumOperands() == 0) {
        constants.push_back(v);
      } else if (isa<MemRefType>(v.getType())) {
        if (failed(addBuffer(v)))
          return failure();
      } else if (isPassableScalar(v.getType())) {
        scalars.push_back(v);
      } else {
        return op->emitOpError("uses a value of type ")
               << v.getType() << " from outside its body; the cuda target "
                  "passes only scalars and buffers to kernels";
      }
    }

    // The threaded dimensions and the thread count.
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
    SmallVector<unsigned> threaded;
    int64_t total = 1;
    for (unsigned d = 0; d < ranges.size(); ++d) {
      if (ShapedType::isDynamic(ranges[d]))
        return op->emitOpError("has a dynamic loop range; the cuda target "
                               "needs static shapes");
      if (ranges[d] == 0) {
        op->erase(); // no iterations
        return success();
      }
      if (iters[d] != utils::IteratorType::parallel || ranges[d] < 2)
        continue;
      if (!kiln::indexesEveryOutput(op, d))
        continue;
      if (llvm::MulOverflow(total, ranges[d], total))
        return op->emitOpError("has too many iterations for one launch");
      threaded.push_back(d);
    }
    int64_t block = std::min<int64_t>(total, blockSize);
    int64_t grid = llvm::divideCeil(total, block);
    if (grid > std::numeric_limits<int32_t>::max())
      return op->emitOpError("needs ")
             << total << " threads, more than one launch can have";

    // The kernel.
    Type i64 = IntegerType::get(ctx, 64);
    unsigned numArgs = 0;
    for (auto &b : buffers)
      numArgs += b.dynamicOffset ? 2 : 1;
    numArgs += scalars.size();
    unsigned index = numKernels++;
    std::string name = (fn.getSymName() + "__k" + Twine(index)).str();
    SmallVector<Type> argTypes(numArgs, i64);
    Block *entryBlock;
    Value blockId, blockDim, threadId;
    Operation *kernelOp;
    if (emulate) {
      // A host function called once per thread: (args..., block id, block
      // size, thread id).
      Type indexType = IndexType::get(ctx);
      argTypes.append(3, indexType);
      OpBuilder mb = OpBuilder::atBlockEnd(getOperation().getBody());
      auto kernel = mb.create<func::FuncOp>(loc, name,
                                            FunctionType::get(ctx, argTypes, {}));
      kernel.setPrivate();
      entryBlock = kernel.addEntryBlock();
      blockId = entryBlock->getArgument(numArgs);
      blockDim = entryBlock->getArgument(numArgs + 1);
      threadId = entryBlock->getArgument(numArgs + 2);
      kernelOp = kernel;
    } else {
      OpBuilder mb =
          OpBuilder::atBlockTerminator(&kernels.getBodyRegion().front());
      auto kernel = mb.create<gpu::GPUFuncOp>(
          loc, name, FunctionType::get(ctx, argTypes, {}));
      kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                      UnitAttr::get(ctx));
      entryBlock = &kernel.getBody().front();
      OpBuilder gb = OpBuilder::atBlockBegin(entryBlock);
      blockId = gb.create<gpu::BlockIdOp>(loc, gpu::Dimension::x);
      blockDim = gb.create<gpu::BlockDimOp>(loc, gpu::Dimension::x);
      threadId = gb.create<gpu::ThreadIdOp>(loc, gpu::Dimension::x);
      kernelOp = kernel;
    }
    Block &entry = *entryBlock;
    OpBuilder kb = OpBuilder::atBlockEnd(&entry);
    Value linear = kb.create<arith::AddIOp>(
        loc, kb.create<arith::MulIOp>(loc, blockId, blockDim), threadId);
    Value inRange = kb.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::ult, linear,
        kb.create<arith::ConstantIndexOp>(loc, total));
    auto ifOp = kb.create<scf::IfOp>(loc, inRange, /*withElse=*/false);
    if (emulate)
      kb.create<func::ReturnOp>(loc);
    else
      kb.create<gpu::ReturnOp>(loc);

    OpBuilder tb = ifOp.getThenBodyBuilder();
    LLVMTypeConverter converter(ctx);
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    IRMapping map;
    unsigned arg = 0;
    for (auto &b : buffers) {
      auto type = cast<MemRefType>(b.value.getType());
      Value base = tb.create<LLVM::IntToPtrOp>(loc, ptr, entry.getArgument(arg++));
      Value desc;
      if (!b.dynamicOffset) {
        desc = MemRefDescriptor::fromStaticShape(tb, loc, converter, type, base);
      } else {
        SmallVector<int64_t> strides;
        int64_t offset;
        (void)getStridesAndOffset(type, strides, offset);
        auto d = MemRefDescriptor::undef(tb, loc, converter.convertType(type));
        d.setAllocatedPtr(tb, loc, base);
        d.setAlignedPtr(tb, loc, base);
        d.setOffset(tb, loc, entry.getArgument(arg++));
        for (auto [i, size] : llvm::enumerate(type.getShape())) {
          d.setConstantSize(tb, loc, i, size);
          d.setConstantStride(tb, loc, i, strides[i]);
        }
        desc = d;
      }
      map.map(b.value,
              tb.create<UnrealizedConversionCastOp>(loc, type, desc).getResult(0));
    }
    for (Value s : scalars)
      map.map(s, slotToScalar(tb, loc, entry.getArgument(arg++), s.getType()));
    for (Value c : constants)
      map.map(c, tb.clone(*c.getDefiningOp())->getResult(0));
    // Delinearize the thread index, last threaded dimension fastest (the
    // innermost output dimension: coalesced accesses).
    SmallVector<Value> dimIndex(threaded.size());
    Value rest = linear;
    for (int i = static_cast<int>(threaded.size()) - 1; i >= 0; --i) {
      Value size = tb.create<arith::ConstantIndexOp>(loc, ranges[threaded[i]]);
      dimIndex[i] = i == 0 ? rest : tb.create<arith::RemUIOp>(loc, rest, size);
      if (i > 0)
        rest = tb.create<arith::DivUIOp>(loc, rest, size);
    }
    // The op's loop nest (one scf.for per dimension, in order); the loops
    // of the threaded dimensions become this thread's indices.
    auto clone = cast<linalg::LinalgOp>(tb.clone(*op, map));
    IRRewriter rewriter(ctx);
    rewriter.setInsertionPoint(clone);
    FailureOr<linalg::LinalgLoops> loops = linalg::linalgOpToLoops(rewriter, clone);
    if (failed(loops) || loops->size() != ranges.size())
      return op->emitOpError("could not be lowered to a loop nest");
    rewriter.eraseOp(clone);
    for (auto [i, d] : llvm::enumerate(threaded)) {
      auto loop = cast<scf::ForOp>((*loops)[d]);
      Block *body = loop.getBody();
      rewriter.eraseOp(body->getTerminator());
      rewriter.inlineBlockBefore(body, loop, ValueRange{dimIndex[i]});
      rewriter.eraseOp(loop);
    }

    // The launch: the arguments as 8-byte values.
    OpBuilder b(op);
    SmallVector<Value> argValues;
    for (auto &kbuf : buffers) {
      Type descType = converter.convertType(kbuf.value.getType());
      Value desc =
          b.create<UnrealizedConversionCastOp>(loc, descType, kbuf.value)
              .getResult(0);
      Value base = b.create<LLVM::ExtractValueOp>(loc, desc, ArrayRef<int64_t>{1});
      argValues.push_back(b.create<LLVM::PtrToIntOp>(loc, i64, base));
      if (kbuf.dynamicOffset)
        argValues.push_back(
            b.create<LLVM::ExtractValueOp>(loc, desc, ArrayRef<int64_t>{2}));
    }
    for (Value s : scalars)
      argValues.push_back(scalarToSlot(b, loc, s));
    if (emulate) {
      // Every thread of every block, in order, on this CPU.
      Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
      Value one = b.create<arith::ConstantIndexOp>(loc, 1);
      Value gridSize = b.create<arith::ConstantIndexOp>(loc, grid);
      Value blockSize = b.create<arith::ConstantIndexOp>(loc, block);
      auto callee = cast<func::FuncOp>(kernelOp);
      b.create<scf::ForOp>(
          loc, zero, gridSize, one, ValueRange{},
          [&](OpBuilder &ob, Location l, Value blockIndex, ValueRange) {
            ob.create<scf::ForOp>(
                l, zero, blockSize, one, ValueRange{},
                [&](OpBuilder &ib, Location il, Value threadIndex, ValueRange) {
                  SmallVector<Value> callArgs(argValues);
                  callArgs.append({blockIndex, blockSize, threadIndex});
                  ib.create<func::CallOp>(il, callee, callArgs);
                  ib.create<scf::YieldOp>(il);
                });
            ob.create<scf::YieldOp>(l);
          });
      op->erase();
      return success();
    }
    OpBuilder eb = OpBuilder::atBlockBegin(&fn.getBody().front());
    Value args;
    if (numArgs > 0) {
      Value one = eb.create<LLVM::ConstantOp>(loc, i64, eb.getI64IntegerAttr(1));
      args = eb.create<LLVM::AllocaOp>(
          loc, ptr, LLVM::LLVMArrayType::get(i64, numArgs), one, 8);
    } else {
      args = eb.create<LLVM::ZeroOp>(loc, ptr);
    }
    auto slotsType = LLVM::LLVMArrayType::get(i64, std::max(numArgs, 1u));
    for (auto [slot, v] : llvm::enumerate(argValues)) {
      Value at = b.create<LLVM::GEPOp>(
          loc, ptr, slotsType, args,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(slot)});
      b.create<LLVM::StoreOp>(loc, v, at);
    }
    Type i32 = IntegerType::get(ctx, 32);
    auto c32 = [&](int64_t v) {
      return b.create<arith::ConstantIntOp>(loc, v, 32).getResult();
    };
    func::FuncOp helper = kiln::host_api::getOrCreateForwarder(
        getOperation(), kiln::host_api::kLaunchForwarder,
        kiln::host_api::kLaunch, {i32, i32, i32, i32, ptr});
    b.create<func::CallOp>(loc, helper,
                           ValueRange{host, c32(index), c32(grid), c32(block),
                                      c32(numArgs), args});
    op->erase();
    return success();
  }

  /// Nothing left on the host may read or write device memory.
  LogicalResult checkHostCode(func::FuncOp fn) {
    auto touchesMemref = [](Operation *op) {
      // Reads or writes through a memref, or hands one to other code.
      if (isa<CallOpInterface>(op))
        return llvm::any_of(op->getOperandTypes(),
                            [](Type t) { return isa<BaseMemRefType>(t); });
      auto effects = dyn_cast<MemoryEffectOpInterface>(op);
      if (!effects)
        return false;
      SmallVector<MemoryEffects::EffectInstance> list;
      effects.getEffects(list);
      return llvm::any_of(list, [](const MemoryEffects::EffectInstance &e) {
        return isa<MemoryEffects::Read, MemoryEffects::Write>(e.getEffect()) &&
               e.getValue() && isa<BaseMemRefType>(e.getValue().getType());
      });
    };
    WalkResult result = fn.walk([&](Operation *op) {
      bool deviceAccess =
          isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp,
              linalg::LinalgOp>(op) ||
          touchesMemref(op) ||
          (op->getDialect() && isa<vector::VectorDialect>(op->getDialect()));
      if (!deviceAccess)
        return WalkResult::advance();
      op->emitOpError("would run on the host for target cuda; the cuda "
                      "target runs every buffer access in a kernel");
      return WalkResult::interrupt();
    });
    return failure(result.wasInterrupted());
  }
};

} // namespace
