//===- KilnNN.td - matmul, convolution, pooling, reductions, normalization ===//

#ifndef KILN_NN_TD
#define KILN_NN_TD

include "dialects/kiln/KilnBase.td"

def Kiln_MatmulOp : Kiln_InferredOp<"matmul"> {
  let summary = "batched matrix multiplication";
  let description = [{
    `result[..., i, j] = sum_k a'[..., i, k] * b'[..., k, j]` where `a'` and
    `b'` are `a` and `b` with their two innermost dimensions swapped when
    `transpose_a` / `transpose_b` is set. Both operands have rank >= 2 and the
    same element type; leading (batch) dimensions broadcast like NumPy's
    `matmul`. f32 accumulates in f64 in the reference interpreter.

    ```mlir
    %y = kiln.matmul %x, %w : (tensor<32x784xf32>, tensor<784x256xf32>) -> tensor<32x256xf32>
    %s = kiln.matmul %q, %k {transpose_b = true}
        : (tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x16x16xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$a, Kiln_NumericTensor:$b,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_a,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_b);
  let results = (outs Kiln_NumericTensor:$result);
}

def Kiln_Conv2DOp : Kiln_InferredOp<"conv2d"> {
  let summary = "2-D convolution (cross-correlation) with groups";
  let description = [{
    Convolves `input` with `filter`. `data_format` is `"NHWC"` (default) or
    `"NCHW"`; `filter_format` is `"HWIO"` (default, TensorFlow) or `"OIHW"`
    (ONNX/PyTorch). `padding` is explicit: `[top, bottom, left, right]`.
    With `groups = G` the input channels `C` and output channels `O` split into
    G groups and the filter's input-channel dimension is `C / G`; depthwise
    convolution is `groups = C`. Output size per spatial dimension:
    `(in + pad_lo + pad_hi - dilation * (k - 1) - 1) / stride + 1`.

    ```mlir
    %y = kiln.conv2d %x, %w {strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>}
        : (tensor<1x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<1x14x14x32xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$filter,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<Kiln_I64Attr, "1">:$groups,
      DefaultValuedAttr<StrAttr, "\"NHWC\"">:$data_format,
      DefaultValuedAttr<StrAttr, "\"HWIO\"">:$filter_format);
  let results = (outs Kiln_FloatTensor:$result);
}

class Kiln_Conv2DBackpropOp<string mnemonic> : Kiln_InferredOp<mnemonic> {
  let results = (outs Kiln_FloatTensor:$result);
}

def Kiln_Conv2DBackpropInputOp : Kiln_Conv2DBackpropOp<"conv2d_backprop_input"> {
  let summary = "gradient of kiln.conv2d with respect to its input";
  let description = [{
    The backward pass of a `kiln.conv2d` whose input has shape `input_shape`
    and whose other attributes are this op's: `grad` has the convolution
    result's shape, `filter` is the convolution's filter, and the result,
    of shape `input_shape`, is the gradient w.r.t. the input (TensorFlow's
    `Conv2DBackpropInput`). Every output gradient element flows back through
    the filter taps that produced it; padded positions receive nothing.
    Produced by automatic differentiation. Lowered as a matmul of `grad` with
    the transposed filter into columns, summed back into the input's
    positions (col2im) — the same arithmetic as the forward convolution; for
    cuda (ungrouped, f32), cuDNN's backward-data convolution.

    ```mlir
    %dx = kiln.conv2d_backprop_input %dy, %w {input_shape = array<i64: 8, 13, 13, 32>}
        : (tensor<8x11x11x64xf32>, tensor<3x3x32x64xf32>) -> tensor<8x13x13x32xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$grad, Kiln_FloatTensor:$filter,
      DenseI64ArrayAttr:$input_shape,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<Kiln_I64Attr, "1">:$groups,
      DefaultValuedAttr<StrAttr, "\"NHWC\"">:$data_format,
      DefaultValuedAttr<StrAttr, "\"HWIO\"">:$filter_format);
}

def Kiln_Conv2DBackpropFilterOp : Kiln_Conv2DBackpropOp<"conv2d_backprop_filter"> {
  let summary = "gradient of kiln.conv2d with respect to its filter";
  let description = [{
    The backward pass of a `kiln.conv2d` of `input` with a filter of shape
    `filter_shape` and this op's other attributes: `grad` has the convolution
    result's shape and the result, of shape `filter_shape`, is the gradient
    w.r.t. the filter (TensorFlow's `Conv2DBackpropFilter`): each tap sums
    input × output gradient over the batch and all output positions.
    Produced by automatic differentiation. Lowered as a matmul of the forward
    convolution's im2col columns (transposed) with `grad`, so a training step
    computes the columns once for both; for cuda (ungrouped, f32), cuDNN's
    backward-filter convolution.

    ```mlir
    %dw = kiln.conv2d_backprop_filter %x, %dy {filter_shape = array<i64: 3, 3, 32, 64>}
        : (tensor<8x13x13x32xf32>, tensor<8x11x11x64xf32>) -> tensor<3x3x32x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$grad,
      DenseI64ArrayAttr:$filter_shape,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<Kiln_I64Attr, "1">:$groups,
      DefaultValuedAttr<StrAttr, "\"NHWC\"">:$data_format,
      DefaultValuedAttr<StrAttr, "\"HWIO\"">:$filter_format);
}

class Kiln_Pool2DOp<string mnemonic, string what> : Kiln_InferredOp<mnemonic> {
  let summary = "2-D " # what # " pooling";
  let arguments = (ins Kiln_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_size,
      DenseI64ArrayAttr:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<StrAttr, "\"NHWC\"">:$data_format);
  let results = (outs Kiln_FloatTensor:$result);
}

def Kiln_MaxPool2DOp : Kiln_Pool2DOp<"max_pool2d", "max"> {
  let description = [{
    The maximum over each `kernel_size` window, moved by `strides`. Padded
    positions (`[top, bottom, left, right]`) never win. Layout as in
    `kiln.conv2d`.

    ```mlir
    %y = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<1x26x26x32xf32>) -> tensor<1x13x13x32xf32>
    ```
  }];
}

def Kiln_AvgPool2DOp : Kiln_Pool2DOp<"avg_pool2d", "average"> {
  let description = [{
    The mean over each window. With `count_include_pad = false` (default, as
    TensorFlow's `SAME` pooling) the divisor counts only positions inside the
    input; with `true` it is the full window size (ONNX's default).

    ```mlir
    %y = kiln.avg_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : (tensor<1x8x8x16xf32>) -> tensor<1x4x4x16xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_size,
      DenseI64ArrayAttr:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<StrAttr, "\"NHWC\"">:$data_format,
      DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
}

def Kiln_Pool2DGradOp : Kiln_InferredOp<"pool2d_grad"> {
  let summary = "gradient of 2-D max or average pooling w.r.t. its input";
  let description = [{
    The backward pass of `kiln.max_pool2d` (`mode = "max"`) or
    `kiln.avg_pool2d` (`mode = "avg"`) with the same window attributes:
    `grad` has the pooling result's shape and the result has `input`'s.
    Max pooling routes each window's gradient to the first position (in
    row-major window order) holding the window's maximum, as TensorFlow's
    `MaxPoolGrad` does; average pooling spreads it evenly over the window's
    counted positions. Produced by automatic differentiation.

    ```mlir
    %dx = kiln.pool2d_grad %x, %dy {mode = "max", kernel_size = array<i64: 2, 2>,
                                     strides = array<i64: 2, 2>}
        : (tensor<8x26x26x32xf32>, tensor<8x13x13x32xf32>) -> tensor<8x26x26x32xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$grad,
      StrAttr:$mode,
      DenseI64ArrayAttr:$kernel_size,
      DenseI64ArrayAttr:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<StrAttr, "\"NHWC\"">:$data_format,
      DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs Kiln_FloatTensor:$result);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string what, Type type>
    : Kiln_InferredOp<mnemonic> {
  let summary = what # " over axes";
  let description = "Reduces `x` with " # what # " over `axes` (negative "
    "values count from the end; no duplicates). Reduced dimensions are "
    "dropped, or kept with size 1 when `keepdims` is set. Empty `axes` "
    "reduces nothing. Floats accumulate in f64; a NaN propagates through "
    "max and min; integer sums and products wrap around.\n\n"
    "```mlir\n%s = kiln." # mnemonic # " %x {axes = array<i64: 1>} : "
    "(tensor<4x10xf32>) -> tensor<4xf32>\n```";
  let arguments = (ins type:$x, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs type:$result);
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "the sum", Kiln_NumericTensor>;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "the mean", Kiln_FloatTensor>;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "the maximum", Kiln_NumericTensor>;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "the minimum", Kiln_NumericTensor>;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", "the product", Kiln_NumericTensor>;

class Kiln_ArgOp<string mnemonic, string what> : Kiln_InferredOp<mnemonic> {
  let summary = "index of the " # what # " along an axis";
  let description = "The `i64` index of the " # what # " of `x` along `axis`; "
    "ties resolve to the first index, and a NaN counts as the " # what # ".\n\n"
    "```mlir\n%c = kiln." # mnemonic # " %p {axis = 1 : i64} : "
    "(tensor<4x10xf32>) -> tensor<4xi64>\n```";
  let arguments = (ins Kiln_NumericTensor:$x, Kiln_I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs StaticShapeTensorOf<[I64]>:$result);
}

def Kiln_ArgMaxOp : Kiln_ArgOp<"argmax", "maximum">;
def Kiln_ArgMinOp : Kiln_ArgOp<"argmin", "minimum">;

//===----------------------------------------------------------------------===//
// Softmax and normalization
//===----------------------------------------------------------------------===//

def Kiln_SoftmaxOp : Kiln_UnaryOp<"softmax", Kiln_FloatTensor> {
  let summary = "softmax along an axis";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along `axis` (default -1).

    ```mlir
    %p = kiln.softmax %logits : tensor<32x10xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$x, DefaultValuedAttr<Kiln_I64Attr, "-1">:$axis);
  let hasVerifier = 1;
  let hasFolder = 0;
}

def Kiln_LogSoftmaxOp : Kiln_UnaryOp<"log_softmax", Kiln_FloatTensor> {
  let summary = "log of softmax along an axis";
  let description = [{
    `x - max(x) - log(sum(exp(x - max(x))))` along `axis` (default -1).

    ```mlir
    %p = kiln.log_softmax %logits {axis = 1 : i64} : tensor<32x10xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$x, DefaultValuedAttr<Kiln_I64Attr, "-1">:$axis);
  let hasVerifier = 1;
  let hasFolder = 0;
}

def Kiln_BatchNormOp : Kiln_InferredOp<"batch_norm"> {
  let summary = "batch normalization, inference form";
  let description = [{
    `(x - mean) * scale / sqrt(variance + epsilon) + offset`, where `scale`,
    `offset`, `mean` and `variance` are 1-D with the size of `x`'s feature
    dimension `axis` (default -1: NHWC and dense layers; 1 for NCHW).

    ```mlir
    %y = kiln.batch_norm %x, %gamma, %beta, %mean, %var {epsilon = 1.000000e-03 : f64}
        : (tensor<8x16x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>,
           tensor<32xf32>) -> tensor<8x16x16x32xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$x, Kiln_FloatTensor:$scale,
      Kiln_FloatTensor:$offset, Kiln_FloatTensor:$mean,
      Kiln_FloatTensor:$variance,
      DefaultValuedAttr<F64Attr, "0.001">:$epsilon,
      DefaultValuedAttr<Kiln_I64Attr, "-1">:$axis);
  let results = (outs Kiln_FloatTensor:$result);
}

def Kiln_LayerNormOp : Kiln_InferredOp<"layer_norm"> {
  let summary = "layer normalization over the trailing dimensions";
  let description = [{
    Normalizes `x` over the dimensions `[axis, rank)` (default: the last one)
    to zero mean and unit (biased) variance, then applies `scale` and
    `offset`, whose shape is `x`'s shape from `axis` on:
    `(x - mean) / sqrt(var + epsilon) * scale + offset`.

    ```mlir
    %y = kiln.layer_norm %x, %gamma, %beta {epsilon = 1.000000e-06 : f64}
        : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$x, Kiln_FloatTensor:$scale,
      Kiln_FloatTensor:$offset,
      DefaultValuedAttr<F64Attr, "0.001">:$epsilon,
      DefaultValuedAttr<Kiln_I64Attr, "-1">:$axis);
  let results = (outs Kiln_FloatTensor:$result);
}

def Kiln_DropoutOp : Kiln_UnaryOp<"dropout", Kiln_FloatTensor> {
  let summary = "dropout: identity at inference, random zeroing in training";
  let description = [{
    With `training = false` (default) the op is the identity. With
    `training = true` each element is zeroed with probability `rate` and the
    survivors are scaled by `1 / (1 - rate)`. The mask is a pure function of
    `seed` and the element's row-major index `k`, so the reference
    interpreter and compiled code agree bit for bit: with `h` the SplitMix64
    finalizer, `u = (h(seed ^ h(k)) >> 11) * 2^-53` and the element is dropped
    when `u < rate`.

    ```mlir
    %y = kiln.dropout %x {rate = 2.000000e-01 : f64} : tensor<32x256xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$x, F64Attr:$rate,
                       DefaultValuedAttr<Kiln_I64Attr, "0">:$seed,
                       DefaultValuedAttr<BoolAttr, "false">:$training);
  let hasVerifier = 1;
}

#endif // KILN_NN_TD
