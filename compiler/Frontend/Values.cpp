//===- Values.cpp - folding expressions to compile-time values ------------===//

#include "compiler/Frontend/Values.h"

#include "llvm/Support/Casting.h"

#include <cmath>

using namespace nnc;
using namespace nnc::ast;

std::optional<ConstValue>
nnc::foldConstant(const Expr &e,
                  llvm::function_ref<std::optional<ConstValue>(
                      llvm::StringRef, bool &isTensor)>
                      lookup) {
  using K = ConstValue::Kind;
  if (auto *n = llvm::dyn_cast<NumberExpr>(&e))
    return n->isInteger ? ConstValue::ofInt(n->intValue, e.loc)
                        : ConstValue::ofFloat(n->value, e.loc);
  if (auto *s = llvm::dyn_cast<StringExpr>(&e)) {
    ConstValue c;
    c.kind = K::String;
    c.s = s->value;
    c.loc = e.loc;
    return c;
  }
  if (auto *b = llvm::dyn_cast<BoolExpr>(&e)) {
    ConstValue c;
    c.kind = K::Bool;
    c.b = b->value;
    c.loc = e.loc;
    return c;
  }
  if (auto *n = llvm::dyn_cast<NameExpr>(&e)) {
    bool isTensor = false;
    if (std::optional<ConstValue> bound = lookup(n->name, isTensor)) {
      ConstValue c = *bound;
      c.loc = e.loc;
      return c;
    }
    if (isTensor)
      return std::nullopt;
    ConstValue c; // a bare word such as relu or glorot_uniform
    c.kind = K::Name;
    c.s = n->name;
    c.loc = e.loc;
    return c;
  }
  if (auto *l = llvm::dyn_cast<ListExpr>(&e)) {
    ConstValue c;
    c.kind = K::List;
    c.loc = e.loc;
    for (const ExprPtr &el : l->elements) {
      std::optional<ConstValue> v = foldConstant(*el, lookup);
      if (!v)
        return std::nullopt;
      c.list.push_back(*v);
    }
    return c;
  }
  if (auto *u = llvm::dyn_cast<UnaryExpr>(&e)) {
    std::optional<ConstValue> v = foldConstant(*u->operand, lookup);
    if (!v || !v->isNumber())
      return std::nullopt;
    ConstValue c = v->kind == K::Int ? ConstValue::ofInt(-v->i, e.loc)
                                     : ConstValue::ofFloat(-v->f, e.loc);
    return c;
  }
  if (auto *b = llvm::dyn_cast<BinaryExpr>(&e)) {
    std::optional<ConstValue> l = foldConstant(*b->lhs, lookup);
    std::optional<ConstValue> r = foldConstant(*b->rhs, lookup);
    if (!l || !r || !l->isNumber() || !r->isNumber())
      return std::nullopt;
    llvm::SMLoc loc = b->lhs->loc;
    bool ints = l->kind == K::Int && r->kind == K::Int;
    switch (b->op) {
    case '+':
      return ints ? ConstValue::ofInt(l->i + r->i, loc)
                  : ConstValue::ofFloat(l->f + r->f, loc);
    case '-':
      return ints ? ConstValue::ofInt(l->i - r->i, loc)
                  : ConstValue::ofFloat(l->f - r->f, loc);
    case '*':
      return ints ? ConstValue::ofInt(l->i * r->i, loc)
                  : ConstValue::ofFloat(l->f * r->f, loc);
    case '/': // true division, as in Python
      return ConstValue::ofFloat(l->f / r->f, loc);
    case '^':
      if (ints && r->i >= 0)
        return ConstValue::ofInt(
            static_cast<int64_t>(std::llround(std::pow(l->f, r->f))), loc);
      return ConstValue::ofFloat(std::pow(l->f, r->f), loc);
    default:
      return std::nullopt;
    }
  }
  return std::nullopt; // calls are not constants
}
