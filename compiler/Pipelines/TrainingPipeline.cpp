//===- TrainingPipeline.cpp - train steps and gradients in nn -------------===//
//
//   nn ──build-training──▶ train/eval/grad entries calling the model
//      ──inline──▶ one body each ──resolve-dropout, expand-losses, autodiff──▶ gradients (nn)
//      ──canonicalize, cse──▶ the gradient's copy of the forward pass merged
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/TrainingPipeline.h"

#include "compiler/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void nnc::buildTrainingPipeline(OpPassManager &pm) {
  pm.addPass(nnc::createBuildTraining());
  // The train step, eval step and model functions call the model (and a
  // custom loss); autodiff and fusion need one body.
  pm.addPass(createInlinerPass());
  // Whether dropout drops depends on the entry, known only now.
  pm.addPass(nnc::createResolveDropout());
  pm.addPass(nnc::createExpandLosses());
  pm.addPass(nnc::createAutodiff());
  // The gradient's copy of the forward pass merges with the forward pass;
  // forward values the gradient does not need disappear.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Recurrences: what a step computes from its inputs alone, and the sums
  // of a reverse scan, as whole-sequence products; then the products of
  // the forward pass and of its copy in the gradient merge.
  pm.addPass(nnc::createHoistScanWork());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void nnc::registerTrainingPipeline() {
  PassPipelineRegistration<>(
      "nnc-training-pipeline",
      "Build training entry points, inline, expand losses and differentiate",
      [](OpPassManager &pm) { buildTrainingPipeline(pm); });
}
