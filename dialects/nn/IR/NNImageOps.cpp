//===- NNImageOps.cpp - convolution, pooling and resampling ops -----------===//
//
// Result types and verifiers of the NHWC image ops. The window geometry rules
// live in NNShapes.cpp (windowShape, conv2dShape) so that the front end
// reports a bad layer at its `.nn` line before any op is built; here they
// guard IR written by hand or by passes.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace nnc::nn;

namespace {

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}
Type elementOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// Whether `actual` is `expected` up to a dynamic batch on either side.
bool sameShape(ArrayRef<int64_t> actual, ArrayRef<int64_t> expected) {
  if (actual.size() != expected.size())
    return false;
  for (auto [a, e] : llvm::zip(actual, expected))
    if (a != e && !ShapedType::isDynamic(a) && !ShapedType::isDynamic(e))
      return false;
  return true;
}

LogicalResult invalid(std::optional<Location> loc, StringRef op,
                      const std::string &why) {
  return emitOptionalError(loc, "'nn.", op, "' ", why);
}

/// `dy` must have the shape the forward op produces.
LogicalResult checkGradientShape(std::optional<Location> loc, StringRef op,
                                 ArrayRef<int64_t> dy,
                                 ArrayRef<int64_t> forward) {
  if (sameShape(dy, forward))
    return success();
  return invalid(loc, op,
                 "gradient of shape " + formatShape(dy) +
                     " does not match the forward result " +
                     formatShape(forward));
}

bool isPoolKind(StringRef kind, bool allowAverage) {
  return kind == "max" || kind == "min" || (allowAverage && kind == "avg");
}

const int64_t kUnitDilation[2] = {1, 1};

} // namespace

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &out) {
  std::string why;
  std::optional<Shape> shape =
      conv2dShape(shapeOf(adaptor.getX()), shapeOf(adaptor.getW()),
                  adaptor.getStrides(), adaptor.getDilations(),
                  adaptor.getPadding(), why);
  if (!shape)
    return invalid(loc, "conv2d", why);
  out.push_back(RankedTensorType::get(*shape, elementOf(adaptor.getX())));
  return success();
}

LogicalResult Conv2DBackpropInputOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &out) {
  ArrayRef<int64_t> dy = shapeOf(adaptor.getDy()), w = shapeOf(adaptor.getW());
  ArrayRef<int64_t> size = adaptor.getInputSize();
  if (dy.size() != 4 || w.size() != 4 || size.size() != 2)
    return invalid(loc, "conv2d_backprop_input",
                   "needs a rank-4 gradient and kernel and 2 input sizes");
  if (size[0] < 1 || size[1] < 1 || size[0] > kMaxElements ||
      size[1] > kMaxElements)
    return invalid(loc, "conv2d_backprop_input",
                   "input sizes must be between 1 and 2^32");
  Shape x{dy[0], size[0], size[1], w[2]};
  std::string why;
  std::optional<Shape> forward =
      conv2dShape(x, w, adaptor.getStrides(), adaptor.getDilations(),
                  adaptor.getPadding(), why);
  if (!forward)
    return invalid(loc, "conv2d_backprop_input", why);
  if (failed(checkGradientShape(loc, "conv2d_backprop_input", dy, *forward)))
    return failure();
  out.push_back(RankedTensorType::get(x, elementOf(adaptor.getDy())));
  return success();
}

LogicalResult Conv2DBackpropFilterOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &out) {
  ArrayRef<int64_t> x = shapeOf(adaptor.getX()), dy = shapeOf(adaptor.getDy());
  ArrayRef<int64_t> kernel = adaptor.getKernelSize();
  if (dy.size() != 4 || ShapedType::isDynamic(dy.back()) || kernel.size() != 2)
    return invalid(loc, "conv2d_backprop_filter",
                   "needs a rank-4 gradient with static filters and 2 "
                   "kernel sizes");
  std::string why;
  std::optional<Shape> forward =
      windowShape(x, kernel, adaptor.getStrides(), adaptor.getDilations(),
                  adaptor.getPadding(), why);
  if (!forward)
    return invalid(loc, "conv2d_backprop_filter", why);
  (*forward)[3] = dy[3];
  if (failed(checkGradientShape(loc, "conv2d_backprop_filter", dy, *forward)))
    return failure();
  out.push_back(RankedTensorType::get({kernel[0], kernel[1], x[3], dy[3]},
                                      elementOf(adaptor.getX())));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// The pooled shape of `x` for a pooling op's window attributes.
template <typename Adaptor>
static std::optional<Shape> pooledShape(Adaptor adaptor,
                                        std::string &why) {
  return windowShape(shapeOf(adaptor.getX()), adaptor.getWindow(),
                     adaptor.getStrides(), kUnitDilation, adaptor.getPadding(),
                     why);
}

/// The kind attribute of a pooling op.
static LogicalResult verifyKind(Operation *op, StringRef kind,
                                bool allowAverage) {
  if (isPoolKind(kind, allowAverage))
    return success();
  return op->emitOpError() << "kind must be "
                           << (allowAverage ? "max, min or avg" : "max or min")
                           << ", got '" << kind << "'";
}

LogicalResult Pool2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &out) {
  std::string why;
  std::optional<Shape> shape = pooledShape(adaptor, why);
  if (!shape)
    return invalid(loc, "pool2d", why);
  out.push_back(RankedTensorType::get(*shape, elementOf(adaptor.getX())));
  return success();
}
LogicalResult Pool2DOp::verify() {
  return verifyKind(*this, getKind(), /*allowAverage=*/true);
}

