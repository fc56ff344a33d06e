//===- Convolution.cpp - conv2d and its two gradients to linalg -----------===//
//
// Each convolution becomes one matrix product on the contraction path that
// dense layers take (tiling, packing, register-blocked FMA micro-kernels,
// threads), over the image's windows laid out as rows (im2col):
//
//   P[n*OH*OW + i*OW + j, (a*KW + b)*C + c] = xp[n, i*sh + a*dh, j*sw + b*dw, c]
//
//   conv2d            y  = P @ w         w as [KH*KW*C, F]
//   backprop_filter   dw = P^T @ dy      (the transpose is read in place)
//   backprop_input    dx = P' @ w'       P' the windows of dy spread by the
//                                        stride and padded by the kernel's
//                                        reach less the forward padding,
//                                        w' the kernel flipped, [KH*KW*F, C]
//                     (unit strides)     G = dy @ w^T, then each kernel
//                                        tap's slice of G added into dx
//                                        at its offset (no window copy)
//
// xp is x padded with zeros (Common.cpp's padImage). A 1x1 kernel with unit
// strides needs no window copy: P is x itself, reshaped. The copy costs
// KH*KW times the input in memory traffic. With implicit-kernel-gradients
// (the CPU pipeline) a unit-stride, undilated backprop_filter reads xp in
// place instead (implicitKernelGradient below), and with
// implicit-convolutions so do the forward convolution (implicitConvolution)
// and the input gradient (the implicit convolution of the padded dy with
// the flipped kernel); the strided input gradient still copies its windows.
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

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// The batch size of an NHWC tensor, as an OpFoldResult.
OpFoldResult batchOf(OpBuilder &b, Location loc, Value v) {
  RankedTensorType t = typeOf(v);
  if (!t.isDynamicDim(0))
    return b.getIndexAttr(t.getDimSize(0));
  return tensor::DimOp::create(b, loc, v, 0).getResult();
}

/// The window geometry of one convolution.
struct Windows {
  int64_t kh, kw;
  ArrayRef<int64_t> strides, dilations;
  int64_t outH, outW;
};

/// A copy of `src` read through `read` into a new tensor of `shape` (the
/// batch, dimension 0, taken from `batchSource` when dynamic).
Value gatherCopy(OpBuilder &b, Location loc, Value src, AffineMap read,
                 ArrayRef<int64_t> shape, Value batchSource) {
  auto type = RankedTensorType::get(shape, typeOf(src).getElementType());
  SmallVector<Value> batch;
  if (type.isDynamicDim(0))
    batch.push_back(tensor::DimOp::create(b, loc, batchSource, 0));
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType(), batch);
  unsigned loops = shape.size();
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{src}, init,
             {read, b.getMultiDimIdentityMap(loops)},
             SmallVector<utils::IteratorType>(loops,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location nl, ValueRange v) {
               linalg::YieldOp::create(nb, nl, v[0]);
             })
      .getResult(0);
}

