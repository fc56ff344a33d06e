//===- Masks.h - step masks: padding that layers skip -----------*- C++ -*-===//
//
// Keras' masking: embedding(mask_zero: true) marks token id 0 as padding; the
// mask, a (batch, steps) tensor of 1 (a real step) and 0 (padding), travels
// with the values through the layers that keep it (MaskUse::Keeps) to the
// layers that use it: a recurrent layer carries its state unchanged over a
// padded step, global_average_pooling1d averages the real steps only.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_LAYERS_MASKS_H
#define NNC_COMPILER_FRONTEND_LAYERS_MASKS_H

#include "dialects/nn/IR/NNOps.h"

namespace nnc {

/// A (batch, steps) mask as (batch, steps, 1), to broadcast over features.
inline mlir::Value maskColumn(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value mask) {
  auto type = mlir::cast<mlir::RankedTensorType>(mask.getType());
  auto column = mlir::RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), 1}, type.getElementType());
  return nn::ReshapeOp::create(b, loc, column, mask);
}

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_LAYERS_MASKS_H
