//===- Resample.cpp - nn.resample to a contraction with a constant --------===//
//
// y[..., i, ...] = sum_p W[i, p] x[..., p, ...]: one linalg.generic whose
// reduction loop p is innermost, reading W as a constant tensor. The matrix
// is dense (an interpolation matrix is mostly zeros), which costs `in` MACs
// per output instead of 2 for bilinear weights: little at the image sizes
// of the course (7 to 32 rows), and the same op then serves any fixed
// linear resampling and its transpose.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/Common.h"
#include "compiler/Conversion/NNToLinalg/Patterns.h"

#include "dialects/nn/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace nnc;

namespace {

struct ResampleToLinalg : OpConversionPattern<nn::ResampleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::ResampleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    Type elt = type.getElementType();
    int64_t rank = type.getRank(), axis = op.getAxis();

    // The matrix in the element type, as a constant operand.
    auto w = op.getWeights();
    auto wType = cast<ShapedType>(w.getType());
    SmallVector<APFloat> values;
    for (double v : w.getValues<double>()) {
      APFloat f(v);
      bool lost;
      f.convert(cast<FloatType>(elt).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    }
    Value matrix = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get(wType.getShape(), elt),
                               values));

    // Loops: the result's dimensions, then p (the reduction).
    SmallVector<AffineExpr> xExprs, outExprs;
    for (int64_t d = 0; d < rank; ++d) {
      outExprs.push_back(getAffineDimExpr(d, ctx));
      xExprs.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
    }
    AffineMap wMap = AffineMap::get(
        rank + 1, 0, {getAffineDimExpr(axis, ctx), getAffineDimExpr(rank, ctx)},
        ctx);
    SmallVector<AffineMap> maps{wMap, AffineMap::get(rank + 1, 0, xExprs, ctx),
                                AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);

    Value init = emptyTensor(rewriter, loc, type, {adaptor.getX()});
    Value zero = floatConst(rewriter, loc, elt, 0.0);
    init = linalg::FillOp::create(rewriter, loc, zero, init).getResult(0);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{matrix, adaptor.getX()}, init, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, args[2], product).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void nnc::populateResampleToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ResampleToLinalg>(patterns.getContext());
}
