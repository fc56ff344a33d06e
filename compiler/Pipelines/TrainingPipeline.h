//===- TrainingPipeline.h - train steps and gradients in nn -----*- C++ -*-===//
//
// The training prefix every target shares: builds the train, eval and grad
// entry points of each nn.train_config, inlines the model into them,
// expands losses into arithmetic and every nn.grad into its derivative. Its
// output is `nnc --emit=grad`; a target pipeline (CPUPipeline.h) takes it
// from there, and `nnc --gradcheck` evaluates it.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_PIPELINES_TRAININGPIPELINE_H
#define NNC_COMPILER_PIPELINES_TRAININGPIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace nnc {

void buildTrainingPipeline(mlir::OpPassManager &pm);

/// Registers `nnc-training-pipeline` for nnc-opt.
void registerTrainingPipeline();

} // namespace nnc

#endif // NNC_COMPILER_PIPELINES_TRAININGPIPELINE_H
