//===- Pooling.cpp - pooling, its gradients, resampling and borders -------===//
//
// Pooling reads a padded input through the map (n, i*sh + a, j*sw + b, c)
// over loops (n, i, j, a, b, c), channels innermost; the window's extent
// comes from a shape-only [KH, KW] operand, as in linalg's named pooling
// ops. Padding holds the reduction's identity (-inf for max, +inf for min,
// 0 for avg), and an average divides by the real elements of its window,
// counted at compile time.
//
// The gradient of max and min pooling first records, per window, the tap of
// its first extreme (a two-result reduction, strict comparison in row-major
// tap order); then every input element sums the gradients of the windows
// whose recorded tap it is. That second step is written from the input's
// side (a gather with index arithmetic), so no scatter and no atomic is
// needed and the loop over input elements stays parallel.
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
using utils::IteratorType;

namespace {

enum class Kind { Max, Min, Avg };

Kind kindOf(StringRef k) {
  return k == "max" ? Kind::Max : k == "min" ? Kind::Min : Kind::Avg;
}

/// The element padding holds: the identity of the window's reduction.
double identity(Kind kind) {
  return kind == Kind::Max   ? -INFINITY
         : kind == Kind::Min ? INFINITY
                             : 0.0;
}

/// The loops of a window op: n, i, j (the output position), then the tap
/// a, b, then the channel.
constexpr unsigned kTapA = 3, kTapB = 4, kChannel = 5;

/// The window geometry shared by pool2d, pool2d_grad and pool2d_gather.
struct Window {
  ArrayRef<int64_t> size, strides, padding;
  template <typename Op>
  static Window of(Op op) {
    return {op.getWindow(), op.getStrides(), op.getPadding()};
  }
};

Value padFor(OpBuilder &b, Location loc, Value x, const Window &w,
             double value) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(x.getType()).getShape();
  return padImage(b, loc, x, {w.padding[0], w.padding[2]},
                  {s[1] + w.padding[0] + w.padding[1],
                   s[2] + w.padding[2] + w.padding[3]},
                  {1, 1}, value);
}

/// Maps over loops (n, i, j, a, b, c): the window's taps (reductions)
/// outside the channels, so that the innermost loop walks contiguous
/// channels (NHWC) and vectorizes; with the taps innermost, each element of
/// the output took a scalar loop over its window (the CIFAR CNN's max-pool
/// gradient: 2.4 ns per element).
AffineMap tapRead(MLIRContext *ctx, ArrayRef<int64_t> strides) {
  auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
  return AffineMap::get(
      6, 0, {d(0), d(1) * strides[0] + d(3), d(2) * strides[1] + d(4), d(5)},
      ctx);
}
AffineMap tapIndex(MLIRContext *ctx) {
  return AffineMap::get(6, 0, {getAffineDimExpr(kTapA, ctx),
                               getAffineDimExpr(kTapB, ctx)},
                        ctx);
}
AffineMap position(MLIRContext *ctx) {
  auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
  return AffineMap::get(6, 0, {d(0), d(1), d(2), d(kChannel)}, ctx);
}
SmallVector<IteratorType> windowIterators() {
  SmallVector<IteratorType> it(3, IteratorType::parallel);
  it.append(2, IteratorType::reduction);
  it.push_back(IteratorType::parallel);
  return it;
}

/// The shape-only operand whose sizes are the window's loop ranges.
Value windowOperand(OpBuilder &b, Location loc, const Window &w, Type elt) {
  return tensor::EmptyOp::create(b, loc, w.size, elt);
}

Value filled(OpBuilder &b, Location loc, RankedTensorType type, Value like,
             TypedAttr value) {
  Value empty = emptyTensor(b, loc, type, {like});
  Value v = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, v, empty).getResult(0);
}

