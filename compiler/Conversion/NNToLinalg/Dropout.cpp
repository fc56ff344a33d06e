//===- Dropout.cpp - nn.dropout_mask to a counter-based hash generic ------===//
//
// The mask is a pure function of (seed, step, element index): no generator
// state, no buffer of random numbers, nothing that depends on the order the
// elements are visited. The generic fuses into the multiplication that uses
// it, parallel and vectorisable like any elementwise chain, and the mask is
// the same for every thread count. The hash (docs/numerics.md) is the 32-bit
// "lowbias32" integer mixer applied twice per element.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/Common.h"
#include "compiler/Conversion/NNToLinalg/Patterns.h"

#include "dialects/nn/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;
using namespace nnc;

namespace {

constexpr uint32_t kMul1 = 0x7feb352d, kMul2 = 0x846ca68b;

/// lowbias32 on a compile-time value (the seed's half of the key).
uint32_t mixConstant(uint32_t x) {
  x ^= x >> 16;
  x *= kMul1;
  x ^= x >> 15;
  x *= kMul2;
  x ^= x >> 16;
  return x;
}

/// lowbias32 on an i32 value, in wrapping integer arithmetic.
Value mix(OpBuilder &b, Location loc, Value x) {
  Type i32 = b.getI32Type();
  auto c = [&](uint32_t v) {
    return arith::ConstantOp::create(b, loc,
                                     b.getIntegerAttr(i32, (int32_t)v));
  };
  auto xorShift = [&](Value v, uint32_t s) {
    return arith::XOrIOp::create(b, loc, v,
                                 arith::ShRUIOp::create(b, loc, v, c(s)));
  };
  x = xorShift(x, 16);
  x = arith::MulIOp::create(b, loc, x, c(kMul1));
  x = xorShift(x, 15);
  x = arith::MulIOp::create(b, loc, x, c(kMul2));
  return xorShift(x, 16);
}

struct DropoutMaskToLinalg : OpConversionPattern<nn::DropoutMaskOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::DropoutMaskOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type elt = type.getElementType();
    Type i32 = rewriter.getI32Type();
    double rate = op.getRate().convertToDouble();
    auto seed = static_cast<uint64_t>(op.getSeed());

    // key = mix(mix(seed_lo ^ mix(seed_hi)) ^ step), once per step.
    uint32_t seedKey = mixConstant(static_cast<uint32_t>(seed) ^
                                   mixConstant(static_cast<uint32_t>(seed >> 32)));
    Value step = tensor::ExtractOp::create(rewriter, loc, adaptor.getStep(),
                                           ValueRange{});
    Value stepBits = arith::FPToUIOp::create(rewriter, loc, i32, step);
    Value key = mix(rewriter, loc,
                    arith::XOrIOp::create(
                        rewriter, loc, stepBits,
                        arith::ConstantOp::create(
                            rewriter, loc,
                            rewriter.getIntegerAttr(i32, (int32_t)seedKey))));

    // Row-major strides of the element index: the sizes of every dimension
    // after the first, read at run time where dynamic.
    SmallVector<Value> sizes;
    for (int64_t d = 1; d < type.getRank(); ++d)
      sizes.push_back(
          type.isDynamicDim(d)
              ? tensor::DimOp::create(rewriter, loc, adaptor.getLike(), d)
                    .getResult()
              : arith::ConstantIndexOp::create(rewriter, loc,
                                               type.getDimSize(d))
                    .getResult());

    // Kept when the top 24 bits are >= ceil(rate * 2^24): probability
    // 1 - rate, exactly representable thresholds for every f32 rate.
    auto threshold =
        static_cast<uint32_t>(std::ceil(rate * 16777216.0));
    double scale = 1.0 / (1.0 - rate);
    Value result = elementwise(
        rewriter, loc, type, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Value index = linalg::IndexOp::create(b, l, 0);
          for (int64_t d = 1; d < type.getRank(); ++d)
            index = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, index, sizes[d - 1]),
                linalg::IndexOp::create(b, l, d));
          Value i = arith::IndexCastOp::create(b, l, i32, index);
          Value bits = mix(b, l,
                           arith::AddIOp::create(
                               b, l, mix(b, l, arith::XOrIOp::create(b, l, i, key)),
                               key));
          Value top = arith::ShRUIOp::create(
              b, l, bits,
              arith::ConstantOp::create(b, l, b.getIntegerAttr(i32, 8)));
          Value kept = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::uge, top,
              arith::ConstantOp::create(
                  b, l, b.getIntegerAttr(i32, (int32_t)threshold)));
          return arith::SelectOp::create(b, l, kept,
                                         floatConst(b, l, elt, scale),
                                         floatConst(b, l, elt, 0.0));
        },
        /*sizeSources=*/{adaptor.getLike()});
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void nnc::populateDropoutToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<DropoutMaskToLinalg>(patterns.getContext());
}
