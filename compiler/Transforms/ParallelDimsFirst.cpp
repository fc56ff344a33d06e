//===- ParallelDimsFirst.cpp - a generic's parallel loops outermost -------===//
//
// See Passes.td. A stable permutation: parallel dimensions keep their
// relative order, and so do the reductions after them.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

namespace nnc {
#define GEN_PASS_DEF_PARALLELDIMSFIRST
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct ParallelDimsFirstPass
    : nnc::impl::ParallelDimsFirstBase<ParallelDimsFirstPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp g) { generics.push_back(g); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp g : generics) {
      SmallVector<utils::IteratorType> iterators = g.getIteratorTypesArray();
      SmallVector<unsigned> order;
      for (auto [i, t] : llvm::enumerate(iterators))
        if (t == utils::IteratorType::parallel)
          order.push_back(i);
      for (auto [i, t] : llvm::enumerate(iterators))
        if (t != utils::IteratorType::parallel)
          order.push_back(i);
      bool identity = llvm::all_of(llvm::enumerate(order), [](auto p) {
        return p.index() == p.value();
      });
      if (identity)
        continue;
      rewriter.setInsertionPoint(g);
      if (failed(linalg::interchangeGenericOp(rewriter, g, order))) {
        g.emitError("internal: could not reorder the loops of a generic");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
