//===- kiln-opt.cpp - the mlir-opt-style driver for kiln ------------------===//
//
// Runs any registered pass pipeline on a `.mlir` file, with the kiln dialect
// and MLIR's core dialects and passes registered. The IR verifier runs after
// every pass. Exit status: 0 on success, 2 when the input is malformed or a
// pass fails.
//
//===----------------------------------------------------------------------===//

#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::DialectRegistry registry;
  registry.insert<kiln::KilnDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::tensor::TensorDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
             argc, argv, "Kiln optimizer driver\n", registry)) == 0
             ? 0
             : 2;
}
