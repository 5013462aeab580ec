//===- ConvToLibrary.cpp - the kiln-cuda-conv-to-library pass -------------===//
//
// Ungrouped f32 convolutions (linalg.conv_2d_nhwc_fhwc on dense buffers)
// and their gradients (the generics convert-kiln-to-linalg tags
// kiln.conv_backward) become kiln_conv_t descriptors handed to host->conv,
// which runs them with cuDNN (forward, backward-data, backward-filter). The
// zero-padded copy of the input that bufferization made of the
// convolution's tensor.pad is dropped when the padding is symmetric (the
// call pads instead), and so are the zeroing of the output before the call
// and a bias-add/ReLU after it (cuDNN's fused convolution + bias +
// activation).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/MatmulMatch.h"
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/codegen/cuda/Passes.h"
#include "compiler/conversion/PopulatePatterns.h"

#include "kiln/artifact_abi.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCUDACONVTOLIBRARY
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln::codegen;

namespace {

/// kiln_conv_t is 23 int64_t fields.
constexpr int32_t kDescFields = sizeof(kiln_conv_t) / sizeof(int64_t);
static_assert(sizeof(kiln_conv_t) == 23 * sizeof(int64_t),
              "kiln_conv_t is an array of int64_t as generated code sees it");

/// A static f32 memref laid out densely, row-major (any static offset).
bool isDense(Value v) {
  return isDenseRowMajor(v) &&
         cast<MemRefType>(v.getType()).getElementType().isF32();
}

/// `op` fills all of `buffer` with +0.0 (linalg.fill, or the linalg.map
/// that bufferization makes of a tensor.pad's padding value).
bool isZeroFill(Operation *op, Value buffer) {
  if (isZeroFillOf(op, buffer))
    return true;
  auto map = dyn_cast<linalg::MapOp>(op);
  if (!map || map.getInit() != buffer || !map.getInputs().empty())
    return false;
  auto yield = cast<linalg::YieldOp>(map.getMapper().front().getTerminator());
  FloatAttr value;
  return yield.getValues().size() == 1 &&
         matchPattern(yield.getValues()[0], m_Constant(&value)) &&
         value.getValue().isPosZero();
}

/// Whether some op strictly between `from` and `to` (same block) may
/// write the buffer `root`.
bool writtenBetween(Operation *from, Operation *to, Value root) {
  for (Operation *op = from->getNextNode(); op && op != to;
       op = op->getNextNode())
    if (mayTouch(op, root, /*reads=*/false))
      return true;
  return false;
}

/// The zero-padded copy of a convolution's input that bufferization makes
/// of a tensor.pad: `padded` is an allocation that nothing but a zero fill,
/// one view of its interior (a copy's target) and the convolution use.
struct PaddedCopy {
  Value source;
  int64_t top, bottom, left, right;
  SmallVector<Operation *> ops; // fill, copy, view, allocation
};

/// A convolution the pass will replace by a call: the forward op, or a
/// gradient generic (kConvBackwardAttr). x, w and y have the forward
/// convolution's roles (input, OHWI filter, output); the call writes
/// `written`, one of them.
struct ConvCall {
  Operation *op = nullptr;
  int64_t mode = 0; // 0, KILN_CONV_BACKWARD_DATA or KILN_CONV_BACKWARD_FILTER
  Value x, w, y, written;
  int64_t stride[2] = {1, 1}, dilation[2] = {1, 1}, pad[2] = {0, 0};
  // Filled by analyze():
  Operation *init = nullptr; // what zeroes `written` before the call: goes
  std::optional<PaddedCopy> padded;
};

/// The zero-padded copy `padded` of a convolution input, when every user
/// of the padded buffer other than its fill and interior view is one of
/// `calls` reading it as x.
std::optional<PaddedCopy>
matchPaddedCopy(Operation *conv, Value padded,
                const llvm::DenseMap<Operation *, ConvCall *> &calls) {
  auto alloc = padded.getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != conv->getBlock())
    return std::nullopt;
  Operation *fill = nullptr;
  memref::ReinterpretCastOp view;
  for (OpOperand &use : padded.getUses()) {
    Operation *user = use.getOwner();
    if (auto found = calls.find(user);
        found != calls.end() && found->second->x == padded &&
        use.getOperandNumber() == 0 && user->getBlock() == conv->getBlock())
      continue;
    if (!fill && isZeroFill(user, padded)) {
      fill = user;
      continue;
    }
    auto cast = dyn_cast<memref::ReinterpretCastOp>(user);
    if (view || !cast)
      return std::nullopt;
    view = cast;
  }
  if (!fill || !view || !view->hasOneUse() ||
      fill->getBlock() != conv->getBlock())
    return std::nullopt;
  auto copy = dyn_cast<memref::CopyOp>(*view->getUsers().begin());
  if (!copy || copy.getTarget() != view.getResult() ||
      copy->getBlock() != conv->getBlock() || !isDense(copy.getSource()) ||
      !fill->isBeforeInBlock(copy) || !copy->isBeforeInBlock(conv))
    return std::nullopt;
  // The view: the padded buffer's strides, the source's shape.
  auto paddedType = cast<MemRefType>(padded.getType());
  auto viewType = cast<MemRefType>(view.getType());
  SmallVector<int64_t> strides, paddedStrides;
  int64_t offset, paddedOffset;
  if (failed(getStridesAndOffset(viewType, strides, offset)) ||
      failed(getStridesAndOffset(paddedType, paddedStrides, paddedOffset)) ||
      paddedOffset != 0 || ShapedType::isDynamic(offset) ||
      strides != paddedStrides || viewType.getShape() !=
                                      cast<MemRefType>(copy.getSource().getType())
                                          .getShape())
    return std::nullopt;
  ArrayRef<int64_t> in = viewType.getShape(), out = paddedType.getShape();
  // Only the spatial dimensions are padded.
  if (in[0] != out[0] || in[3] != out[3] || offset >= paddedStrides[0] ||
      offset % paddedStrides[2] != 0)
    return std::nullopt;
  PaddedCopy p;
  p.source = copy.getSource();
  p.top = offset / paddedStrides[1];
  p.left = offset % paddedStrides[1] / paddedStrides[2];
  p.bottom = out[1] - in[1] - p.top;
  p.right = out[2] - in[2] - p.left;
  if (p.bottom < 0 || p.right < 0 ||
      writtenBetween(copy, conv, rootBuffer(p.source)))
    return std::nullopt;
  p.ops = {fill, copy, view, alloc};
  return p;
}

