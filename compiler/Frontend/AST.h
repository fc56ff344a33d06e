//===- AST.h - syntax tree of a .nn file ------------------------*- C++ -*-===//
//
// The parser's output, one node per construct of docs/language.md. Nodes own
// their children through unique_ptr and keep the SMLoc of their first token
// (and of the parts a diagnostic may point at, such as a named argument).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_AST_H
#define NNC_COMPILER_FRONTEND_AST_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nnc::ast {

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

struct Expr {
  enum class Kind { Number, String, Bool, Name, List, Unary, Binary, Call };
  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
  virtual ~Expr() = default;
  const Kind kind;
  llvm::SMLoc loc;
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberExpr : Expr {
  NumberExpr(llvm::SMLoc loc, double value, bool isInteger, int64_t intValue)
      : Expr(Kind::Number, loc), value(value), isInteger(isInteger),
        intValue(intValue) {}
  double value;
  bool isInteger;
  int64_t intValue;
  static bool classof(const Expr *e) { return e->kind == Kind::Number; }
};

struct StringExpr : Expr {
  StringExpr(llvm::SMLoc loc, std::string value)
      : Expr(Kind::String, loc), value(std::move(value)) {}
  std::string value;
  static bool classof(const Expr *e) { return e->kind == Kind::String; }
};

struct BoolExpr : Expr {
  BoolExpr(llvm::SMLoc loc, bool value) : Expr(Kind::Bool, loc), value(value) {}
  bool value;
  static bool classof(const Expr *e) { return e->kind == Kind::Bool; }
};

struct NameExpr : Expr {
  NameExpr(llvm::SMLoc loc, std::string name)
      : Expr(Kind::Name, loc), name(std::move(name)) {}
  std::string name;
  static bool classof(const Expr *e) { return e->kind == Kind::Name; }
};

struct ListExpr : Expr {
  ListExpr(llvm::SMLoc loc, std::vector<ExprPtr> elements)
      : Expr(Kind::List, loc), elements(std::move(elements)) {}
  std::vector<ExprPtr> elements;
  static bool classof(const Expr *e) { return e->kind == Kind::List; }
};

struct UnaryExpr : Expr {
  UnaryExpr(llvm::SMLoc loc, char op, ExprPtr operand)
      : Expr(Kind::Unary, loc), op(op), operand(std::move(operand)) {}
  char op; // '-'
  ExprPtr operand;
  static bool classof(const Expr *e) { return e->kind == Kind::Unary; }
};

struct BinaryExpr : Expr {
  BinaryExpr(llvm::SMLoc loc, char op, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::Binary, loc), op(op), lhs(std::move(lhs)),
        rhs(std::move(rhs)) {}
  char op; // + - * / ^
  ExprPtr lhs, rhs;
  static bool classof(const Expr *e) { return e->kind == Kind::Binary; }
};

/// One argument of a call: positional (`8`) or named (`activation: relu`).
struct Argument {
  std::string name; // empty when positional
  llvm::SMLoc nameLoc;
  ExprPtr value;
};

struct CallExpr : Expr {
  CallExpr(llvm::SMLoc loc, std::string callee, std::vector<Argument> args)
      : Expr(Kind::Call, loc), callee(std::move(callee)),
        args(std::move(args)) {}
  std::string callee;
  std::vector<Argument> args;
  static bool classof(const Expr *e) { return e->kind == Kind::Call; }
};

/// Where an expression's text begins. A binary expression's own `loc` is its
/// operator, which is where operand mismatches are reported.
inline llvm::SMLoc startLoc(const Expr &e) {
  if (auto *b = llvm::dyn_cast<BinaryExpr>(&e))
    return startLoc(*b->lhs);
  return e.loc;
}

//===----------------------------------------------------------------------===//
// Types and parameters
//===----------------------------------------------------------------------===//

/// `f32[28, 28, 1]` (the shape of one sample; the batch is implicit),
/// `tensor` (a block input of any shape), or a hyper-parameter kind.
struct TypeSpec {
  enum class Kind { Tensor, AnyTensor, Int, Float, Bool, String, Activation };
  Kind kind = Kind::Tensor;
  std::string dtype; // "f32" or "f64" for Tensor
  std::vector<int64_t> dims;
  llvm::SMLoc loc;
  bool isTensor() const {
    return kind == Kind::Tensor || kind == Kind::AnyTensor;
  }
};

struct Param {
  std::string name;
  llvm::SMLoc loc;
  TypeSpec type;
  ExprPtr defaultValue; // may be null
};

//===----------------------------------------------------------------------===//
// Statements and declarations
//===----------------------------------------------------------------------===//

struct Stmt {
  enum class Kind { Layer, Assign, Return };
  Kind kind;
  llvm::SMLoc loc;
  std::string name;             // Assign: the (first) bound name
  /// Assign: every bound name, `name` first. More than one unpacks a layer
  /// that gives several values (`y, h, c = lstm(x, 8, return_state: true)`).
  std::vector<std::string> names;
  std::vector<llvm::SMLoc> nameLocs;
  std::vector<ExprPtr> values;  // Layer/Assign: one; Return: one or more
};

/// `model` and `block` share a shape: parameters and a body. A body without
/// `return` is sequential (each layer feeds the next); with `return` it is
/// functional (named values).
struct ModelDecl {
  bool isBlock = false;
  std::string name;
  llvm::SMLoc loc;
  std::vector<Param> params;
  std::vector<TypeSpec> results; // optional `-> f32[3]`
  std::vector<Stmt> body;
  llvm::SMLoc endLoc; // the closing brace
  bool hadSyntaxErrors = false; // statements were dropped while parsing
  bool isFunctional() const {
    for (const Stmt &s : body)
      if (s.kind == Stmt::Kind::Return)
        return true;
    return false;
  }
};

/// `def name(a, b) = expr`: a trial function or a custom loss.
struct DefDecl {
  std::string name;
  llvm::SMLoc loc;
  std::vector<std::pair<std::string, llvm::SMLoc>> params;
  ExprPtr body;
};

/// `train model { key: value ... }`.
struct TrainEntry {
  std::string key;
  llvm::SMLoc loc;
  ExprPtr value;
};
struct TrainDecl {
  std::string model;
  llvm::SMLoc loc;
  llvm::SMLoc modelLoc;
  std::vector<TrainEntry> entries;
  bool hadSyntaxErrors = false; // entries were dropped while parsing
};

struct Module {
  std::vector<ModelDecl> models; // models and blocks, in source order
  std::vector<DefDecl> defs;
  std::vector<TrainDecl> trains;
};

/// Prints the tree with line:col locations (`nnc --emit=ast`).
void dump(const Module &module, const llvm::SourceMgr &sourceMgr,
          llvm::raw_ostream &os);

} // namespace nnc::ast

#endif // NNC_COMPILER_FRONTEND_AST_H
