//===- Builtins.h - functions usable in .nn expressions ---------*- C++ -*-===//
//
// Elementwise math, reductions, losses and grad(), callable in functional
// bodies, defs and custom losses. Sema checks names and arity against this
// table; MLIRGen turns each into nn ops.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_BUILTINS_H
#define NNC_COMPILER_FRONTEND_BUILTINS_H

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

struct Builtin {
  llvm::StringRef name;
  BuiltinKind kind;
  unsigned minArgs, maxArgs; // positional arguments
};

const Builtin *lookupBuiltin(llvm::StringRef name);
llvm::ArrayRef<Builtin> builtins();

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_BUILTINS_H
