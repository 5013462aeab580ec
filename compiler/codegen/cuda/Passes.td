//===- Passes.td - CUDA code generation passes ---------------------------===//

#ifndef KILN_COMPILER_CODEGEN_CUDA_PASSES
#define KILN_COMPILER_CODEGEN_CUDA_PASSES

include "mlir/Pass/PassBase.td"

def KilnCudaMatmulToLibrary
    : Pass<"kiln-cuda-matmul-to-library", "mlir::ModuleOp"> {
  let summary = "run f32 matmuls of entry points through cuBLASLt";
  let description = [{
    Replaces every f32 `linalg.(batch_)matmul(_transpose_a|_b)` on buffers
    with static, unit-innermost-stride layouts by a call of
    `__kiln_cuda_matmul(host, desc)`, where `desc` is a `kiln_matmul_t`
    (runtime/include/kiln/artifact_abi.h) built on the stack: shapes, row
    strides, batch strides and the device addresses of A, B and C. The
    runtime runs it with cuBLASLt on the session's stream. A zero
    `linalg.fill` of C right before the matmul is dropped (the call
    overwrites C instead of accumulating into it), and a following bias-add
    (+ ReLU), or ReLU alone, becomes cuBLASLt's BIAS / RELU_BIAS / RELU
    epilogue. Other matmuls
    (f64, f16, strided rows) are left to `kiln-cuda-outline-kernels`.
    With `allow-tf32` the calls may use TF32 tensor cores (about 1e-3
    relative error); by default they compute in full f32.
  }];
  let options = [
    Option<"allowTf32", "allow-tf32", "bool", "false",
           "let cuBLASLt use TF32 tensor cores for f32 matmuls">
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect"];
}

def KilnCudaConvToLibrary
    : Pass<"kiln-cuda-conv-to-library", "mlir::ModuleOp"> {
  let summary = "run f32 convolutions of entry points, and their gradients, "
                "through cuDNN";
  let description = [{
    Replaces every f32 `linalg.conv_2d_nhwc_fhwc` on dense buffers (what
    `convert-kiln-to-linalg{conv-library=true}` makes of an ungrouped
    `kiln.conv2d`) by a call of `__kiln_cuda_conv(host, desc)`, where `desc`
    is a `kiln_conv_t` (runtime/include/kiln/artifact_abi.h) built on the
    stack: the geometry, strides, dilations, padding and the device
    addresses of input, filter and output. So does every `linalg.generic`
    tagged `kiln.conv_backward` (the input or filter gradient of such a
    convolution) that is still what the lowering made of it (indexing maps
    from its `kiln.conv_geometry`, operands, body): its call carries
    `KILN_CONV_BACKWARD_DATA` or `KILN_CONV_BACKWARD_FILTER`. The runtime
    runs them with cuDNN on the session's stream. Runs before memory
    planning, while buffers are still allocations; everything is matched
    before anything is rewritten:

    - a zero-padded copy of the input (an allocation filled with zeros, the
      input copied into its interior, read by nothing but the convolutions
      being replaced: a forward convolution and its filter gradient) is
      dropped and its padding becomes the calls', when it is symmetric
      (cuDNN's convolution descriptor has one padding per dimension);
    - the zeroing of the output before the call (a zero `linalg.fill`, or a
      copy from a zero-filled buffer, with nothing in between touching the
      output) is dropped: the call overwrites instead of accumulating;
    - a following bias-add (+ ReLU), or ReLU alone, runs inside the call
      (cuDNN's fused convolution + bias + activation).

    With `allow-tf32` cuDNN may use TF32 tensor cores; by default it
    computes in full f32.
  }];
  let options = [
    Option<"allowTf32", "allow-tf32", "bool", "false",
           "let cuDNN use TF32 tensor cores for f32 convolutions">
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect"];
}

def KilnCudaSplitReductions
    : Pass<"kiln-cuda-split-reductions", "mlir::func::FuncOp"> {
  let summary = "split reductions with few outputs and many terms in two";
  let description = [{
    A cuda kernel runs one thread per output point and its reduction
    serially. A reduction with fewer than `max-outputs` outputs and at
    least `min-terms` terms per output (batch-norm statistics, bias and
    scale gradients: a few channels, N·H·W terms each) would run on a
    handful of threads. On tensors, before bufferization, this pass
    rewrites such a single-output `linalg.generic` whose body is
    `yield ⊕(%out, f(...))` (⊕: addf, mulf, maximumf, minimumf, maxnumf,
    minnumf) into two generics:

    ```
    partial[q..., o...] = ⊕ over the other reduction dims of f,
                          starting from ⊕'s identity
    out[o...] = out[o...] ⊕ (⊕ over q of partial[q..., o...])
    ```

    where `q` are the leading reduction dimensions, made parallel, as many
    as keep the first generic within `max-threads` threads and every
    thread at `min-serial` terms or more. Both are ordinary kernels (no
    shared memory or atomics); the result differs from the serial loop only
    in the order of ⊕.
  }];
  let options = [
    Option<"maxOutputs", "max-outputs", "int64_t", "4096",
           "split only reductions with fewer outputs than this">,
    Option<"minTerms", "min-terms", "int64_t", "1024",
           "split only reductions with at least this many terms per output">,
    Option<"maxThreads", "max-threads", "int64_t", "65536",
           "threads of the first generic, at most">,
    Option<"minSerial", "min-serial", "int64_t", "16",
           "terms each thread of the first generic still sums, at least">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def KilnCudaOutlineKernels
    : Pass<"kiln-cuda-outline-kernels", "mlir::ModuleOp"> {
  let summary = "turn the linalg ops of entry points into CUDA kernels";
  let description = [{
    Runs after memory planning, on entry points (functions with a `host`
    entry-ABI argument) whose buffers are device memory: the arena, the
    inputs and outputs, and the weights, which the pass re-bases on
    `kiln_host_api_t.device_weights`.

    Every linalg op (and every `memref.copy`, as a `linalg.copy`) becomes a
    kernel `gpu.func @<function>__k<N>` in
    `gpu.module @kiln_kernels` (the position of a kernel in the module is
    its launch index): one thread per point of the op's parallel
    dimensions that index every output as plain dimensions (reductions run
    serially in the thread, so results do not depend on the launch shape),
    `block-size` threads per block. The kernel takes 8-byte arguments: the
    base pointer of each buffer (plus its offset when the layout's offset
    is dynamic, as in the steps of a scan) and every non-constant scalar the
    op's body uses. The op itself is replaced by a call of
    `__kiln_cuda_launch(host, kernel, grid, block, num_args, args)`, which
    reaches `kiln_host_api_t.launch`.

    With `emulate`, the same kernels (argument packing, thread guard,
    index delinearization, loop nests) become private host functions and
    each launch a loop nest over the grid calling them: the artifact runs
    the cuda schedule on the CPU, which lets the kernels be checked against
    goldens without a GPU.

    Afterwards nothing in an entry point may touch device memory from the
    host: a remaining `memref.load`/`store`, allocation, global or
    vector op is an error naming the op.

    Each entry point gets `kiln.device_calls`: the launches and library
    calls (`__kiln_cuda_matmul`, `__kiln_cuda_conv`) one call of it issues,
    loops counted by their trip counts (a scan's steps). The artifact's
    manifest carries it; the runtime records a function into a CUDA Graph
    when it is large enough for that to pay.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", "256",
           "threads per block">,
    Option<"emulate", "emulate", "bool", "false",
           "testing aid: kernels become host functions, each launch a loop "
           "over every block and thread, and the weights stay where they "
           "are: the cuda schedule and kernels then run on the CPU">
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::scf::SCFDialect",
                           "mlir::gpu::GPUDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::func::FuncDialect"];
}

#endif // KILN_COMPILER_CODEGEN_CUDA_PASSES
