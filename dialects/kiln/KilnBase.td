//===- KilnBase.td - the kiln dialect, its types and op base classes ------===//

#ifndef KILN_BASE_TD
#define KILN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "Kiln's dataflow graph dialect for neural networks";
  let description = [{
    The `kiln` dialect captures a neural network as a dataflow graph of tensor
    operations with static shapes. Its ops mirror the layers of the classic
    Keras models (dense, convolution, pooling, normalization, embedding,
    recurrent cells through `kiln.scan`) so that importers map framework nodes
    one to one and graph passes reason about whole layers.

    Every op verifies its operands and names the operand whose shape or type
    is wrong, infers its result type, and is evaluated by the reference
    interpreter (`compiler/reference`), the numerical oracle of the project.

    Element types: `f16`, `bf16`, `f32`, `f64`, `i1`, `i8`, `i32`, `i64`.
    Integers are signed two's complement; `i1` is the boolean type.
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
  let useDefaultTypePrinterParser = 0;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Kiln_FloatElement : AnyTypeOf<[F16, BF16, F32, F64]>;
def Kiln_IntElement : AnyTypeOf<[I8, I32, I64]>;

def Kiln_Tensor : StaticShapeTensorOf<[F16, BF16, F32, F64, I1, I8, I32, I64]>;
def Kiln_FloatTensor : StaticShapeTensorOf<[F16, BF16, F32, F64]>;
def Kiln_NumericTensor : StaticShapeTensorOf<[F16, BF16, F32, F64, I8, I32, I64]>;
def Kiln_BoolTensor : StaticShapeTensorOf<[I1]>;
def Kiln_IndexTensor : StaticShapeTensorOf<[I32, I64]>;

/// A signless i64 attribute read as a signed value: axes may be negative.
def Kiln_I64Attr : TypedSignlessIntegerAttrBase<I64, "int64_t",
    "64-bit signless integer attribute"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

//===----------------------------------------------------------------------===//
// Op base classes
//===----------------------------------------------------------------------===//

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

/// An op whose single result type is computed from its operands and
/// attributes by `inferReturnTypes`, printed in functional form so that the
/// result type stays visible (and is checked against the inferred one).
class Kiln_InferredOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

/// Elementwise unary op: the result has the operand's type.
class Kiln_UnaryOp<string mnemonic, Type operandType, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, Elementwise,
          SameOperandsAndResultType, InferTypeOpInterface])> {
  let arguments = (ins operandType:$x);
  let results = (outs operandType:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
  let hasFolder = 1;
}

/// Elementwise binary op with NumPy broadcasting. `resultElement` is empty
/// when the result has the operands' element type, or "i1" for predicates.
class Kiln_BinaryOp<string mnemonic, Type operandType, Type resultType,
                    string resultElement = "", list<Trait> traits = []>
    : Kiln_InferredOp<mnemonic, traits> {
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs resultType:$result);
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *ctx, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::kiln::inferBroadcastResult(
          loc, {adaptor.getLhs(), adaptor.getRhs()}, {"lhs", "rhs"},
          }] # !if(!empty(resultElement), "::mlir::Type()",
                   "::mlir::IntegerType::get(ctx, 1)") # [{, types);
    }
  }];
}

#endif // KILN_BASE_TD
