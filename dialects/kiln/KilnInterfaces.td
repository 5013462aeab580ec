//===- KilnInterfaces.td - interfaces of the kiln dialect -----*- tablegen -*-===//

#ifndef KILN_INTERFACES_TD
#define KILN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Kiln_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::kiln";
  let description = [{
    The reverse-mode gradient rule of a differentiable kiln op. Given the
    gradients of the loss with respect to the op's results, the rule builds
    (with kiln ops, at the builder's insertion point) the gradients with
    respect to its operands. Every rule lives in dialects/kiln/Gradients.cpp,
    beside the op definitions, so that adding an op means adding its
    derivative in the same place; `passes/autodiff` chains them.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the operand gradients. `resultGrads` has one entry per result,
        null where no gradient flows into that result (it counts as zero).
        On success `operandGrads` holds one entry per operand with the
        operand's type, or null where the operand receives no gradient
        (integer operands, indices, conditions). Failure (with a diagnostic
        at the op) means the op's configuration has no gradient rule.
      }],
      "::llvm::LogicalResult", "buildGradient",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // KILN_INTERFACES_TD
