//===- ASTDump.cpp - prints the AST for --emit=ast ------------------------===//
//
// One line per declaration, parameter and statement, each with its <line:col>.
// Expressions print fully parenthesised so that tests can see precedence.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/AST.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"

using namespace nnc::ast;
using llvm::raw_ostream;

namespace {

class Dumper {
public:
  Dumper(const llvm::SourceMgr &sm, raw_ostream &os) : sm(sm), os(os) {}

  void loc(llvm::SMLoc l) {
    auto [line, col] = sm.getLineAndColumn(l);
    os << " <" << line << ":" << col << ">\n";
  }

  void expr(const Expr &e) {
    if (auto *n = llvm::dyn_cast<NumberExpr>(&e)) {
      if (n->isInteger)
        os << n->intValue;
      else
        os << llvm::format("%g", n->value);
    } else if (auto *s = llvm::dyn_cast<StringExpr>(&e)) {
      os << '"' << s->value << '"';
    } else if (auto *b = llvm::dyn_cast<BoolExpr>(&e)) {
      os << (b->value ? "true" : "false");
    } else if (auto *n = llvm::dyn_cast<NameExpr>(&e)) {
      os << n->name;
    } else if (auto *l = llvm::dyn_cast<ListExpr>(&e)) {
      os << '[';
      for (size_t i = 0; i < l->elements.size(); ++i) {
        if (i)
          os << ", ";
        expr(*l->elements[i]);
      }
      os << ']';
    } else if (auto *u = llvm::dyn_cast<UnaryExpr>(&e)) {
      os << '(' << u->op;
      expr(*u->operand);
      os << ')';
    } else if (auto *b = llvm::dyn_cast<BinaryExpr>(&e)) {
      os << '(';
      expr(*b->lhs);
      os << ' ' << b->op << ' ';
      expr(*b->rhs);
      os << ')';
    } else if (auto *c = llvm::dyn_cast<CallExpr>(&e)) {
      os << c->callee << '(';
      for (size_t i = 0; i < c->args.size(); ++i) {
        if (i)
          os << ", ";
        if (!c->args[i].name.empty())
          os << c->args[i].name << ": ";
        expr(*c->args[i].value);
      }
      os << ')';
    }
  }

  void type(const TypeSpec &t) {
    switch (t.kind) {
    case TypeSpec::Kind::Tensor:
      os << t.dtype << '[';
      for (size_t i = 0; i < t.dims.size(); ++i)
        os << (i ? ", " : "") << t.dims[i];
      os << ']';
      return;
    case TypeSpec::Kind::AnyTensor: os << "tensor"; return;
    case TypeSpec::Kind::Int: os << "int"; return;
    case TypeSpec::Kind::Float: os << "float"; return;
    case TypeSpec::Kind::Bool: os << "bool"; return;
    case TypeSpec::Kind::String: os << "string"; return;
    case TypeSpec::Kind::Activation: os << "activation"; return;
    }
  }

  void model(const ModelDecl &m) {
    os << (m.isBlock ? "block " : "model ") << m.name;
    loc(m.loc);
    for (const Param &p : m.params) {
      os << "  param " << p.name << ": ";
      type(p.type);
      if (p.defaultValue) {
        os << " = ";
        expr(*p.defaultValue);
      }
      loc(p.loc);
    }
    for (const TypeSpec &r : m.results) {
      os << "  result ";
      type(r);
      loc(r.loc);
    }
    os << "  " << (m.isFunctional() ? "functional" : "sequential") << "\n";
    for (const Stmt &s : m.body) {
      switch (s.kind) {
      case Stmt::Kind::Layer:
        os << "    layer ";
        break;
      case Stmt::Kind::Assign:
        os << "    let " << llvm::join(s.names, ", ") << " = ";
        break;
      case Stmt::Kind::Return:
        os << "    return ";
        break;
      }
      for (size_t i = 0; i < s.values.size(); ++i) {
        if (i)
          os << ", ";
        expr(*s.values[i]);
      }
      loc(s.loc);
    }
  }

  void def(const DefDecl &d) {
    os << "def " << d.name << '(';
    for (size_t i = 0; i < d.params.size(); ++i)
      os << (i ? ", " : "") << d.params[i].first;
    os << ") = ";
    expr(*d.body);
    loc(d.loc);
  }

  void train(const TrainDecl &t) {
    os << "train " << t.model;
    loc(t.loc);
    for (const TrainEntry &e : t.entries) {
      os << "  " << e.key << ": ";
      expr(*e.value);
      loc(e.loc);
    }
  }

private:
  const llvm::SourceMgr &sm;
  raw_ostream &os;
};

} // namespace

void nnc::ast::dump(const Module &module, const llvm::SourceMgr &sourceMgr,
                    raw_ostream &os) {
  Dumper d(sourceMgr, os);
  for (const ModelDecl &m : module.models)
    d.model(m);
  for (const DefDecl &def : module.defs)
    d.def(def);
  for (const TrainDecl &t : module.trains)
    d.train(t);
}
