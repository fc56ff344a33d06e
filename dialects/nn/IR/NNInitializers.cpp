//===- NNInitializers.cpp - parameter initialiser names -------------------===//

#include "dialects/nn/IR/NNInitializers.h"

namespace nnc::nn {

llvm::ArrayRef<llvm::StringRef> builtinInitializers() {
  static const llvm::StringRef kInits[] = {
      "zeros",       "ones",          "glorot_uniform", "glorot_normal",
      "he_uniform",  "he_normal",     "lecun_uniform",  "lecun_normal",
      "random_uniform", "random_normal", "orthogonal", "unit_forget_bias",
      "reservoir_input", "reservoir_columns", "reservoir_values"};
  return kInits;
}

bool isIn(llvm::ArrayRef<llvm::StringRef> list, llvm::StringRef name) {
  for (llvm::StringRef s : list)
    if (s == name)
      return true;
  return false;
}

} // namespace nnc::nn
