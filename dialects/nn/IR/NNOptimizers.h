//===- NNOptimizers.h - the built-in optimizers, one entry each -*- C++ -*-===//
//
// An optimizer's entry (NNOptimizers.cpp) holds its name, its
// hyper-parameters with Keras' defaults (the front end fills them in, the
// train_config verifier checks them), the state slots it keeps per
// trainable parameter, and its update rule in nn ops (what
// nnc-build-training writes into the train step). Adding an optimizer is
// one entry.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_IR_NNOPTIMIZERS_H
#define NNC_DIALECTS_NN_IR_NNOPTIMIZERS_H

#include "dialects/nn/IR/NNBuilder.h"

namespace nnc::nn {

struct OptimizerParam {
  llvm::StringRef name;
  enum Kind { Float, Bool } kind;
  double defaultValue; // 0/1 for Bool
};

/// One parameter's update, as the train step sees it.
struct OptimizerStep {
  mlir::Value param, grad;
  llvm::ArrayRef<mlir::Value> slots; // this parameter's, in slot order
  mlir::Value learningRate, step;    // run-time scalars; step is 1-based
  mlir::DictionaryAttr config;       // every hyper-parameter, filled in
  double hyper(llvm::StringRef name) const;
};

struct OptimizerSpec {
  llvm::StringRef name;
  llvm::ArrayRef<OptimizerParam> params;
  /// The state kept per trainable parameter, by suffix of its name
  /// ("dense.kernel/m"); may depend on the hyper-parameters.
  llvm::SmallVector<llvm::StringRef> (*slots)(mlir::DictionaryAttr config);
  /// The new parameter, and the new value of each slot in `newSlots`.
  mlir::Value (*update)(NNBuilder &ops, const OptimizerStep &s,
                        llvm::SmallVectorImpl<mlir::Value> &newSlots);
};

llvm::ArrayRef<OptimizerSpec> builtinOptimizers();
const OptimizerSpec *lookupOptimizer(llvm::StringRef name);

} // namespace nnc::nn

#endif // NNC_DIALECTS_NN_IR_NNOPTIMIZERS_H
