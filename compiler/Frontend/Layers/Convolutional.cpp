//===- Convolutional.cpp - conv2d and conv2d_transpose layers -------------===//
//
// Keras' Conv2D and Conv2DTranspose: channels-last inputs, kernels in Keras'
// layout ((kh, kw, in, filters) and (kh, kw, filters, in)) so that weights
// interchange, `valid`/`same` padding turned into explicit pads here.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/Layers/Families.h"
#include "compiler/Frontend/Layers/Image.h"

#include "compiler/Frontend/Builtins.h"
#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

using namespace nnc;
using mlir::Value;

std::optional<llvm::ArrayRef<int64_t>>
nnc::imageShape(LayerContext &ctx, Value x, llvm::StringRef layer) {
  llvm::ArrayRef<int64_t> shape =
      mlir::cast<mlir::RankedTensorType>(x.getType()).getShape();
  if (shape.size() == 4 &&
      !llvm::any_of(shape.drop_front(), mlir::ShapedType::isDynamic))
    return shape;
  std::string hint;
  if (shape.size() == 3)
    hint = "; add a channel axis, e.g. reshape(x, [" +
           std::to_string(shape[1]) + ", " + std::to_string(shape[2]) +
           ", 1])";
  ctx.error(layer + " expects a 4-D input (batch, height, width, channels), "
                    "got " +
            nn::formatShape(shape) + hint);
  return std::nullopt;
}

llvm::SmallVector<int64_t, 4> nnc::kerasPadding(
    llvm::StringRef mode, std::array<int64_t, 2> size,
    std::array<int64_t, 2> window, std::array<int64_t, 2> strides,
    std::array<int64_t, 2> dilation) {
  if (mode != "same")
    return {0, 0, 0, 0};
  auto [top, bottom] = nn::samePadding(size[0], window[0], strides[0],
                                       dilation[0]);
  auto [left, right] = nn::samePadding(size[1], window[1], strides[1],
                                       dilation[1]);
  return {top, bottom, left, right};
}

