// The cuda target keeps every buffer access in kernels: host code that
// would read device memory is refused, naming the op.
// RUN: kiln-opt --kiln-cuda-outline-kernels --split-input-file --verify-diagnostics %s

func.func @branch(%x: memref<4xf32>, %arena: memref<0xi8> {kiln.abi = "arena"},
                  %host: !llvm.ptr {kiln.abi = "host"}) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'memref.load' op would run on the host for target cuda}}
  %v = memref.load %x[%c0] : memref<4xf32>
  return
}

// -----

func.func @dynamic(%x: memref<?xf32>, %y: memref<?xf32>,
                   %arena: memref<0xi8> {kiln.abi = "arena"},
                   %host: !llvm.ptr {kiln.abi = "host"}) {
  // expected-error @+1 {{the cuda target needs static shapes and strides}}
  linalg.copy ins(%x : memref<?xf32>) outs(%y : memref<?xf32>)
  return
}

// -----

func.func private @helper(memref<4xf32>)

func.func @call(%x: memref<4xf32>, %arena: memref<0xi8> {kiln.abi = "arena"},
                %host: !llvm.ptr {kiln.abi = "host"}) {
  // expected-error @+1 {{'func.call' op would run on the host for target cuda}}
  func.call @helper(%x) : (memref<4xf32>) -> ()
  return
}

// -----

func.func @affine(%x: memref<4xf32>, %arena: memref<0xi8> {kiln.abi = "arena"},
                  %host: !llvm.ptr {kiln.abi = "host"}) {
  // expected-error @+1 {{'affine.load' op would run on the host for target cuda}}
  %v = affine.load %x[0] : memref<4xf32>
  return
}
