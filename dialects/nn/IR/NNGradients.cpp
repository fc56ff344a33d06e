//===- NNGradients.cpp - each op's reverse-mode rule, in nn ops -----------===//
//
// The vector-Jacobian products of GradientOpInterface. Every rule builds
// plain nn ops (never a loop or a library call), so that a gradient can be
// differentiated again and so that the CPU and GPU pipelines lower gradients
// like any other computation. Operands that were broadcast get their
// gradient summed back to their own shape (unbroadcast).
//
// Conventions: `dy` is the gradient flowing into the op's result, `y` the
// result itself (reused where the derivative is cheapest in terms of it, as
// for exp, tanh and sigmoid).
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/IR/NNBuilder.h"
#include "dialects/nn/IR/NNShapes.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace nnc::nn;

namespace {

/// NNBuilder plus the shape moves gradient rules share.
struct G : NNBuilder {
  Value transpose(Value a) { return TransposeOp::create(b, loc, a); }
  Value matmul(Value a, Value c) { return MatmulOp::create(b, loc, a, c); }
  Value reshape(Value a, Type t) {
    return a.getType() == t ? a : ReshapeOp::create(b, loc, t, a).getResult();
  }
  Value broadcast(Value a, Value like) {
    return a.getType() == like.getType()
               ? a
               : BroadcastOp::create(b, loc, a, like).getResult();
  }

  /// `g` (of a broadcast result's shape) summed back to `type`.
  Value unbroadcast(Value g, Type type) {
    if (!g || g.getType() == type)
      return g;
    auto gt = cast<RankedTensorType>(g.getType());
    auto tt = cast<RankedTensorType>(type);
    int64_t offset = gt.getRank() - tt.getRank();
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < gt.getRank(); ++i)
      if (i < offset ||
          (tt.getDimSize(i - offset) == 1 && gt.getDimSize(i) != 1))
        axes.push_back(i);
    // An empty axis list would mean "all axes" to reduce_sum.
    Value reduced = axes.empty() ? g : sum(g, axes, false);
    return reshape(reduced, type);
  }

  /// The gradient of a reduction's result spread back over `x`: reshaped to
  /// the keepdims shape, then broadcast.
  Value spread(Value dy, Value x, std::optional<ArrayRef<int64_t>> axes,
               bool keepdims) {
    auto xt = cast<RankedTensorType>(x.getType());
    auto normal = normalizeAxes(axes ? *axes : ArrayRef<int64_t>{},
                                xt.getRank());
    Shape kept = reducedShape(xt.getShape(), *normal, true);
    if (!keepdims)
      dy = reshape(dy, RankedTensorType::get(kept, xt.getElementType()));
    return broadcast(dy, x);
  }
};

G at(OpBuilder &b, Operation *op) { return G{{b, op->getLoc()}}; }

/// Whether `v` is a constant (a rule's gradient for it would be dropped).
bool isConstant(Value v) { return v.getDefiningOp<arith::ConstantOp>(); }

} // namespace

#define NN_GRADIENT(OP)                                                        \
  LogicalResult OP::buildGradients(OpBuilder &builder,                         \
                                   ArrayRef<Value> resultGrads,                \
                                   SmallVectorImpl<Value> &operandGrads)

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

