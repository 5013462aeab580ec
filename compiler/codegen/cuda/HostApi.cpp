//===- HostApi.cpp - generated code's view of kiln_host_api_t -------------===//

#include "compiler/codegen/cuda/Passes.h"

using namespace mlir;

LLVM::LLVMStructType kiln::host_api::type(MLIRContext *ctx) {
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i32 = IntegerType::get(ctx, 32);
  return LLVM::LLVMStructType::getLiteral(ctx,
                                          {i32, i32, ptr, ptr, ptr, ptr, ptr, ptr, ptr});
}

Value kiln::host_api::loadField(OpBuilder &b, Location loc, Value host,
                                int32_t index) {
  Type ptr = LLVM::LLVMPointerType::get(b.getContext());
  Value at = b.create<LLVM::GEPOp>(loc, ptr, type(b.getContext()), host,
                                   ArrayRef<LLVM::GEPArg>{0, index});
  return b.create<LLVM::LoadOp>(loc, ptr, at);
}

func::FuncOp kiln::host_api::getOrCreateForwarder(ModuleOp module,
                                                  StringRef name,
                                                  int32_t field,
                                                  TypeRange argTypes) {
  if (auto fn = module.lookupSymbol<func::FuncOp>(name))
    return fn;
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  SmallVector<Type> params = {ptr};
  params.append(argTypes.begin(), argTypes.end());
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto fn = b.create<func::FuncOp>(loc, name, FunctionType::get(ctx, params, {}));
  fn.setPrivate();
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Value host = entry->getArgument(0);
  Value null = b.create<LLVM::ZeroOp>(loc, ptr);
  Value hasHost = b.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ne, host, null);
  b.create<scf::IfOp>(loc, hasHost, [&](OpBuilder &tb, Location l) {
    Value callee = loadField(tb, l, host, field);
    Value hasCallee =
        tb.create<LLVM::ICmpOp>(l, LLVM::ICmpPredicate::ne, callee, null);
    tb.create<scf::IfOp>(l, hasCallee, [&](OpBuilder &cb, Location cl) {
      SmallVector<Value> args = {callee, loadField(cb, cl, host, kDevice)};
      for (BlockArgument a : entry->getArguments().drop_front())
        args.push_back(a);
      SmallVector<Type> calleeParams = {ptr};
      calleeParams.append(argTypes.begin(), argTypes.end());
      auto calleeType = LLVM::LLVMFunctionType::get(
          LLVM::LLVMVoidType::get(ctx), calleeParams);
      cb.create<LLVM::CallOp>(cl, calleeType, args);
      cb.create<scf::YieldOp>(cl);
    });
    tb.create<scf::YieldOp>(l);
  });
  b.create<func::ReturnOp>(loc);
  return fn;
}
