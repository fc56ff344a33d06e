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
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::MatmulOp op : matmuls) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> generic =
          linalg::generalizeNamedOp(rewriter, op);
      if (failed(generic))
        continue;
      // (i, j, k) -> (i, k, j)
      if (failed(linalg::interchangeGenericOp(rewriter, *generic, {0, 2, 1}))) {
        generic->emitError("nnc: could not reorder the matmul loops");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
