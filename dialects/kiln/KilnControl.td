//===- KilnControl.td - structured control flow: scan and yield -----------===//

#ifndef KILN_CONTROL_TD
#define KILN_CONTROL_TD

include "dialects/kiln/KilnBase.td"

//===----------------------------------------------------------------------===//

def Kiln_ScanOp : Kiln_Op<"scan", [RecursiveMemoryEffects,
    AttrSizedOperandSegments, SingleBlock]> {
  let summary = "a sequence loop with carried state and per-step outputs";
  let description = [{
    Runs `body` once per step of a sequence. `init` gives the initial carried
    state; each `sequences` operand is sliced along `axis` (default 0) and
    its step slice is passed to the body. The body's block arguments are the
    carried values followed by one slice per sequence; it yields the next
    carried values followed by the per-step outputs.

    Results: the final carried values, then each per-step output stacked
    along `axis`, where `result[t]` is the output of the step that consumed
    slice `t`. With `reverse = true` the steps run from the last slice to the
    first. The number of steps is the sequences' common length along `axis`,
    or `length` when there are no sequences. The body may use values defined
    above it (weights).

    A SimpleRNN layer over `[time, batch, feature]` inputs:

    ```mlir
    %h, %hs = kiln.scan init(%h0 : tensor<4x8xf32>) over(%xs : tensor<20x4x3xf32>)
        -> (tensor<4x8xf32>, tensor<20x4x8xf32>) {
    ^bb0(%hprev: tensor<4x8xf32>, %x: tensor<4x3xf32>):
      %a = kiln.matmul %x, %wx : (tensor<4x3xf32>, tensor<3x8xf32>) -> tensor<4x8xf32>
      %b = kiln.matmul %hprev, %wh : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
      %s = kiln.add %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
      %hn = kiln.tanh %s : tensor<4x8xf32>
      kiln.yield %hn, %hn : tensor<4x8xf32>, tensor<4x8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$init,
                       Variadic<Kiln_Tensor>:$sequences,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse,
                       DefaultValuedAttr<Kiln_I64Attr, "0">:$axis,
                       OptionalAttr<Kiln_I64Attr>:$length);
  let results = (outs Variadic<Kiln_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`init` `(` $init^ `:` type($init) `)`)?
    (`over` `(` $sequences^ `:` type($sequences) `)`)?
    attr-dict-with-keyword `->` custom<ParenTypeList>(type($results)) $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    // Builds the op and its body: `bodyBuilder` receives the block arguments
    // and returns the values to yield; result types follow from them.
    OpBuilder<(ins "::mlir::ValueRange":$init, "::mlir::ValueRange":$sequences,
      "bool":$reverse, "int64_t":$axis,
      "::llvm::function_ref<::llvm::SmallVector<::mlir::Value>(::mlir::OpBuilder &, ::mlir::Location, ::mlir::ValueRange)>":$bodyBuilder)>
  ];
  let extraClassDeclaration = [{
    /// The number of steps this scan runs.
    int64_t getNumSteps();
    /// The number of per-step (stacked) outputs.
    unsigned getNumStepOutputs() { return getNumResults() - getInit().size(); }
  }];
}

def Kiln_FusionOp : Kiln_Op<"fusion", [RecursiveMemoryEffects,
    IsolatedFromAbove, SingleBlock]> {
  let summary = "a group of ops that code generation emits as one kernel";
  let description = [{
    Evaluates its body once: the body's block arguments are bound to
    `inputs` and the values it yields are the results. The body sees
    nothing from outside (it is isolated from above), so a fusion is a
    self-contained kernel. `kind` says what was fused: `"elementwise"` (a
    chain of elementwise ops), `"matmul"` / `"conv"` (a contraction with its
    epilogue: bias, activation, residual add) or `"reduction"` (a
    reduction, softmax or normalization with its elementwise producers and
    consumers). The `kiln-fuse` pass forms these regions.

    ```mlir
    %y = kiln.fusion "matmul" (%x, %w, %b)
        : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
    ^bb0(%a: tensor<4x8xf32>, %c: tensor<8x16xf32>, %d: tensor<16xf32>):
      %m = kiln.matmul %a, %c : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
      %s = kiln.add %m, %d : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
      %r = kiln.relu %s : tensor<4x16xf32>
      kiln.yield %r : tensor<4x16xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$kind, Variadic<Kiln_Tensor>:$inputs);
  let results = (outs Variadic<Kiln_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $kind `(` $inputs `)` attr-dict `:` functional-type($inputs, $results)
    $body
  }];
  let hasRegionVerifier = 1;
}

def Kiln_YieldOp : Kiln_Op<"yield", [Pure, Terminator, ReturnLike,
                                      ParentOneOf<["ScanOp", "FusionOp"]>]> {
  let summary = "yield values from a kiln region";
  let description = [{
    Terminates the body of `kiln.scan` (the next carried values followed by
    the per-step outputs) or of `kiln.fusion` (its results).

    ```mlir
    kiln.yield %h, %y : tensor<4x8xf32>, tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // KILN_CONTROL_TD
