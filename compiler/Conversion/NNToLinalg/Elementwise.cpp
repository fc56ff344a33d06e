//===- Elementwise.cpp - elementwise nn ops to linalg.generic -------------===//
//
// Every elementwise op becomes one linalg.generic whose body is the scalar
// computation; broadcasting lives in the indexing maps. Chains of such
// generics are fused later by linalg's elementwise fusion into one loop.
// Softmax becomes max, exp-sum and divide: the max-subtracted, numerically
// stable form.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/Common.h"
#include "compiler/Conversion/NNToLinalg/Patterns.h"

#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace nnc;

/// The scalar computation of one elementwise nn op on its operands' elements.
static Value scalarBody(Operation *op, OpBuilder &b, Location loc,
                        ValueRange v) {
  Type t = v[0].getType();
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](nn::NegOp) { return arith::NegFOp::create(b, loc, v[0]); })
      .Case([&](nn::ExpOp) { return math::ExpOp::create(b, loc, v[0]); })
      .Case([&](nn::LogOp) { return math::LogOp::create(b, loc, v[0]); })
      .Case([&](nn::SqrtOp) { return math::SqrtOp::create(b, loc, v[0]); })
      .Case([&](nn::AbsOp) { return math::AbsFOp::create(b, loc, v[0]); })
      .Case([&](nn::SinOp) { return math::SinOp::create(b, loc, v[0]); })
      .Case([&](nn::CosOp) { return math::CosOp::create(b, loc, v[0]); })
      .Case([&](nn::TanhOp) { return math::TanhOp::create(b, loc, v[0]); })
      .Case([&](nn::ReluOp) {
        return arith::MaximumFOp::create(b, loc, v[0],
                                         floatConst(b, loc, t, 0.0));
      })
      .Case([&](nn::SigmoidOp) {
        // 1 / (1 + exp(-x))
        Value e = math::ExpOp::create(b, loc,
                                      arith::NegFOp::create(b, loc, v[0]));
        Value one = floatConst(b, loc, t, 1.0);
        return arith::DivFOp::create(b, loc, one,
                                     arith::AddFOp::create(b, loc, one, e));
      })
      .Case([&](nn::EluOp) {
        // x > 0 ? x : expm1(x), as Keras. expm1 is computed with Kahan's
        // trick, (e^x - 1) * x / log(e^x), accurate near 0 where e^x - 1
        // alone loses every digit (and with exp and log, vectorizable):
        // MLIR's math-to-llvm lowers math.expm1 to e^x - 1.
        Value zero = floatConst(b, loc, t, 0.0), one = floatConst(b, loc, t, 1.0);
        Value x = v[0];
        Value u = math::ExpOp::create(b, loc, x);
        Value um1 = arith::SubFOp::create(b, loc, u, one);
        Value scaled = arith::DivFOp::create(
            b, loc, arith::MulFOp::create(b, loc, um1, x),
            math::LogOp::create(b, loc, u));
        auto eq = [&](Value a, Value c) {
          return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a, c);
        };
        Value expm1 = arith::SelectOp::create(
            b, loc, eq(u, one), x,
            arith::SelectOp::create(b, loc, eq(um1, floatConst(b, loc, t, -1.0)),
                                    um1, scaled));
        Value positive = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OGT, x, zero);
        return arith::SelectOp::create(b, loc, positive, x, expm1);
      })
      .Case([&](nn::StepOp) {
        Value positive = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OGT, v[0], floatConst(b, loc, t, 0.0));
        return arith::SelectOp::create(b, loc, positive,
                                       floatConst(b, loc, t, 1.0),
                                       floatConst(b, loc, t, 0.0));
      })
      .Case([&](nn::AddOp) { return arith::AddFOp::create(b, loc, v[0], v[1]); })
      .Case([&](nn::BiasAddOp) {
        return arith::AddFOp::create(b, loc, v[0], v[1]);
      })
      .Case([&](nn::SubOp) { return arith::SubFOp::create(b, loc, v[0], v[1]); })
      .Case([&](nn::MulOp) { return arith::MulFOp::create(b, loc, v[0], v[1]); })
      .Case([&](nn::DivOp) { return arith::DivFOp::create(b, loc, v[0], v[1]); })
      .Case([&](nn::PowOp) { return math::PowFOp::create(b, loc, v[0], v[1]); })
      .Case([&](nn::MaximumOp) {
        return arith::MaximumFOp::create(b, loc, v[0], v[1]);
      })
      .Case([&](nn::MinimumOp) {
        return arith::MinimumFOp::create(b, loc, v[0], v[1]);
      })
      .Default([](Operation *) -> Value {
        llvm_unreachable("not an elementwise nn op");
      });
}