namespace {

/// A convolution layer's input shape and bound geometry arguments.
struct ConvCall {
  llvm::ArrayRef<int64_t> shape; // [batch, H, W, C]
  int64_t filters;
  std::array<int64_t, 2> kernel, strides, dilation;
  mlir::Type elt;
};

/// Reads the arguments; reports a non-image input and strides with
/// dilation above one together (Keras refuses it too).
std::optional<ConvCall> readConv(LayerContext &ctx, Value x,
                                 llvm::StringRef layer) {
  auto shape = imageShape(ctx, x, layer);
  if (!shape)
    return std::nullopt;
  const BoundArgs &args = ctx.args;
  ConvCall c{*shape,
             args.at("filters").i,
             pairOf(args.at("kernel_size")),
             pairOf(args.at("strides")),
             pairOf(args.at("dilation_rate")),
             mlir::cast<mlir::RankedTensorType>(x.getType()).getElementType()};
  bool strided = c.strides[0] > 1 || c.strides[1] > 1;
  bool dilated = c.dilation[0] > 1 || c.dilation[1] > 1;
  if (strided && dilated) {
    ctx.error(layer + " cannot have both strides and dilation_rate above 1 "
                      "(Keras refuses it too)");
    return std::nullopt;
  }
  return c;
}

/// The kernel parameter, then (after `apply` builds the product) bias and
/// activation.
std::optional<Value>
withKernel(LayerContext &ctx, const ConvCall &c,
           llvm::ArrayRef<int64_t> kernelShape,
           llvm::function_ref<Value(Value kernel)> apply) {
  const BoundArgs &args = ctx.args;
  bool trainable = args.at("trainable").b;
  Value w = ctx.addParam("kernel", kernelShape, c.elt,
                         args.at("kernel_initializer").s, trainable);
  if (!w)
    return std::nullopt;
  Value y = apply(w);
  if (args.at("use_bias").b) {
    Value bias = ctx.addParam("bias", {c.filters}, c.elt,
                              args.at("bias_initializer").s, trainable);
    if (!bias)
      return std::nullopt;
    y = nn::BiasAddOp::create(ctx.b, ctx.loc, y.getType(), y, bias);
  }
  return applyActivation(ctx.b, ctx.loc, args.at("activation").s, y);
}

std::optional<Value> conv2d(LayerContext &ctx, Value x) {
  std::optional<ConvCall> c = readConv(ctx, x, "conv2d");
  if (!c)
    return std::nullopt;
  auto padding = kerasPadding(ctx.args.at("padding").s,
                              {c->shape[1], c->shape[2]}, c->kernel,
                              c->strides, c->dilation);
  llvm::SmallVector<int64_t> kernelShape{c->kernel[0], c->kernel[1],
                                         c->shape[3], c->filters};
  std::string why;
  if (!nn::conv2dShape(c->shape, kernelShape, c->strides, c->dilation,
                       padding, why)) {
    ctx.error("conv2d " + why);
    return std::nullopt;
  }
  return withKernel(ctx, *c, kernelShape, [&](Value w) -> Value {
    return nn::Conv2DOp::create(ctx.b, ctx.loc, x, w, c->strides,
                                c->dilation, padding);
  });
}

/// Keras' deconv_output_length without output_padding.
int64_t transposedLength(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, bool same) {
  int64_t reach = (kernel - 1) * dilation + 1;
  return same ? in * stride : in * stride + std::max<int64_t>(reach - stride, 0);
}

std::optional<Value> conv2dTranspose(LayerContext &ctx, Value x) {
  std::optional<ConvCall> c = readConv(ctx, x, "conv2d_transpose");
  if (!c)
    return std::nullopt;
  bool same = ctx.args.at("padding").s == "same";
  std::array<int64_t, 2> out;
  for (int d = 0; d < 2; ++d) {
    out[d] = transposedLength(c->shape[1 + d], c->kernel[d], c->strides[d],
                              c->dilation[d], same);
    if (out[d] > nn::kMaxElements) {
      ctx.error("conv2d_transpose output is too large");
      return std::nullopt;
    }
  }
  // The convolution this layer is the transpose of maps the output size
  // back onto the input's.
  auto padding = kerasPadding(ctx.args.at("padding").s, out, c->kernel,
                              c->strides, c->dilation);
  llvm::SmallVector<int64_t> kernelShape{c->kernel[0], c->kernel[1],
                                         c->filters, c->shape[3]};
  std::string why;
  llvm::SmallVector<int64_t> outShape{c->shape[0], out[0], out[1], c->filters};
  std::optional<nn::Shape> forward = nn::conv2dShape(
      outShape, kernelShape, c->strides, c->dilation, padding, why);
  if (!forward || (*forward)[1] != c->shape[1] ||
      (*forward)[2] != c->shape[2]) {
    ctx.error("conv2d_transpose " +
              (why.empty() ? std::string("geometry does not invert") : why));
    return std::nullopt;
  }
  return withKernel(ctx, *c, kernelShape, [&](Value w) -> Value {
    return nn::Conv2DBackpropInputOp::create(ctx.b, ctx.loc, x, w, out,
                                             c->strides, c->dilation, padding);
  });
}

std::vector<ArgSpec> convolutionArgs() {
  // Keras' defaults: Conv2D(filters, kernel_size, strides=(1, 1),
  // padding="valid", dilation_rate=(1, 1), activation=None, use_bias=True,
  // kernel_initializer="glorot_uniform", bias_initializer="zeros").
  return {{"filters", ArgKind::PositiveInt, std::nullopt},
          {"kernel_size", ArgKind::Pair, std::nullopt},
          {"strides", ArgKind::Pair, ConstValue::ofInt(1, {})},
          {"padding", ArgKind::Choice, wordValue("valid"), false,
           {"valid", "same"}},
          {"dilation_rate", ArgKind::Pair, ConstValue::ofInt(1, {})},
          {"activation", ArgKind::Activation, wordValue("linear")},
          {"use_bias", ArgKind::Bool, boolValue(true)},
          {"kernel_initializer", ArgKind::Initializer,
           wordValue("glorot_uniform")},
          {"bias_initializer", ArgKind::Initializer, wordValue("zeros")},
          {"trainable", ArgKind::Bool, boolValue(true), true},
          {"name", ArgKind::String, wordValue(""), true}};
}

} // namespace

std::vector<LayerSpec> nnc::convolutionalLayers() {
  return {
      {"conv2d", convolutionArgs(),
       "2-D convolution over (batch, height, width, channels): "
       "activation(conv(x, kernel) + bias)",
       conv2d},
      {"conv2d_transpose", convolutionArgs(),
       "transposed 2-D convolution (the gradient of conv2d), upsamples by "
       "its strides",
       conv2dTranspose},
  };
}
