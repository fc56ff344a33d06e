//===- Builtins.h - functions usable in .nn expressions ---------*- C++ -*-===//
//
// Elementwise math, reductions, losses and grad(), callable in functional
// bodies, defs and custom losses, and the activations a layer's
// `activation:` names. This is their one home: Sema checks names and arity
// against the table, MLIRGen asks it for the op a name builds. Losses come
// from the loss registry (dialects/nn/IR/NNLosses.h).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_BUILTINS_H
#define NNC_COMPILER_FRONTEND_BUILTINS_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace nnc {

enum class BuiltinKind {
  Unary,     // f(x)
  Softmax,   // softmax(x, axis: -1)
  Binary,    // maximum(a, b), minimum(a, b)
  Reduction, // mean(x [, axis]), sum, max
  Loss,      // mse(y_true, y_pred), ... (Keras' argument order)
  Grad,      // grad(expr, x)
};

/// An elementwise function of one tensor: the op it builds.
using UnaryBuilder = mlir::Value (*)(mlir::OpBuilder &, mlir::Location,
                                     mlir::Value);

struct Builtin {
  llvm::StringRef name;
  BuiltinKind kind;
  unsigned minArgs, maxArgs; // positional arguments
  UnaryBuilder unary = nullptr; // kind Unary
  bool activation = false;      // also a layer's `activation:`
};

const Builtin *lookupBuiltin(llvm::StringRef name);
llvm::ArrayRef<Builtin> builtins();

/// What a layer's `activation:` accepts: "linear" (none), the unary
/// built-ins marked as activations, and "softmax" (over the last axis).
llvm::ArrayRef<std::string> activationNames();
/// Activation `name` (one of activationNames()) applied to `x`.
mlir::Value applyActivation(mlir::OpBuilder &b, mlir::Location loc,
                            llvm::StringRef name, mlir::Value x);

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_BUILTINS_H
