//===- Passes.td - CPU code generation passes ----------------------------===//

#ifndef KILN_COMPILER_CODEGEN_CPU_PASSES
#define KILN_COMPILER_CODEGEN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def KilnOutlineWeights : Pass<"kiln-outline-weights", "mlir::ModuleOp"> {
  let summary = "gather bufferized constants into one checksummed weights blob";
  let description = [{
    After bufferization every large constant is a `memref.global`. This pass
    packs their bytes into one blob (each at a 64-byte aligned offset),
    replaces every `memref.get_global` of them by a `memref.view` into the
    blob's global `@kiln_weights`, and records the blob as the module
    attribute `kiln.weights` (a `dense_resource` of i8). The artifact writer
    places the blob in the `.kiln.weights` section and checksums it, so the
    runtime can verify weights before running anything.

    Globals smaller than `min-bytes` stay where they are (they become
    immediate data in the code). Mutable globals are not touched.
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", "64",
           "constants smaller than this many bytes stay inline">
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def KilnEntryAbi : Pass<"kiln-entry-abi", "mlir::func::FuncOp"> {
  let summary = "append the arena and host-API arguments to every entry point";
  let description = [{
    Gives every public function (after `buffer-results-to-out-params`) the
    trailing arguments of the artifact entry ABI: `%arena : memref<0xi8>`
    (`{kiln.abi = "arena"}`, resized by `kiln-plan-memory`) and
    `%host : !llvm.ptr` (`{kiln.abi = "host"}`, the runtime's
    `kiln_host_api_t`, through which generated code reaches the thread
    pool). Private functions are left alone.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect"];
}

def KilnParallelizeLoops : Pass<"kiln-parallelize-loops", "mlir::ModuleOp"> {
  let summary = "run the large linalg ops of entry points on the thread pool";
  let description = [{
    For every linalg op on buffers in a function with a `host` entry-ABI
    argument whose iteration space has at least `min-work` points: splits
    its outermost parallel dimension that indexes every output into tasks
    (about one per `grain` points, at most 64, preferring a count that
    divides the dimension) and replaces the op by a call of
    `__kiln_parallel_for(host, tasks, @task, ctx)`, which runs
    `@task(ctx, i)` for every task through `kiln_host_api_t.parallel_for`,
    or in a loop when there is a single thread. Each task is a private
    function that rebuilds the op's buffers from the base pointers in `ctx`
    (static types only; ops with dynamic shapes or layouts stay serial) and
    computes its slice of the op with linalg tiling, exactly as the serial
    loop nest would: results do not depend on the thread count.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", "32768",
           "iteration-space points below which an op stays serial">,
    Option<"grain", "grain", "int64_t", "16384",
           "iteration-space points per task (before rounding)">
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::scf::SCFDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def KilnPlanMemory : Pass<"kiln-plan-memory", "mlir::func::FuncOp"> {
  let summary = "place every intermediate buffer in one arena by liveness";
  let description = [{
    Replaces every static `memref.alloc` of an entry point by a `memref.view`
    into its `arena` argument. Each buffer is live from its allocation (or,
    inside a loop, from the start of the outermost loop) to its last use
    through any alias (views, reshapes, subviews), the use's enclosing
    top-level op standing for uses in nested regions. Buffers are placed
    largest first at the lowest 64-byte aligned offset that overlaps no
    buffer live at the same time. The arena size (the peak) is recorded as
    `kiln.arena_size` and the arena argument retyped to it.

    It fails on dynamically shaped allocations; buffers escaping through a
    loop's iteration arguments are kept live to the end of the function.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def KilnMatmulToUkernel : Pass<"kiln-matmul-to-ukernel", "mlir::ModuleOp"> {
  let summary = "call the packed AVX-512 f32 matmul microkernel for linalg matmuls";
  let description = [{
    Replaces f32 `linalg.matmul`, `linalg.batch_matmul` and their transposed
    variants on memrefs with unit inner stride by a call to
    `kiln_uk_matmul_f32` (compiler/ukernels), the packed, register-blocked
    kernel linked into every x86-64 artifact. A preceding `linalg.fill` of
    zero into the output is dropped; otherwise the kernel accumulates. An
    immediately following `linalg.generic` that adds a bias row and
    optionally applies ReLU, or applies ReLU alone, is folded into the
    kernel's epilogue.
    The kernel parallelizes through the entry's `host` argument.

    Other element types and non-contiguous operands are left to the generic
    loop lowering.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def KilnApproximateMath : Pass<"kiln-approximate-math", "mlir::func::FuncOp"> {
  let summary = "replace f32 transcendental math with vectorizable polynomials";
  let description = [{
    Rewrites f32 `math.exp`, `math.expm1`, `math.log`, `math.log1p`,
    `math.tanh`, `math.erf` and friends into arith polynomial approximations
    (MLIR's, accurate to a few ulp), so elementwise loops vectorize and the
    artifact needs no libm for f32. f64 math is left to libm.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def KilnFuseElementwise : Pass<"kiln-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "fuse producer-consumer elementwise linalg.generic ops";
  let description = [{
    Merges chains of elementwise `linalg.generic` ops (what a `kiln.fusion`
    region and its neighbours lower to) into single loop nests, so
    intermediates never reach memory. Unlike MLIR's
    `linalg-fuse-elementwise-ops` it does not propagate reshapes through
    named ops, which would turn the matmuls the ukernels handle into generic
    loop nests. A producer whose result has fewer elements than the
    consumer's iteration space is left alone: fused, it would be recomputed
    for every element it is broadcast to.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def KilnPrivateInits : Pass<"kiln-private-inits", "mlir::func::FuncOp"> {
  let summary = "give every op its own filled init tensor";
  let description = [{
    CSE merges identical `linalg.fill`s of `tensor.empty` (the zero inits of
    every matmul, convolution and reduction of one shape) into one tensor
    that several destination-style ops then write. Bufferization can give
    that buffer to one of them only, and copies the filled buffer for every
    other: a copy kernel or loop per op, and an op that accumulates into
    the copy instead of overwriting. This pass gives each such init its own
    `tensor.empty` + `linalg.fill`, placed right before the op, so each
    bufferizes to a fill of the op's own buffer that the library lowerings
    fold into the call. Run after CSE and before bufferization.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def KilnSeparateResults : Pass<"kiln-separate-results", "mlir::func::FuncOp"> {
  let summary = "make inputs read-only and give every result its own tensor";
  let description = [{
    Inputs are the caller's buffers: every tensor argument is marked
    `bufferization.writable = false`, so bufferization copies rather than
    updating one in place (a scan whose initial state is an input, say).
    Outputs are written into the caller's buffers, one per result, so a
    result that is a function argument, a constant, or a repeat of an
    earlier result is replaced by a `linalg.copy` into a fresh tensor. So is
    a result whose `kiln.name` is also an input's (a training step's updated
    parameters and optimizer state): the copy comes last, so a caller may
    pass the same buffer as that input and that output and update it in
    place. Run
    after CSE (which would merge the copies again) and before
    bufferization; MLIR 19's `buffer-results-to-out-params` cannot handle
    such results itself.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def KilnExpandCopies : Pass<"kiln-expand-copies", "mlir::func::FuncOp"> {
  let summary = "turn strided memref.copy into loops the artifact can run";
  let description = [{
    The LLVM lowering of `memref.copy` between non-contiguous memrefs calls
    `memrefCopy` from MLIR's C runner utilities, which an artifact cannot
    import. This pass rewrites such copies as `linalg.copy`, which becomes
    plain loops; contiguous copies stay (they become `memcpy`).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // KILN_COMPILER_CODEGEN_CPU_PASSES