/// The number of real (unpadded) elements in each window of an average
/// pooling of `x` into `out`, as a constant broadcastable to `out`: a
/// scalar when every window is whole, else an [OH, OW, 1] table.
Value windowCounts(OpBuilder &b, Location loc, RankedTensorType x,
                   RankedTensorType out, const Window &w) {
  SmallVector<int64_t> counts[2];
  bool whole = true;
  for (int d = 0; d < 2; ++d) {
    for (int64_t i = 0; i < out.getDimSize(1 + d); ++i) {
      int64_t first = i * w.strides[d] - w.padding[2 * d];
      int64_t lo = std::max<int64_t>(first, 0);
      int64_t hi = std::min<int64_t>(first + w.size[d], x.getDimSize(1 + d));
      counts[d].push_back(hi - lo);
      whole &= hi - lo == w.size[d];
    }
  }
  Type elt = x.getElementType();
  if (whole) {
    auto type = RankedTensorType::get({}, elt);
    return arith::ConstantOp::create(
        b, loc, type,
        DenseElementsAttr::get(
            type, b.getFloatAttr(elt, double(w.size[0] * w.size[1]))));
  }
  auto type = RankedTensorType::get(
      {out.getDimSize(1), out.getDimSize(2), 1}, elt);
  SmallVector<Attribute> values;
  for (int64_t h : counts[0])
    for (int64_t v : counts[1])
      values.push_back(b.getFloatAttr(elt, double(h * v)));
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, values));
}

Value divideByCounts(OpBuilder &b, Location loc, Value v, Value counts) {
  auto type = cast<RankedTensorType>(v.getType());
  return elementwise(b, loc, type, {v, counts},
                     [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       return arith::DivFOp::create(nb, nl, a[0], a[1]);
                     },
                     {v});
}

