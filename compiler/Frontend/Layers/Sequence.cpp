//===- Sequence.cpp - layers over sequences: embedding, 1-D pooling -------===//

#include "compiler/Frontend/Layers/Families.h"
#include "compiler/Frontend/Layers/GlobalPooling.h"
#include "compiler/Frontend/Layers/Masks.h"

#include "dialects/nn/IR/NNBuilder.h"

#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

using namespace nnc;
using mlir::Value;

namespace {

/// Keras' Embedding: a trainable (input_dim, output_dim) table, `embeddings`,
/// whose rows the token ids pick. With mask_zero, id 0 is padding: the
/// output's mask is ids != 0 (Keras' compute_mask).
std::optional<Value> embedding(LayerContext &ctx, Value ids) {
  const BoundArgs &args = ctx.args;
  auto type = mlir::cast<mlir::RankedTensorType>(ids.getType());
  if (args.at("mask_zero").b) {
    if (type.getRank() != 2) {
      ctx.error("embedding: mask_zero needs (batch, steps) token ids, got " +
                nn::formatShape(type.getShape()));
      return std::nullopt;
    }
    nn::NNBuilder ops{ctx.b, ctx.loc};
    ctx.outputMask = ops.step(ops.abs(ids));
  }
  int64_t vocabulary = args.at("input_dim").i, features = args.at("output_dim").i;
  if (vocabulary > nn::kMaxElements / features) {
    ctx.error("embedding table of " + std::to_string(vocabulary) + " x " +
              std::to_string(features) + " is larger than 2^32 elements");
    return std::nullopt;
  }
  llvm::SmallVector<int64_t> shape(type.getShape());
  shape.push_back(features);
  if (!nn::elementCount(llvm::ArrayRef<int64_t>(shape).drop_front())) {
    ctx.error("embedding output " + nn::formatShape(shape) +
              " is larger than 2^32 elements per sample");
    return std::nullopt;
  }
  Value table = ctx.addParam("embeddings", {vocabulary, features},
                             type.getElementType(),
                             args.at("embeddings_initializer").s,
                             args.at("trainable").b);
  if (!table)
    return std::nullopt;
  return nn::EmbeddingOp::create(ctx.b, ctx.loc, ids, table).getResult();
}

/// The mean or maximum over the steps of a (batch, steps, features)
/// sequence: Keras' GlobalAveragePooling1D / GlobalMaxPooling1D.
std::optional<Value> globalPooling1d(LayerContext &ctx, Value x, bool max,
                                     llvm::StringRef layer) {
  auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
  if (type.getRank() != 3) {
    ctx.error(layer + " expects a 3-D input (batch, steps, features), got " +
              nn::formatShape(type.getShape()));
    return std::nullopt;
  }
  if (!ctx.mask || max)
    return globalReduction(ctx, x, {1}, max);
  // Keras' masked mean: the real steps' sum over their count.
  nn::NNBuilder ops{ctx.b, ctx.loc};
  bool keep = ctx.args.at("keepdims").b;
  Value m = maskColumn(ctx.b, ctx.loc, ctx.mask);
  return ops.div(ops.sum(ops.mul(x, m), {1}, keep), ops.sum(m, {1}, keep));
}
std::optional<Value> globalAveragePooling1d(LayerContext &ctx, Value x) {
  return globalPooling1d(ctx, x, false, "global_average_pooling1d");
}
std::optional<Value> globalMaxPooling1d(LayerContext &ctx, Value x) {
  return globalPooling1d(ctx, x, true, "global_max_pooling1d");
}

} // namespace

std::vector<LayerSpec> nnc::sequenceLayers() {
  // Keras: Embedding(input_dim, output_dim, embeddings_initializer="uniform"
  // (RandomUniform(-0.05, 0.05)), mask_zero=False).
  return {
      {"embedding",
       {{"input_dim", ArgKind::PositiveInt, std::nullopt},
        {"output_dim", ArgKind::PositiveInt, std::nullopt},
        {"embeddings_initializer", ArgKind::Initializer,
         wordValue("random_uniform")},
        {"mask_zero", ArgKind::Bool, boolValue(false)},
        {"trainable", ArgKind::Bool, boolValue(true), true},
        {"name", ArgKind::String, wordValue(""), true}},
       "the row of a trainable (input_dim, output_dim) table for each token "
       "id (ids truncated toward zero; outside the table: NaN); mask_zero: "
       "id 0 is padding that later layers skip",
       embedding, MaskUse::Uses},
      {"global_average_pooling1d", globalPoolingArgs(),
       "the mean over the steps of a (batch, steps, features) sequence (over "
       "the real steps of a masked one)",
       globalAveragePooling1d, MaskUse::Uses},
      {"global_max_pooling1d", globalPoolingArgs(),
       "the maximum over the steps of a (batch, steps, features) sequence",
       globalMaxPooling1d},
  };
}
