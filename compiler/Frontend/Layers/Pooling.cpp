//===- Pooling.cpp - pooling, upsampling, padding and cropping layers -----===//

#include "compiler/Frontend/Layers/Families.h"
#include "compiler/Frontend/Layers/GlobalPooling.h"
#include "compiler/Frontend/Layers/Image.h"

#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

#include <algorithm>
#include <cmath>

using namespace nnc;
using mlir::Value;

namespace {

/// max, min or average pooling; `strides` defaults to the pool size.
std::optional<Value> pool(LayerContext &ctx, Value x, llvm::StringRef kind,
                          llvm::StringRef layer) {
  auto shape = imageShape(ctx, x, layer);
  if (!shape)
    return std::nullopt;
  const BoundArgs &args = ctx.args;
  auto window = pairOf(args.at("pool_size"));
  const ConstValue &givenStrides = args.at("strides");
  auto strides = givenStrides.isWord() ? window : pairOf(givenStrides);
  auto padding = kerasPadding(args.at("padding").s, {(*shape)[1], (*shape)[2]},
                              window, strides, {1, 1});
  std::string why;
  if (!nn::windowShape(*shape, window, strides, {1, 1}, padding, why)) {
    ctx.error(layer + " " + why);
    return std::nullopt;
  }
  return nn::Pool2DOp::create(ctx.b, ctx.loc, x, kind, window, strides,
                              padding)
      .getResult();
}

std::optional<Value> maxPooling(LayerContext &ctx, Value x) {
  return pool(ctx, x, "max", "max_pooling2d");
}
std::optional<Value> minPooling(LayerContext &ctx, Value x) {
  return pool(ctx, x, "min", "min_pooling2d");
}
std::optional<Value> averagePooling(LayerContext &ctx, Value x) {
  return pool(ctx, x, "avg", "average_pooling2d");
}

std::optional<Value> globalPooling(LayerContext &ctx, Value x, bool max,
                                   llvm::StringRef layer) {
  if (!imageShape(ctx, x, layer))
    return std::nullopt;
  return globalReduction(ctx, x, {1, 2}, max);
}
std::optional<Value> globalAveragePooling(LayerContext &ctx, Value x) {
  return globalPooling(ctx, x, false, "global_average_pooling2d");
}
std::optional<Value> globalMaxPooling(LayerContext &ctx, Value x) {
  return globalPooling(ctx, x, true, "global_max_pooling2d");
}

/// The (n * s, n) matrix of bilinear upsampling by s along an axis of n,
/// as Keras 3 computes it (ops.image.resize, i.e. jax.image.resize with
/// half-pixel centres, no antialiasing): output i samples the input at
/// (i + 0.5) / s - 0.5, between its two neighbours; past either end it
/// takes the end element (the kernel's weights on missing neighbours are
/// renormalised away).
mlir::DenseFPElementsAttr bilinearWeights(mlir::OpBuilder &b, int64_t n,
                                          int64_t s) {
  std::vector<double> m(n * s * n, 0.0);
  for (int64_t i = 0; i < n * s; ++i) {
    double src = (i + 0.5) / static_cast<double>(s) - 0.5;
    src = std::clamp(src, 0.0, static_cast<double>(n - 1));
    auto lo = static_cast<int64_t>(std::floor(src));
    int64_t hi = std::min(lo + 1, n - 1);
    double f = src - static_cast<double>(lo);
    m[i * n + lo] += 1.0 - f;
    m[i * n + hi] += f;
  }
  auto type = mlir::RankedTensorType::get({n * s, n}, b.getF64Type());
  return mlir::cast<mlir::DenseFPElementsAttr>(
      mlir::DenseElementsAttr::get(type, llvm::ArrayRef<double>(m)));
}

std::optional<Value> upSampling(LayerContext &ctx, Value x) {
  auto shape = imageShape(ctx, x, "up_sampling2d");
  if (!shape)
    return std::nullopt;
  auto size = pairOf(ctx.args.at("size"));
  for (int d = 0; d < 2; ++d)
    if (size[d] > nn::kMaxElements / (*shape)[1 + d]) {
      ctx.error("up_sampling2d output is too large");
      return std::nullopt;
    }
  if (ctx.args.at("interpolation").s == "nearest")
    return nn::Upsample2DOp::create(ctx.b, ctx.loc, x, size).getResult();
  // Bilinear: one interpolation matrix per axis that grows.
  for (int d = 0; d < 2; ++d)
    if (size[d] > 1)
      x = nn::ResampleOp::create(
          ctx.b, ctx.loc, x, 1 + d,
          bilinearWeights(ctx.b, (*shape)[1 + d], size[d]));
  return x;
}

std::optional<Value> zeroPadding(LayerContext &ctx, Value x) {
  auto shape = imageShape(ctx, x, "zero_padding2d");
  if (!shape)
    return std::nullopt;
  auto p = bordersOf(ctx.args.at("padding"));
  if (llvm::any_of(p, [](int64_t v) { return v > nn::kMaxElements; })) {
    ctx.error("zero_padding2d padding is too large");
    return std::nullopt;
  }
  return nn::Pad2DOp::create(ctx.b, ctx.loc, x, p).getResult();
}

std::optional<Value> cropping(LayerContext &ctx, Value x) {
  auto shape = imageShape(ctx, x, "cropping2d");
  if (!shape)
    return std::nullopt;
  auto c = bordersOf(ctx.args.at("cropping"));
  if (c[0] + c[1] >= (*shape)[1] || c[2] + c[3] >= (*shape)[2]) {
    ctx.error("cropping2d would remove all of " + nn::formatShape(*shape));
    return std::nullopt;
  }
  return nn::Crop2DOp::create(ctx.b, ctx.loc, x, c).getResult();
}

std::vector<ArgSpec> poolingArgs() {
  // Keras: MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid");
  // strides None means the pool size.
  return {{"pool_size", ArgKind::Pair, ConstValue::ofInt(2, {})},
          {"strides", ArgKind::Pair, wordValue("none")},
          {"padding", ArgKind::Choice, wordValue("valid"), false,
           {"valid", "same"}},
          {"name", ArgKind::String, wordValue(""), true}};
}


} // namespace

std::vector<LayerSpec> nnc::poolingLayers() {
  return {
      {"max_pooling2d", poolingArgs(), "the maximum of each window",
       maxPooling},
      {"min_pooling2d", poolingArgs(),
       "the minimum of each window (max pooling's mirror; not in Keras)",
       minPooling},
      {"average_pooling2d", poolingArgs(),
       "the mean of each window's real (unpadded) elements", averagePooling},
      {"global_average_pooling2d", globalPoolingArgs(),
       "the mean over height and width", globalAveragePooling},
      {"global_max_pooling2d", globalPoolingArgs(),
       "the maximum over height and width", globalMaxPooling},
      {"up_sampling2d",
       {{"size", ArgKind::Pair, ConstValue::ofInt(2, {})},
        {"interpolation", ArgKind::Choice, wordValue("nearest"), false,
         {"nearest", "bilinear"}},
        {"name", ArgKind::String, wordValue(""), true}},
       "grows height and width size times (nearest neighbour or bilinear)",
       upSampling},
      {"zero_padding2d",
       {{"padding", ArgKind::Borders, ConstValue::ofInt(1, {})},
        {"name", ArgKind::String, wordValue(""), true}},
       "adds rows and columns of zeros around each image", zeroPadding},
      {"cropping2d",
       {{"cropping", ArgKind::Borders, ConstValue::ofInt(0, {})},
        {"name", ArgKind::String, wordValue(""), true}},
       "removes rows and columns at the borders", cropping},
  };
}
