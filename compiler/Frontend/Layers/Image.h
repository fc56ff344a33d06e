//===- Image.h - helpers shared by the image layer families ----*- C++ -*-===//

#ifndef NNC_COMPILER_FRONTEND_LAYERS_IMAGE_H
#define NNC_COMPILER_FRONTEND_LAYERS_IMAGE_H

#include "compiler/Frontend/Layers.h"

#include "mlir/IR/BuiltinTypes.h"

namespace nnc {

/// x's shape when it is [batch, height, width, channels] with the last three
/// known; otherwise reports, naming `layer`, and returns std::nullopt.
std::optional<llvm::ArrayRef<int64_t>> imageShape(LayerContext &ctx,
                                                  mlir::Value x,
                                                  llvm::StringRef layer);

/// [top, bottom, left, right] for Keras' `padding` (valid or same) of a
/// window of `window` taps `dilation` apart, moved by `strides`, over an
/// image of `height` x `width`.
llvm::SmallVector<int64_t, 4> kerasPadding(llvm::StringRef mode,
                                           std::array<int64_t, 2> size,
                                           std::array<int64_t, 2> window,
                                           std::array<int64_t, 2> strides,
                                           std::array<int64_t, 2> dilation);

} // namespace nnc

#endif
