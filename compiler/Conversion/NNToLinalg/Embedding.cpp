//===- Embedding.cpp - token lookups and their table gradient -------------===//
//
// nn.embedding is a gather: a parallel generic over the result whose body
// reads the table at the row its id names (tensor.extract). Its gradient,
// nn.embedding_grad, adds each position's row of dy into the row of its id:
// ids repeat, so the positions are visited in order by a serial loop (on
// tensors, updated in place by bufferization), which also fixes the order
// of every row's sum: results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/Common.h"
#include "compiler/Conversion/NNToLinalg/Patterns.h"

#include "dialects/nn/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace nnc;

namespace {

/// Whether id `v` (a float) names a row of a `vocabulary`-row table after
/// truncation toward zero: -1 < v < vocabulary (false for NaN).
Value inTable(OpBuilder &b, Location loc, Value v, int64_t vocabulary) {
  Type t = v.getType();
  Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, v,
                                      floatConst(b, loc, t, -1.0));
  Value below = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OLT, v,
      floatConst(b, loc, t, static_cast<double>(vocabulary)));
  return arith::AndIOp::create(b, loc, above, below);
}

/// The row of id `v`, row 0 when `in` is false (never read then).
Value rowOf(OpBuilder &b, Location loc, Value v, Value in) {
  Value safe = arith::SelectOp::create(b, loc, in, v,
                                       floatConst(b, loc, v.getType(), 0.0));
  Value i = arith::FPToSIOp::create(b, loc, b.getI64Type(), safe);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
}

struct EmbeddingToLinalg : OpConversionPattern<nn::EmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::EmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    auto type = cast<RankedTensorType>(op.getType());
    Value table = adaptor.getTable();
    int64_t vocabulary = op.getTable().getType().getDimSize(0);
    int64_t rank = type.getRank();
    // ids read at the result's position without its feature index.
    SmallVector<AffineExpr> idExprs;
    for (int64_t d = 0; d + 1 < rank; ++d)
      idExprs.push_back(getAffineDimExpr(d, ctx));
    AffineMap idMap = AffineMap::get(rank, 0, idExprs, ctx);
    // The result's dimensions are the ids' then the features.
    SmallVector<Value> dynamic;
    for (int64_t d = 0; d + 1 < rank; ++d)
      if (type.isDynamicDim(d))
        dynamic.push_back(tensor::DimOp::create(rewriter, loc, adaptor.getIds(), d));
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType(), dynamic);
    Type elt = type.getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{adaptor.getIds()}, init,
        {idMap, rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value in = inTable(b, l, args[0], vocabulary);
          Value row = rowOf(b, l, args[0], in);
          Value feature = linalg::IndexOp::create(b, l, rank - 1);
          Value v = tensor::ExtractOp::create(b, l, table,
                                              ValueRange{row, feature});
          Value nan = floatConst(b, l, elt,
                                 std::numeric_limits<double>::quiet_NaN());
          linalg::YieldOp::create(
              b, l, arith::SelectOp::create(b, l, in, v, nan).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct EmbeddingGradToLoops : OpConversionPattern<nn::EmbeddingGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::EmbeddingGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type elt = type.getElementType();
    auto vocabulary = static_cast<int64_t>(op.getVocabulary());
    int64_t features = type.getDimSize(1);
    // Positions as one dimension: ids [P], dy [P, features].
    auto idsType = cast<RankedTensorType>(adaptor.getIds().getType());
    ReassociationIndices all;
    for (int64_t d = 0; d < idsType.getRank(); ++d)
      all.push_back(d);
    Value ids = adaptor.getIds(), dy = adaptor.getDy();
    if (idsType.getRank() != 1) {
      ids = tensor::CollapseShapeOp::create(
          rewriter, loc, ids, SmallVector<ReassociationIndices>{all});
      dy = tensor::CollapseShapeOp::create(
          rewriter, loc, dy,
          SmallVector<ReassociationIndices>{all, {idsType.getRank()}});
    }
    Value zero = floatConst(rewriter, loc, elt, 0.0);
    Value acc = linalg::FillOp::create(
                    rewriter, loc, zero,
                    tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                            elt).getResult())
                    .getResult(0);
    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value positions = tensor::DimOp::create(rewriter, loc, ids, 0);
    Value cf = arith::ConstantIndexOp::create(rewriter, loc, features);
    auto loop = scf::ForOp::create(
        rewriter, loc, c0, positions, c1, ValueRange{acc},
        [&](OpBuilder &b, Location l, Value p, ValueRange iter) {
          Value id = tensor::ExtractOp::create(b, l, ids, ValueRange{p});
          Value in = inTable(b, l, id, vocabulary);
          auto ifOp = scf::IfOp::create(
              b, l, in,
              [&](OpBuilder &tb, Location tl) {
                Value row = rowOf(tb, tl, id, in);
                auto inner = scf::ForOp::create(
                    tb, tl, c0, cf, c1, ValueRange{iter[0]},
                    [&](OpBuilder &fb, Location fl, Value f, ValueRange a) {
                      Value g = tensor::ExtractOp::create(fb, fl, dy,
                                                          ValueRange{p, f});
                      Value old = tensor::ExtractOp::create(
                          fb, fl, a[0], ValueRange{row, f});
                      Value sum = arith::AddFOp::create(fb, fl, old, g);
                      Value next = tensor::InsertOp::create(
                          fb, fl, sum, a[0], ValueRange{row, f});
                      scf::YieldOp::create(fb, fl, next);
                    });
                scf::YieldOp::create(tb, tl, inner.getResult(0));
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, iter[0]);
              });
          scf::YieldOp::create(b, l, ifOp.getResult(0));
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

} // namespace

void nnc::populateEmbeddingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<EmbeddingToLinalg, EmbeddingGradToLoops>(patterns.getContext());
}