/// The rows of the product: each output position's window of `xp` (already
/// padded), [N*OH*OW, KH*KW*C].
Value windowRows(OpBuilder &b, Location loc, Value xp, const Windows &w) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType xt = typeOf(xp);
  int64_t n = xt.getDimSize(0), c = xt.getDimSize(3);
  bool direct = w.kh == 1 && w.kw == 1 && w.strides[0] == 1 &&
                w.strides[1] == 1 && xt.getDimSize(1) == w.outH &&
                xt.getDimSize(2) == w.outW;
  auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
  Value rows = xp;
  if (!direct && w.dilations[1] == 1) {
    // A window's row segment (b, c) is contiguous in NHWC: with xp as
    // [N, Hp, Wp*C], (n, i, j, a, q) <- xp[n, i*sh + a*dh, j*sw*C + q] for
    // q < KW*C, the same rows in the same layout with one long unit-stride
    // inner loop instead of C-long ones (the CIFAR CNN's first convolution
    // has C = 3: its window copy ran at a few GB/s).
    Value flat = tensor::CollapseShapeOp::create(
        b, loc, xp, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    AffineMap read = AffineMap::get(
        5, 0,
        {d(0), d(1) * w.strides[0] + d(3) * w.dilations[0],
         d(2) * (w.strides[1] * c) + d(4)},
        ctx);
    rows = gatherCopy(b, loc, flat, read,
                      {n, w.outH, w.outW, w.kh, w.kw * c}, xp);
  } else if (!direct) {
    // (n, i, j, a, b, c) <- xp[n, i*sh + a*dh, j*sw + b*dw, c]
    AffineMap read = AffineMap::get(
        6, 0,
        {d(0), d(1) * w.strides[0] + d(3) * w.dilations[0],
         d(2) * w.strides[1] + d(4) * w.dilations[1], d(5)},
        ctx);
    rows = gatherCopy(b, loc, xp, read, {n, w.outH, w.outW, w.kh, w.kw, c},
                      xp);
  }
  int64_t rank = typeOf(rows).getRank();
  SmallVector<ReassociationIndices> groups{{0, 1, 2}, {}};
  for (int64_t i = 3; i < rank; ++i)
    groups[1].push_back(i);
  return tensor::CollapseShapeOp::create(b, loc, rows, groups);
}

/// A [KH, KW, X, Y] kernel as the [KH*KW*X, Y] matrix.
Value kernelMatrix(OpBuilder &b, Location loc, Value w) {
  return tensor::CollapseShapeOp::create(
      b, loc, w, SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
}

/// The transpose of a matrix, which the contraction that reads it reads in
/// place (nnc-fold-transposes-into-contractions).
Value transposed(OpBuilder &b, Location loc, Value m) {
  RankedTensorType t = typeOf(m);
  auto tType = RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)},
                                     t.getElementType());
  SmallVector<Value> sizes;
  if (t.isDynamicDim(1))
    sizes.push_back(tensor::DimOp::create(b, loc, m, 1));
  if (t.isDynamicDim(0))
    sizes.push_back(tensor::DimOp::create(b, loc, m, 0));
  Value init = tensor::EmptyOp::create(b, loc, tType, sizes);
  return linalg::TransposeOp::create(b, loc, m, init, ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// lhs @ rhs into a zeroed [M, N] accumulator, either operand given as its
/// transpose.
Value product(OpBuilder &b, Location loc, Value lhs, Value rhs,
              bool lhsTransposed, bool rhsTransposed = false) {
  if (lhsTransposed)
    lhs = transposed(b, loc, lhs);
  if (rhsTransposed)
    rhs = transposed(b, loc, rhs);
  auto type = RankedTensorType::get(
      {typeOf(lhs).getDimSize(0), typeOf(rhs).getDimSize(1)},
      typeOf(lhs).getElementType());
  return zeroedMatmul(b, loc, type, lhs, rhs);
}

/// [N*OH*OW, F] rows back to [N, OH, OW, F] (`batchSource` gives N).
Value toImage(OpBuilder &b, Location loc, Value rows, RankedTensorType type,
              Value batchSource) {
  SmallVector<OpFoldResult> shape{batchOf(b, loc, batchSource),
                                  b.getIndexAttr(type.getDimSize(1)),
                                  b.getIndexAttr(type.getDimSize(2)),
                                  b.getIndexAttr(type.getDimSize(3))};
  return tensor::ExpandShapeOp::create(
      b, loc, type, rows, SmallVector<ReassociationIndices>{{0, 1, 2}, {3}},
      shape);
}

/// x padded by the op's padding (rows and columns of zeros).
Value padInput(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> padding) {
  ArrayRef<int64_t> s = typeOf(x).getShape();
  return padImage(b, loc, x, {padding[0], padding[2]},
                  {s[1] + padding[0] + padding[1], s[2] + padding[2] + padding[3]},
                  {1, 1}, 0.0);
}

/// y of a unit-stride, undilated convolution read from the padded input
/// itself: y[n, i, j, f] = sum over (a, q) of xp[n, i + a, j*C + q] *
/// w[a, q, f], xp as [N, Hp, Wp*C], w as [KH, KW*C, F]. One generic into a
/// zeroed y, marked for nnc-lower-implicit-convolutions: no window copy
/// (6.2 MB for the CIFAR-10 CNN's first convolution at batch 64) is
/// written and read back.
Value implicitConvolution(OpBuilder &b, Location loc, Value xp, Value w,
                          RankedTensorType type, Value batchSource) {
  MLIRContext *ctx = b.getContext();
  ArrayRef<int64_t> k = typeOf(w).getShape();
  int64_t c = k[2];
  Type elt = type.getElementType();
  Value flat = tensor::CollapseShapeOp::create(
      b, loc, xp, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  Value kernel = tensor::CollapseShapeOp::create(
      b, loc, w, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}});
  SmallVector<Value> batch;
  if (type.isDynamicDim(0))
    batch.push_back(tensor::DimOp::create(b, loc, batchSource, 0));
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), elt, batch);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
  Value acc = linalg::FillOp::create(b, loc, zero, init).getResult(0);
  // Loops (n, i, j, f, a, q).
  using utils::IteratorType;
  SmallVector<IteratorType> iters(4, IteratorType::parallel);
  iters.append(2, IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, type, ValueRange{flat, kernel}, acc,
      nn::implicitConvolutionMaps(ctx, c), iters,
      [](OpBuilder &nb, Location nl, ValueRange v) {
        Value p = arith::MulFOp::create(nb, nl, v[0], v[1]);
        Value s = arith::AddFOp::create(nb, nl, v[2], p);
        linalg::YieldOp::create(nb, nl, s);
      });
  generic->setAttr(nn::kImplicitConvolutionAttr, b.getI64IntegerAttr(c));
  return generic.getResult(0);
}

