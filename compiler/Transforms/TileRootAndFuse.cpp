//===- TileRootAndFuse.cpp - tiling a root and fusing producers ----------===//

#include "compiler/Transforms/TileRootAndFuse.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"

using namespace mlir;

LogicalResult nnc::tileAndFuse(RewriterBase &rewriter, linalg::LinalgOp root,
                               ArrayRef<OpFoldResult> sizes,
                               std::function<bool(Operation *)> shouldFuse,
                               ArrayRef<int64_t> interchange,
                               unsigned reductionLoops) {
  using ControlFnResult = scf::SCFTileAndFuseOptions::ControlFnResult;
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(sizes);
  tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
  if (!interchange.empty())
    tiling.setInterchange(interchange);

  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<ControlFnResult> {
        if (shouldFuse(producer.getOwner()))
          return ControlFnResult{};
        return std::nullopt;
      });
  // A fused producer's slice of a tensor.empty becomes a tile-sized empty.
  RewritePatternSet cleanup(rewriter.getContext());
  tensor::populateFoldTensorEmptyPatterns(cleanup);
  options.cleanupPatterns = FrozenRewritePatternSet(std::move(cleanup));

  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(root.getOperation()), options);
  if (failed(result))
    return root->emitError("nnc: could not tile and fuse this kernel");
  // A tile of the parallel dimensions writes its own slice; the blocks of
  // a reduction all accumulate into the same one, in order.
  for (auto [i, loop] : llvm::enumerate(result->loops))
    loop->setAttr(i < reductionLoops ? nnc::nn::kReductionBlocksAttr
                                     : nnc::nn::kParallelAttr,
                  rewriter.getUnitAttr());
  for (OpResult r : root->getResults())
    if (Value repl = result->replacements.lookup(r))
      rewriter.replaceAllUsesWith(r, repl);
  return success();
}
