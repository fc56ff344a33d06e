//===- FuseElementwise.cpp - chains of elementwise ops become one loop ----===//
//
// Upstream's elementwise fusion patterns, restricted to producers with a
// single use: fusing a producer with other users would recompute it (exp,
// tanh are not free), and the reshape-propagation patterns the upstream pass
// adds would move reshapes between reductions and their consumers, where
// they block row-wise tile-and-fuse.
//
// A fused kernel's body is capped at kMaxFusedOps scalar ops: every fusion
// clones both bodies, so an unbounded chain of n ops cost O(n^2) (issue 11:
// 3,000 ops took 7 s, 10,000 over two minutes). A long chain becomes
// kernels of up to that size, each still one pass over memory.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nnc {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

constexpr size_t kMaxFusedOps = 256;

size_t bodySize(Operation *op) {
  return op->getNumRegions() && !op->getRegion(0).empty()
             ? op->getRegion(0).front().getOperations().size()
             : 0;
}

struct FuseElementwisePass
    : nnc::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          Operation *producer = fused->get().getDefiningOp();
          // A convolution or kernel gradient read in place keeps its
          // multiply-add body: nnc-lower-implicit-convolutions and
          // nnc-lower-implicit-kernel-gradients match it.
          Operation *owner = fused->getOwner();
          if (owner->hasAttr(nnc::nn::kImplicitKernelGradientAttr) ||
              owner->hasAttr(nnc::nn::kImplicitConvolutionAttr))
            return false;
          return producer && producer->hasOneUse() &&
                 bodySize(producer) + bodySize(fused->getOwner()) <=
                     kMaxFusedOps;
        });
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
