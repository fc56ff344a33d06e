//===- Parser.cpp - recursive-descent parser for .nn files ----------------===//

#include "compiler/Frontend/Parser.h"

#include "dialects/nn/IR/NNShapes.h"

using namespace nnc;
using namespace nnc::ast;

Parser::Parser(Lexer &lexer, DiagnosticEngine &diags)
    : lexer(lexer), diags(diags) {
  consume();
}

//===----------------------------------------------------------------------===//
// Token stream
//===----------------------------------------------------------------------===//

void Parser::consume() {
  if (hasLookahead) {
    tok = lookahead;
    hasLookahead = false;
    return;
  }
  // Invalid characters were reported by the lexer; skip them here so the
  // parser does not add a second message for the same mistake.
  do {
    tok = lexer.next();
    lexErrorInStatement |= tok.kind == Tok::Error;
  } while (tok.kind == Tok::Error);
}

const Token &Parser::peek() {
  if (!hasLookahead) {
    do {
      lookahead = lexer.next();
      lexErrorInStatement |= lookahead.kind == Tok::Error;
    } while (lookahead.kind == Tok::Error);
    hasLookahead = true;
  }
  return lookahead;
}

bool Parser::consumeIf(Tok kind) {
  if (!is(kind))
    return false;
  consume();
  return true;
}

std::string Parser::describe(const Token &t) const {
  switch (t.kind) {
  case Tok::Ident:
  case Tok::Integer:
  case Tok::Float:
    return "'" + t.text.str() + "'";
  case Tok::String:
    return "string \"" + t.text.str() + "\"";
  default:
    return tokenDescription(t.kind);
  }
}

void Parser::errorHere(const llvm::Twine &expected) {
  if (lexErrorInStatement)
    return;
  diags.error(tok.loc, "expected " + expected + ", got " + describe(tok));
}

bool Parser::expect(Tok kind, const llvm::Twine &context) {
  if (consumeIf(kind))
    return true;
  errorHere(llvm::Twine(tokenDescription(kind)) + " " + context);
  return false;
}

static bool startsDeclaration(Tok kind) {
  return kind == Tok::KwModel || kind == Tok::KwBlock || kind == Tok::KwDef ||
         kind == Tok::KwTrain;
}

void Parser::skipToDeclaration() {
  while (!is(Tok::Eof) && !(startsDeclaration(tok.kind) && tok.atLineStart))
    consume();
}

