//===- Families.h - the built-in layer families -----------------*- C++ -*-===//
//
// One file per family of layers, each returning its LayerSpecs (arguments
// with Keras' names and defaults, and the elaboration into nn ops).
// builtinLayers() (Layers.cpp) concatenates the families listed here.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_LAYERS_FAMILIES_H
#define NNC_COMPILER_FRONTEND_LAYERS_FAMILIES_H

#include "compiler/Frontend/Layers.h"

namespace nnc {

/// dense, activation (Core.cpp)
std::vector<LayerSpec> coreLayers();
/// flatten, reshape (Reshaping.cpp)
std::vector<LayerSpec> reshapingLayers();
/// conv2d, conv2d_transpose (Convolutional.cpp)
std::vector<LayerSpec> convolutionalLayers();
/// max/min/average and global pooling, up_sampling2d, zero_padding2d,
/// cropping2d (Pooling.cpp)
std::vector<LayerSpec> poolingLayers();
/// dropout (Regularization.cpp)
std::vector<LayerSpec> regularizationLayers();
/// embedding, global 1-D pooling (Sequence.cpp)
std::vector<LayerSpec> sequenceLayers();
/// simple_rnn, lstm, gru, bidirectional (Recurrent.cpp)
std::vector<LayerSpec> recurrentLayers();
/// Whether `name` is a recurrent layer bidirectional can wrap.
bool isRecurrentLayer(llvm::StringRef name);

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_LAYERS_FAMILIES_H
