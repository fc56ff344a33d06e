//===- NNLosses.h - the built-in losses, one entry each ---------*- C++ -*-===//
//
// Everything nnc knows about a built-in loss lives in its entry in
// NNLosses.cpp: Keras' name (the mnemonic of its op in NNOps.td) and
// aliases, the shapes it accepts (said once, for the op's verifier and for
// the front end's message at the .nn line), how to create its op, and its
// Keras definition in nn arithmetic (what nnc-expand-losses writes). The
// front end, the training builder, the verifiers and the lowering all ask
// here; adding a loss is its op plus one entry.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_IR_NNLOSSES_H
#define NNC_DIALECTS_NN_IR_NNLOSSES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <string>

namespace nnc::nn {

struct LossSpec {
  /// Keras' name, which is also the op's mnemonic (`nn.mse`).
  llvm::StringRef name;
  /// Keras' long names (`mean_squared_error`).
  llvm::ArrayRef<llvm::StringRef> aliases;
  /// Compares a (batch, classes) output with class targets.
  bool classes;
  /// "" if y_pred and y_true fit, else what is wrong in the user's terms
  /// ("needs y_true and y_pred of one shape, got (None, 3) and (None,)").
  std::string (*checkShapes)(mlir::RankedTensorType yPred,
                             mlir::RankedTensorType yTrue);
  /// The loss op of (y_pred, y_true): the batch mean, a rank-0 tensor.
  mlir::Value (*create)(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value yPred, mlir::Value yTrue);
  /// Keras' definition of `loss` (this loss's op) in nn ops, built before
  /// it; failure with a diagnostic when it cannot be expanded.
  mlir::FailureOr<mlir::Value> (*expand)(mlir::Operation *loss);
  /// Non-empty when a train section cannot use it yet: why, and what to
  /// use instead (follows the loss's name in the message).
  llvm::StringRef notTrainableYet = {};
  /// Targets are class indices, (batch, 1), not rows like the output.
  bool classIndices = false;
};

/// Every built-in loss, in the order error messages list them.
llvm::ArrayRef<LossSpec> builtinLosses();
/// The loss named `name` or one of its aliases; null when unknown.
const LossSpec *lookupLoss(llvm::StringRef name);
/// The spec of a loss op; null for any other op.
const LossSpec *lossOf(mlir::Operation *op);

} // namespace nnc::nn

#endif // NNC_DIALECTS_NN_IR_NNLOSSES_H