void Parser::skipToStatementEnd() {
  // Skip the rest of the broken statement: stop at the first token that
  // begins a new line outside brackets, or at the body's closing brace.
  int depth = 0;
  bool first = true;
  while (!is(Tok::Eof)) {
    if (depth == 0 && !first && tok.atLineStart)
      return;
    if (depth == 0 && is(Tok::RBrace))
      return;
    if (startsDeclaration(tok.kind) && tok.atLineStart && !first)
      return;
    if (is(Tok::LParen) || is(Tok::LBracket) || is(Tok::LBrace))
      ++depth;
    else if ((is(Tok::RParen) || is(Tok::RBracket) || is(Tok::RBrace)) &&
             depth > 0)
      --depth;
    consume();
    first = false;
  }
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

std::unique_ptr<Module> Parser::parseModule() {
  auto module = std::make_unique<Module>();
  while (!is(Tok::Eof)) {
    lexErrorInStatement = false;
    switch (tok.kind) {
    case Tok::KwModel:
    case Tok::KwBlock:
      parseModelDecl(*module);
      break;
    case Tok::KwDef:
      parseDefDecl(*module);
      break;
    case Tok::KwTrain:
      parseTrainDecl(*module);
      break;
    default:
      errorHere("'model', 'block', 'def' or 'train'");
      consume();
      skipToDeclaration();
      break;
    }
  }
  return module;
}

void Parser::parseModelDecl(Module &module) {
  ModelDecl decl;
  decl.isBlock = is(Tok::KwBlock);
  const char *what = decl.isBlock ? "block" : "model";
  consume();
  decl.loc = tok.loc;
  if (!is(Tok::Ident)) {
    errorHere(llvm::Twine("a name after '") + what + "'");
    return skipToDeclaration();
  }
  decl.name = tok.text.str();
  consume();
  if (!expect(Tok::LParen, llvm::Twine("after ") + what + " name '" +
                               decl.name + "'") ||
      !parseParams(decl.params))
    return skipToDeclaration();
  if (consumeIf(Tok::Arrow)) {
    do {
      TypeSpec type;
      if (!parseType(type))
        return skipToDeclaration();
      decl.results.push_back(std::move(type));
    } while (consumeIf(Tok::Comma));
  }
  if (!parseBody(decl))
    return skipToDeclaration();
  module.models.push_back(std::move(decl));
}

bool Parser::parseParams(std::vector<Param> &params) {
  // The '(' is consumed.
  if (consumeIf(Tok::RParen))
    return true;
  do {
    Param param;
    param.loc = tok.loc;
    if (!is(Tok::Ident)) {
      errorHere("a parameter name");
      return false;
    }
    param.name = tok.text.str();
    consume();
    if (!expect(Tok::Colon, "and a type after parameter '" + param.name + "'"))
      return false;
    if (!parseType(param.type))
      return false;
    if (consumeIf(Tok::Equal)) {
      param.defaultValue = parseExpr();
      if (!param.defaultValue)
        return false;
    }
    params.push_back(std::move(param));
  } while (consumeIf(Tok::Comma));
  return expect(Tok::RParen, "to close the parameter list");
}

bool Parser::parseType(TypeSpec &type) {
  type.loc = tok.loc;
  if (!is(Tok::Ident)) {
    errorHere("a type such as 'f32[4]', 'tensor', 'int' or 'activation'");
    return false;
  }
  llvm::StringRef name = tok.text;
  if (name == "f32" || name == "f64") {
    type.kind = TypeSpec::Kind::Tensor;
    type.dtype = name.str();
    consume();
    if (!expect(Tok::LBracket, "after '" + type.dtype + "' to start a shape"))
      return false;
    do {
      if (!is(Tok::Integer) || tok.intValue <= 0) {
        errorHere("a positive integer dimension");
        return false;
      }
      type.dims.push_back(tok.intValue);
      if (!nn::elementCount(type.dims)) {
        diags.error(tok.loc, "a sample of more than 2^32 elements; nnc's "
                             "buffers hold at most that");
        return false;
      }
      consume();
    } while (consumeIf(Tok::Comma));
    return expect(Tok::RBracket, "to close the shape");
  }
  static const std::pair<const char *, TypeSpec::Kind> kNamed[] = {
      {"tensor", TypeSpec::Kind::AnyTensor},
      {"int", TypeSpec::Kind::Int},
      {"float", TypeSpec::Kind::Float},
      {"bool", TypeSpec::Kind::Bool},
      {"string", TypeSpec::Kind::String},
      {"activation", TypeSpec::Kind::Activation}};
  for (auto [word, kind] : kNamed) {
    if (name == word) {
      type.kind = kind;
      consume();
      return true;
    }
  }
  diags.error(tok.loc, "unknown type '" + name +
                           "'; expected f32[...], f64[...], tensor, int, "
                           "float, bool, string or activation");
  return false;
}

bool Parser::parseBody(ModelDecl &decl) {
  if (!expect(Tok::LBrace, "to start the body"))
    return false;
  while (!is(Tok::RBrace)) {
    if (is(Tok::Eof)) {
      errorHere("'}' to close the body");
      return false;
    }
    if (startsDeclaration(tok.kind) && tok.atLineStart) {
      errorHere("'}' to close the body");
      return false;
    }
    if (!parseStmt(decl.body) || lexErrorInStatement) {
      decl.hadSyntaxErrors = true;
      skipToStatementEnd();
    }
    while (consumeIf(Tok::Semicolon)) {
    }
  }
  decl.endLoc = tok.loc;
  consume();
  return true;
}

bool Parser::parseStmt(std::vector<Stmt> &body) {
  lexErrorInStatement = false;
  Stmt stmt;
  stmt.loc = tok.loc;
  if (consumeIf(Tok::KwReturn)) {
    stmt.kind = Stmt::Kind::Return;
    do {
      ExprPtr value = parseExpr();
      if (!value)
        return false;
      stmt.values.push_back(std::move(value));
    } while (consumeIf(Tok::Comma));
    body.push_back(std::move(stmt));
    return true;
  }
  bool unpack = is(Tok::Ident) && peek().kind == Tok::Comma;
  if (unpack || (is(Tok::Ident) && peek().kind == Tok::Equal)) {
    stmt.kind = Stmt::Kind::Assign;
    stmt.name = tok.text.str();
    stmt.names.push_back(stmt.name);
    stmt.nameLocs.push_back(tok.loc);
    consume(); // name
    // `y, h, c = ...`: the names a layer's several values bind to.
    while (unpack && consumeIf(Tok::Comma)) {
      if (!is(Tok::Ident)) {
        errorHere("a name after ',' in 'y, h, c = ...'");
        return false;
      }
      stmt.names.push_back(tok.text.str());
      stmt.nameLocs.push_back(tok.loc);
      consume();
    }
    if (!expect(Tok::Equal, "after the names bound by '" + stmt.name +
                                ", ... ='"))
      return false;
    ExprPtr value = parseExpr();
    if (!value)
      return false;
    stmt.values.push_back(std::move(value));
    body.push_back(std::move(stmt));
    return true;
  }
  if (!is(Tok::Ident) || peek().kind != Tok::LParen) {
    errorHere("a layer such as 'dense(8)', 'name = expression' or 'return'");
    return false;
  }
  stmt.kind = Stmt::Kind::Layer;
  ExprPtr call = parsePrimary();
  if (!call)
    return false;
  stmt.values.push_back(std::move(call));
  body.push_back(std::move(stmt));
  return true;
}

void Parser::parseDefDecl(Module &module) {
  DefDecl decl;
  consume(); // def
  decl.loc = tok.loc;
  if (!is(Tok::Ident)) {
    errorHere("a name after 'def'");
    return skipToDeclaration();
  }
  decl.name = tok.text.str();
  consume();
  if (!expect(Tok::LParen, "after def name '" + decl.name + "'"))
    return skipToDeclaration();
  if (!consumeIf(Tok::RParen)) {
    do {
      if (!is(Tok::Ident)) {
        errorHere("a parameter name");
        return skipToDeclaration();
      }
      decl.params.emplace_back(tok.text.str(), tok.loc);
      consume();
    } while (consumeIf(Tok::Comma));
    if (!expect(Tok::RParen, "to close the parameter list"))
      return skipToDeclaration();
  }
  if (!expect(Tok::Equal, "before the body of '" + decl.name + "'"))
    return skipToDeclaration();
  decl.body = parseExpr();
  if (!decl.body)
    return skipToDeclaration();
  module.defs.push_back(std::move(decl));
}

void Parser::parseTrainDecl(Module &module) {
  TrainDecl decl;
  decl.loc = tok.loc;
  consume(); // train
  decl.modelLoc = tok.loc;
  if (!is(Tok::Ident)) {
    errorHere("the name of the model to train after 'train'");
    return skipToDeclaration();
  }
  decl.model = tok.text.str();
  consume();
  if (!expect(Tok::LBrace, "to start the training section"))
    return skipToDeclaration();
  while (!is(Tok::RBrace)) {
    if (is(Tok::Eof) || (startsDeclaration(tok.kind) && tok.atLineStart)) {
      errorHere("'}' to close the training section");
      module.trains.push_back(std::move(decl));
      return;
    }
    TrainEntry entry;
    entry.loc = tok.loc;
    lexErrorInStatement = false;
    bool ok = false;
    if (!is(Tok::Ident)) {
      errorHere("a setting such as 'loss: mse'");
    } else {
      entry.key = tok.text.str();
      consume();
      if (expect(Tok::Colon, "after setting '" + entry.key + "'")) {
        entry.value = parseExpr();
        ok = entry.value != nullptr;
      }
    }
    if (ok) {
      decl.entries.push_back(std::move(entry));
    } else {
      decl.hadSyntaxErrors = true;
      skipToStatementEnd();
    }
    while (consumeIf(Tok::Comma) || consumeIf(Tok::Semicolon)) {
    }
  }
  consume(); // '}'
  module.trains.push_back(std::move(decl));
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

bool Parser::enterNesting() {
  if (nesting < kMaxNesting) {
    ++nesting;
    return true;
  }
  diags.error(tok.loc, "expression nested more than " +
                           llvm::Twine(kMaxNesting) +
                           " levels deep; name the inner parts with '='");
  return false;
}

ExprPtr Parser::parseExpr() {
  if (!enterNesting())
    return nullptr;
  ExprPtr e = parseAdditive();
  --nesting;
  return e;
}

ExprPtr Parser::parseBinaryLevel(Tok first, char firstOp, Tok second,
                                 char secondOp,
                                 ExprPtr (Parser::*operand)()) {
  // Left-associative: a - b - c is (a - b) - c.
  ExprPtr lhs = (this->*operand)();
  unsigned chain = 0;
  while (lhs && (is(first) || is(second))) {
    char op = is(first) ? firstOp : secondOp;
    llvm::SMLoc loc = tok.loc;
    if (++chain > kMaxChain) {
      diags.error(loc, "more than " + llvm::Twine(kMaxChain) +
                           " operators in a row; split the expression into "
                           "named steps with '='");
      return nullptr;
    }
    consume();
    ExprPtr rhs = (this->*operand)();
    if (!rhs)
      return nullptr;
    lhs = std::make_unique<BinaryExpr>(loc, op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseAdditive() {
  return parseBinaryLevel(Tok::Plus, '+', Tok::Minus, '-',
                          &Parser::parseTerm);
}

ExprPtr Parser::parseTerm() {
  return parseBinaryLevel(Tok::Star, '*', Tok::Slash, '/',
                          &Parser::parseUnary);
}

ExprPtr Parser::parseUnary() {
  // `-x ^ 2` is `-(x ^ 2)`, as in Python and mathematics.
  if (is(Tok::Minus)) {
    llvm::SMLoc loc = tok.loc;
    consume();
    if (!enterNesting())
      return nullptr;
    ExprPtr operand = parseUnary();
    --nesting;
    if (!operand)
      return nullptr;
    return std::make_unique<UnaryExpr>(loc, '-', std::move(operand));
  }
  return parsePower();
}

ExprPtr Parser::parsePower() {
  ExprPtr base = parsePrimary();
  if (!base || !is(Tok::Caret))
    return base;
  llvm::SMLoc loc = tok.loc;
  consume();
  if (!enterNesting())
    return nullptr;
  ExprPtr exponent = parseUnary(); // right-associative: 2^3^2 = 2^(3^2)
  --nesting;
  if (!exponent)
    return nullptr;
  return std::make_unique<BinaryExpr>(loc, '^', std::move(base),
                                      std::move(exponent));
}

ExprPtr Parser::parsePrimary() {
  llvm::SMLoc loc = tok.loc;
  switch (tok.kind) {
  case Tok::Integer:
  case Tok::Float: {
    auto e = std::make_unique<NumberExpr>(loc, tok.floatValue,
                                          tok.kind == Tok::Integer,
                                          tok.intValue);
    consume();
    return e;
  }
  case Tok::String: {
    auto e = std::make_unique<StringExpr>(loc, tok.text.str());
    consume();
    return e;
  }
  case Tok::KwTrue:
  case Tok::KwFalse: {
    auto e = std::make_unique<BoolExpr>(loc, is(Tok::KwTrue));
    consume();
    return e;
  }
  case Tok::Ident: {
    std::string name = tok.text.str();
    consume();
    if (!consumeIf(Tok::LParen))
      return std::make_unique<NameExpr>(loc, name);
    std::vector<Argument> args;
    if (!parseArgs(args, name))
      return nullptr;
    return std::make_unique<CallExpr>(loc, name, std::move(args));
  }
  case Tok::LParen: {
    consume();
    ExprPtr inner = parseExpr();
    if (!inner || !expect(Tok::RParen, "to close the parenthesis"))
      return nullptr;
    return inner;
  }
  case Tok::LBracket: {
    consume();
    std::vector<ExprPtr> elements;
    if (!consumeIf(Tok::RBracket)) {
      do {
        ExprPtr e = parseExpr();
        if (!e)
          return nullptr;
        elements.push_back(std::move(e));
      } while (consumeIf(Tok::Comma));
      if (!expect(Tok::RBracket, "to close the list"))
        return nullptr;
    }
    return std::make_unique<ListExpr>(loc, std::move(elements));
  }
  default:
    errorHere("an expression");
    return nullptr;
  }
}

bool Parser::parseArgs(std::vector<Argument> &args, llvm::StringRef callee) {
  // The '(' is consumed. Named arguments are `name: value`.
  if (consumeIf(Tok::RParen))
    return true;
  do {
    Argument arg;
    if (is(Tok::Ident) && peek().kind == Tok::Colon) {
      arg.name = tok.text.str();
      arg.nameLoc = tok.loc;
      consume();
      consume();
    }
    arg.value = parseExpr();
    if (!arg.value)
      return false;
    if (arg.name.empty())
      arg.nameLoc = arg.value->loc;
    args.push_back(std::move(arg));
  } while (consumeIf(Tok::Comma));
  return expect(Tok::RParen, "to close the arguments of '" + callee + "'");
}
