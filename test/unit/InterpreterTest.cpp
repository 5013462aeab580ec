// Unit tests of the reference interpreter's C++ API: building and running
// functions, tensor conversions, and error reporting.

#include "compiler/reference/Interpreter.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <catch2/catch.hpp>

#include <string>

using namespace mlir;
using namespace kiln;
using namespace kiln::reference;

namespace {

/// A context with the dialects loaded that collects diagnostics as text.
struct Fixture {
  MLIRContext context;
  std::string diagnostics;
  ScopedDiagnosticHandler handler{&context, [this](Diagnostic &d) {
                                    diagnostics += d.str() + "\n";
                                    return success();
                                  }};
  Fixture() { context.loadDialect<KilnDialect, func::FuncDialect>(); }

  OwningOpRef<ModuleOp> parse(const char *text) {
    return parseSourceString<ModuleOp>(text, &context);
  }
};

Tensor makeF32(MLIRContext &ctx, ArrayRef<int64_t> shape,
               std::vector<double> values) {
  auto type = RankedTensorType::get(shape, Float32Type::get(&ctx));
  Tensor t = *Tensor::zeros(type, UnknownLoc::get(&ctx));
  t.floats = std::move(values);
  return t;
}

} // namespace

TEST_CASE("interpret runs a parsed function on its arguments", "[interpreter]") {
  Fixture f;
  auto module = f.parse(R"mlir(
    func.func @dense(%x: tensor<2x2xf32>, %w: tensor<2x3xf32>) -> tensor<2x3xf32> {
      %0 = kiln.matmul %x, %w : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
      %1 = kiln.relu %0 : tensor<2x3xf32>
      return %1 : tensor<2x3xf32>
    })mlir");
  REQUIRE(module);
  auto fn = module->lookupSymbol<func::FuncOp>("dense");
  Tensor x = makeF32(f.context, {2, 2}, {1, 2, 3, 4});
  Tensor w = makeF32(f.context, {2, 3}, {1, -1, 0, 1, -1, 2});
  auto results = interpret(fn, {x, w});
  REQUIRE(succeeded(results));
  REQUIRE(results->size() == 1);
  // [[1,2],[3,4]] x [[1,-1,0],[1,-1,2]] = [[3,-3,4],[7,-7,8]], then relu.
  CHECK((*results)[0].floats == std::vector<double>{3, 0, 4, 7, 0, 8});
}

TEST_CASE("f32 results are rounded to f32 after f64 accumulation",
          "[interpreter]") {
  Fixture f;
  auto module = f.parse(R"mlir(
    func.func @sum(%x: tensor<3xf32>) -> tensor<f32> {
      %0 = kiln.reduce_sum %x {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<f32>
      return %0 : tensor<f32>
    })mlir");
  REQUIRE(module);
  // 2^24 + 1 + 1: in f32 arithmetic each +1 is lost; in f64 it is not, and
  // 2^24 + 2 is representable in f32.
  Tensor x = makeF32(f.context, {3}, {16777216.0, 1.0, 1.0});
  auto results = interpret(module->lookupSymbol<func::FuncOp>("sum"), {x});
  REQUIRE(succeeded(results));
  CHECK((*results)[0].floats[0] == 16777218.0);
}

TEST_CASE("interpret rejects arguments of the wrong type", "[interpreter]") {
  Fixture f;
  auto module = f.parse(R"mlir(
    func.func @id(%x: tensor<2xf32>) -> tensor<2xf32> {
      return %x : tensor<2xf32>
    })mlir");
  REQUIRE(module);
  Tensor x = makeF32(f.context, {3}, {1, 2, 3});
  auto results = interpret(module->lookupSymbol<func::FuncOp>("id"), {x});
  CHECK(failed(results));
  CHECK(f.diagnostics.find("argument #0 of 'id' must be 'tensor<2xf32>', got "
                           "'tensor<3xf32>'") != std::string::npos);
  f.diagnostics.clear();
  CHECK(failed(interpret(module->lookupSymbol<func::FuncOp>("id"), {})));
  CHECK(f.diagnostics.find("takes 1 arguments, got 0") != std::string::npos);
}

TEST_CASE("run-time errors are diagnostics at the op", "[interpreter]") {
  Fixture f;
  auto module = f.parse(R"mlir(
    func.func @embed(%ids: tensor<2xi32>) -> tensor<2x2xf32> {
      %t = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
      %0 = kiln.gather %t, %ids : (tensor<3x2xf32>, tensor<2xi32>) -> tensor<2x2xf32>
      return %0 : tensor<2x2xf32>
    })mlir");
  REQUIRE(module);
  auto type = RankedTensorType::get({2}, IntegerType::get(&f.context, 32));
  Tensor ids = *Tensor::zeros(type, UnknownLoc::get(&f.context));
  ids.ints = {-1, 3};
  CHECK(failed(interpret(module->lookupSymbol<func::FuncOp>("embed"), {ids})));
  CHECK(f.diagnostics.find("index 3 at position 1 of operand 'indices' is out "
                           "of range [-3, 3)") != std::string::npos);
  ids.ints = {-1, 0};
  auto results = interpret(module->lookupSymbol<func::FuncOp>("embed"), {ids});
  REQUIRE(succeeded(results));
  CHECK((*results)[0].floats == std::vector<double>{5, 6, 1, 2});
}

TEST_CASE("ScanOp's builder infers result types from the body",
          "[interpreter][dialect]") {
  Fixture f;
  OpBuilder b(&f.context);
  Location loc = b.getUnknownLoc();
  auto module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module.getBody());
  auto f32 = b.getF32Type();
  auto seqType = RankedTensorType::get({4, 2}, f32);
  auto stateType = RankedTensorType::get({2}, f32);
  auto fn = b.create<func::FuncOp>(
      loc, "cumsum", b.getFunctionType({stateType, seqType}, {stateType, seqType}));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  auto scan = b.create<ScanOp>(
      loc, ValueRange{entry->getArgument(0)}, ValueRange{entry->getArgument(1)},
      /*reverse=*/false, /*axis=*/0,
      [](OpBuilder &bb, Location l, ValueRange args) {
        Value sum = bb.create<AddOp>(l, args[0], args[1]);
        return SmallVector<Value>{sum, sum};
      });
  b.create<func::ReturnOp>(loc, scan.getResults());
  REQUIRE(succeeded(verify(module)));
  CHECK(scan.getResult(1).getType() == seqType);

  Tensor init = makeF32(f.context, {2}, {0, 10});
  Tensor seq = makeF32(f.context, {4, 2}, {1, 1, 2, 2, 3, 3, 4, 4});
  auto results = interpret(fn, {init, seq});
  REQUIRE(succeeded(results));
  CHECK((*results)[0].floats == std::vector<double>{10, 20});
  CHECK((*results)[1].floats == std::vector<double>{1, 11, 3, 13, 6, 16, 10, 20});
  module.erase();
}

