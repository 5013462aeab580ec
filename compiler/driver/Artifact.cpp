//===- Artifact.cpp - turn lowered LLVM IR into a Kiln artifact -----------===//

#include "compiler/driver/Artifact.h"
#include "kiln/artifact_abi.h"
#include "runtime/src/support/Checksum.h"

#include "lld/Common/Driver.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

LLD_HAS_DRIVER(elf)

using namespace llvm;

namespace kiln::driver {
namespace {

class ManifestWriter {
public:
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void str(StringRef s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void tensor(const TensorInfo &t) {
    str(t.name);
    u32(t.dtype);
    u32(static_cast<uint32_t>(t.shape.size()));
    for (int64_t d : t.shape)
      u64(static_cast<uint64_t>(d));
  }
  std::vector<uint8_t> bytes;

private:
  void raw(const void *p, size_t n) { // little-endian hosts only
    auto *b = static_cast<const uint8_t *>(p);
    bytes.insert(bytes.end(), b, b + n);
  }
};

Constant *bytesConstant(LLVMContext &ctx, ArrayRef<uint8_t> bytes) {
  return ConstantDataArray::get(ctx, bytes);
}

} // namespace

std::string cIdentifier(StringRef s) {
  std::string out;
  for (char c : s)
    out += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (out.empty() || llvm::isDigit(out[0]))
    out = "_" + out;
  return out;
}

uint32_t dtypeOf(mlir::Type t) {
  if (t.isF32())
    return KILN_DTYPE_F32;
  if (t.isF64())
    return KILN_DTYPE_F64;
  if (t.isF16())
    return KILN_DTYPE_F16;
  if (t.isBF16())
    return KILN_DTYPE_BF16;
  if (t.isInteger(1))
    return KILN_DTYPE_BOOL;
  if (t.isInteger(8))
    return KILN_DTYPE_I8;
  if (t.isInteger(32))
    return KILN_DTYPE_I32;
  if (t.isInteger(64))
    return KILN_DTYPE_I64;
  return KILN_DTYPE_INVALID;
}

std::vector<uint8_t> serializeManifest(const ArtifactInfo &info) {
  ManifestWriter w;
  const char *magic = KILN_MANIFEST_MAGIC;
  w.bytes.insert(w.bytes.end(), magic, magic + 4);
  w.u32(3);
  w.str("kiln 0.1");
  w.str(info.triple);
  w.str(info.cpu);
  w.str(info.device);
  w.str(info.deviceArch);
  w.u64(info.deviceCode.size());
  w.u64(checksum64(info.deviceCode.data(), info.deviceCode.size()));
  w.u32(static_cast<uint32_t>(info.kernels.size()));
  for (const std::string &k : info.kernels)
    w.str(k);
  w.u64(info.weights.size());
  w.u64(checksum64(info.weights.data(), info.weights.size()));
  w.u32(static_cast<uint32_t>(info.functions.size()));
  for (auto [i, f] : llvm::enumerate(info.functions)) {
    w.str(f.name);
    w.u32(static_cast<uint32_t>(i));
    w.u64(f.arenaSize);
    w.u64(f.deviceCalls);
    w.u32(static_cast<uint32_t>(f.inputs.size()));
    for (const TensorInfo &t : f.inputs)
      w.tensor(t);
    w.u32(static_cast<uint32_t>(f.outputs.size()));
    for (const TensorInfo &t : f.outputs)
      w.tensor(t);
  }
  return std::move(w.bytes);
}

Error addArtifactMetadata(Module &module, const ArtifactInfo &info,
                          StringRef symbolPrefix) {
  LLVMContext &ctx = module.getContext();
  Type *ptr = PointerType::getUnqual(ctx);
  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);
  bool isStatic = !symbolPrefix.empty();

  // Everything the lowering produced is private to the artifact.
  for (Function &f : module.functions())
    if (!f.isDeclaration())
      f.setLinkage(GlobalValue::InternalLinkage);

