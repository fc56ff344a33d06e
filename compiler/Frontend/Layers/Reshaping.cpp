//===- Reshaping.cpp - flatten and reshape layers --------------------------===//

#include "compiler/Frontend/Layers/Families.h"

#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

using namespace nnc;
using mlir::Value;

namespace {

/// Each sample to `target` (the batch dimension is kept).
std::optional<Value> reshapeTo(LayerContext &ctx, Value x,
                               llvm::SmallVector<int64_t> target,
                               llvm::StringRef layer) {
  auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
  llvm::ArrayRef<int64_t> shape = type.getShape();
  if (shape.empty() || !nn::isValidReshape(shape, target)) {
    ctx.error(layer + " cannot turn " + nn::formatShape(shape) + " into " +
              nn::formatShape(target));
    return std::nullopt;
  }
  auto result = mlir::RankedTensorType::get(target, type.getElementType());
  return nn::ReshapeOp::create(ctx.b, ctx.loc, result, x).getResult();
}

std::optional<Value> flatten(LayerContext &ctx, Value x) {
  llvm::ArrayRef<int64_t> shape =
      mlir::cast<mlir::RankedTensorType>(x.getType()).getShape();
  llvm::SmallVector<int64_t> target{shape.empty() ? 1 : shape[0]};
  int64_t n = 1;
  for (int64_t d : shape.drop_front())
    n *= d;
  target.push_back(n);
  return reshapeTo(ctx, x, target, "flatten");
}

std::optional<Value> reshape(LayerContext &ctx, Value x) {
  llvm::ArrayRef<int64_t> shape =
      mlir::cast<mlir::RankedTensorType>(x.getType()).getShape();
  llvm::SmallVector<int64_t> target{shape.empty() ? 1 : shape[0]};
  for (const ConstValue &d : ctx.args.at("target_shape").list)
    target.push_back(d.i);
  return reshapeTo(ctx, x, target, "reshape");
}

} // namespace

std::vector<LayerSpec> nnc::reshapingLayers() {
  return {
      {"flatten",
       {{"name", ArgKind::String, wordValue(""), true}},
       "flattens each sample to one dimension",
       flatten},
      {"reshape",
       {{"target_shape", ArgKind::Shape, std::nullopt},
        {"name", ArgKind::String, wordValue(""), true}},
       "reshapes each sample (the batch dimension is kept)",
       reshape},
  };
}
