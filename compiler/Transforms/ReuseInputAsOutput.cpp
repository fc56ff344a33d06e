//===- ReuseInputAsOutput.cpp - elementwise kernels that update in place --===//
//
// `y = relu(x + b)` lowers to a generic that reads x and writes a fresh
// tensor.empty. When x dies there, writing y over x saves a buffer and, after
// tile-and-fuse, keeps a dense layer's accumulation and epilogue on the same
// tile of the same buffer.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nnc {
#define GEN_PASS_DEF_REUSEINPUTASOUTPUT
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Returns the index of an input of `op` that may become its only output.
std::optional<unsigned> reusableInput(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops())
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  if (!init->get().getDefiningOp<tensor::EmptyOp>() ||
      op.payloadUsesValueFromOperand(init))
    return std::nullopt;
  AffineMap initMap = op.getMatchingIndexingMap(init);
  for (OpOperand *in : op.getDpsInputOperands()) {
    Value v = in->get();
    // Only a value another kernel produced: function arguments belong to the
    // caller, and constants may be shared.
    if (v.getType() == init->get().getType() && v.hasOneUse() &&
        v.getDefiningOp<linalg::LinalgOp>() &&
        op.getMatchingIndexingMap(in) == initMap)
      return in->getOperandNumber();
  }
  return std::nullopt;
}

struct ReuseInput : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<unsigned> idx = reusableInput(op);
    if (!idx)
      return rewriter.notifyMatchFailure(op, "no input can hold the output");

    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *in : op.getDpsInputOperands())
      if (in->getOperandNumber() != *idx) {
        inputs.push_back(in->get());
        maps.push_back(op.getMatchingIndexingMap(in));
      }
    OpOperand *init = op.getDpsInitOperand(0);
    maps.push_back(op.getMatchingIndexingMap(init));
    Value newInit = op->getOperand(*idx);

    auto fused = linalg::GenericOp::create(
        rewriter, op.getLoc(), op.getResultTypes(), inputs, ValueRange{newInit},
        maps, op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), fused.getRegion(),
                                fused.getRegion().begin());
    Block &body = fused.getRegion().front();
    BlockArgument oldIn = body.getArgument(*idx);
    BlockArgument out = body.getArgument(body.getNumArguments() - 1);
    rewriter.replaceAllUsesWith(oldIn, out);
    body.eraseArgument(*idx);
    rewriter.replaceOp(op, fused.getResults());
    return success();
  }
};

struct ReuseInputAsOutputPass
    : nnc::impl::ReuseInputAsOutputBase<ReuseInputAsOutputPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ReuseInput>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
