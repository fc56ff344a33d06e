//===- Builtins.cpp - functions usable in .nn expressions -----------------===//

#include "compiler/Frontend/Builtins.h"

using namespace nnc;

llvm::ArrayRef<Builtin> nnc::builtins() {
  static const Builtin kBuiltins[] = {
      {"exp", BuiltinKind::Unary, 1, 1},
      {"log", BuiltinKind::Unary, 1, 1},
      {"sqrt", BuiltinKind::Unary, 1, 1},
      {"abs", BuiltinKind::Unary, 1, 1},
      {"sin", BuiltinKind::Unary, 1, 1},
      {"cos", BuiltinKind::Unary, 1, 1},
      {"tanh", BuiltinKind::Unary, 1, 1},
      {"sigmoid", BuiltinKind::Unary, 1, 1},
      {"relu", BuiltinKind::Unary, 1, 1},
      {"softmax", BuiltinKind::Softmax, 1, 2},
      {"maximum", BuiltinKind::Binary, 2, 2},
      {"minimum", BuiltinKind::Binary, 2, 2},
      {"mean", BuiltinKind::Reduction, 1, 2},
      {"sum", BuiltinKind::Reduction, 1, 2},
      {"max", BuiltinKind::Reduction, 1, 2},
      {"mse", BuiltinKind::Loss, 2, 2},
      {"mae", BuiltinKind::Loss, 2, 2},
      {"binary_crossentropy", BuiltinKind::Loss, 2, 2},
      {"categorical_crossentropy", BuiltinKind::Loss, 2, 2},
      {"sparse_categorical_crossentropy", BuiltinKind::Loss, 2, 2},
      {"grad", BuiltinKind::Grad, 2, 2},
  };
  return kBuiltins;
}

const Builtin *nnc::lookupBuiltin(llvm::StringRef name) {
  for (const Builtin &b : builtins())
    if (b.name == name)
      return &b;
  return nullptr;
}
