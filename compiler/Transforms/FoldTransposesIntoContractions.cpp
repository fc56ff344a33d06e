//===- FoldTransposesIntoContractions.cpp - read operands in place --------===//
//
// The backward pass of a dense layer multiplies by transposes: dx = dy W^T
// and dW = x^T dy. nn.transpose lowers to linalg.transpose, which writes the
// whole transposed matrix to a temporary (a strided scatter, as slow as the
// product it feeds at 1024 x 1024) before the matmul reads it. A contraction
// can read the original instead, through a permuted indexing map: the
// matmul becomes a generic whose map for that operand is swapped.
// nnc-vectorize-contractions then reads a transposed A as scalars in place
// and packs a transposed B once per loop nest.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace nnc {
#define GEN_PASS_DEF_FOLDTRANSPOSESINTOCONTRACTIONS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// The linalg.transpose that produces `v`, if it transposes a matrix.
linalg::TransposeOp transposeOf(Value v) {
  auto t = v.getDefiningOp<linalg::TransposeOp>();
  if (!t || t.getPermutation().size() != 2 || t.getPermutation()[0] != 1)
    return {};
  return t;
}

struct FoldTransposesIntoContractionsPass
    : nnc::impl::FoldTransposesIntoContractionsBase<
          FoldTransposesIntoContractionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && op.getNumDpsInputs() == 2 &&
          linalg::isaContractionOpInterface(op) &&
          llvm::any_of(op.getDpsInputs(),
                       [](Value v) { return transposeOf(v); }))
        work.push_back(op);
    });

    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : work) {
      rewriter.setInsertionPoint(op);
      linalg::GenericOp generic;
      if (auto existing = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        generic = existing;
      } else {
        FailureOr<linalg::GenericOp> g =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(g))
          continue;
        generic = *g;
      }
      SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
      SmallVector<Value> inputs(generic.getDpsInputs());
      for (unsigned i = 0; i < inputs.size(); ++i) {
        linalg::TransposeOp t = transposeOf(inputs[i]);
        if (!t)
          continue;
        // T[a, b] = X[b, a]: the operand's map reads (a, b); X is read
        // with the results swapped.
        AffineMap m = maps[i];
        maps[i] = AffineMap::get(m.getNumDims(), m.getNumSymbols(),
                                 {m.getResult(1), m.getResult(0)},
                                 m.getContext());
        inputs[i] = t.getInput();
      }
      rewriter.modifyOpInPlace(generic, [&] {
        generic.getInputsMutable().assign(inputs);
        generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
      });
    }
  }
};

} // namespace
