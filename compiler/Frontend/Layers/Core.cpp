//===- Core.cpp - dense and activation layers ------------------------------===//

#include "compiler/Frontend/Layers/Families.h"

#include "compiler/Frontend/Builtins.h"
#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

using namespace nnc;
using mlir::Value;

namespace {

std::string shapeOf(Value v) {
  return nn::formatShape(
      mlir::cast<mlir::RankedTensorType>(v.getType()).getShape());
}

/// activation(x @ kernel + bias), Keras' Dense: kernel (in, units).
std::optional<Value> dense(LayerContext &ctx, Value x) {
  auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
  llvm::ArrayRef<int64_t> shape = type.getShape();
  // Keras' Dense: the kernel applies to the last axis, so a sequence's
  // every step (batch, steps, features) goes through the same layer.
  if (shape.size() < 2) {
    ctx.error("dense expects an input of rank 2 or more (batch, ..., "
              "features), got " + shapeOf(x));
    return std::nullopt;
  }
  if (mlir::ShapedType::isDynamic(shape.back())) {
    ctx.error("dense needs a known number of input features, got " +
              shapeOf(x));
    return std::nullopt;
  }
  const BoundArgs &args = ctx.args;
  int64_t units = args.at("units").i;
  bool trainable = args.at("trainable").b;
  Value kernel = ctx.addParam("kernel", {shape.back(), units},
                              type.getElementType(),
                              args.at("kernel_initializer").s, trainable);
  if (!kernel)
    return std::nullopt;
  Value y = nn::MatmulOp::create(ctx.b, ctx.loc, x, kernel);
  if (args.at("use_bias").b) {
    Value bias = ctx.addParam("bias", {units}, type.getElementType(),
                              args.at("bias_initializer").s, trainable);
    if (!bias)
      return std::nullopt;
    y = nn::BiasAddOp::create(ctx.b, ctx.loc, y.getType(), y, bias);
  }
  return applyActivation(ctx.b, ctx.loc, args.at("activation").s, y);
}

std::optional<Value> activation(LayerContext &ctx, Value x) {
  return applyActivation(ctx.b, ctx.loc, ctx.args.at("activation").s, x);
}

} // namespace

std::vector<LayerSpec> nnc::coreLayers() {
  // Keras' defaults: Dense(units, activation=None, use_bias=True,
  // kernel_initializer="glorot_uniform", bias_initializer="zeros").
  return {
      {"dense",
       {{"units", ArgKind::PositiveInt, std::nullopt},
        {"activation", ArgKind::Activation, wordValue("linear")},
        {"use_bias", ArgKind::Bool, boolValue(true)},
        {"kernel_initializer", ArgKind::Initializer,
         wordValue("glorot_uniform")},
        {"bias_initializer", ArgKind::Initializer, wordValue("zeros")},
        {"trainable", ArgKind::Bool, boolValue(true), true},
        {"name", ArgKind::String, wordValue(""), true}},
       "fully connected: activation(x @ kernel + bias)",
       dense, MaskUse::Keeps},
      {"activation",
       {{"activation", ArgKind::Activation, std::nullopt},
        {"name", ArgKind::String, wordValue(""), true}},
       "applies an activation function",
       activation, MaskUse::Keeps},
  };
}
