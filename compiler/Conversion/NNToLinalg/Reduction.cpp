//===- Reduction.cpp - reductions and reshape to linalg/tensor ------------===//

#include "compiler/Conversion/NNToLinalg/Common.h"
#include "compiler/Conversion/NNToLinalg/Patterns.h"

#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace nnc;

namespace {

enum class ReduceKind { Sum, Mean, Max };

template <typename NNOp, ReduceKind kind>
struct ReduceToLinalg : OpConversionPattern<NNOp> {
  using OpConversionPattern<NNOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(NNOp op, typename NNOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(x.getType());
    Type elt = type.getElementType();
    SmallVector<int64_t> given;
    if (auto attr = op.getAxesAttr())
      given.assign(attr.asArrayRef().begin(), attr.asArrayRef().end());
    SmallVector<int64_t> axes = *nn::normalizeAxes(given, type.getRank());

    TypedAttr init = rewriter.getFloatAttr(elt, 0.0);
    if (kind == ReduceKind::Max)
      init = negativeInfinity(rewriter, elt);
    Value result = reduce(
        rewriter, loc, x, axes, op.getKeepdims(), init,
        [](OpBuilder &b, Location l, ValueRange v) -> Value {
          if (kind == ReduceKind::Max)
            return arith::MaximumFOp::create(b, l, v[0], v[1]);
          return arith::AddFOp::create(b, l, v[0], v[1]);
        });
    if (kind == ReduceKind::Mean) {
      // Divide by the number of reduced elements (read at run time for the
      // dynamic batch).
      Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
      for (int64_t a : axes) {
        Value d = tensor::DimOp::create(rewriter, loc, x, a);
        count = arith::MulIOp::create(rewriter, loc, count, d);
      }
      Value n = arith::UIToFPOp::create(
          rewriter, loc, elt,
          arith::IndexCastUIOp::create(rewriter, loc, rewriter.getI64Type(),
                                       count));
      auto resultType = cast<RankedTensorType>(result.getType());
      result = elementwise(rewriter, loc, resultType, {result},
                           [&](OpBuilder &b, Location l, ValueRange v) {
                             return arith::DivFOp::create(b, l, v[0], n);
                           });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReshapeToTensor : OpConversionPattern<nn::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto from = cast<RankedTensorType>(x.getType());
    auto to = cast<RankedTensorType>(op.getType());
    // A batch merge ([?, a, rest] <-> [?, rest]): the batch groups with the
    // axes after it.
    if (nn::isBatchMerge(from.getShape(), to.getShape())) {
      bool merge = from.getRank() > to.getRank();
      int64_t extra = std::abs(from.getRank() - to.getRank());
      int64_t wide = std::max(from.getRank(), to.getRank());
      SmallVector<ReassociationIndices> groups(1);
      for (int64_t i = 0; i <= extra; ++i)
        groups[0].push_back(i);
      for (int64_t i = extra + 1; i < wide; ++i)
        groups.push_back({i});
      if (merge) {
        rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, to, x,
                                                             groups);
        return success();
      }
      // The new batch is the old one divided by the split axes' product.
      int64_t split = 1;
      for (int64_t i = 1; i <= extra; ++i)
        split *= to.getDimSize(i);
      Value batch = tensor::DimOp::create(rewriter, loc, x, 0);
      Value outer = arith::DivUIOp::create(
          rewriter, loc, batch,
          arith::ConstantIndexOp::create(rewriter, loc, split));
      SmallVector<OpFoldResult> sizes = {outer};
      for (int64_t i = 1; i < wide; ++i)
        sizes.push_back(rewriter.getIndexAttr(to.getDimSize(i)));
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, to, x, groups,
                                                         sizes);
      return success();
    }
    if (from.getRank() > to.getRank()) {
      if (auto re = getReassociationIndicesForReshape(from, to)) {
        rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, to, x, *re);
        return success();
      }
    } else if (from.getRank() < to.getRank()) {
      if (auto re = getReassociationIndicesForReshape(to, from)) {
        rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, to, x, *re);
        return success();
      }
    }
    // Otherwise go through (batch, everything else): the verifier
    // guarantees both sides hold as many elements per sample.
    if (from.getRank() < 1 || to.getRank() < 1)
      return rewriter.notifyMatchFailure(op, "reshape needs a batch axis");
    auto flatSize = [](RankedTensorType t) {
      int64_t n = 1;
      for (int64_t d : t.getShape().drop_front())
        n *= d;
      return n;
    };
    auto flatType = RankedTensorType::get({from.getDimSize(0), flatSize(from)},
                                          from.getElementType());
    auto group = [](int64_t rank) {
      ReassociationIndices rest;
      for (int64_t i = 1; i < rank; ++i)
        rest.push_back(i);
      return SmallVector<ReassociationIndices>{{0}, rest};
    };
    Value flat = x;
    if (from.getRank() > 2)
      flat = tensor::CollapseShapeOp::create(rewriter, loc, flatType, x,
                                             group(from.getRank()));
    if (to.getRank() > 2)
      flat = tensor::ExpandShapeOp::create(rewriter, loc, to, flat,
                                           group(to.getRank()));
    rewriter.replaceOp(op, flat);
    return success();
  }
};

} // namespace

void nnc::populateReductionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceToLinalg<nn::ReduceSumOp, ReduceKind::Sum>,
               ReduceToLinalg<nn::ReduceMeanOp, ReduceKind::Mean>,
               ReduceToLinalg<nn::ReduceMaxOp, ReduceKind::Max>,
               ReshapeToTensor>(patterns.getContext());
}
