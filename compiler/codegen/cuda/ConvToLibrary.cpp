//===- ConvToLibrary.cpp - the kiln-cuda-conv-to-library pass -------------===//
//
// Ungrouped f32 convolutions (linalg.conv_2d_nhwc_fhwc on dense buffers)
// become kiln_conv_t descriptors handed to host->conv, which runs them with
// cuDNN. The zero-padded copy of the input that bufferization made of the
// convolution's tensor.pad is dropped when the padding is symmetric (the
// call pads instead), and so are a zero fill of the output before the call
// and a bias-add/ReLU after it (cuDNN's fused convolution + bias +
// activation).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/MatmulMatch.h"
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/codegen/cuda/Passes.h"

#include "kiln/artifact_abi.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCUDACONVTOLIBRARY
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln::codegen;

namespace {

constexpr llvm::StringLiteral kConvHelper = "__kiln_cuda_conv";
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
       op = op->getNextNode()) {
    WalkResult walk = op->walk([&](Operation *inner) {
      auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
      if (!effects) {
        // Ops with regions report their nested ops' effects through the
        // walk; anything else unknown may write anything.
        if (inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>() ||
            isPure(inner))
          return WalkResult::advance();
        return WalkResult::interrupt();
      }
      SmallVector<MemoryEffects::EffectInstance> list;
      effects.getEffects(list);
      for (auto &effect : list) {
        if (!isa<MemoryEffects::Write>(effect.getEffect()))
          continue;
        Value target = effect.getValue();
        if (!target || rootBuffer(target) == root)
          return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return true;
  }
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

std::optional<PaddedCopy> matchPaddedCopy(Operation *conv, Value padded) {
  auto alloc = padded.getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != conv->getBlock())
    return std::nullopt;
  Operation *fill = nullptr;
  memref::ReinterpretCastOp view;
  for (Operation *user : padded.getUsers()) {
    if (user == conv)
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

struct KilnCudaConvToLibrary
    : kiln::impl::KilnCudaConvToLibraryBase<KilnCudaConvToLibrary> {
  using KilnCudaConvToLibraryBase::KilnCudaConvToLibraryBase;

  void runOnOperation() override {
    SmallVector<std::pair<func::FuncOp, linalg::Conv2DNhwcFhwcOp>> convs;
    getOperation().walk([&](linalg::Conv2DNhwcFhwcOp op) {
      auto fn = op->getParentOfType<func::FuncOp>();
      if (fn && kiln::findAbiArgument(fn, "host") &&
          op.hasPureBufferSemantics() &&
          llvm::all_of(op->getOperands(), isDense))
        convs.push_back({fn, op});
    });
    for (auto [fn, op] : convs)
      lower(fn, op);
  }

  void lower(func::FuncOp fn, linalg::Conv2DNhwcFhwcOp op) {
    MLIRContext *ctx = &getContext();
    Location loc = op.getLoc();
    Value host = fn.getArgument(*kiln::findAbiArgument(fn, "host"));
    Value x = op.getInputs()[0], w = op.getInputs()[1], y = op.getOutputs()[0];
    ArrayRef<int64_t> ws = cast<MemRefType>(w.getType()).getShape();
    ArrayRef<int64_t> ys = cast<MemRefType>(y.getType()).getShape();
    auto strides = llvm::to_vector(op.getStrides().getValues<int64_t>());
    auto dilations = llvm::to_vector(op.getDilations().getValues<int64_t>());

    int64_t flags = allowTf32 ? KILN_CONV_ALLOW_TF32 : 0;
    OpBuilder b(op);
    Operation *prev = op->getPrevNode();
    bool overwrite = isZeroFillOf(prev, y);
    if (overwrite)
      prev->erase();
    else
      flags |= KILN_CONV_ACCUMULATE;
    std::optional<Epilogue> epilogue;
    if (overwrite)
      epilogue = matchEpilogue(op, op->getNextNode(), y, ys[3]);

    // Read the unpadded input when the padding is symmetric and the fused
    // epilogue does not write it.
    Value input = x;
    int64_t pad[4] = {0, 0, 0, 0}; // top, bottom, left, right
    std::optional<PaddedCopy> padded = matchPaddedCopy(op, x);
    if (padded && padded->top == padded->bottom &&
        padded->left == padded->right &&
        !(epilogue &&
          rootBuffer(epilogue->output) == rootBuffer(padded->source))) {
      input = padded->source;
      pad[0] = padded->top, pad[1] = padded->bottom;
      pad[2] = padded->left, pad[3] = padded->right;
    } else {
      padded.reset();
    }
    ArrayRef<int64_t> is = cast<MemRefType>(input.getType()).getShape();

    Type ptr = LLVM::LLVMPointerType::get(ctx);
    kiln::host_api::Descriptor desc(b, fn, loc, kDescFields);
    // The order of kiln_conv_t's fields.
    desc.constant(flags);
    desc.constant(epilogue && epilogue->relu ? KILN_ACTIVATION_RELU
                                        : KILN_ACTIVATION_NONE);
    for (int64_t v : {is[0], is[1], is[2], is[3], ws[0], ws[1], ws[2], ys[1],
                      ys[2], pad[0], pad[1], pad[2], pad[3], strides[0],
                      strides[1], dilations[0], dilations[1]})
      desc.constant(v);
    desc.address(input);
    desc.address(w);
    desc.address(epilogue ? epilogue->output : y);
    if (epilogue && epilogue->bias)
      desc.address(epilogue->bias);
    else
      desc.constant(0);
    func::FuncOp helper = kiln::host_api::getOrCreateForwarder(
        getOperation(), kConvHelper, kiln::host_api::kConv, {ptr});
    b.create<func::CallOp>(loc, helper, ValueRange{host, desc.pointer()});
    op->erase();
    if (epilogue) {
      epilogue->op->erase();
      // The convolution's own result buffer, if the epilogue was all that
      // read it.
      if (auto alloc = y.getDefiningOp<memref::AllocOp>(); alloc && alloc->use_empty())
        alloc->erase();
    }
    if (padded)
      for (Operation *dead : padded->ops)
        dead->erase();
  }
};

} // namespace
