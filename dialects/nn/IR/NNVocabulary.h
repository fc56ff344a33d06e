//===- NNVocabulary.h - the named things a training section uses *- C++ -*-===//
//
// Losses, optimizers (with Keras' default hyper-parameters), metrics and
// parameter initialisers, listed once. The front end checks a `.nn` file
// against these tables and fills in defaults; the dialect's verifiers check
// IR against the same tables.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_IR_NNVOCABULARY_H
#define NNC_DIALECTS_NN_IR_NNVOCABULARY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace nnc::nn {

/// Canonical built-in loss names. `canonicalLossName` also accepts Keras'
/// long aliases (mean_squared_error -> mse) and returns "" when unknown.
llvm::ArrayRef<llvm::StringRef> builtinLosses();
llvm::StringRef canonicalLossName(llvm::StringRef name);

struct OptimizerParam {
  llvm::StringRef name;
  enum Kind { Float, Bool } kind;
  double defaultValue; // 0/1 for Bool
};
struct OptimizerSpec {
  llvm::StringRef name;
  llvm::ArrayRef<OptimizerParam> params;
};
llvm::ArrayRef<OptimizerSpec> builtinOptimizers();
const OptimizerSpec *lookupOptimizer(llvm::StringRef name);

llvm::ArrayRef<llvm::StringRef> builtinMetrics();
llvm::ArrayRef<llvm::StringRef> builtinInitializers();

bool isIn(llvm::ArrayRef<llvm::StringRef> list, llvm::StringRef name);

} // namespace nnc::nn

#endif // NNC_DIALECTS_NN_IR_NNVOCABULARY_H