struct Conv2DToLinalg : OpConversionPattern<nn::Conv2DOp> {
  Conv2DToLinalg(MLIRContext *ctx, bool implicit)
      : OpConversionPattern(ctx), implicit(implicit) {}
  bool implicit;

  LogicalResult
  matchAndRewrite(nn::Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> k = op.getW().getType().getShape();
    Value xp = padInput(rewriter, loc, adaptor.getX(), op.getPadding());
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations();
    // A 1x1 kernel's product reads x in place already, and takes the dense
    // layers' path (tiles with the epilogue fused).
    if (implicit && strides[0] == 1 && strides[1] == 1 && dil[0] == 1 &&
        dil[1] == 1 && (k[0] != 1 || k[1] != 1)) {
      rewriter.replaceOp(op, implicitConvolution(rewriter, loc, xp,
                                                 adaptor.getW(), type,
                                                 adaptor.getX()));
      return success();
    }
    Windows w{k[0], k[1], op.getStrides(), op.getDilations(),
              type.getDimSize(1), type.getDimSize(2)};
    Value rows = product(rewriter, loc, windowRows(rewriter, loc, xp, w),
                         kernelMatrix(rewriter, loc, adaptor.getW()), false);
    rewriter.replaceOp(op, toImage(rewriter, loc, rows, type, adaptor.getX()));
    return success();
  }
};

/// dw of a unit-stride, undilated convolution read from the padded input
/// itself: dw[a, q, f] = sum over (n, i, j) of xp[n, i + a, j*C + q] *
/// dy[n, i, j, f], xp as [N, Hp, Wp*C] (a window row's KW*C values are
/// contiguous), dw as [KH, KW*C, F]. One generic, marked for
/// nnc-lower-implicit-kernel-gradients: the window copy (KH*KW times the
/// input, 6.2 MB for the CIFAR-10 CNN's first convolution) is neither
/// written nor read back, and the product streams only dy from memory.
Value implicitKernelGradient(OpBuilder &b, Location loc, Value xp, Value dy,
                             RankedTensorType type) {
  MLIRContext *ctx = b.getContext();
  int64_t kh = type.getDimSize(0), kw = type.getDimSize(1);
  int64_t c = type.getDimSize(2), f = type.getDimSize(3);
  Type elt = type.getElementType();
  Value flat = tensor::CollapseShapeOp::create(
      b, loc, xp, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  auto outType = RankedTensorType::get({kh, kw * c, f}, elt);
  Value init = tensor::EmptyOp::create(b, loc, outType.getShape(), elt);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
  Value acc = linalg::FillOp::create(b, loc, zero, init).getResult(0);
  // Loops (a, q, f, n, i, j).
  SmallVector<AffineMap, 3> maps = nn::implicitKernelGradientMaps(ctx, c);
  using utils::IteratorType;
  SmallVector<IteratorType> iters(3, IteratorType::parallel);
  iters.append(3, IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, outType, ValueRange{flat, dy}, acc, maps,
      iters, [](OpBuilder &nb, Location nl, ValueRange v) {
        Value p = arith::MulFOp::create(nb, nl, v[0], v[1]);
        Value s = arith::AddFOp::create(nb, nl, v[2], p);
        linalg::YieldOp::create(nb, nl, s);
      });
  generic->setAttr(nn::kImplicitKernelGradientAttr, b.getI64IntegerAttr(c));
  return tensor::ExpandShapeOp::create(
      b, loc, type, generic.getResult(0),
      SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}});
}