LogicalResult Pool2DGradOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &out) {
  std::string why;
  std::optional<Shape> forward = pooledShape(adaptor, why);
  if (!forward)
    return invalid(loc, "pool2d_grad", why);
  if (failed(checkGradientShape(loc, "pool2d_grad", shapeOf(adaptor.getDy()),
                                *forward)))
    return failure();
  out.push_back(adaptor.getX().getType());
  return success();
}
LogicalResult Pool2DGradOp::verify() {
  return verifyKind(*this, getKind(), /*allowAverage=*/true);
}

LogicalResult Pool2DGatherOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &out) {
  if (!sameShape(shapeOf(adaptor.getG()), shapeOf(adaptor.getX())))
    return invalid(loc, "pool2d_gather", "needs g of x's shape");
  std::string why;
  std::optional<Shape> shape = pooledShape(adaptor, why);
  if (!shape)
    return invalid(loc, "pool2d_gather", why);
  out.push_back(RankedTensorType::get(*shape, elementOf(adaptor.getX())));
  return success();
}
LogicalResult Pool2DGatherOp::verify() {
  return verifyKind(*this, getKind(), /*allowAverage=*/false);
}

//===----------------------------------------------------------------------===//
// Resampling and borders
//===----------------------------------------------------------------------===//

/// [batch, H, W, C] with H, W, C static, else a message.
static std::optional<std::string> checkImage(ArrayRef<int64_t> x) {
  if (x.size() == 4 && !llvm::any_of(x.drop_front(), ShapedType::isDynamic))
    return std::nullopt;
  return "needs an input of shape (batch, height, width, channels) with "
         "known height, width and channels, got " +
         formatShape(x);
}

LogicalResult Upsample2DOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &out) {
  ArrayRef<int64_t> x = shapeOf(adaptor.getX());
  if (auto why = checkImage(x))
    return invalid(loc, "upsample2d", *why);
  ArrayRef<int64_t> size = adaptor.getSize();
  if (size.size() != 2 || size[0] < 1 || size[1] < 1)
    return invalid(loc, "upsample2d", "needs 2 positive sizes");
  Shape shape{x[0], x[1], x[2], x[3]};
  for (int d = 0; d < 2; ++d) {
    if (size[d] > kMaxElements / shape[1 + d])
      return invalid(loc, "upsample2d", "result is larger than 2^32 elements");
    shape[1 + d] *= size[d];
  }
  out.push_back(RankedTensorType::get(shape, elementOf(adaptor.getX())));
  return success();
}

LogicalResult ResampleOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &out) {
  ArrayRef<int64_t> x = shapeOf(adaptor.getX());
  int64_t axis = adaptor.getAxis();
  auto weights = cast<ShapedType>(adaptor.getWeights().getType());
  if (axis < 1 || axis >= static_cast<int64_t>(x.size()))
    return invalid(loc, "resample",
                   "axis " + std::to_string(axis) +
                       " is not a non-batch axis of " + formatShape(x));
  if (weights.getRank() != 2 || weights.getDimSize(0) < 1 ||
      weights.getDimSize(1) != x[axis])
    return invalid(loc, "resample",
                   "weights of shape " + formatShape(weights.getShape()) +
                       " do not map axis " + std::to_string(axis) + " of " +
                       formatShape(x) + " (they need " +
                       std::to_string(x[axis]) + " columns)");
  Shape shape(x.begin(), x.end());
  shape[axis] = weights.getDimSize(0);
  out.push_back(RankedTensorType::get(shape, elementOf(adaptor.getX())));
  return success();
}

/// x grown (sign +1) or shrunk (sign -1) by [top, bottom, left, right].
static LogicalResult inferBorder(std::optional<Location> loc, StringRef op,
                                 Value xv, ArrayRef<int64_t> amounts, int sign,
                                 SmallVectorImpl<Type> &out) {
  ArrayRef<int64_t> x = shapeOf(xv);
  if (auto why = checkImage(x))
    return invalid(loc, op, *why);
  if (amounts.size() != 4 || llvm::any_of(amounts, [](int64_t a) {
        return a < 0 || a > kMaxElements;
      }))
    return invalid(loc, op, "needs 4 amounts between 0 and 2^32");
  Shape shape{x[0], x[1] + sign * (amounts[0] + amounts[1]),
              x[2] + sign * (amounts[2] + amounts[3]), x[3]};
  if (shape[1] < 1 || shape[2] < 1)
    return invalid(loc, op, "crops all of " + formatShape(x));
  out.push_back(RankedTensorType::get(shape, elementOf(xv)));
  return success();
}

LogicalResult Pad2DOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &out) {
  return inferBorder(loc, "pad2d", adaptor.getX(), adaptor.getPadding(), +1,
                     out);
}

LogicalResult Crop2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &out) {
  return inferBorder(loc, "crop2d", adaptor.getX(), adaptor.getCropping(), -1,
                     out);
}
