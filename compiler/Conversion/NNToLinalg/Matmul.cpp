//===- Matmul.cpp - nn.matmul to linalg.matmul ----------------------------===//
//
// A zero-filled destination and linalg.matmul. The dense layer's bias and
// activation stay separate generics here; the CPU pipeline tiles the last
// elementwise consumer and fuses the matmul into its tile loops. Rows of
// higher rank ([batch, steps, k]) are collapsed into one matrix of rows
// around the product and expanded back.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/Common.h"
#include "compiler/Conversion/NNToLinalg/Patterns.h"

#include "dialects/nn/IR/NNOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
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
    Value x = adaptor.getX();
    int64_t rank = type.getRank();
    if (rank == 2) {
      rewriter.replaceOp(op, zeroedMatmul(rewriter, loc, type, x,
                                          adaptor.getW()));
      return success();
    }
    // [r0, ..., k] -> [r0 * ..., k], the product, and back.
    auto xType = cast<RankedTensorType>(x.getType());
    ReassociationIndices rows;
    for (int64_t i = 0; i + 1 < rank; ++i)
      rows.push_back(i);
    SmallVector<ReassociationIndices> groups = {rows, {rank - 1}};
    int64_t count = 1;
    for (int64_t d : xType.getShape().drop_back())
      count = ShapedType::isDynamic(d) || ShapedType::isDynamic(count)
                  ? ShapedType::kDynamic
                  : count * d;
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({count, xType.getShape().back()},
                              xType.getElementType()),
        x, groups);
    Value product = zeroedMatmul(
        rewriter, loc,
        RankedTensorType::get({count, type.getShape().back()},
                              type.getElementType()),
        flat, adaptor.getW());
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < rank; ++i)
      sizes.push_back(
          i + 1 == rank ? OpFoldResult(rewriter.getIndexAttr(type.getDimSize(i)))
          : type.isDynamicDim(i)
              ? OpFoldResult(tensor::DimOp::create(rewriter, loc, x, i).getResult())
              : OpFoldResult(rewriter.getIndexAttr(type.getDimSize(i))));
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, type, product,
                                                       groups, sizes);
    return success();
  }
};

} // namespace

void nnc::populateMatmulToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulToLinalg>(patterns.getContext());
}