struct Pool2DToLinalg : OpConversionPattern<nn::Pool2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Pool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    Window w = Window::of(op);
    Kind kind = kindOf(op.getKind());
    auto type = cast<RankedTensorType>(op.getType());
    Type elt = type.getElementType();
    Value x = adaptor.getX();
    Value xp = padFor(rewriter, loc, x, w, identity(kind));
    Value acc = filled(rewriter, loc, type, x,
                       rewriter.getFloatAttr(elt, identity(kind)));
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, type,
            ValueRange{xp, windowOperand(rewriter, loc, w, elt)}, acc,
            {tapRead(ctx, w.strides), tapIndex(ctx), position(ctx)},
            windowIterators(),
            [&](OpBuilder &b, Location l, ValueRange v) {
              Value r;
              if (kind == Kind::Max)
                r = arith::MaximumFOp::create(b, l, v[0], v[2]);
              else if (kind == Kind::Min)
                r = arith::MinimumFOp::create(b, l, v[0], v[2]);
              else
                r = arith::AddFOp::create(b, l, v[0], v[2]);
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    if (kind == Kind::Avg)
      result = divideByCounts(
          rewriter, loc, result,
          windowCounts(rewriter, loc, cast<RankedTensorType>(x.getType()),
                       type, w));
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// For each window of `x`, the tap (a * KW + b, i32) of its first extreme
/// and, when `g` is given, g's element there. Returns {taps, picked g}.
std::pair<Value, Value> firstExtreme(OpBuilder &b, Location loc, Value x,
                                     Value g, RankedTensorType outType,
                                     const Window &w, Kind kind) {
  MLIRContext *ctx = b.getContext();
  Type elt = outType.getElementType();
  Value xp = padFor(b, loc, x, w, identity(kind));
  SmallVector<Value> inputs{xp};
  SmallVector<AffineMap> maps{tapRead(ctx, w.strides)};
  if (g) {
    inputs.push_back(padFor(b, loc, g, w, 0.0));
    maps.push_back(tapRead(ctx, w.strides));
  }
  inputs.push_back(windowOperand(b, loc, w, elt));
  maps.push_back(tapIndex(ctx));
  auto tapType = RankedTensorType::get(outType.getShape(), b.getI32Type());
  SmallVector<Value> outs{
      filled(b, loc, outType, x, b.getFloatAttr(elt, identity(kind))),
      filled(b, loc, tapType, x, b.getI32IntegerAttr(0))};
  SmallVector<Type> types{outType, tapType};
  maps.push_back(position(ctx));
  maps.push_back(position(ctx));
  if (g) {
    outs.push_back(filled(b, loc, outType, x, b.getFloatAttr(elt, 0.0)));
    types.push_back(outType);
    maps.push_back(position(ctx));
  }
  int64_t kw = w.size[1];
  auto generic = linalg::GenericOp::create(
      b, loc, types, inputs, outs, maps, windowIterators(),
      [&](OpBuilder &nb, Location l, ValueRange v) {
        // v: x tap, [g tap], window, best, tap index, [picked g]
        Value xv = v[0];
        unsigned o = g ? 3 : 2;
        Value best = v[o], bestTap = v[o + 1];
        Value better = arith::CmpFOp::create(
            nb, l,
            kind == Kind::Max ? arith::CmpFPredicate::OGT
                              : arith::CmpFPredicate::OLT,
            xv, best);
        Value a = linalg::IndexOp::create(nb, l, kTapA);
        Value bb = linalg::IndexOp::create(nb, l, kTapB);
        Value tap = arith::AddIOp::create(
            nb, l,
            arith::MulIOp::create(nb, l, a,
                                  arith::ConstantIndexOp::create(nb, l, kw)),
            bb);
        tap = arith::IndexCastOp::create(nb, l, nb.getI32Type(), tap);
        SmallVector<Value> yields{
            arith::SelectOp::create(nb, l, better, xv, best),
            arith::SelectOp::create(nb, l, better, tap, bestTap)};
        if (g)
          yields.push_back(
              arith::SelectOp::create(nb, l, better, v[1], v[o + 2]));
        linalg::YieldOp::create(nb, l, yields);
      });
  return {generic.getResult(1), g ? generic.getResult(2) : Value()};
}

/// dx[n, h, w, c] = sum over the windows (i, j) that contain (h, w) at tap
/// (a, b) of src[n, i, j, c], counting only windows whose recorded tap is
/// (a, b) when `taps` is given.
Value gatherFromWindows(OpBuilder &b, Location loc, Value src, Value taps,
                        RankedTensorType dxType, Value sizeSource,
                        const Window &w) {
  MLIRContext *ctx = b.getContext();
  Type elt = dxType.getElementType();
  ArrayRef<int64_t> outShape =
      cast<RankedTensorType>(src.getType()).getShape();
  Value acc = filled(b, loc, dxType, sizeSource, b.getFloatAttr(elt, 0.0));
  // Loops (n, h, w, a, b, c): the position is the result's, the taps the
  // window's.
  auto generic = linalg::GenericOp::create(
      b, loc, dxType, ValueRange{windowOperand(b, loc, w, elt)}, acc,
      {tapIndex(ctx), position(ctx)}, windowIterators(),
      [&](OpBuilder &nb, Location l, ValueRange v) {
        auto idx = [&](int64_t k) { return arith::ConstantIndexOp::create(nb, l, k); };
        Value zero = idx(0);
        Value valid;
        SmallVector<Value> window;
        for (int d = 0; d < 2; ++d) {
          // The window whose tap (a or b) lands on this row or column
          // starts at h + pad - a, which must be a multiple of the stride
          // of a window that exists.
          Value pos = linalg::IndexOp::create(nb, l, 1 + d);
          Value tap = linalg::IndexOp::create(nb, l, kTapA + d);
          Value start = arith::SubIOp::create(
              nb, l, arith::AddIOp::create(nb, l, pos, idx(w.padding[2 * d])),
              tap);
          Value stride = idx(w.strides[d]);
          Value q = arith::DivSIOp::create(nb, l, start, stride);
          Value ok = arith::AndIOp::create(
              nb, l,
              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, start,
                                    zero),
              arith::AndIOp::create(
                  nb, l,
                  arith::CmpIOp::create(
                      nb, l, arith::CmpIPredicate::eq,
                      arith::RemSIOp::create(nb, l, start, stride), zero),
                  arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, q,
                                        idx(outShape[1 + d]))));
          valid = valid ? arith::AndIOp::create(nb, l, valid, ok).getResult()
                        : ok;
          window.push_back(q);
        }
        // Out-of-range windows read element (n, 0, 0, c) and discard it.
        window[0] = arith::SelectOp::create(nb, l, valid, window[0], zero);
        window[1] = arith::SelectOp::create(nb, l, valid, window[1], zero);
        SmallVector<Value> at{linalg::IndexOp::create(nb, l, 0), window[0],
                              window[1],
                              linalg::IndexOp::create(nb, l, kChannel)};
        Value value = tensor::ExtractOp::create(nb, l, src, at);
        if (taps) {
          Value a = linalg::IndexOp::create(nb, l, kTapA);
          Value bb = linalg::IndexOp::create(nb, l, kTapB);
          Value tap = arith::AddIOp::create(
              nb, l, arith::MulIOp::create(nb, l, a, idx(w.size[1])), bb);
          tap = arith::IndexCastOp::create(nb, l, nb.getI32Type(), tap);
          Value recorded = tensor::ExtractOp::create(nb, l, taps, at);
          valid = arith::AndIOp::create(
              nb, l, valid,
              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, tap,
                                    recorded));
        }
        Value zeroF = floatConst(nb, l, elt, 0.0);
        Value add = arith::SelectOp::create(nb, l, valid, value, zeroF);
        linalg::YieldOp::create(nb, l,
                                arith::AddFOp::create(nb, l, v[1], add)
                                    .getResult());
      });
  return generic.getResult(0);
}

