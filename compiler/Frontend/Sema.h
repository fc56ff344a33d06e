//===- Sema.h - name and declaration checks for .nn files -------*- C++ -*-===//
//
// Checks what can be decided from the syntax tree alone: unique declaration
// names, names in scope, callees that exist, the two body forms (sequential
// and functional), and the training section, which it resolves into a
// TrainConfig with Keras' defaults filled in. Shapes and hyper-parameter
// values depend on how blocks are instantiated, so MLIRGen checks those while
// it elaborates (through the shape functions the nn ops use).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_SEMA_H
#define NNC_COMPILER_FRONTEND_SEMA_H

#include "compiler/Frontend/AST.h"
#include "compiler/Frontend/Diagnostics.h"

#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace nnc {

struct TrainConfig {
  const ast::TrainDecl *decl = nullptr;
  const ast::ModelDecl *model = nullptr;
  // Exactly one of the three loss forms is set.
  std::string builtinLoss;               // canonical name, e.g. "mse"
  // `loss: [mse, binary_crossentropy]`: one built-in loss per output of a
  // model with several (builtinLoss is then empty).
  std::vector<std::string> outputLosses;
  // `loss_weights: [1, 0.5]`: the total loss is sum_k w_k * loss_k (Keras'
  // compile(loss_weights=)); empty means every weight is 1.
  std::vector<double> lossWeights;
  llvm::SMLoc lossWeightsLoc;
  const ast::DefDecl *lossDef = nullptr; // def f(y_true, y_pred) = ...
  const ast::Expr *lossExpr = nullptr;   // an inline expression
  llvm::SMLoc lossLoc;
  std::string optimizer;
  // Every hyper-parameter of the optimizer, defaults filled in.
  std::vector<std::pair<std::string, double>> optimizerConfig;
  std::vector<std::string> metrics;
  int64_t batchSize = 32; // Keras' fit() defaults
  int64_t epochs = 1;
  double validationSplit = 0.0;
};

struct SemaResult {
  llvm::StringMap<const ast::ModelDecl *> models; // models and blocks
  llvm::StringMap<const ast::DefDecl *> defs;
  std::vector<TrainConfig> trains;
};

/// Checks `module`, reporting through `diags`. The result is meaningful only
/// if no error was reported.
SemaResult analyze(const ast::Module &module, DiagnosticEngine &diags);

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_SEMA_H