/// The operand of the binary op defining `v` other than `known`, if `v` is
/// an `Op` with `known` as an operand.
template <typename Op> Value otherOperand(Value v, Value known) {
  auto op = v ? v.getDefiningOp<Op>() : nullptr;
  if (!op)
    return {};
  if (op.getLhs() == known)
    return op.getRhs();
  return op.getRhs() == known ? op.getLhs() : Value();
}

/// The value `yield out + x · factor` multiplies by `factor` (either
/// operand order), for a generic body yielding into `out`.
Value accumulatedProduct(Block &body, Value out, Value factor) {
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value product = otherOperand<arith::AddFOp>(yield.getValues()[0], out);
  return otherOperand<arith::MulFOp>(product, factor);
}

/// The body `yield out + a · b` of a generic whose block arguments are
/// (a, b, out).
bool isMultiplyAccumulate(linalg::GenericOp g) {
  Block &body = g.getRegion().front();
  return body.getNumArguments() == 3 && body.getOperations().size() == 3 &&
         accumulatedProduct(body, body.getArgument(2), body.getArgument(0)) ==
             body.getArgument(1);
}

/// The body `yield out + select(valid, load, 0) · w` of a generic whose
/// block arguments are (w, out): the input gradient's gather of the output
/// gradient at a tap.
bool isGatherMultiplyAccumulate(linalg::GenericOp g) {
  Block &body = g.getRegion().front();
  if (body.getNumArguments() != 2)
    return false;
  Value gathered =
      accumulatedProduct(body, body.getArgument(1), body.getArgument(0));
  auto select = gathered ? gathered.getDefiningOp<arith::SelectOp>() : nullptr;
  FloatAttr zero;
  return select && select.getTrueValue().getDefiningOp<memref::LoadOp>() &&
         matchPattern(select.getFalseValue(), m_Constant(&zero)) &&
         zero.getValue().isZero();
}

