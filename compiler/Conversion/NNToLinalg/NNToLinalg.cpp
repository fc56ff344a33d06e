//===- NNToLinalg.cpp - the convert-nn-to-linalg pass ---------------------===//
//
// Applies the pattern families of this folder as a partial conversion: the
// nn ops of a model's computation are illegal afterwards. nn.grad (with its
// body), the losses and nn.train_config stay: autodiff and the training
// pipeline expand them first.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"
#include "dialects/nn/IR/NNLosses.h"
#include "compiler/Conversion/NNToLinalg/Patterns.h"

#include "dialects/nn/IR/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace nnc {
#define GEN_PASS_DEF_CONVERTNNTOLINALG
#include "compiler/Conversion/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct ConvertNNToLinalgPass
    : nnc::impl::ConvertNNToLinalgBase<ConvertNNToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    // scf: the embedding gradient's serial scatter loop, scans.
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           func::FuncDialect, scf::SCFDialect>();
    // Losses and the train section are for the training passes (run
    // before this one in nnc's pipeline); they stay if present.
    // A scan stays until its body is converted; lowerScans then makes it
    // a loop.
    target.addDynamicallyLegalDialect<nnc::nn::NNDialect>([](Operation *op) {
      return isa<nnc::nn::TrainConfigOp, nnc::nn::ScanOp>(op) ||
             nnc::nn::lossOf(op) ||
             (isa<nnc::nn::YieldOp>(op) &&
              isa<nnc::nn::ScanOp>(op->getParentOp()));
    });
    target.markOpRecursivelyLegal<nnc::nn::GradOp>();

    RewritePatternSet patterns(ctx);
    nnc::populateElementwiseToLinalgPatterns(patterns);
    nnc::populateMatmulToLinalgPatterns(patterns);
    nnc::populateReductionToLinalgPatterns(patterns);
    nnc::populateGradientOpsToLinalgPatterns(patterns);
    nnc::populateConvolutionToLinalgPatterns(patterns, implicitKernelGradients,
                                             implicitConvolutions);
    nnc::populatePoolingToLinalgPatterns(patterns);
    nnc::populateDropoutToLinalgPatterns(patterns);
    nnc::populateEmbeddingToLinalgPatterns(patterns);
    nnc::populateResampleToLinalgPatterns(patterns);
    nnc::populateScanToLinalgPatterns(patterns);
    nnc::populateSparseToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))) ||
        failed(nnc::lowerScans(getOperation())))
      signalPassFailure();
  }
};

} // namespace
