//===- NNVocabulary.cpp - losses, optimizers, metrics, initialisers -------===//

#include "dialects/nn/IR/NNVocabulary.h"

#include "llvm/ADT/StringSwitch.h"

namespace nnc::nn {

llvm::ArrayRef<llvm::StringRef> builtinLosses() {
  static const llvm::StringRef kLosses[] = {
      "mse", "mae", "binary_crossentropy", "categorical_crossentropy",
      "sparse_categorical_crossentropy"};
  return kLosses;
}

llvm::StringRef canonicalLossName(llvm::StringRef name) {
  return llvm::StringSwitch<llvm::StringRef>(name)
      .Cases({"mse", "mean_squared_error"}, "mse")
      .Cases({"mae", "mean_absolute_error"}, "mae")
      .Case("binary_crossentropy", "binary_crossentropy")
      .Case("categorical_crossentropy", "categorical_crossentropy")
      .Case("sparse_categorical_crossentropy",
            "sparse_categorical_crossentropy")
      .Default("");
}

// Keras 3 defaults (keras.optimizers.SGD / Adam).
static const OptimizerParam kSgdParams[] = {
    {"learning_rate", OptimizerParam::Float, 0.01},
    {"momentum", OptimizerParam::Float, 0.0},
    {"nesterov", OptimizerParam::Bool, 0.0},
};
static const OptimizerParam kAdamParams[] = {
    {"learning_rate", OptimizerParam::Float, 0.001},
    {"beta_1", OptimizerParam::Float, 0.9},
    {"beta_2", OptimizerParam::Float, 0.999},
    {"epsilon", OptimizerParam::Float, 1e-7},
};
static const OptimizerSpec kOptimizers[] = {
    {"sgd", kSgdParams},
    {"adam", kAdamParams},
};

llvm::ArrayRef<OptimizerSpec> builtinOptimizers() { return kOptimizers; }

const OptimizerSpec *lookupOptimizer(llvm::StringRef name) {
  for (const OptimizerSpec &spec : kOptimizers)
    if (spec.name == name)
      return &spec;
  return nullptr;
}

llvm::ArrayRef<llvm::StringRef> builtinMetrics() {
  static const llvm::StringRef kMetrics[] = {
      "accuracy", "binary_accuracy", "categorical_accuracy",
      "sparse_categorical_accuracy", "mse", "mae"};
  return kMetrics;
}

llvm::ArrayRef<llvm::StringRef> builtinInitializers() {
  static const llvm::StringRef kInits[] = {
      "zeros",       "ones",          "glorot_uniform", "glorot_normal",
      "he_uniform",  "he_normal",     "lecun_uniform",  "lecun_normal",
      "random_uniform", "random_normal"};
  return kInits;
}

bool isIn(llvm::ArrayRef<llvm::StringRef> list, llvm::StringRef name) {
  for (llvm::StringRef s : list)
    if (s == name)
      return true;
  return false;
}

} // namespace nnc::nn
