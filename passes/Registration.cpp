//===- Registration.cpp - register Kiln's passes and the optimize pipeline ===//

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace kiln {
namespace {
#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"
} // namespace
} // namespace kiln

using namespace mlir;

namespace {
struct OptimizeOptions : public PassPipelineOptions<OptimizeOptions> {
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("the target: cpu or cuda"),
                             llvm::cl::init("cpu")};
};
} // namespace

void kiln::buildOptimizePipeline(OpPassManager &pm, llvm::StringRef target) {
  OpPassManager &fn = pm.nest<func::FuncOp>();
  // Clean up what import left, fold, simplify, then fold batch norms into
  // the (now constant) weights before layout and fusion see the graph.
  fn.addPass(createKilnPrune());
  fn.addPass(createKilnFoldConstants());
  fn.addPass(createKilnSimplify());
  fn.addPass(createKilnFoldBatchNorm());
  fn.addPass(createKilnFoldConstants());
  KilnAssignLayoutOptions layout;
  layout.target = target.str();
  fn.addPass(createKilnAssignLayout(layout));
  fn.addPass(createKilnFoldConstants());
  fn.addPass(createKilnSimplify());
  fn.addPass(createCSEPass());
  fn.addPass(createKilnPrune());
  fn.addPass(createKilnFuse());
}

void kiln::registerAllPasses() {
  registerKilnPasses();
  PassPipelineRegistration<OptimizeOptions>(
      "kiln-optimize",
      "Kiln's standard graph optimization pipeline: prune, fold constants, "
      "simplify, fold batch norm, assign layout, CSE, fuse",
      [](OpPassManager &pm, const OptimizeOptions &options) {
        buildOptimizePipeline(pm, options.target);
      });
}
