//===- KilnShape.td - shape and data movement ops -------------------------===//

#ifndef KILN_SHAPE_TD
#define KILN_SHAPE_TD

include "dialects/kiln/KilnBase.td"

def Kiln_ReshapeOp : Kiln_InferredOp<"reshape"> {
  let summary = "reinterpret the elements with a new static shape";
  let description = [{
    Keeps the elements in row-major order and gives them `shape`. At most one
    entry of `shape` may be -1; it is computed from the element count.

    ```mlir
    %f = kiln.reshape %x {shape = array<i64: 32, -1>} : (tensor<32x7x7x64xf32>) -> tensor<32x3136xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$x, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
  let hasFolder = 1;
}

def Kiln_TransposeOp : Kiln_InferredOp<"transpose"> {
  let summary = "permute dimensions";
  let description = [{
    `result.shape[i] = x.shape[perm[i]]`; `perm` is a permutation of
    `[0, rank)`.

    ```mlir
    %t = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x32x32xf32>) -> tensor<1x32x32x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$x, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_Tensor:$result);
  let hasFolder = 1;
}

def Kiln_BroadcastToOp : Kiln_InferredOp<"broadcast_to"> {
  let summary = "broadcast to a shape with NumPy rules";
  let description = [{
    Aligns `x`'s shape with `shape` at the trailing dimension; each of `x`'s
    dimensions equals the target or is 1.

    ```mlir
    %b = kiln.broadcast_to %x {shape = array<i64: 4, 3>} : (tensor<3xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$x, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
  let hasFolder = 1;
}

def Kiln_ConcatOp : Kiln_InferredOp<"concat"> {
  let summary = "concatenate tensors along an axis";
  let description = [{
    All inputs have the same rank and element type and agree on every
    dimension except `axis`.

    ```mlir
    %c = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, Kiln_I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let hasFolder = 1;
}

def Kiln_SliceOp : Kiln_InferredOp<"slice"> {
  let summary = "strided slice with static bounds";
  let description = [{
    Takes, per dimension, the elements `start, start + stride, ...` below
    `limit`; `0 <= start <= limit <= dim` and `stride >= 1` (default 1). The
    result dimension is `ceil((limit - start) / stride)`.

    ```mlir
    %s = kiln.slice %x {start = array<i64: 0, 1>, limit = array<i64: 2, 7>, strides = array<i64: 1, 2>}
        : (tensor<4x8xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$x, DenseI64ArrayAttr:$start,
                       DenseI64ArrayAttr:$limit,
                       OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Kiln_Tensor:$result);
  let hasFolder = 1;
}

def Kiln_PadOp : Kiln_InferredOp<"pad"> {
  let summary = "pad with a constant value";
  let description = [{
    Adds `low[i]` elements before and `high[i]` after dimension `i`
    (non-negative), filled with `value` (default 0; converted to the element
    type).

    ```mlir
    %p = kiln.pad %x {low = array<i64: 0, 1, 1, 0>, high = array<i64: 0, 1, 1, 0>}
        : (tensor<1x28x28x1xf32>) -> tensor<1x30x30x1xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$x, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Kiln_Tensor:$result);
  let hasFolder = 1;
}

def Kiln_GatherOp : Kiln_InferredOp<"gather"> {
  let summary = "gather slices by index (Embedding)";
  let description = [{
    `result[p..., i..., q...] = params[p..., indices[i...], q...]` where the
    indexed dimension is `axis` (default 0). The result shape is
    `params.shape[:axis] + indices.shape + params.shape[axis+1:]`. Indices are
    `i32` or `i64` in `[-dim, dim)`; negative ones count from the end. An
    index outside that range is an error at run time.

    ```mlir
    %e = kiln.gather %table, %ids : (tensor<1000x32xf32>, tensor<8x20xi32>) -> tensor<8x20x32xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$params, Kiln_IndexTensor:$indices,
                       DefaultValuedAttr<Kiln_I64Attr, "0">:$axis);
  let results = (outs Kiln_Tensor:$result);
}

def Kiln_ScatterAddOp : Kiln_InferredOp<"scatter_add"> {
  let summary = "sum slices into a zero tensor by index (gather's gradient)";
  let description = [{
    The adjoint of `kiln.gather`: a zero tensor of shape `shape`, to which
    `updates[p..., i..., q...]` is added at `[p..., indices[i...], q...]`
    along `axis`; repeated indices accumulate. `updates` has gather's result
    shape, `shape[:axis] + indices.shape + shape[axis+1:]`. Indices are `i32`
    or `i64` in `[-dim, dim)`; negative ones count from the end; one outside
    that range is an error at run time (generated code clamps it). The
    gradient of an Embedding table.

    ```mlir
    %d = kiln.scatter_add %ids, %g {shape = array<i64: 1000, 32>}
        : (tensor<8x20xi32>, tensor<8x20x32xf32>) -> tensor<1000x32xf32>
    ```
  }];
  let arguments = (ins Kiln_IndexTensor:$indices, Kiln_FloatTensor:$updates,
                       DenseI64ArrayAttr:$shape,
                       DefaultValuedAttr<Kiln_I64Attr, "0">:$axis);
  let results = (outs Kiln_FloatTensor:$result);
}

#endif // KILN_SHAPE_TD
