//===- Builtins.cpp - functions usable in .nn expressions -----------------===//
//
// A unary function's name is its op's mnemonic (`tanh` builds nn.tanh), so
// adding one is its op plus one line here.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/Builtins.h"

#include "dialects/nn/IR/NNLosses.h"
#include "dialects/nn/IR/NNOps.h"

using namespace nnc;

namespace {

template <typename Op>
mlir::Value build(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x) {
  return Op::create(b, loc, x);
}

/// `Op`'s mnemonic as a built-in unary function.
template <typename Op> Builtin unary(bool activation = false) {
  llvm::StringRef name = Op::getOperationName().drop_front(
      nn::NNDialect::getDialectNamespace().size() + 1);
  return {name, BuiltinKind::Unary, 1, 1, build<Op>, activation};
}

std::vector<Builtin> makeBuiltins() {
  std::vector<Builtin> all = {
      unary<nn::ExpOp>(),
      unary<nn::LogOp>(),
      unary<nn::SqrtOp>(),
      unary<nn::AbsOp>(),
      unary<nn::SinOp>(),
      unary<nn::CosOp>(),
      unary<nn::ReluOp>(/*activation=*/true),
      unary<nn::SigmoidOp>(/*activation=*/true),
      unary<nn::TanhOp>(/*activation=*/true),
      unary<nn::EluOp>(/*activation=*/true),
      {"softmax", BuiltinKind::Softmax, 1, 2},
      {"maximum", BuiltinKind::Binary, 2, 2},
      {"minimum", BuiltinKind::Binary, 2, 2},
      {"mean", BuiltinKind::Reduction, 1, 2},
      {"sum", BuiltinKind::Reduction, 1, 2},
      {"max", BuiltinKind::Reduction, 1, 2},
      {"grad", BuiltinKind::Grad, 2, 2},
  };
  for (const nn::LossSpec &l : nn::builtinLosses())
    all.push_back({l.name, BuiltinKind::Loss, 2, 2});
  return all;
}

} // namespace

llvm::ArrayRef<Builtin> nnc::builtins() {
  static const std::vector<Builtin> kBuiltins = makeBuiltins();
  return kBuiltins;
}

const Builtin *nnc::lookupBuiltin(llvm::StringRef name) {
  for (const Builtin &b : builtins())
    if (b.name == name)
      return &b;
  return nullptr;
}

llvm::ArrayRef<std::string> nnc::activationNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names{"linear"};
    for (const Builtin &b : builtins())
      if (b.activation)
        names.push_back(b.name.str());
    names.push_back("softmax");
    return names;
  }();
  return kNames;
}

mlir::Value nnc::applyActivation(mlir::OpBuilder &b, mlir::Location loc,
                                 llvm::StringRef name, mlir::Value x) {
  if (name == "softmax")
    return nn::SoftmaxOp::create(b, loc, x, int64_t(-1));
  if (const Builtin *f = lookupBuiltin(name); f && f->activation)
    return f->unary(b, loc, x);
  return x; // linear
}
