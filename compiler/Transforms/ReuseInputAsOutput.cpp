//===- ReuseInputAsOutput.cpp - elementwise kernels that update in place --===//
//
// `y = relu(x + b)` lowers to a generic that reads x and writes a fresh
// tensor.empty. When x dies there, writing y over x saves a buffer and, after
// tile-and-fuse, keeps a dense layer's accumulation and epilogue on the same
// tile of the same buffer.
//
// The training step's updates come first: a kernel whose result the
// function returns as the new value of an argument (`nn.updates = k`: a
// parameter or an optimizer slot) and which reads that argument elementwise
// writes over the argument itself, and moves after every other reader of it
// when nothing else uses its result. Reusing the gradient's buffer instead
// (the general rule below) would leave the new parameter in a temporary:
// the step would then either copy it back or, worse, drop it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
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

/// An elementwise generic with one fresh (unread) output.
bool hasFreshOutput(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops())
    return false;
  OpOperand *init = op.getDpsInitOperand(0);
  return init->get().getDefiningOp<tensor::EmptyOp>() &&
         !op.payloadUsesValueFromOperand(init);
}

/// The input of `op` that is the function argument its result updates
/// (returned with `nn.updates`), read where the result is written.
std::optional<unsigned> updatedArgument(linalg::GenericOp op) {
  if (!hasFreshOutput(op))
    return std::nullopt;
  auto func = op->getParentOfType<func::FuncOp>();
  AffineMap initMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  for (OpOperand &use : op->getResult(0).getUses()) {
    if (!isa<func::ReturnOp>(use.getOwner()) ||
        use.getOwner()->getParentOp() != func)
      continue;
    auto k = func.getResultAttrOfType<IntegerAttr>(use.getOperandNumber(),
                                                   nnc::nn::kUpdatesAttr);
    if (!k)
      continue;
    Value arg = func.getArgument(k.getInt());
    for (OpOperand *in : op.getDpsInputOperands())
      if (in->get() == arg && op.getMatchingIndexingMap(in) == initMap)
        return in->getOperandNumber();
  }
  return std::nullopt;
}

/// Returns the index of an input of `op` that may become its only output.
std::optional<unsigned> reusableInput(linalg::GenericOp op) {
  if (!hasFreshOutput(op) || updatedArgument(op))
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
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

/// `op` with input `idx` as its output (the body reads it through the
/// output's block argument).
linalg::GenericOp reuseAsOutput(RewriterBase &rewriter, linalg::GenericOp op,
                                unsigned idx) {
    rewriter.setInsertionPoint(op);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *in : op.getDpsInputOperands())
      if (in->getOperandNumber() != idx) {
        inputs.push_back(in->get());
        maps.push_back(op.getMatchingIndexingMap(in));
      }
    OpOperand *init = op.getDpsInitOperand(0);
    maps.push_back(op.getMatchingIndexingMap(init));
    Value newInit = op->getOperand(idx);

    auto fused = linalg::GenericOp::create(
        rewriter, op.getLoc(), op.getResultTypes(), inputs, ValueRange{newInit},
        maps, op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), fused.getRegion(),
                                fused.getRegion().begin());
    Block &body = fused.getRegion().front();
    BlockArgument oldIn = body.getArgument(idx);
    BlockArgument out = body.getArgument(body.getNumArguments() - 1);
    rewriter.replaceAllUsesWith(oldIn, out);
    body.eraseArgument(idx);
    rewriter.replaceOp(op, fused.getResults());
    return fused;
}

struct ReuseInput : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<unsigned> idx = reusableInput(op);
    if (!idx)
      return rewriter.notifyMatchFailure(op, "no input can hold the output");
    reuseAsOutput(rewriter, op, *idx);
    return success();
  }
};

/// Updates write over their argument, after its other readers.
void updateArgumentsInPlace(func::FuncOp func) {
  SmallVector<linalg::GenericOp> updates;
  func.walk([&](linalg::GenericOp op) {
    if (updatedArgument(op))
      updates.push_back(op);
  });
  // A kernel that reads arguments other updates overwrite (Adam's parameter
  // update, when fusion recomputes the new moments from the old ones) must
  // run before those: order by how many such arguments each one reads.
  llvm::SmallPtrSet<Value, 8> targets;
  for (linalg::GenericOp op : updates)
    targets.insert(op->getOperand(*updatedArgument(op)));
  auto readsOfTargets = [&](linalg::GenericOp op) {
    unsigned n = 0;
    for (Value v : op.getDpsInputs())
      n += targets.contains(v);
    return n;
  };
  llvm::stable_sort(updates, [&](linalg::GenericOp a, linalg::GenericOp b) {
    return readsOfTargets(a) > readsOfTargets(b);
  });
  IRRewriter rewriter(func.getContext());
  Block &entry = func.getBody().front();
  for (linalg::GenericOp op : updates) {
    linalg::GenericOp inPlace =
        reuseAsOutput(rewriter, op, *updatedArgument(op));
    // Only the return reads the result: the kernel can run last, after
    // every kernel that still needs the argument's old value.
    if (inPlace->getResult(0).hasOneUse() && inPlace->getBlock() == &entry)
      inPlace->moveBefore(entry.getTerminator());
  }
}

struct ReuseInputAsOutputPass
    : nnc::impl::ReuseInputAsOutputBase<ReuseInputAsOutputPass> {
  void runOnOperation() override {
    updateArgumentsInPlace(getOperation());
    RewritePatternSet patterns(&getContext());
    patterns.add<ReuseInput>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