namespace {

/// One pattern for every elementwise op: operands in, one generic out.
template <typename NNOp>
struct ElementwiseToGeneric : OpConversionPattern<NNOp> {
  using OpConversionPattern<NNOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(NNOp op, typename NNOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Operation *raw = op.getOperation();
    Value result = elementwise(
        rewriter, op.getLoc(), type, adaptor.getOperands(),
        [&](OpBuilder &b, Location l, ValueRange v) {
          return scalarBody(raw, b, l, v);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SoftmaxToLinalg : OpConversionPattern<nn::SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(x.getType());
    Type elt = type.getElementType();
    int64_t axis = *nn::normalizeAxes({static_cast<int64_t>(op.getAxis())},
                                      type.getRank())
                        ->begin();
    // The row statistics are read back through a map that drops `axis`
    // (no reshape in between), so that tiling the last step along the other
    // dimensions can pull the whole softmax into one loop nest.
    Value max = reduce(rewriter, loc, x, {axis}, /*keepDims=*/false,
                       negativeInfinity(rewriter, elt),
                       [](OpBuilder &b, Location l, ValueRange v) -> Value {
                         return arith::MaximumFOp::create(b, l, v[0], v[1]);
                       });
    Value exps = alongAxis(rewriter, loc, x, max, axis,
                           [](OpBuilder &b, Location l, ValueRange v) {
                             Value d = arith::SubFOp::create(b, l, v[0], v[1]);
                             return math::ExpOp::create(b, l, d);
                           });
    Value sum = reduce(rewriter, loc, exps, {axis}, /*keepDims=*/false,
                       rewriter.getFloatAttr(elt, 0.0),
                       [](OpBuilder &b, Location l, ValueRange v) -> Value {
                         return arith::AddFOp::create(b, l, v[0], v[1]);
                       });
    Value result = alongAxis(rewriter, loc, exps, sum, axis,
                             [](OpBuilder &b, Location l, ValueRange v) {
                               return arith::DivFOp::create(b, l, v[0], v[1]);
                             });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void nnc::populateElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ElementwiseToGeneric<nn::NegOp>, ElementwiseToGeneric<nn::ExpOp>,
               ElementwiseToGeneric<nn::LogOp>, ElementwiseToGeneric<nn::SqrtOp>,
               ElementwiseToGeneric<nn::AbsOp>, ElementwiseToGeneric<nn::SinOp>,
               ElementwiseToGeneric<nn::CosOp>, ElementwiseToGeneric<nn::ReluOp>,
               ElementwiseToGeneric<nn::SigmoidOp>,
               ElementwiseToGeneric<nn::TanhOp>, ElementwiseToGeneric<nn::EluOp>,
               ElementwiseToGeneric<nn::AddOp>,
               ElementwiseToGeneric<nn::SubOp>, ElementwiseToGeneric<nn::MulOp>,
               ElementwiseToGeneric<nn::DivOp>, ElementwiseToGeneric<nn::PowOp>,
               ElementwiseToGeneric<nn::MaximumOp>,
               ElementwiseToGeneric<nn::MinimumOp>,
               ElementwiseToGeneric<nn::BiasAddOp>,
               ElementwiseToGeneric<nn::StepOp>, SoftmaxToLinalg>(ctx);
}
