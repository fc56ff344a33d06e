//===- NNInitializers.cpp - parameter initialiser names -------------------===//

#include "dialects/nn/IR/NNInitializers.h"

namespace nnc::nn {

// The user's initializers first: userInitializers() is a prefix.
static const llvm::StringRef kInits[] = {
    "zeros",       "ones",          "glorot_uniform", "glorot_normal",
    "he_uniform",  "he_normal",     "lecun_uniform",  "lecun_normal",
    "random_uniform", "random_normal", "orthogonal",
    // Layers' own.
    "unit_forget_bias", "reservoir_input", "reservoir_columns",
    "reservoir_values"};
constexpr size_t kUserInits = 11;

llvm::ArrayRef<llvm::StringRef> builtinInitializers() { return kInits; }

llvm::ArrayRef<llvm::StringRef> userInitializers() {
  return llvm::ArrayRef<llvm::StringRef>(kInits).take_front(kUserInits);
}

bool isIn(llvm::ArrayRef<llvm::StringRef> list, llvm::StringRef name) {
  for (llvm::StringRef s : list)
    if (s == name)
      return true;
  return false;
}

} // namespace nnc::nn
