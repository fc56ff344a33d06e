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
    Value init = emptyTensor(rewriter, loc, type, {adaptor.getX()});
    Value zero = floatConst(rewriter, loc, type.getElementType(), 0.0);
    Value acc = linalg::FillOp::create(rewriter, loc, zero, init).getResult(0);
    auto matmul = linalg::MatmulOp::create(
        rewriter, loc, TypeRange{type},
        ValueRange{adaptor.getX(), adaptor.getW()}, ValueRange{acc});
    rewriter.replaceOp(op, matmul.getResult(0));
    return success();
  }
};

} // namespace

void nnc::populateMatmulToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulToLinalg>(patterns.getContext());
}
