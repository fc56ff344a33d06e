//===- NNInitializers.h - parameter initialiser names -----------*- C++ -*-===//
//
// The Keras initialisers a parameter may name (`nn.init`). The runtime
// implements them (runtime/src/Init.cpp, which cannot link this library);
// the front end and the argument-attribute verifier check names here.
// Losses, optimizers and metrics have their own files (NNLosses.h,
// NNOptimizers.h, NNMetrics.h).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_IR_NNINITIALIZERS_H
#define NNC_DIALECTS_NN_IR_NNINITIALIZERS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace nnc::nn {

/// Every initializer a parameter's nn.init may name (the runtime's Init.cpp
/// implements each): the user's and the layers' own.
llvm::ArrayRef<llvm::StringRef> builtinInitializers();
/// The initializers a .nn file may name (Keras' names). The rest of
/// builtinInitializers are layers' internal ones (an LSTM's forget-gate
/// bias, a reservoir's fixed weights), chosen by the layer, not the user.
llvm::ArrayRef<llvm::StringRef> userInitializers();

bool isIn(llvm::ArrayRef<llvm::StringRef> list, llvm::StringRef name);

} // namespace nnc::nn

#endif // NNC_DIALECTS_NN_IR_NNINITIALIZERS_H
