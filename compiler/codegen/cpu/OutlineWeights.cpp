//===- OutlineWeights.cpp - the kiln-outline-weights pass -----------------===//

#include "compiler/codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace kiln {
#define GEN_PASS_DEF_KILNOUTLINEWEIGHTS
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

constexpr uint64_t kAlignment = 64;

/// The bytes of a constant as the generated code reads them: row-major,
/// little-endian, one byte per i1.
FailureOr<std::vector<char>> constantBytes(ElementsAttr value, Type element) {
  int64_t count = value.getNumElements();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return failure();
    ArrayRef<char> data = blob->getData();
    return std::vector<char>(data.begin(), data.end());
  }
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense)
    return failure();
  std::vector<char> bytes;
  if (element.isInteger(1)) {
    for (bool v : dense.getValues<bool>())
      bytes.push_back(v ? 1 : 0);
    return bytes;
  }
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat()) {
    for (int64_t i = 0; i < count; ++i)
      bytes.insert(bytes.end(), raw.begin(), raw.end());
    return bytes;
  }
  return std::vector<char>(raw.begin(), raw.end());
}

struct KilnOutlineWeights
    : kiln::impl::KilnOutlineWeightsBase<KilnOutlineWeights> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SymbolTable symbols(module);
    std::vector<char> blob;
    llvm::DenseMap<Operation *, uint64_t> offsets;
    for (auto global : module.getOps<memref::GlobalOp>()) {
      if (!global.getConstant() || !global.getInitialValue())
        continue;
      auto value = dyn_cast<ElementsAttr>(*global.getInitialValue());
      if (!value)
        continue;
      MemRefType type = global.getType();
      FailureOr<std::vector<char>> bytes =
          constantBytes(value, type.getElementType());
      if (failed(bytes)) {
        global.emitError("cannot read the bytes of this constant");
        return signalPassFailure();
      }
      if (static_cast<int64_t>(bytes->size()) < minBytes)
        continue;
      uint64_t offset = llvm::alignTo(blob.size(), kAlignment);
      blob.resize(offset);
      blob.insert(blob.end(), bytes->begin(), bytes->end());
      offsets[global] = offset;
    }
    if (offsets.empty())
      return;
    blob.resize(llvm::alignTo(blob.size(), kAlignment));

    OpBuilder b(ctx);
    b.setInsertionPointToStart(module.getBody());
    auto blobType =
        MemRefType::get({static_cast<int64_t>(blob.size())}, b.getI8Type());
    auto weights = b.create<memref::GlobalOp>(
        module.getLoc(), "kiln_weights", b.getStringAttr("public"), blobType,
        /*initial_value=*/Attribute(), /*constant=*/false,
        b.getI64IntegerAttr(kAlignment));
    auto blobAttr = DenseResourceElementsAttr::get(
        RankedTensorType::get(blobType.getShape(), b.getI8Type()),
        "kiln_weights",
        HeapAsmResourceBlob::allocateAndCopyInferAlign(
            ArrayRef<char>(blob.data(), blob.size()), kAlignment));
    module->setAttr("kiln.weights", blobAttr);

    WalkResult walk = module.walk([&](memref::GetGlobalOp get) {
      Operation *global = symbols.lookup(get.getName());
      auto it = offsets.find(global);
      if (it == offsets.end())
        return WalkResult::advance();
      OpBuilder rb(get);
      Value base = rb.create<memref::GetGlobalOp>(get.getLoc(), blobType,
                                                  weights.getSymName());
      Value offset =
          rb.create<arith::ConstantIndexOp>(get.getLoc(), it->second);
      Value view = rb.create<memref::ViewOp>(get.getLoc(), get.getType(),
                                             base, offset, ValueRange{});
      get.replaceAllUsesWith(view);
      get.erase();
      return WalkResult::advance();
    });
    (void)walk;
    for (auto &entry : offsets)
      entry.first->erase();
  }
};

} // namespace