NN_GRADIENT(NegOp) {
  operandGrads.push_back(at(builder, *this).neg(resultGrads[0]));
  return success();
}
NN_GRADIENT(ExpOp) {
  operandGrads.push_back(at(builder, *this).mul(resultGrads[0], getResult()));
  return success();
}
NN_GRADIENT(LogOp) {
  operandGrads.push_back(at(builder, *this).div(resultGrads[0], getX()));
  return success();
}
NN_GRADIENT(SqrtOp) { // dy / (2 sqrt(x))
  G g = at(builder, *this);
  operandGrads.push_back(
      g.div(g.mul(resultGrads[0], g.cst(getX(), 0.5)), getResult()));
  return success();
}
NN_GRADIENT(AbsOp) { // dy * sign(x)
  G g = at(builder, *this);
  Value sign = g.sub(g.step(getX()), g.step(g.neg(getX())));
  operandGrads.push_back(g.mul(resultGrads[0], sign));
  return success();
}
NN_GRADIENT(SinOp) {
  G g = at(builder, *this);
  operandGrads.push_back(
      g.mul(resultGrads[0], CosOp::create(builder, getLoc(), getX()).getResult()));
  return success();
}
NN_GRADIENT(CosOp) {
  G g = at(builder, *this);
  operandGrads.push_back(g.neg(
      g.mul(resultGrads[0], SinOp::create(builder, getLoc(), getX()))));
  return success();
}
NN_GRADIENT(ReluOp) {
  G g = at(builder, *this);
  operandGrads.push_back(g.mul(resultGrads[0], g.step(getX())));
  return success();
}
NN_GRADIENT(SigmoidOp) { // dy * y * (1 - y)
  G g = at(builder, *this);
  Value y = getResult();
  operandGrads.push_back(
      g.mul(resultGrads[0], g.mul(y, g.sub(g.cst(y, 1.0), y))));
  return success();
}
NN_GRADIENT(TanhOp) { // dy * (1 - y^2)
  G g = at(builder, *this);
  Value y = getResult();
  operandGrads.push_back(
      g.mul(resultGrads[0], g.sub(g.cst(y, 1.0), g.mul(y, y))));
  return success();
}
NN_GRADIENT(EluOp) { // dy * (1 if x > 0, else e^x = y + 1)
  G g = at(builder, *this);
  Value y = getResult(), positive = g.step(getX());
  Value one = g.cst(y, 1.0);
  Value slope = g.add(positive, g.mul(g.sub(one, positive), g.add(y, one)));
  operandGrads.push_back(g.mul(resultGrads[0], slope));
  return success();
}
NN_GRADIENT(StepOp) {
  operandGrads.push_back(nullptr);
  return success();
}
NN_GRADIENT(StopGradientOp) {
  operandGrads.push_back(nullptr);
  return success();
}

