//===- TileAndFuseReductions.cpp - one loop nest per softmax --------------===//
//
// Softmax (and any "normalize by a row statistic" computation) lowers to
// max-reduce, exp, sum-reduce and divide: four passes over the data. The
// last elementwise op that reads a reduced statistic is the root; tiling it
// along the dimensions the statistic keeps (the rows) and fusing every
// non-contraction producer computes the whole chain one row tile at a time,
// with all intermediate rows in cache.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "compiler/Transforms/TileRootAndFuse.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace nnc {
#define GEN_PASS_DEF_TILEANDFUSEREDUCTIONS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Whether `l` reads every operand at the iteration point's own indices
/// (projected permutations) and computes from operand values alone. Window
/// ops (convolutions, pooling: i*s + a maps) and gathers (tensor.extract,
/// linalg.index in the body) are not: tiling a consumer of theirs would
/// recompute their whole window per tile, so they are neither statistics
/// to tile along nor producers to fuse.
bool isPointwiseIndexed(linalg::LinalgOp l) {
  if (!llvm::all_of(l.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isProjectedPermutation(); }))
    return false;
  bool plain = true;
  l->walk([&](Operation *op) {
    if (isa<linalg::IndexOp>(op) || op->getDialect()->getNamespace() == "tensor")
      plain = false;
  });
  return plain;
}

/// A row statistic: its reduction loops are innermost (a softmax's max and
/// sum over the last axis). A reduction over leading axes (a bias gradient
/// summing the batch: reduction loops outermost) is no statistic to tile
/// along: its kept rows are few and each tile would read the whole input.
bool isReduction(Operation *op) {
  auto l = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!l || l.getNumReductionLoops() == 0 ||
      linalg::isaContractionOpInterface(l) || !isPointwiseIndexed(l))
    return false;
  SmallVector<utils::IteratorType> it = l.getIteratorTypesArray();
  auto firstReduction = llvm::find(it, utils::IteratorType::reduction);
  return std::all_of(firstReduction, it.end(), [](utils::IteratorType t) {
    return t == utils::IteratorType::reduction;
  });
}

/// An all-parallel generic that reads a reduction's result: the indexing maps
/// of those operands, or nothing.
SmallVector<AffineMap> reducedOperandMaps(linalg::GenericOp op) {
  SmallVector<AffineMap> maps;
  if (op.getNumParallelLoops() != op.getNumLoops() || !op.hasPureTensorSemantics())
    return maps;
  for (OpOperand *in : op.getDpsInputOperands())
    if (isReduction(in->get().getDefiningOp()))
      maps.push_back(op.getMatchingIndexingMap(in));
  return maps;
}

struct TileAndFuseReductionsPass
    : nnc::impl::TileAndFuseReductionsBase<TileAndFuseReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!reducedOperandMaps(op).empty())
        candidates.push_back(op);
    });
    // Roots end a chain: no other candidate consumes them.
    SmallVector<linalg::GenericOp> roots;
    for (linalg::GenericOp c : candidates) {
      bool consumed = llvm::any_of(c->getUsers(), [&](Operation *u) {
        return llvm::is_contained(candidates, u);
      });
      if (!consumed)
        roots.push_back(c);
    }

    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp root : roots) {
      // Tile the loops every statistic is indexed by: innermost of those by
      // `tileRows`, outer ones by 1; the reduced loops stay whole.
      SmallVector<AffineMap> maps = reducedOperandMaps(root);
      SmallVector<OpFoldResult> sizes(root.getNumLoops(),
                                      rewriter.getIndexAttr(0));
      std::optional<unsigned> innermost;
      for (unsigned d = 0; d < root.getNumLoops(); ++d) {
        bool kept = llvm::all_of(maps, [&](AffineMap m) {
          return m.isFunctionOfDim(d);
        });
        if (kept) {
          sizes[d] = rewriter.getIndexAttr(1);
          innermost = d;
        }
      }
      if (!innermost)
        continue; // a full reduction: nothing to tile along
      sizes[*innermost] = rewriter.getIndexAttr(tileRows);
      auto shouldFuse = [](Operation *producer) {
        auto l = dyn_cast<linalg::LinalgOp>(producer);
        return l && !linalg::isaContractionOpInterface(l) &&
               isPointwiseIndexed(l);
      };
      if (failed(nnc::tileAndFuse(rewriter, root, sizes, shouldFuse)))
        return signalPassFailure();
    }
  }
};

} // namespace
