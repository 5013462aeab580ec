//===- KilnElementwise.td - constants, casts and elementwise ops ----------===//

#ifndef KILN_ELEMENTWISE_TD
#define KILN_ELEMENTWISE_TD

include "dialects/kiln/KilnBase.td"

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "a constant tensor (dense or dense_resource)";
  let description = [{
    Materializes a constant tensor. Small values are written inline as
    `dense<...>`; weights use `dense_resource<name>` blobs so that they never
    appear as text and are stored once.

    ```mlir
    %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    %b = kiln.constant dense_resource<bias> : tensor<128xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Kiln_CastOp : Kiln_Op<"cast", [Pure, Elementwise, SameOperandsAndResultShape]> {
  let summary = "element type conversion";
  let description = [{
    Converts every element to the result's element type. Float to integer
    truncates toward zero and saturates at the integer range (NaN becomes 0);
    anything to `i1` is `x != 0`; `i1` to a number is 0 or 1; integer to
    integer keeps the low bits (two's complement); float to float and integer
    to float round once to nearest even.

    ```mlir
    %i = kiln.cast %x : tensor<4xf32> -> tensor<4xi32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$x);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

class Kiln_FloatUnaryOp<string mnemonic, string formula>
    : Kiln_UnaryOp<mnemonic, Kiln_FloatTensor> {
  let summary = "elementwise " # formula;
  let description = "Computes `" # formula # "` for every element.\n\n"
    "```mlir\n%y = kiln." # mnemonic # " %x : tensor<2x3xf32>\n```";
}
class Kiln_NumericUnaryOp<string mnemonic, string formula>
    : Kiln_UnaryOp<mnemonic, Kiln_NumericTensor> {
  let summary = "elementwise " # formula;
  let description = "Computes `" # formula # "` for every element; integers "
    "wrap around on overflow.\n\n"
    "```mlir\n%y = kiln." # mnemonic # " %x : tensor<2x3xf32>\n```";
}

def Kiln_NegOp : Kiln_NumericUnaryOp<"neg", "-x">;
def Kiln_AbsOp : Kiln_NumericUnaryOp<"abs", "|x|">;
def Kiln_SquareOp : Kiln_NumericUnaryOp<"square", "x * x">;
def Kiln_ReluOp : Kiln_NumericUnaryOp<"relu", "max(x, 0)">;
def Kiln_Relu6Op : Kiln_NumericUnaryOp<"relu6", "min(max(x, 0), 6)">;
def Kiln_ExpOp : Kiln_FloatUnaryOp<"exp", "e^x">;
def Kiln_LogOp : Kiln_FloatUnaryOp<"log", "ln(x)">;
def Kiln_SqrtOp : Kiln_FloatUnaryOp<"sqrt", "sqrt(x)">;
def Kiln_RsqrtOp : Kiln_FloatUnaryOp<"rsqrt", "1 / sqrt(x)">;
def Kiln_TanhOp : Kiln_FloatUnaryOp<"tanh", "tanh(x)">;
def Kiln_SigmoidOp : Kiln_FloatUnaryOp<"sigmoid", "1 / (1 + e^-x)">;
def Kiln_SoftplusOp : Kiln_FloatUnaryOp<"softplus", "ln(1 + e^x)">;
def Kiln_ErfOp : Kiln_FloatUnaryOp<"erf", "erf(x)">;
def Kiln_SinOp : Kiln_FloatUnaryOp<"sin", "sin(x) (radians)">;
def Kiln_CosOp : Kiln_FloatUnaryOp<"cos", "cos(x) (radians)">;
def Kiln_FloorOp : Kiln_FloatUnaryOp<"floor", "floor(x)">;
def Kiln_CeilOp : Kiln_FloatUnaryOp<"ceil", "ceil(x)">;

def Kiln_LeakyReluOp : Kiln_UnaryOp<"leaky_relu", Kiln_FloatTensor> {
  let summary = "elementwise x if x >= 0 else alpha * x";
  let description = [{
    Leaky rectifier with slope `alpha` (default 0.2, as `tf.nn.leaky_relu`)
    for negative inputs.

    ```mlir
    %y = kiln.leaky_relu %x {alpha = 1.000000e-01 : f64} : tensor<8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$x,
                       DefaultValuedAttr<F64Attr, "0.2">:$alpha);
}

def Kiln_EluOp : Kiln_UnaryOp<"elu", Kiln_FloatTensor> {
  let summary = "elementwise x if x > 0 else alpha * (e^x - 1)";
  let description = [{
    Exponential linear unit with `alpha` (default 1.0).

    ```mlir
    %y = kiln.elu %x : tensor<8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$x,
                       DefaultValuedAttr<F64Attr, "1.0">:$alpha);
}

def Kiln_GeluOp : Kiln_UnaryOp<"gelu", Kiln_FloatTensor> {
  let summary = "Gaussian error linear unit, exact or tanh form";
  let description = [{
    `approximate = false` (default): `x * (1 + erf(x / sqrt(2))) / 2`.
    `approximate = true`: `x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) / 2`,
    the form of `tf.nn.gelu(approximate=True)` and Keras' `gelu`.

    ```mlir
    %y = kiln.gelu %x {approximate = true} : tensor<4x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$x,
                       DefaultValuedAttr<BoolAttr, "false">:$approximate);
}

def Kiln_LogicalNotOp : Kiln_UnaryOp<"logical_not", Kiln_BoolTensor> {
  let summary = "elementwise boolean negation";
  let description = [{
    ```mlir
    %y = kiln.logical_not %x : tensor<4xi1>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

class Kiln_ArithOp<string mnemonic, string formula>
    : Kiln_BinaryOp<mnemonic, Kiln_NumericTensor, Kiln_NumericTensor> {
  let summary = "elementwise " # formula # " with broadcasting";
  let description = "Computes `" # formula # "` with NumPy broadcasting: "
    "shapes are aligned at the trailing dimension and a dimension of size 1 "
    "stretches to the other operand's size. Both operands have the same "
    "element type.\n\n"
    "```mlir\n%z = kiln." # mnemonic # " %x, %b : (tensor<4x3xf32>, "
    "tensor<3xf32>) -> tensor<4x3xf32>\n```";
}
class Kiln_CompareOp<string mnemonic, string formula>
    : Kiln_BinaryOp<mnemonic, Kiln_Tensor, Kiln_BoolTensor, "i1"> {
  let summary = "elementwise " # formula # " with broadcasting";
  let description = "Computes the predicate `" # formula # "` with NumPy "
    "broadcasting; the result is `i1`. Comparisons with NaN are false except "
    "`not_equal`.\n\n"
    "```mlir\n%m = kiln." # mnemonic # " %x, %y : (tensor<4xf32>, "
    "tensor<4xf32>) -> tensor<4xi1>\n```";
}
class Kiln_LogicalOp<string mnemonic, string formula>
    : Kiln_BinaryOp<mnemonic, Kiln_BoolTensor, Kiln_BoolTensor> {
  let summary = "elementwise " # formula # " with broadcasting";
  let description = "Computes `" # formula # "` on `i1` tensors with NumPy "
    "broadcasting.\n\n"
    "```mlir\n%m = kiln." # mnemonic # " %a, %b : (tensor<4xi1>, "
    "tensor<4xi1>) -> tensor<4xi1>\n```";
}

def Kiln_AddOp : Kiln_ArithOp<"add", "x + y">;
def Kiln_SubOp : Kiln_ArithOp<"sub", "x - y">;
def Kiln_MulOp : Kiln_ArithOp<"mul", "x * y">;
def Kiln_DivOp : Kiln_ArithOp<"div", "x / y (integers: truncated toward zero, INT_MIN / -1 wraps, division by zero is a run-time error)">;
def Kiln_PowOp : Kiln_ArithOp<"pow", "x ^ y (integers: by squaring with wrap-around; a negative exponent is a run-time error)">;
def Kiln_MaximumOp : Kiln_ArithOp<"maximum", "max(x, y) (NaN propagates)">;
def Kiln_MinimumOp : Kiln_ArithOp<"minimum", "min(x, y) (NaN propagates)">;

def Kiln_EqualOp : Kiln_CompareOp<"equal", "x == y">;
def Kiln_NotEqualOp : Kiln_CompareOp<"not_equal", "x != y">;
def Kiln_LessOp : Kiln_CompareOp<"less", "x < y">;
def Kiln_LessEqualOp : Kiln_CompareOp<"less_equal", "x <= y">;
def Kiln_GreaterOp : Kiln_CompareOp<"greater", "x > y">;
def Kiln_GreaterEqualOp : Kiln_CompareOp<"greater_equal", "x >= y">;

def Kiln_LogicalAndOp : Kiln_LogicalOp<"logical_and", "x and y">;
def Kiln_LogicalOrOp : Kiln_LogicalOp<"logical_or", "x or y">;

def Kiln_SelectOp : Kiln_InferredOp<"select"> {
  let summary = "elementwise choice between two tensors";
  let description = [{
    `condition ? on_true : on_false` per element, with NumPy broadcasting of
    all three operands. `on_true` and `on_false` have the same element type.

    ```mlir
    %r = kiln.select %c, %a, %b
        : (tensor<4x1xi1>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_BoolTensor:$condition, Kiln_Tensor:$on_true,
                       Kiln_Tensor:$on_false);
  let results = (outs Kiln_Tensor:$result);
  let hasFolder = 1;
}

#endif // KILN_ELEMENTWISE_TD
