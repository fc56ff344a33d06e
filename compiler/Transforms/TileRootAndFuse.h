//===- TileRootAndFuse.h - tiling a root and fusing producers --*- C++ -*-===//
//
// Not a pass: the one helper both tile-and-fuse passes use, which differ
// only in which op is the root and which producers join its tile loops.
//

#ifndef NNC_COMPILER_TRANSFORMS_TILEROOTANDFUSE_H
#define NNC_COMPILER_TRANSFORMS_TILEROOTANDFUSE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace nnc {

/// Tiles `root` with scf.for loops of `sizes` (0: not tiled), fuses the
/// producers for which `shouldFuse` holds into the tile loops, and replaces
/// `root`'s uses. The loops are marked nn.parallel, except the outermost
/// `reductionLoops` (in `interchange` order), which tile reduction loops and
/// are marked nn.reduction_blocks. Emits an error on `root` and fails if
/// tiling fails.
mlir::LogicalResult
tileAndFuse(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp root,
            llvm::ArrayRef<mlir::OpFoldResult> sizes,
            std::function<bool(mlir::Operation *producer)> shouldFuse,
            llvm::ArrayRef<int64_t> interchange = {},
            unsigned reductionLoops = 0);

} // namespace nnc

#endif // NNC_COMPILER_TRANSFORMS_TILEROOTANDFUSE_H
