//===- Values.h - compile-time values of the .nn language -------*- C++ -*-===//
//
// Hyper-parameters (units, activation, rate, a shape list) are known at
// compile time. A ConstValue is one of them, already evaluated: literals,
// names of activations and initialisers, and arithmetic on numbers.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_VALUES_H
#define NNC_COMPILER_FRONTEND_VALUES_H

#include "compiler/Frontend/AST.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nnc {

struct ConstValue {
  enum class Kind { Int, Float, Bool, String, Name, List };
  Kind kind = Kind::Int;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;                 // String, Name (an identifier such as relu)
  std::vector<ConstValue> list;  // List
  llvm::SMLoc loc;

  static ConstValue ofInt(int64_t v, llvm::SMLoc loc) {
    ConstValue c;
    c.kind = Kind::Int;
    c.i = v;
    c.f = static_cast<double>(v);
    c.loc = loc;
    return c;
  }
  static ConstValue ofFloat(double v, llvm::SMLoc loc) {
    ConstValue c;
    c.kind = Kind::Float;
    c.f = v;
    c.loc = loc;
    return c;
  }
  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }
  /// A word: a bare identifier or a string (Keras writes "relu").
  bool isWord() const { return kind == Kind::Name || kind == Kind::String; }

  /// How the value reads in a diagnostic: 8, 0.5, "relu", relu, [28, 28].
  std::string str() const;
};

/// Folds `e` to a compile-time value. `lookup` resolves a name: it returns
/// the value bound to it, or std::nullopt with `isTensor` set when the name is
/// a tensor (then `e` is not constant), or std::nullopt alone for a bare word
/// (relu, glorot_uniform), which folds to a Name. Calls are never constant.
std::optional<ConstValue>
foldConstant(const ast::Expr &e,
             llvm::function_ref<std::optional<ConstValue>(llvm::StringRef,
                                                          bool &isTensor)>
                 lookup);

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_VALUES_H
