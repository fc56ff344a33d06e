//===- Sequence.cpp - layers over token sequences: embedding --------------===//

#include "compiler/Frontend/Layers/Families.h"

#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

using namespace nnc;
using mlir::Value;

namespace {

/// Keras' Embedding: a trainable (input_dim, output_dim) table, `embeddings`,
/// whose rows the token ids pick.
std::optional<Value> embedding(LayerContext &ctx, Value ids) {
  const BoundArgs &args = ctx.args;
  if (args.at("mask_zero").b) {
    // A mask only matters to layers that consume it (recurrent layers,
    // issue 15); dense layers after it would silently ignore it.
    ctx.error("embedding: mask_zero is not supported yet (no layer here "
              "consumes a mask)");
    return std::nullopt;
  }
  auto type = mlir::cast<mlir::RankedTensorType>(ids.getType());
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
       "id (ids truncated toward zero; outside the table: NaN)",
       embedding},
  };
}
