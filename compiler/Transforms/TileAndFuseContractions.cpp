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

/// The reduction loop of `contraction` when its product is worth blocking
/// along it: the contraction is its own root (no epilogue needs the whole
/// sum within the tile loops), its output has static sizes and it has one
/// reduction loop, the batch (dynamic) or `minBlocks` blocks or more. Those
/// are the weight gradients, whose reduction runs over the batch (times the
/// positions of an image): their outputs are small and each micro-kernel
/// used to stream its share of both operands over the whole reduction from
/// memory (the CIFAR CNN's second conv kernel gradient, K = 64 x 169, ran at
/// 29 GFLOP/s). In blocks, the blocks of both operands stay in cache while
/// every output tile uses them. A product whose rows are the batch (forward,
/// input gradient) is not blocked: its output is large, and loading and
/// storing it once per block cost more than blocking saved (the CIFAR CNN's
/// input gradient, K = 576 in 3 blocks, took 2.6 times as long).
std::optional<unsigned> reductionToBlock(linalg::LinalgOp contraction,
                                         linalg::LinalgOp root,
                                         int64_t block, int64_t minBlocks) {
  if (root != contraction || block <= 0 ||
      contraction.getNumReductionLoops() != 1)
    return std::nullopt;
  SmallVector<utils::IteratorType> iters =
      contraction.getIteratorTypesArray();
  SmallVector<int64_t> ranges = contraction.getStaticLoopRanges();
  std::optional<unsigned> k;
  for (auto [i, it] : llvm::enumerate(iters)) {
    if (it == utils::IteratorType::reduction)
      k = i;
    else if (ShapedType::isDynamic(ranges[i]))
      return std::nullopt;
  }
  if (!ShapedType::isDynamic(ranges[*k]) && ranges[*k] < minBlocks * block)
    return std::nullopt;
  return k;
}

/// Outputs up to this size get the short reduction blocks (see blockFor):
/// an eighth of a 2 MiB L2, so that the tiles a block touches stay there
/// next to the block's operands.
constexpr int64_t kSmallOutputBytes = 256 * 1024;

/// The reduction block for `contraction`'s output. Each block loads and
/// stores every output tile once, so a large output (a 1024 x 1024 layer's
/// weight gradient, 4 MiB, larger than L2) wants long blocks; a small one
/// (a convolution's kernel gradient, 288 x 64) stays in cache and wants
/// blocks short enough that a tile's rows of both operands fit in L1 for
/// all its micro-kernels. Kernel gradients of the CIFAR CNN at 64 against
/// 256 (benchmarks/gemm, 1 thread): conv1 112 -> 130 GFLOP/s, conv2 127 ->
/// 145; the 1024 x 1024 x 1024 one 137 -> 119 at 64.
int64_t blockFor(linalg::LinalgOp contraction, int64_t block,
                 int64_t smallOutputBlock) {
  auto out = cast<ShapedType>(contraction->getResult(0).getType());
  if (!out.hasStaticShape() || !out.getElementType().isIntOrFloat())
    return block;
  int64_t bytes =
      out.getNumElements() * out.getElementType().getIntOrFloatBitWidth() / 8;
  return bytes <= kSmallOutputBytes ? smallOutputBlock : block;
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
      SmallVector<OpFoldResult> sizes =
          tileSizesFor(root, tileRows, tileCols, rewriter);
      SmallVector<int64_t> order = columnsFirst(root);
      int64_t block = blockFor(contraction, reductionBlock,
                               smallOutputReductionBlock);
      std::optional<unsigned> k =
          reductionToBlock(contraction, root, block, 4);
      if (k) {
        // The reduction blocks outermost, then the tiles as usual.
        sizes[*k] = rewriter.getIndexAttr(block);
        order.erase(llvm::find(order, static_cast<int64_t>(*k)));
        order.insert(order.begin(), *k);
      }
      // Fuse this layer's own contraction and its zero fill, nothing else:
      // the previous layer's kernels keep their own loop nests. With the
      // reduction blocked the fill stays before the loops (every block
      // accumulates onto the previous ones).
      bool blocked = k.has_value();
      auto shouldFuse = [own, blocked](Operation *producer) {
        return producer == own ||
               (!blocked && isa<linalg::FillOp>(producer));
      };
      if (failed(nnc::tileAndFuse(rewriter, root, sizes, shouldFuse, order,
                                  blocked ? 1 : 0)))
        return signalPassFailure();
    }
  }
};

} // namespace
