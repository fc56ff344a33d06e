//===- ContractionLoopOrder.cpp - unit-stride innermost loops -------------===//
//
// linalg.matmul iterates (i, j, k): its innermost loop walks a column of B
// and accumulates into one scalar, which vectorizes only if the reduction
// may be reassociated. (i, k, j) instead broadcasts A[i,k] and streams a row
// of B into a row of C: plain vector FMAs, same summation order as the
// scalar loop.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace nnc {
#define GEN_PASS_DEF_CONTRACTIONLOOPORDER
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct ContractionLoopOrderPass
    : nnc::impl::ContractionLoopOrderBase<ContractionLoopOrderPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp>(op) ||
          (isa<linalg::GenericOp>(op) && op.getNumLoops() == 3 &&
           linalg::isaContractionOpInterface(op)))
        contractions.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : contractions) {
      FailureOr<linalg::ContractionDimensions> dims =
          linalg::inferContractionDims(op);
      if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
          dims->k.size() != 1)
        continue;
      rewriter.setInsertionPoint(op);
      linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(*op);
      if (!generic) {
        FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
        if (failed(g))
          continue;
        generic = *g;
      }
      // Loops (m, k, n), whatever the order was.
      SmallVector<unsigned> order = {dims->m[0], dims->k[0], dims->n[0]};
      if (order == SmallVector<unsigned>{0, 1, 2})
        continue;
      if (failed(linalg::interchangeGenericOp(rewriter, generic, order))) {
        generic->emitError("nnc: could not reorder the matmul loops");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
