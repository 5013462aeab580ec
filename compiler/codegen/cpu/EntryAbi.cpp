//===- EntryAbi.cpp - the kiln-entry-abi pass -----------------------------===//

#include "compiler/codegen/cpu/Passes.h"

namespace kiln {
#define GEN_PASS_DEF_KILNENTRYABI
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

std::optional<unsigned> kiln::findAbiArgument(func::FuncOp func,
                                              StringRef role) {
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (auto attr = func.getArgAttrOfType<StringAttr>(i, kAbiArgAttr))
      if (attr.getValue() == role)
        return i;
  return std::nullopt;
}

namespace {
struct KilnEntryAbi : kiln::impl::KilnEntryAbiBase<KilnEntryAbi> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isPrivate() || func.isExternal() ||
        kiln::findAbiArgument(func, "arena"))
      return;
    MLIRContext *ctx = &getContext();
    Builder b(ctx);
    unsigned n = func.getNumArguments();
    Type arena = MemRefType::get({0}, b.getI8Type());
    Type host = LLVM::LLVMPointerType::get(ctx);
    auto attrs = [&](StringRef role) {
      return b.getDictionaryAttr(
          b.getNamedAttr(kiln::kAbiArgAttr, b.getStringAttr(role)));
    };
    func.insertArguments({n, n}, {arena, host},
                         {attrs("arena"), attrs("host")},
                         {func.getLoc(), func.getLoc()});
  }
};
} // namespace
