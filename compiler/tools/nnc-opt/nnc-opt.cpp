//===- nnc-opt.cpp - the pass driver for nnc's dialects and passes --------===//
//
// mlir-opt with the nn dialect and the project's passes registered: what lit
// tests run to exercise one pass or one verifier at a time.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"
#include "compiler/Pipelines/CPUPipeline.h"
#include "compiler/Pipelines/CUDAPipeline.h"
#include "compiler/Pipelines/TrainingPipeline.h"
#include "compiler/Target/Passes.h"
#include "compiler/Transforms/Passes.h"
#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerInlinerPass();
  nnc::registerConversionPasses();
  nnc::registerTransformsPasses();
  nnc::registerTargetPasses();
  nnc::registerTrainingPipeline();
  nnc::registerCPUPipeline();
  nnc::registerCUDAPipeline();
  // The upstream passes the CPU pipeline is made of, to run them one by one.
  mlir::registerLinalgPasses();
  mlir::bufferization::registerBufferizationPasses();
  mlir::registerConvertLinalgToLoopsPass();
  mlir::registerConvertFuncToLLVMPass();
  mlir::registerReconcileUnrealizedCastsPass();
  mlir::registerGPUPasses();
  mlir::gpu::registerGPUToNVVMPipeline();

  mlir::DialectRegistry registry;
  nnc::registerCPUPipelineDialects(registry);
  nnc::registerCUDAPipelineDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "nnc pass driver\n", registry));
}
