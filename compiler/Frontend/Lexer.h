//===- Lexer.h - tokens of the .nn language ---------------------*- C++ -*-===//
//
// Turns a `.nn` buffer into tokens. Newlines are whitespace: the grammar
// delimits statements by itself. Every token keeps an llvm::SMLoc into the
// buffer owned by the llvm::SourceMgr, so diagnostics print file:line:col,
// the source line and a caret.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_LEXER_H
#define NNC_COMPILER_FRONTEND_LEXER_H

#include "compiler/Frontend/Diagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

namespace nnc {

enum class Tok {
  Eof,
  Error, // an invalid character or literal; already diagnosed
  Ident,
  Integer,
  Float,
  String,
  // keywords
  KwModel,
  KwBlock,
  KwDef,
  KwTrain,
  KwReturn,
  KwTrue,
  KwFalse,
  // punctuation
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Semicolon,
  Equal,
  Arrow,
  Plus,
  Minus,
  Star,
  Slash,
  Caret,
};

/// How a token kind is named in "expected X" messages.
const char *tokenDescription(Tok kind);

struct Token {
  Tok kind = Tok::Eof;
  llvm::StringRef text; // the token's characters (strings without quotes)
  llvm::SMLoc loc;
  double floatValue = 0; // Integer and Float
  int64_t intValue = 0;  // Integer
  bool atLineStart = false; // first token on its line (error recovery)
};

class Lexer {
public:
  Lexer(llvm::StringRef buffer, DiagnosticEngine &diags)
      : buffer(buffer), cur(buffer.begin()), diags(diags) {}

  Token next();

private:
  void skipWhitespaceAndComments();
  Token lexNumber(const char *start);
  Token lexString(const char *start);
  Token make(Tok kind, const char *start) const;

  llvm::StringRef buffer;
  const char *cur;
  DiagnosticEngine &diags;
  bool sawNewline = true;
};

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_LEXER_H
