//===- Regularization.cpp - dropout ---------------------------------------===//

#include "compiler/Frontend/Layers/Families.h"

#include "dialects/nn/IR/NNOps.h"

using namespace nnc;
using mlir::Value;

namespace {

/// FNV-1a of the layer's unique name: a default seed that differs between
/// the dropout layers of a model and stays the same from compile to compile.
int64_t nameSeed(llvm::StringRef name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name)
    h = (h ^ c) * 0x100000001b3ull;
  return static_cast<int64_t>(h);
}

std::optional<Value> dropout(LayerContext &ctx, Value x) {
  const ConstValue &seed = ctx.args.at("seed");
  int64_t s = seed.isWord() ? nameSeed(ctx.name) : seed.i;
  return nn::DropoutOp::create(ctx.b, ctx.loc, x,
                               ctx.b.getF64FloatAttr(ctx.args.at("rate").f),
                               ctx.b.getI64IntegerAttr(s))
      .getResult();
}

} // namespace

std::vector<LayerSpec> nnc::regularizationLayers() {
  // Keras: Dropout(rate, noise_shape=None, seed=None).
  return {
      {"dropout",
       {{"rate", ArgKind::Probability, std::nullopt},
        {"seed", ArgKind::Int, wordValue("none")},
        {"name", ArgKind::String, wordValue(""), true}},
       "while training, zeroes each element with probability rate and "
       "scales the rest by 1 / (1 - rate); the identity otherwise",
       dropout, MaskUse::Keeps},
  };
}
