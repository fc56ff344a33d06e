//===- SplitSharedInits.cpp - one empty or zeroed tensor per destination --===//
//
// tensor.empty and linalg.fill on tensors are pure, so CSE merges two of the
// same shape (and value) into one with several uses. As the destination of
// two ops whose results are both live, one shared init makes one-shot
// bufferization give the two one buffer and copy to resolve the conflict.
// In the CIFAR-10 CNN's step the zero-filled output of conv1 was also the
// zeroed start of the max-pool gradient: a 7.4 MB memset, a 7.4 MB copy of
// those zeros, and a fill the convolution could no longer fold into its
// accumulators (about 10 % of the step). Right before bufferization (no CSE
// runs after it), every use of such an init gets its own clone right
// before the user: an empty of its own, or a fill of an empty of its own.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace nnc {
#define GEN_PASS_DEF_SPLITSHAREDINITS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// An init worth cloning per use: an empty, or a fill of an empty (on
/// tensors).
bool isClonableInit(Operation *op) {
  if (isa<tensor::EmptyOp>(op))
    return true;
  auto fill = dyn_cast<linalg::FillOp>(op);
  return fill && fill.hasPureTensorSemantics() &&
         fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
}

/// A clone of `op` right before `at` (a fill gets an empty of its own too).
Value cloneInit(OpBuilder &b, Operation *op, Operation *at) {
  b.setInsertionPoint(at);
  auto fill = dyn_cast<linalg::FillOp>(op);
  if (!fill)
    return b.clone(*op)->getResult(0);
  Operation *empty = fill.getDpsInits()[0].getDefiningOp();
  IRMapping map;
  map.map(empty->getResult(0), b.clone(*empty)->getResult(0));
  return b.clone(*op, map)->getResult(0);
}

struct SplitSharedInitsPass
    : nnc::impl::SplitSharedInitsBase<SplitSharedInitsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> shared;
    getOperation()->walk([&](Operation *op) {
      if (isClonableInit(op) && !op->hasOneUse() && !op->use_empty())
        shared.push_back(op);
    });
    OpBuilder b(&getContext());
    DenseSet<Operation *> sharedSet(shared.begin(), shared.end());
    SmallVector<Operation *> orphans;
    // Fills first (in walk order they follow their empties): a fill's
    // clones take fresh empties, so by the time its empty comes, that has
    // fewer uses, maybe none.
    for (Operation *op : llvm::reverse(shared)) {
      if (op->use_empty()) {
        op->erase();
        continue;
      }
      if (op->hasOneUse())
        continue;
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : op->getUses())
        uses.push_back(&use);
      // Each clone right before its user (or the user's ancestor in the
      // init's block): a fill then sits next to the contraction that
      // folds it, and its buffer lives only from there.
      for (OpOperand *use : uses) {
        Operation *at = op->getBlock()->findAncestorOpInBlock(*use->getOwner());
        use->set(cloneInit(b, op, at));
      }
      if (auto fill = dyn_cast<linalg::FillOp>(op)) {
        Operation *empty = fill.getDpsInits()[0].getDefiningOp();
        if (!sharedSet.contains(empty))
          orphans.push_back(empty);
      }
      op->erase();
    }
    for (Operation *empty : orphans)
      if (empty->use_empty())
        empty->erase();
  }
};

} // namespace