  // Weights: the blob the lowering refers to as @kiln_weights.
  Constant *weightsPtr = ConstantPointerNull::get(PointerType::getUnqual(ctx));
  if (GlobalVariable *weights = module.getGlobalVariable("kiln_weights")) {
    ArrayRef<uint8_t> data(reinterpret_cast<const uint8_t *>(info.weights.data()),
                           info.weights.size());
    auto *type = ArrayType::get(Type::getInt8Ty(ctx), data.size());
    auto *blob = new GlobalVariable(module, type, /*isConstant=*/true,
                                    GlobalValue::InternalLinkage,
                                    bytesConstant(ctx, data), "kiln_weights_blob");
    blob->setAlignment(Align(KILN_ARTIFACT_ALIGNMENT));
    blob->setSection(".kiln.weights");
    weights->replaceAllUsesWith(blob);
    weights->eraseFromParent();
    blob->setName("kiln_weights");
    weightsPtr = blob;
  } else if (!info.weights.empty()) {
    return createStringError(inconvertibleErrorCode(),
                             "weights blob without a @kiln_weights global");
  }

  // Entry wrappers: i32 (ptr inputs, ptr outputs, ptr arena, ptr weights,
  // ptr host) loading each buffer pointer and calling the lowered function.
  std::vector<Constant *> entries;
  auto *entryType = FunctionType::get(i32, {ptr, ptr, ptr, ptr, ptr}, false);
  for (const FunctionInfo &fi : info.functions) {
    Function *impl = module.getFunction(fi.name);
    if (!impl)
      return createStringError(inconvertibleErrorCode(),
                               "no lowered function '%s'", fi.name.c_str());
    size_t expected = fi.inputs.size() + fi.outputs.size() + 2;
    if (impl->arg_size() != expected)
      return createStringError(inconvertibleErrorCode(),
                               "function '%s' has %zu arguments, expected %zu",
                               fi.name.c_str(), impl->arg_size(), expected);
    impl->setName(fi.name + ".impl");
    std::string entryName = isStatic
                                ? (symbolPrefix + "_" + cIdentifier(fi.name)).str()
                                : "kiln_entry_" + cIdentifier(fi.name);
    Function *entry = Function::Create(
        entryType,
        isStatic ? GlobalValue::ExternalLinkage : GlobalValue::InternalLinkage,
        entryName, module);
    BasicBlock *bb = BasicBlock::Create(ctx, "entry", entry);
    IRBuilder<> b(bb);
    SmallVector<Value *> args;
    auto loadPtrs = [&](Value *array, size_t n) {
      for (size_t i = 0; i < n; ++i)
        args.push_back(b.CreateLoad(
            ptr, b.CreateConstInBoundsGEP1_64(ptr, array, i)));
    };
    loadPtrs(entry->getArg(0), fi.inputs.size());
    loadPtrs(entry->getArg(1), fi.outputs.size());
    args.push_back(entry->getArg(2)); // arena
    args.push_back(entry->getArg(4)); // host
    b.CreateCall(impl, args);
    b.CreateRet(ConstantInt::get(i32, 0));
    entries.push_back(entry);
  }

  auto *entryArrayType = ArrayType::get(ptr, entries.size());
  auto *entryTable = new GlobalVariable(
      module, entryArrayType, true, GlobalValue::InternalLinkage,
      ConstantArray::get(entryArrayType, entries), "kiln_entries");

  std::vector<uint8_t> manifest = serializeManifest(info);
  auto *manifestGlobal = new GlobalVariable(
      module, ArrayType::get(Type::getInt8Ty(ctx), manifest.size()), true,
      GlobalValue::InternalLinkage, bytesConstant(ctx, manifest),
      "kiln_manifest");

  Constant *deviceCodePtr = ConstantPointerNull::get(PointerType::getUnqual(ctx));
  if (!info.deviceCode.empty()) {
    ArrayRef<uint8_t> code(
        reinterpret_cast<const uint8_t *>(info.deviceCode.data()),
        info.deviceCode.size());
    auto *codeGlobal = new GlobalVariable(
        module, ArrayType::get(Type::getInt8Ty(ctx), code.size()), true,
        GlobalValue::InternalLinkage, bytesConstant(ctx, code),
        "kiln_device_code");
    codeGlobal->setAlignment(Align(KILN_ARTIFACT_ALIGNMENT));
    codeGlobal->setSection(".kiln.device");
    deviceCodePtr = codeGlobal;
  }