/// A gradient generic of convert-kiln-to-linalg{conv-library=true}, still
/// as it made it (its indexing maps, operands and body).
std::optional<ConvCall> matchBackward(linalg::GenericOp g) {
  auto kind = g->getAttrOfType<StringAttr>(kiln::conversion::kConvBackwardAttr);
  auto geometry =
      g->getAttrOfType<DenseI64ArrayAttr>(kiln::conversion::kConvGeometryAttr);
  if (!kind || !geometry || geometry.size() != 6 ||
      !g.hasPureBufferSemantics() || g.getNumDpsInits() != 1 ||
      g.getNumLoops() != 7 || g.getNumReductionLoops() != 3 ||
      !llvm::all_of(ArrayRef(g.getIteratorTypesArray()).drop_back(3),
                    [](utils::IteratorType t) {
                      return t == utils::IteratorType::parallel;
                    }))
    return std::nullopt;
  ArrayRef<int64_t> geo = geometry.asArrayRef();
  ConvCall call;
  call.op = g;
  call.stride[0] = geo[0], call.stride[1] = geo[1];
  call.dilation[0] = geo[2], call.dilation[1] = geo[3];
  call.pad[0] = geo[4], call.pad[1] = geo[5];
  if (llvm::any_of(geo.take_front(4), [](int64_t v) { return v < 1; }) ||
      geo[4] < 0 || geo[5] < 0)
    return std::nullopt;
  MLIRContext *ctx = g.getContext();
  AffineExpr d0, d1, d2, d3, d4, d5, d6;
  bindDims(ctx, d0, d1, d2, d3, d4, d5, d6);
  auto map = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(7, 0, results, ctx);
  };
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  if (kind.getValue() == "filter") {
    // (o, kh, kw, c, n, oh, ow): x[n, oh·s + kh·d, ow·s + kw·d, c],
    // dy[n, oh, ow, o] → dw[o, kh, kw, c].
    if (g.getNumDpsInputs() != 2 || call.pad[0] || call.pad[1] ||
        maps != SmallVector<AffineMap>{
                    map({d4, d5 * geo[0] + d1 * geo[2],
                         d6 * geo[1] + d2 * geo[3], d3}),
                    map({d4, d5, d6, d0}), map({d0, d1, d2, d3})} ||
        !isMultiplyAccumulate(g))
      return std::nullopt;
    call.mode = KILN_CONV_BACKWARD_FILTER;
    call.x = g.getDpsInputs()[0], call.y = g.getDpsInputs()[1];
    call.w = call.written = g.getDpsInits()[0];
  } else if (kind.getValue() == "data") {
    // (n, h, w, c, kh, kw, o): W[o, kh, kw, c] → dx[n, h, w, c], reading
    // dy (captured) where a tap meets an output position.
    if (g.getNumDpsInputs() != 1 ||
        maps != SmallVector<AffineMap>{map({d6, d4, d5, d3}),
                                       map({d0, d1, d2, d3})})
      return std::nullopt;
    Value dy;
    WalkResult walk = g.getRegion().walk([&](Operation *inner) {
      auto load = dyn_cast<memref::LoadOp>(inner);
      if (!load) {
        // Nothing but index arithmetic, selects and the multiply-add.
        return isPure(inner) || isa<linalg::YieldOp>(inner)
                   ? WalkResult::advance()
                   : WalkResult::interrupt();
      }
      if (dy || g.getRegion().isAncestor(load.getMemRef().getParentRegion()))
        return WalkResult::interrupt();
      dy = load.getMemRef();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted() || !dy || !isGatherMultiplyAccumulate(g) ||
        rootBuffer(dy) == rootBuffer(g.getDpsInits()[0]))
      return std::nullopt;
    call.mode = KILN_CONV_BACKWARD_DATA;
    call.w = g.getDpsInputs()[0], call.y = dy;
    call.x = call.written = g.getDpsInits()[0];
  } else {
    return std::nullopt;
  }
  return call;
}

