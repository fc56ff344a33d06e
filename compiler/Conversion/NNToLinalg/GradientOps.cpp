//===- GradientOps.cpp - the ops gradient rules use, to linalg ------------===//
//
// nn.step is elementwise (see Elementwise.cpp). The rest: stop_gradient is
// the identity once gradients exist; transpose is linalg.transpose;
// broadcast is a generic that reads its operand through a broadcasting map;
// count multiplies run-time dimension sizes into a scalar tensor.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/Common.h"
#include "compiler/Conversion/NNToLinalg/Patterns.h"

#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace nnc;

namespace {

struct StopGradientToIdentity : OpConversionPattern<nn::StopGradientOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::StopGradientOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getX());
    return success();
  }
};

struct TransposeToLinalg : OpConversionPattern<nn::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<Value> dynamic;
    for (int64_t i = 0; i < 2; ++i)
      if (type.isDynamicDim(i))
        dynamic.push_back(tensor::DimOp::create(rewriter, loc, x, 1 - i));
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType(), dynamic);
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, loc, x, init,
                                                       ArrayRef<int64_t>{1, 0})
                               ->getResult(0));
    return success();
  }
};

struct BroadcastToLinalg : OpConversionPattern<nn::BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    // The run-time sizes come from `like`; the values from `x`.
    Value result = elementwise(
        rewriter, op.getLoc(), type, {adaptor.getX()},
        [](OpBuilder &, Location, ValueRange v) { return v[0]; },
        /*sizeSources=*/{adaptor.getLike()});
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct CountToScalar : OpConversionPattern<nn::CountOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::CountOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> given;
    if (auto attr = op.getAxesAttr())
      given.assign(attr.asArrayRef().begin(), attr.asArrayRef().end());
    Value n = arith::ConstantIndexOp::create(rewriter, loc, 1);
    // A named copy: a range-for over `*normalizeAxes(...)` would iterate a
    // destroyed temporary (found by AddressSanitizer).
    SmallVector<int64_t> axes = *nn::normalizeAxes(given, type.getRank());
    for (int64_t axis : axes)
      n = arith::MulIOp::create(rewriter, loc, n,
                                tensor::DimOp::create(rewriter, loc, x, axis));
    Type elt = type.getElementType();
    Value i64 = arith::IndexCastOp::create(rewriter, loc,
                                           rewriter.getI64Type(), n);
    Value f = arith::SIToFPOp::create(rewriter, loc, elt, i64);
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(
        op, RankedTensorType::get({}, elt), ValueRange{f});
    return success();
  }
};

} // namespace

void nnc::populateGradientOpsToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<StopGradientToIdentity, TransposeToLinalg, BroadcastToLinalg,
               CountToScalar>(patterns.getContext());
}
