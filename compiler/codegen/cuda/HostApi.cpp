//===- HostApi.cpp - generated code's view of kiln_host_api_t -------------===//

#include "compiler/codegen/cpu/MatmulMatch.h"
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

kiln::host_api::Descriptor::Descriptor(OpBuilder &b, func::FuncOp fn,
                                       Location loc, int32_t fields)
    : b(b), loc(loc) {
  MLIRContext *ctx = b.getContext();
  Type i64 = IntegerType::get(ctx, 64);
  arrayType = LLVM::LLVMArrayType::get(i64, fields);
  OpBuilder eb = OpBuilder::atBlockBegin(&fn.getBody().front());
  Value one = eb.create<LLVM::ConstantOp>(loc, i64, eb.getI64IntegerAttr(1));
  desc = eb.create<LLVM::AllocaOp>(loc, LLVM::LLVMPointerType::get(ctx),
                                   arrayType, one, 8);
}

void kiln::host_api::Descriptor::store(Value v) {
  Value at = b.create<LLVM::GEPOp>(loc, LLVM::LLVMPointerType::get(b.getContext()),
                                   arrayType, desc,
                                   ArrayRef<LLVM::GEPArg>{0, next++});
  b.create<LLVM::StoreOp>(loc, v, at);
}

void kiln::host_api::Descriptor::constant(int64_t v) {
  store(b.create<arith::ConstantIntOp>(loc, v, 64));
}

void kiln::host_api::Descriptor::address(Value memref) {
  store(b.create<LLVM::PtrToIntOp>(
      loc, b.getI64Type(), kiln::codegen::elementPointer(b, loc, memref)));
}
