//===- TileAndFuseContractions.cpp - one loop nest per dense layer --------===//
//
// A dense layer is fill + matmul + one elementwise epilogue (bias add and
// activation, already fused together). Tiling the epilogue along its
// parallel loops and fusing the matmul and fill into the tile loops gives
// one loop nest in which each output tile is zeroed, accumulated and
// finished while it is hot in cache. The reduction loop is not tiled, which
// is what makes fusing the fill legal.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "compiler/Transforms/TileRootAndFuse.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace nnc {
#define GEN_PASS_DEF_TILEANDFUSECONTRACTIONS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// The op to tile for `contraction`: its only user when that user is an
/// all-parallel generic reading the whole result elementwise (as input or as
/// the in-place output), else the contraction itself.
linalg::LinalgOp rootFor(linalg::LinalgOp contraction) {
  Value result = contraction->getResult(0);
  if (!result.hasOneUse())
    return contraction;
  OpOperand &use = *result.getUses().begin();
  auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!consumer || consumer.getNumParallelLoops() != consumer.getNumLoops() ||
      !consumer.getMatchingIndexingMap(&use).isIdentity() ||
      consumer.getNumLoops() != contraction.getNumParallelLoops())
    return contraction;
  return cast<linalg::LinalgOp>(consumer.getOperation());
}

/// Tile sizes for `root`'s loops: rows and columns for the last two parallel
/// loops, 1 for any outer (batch-like) parallel loop, 0 (untiled) for
/// reductions.
SmallVector<OpFoldResult> tileSizesFor(linalg::LinalgOp root, int64_t rows,
                                       int64_t cols, Builder &b) {
  SmallVector<utils::IteratorType> iters = root.getIteratorTypesArray();
  SmallVector<unsigned> parallel;
  for (auto [i, it] : llvm::enumerate(iters))
    if (it == utils::IteratorType::parallel)
      parallel.push_back(i);
  SmallVector<OpFoldResult> sizes(iters.size(), b.getIndexAttr(0));
  for (auto [n, loop] : llvm::enumerate(parallel)) {
    size_t fromEnd = parallel.size() - n;
    sizes[loop] = b.getIndexAttr(fromEnd == 1 ? cols : fromEnd == 2 ? rows : 1);
  }
  return sizes;
}

/// The tile loops' order: the columns loop (the last parallel one)
/// outermost, then the others in order. Each column tile of B (a block of
/// the packed copy that nnc-vectorize-contractions makes) is then reused by
/// every row tile while it is in cache.
SmallVector<int64_t> columnsFirst(linalg::LinalgOp root) {
  SmallVector<utils::IteratorType> iters = root.getIteratorTypesArray();
  int64_t cols = -1;
  for (auto [i, it] : llvm::enumerate(iters))
    if (it == utils::IteratorType::parallel)
      cols = i;
  SmallVector<int64_t> order;
  if (cols < 0)
    return order;
  order.push_back(cols);
  for (int64_t i = 0, e = iters.size(); i < e; ++i)
    if (i != cols)
      order.push_back(i);
  return order;
}

struct TileAndFuseContractionsPass
    : nnc::impl::TileAndFuseContractionsBase<TileAndFuseContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, linalg::LinalgOp>> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && op->getNumResults() == 1 &&
          linalg::isaContractionOpInterface(op))
        work.push_back({op, rootFor(op)});
    });

    IRRewriter rewriter(&getContext());
    for (auto [contraction, root] : work) {
      Operation *own = contraction.getOperation();
      // Fuse this layer's own contraction and its zero fill, nothing else:
      // the previous layer's kernels keep their own loop nests.
      auto shouldFuse = [own](Operation *producer) {
        return producer == own || isa<linalg::FillOp>(producer);
      };
      if (failed(nnc::tileAndFuse(
              rewriter, root, tileSizesFor(root, tileRows, tileCols, rewriter),
              shouldFuse, columnsFirst(root))))
        return signalPassFailure();
    }
  }
};

} // namespace
