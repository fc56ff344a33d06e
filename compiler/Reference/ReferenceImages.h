//===- ReferenceImages.h - the oracle's image ops ---------------*- C++ -*-===//
//
// Convolution, pooling and resampling over NHWC tensors in f64, written as
// the definitions read: loops over output positions and window taps with a
// bounds test for the padding (never a padded copy), gradients as scatters
// from the output side (the compiler's lowering gathers from the input
// side), so the two share neither code nor strategy.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_REFERENCE_REFERENCEIMAGES_H
#define NNC_COMPILER_REFERENCE_REFERENCEIMAGES_H

#include "compiler/Reference/ReferenceEvaluator.h"

#include "mlir/IR/Operation.h"

#include <optional>

namespace nnc::ref {

/// The result of `op` if it is one of the image ops (nn.conv2d, its
/// gradients, nn.pool2d and its gradients, upsample2d, pad2d, crop2d);
/// std::nullopt for any other op. `in` reads an operand's value.
std::optional<Tensor>
evaluateImageOp(mlir::Operation *op,
                llvm::function_ref<const Tensor &(mlir::Value)> in);

} // namespace nnc::ref

#endif
