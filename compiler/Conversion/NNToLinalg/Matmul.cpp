//===- Matmul.cpp - nn.matmul to linalg.matmul ----------------------------===//
//
// A zero-filled destination and linalg.matmul. The dense layer's bias and
// activation stay separate generics here; the CPU pipeline tiles the last
// elementwise consumer and fuses the matmul into its tile loops.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/Common.h"
#include "compiler/Conversion/NNToLinalg/Patterns.h"

#include "dialects/nn/IR/NNOps.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace nnc;

namespace {

struct MatmulToLinalg : OpConversionPattern<nn::MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    rewriter.replaceOp(op, zeroedMatmul(rewriter, loc, type, adaptor.getX(),
                                        adaptor.getW()));
    return success();
  }
};

} // namespace

void nnc::populateMatmulToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulToLinalg>(patterns.getContext());
}