NN_GRADIENT(SoftmaxOp) { // y * (dy - sum(dy * y, axis))
  G g = at(builder, *this);
  Value y = getResult(), dy = resultGrads[0];
  auto axis = static_cast<int64_t>(getAxis());
  Value dot = g.sum(g.mul(dy, y), {axis}, /*keepdims=*/true);
  operandGrads.push_back(g.mul(y, g.sub(dy, dot)));
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise binary (broadcasting)
//===----------------------------------------------------------------------===//

NN_GRADIENT(AddOp) {
  G g = at(builder, *this);
  operandGrads.push_back(g.unbroadcast(resultGrads[0], getLhs().getType()));
  operandGrads.push_back(g.unbroadcast(resultGrads[0], getRhs().getType()));
  return success();
}
NN_GRADIENT(SubOp) {
  G g = at(builder, *this);
  operandGrads.push_back(g.unbroadcast(resultGrads[0], getLhs().getType()));
  operandGrads.push_back(
      g.unbroadcast(g.neg(resultGrads[0]), getRhs().getType()));
  return success();
}
NN_GRADIENT(MulOp) {
  G g = at(builder, *this);
  Value dy = resultGrads[0];
  operandGrads.push_back(isConstant(getLhs())
                             ? Value()
                             : g.unbroadcast(g.mul(dy, getRhs()),
                                             getLhs().getType()));
  operandGrads.push_back(isConstant(getRhs())
                             ? Value()
                             : g.unbroadcast(g.mul(dy, getLhs()),
                                             getRhs().getType()));
  return success();
}
NN_GRADIENT(DivOp) { // d(l/r) = dl / r - dr * l / r^2 = (dl - dr * y) / r
  G g = at(builder, *this);
  Value dy = resultGrads[0], r = getRhs();
  Value dyOverR = g.div(dy, r);
  operandGrads.push_back(
      isConstant(getLhs()) ? Value()
                           : g.unbroadcast(dyOverR, getLhs().getType()));
  operandGrads.push_back(
      isConstant(r) ? Value()
                    : g.unbroadcast(g.neg(g.mul(dyOverR, getResult())),
                                    r.getType()));
  return success();
}
NN_GRADIENT(PowOp) {
  // d(l^r)/dl = r * l^(r-1); d(l^r)/dr = l^r * log(l). A constant exponent
  // (x ^ 2) gets no gradient, which also keeps log(l) out of the IR for
  // negative bases.
  G g = at(builder, *this);
  Value dy = resultGrads[0], l = getLhs(), r = getRhs();
  Value rMinus1 = g.sub(r, g.cst(r, 1.0));
  Value dl = g.mul(dy, g.mul(r, g.pow(l, rMinus1)));
  operandGrads.push_back(g.unbroadcast(dl, l.getType()));
  if (isConstant(r)) {
    operandGrads.push_back(nullptr);
  } else {
    Value dr = g.mul(dy, g.mul(getResult(), g.log(l)));
    operandGrads.push_back(g.unbroadcast(dr, r.getType()));
  }
  return success();
}
NN_GRADIENT(MaximumOp) { // the larger operand takes the gradient
  G g = at(builder, *this);
  Value dy = resultGrads[0];
  Value lWins = g.step(g.sub(getLhs(), getRhs()));
  Value rWins = g.sub(g.cst(lWins, 1.0), lWins);
  operandGrads.push_back(g.unbroadcast(g.mul(dy, lWins), getLhs().getType()));
  operandGrads.push_back(g.unbroadcast(g.mul(dy, rWins), getRhs().getType()));
  return success();
}
NN_GRADIENT(MinimumOp) {
  G g = at(builder, *this);
  Value dy = resultGrads[0];
  Value lWins = g.step(g.sub(getRhs(), getLhs()));
  Value rWins = g.sub(g.cst(lWins, 1.0), lWins);
  operandGrads.push_back(g.unbroadcast(g.mul(dy, lWins), getLhs().getType()));
  operandGrads.push_back(g.unbroadcast(g.mul(dy, rWins), getRhs().getType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

NN_GRADIENT(MatmulOp) { // dx = dy w^T, dw = x^T dy
  G g = at(builder, *this);
  Value dy = resultGrads[0];
  Value x = getX();
  operandGrads.push_back(g.matmul(dy, g.transpose(getW())));
  // Rows of higher rank: dw sums over all of them, as one matrix of rows.
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() > 2) {
    auto rows = [&](Value v) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t n = 1;
      for (int64_t d : t.getShape().drop_front().drop_back())
        n *= d;
      int64_t lead = t.isDynamicDim(0) ? ShapedType::kDynamic
                                       : t.getDimSize(0) * n;
      return g.reshape(v, RankedTensorType::get({lead, t.getShape().back()},
                                                t.getElementType()));
    };
    x = rows(x);
    dy = rows(dy);
  }
  operandGrads.push_back(g.matmul(g.transpose(x), dy));
  return success();
}
NN_GRADIENT(BiasAddOp) {
  G g = at(builder, *this);
  Value dy = resultGrads[0];
  operandGrads.push_back(dy);
  operandGrads.push_back(g.unbroadcast(dy, getBias().getType()));
  return success();
}
NN_GRADIENT(TransposeOp) {
  operandGrads.push_back(at(builder, *this).transpose(resultGrads[0]));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and shapes
//===----------------------------------------------------------------------===//

NN_GRADIENT(ReduceSumOp) {
  operandGrads.push_back(at(builder, *this).spread(resultGrads[0], getX(),
                                                   getAxes(), getKeepdims()));
  return success();
}
NN_GRADIENT(ReduceMeanOp) {
  G g = at(builder, *this);
  Value n = CountOp::create(builder, getLoc(), getX(), getAxesAttr());
  operandGrads.push_back(
      g.spread(g.div(resultGrads[0], n), getX(), getAxes(), getKeepdims()));
  return success();
}
NN_GRADIENT(ReduceMaxOp) {
  // The elements equal to the maximum (max - x is 0 there, positive
  // elsewhere) share the gradient evenly, as TensorFlow's and JAX's rules
  // do: ties are common where values were copied (upsampling) or clipped
  // (relu), and giving each tie the whole gradient would count it k times.
  G g = at(builder, *this);
  Value x = getX();
  std::optional<ArrayRef<int64_t>> axes = getAxes();
  Value m = g.spread(getResult(), x, axes, getKeepdims());
  Value isMax = g.sub(g.cst(x, 1.0), g.step(g.sub(m, x)));
  Value ties = g.sum(isMax, axes ? *axes : ArrayRef<int64_t>{}, true);
  Value share = g.div(isMax, g.broadcast(ties, x));
  operandGrads.push_back(
      g.mul(g.spread(resultGrads[0], x, axes, getKeepdims()), share));
  return success();
}
NN_GRADIENT(ReshapeOp) {
  operandGrads.push_back(
      at(builder, *this).reshape(resultGrads[0], getX().getType()));
  return success();
}
NN_GRADIENT(BroadcastOp) {
  operandGrads.push_back(
      at(builder, *this).unbroadcast(resultGrads[0], getX().getType()));
  operandGrads.push_back(nullptr);
  return success();
}
NN_GRADIENT(CountOp) {
  operandGrads.push_back(nullptr);
  return success();
}
NN_GRADIENT(EmbeddingOp) {
  // Token ids are data: no gradient. The table's rows sum their positions'.
  operandGrads.push_back(nullptr);
  operandGrads.push_back(EmbeddingGradOp::create(
      builder, getLoc(), getIds(), resultGrads[0],
      builder.getI64IntegerAttr(getTable().getType().getDimSize(0))));
  return success();
}
NN_GRADIENT(EmbeddingGradOp) {
  // Linear in dy, whose gradient is g's rows picked by the same ids.
  operandGrads.push_back(nullptr);
  operandGrads.push_back(
      EmbeddingOp::create(builder, getLoc(), getIds(), resultGrads[0]));
  return success();
}
NN_GRADIENT(DropoutMaskOp) {
  // A constant of the step: neither the shape source nor the step number
  // has a gradient through it.
  operandGrads.push_back(nullptr);
  operandGrads.push_back(nullptr);
  return success();
}

//===----------------------------------------------------------------------===//
// Images. The convolution's three ops are linear in each operand and each
// one's gradients are the other two, so every order of derivative stays in
// this family; pooling's gradient and its transpose (pool2d_gather) likewise.
//===----------------------------------------------------------------------===//

/// [height, width] of an NHWC tensor or the leading two sizes of a kernel.
static DenseI64ArrayAttr spatialSize(OpBuilder &b, Value v, int64_t first) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(v.getType()).getShape();
  return b.getDenseI64ArrayAttr({s[first], s[first + 1]});
}

NN_GRADIENT(Conv2DOp) {
  Value dy = resultGrads[0];
  operandGrads.push_back(Conv2DBackpropInputOp::create(
      builder, getLoc(), dy, getW(), spatialSize(builder, getX(), 1),
      getStridesAttr(), getDilationsAttr(), getPaddingAttr()));
  operandGrads.push_back(Conv2DBackpropFilterOp::create(
      builder, getLoc(), getX(), dy, spatialSize(builder, getW(), 0),
      getStridesAttr(), getDilationsAttr(), getPaddingAttr()));
  return success();
}
NN_GRADIENT(Conv2DBackpropInputOp) { // the transpose's transpose: conv2d
  Value g = resultGrads[0];
  operandGrads.push_back(Conv2DOp::create(builder, getLoc(), g, getW(),
                                          getStridesAttr(), getDilationsAttr(),
                                          getPaddingAttr()));
  operandGrads.push_back(Conv2DBackpropFilterOp::create(
      builder, getLoc(), g, getDy(), spatialSize(builder, getW(), 0),
      getStridesAttr(), getDilationsAttr(), getPaddingAttr()));
  return success();
}
NN_GRADIENT(Conv2DBackpropFilterOp) {
  // sum(G * dw) = sum(dy * conv2d(x, G)): read off for x and for dy.
  Value g = resultGrads[0];
  operandGrads.push_back(Conv2DBackpropInputOp::create(
      builder, getLoc(), getDy(), g, spatialSize(builder, getX(), 1),
      getStridesAttr(), getDilationsAttr(), getPaddingAttr()));
  operandGrads.push_back(Conv2DOp::create(builder, getLoc(), getX(), g,
                                          getStridesAttr(), getDilationsAttr(),
                                          getPaddingAttr()));
  return success();
}

NN_GRADIENT(Pool2DOp) {
  operandGrads.push_back(Pool2DGradOp::create(
      builder, getLoc(), getX(), resultGrads[0], getKindAttr(),
      getWindowAttr(), getStridesAttr(), getPaddingAttr()));
  return success();
}
NN_GRADIENT(Pool2DGradOp) {
  // Piecewise constant in x (max, min) or independent of it (avg); linear
  // in dy, whose gradient is the transpose: a gather for max and min, and
  // average pooling itself for avg.
  Value g = resultGrads[0];
  operandGrads.push_back(nullptr);
  if (getKind() == "avg")
    operandGrads.push_back(Pool2DOp::create(builder, getLoc(), g, getKindAttr(),
                                            getWindowAttr(), getStridesAttr(),
                                            getPaddingAttr()));
  else
    operandGrads.push_back(Pool2DGatherOp::create(
        builder, getLoc(), getX(), g, getKindAttr(), getWindowAttr(),
        getStridesAttr(), getPaddingAttr()));
  return success();
}
NN_GRADIENT(Pool2DGatherOp) {
  operandGrads.push_back(nullptr);
  operandGrads.push_back(Pool2DGradOp::create(
      builder, getLoc(), getX(), resultGrads[0], getKindAttr(),
      getWindowAttr(), getStridesAttr(), getPaddingAttr()));
  return success();
}

NN_GRADIENT(ResampleOp) {
  // y = W x along the axis, so dx = W^T dy along it.
  auto w = getWeights();
  auto type = cast<ShapedType>(w.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  SmallVector<double> values(w.getValues<double>());
  SmallVector<double> transposed(values.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t p = 0; p < cols; ++p)
      transposed[p * rows + i] = values[i * cols + p];
  auto t = DenseElementsAttr::get(
      RankedTensorType::get({cols, rows}, type.getElementType()),
      ArrayRef<double>(transposed));
  operandGrads.push_back(ResampleOp::create(builder, getLoc(), resultGrads[0],
                                            getAxisAttr(),
                                            cast<DenseFPElementsAttr>(t)));
  return success();
}

NN_GRADIENT(Upsample2DOp) {
  // Each input element was copied into a size[0] x size[1] block: the
  // block's sum, as an average times the block size.
  G g = at(builder, *this);
  ArrayRef<int64_t> size = getSize();
  Value avg = Pool2DOp::create(builder, getLoc(), resultGrads[0],
                               builder.getStringAttr("avg"), getSizeAttr(),
                               getSizeAttr(),
                               builder.getDenseI64ArrayAttr({0, 0, 0, 0}));
  operandGrads.push_back(
      g.mul(avg, g.cst(avg, static_cast<double>(size[0] * size[1]))));
  return success();
}
NN_GRADIENT(Pad2DOp) {
  operandGrads.push_back(Crop2DOp::create(builder, getLoc(), resultGrads[0],
                                          getPaddingAttr()));
  return success();
}
NN_GRADIENT(Crop2DOp) {
  operandGrads.push_back(Pad2DOp::create(builder, getLoc(), resultGrads[0],
                                         getCroppingAttr()));
  return success();
}