TEST_CASE("tensors convert to and from raw little-endian bytes", "[tensor]") {
  Fixture f;
  Location loc = UnknownLoc::get(&f.context);
  auto f16 = RankedTensorType::get({2}, Float16Type::get(&f.context));
  // 0x3C00 = 1.0, 0xC000 = -2.0 in IEEE half.
  const char half[] = {0x00, 0x3C, 0x00, static_cast<char>(0xC0)};
  auto t = tensorFromBytes(f16, ArrayRef<char>(half, 4), loc);
  REQUIRE(succeeded(t));
  CHECK(t->floats == std::vector<double>{1.0, -2.0});
  std::vector<uint8_t> back = tensorToBytes(*t);
  CHECK(std::equal(back.begin(), back.end(),
                   reinterpret_cast<const uint8_t *>(half)));

  // Wrong byte count and non-0/1 booleans are errors.
  CHECK(failed(tensorFromBytes(f16, ArrayRef<char>(half, 3), loc)));
  CHECK(f.diagnostics.find("needs 4 bytes of data, got 3") != std::string::npos);
  auto i1 = RankedTensorType::get({1}, IntegerType::get(&f.context, 1));
  const char two[] = {2};
  CHECK(failed(tensorFromBytes(i1, ArrayRef<char>(two, 1), loc)));
  CHECK(f.diagnostics.find("byte value 2") != std::string::npos);
}

TEST_CASE("tensors too large for the interpreter are refused", "[tensor]") {
  Fixture f;
  Location loc = UnknownLoc::get(&f.context);
  auto huge = RankedTensorType::get({int64_t(1) << 40, int64_t(1) << 40},
                                    Float32Type::get(&f.context));
  CHECK(failed(Tensor::zeros(huge, loc)));
  CHECK(f.diagnostics.find("too large for the reference interpreter") !=
        std::string::npos);
}

TEST_CASE("normalize rounds floats and wraps integers", "[tensor]") {
  Fixture f;
  Location loc = UnknownLoc::get(&f.context);
  auto i8 = RankedTensorType::get({3}, IntegerType::get(&f.context, 8));
  Tensor t = *Tensor::zeros(i8, loc);
  t.ints = {127 + 1, -129, 300};
  normalize(t);
  CHECK(t.ints == std::vector<int64_t>{-128, 127, 44});
  auto bf16 = RankedTensorType::get({1}, BFloat16Type::get(&f.context));
  Tensor b = *Tensor::zeros(bf16, loc);
  b.floats = {1.00390625}; // 1 + 2^-8: halfway between bf16 neighbours
  normalize(b);
  CHECK(b.floats[0] == 1.0); // ties to even
}