struct Conv2DBackpropFilterToLinalg
    : OpConversionPattern<nn::Conv2DBackpropFilterOp> {
  Conv2DBackpropFilterToLinalg(MLIRContext *ctx, bool implicit)
      : OpConversionPattern(ctx), implicit(implicit) {}
  bool implicit;

  LogicalResult
  matchAndRewrite(nn::Conv2DBackpropFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    RankedTensorType dyType = typeOf(adaptor.getDy());
    Value xp = padInput(rewriter, loc, adaptor.getX(), op.getPadding());
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations();
    if (implicit && strides[0] == 1 && strides[1] == 1 && dil[0] == 1 &&
        dil[1] == 1) {
      rewriter.replaceOp(op, implicitKernelGradient(rewriter, loc, xp,
                                                    adaptor.getDy(), type));
      return success();
    }
    Windows w{type.getDimSize(0), type.getDimSize(1), op.getStrides(),
              op.getDilations(), dyType.getDimSize(1), dyType.getDimSize(2)};
    Value dy = tensor::CollapseShapeOp::create(
        rewriter, loc, adaptor.getDy(),
        SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
    Value dw = product(rewriter, loc, windowRows(rewriter, loc, xp, w), dy,
                       /*lhsTransposed=*/true);
    rewriter.replaceOp(
        op, tensor::ExpandShapeOp::create(
                rewriter, loc, type, dw,
                SmallVector<ReassociationIndices>{{0, 1, 2}, {3}}));
    return success();
  }
};

/// dx of a unit-stride convolution: each output position's gradient
/// spread back over its window, G = dy @ w^T ([N*OH*OW, KH*KW*C], the
/// window's share of every input element), then added into the padded
/// input's gradient one kernel tap at a time: dxp[:, a*dh + i, b*dw + j, :]
/// += G[:, i, j, a, b, :]. Against the windows of dy times the flipped
/// kernel (the general path below), the product is a quarter smaller and
/// no window copy is written: the CIFAR-10 CNN's conv2 input gradient
/// wrote and read 33 MB of dy windows per step, G is 12.5 MB.
Value unitStrideInputGradient(OpBuilder &b, Location loc,
                              nn::Conv2DBackpropInputOp op, Value dy,
                              Value w) {
  auto type = cast<RankedTensorType>(op.getType());
  RankedTensorType dyType = typeOf(dy);
  ArrayRef<int64_t> k = op.getW().getType().getShape();
  ArrayRef<int64_t> dil = op.getDilations(), pad = op.getPadding();
  Type elt = type.getElementType();
  int64_t oh = dyType.getDimSize(1), ow = dyType.getDimSize(2);
  int64_t c = k[2];
  // G = dy @ w^T, w as the [KH*KW*C, F] matrix.
  Value dyRows = tensor::CollapseShapeOp::create(
      b, loc, dy, SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
  Value g = product(b, loc, dyRows, kernelMatrix(b, loc, w),
                    /*lhsTransposed=*/false, /*rhsTransposed=*/true);
  OpFoldResult n = batchOf(b, loc, dy);
  auto g6Type = RankedTensorType::get(
      {dyType.getDimSize(0), oh, ow, k[0], k[1], c}, elt);
  Value g6 = tensor::ExpandShapeOp::create(
      b, loc, g6Type, g,
      SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}},
      SmallVector<OpFoldResult>{n, b.getIndexAttr(oh), b.getIndexAttr(ow),
                                b.getIndexAttr(k[0]), b.getIndexAttr(k[1]),
                                b.getIndexAttr(c)});
  // The padded input's gradient, zeroed, then one accumulation per tap.
  int64_t hp = type.getDimSize(1) + pad[0] + pad[1];
  int64_t wp = type.getDimSize(2) + pad[2] + pad[3];
  auto dxpType = RankedTensorType::get({type.getDimSize(0), hp, wp, c}, elt);
  SmallVector<Value> batch;
  if (dxpType.isDynamicDim(0))
    batch.push_back(tensor::DimOp::create(b, loc, dy, 0));
  Value dxp = tensor::EmptyOp::create(b, loc, dxpType.getShape(), elt, batch);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
  dxp = linalg::FillOp::create(b, loc, zero, dxp).getResult(0);
  auto tapType = RankedTensorType::get({dyType.getDimSize(0), oh, ow, c}, elt);
  auto one = b.getIndexAttr(1);
  SmallVector<OpFoldResult> unit4(4, one), unit6(6, one);
  for (int64_t a = 0; a < k[0]; ++a) {
    for (int64_t bb = 0; bb < k[1]; ++bb) {
      Value tap = tensor::ExtractSliceOp::create(
          b, loc, tapType, g6,
          SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(0), b.getIndexAttr(a),
                                    b.getIndexAttr(bb), b.getIndexAttr(0)},
          SmallVector<OpFoldResult>{n, b.getIndexAttr(oh), b.getIndexAttr(ow),
                                    one, one, b.getIndexAttr(c)},
          unit6);
      SmallVector<OpFoldResult> at{b.getIndexAttr(0),
                                   b.getIndexAttr(a * dil[0]),
                                   b.getIndexAttr(bb * dil[1]),
                                   b.getIndexAttr(0)};
      SmallVector<OpFoldResult> extent{n, b.getIndexAttr(oh),
                                       b.getIndexAttr(ow), b.getIndexAttr(c)};
      Value part = tensor::ExtractSliceOp::create(b, loc, tapType, dxp, at,
                                                  extent, unit4);
      Value sum =
          linalg::GenericOp::create(
              b, loc, tapType, ValueRange{tap}, part,
              {b.getMultiDimIdentityMap(4), b.getMultiDimIdentityMap(4)},
              SmallVector<utils::IteratorType>(4,
                                               utils::IteratorType::parallel),
              [](OpBuilder &nb, Location nl, ValueRange v) {
                Value s = arith::AddFOp::create(nb, nl, v[1], v[0]);
                linalg::YieldOp::create(nb, nl, s);
              })
              .getResult(0);
      dxp = tensor::InsertSliceOp::create(b, loc, sum, dxp, at, extent, unit4);
    }
  }
  if (pad[0] == 0 && pad[1] == 0 && pad[2] == 0 && pad[3] == 0)
    return dxp;
  return tensor::ExtractSliceOp::create(
      b, loc, type, dxp,
      SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(pad[0]),
                                b.getIndexAttr(pad[2]), b.getIndexAttr(0)},
      SmallVector<OpFoldResult>{n, b.getIndexAttr(type.getDimSize(1)),
                                b.getIndexAttr(type.getDimSize(2)),
                                b.getIndexAttr(c)},
      unit4);
}

