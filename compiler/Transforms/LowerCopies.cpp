//===- LowerCopies.cpp - memref.copy as a linalg.copy ---------------------===//
//
// Bufferization copies between buffers with `memref.copy`. The LLVM
// lowering turns a copy between contiguous identity-layout buffers into a
// memcpy, but any other (a strided subview, as a reduction over the batch
// axis produces) into a call to `memrefCopy` from MLIR's C runner library,
// which artifacts do not link: the link failed on an undefined symbol. As a
// `linalg.copy`, every copy becomes loops like the rest of the kernel.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nnc {
#define GEN_PASS_DEF_LOWERCOPIES
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct CopyToLinalg : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                op.getTarget());
    return success();
  }
};

struct LowerCopiesPass : nnc::impl::LowerCopiesBase<LowerCopiesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<CopyToLinalg>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