/// The geometry of `call` is a convolution's: x [n, h, w, c], w [o, kh, kw,
/// c], y [n, oh, ow, o] with the output size its strides, dilations and
/// padding imply.
bool consistent(const ConvCall &call) {
  if (!isDense(call.x) || !isDense(call.w) || !isDense(call.y))
    return false;
  ArrayRef<int64_t> x = cast<MemRefType>(call.x.getType()).getShape();
  ArrayRef<int64_t> w = cast<MemRefType>(call.w.getType()).getShape();
  ArrayRef<int64_t> y = cast<MemRefType>(call.y.getType()).getShape();
  if (x.size() != 4 || w.size() != 4 || y.size() != 4 || x[0] != y[0] ||
      x[3] != w[3] || w[0] != y[3])
    return false;
  for (int i = 0; i < 2; ++i) {
    int64_t span = x[1 + i] + 2 * call.pad[i] -
                   call.dilation[i] * (w[1 + i] - 1) - 1;
    if (span < 0 || span / call.stride[i] + 1 != y[1 + i])
      return false;
  }
  return true;
}

struct KilnCudaConvToLibrary
    : kiln::impl::KilnCudaConvToLibraryBase<KilnCudaConvToLibrary> {
  using KilnCudaConvToLibraryBase::KilnCudaConvToLibraryBase;

  void runOnOperation() override {
    // Match everything first, on the IR as bufferization left it (whether a
    // padded copy's source stays unwritten up to a convolution is decided
    // before any call replaces an op), then rewrite.
    std::vector<std::unique_ptr<ConvCall>> calls;
    getOperation().walk([&](func::FuncOp fn) {
      if (kiln::findAbiArgument(fn, "host"))
        fn.walk([&](Operation *op) { match(op, calls); });
    });
    llvm::DenseMap<Operation *, ConvCall *> byOp;
    for (auto &call : calls)
      byOp[call->op] = call.get();
    for (auto &call : calls)
      analyze(*call, byOp);
    for (auto &call : calls)
      lower(*call);
  }

  /// `op` as a convolution call, appended to `calls` if it is one.
  void match(Operation *op, std::vector<std::unique_ptr<ConvCall>> &calls) {
    std::optional<ConvCall> call;
    if (auto conv = dyn_cast<linalg::Conv2DNhwcFhwcOp>(op)) {
      if (!conv.hasPureBufferSemantics())
        return;
      call.emplace();
      call->op = op;
      call->x = conv.getInputs()[0], call->w = conv.getInputs()[1];
      call->y = call->written = conv.getOutputs()[0];
      for (int i = 0; i < 2; ++i) {
        call->stride[i] = conv.getStrides().getValues<int64_t>()[i];
        call->dilation[i] = conv.getDilations().getValues<int64_t>()[i];
      }
    } else if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
      call = matchBackward(generic);
    }
    if (call && consistent(*call))
      calls.push_back(std::make_unique<ConvCall>(*call));
  }

  void analyze(ConvCall &call,
               const llvm::DenseMap<Operation *, ConvCall *> &byOp) {
    Operation *op = call.op;
    call.init = zeroInitializer(op, call.written);
    // Read the unpadded input when the padding is symmetric (and, see
    // lower(), a fused epilogue does not write it).
    if (call.mode == KILN_CONV_BACKWARD_DATA)
      return;
    std::optional<PaddedCopy> padded = matchPaddedCopy(op, call.x, byOp);
    if (padded && padded->top == padded->bottom &&
        padded->left == padded->right)
      call.padded = padded;
  }

  void lower(ConvCall &call) {
    MLIRContext *ctx = &getContext();
    Operation *op = call.op;
    auto fn = op->getParentOfType<func::FuncOp>();
    Location loc = op->getLoc();
    Value host = fn.getArgument(*kiln::findAbiArgument(fn, "host"));
    OpBuilder b(op);
    int64_t flags = call.mode | (allowTf32 ? KILN_CONV_ALLOW_TF32 : 0);
    if (call.init)
      eraseZeroInitializer(call.init);
    else
      flags |= KILN_CONV_ACCUMULATE;
    // The epilogue, once the initializer (another user of the output) is
    // gone.
    std::optional<Epilogue> epilogue;
    if (call.init && call.mode == 0)
      epilogue = matchEpilogue(op, op->getNextNode(), call.y,
                               cast<MemRefType>(call.y.getType()).getShape()[3]);
    if (epilogue && call.padded &&
        rootBuffer(epilogue->output) == rootBuffer(call.padded->source))
      call.padded.reset();

    Value input = call.x;
    int64_t pad[4] = {call.pad[0], call.pad[0], call.pad[1], call.pad[1]};
    if (const std::optional<PaddedCopy> &padded = call.padded) {
      input = padded->source;
      pad[0] = padded->top, pad[1] = padded->bottom;
      pad[2] = padded->left, pad[3] = padded->right;
    }
    ArrayRef<int64_t> is = cast<MemRefType>(input.getType()).getShape();
    ArrayRef<int64_t> ws = cast<MemRefType>(call.w.getType()).getShape();
    ArrayRef<int64_t> ys = cast<MemRefType>(call.y.getType()).getShape();

    Type ptr = LLVM::LLVMPointerType::get(ctx);
    kiln::host_api::Descriptor desc(b, fn, loc, kDescFields);
    // The order of kiln_conv_t's fields.
    desc.constant(flags);
    desc.constant(epilogue && epilogue->relu ? KILN_ACTIVATION_RELU
                                        : KILN_ACTIVATION_NONE);
    for (int64_t v : {is[0], is[1], is[2], is[3], ws[0], ws[1], ws[2], ys[1],
                      ys[2], pad[0], pad[1], pad[2], pad[3], call.stride[0],
                      call.stride[1], call.dilation[0], call.dilation[1]})
      desc.constant(v);
    desc.address(input);
    desc.address(call.w);
    desc.address(epilogue ? epilogue->output : call.y);
    if (epilogue && epilogue->bias)
      desc.address(epilogue->bias);
    else
      desc.constant(0);
    func::FuncOp helper = kiln::host_api::getOrCreateForwarder(
        getOperation(), kiln::host_api::kConvForwarder, kiln::host_api::kConv,
        {ptr});
    b.create<func::CallOp>(loc, helper, ValueRange{host, desc.pointer()});
    op->erase();
    if (epilogue) {
      epilogue->op->erase();
      // The convolution's own result buffer, if the epilogue was all that
      // read it.
      if (auto alloc = call.y.getDefiningOp<memref::AllocOp>();
          alloc && alloc->use_empty())
        alloc->erase();
    }
    // The padded copy, once no convolution reads it.
    if (call.padded) {
      Operation *alloc = call.padded->ops.back();
      if (llvm::all_of(alloc->getUsers(), [&](Operation *user) {
            return llvm::is_contained(call.padded->ops, user);
          }))
        for (Operation *dead : call.padded->ops)
          dead->erase();
    }
  }
};

} // namespace