/// w'[a, b, f, c] = w[KH-1-a, KW-1-b, c, f]: the kernel of the convolution
/// of dy that is dx.
Value flippedKernel(OpBuilder &b, Location loc, Value w) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType kType = typeOf(w);
  ArrayRef<int64_t> k = kType.getShape();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineMap flipped =
      AffineMap::get(4, 0, {k[0] - 1 - d(0), k[1] - 1 - d(1), d(3), d(2)}, ctx);
  auto flippedType = RankedTensorType::get({k[0], k[1], k[3], k[2]},
                                           kType.getElementType());
  Value init = tensor::EmptyOp::create(b, loc, flippedType.getShape(),
                                       flippedType.getElementType());
  return linalg::GenericOp::create(
             b, loc, flippedType, ValueRange{w}, init,
             {flipped, b.getMultiDimIdentityMap(4)},
             SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location nl, ValueRange v) {
               linalg::YieldOp::create(nb, nl, v[0]);
             })
      .getResult(0);
}

struct Conv2DBackpropInputToLinalg
    : OpConversionPattern<nn::Conv2DBackpropInputOp> {
  Conv2DBackpropInputToLinalg(MLIRContext *ctx, bool implicit)
      : OpConversionPattern(ctx), implicit(implicit) {}
  bool implicit;

  LogicalResult
  matchAndRewrite(nn::Conv2DBackpropInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    RankedTensorType kType = op.getW().getType();
    ArrayRef<int64_t> k = kType.getShape();
    ArrayRef<int64_t> size = op.getInputSize();
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations();
    ArrayRef<int64_t> pad = op.getPadding();
    bool unitStrides = strides[0] == 1 && strides[1] == 1;
    int64_t reachH = (k[0] - 1) * dil[0], reachW = (k[1] - 1) * dil[1];
    // With implicit convolutions (the CPU), a unit-stride, undilated
    // kernel larger than 1x1 whose padding stays within its reach: dx is the
    // implicit convolution of dy, padded by the reach less the forward
    // padding, with the flipped kernel. It reads the padded dy in place
    // (the CIFAR-10 CNN's conv2: 4.7 MB) where G = dy @ w^T below writes
    // and reads back 25 MB.
    if (implicit && unitStrides && dil[0] == 1 && dil[1] == 1 &&
        (k[0] != 1 || k[1] != 1) && pad[0] <= reachH && pad[1] <= reachH &&
        pad[2] <= reachW && pad[3] <= reachW) {
      Value dyp = padImage(rewriter, loc, adaptor.getDy(),
                           {reachH - pad[0], reachW - pad[2]},
                           {size[0] + reachH, size[1] + reachW}, strides, 0.0);
      rewriter.replaceOp(
          op, implicitConvolution(rewriter, loc, dyp,
                                  flippedKernel(rewriter, loc, adaptor.getW()),
                                  type, adaptor.getDy()));
      return success();
    }
    if (unitStrides) {
      rewriter.replaceOp(op, unitStrideInputGradient(rewriter, loc, op,
                                                     adaptor.getDy(),
                                                     adaptor.getW()));
      return success();
    }
    // dy spread by the stride, starting at the kernel's reach less the
    // forward padding, inside rows H + (KH-1)*dh: a stride-1 convolution of
    // it with the flipped kernel is dx.
    Value dyp = padImage(rewriter, loc, adaptor.getDy(),
                         {reachH - pad[0], reachW - pad[2]},
                         {size[0] + reachH, size[1] + reachW}, strides, 0.0);
    Value wFlipped = flippedKernel(rewriter, loc, adaptor.getW());
    int64_t one[2] = {1, 1};
    Windows w{k[0], k[1], one, dil, size[0], size[1]};
    Value rows = product(rewriter, loc, windowRows(rewriter, loc, dyp, w),
                         kernelMatrix(rewriter, loc, wFlipped), false);
    rewriter.replaceOp(op,
                       toImage(rewriter, loc, rows, type, adaptor.getDy()));
    return success();
  }
};

} // namespace

void nnc::populateConvolutionToLinalgPatterns(RewritePatternSet &patterns,
                                              bool implicitKernelGradients,
                                              bool implicitConvolutions) {
  patterns.add<Conv2DBackpropInputToLinalg, Conv2DToLinalg>(
      patterns.getContext(), implicitConvolutions);
  patterns.add<Conv2DBackpropFilterToLinalg>(patterns.getContext(),
                                             implicitKernelGradients);
}
