//===- Convolution.cpp - conv2d and its two gradients to linalg -----------===//
//
// Each op becomes a zero-padded operand (Common.cpp's padImage) and one
// linalg.generic whose indexing maps carry the window arithmetic
// (i*stride + a*dilation), so no im2col buffer is written:
//
//   conv2d            y[n,i,j,f]  += xp[n, i*sh + a*dh, j*sw + b*dw, c] * w[a,b,c,f]
//   backprop_filter  dw[a,b,c,f]  += xp[n, i*sh + a*dh, j*sw + b*dw, c] * dy[n,i,j,f]
//   backprop_input   dx[n,h,w,c]  += dyp[n, h + (KH-1-a)*dh, w + (KW-1-b)*dw, f] * w[a,b,c,f]
//
// backprop_input is the convolution of the gradient, spread out by the
// stride (zeros between its elements) and padded by the kernel's reach less
// the forward padding, with the kernel flipped; the flip is in the map, so
// the kernel is read in place.
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

/// A zero-filled accumulator of `type` and the generic that adds
/// `lhs * rhs` into it over the given maps (7 loops: 4 parallel, then 3
/// reductions).
Value multiplyAccumulate(OpBuilder &b, Location loc, RankedTensorType type,
                         Value lhs, Value rhs, ArrayRef<AffineMap> maps,
                         ValueRange sizeSources) {
  Value init = emptyTensor(b, loc, type, sizeSources);
  Value zero = floatConst(b, loc, type.getElementType(), 0.0);
  Value acc = linalg::FillOp::create(b, loc, zero, init).getResult(0);
  using utils::IteratorType;
  SmallVector<IteratorType> iterators(4, IteratorType::parallel);
  iterators.append(3, IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{lhs, rhs}, acc, maps, iterators,
             [](OpBuilder &nb, Location nl, ValueRange v) {
               Value p = arith::MulFOp::create(nb, nl, v[0], v[1]);
               linalg::YieldOp::create(nb, nl,
                                       arith::AddFOp::create(nb, nl, v[2], p)
                                           .getResult());
             })
      .getResult(0);
}

/// x padded by the op's padding (rows and columns of zeros).
Value padInput(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> padding) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(x.getType()).getShape();
  return padImage(b, loc, x, {padding[0], padding[2]},
                  {s[1] + padding[0] + padding[1], s[2] + padding[2] + padding[3]},
                  {1, 1}, 0.0);
}

/// The map (d0..d6) -> (d_n, d_i*s0 + d_a*r0, d_j*s1 + d_b*r1, d_c) reading
/// a padded image at a window tap.
AffineMap windowRead(MLIRContext *ctx, unsigned n, unsigned i, unsigned j,
                     unsigned a, unsigned bb, unsigned c,
                     ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
  return AffineMap::get(7, 0,
                        {d(n), d(i) * strides[0] + d(a) * dilations[0],
                         d(j) * strides[1] + d(bb) * dilations[1], d(c)},
                        ctx);
}

AffineMap dims(MLIRContext *ctx, ArrayRef<unsigned> which) {
  SmallVector<AffineExpr> exprs;
  for (unsigned k : which)
    exprs.push_back(getAffineDimExpr(k, ctx));
  return AffineMap::get(7, 0, exprs, ctx);
}

struct Conv2DToLinalg : OpConversionPattern<nn::Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    Value xp = padInput(rewriter, loc, adaptor.getX(), op.getPadding());
    // Loops (n, i, j, f, a, b, c).
    SmallVector<AffineMap> maps{
        windowRead(ctx, 0, 1, 2, 4, 5, 6, op.getStrides(), op.getDilations()),
        dims(ctx, {4, 5, 6, 3}), dims(ctx, {0, 1, 2, 3})};
    rewriter.replaceOp(op, multiplyAccumulate(rewriter, loc, op.getType(), xp,
                                              adaptor.getW(), maps,
                                              {adaptor.getX()}));
    return success();
  }
};

struct Conv2DBackpropFilterToLinalg
    : OpConversionPattern<nn::Conv2DBackpropFilterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Conv2DBackpropFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    Value xp = padInput(rewriter, loc, adaptor.getX(), op.getPadding());
    // Loops (a, b, c, f, n, i, j).
    SmallVector<AffineMap> maps{
        windowRead(ctx, 4, 5, 6, 0, 1, 2, op.getStrides(), op.getDilations()),
        dims(ctx, {4, 5, 6, 3}), dims(ctx, {0, 1, 2, 3})};
    rewriter.replaceOp(op, multiplyAccumulate(rewriter, loc, op.getType(), xp,
                                              adaptor.getDy(), maps, {}));
    return success();
  }
};

struct Conv2DBackpropInputToLinalg
    : OpConversionPattern<nn::Conv2DBackpropInputOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Conv2DBackpropInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    ArrayRef<int64_t> kernel = op.getW().getType().getShape();
    ArrayRef<int64_t> size = op.getInputSize();
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations();
    ArrayRef<int64_t> pad = op.getPadding();
    // dy spread by the stride, starting at the kernel's reach less the
    // forward padding, inside rows H + (KH-1)*dh.
    int64_t reachH = (kernel[0] - 1) * dil[0], reachW = (kernel[1] - 1) * dil[1];
    Value dyp = padImage(rewriter, loc, adaptor.getDy(),
                         {reachH - pad[0], reachW - pad[2]},
                         {size[0] + reachH, size[1] + reachW}, strides, 0.0);
    // Loops (n, h, w, c, a, b, f); the kernel tap a meets dyp's row
    // h + (KH-1-a)*dh.
    auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
    AffineMap dyMap = AffineMap::get(
        7, 0,
        {d(0), d(1) + reachH - d(4) * dil[0], d(2) + reachW - d(5) * dil[1],
         d(6)},
        ctx);
    SmallVector<AffineMap> maps{dyMap, dims(ctx, {4, 5, 3, 6}),
                                dims(ctx, {0, 1, 2, 3})};
    rewriter.replaceOp(op, multiplyAccumulate(rewriter, loc, op.getType(), dyp,
                                              adaptor.getW(), maps,
                                              {adaptor.getDy()}));
    return success();
  }
};

} // namespace

void nnc::populateConvolutionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DToLinalg, Conv2DBackpropFilterToLinalg,
               Conv2DBackpropInputToLinalg>(patterns.getContext());
}