struct Pool2DGradToLinalg : OpConversionPattern<nn::Pool2DGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Pool2DGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Window w = Window::of(op);
    Kind kind = kindOf(op.getKind());
    Value x = adaptor.getX(), dy = adaptor.getDy();
    auto dxType = cast<RankedTensorType>(op.getType());
    auto dyType = cast<RankedTensorType>(dy.getType());
    Value result;
    if (kind == Kind::Avg) {
      Value share = divideByCounts(
          rewriter, loc, dy, windowCounts(rewriter, loc, dxType, dyType, w));
      result = gatherFromWindows(rewriter, loc, share, nullptr, dxType, x, w);
    } else {
      Value taps =
          firstExtreme(rewriter, loc, x, nullptr, dyType, w, kind).first;
      result = gatherFromWindows(rewriter, loc, dy, taps, dxType, x, w);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct Pool2DGatherToLinalg : OpConversionPattern<nn::Pool2DGatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Pool2DGatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    rewriter.replaceOp(op, firstExtreme(rewriter, op.getLoc(), adaptor.getX(),
                                        adaptor.getG(), type, Window::of(op),
                                        kindOf(op.getKind()))
                               .second);
    return success();
  }
};

struct Upsample2DToLinalg : OpConversionPattern<nn::Upsample2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Upsample2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    auto type = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> size = op.getSize();
    auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
    AffineMap read = AffineMap::get(
        4, 0, {d(0), d(1).floorDiv(size[0]), d(2).floorDiv(size[1]), d(3)},
        ctx);
    Value init = emptyTensor(rewriter, loc, type, {adaptor.getX()});
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, type, ValueRange{adaptor.getX()}, init,
            {read, rewriter.getMultiDimIdentityMap(4)},
            SmallVector<IteratorType>(4, IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange v) {
              linalg::YieldOp::create(b, l, v[0]);
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct Pad2DToLinalg : OpConversionPattern<nn::Pad2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Pad2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ArrayRef<int64_t> p = op.getPadding();
    ArrayRef<int64_t> out = op.getType().getShape();
    rewriter.replaceOp(op, padImage(rewriter, op.getLoc(), adaptor.getX(),
                                    {p[0], p[2]}, {out[1], out[2]}, {1, 1},
                                    0.0));
    return success();
  }
};

struct Crop2DToLinalg : OpConversionPattern<nn::Crop2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::Crop2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> c = op.getCropping();
    auto type = cast<RankedTensorType>(op.getType());
    Value x = adaptor.getX();
    SmallVector<OpFoldResult> offsets{rewriter.getIndexAttr(0),
                                      rewriter.getIndexAttr(c[0]),
                                      rewriter.getIndexAttr(c[2]),
                                      rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < 4; ++i)
      sizes.push_back(type.isDynamicDim(i)
                          ? OpFoldResult(tensor::DimOp::create(rewriter, loc,
                                                               x, i)
                                             .getResult())
                          : OpFoldResult(
                                rewriter.getIndexAttr(type.getDimSize(i))));
    SmallVector<OpFoldResult> strides(4, rewriter.getIndexAttr(1));
    rewriter.replaceOp(op, tensor::ExtractSliceOp::create(
                               rewriter, loc, type, x, offsets, sizes,
                               strides));
    return success();
  }
};

} // namespace

void nnc::populatePoolingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<Pool2DToLinalg, Pool2DGradToLinalg, Pool2DGatherToLinalg,
               Upsample2DToLinalg, Pad2DToLinalg, Crop2DToLinalg>(
      patterns.getContext());
}