  // kiln_artifact_t.
  auto *magicType = ArrayType::get(Type::getInt8Ty(ctx), 8);
  auto *descType = StructType::create(
      ctx, {magicType, i32, i32, ptr, i64, ptr, i64, ptr, i64, ptr, i64},
      "kiln_artifact_t");
  const char *magicText = KILN_ARTIFACT_MAGIC;
  SmallVector<uint8_t> magic(magicText, magicText + 8);
  Constant *desc = ConstantStruct::get(
      descType,
      {ConstantDataArray::get(ctx, magic),
       ConstantInt::get(i32, KILN_ARTIFACT_ABI_VERSION),
       ConstantInt::get(i32, sizeof(kiln_artifact_t)), manifestGlobal,
       ConstantInt::get(i64, manifest.size()), weightsPtr,
       ConstantInt::get(i64, info.weights.size()), entryTable,
       ConstantInt::get(i64, entries.size()), deviceCodePtr,
       ConstantInt::get(i64, info.deviceCode.size())});
  std::string descName =
      isStatic ? (symbolPrefix + "_artifact").str() : KILN_ARTIFACT_SYMBOL;
  auto *descGlobal = new GlobalVariable(module, descType, true,
                                        GlobalValue::ExternalLinkage, desc,
                                        descName);
  descGlobal->setAlignment(Align(8));
  descGlobal->setVisibility(GlobalValue::DefaultVisibility);
  return Error::success();
}

std::string staticHeader(const ArtifactInfo &info, StringRef symbolPrefix) {
  std::string text;
  raw_string_ostream os(text);
  std::string guard = StringRef(cIdentifier(symbolPrefix)).upper() + "_H";
  os << "/* Generated by kiln-compile --emit=obj: entry points of a statically\n"
        " * linked Kiln model. Each entry follows kiln_entry_fn_t (see\n"
        " * kiln/artifact_abi.h); the descriptor can be loaded with the\n"
        " * runtime like a shared-object artifact. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include \"kiln/artifact_abi.h\"\n\n#ifdef __cplusplus\nextern \"C\" {\n"
     << "#endif\n\n"
     << "extern const kiln_artifact_t " << symbolPrefix << "_artifact;\n\n";
  for (const FunctionInfo &f : info.functions) {
    std::string fn = (symbolPrefix + "_" + cIdentifier(f.name)).str();
    os << "/* " << f.name << ": arena " << f.arenaSize << " bytes\n";
    auto list = [&](StringRef what, const std::vector<TensorInfo> &ts) {
      for (auto [i, t] : llvm::enumerate(ts)) {
        os << " *   " << what << "[" << i << "] " << t.name << ": dtype "
           << t.dtype << " [";
        llvm::interleaveComma(t.shape, os);
        os << "]\n";
      }
    };
    list("inputs", f.inputs);
    list("outputs", f.outputs);
    os << " */\nint32_t " << fn
       << "(void *const *inputs, void *const *outputs, void *arena,\n"
       << "    const void *weights, const kiln_host_api_t *host);\n"
       << "#define " << StringRef(fn).upper() << "_ARENA_SIZE " << f.arenaSize
       << "u\n\n";
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return text;
}

Error linkObjects(ArrayRef<ArrayRef<char>> objects, StringRef path,
                  bool relocatable) {
  std::vector<SmallString<128>> paths;
  auto cleanup = llvm::make_scope_exit([&] {
    for (auto &p : paths)
      sys::fs::remove(p);
  });
  for (ArrayRef<char> object : objects) {
    SmallString<128> objPath;
    int fd;
    if (std::error_code ec =
            sys::fs::createTemporaryFile("kiln-artifact", "o", fd, objPath))
      return createStringError(ec, "cannot create a temporary object file");
    paths.push_back(objPath);
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os.write(object.data(), object.size());
    os.close();
    if (os.has_error())
      return createStringError(os.error(), "cannot write a temporary file");
  }
  std::string outStr = path.str();
  std::string soname = sys::path::filename(path).str();
  std::vector<const char *> args = {"ld.lld"};
  if (relocatable) {
    args.push_back("-r");
  } else {
    for (const char *a :
         {"-shared", "--hash-style=gnu", "--build-id=sha1", "-z", "noexecstack",
          "-z", "relro", "-z", "now", "--gc-sections", "-soname"})
      args.push_back(a);
    args.push_back(soname.c_str());
  }
  args.push_back("-o");
  args.push_back(outStr.c_str());
  for (auto &p : paths)
    args.push_back(p.c_str());
  std::string out, err;
  raw_string_ostream outOs(out), errOs(err);
  lld::Result result =
      lld::lldMain(args, outOs, errOs, {{lld::Gnu, &lld::elf::link}});
  if (result.retCode != 0)
    return createStringError(inconvertibleErrorCode(), "linking failed: %s",
                             err.c_str());
  return Error::success();
}

} // namespace kiln::driver
