//===- Lexer.cpp - tokens of the .nn language -----------------------------===//

#include "compiler/Frontend/Lexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

using namespace nnc;

const char *nnc::tokenDescription(Tok kind) {
  switch (kind) {
  case Tok::Eof: return "end of file";
  case Tok::Error: return "invalid token";
  case Tok::Ident: return "a name";
  case Tok::Integer: return "an integer";
  case Tok::Float: return "a number";
  case Tok::String: return "a string";
  case Tok::KwModel: return "'model'";
  case Tok::KwBlock: return "'block'";
  case Tok::KwDef: return "'def'";
  case Tok::KwTrain: return "'train'";
  case Tok::KwReturn: return "'return'";
  case Tok::KwTrue: return "'true'";
  case Tok::KwFalse: return "'false'";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBrace: return "'{'";
  case Tok::RBrace: return "'}'";
  case Tok::LBracket: return "'['";
  case Tok::RBracket: return "']'";
  case Tok::Comma: return "','";
  case Tok::Colon: return "':'";
  case Tok::Semicolon: return "';'";
  case Tok::Equal: return "'='";
  case Tok::Arrow: return "'->'";
  case Tok::Plus: return "'+'";
  case Tok::Minus: return "'-'";
  case Tok::Star: return "'*'";
  case Tok::Slash: return "'/'";
  case Tok::Caret: return "'^'";
  }
  return "token";
}

Token Lexer::make(Tok kind, const char *start) const {
  Token t;
  t.kind = kind;
  t.text = llvm::StringRef(start, cur - start);
  t.loc = llvm::SMLoc::getFromPointer(start);
  t.atLineStart = sawNewline;
  return t;
}

void Lexer::skipWhitespaceAndComments() {
  while (cur < buffer.end()) {
    if (std::isspace(static_cast<unsigned char>(*cur))) {
      sawNewline |= *cur == '\n';
      ++cur;
    } else if (*cur == '#') { // comment to the end of the line
      while (cur < buffer.end() && *cur != '\n')
        ++cur;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  sawNewline = cur == buffer.begin();
  skipWhitespaceAndComments();
  const char *start = cur;
  if (cur >= buffer.end())
    return make(Tok::Eof, start);

  char c = *cur++;
  if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
    while (cur < buffer.end() &&
           (std::isalnum(static_cast<unsigned char>(*cur)) || *cur == '_'))
      ++cur;
    llvm::StringRef word(start, cur - start);
    Tok kind = llvm::StringSwitch<Tok>(word)
                   .Case("model", Tok::KwModel)
                   .Case("block", Tok::KwBlock)
                   .Case("def", Tok::KwDef)
                   .Case("train", Tok::KwTrain)
                   .Case("return", Tok::KwReturn)
                   .Case("true", Tok::KwTrue)
                   .Case("false", Tok::KwFalse)
                   .Default(Tok::Ident);
    return make(kind, start);
  }
  if (std::isdigit(static_cast<unsigned char>(c)) ||
      (c == '.' && cur < buffer.end() &&
       std::isdigit(static_cast<unsigned char>(*cur))))
    return lexNumber(start);
  if (c == '"')
    return lexString(start);

  switch (c) {
  case '(': return make(Tok::LParen, start);
  case ')': return make(Tok::RParen, start);
  case '{': return make(Tok::LBrace, start);
  case '}': return make(Tok::RBrace, start);
  case '[': return make(Tok::LBracket, start);
  case ']': return make(Tok::RBracket, start);
  case ',': return make(Tok::Comma, start);
  case ':': return make(Tok::Colon, start);
  case ';': return make(Tok::Semicolon, start);
  case '=': return make(Tok::Equal, start);
  case '+': return make(Tok::Plus, start);
  case '*': return make(Tok::Star, start);
  case '/': return make(Tok::Slash, start);
  case '^': return make(Tok::Caret, start);
  case '-':
    if (cur < buffer.end() && *cur == '>') {
      ++cur;
      return make(Tok::Arrow, start);
    }
    return make(Tok::Minus, start);
  default:
    break;
  }
  std::string shown = std::isprint(static_cast<unsigned char>(c))
                          ? std::string("'") + c + "'"
                          : "byte 0x" + llvm::utohexstr(
                                            static_cast<unsigned char>(c));
  diags.error(llvm::SMLoc::getFromPointer(start),
              "unexpected character " + shown);
  return make(Tok::Error, start);
}

Token Lexer::lexNumber(const char *start) {
  bool isFloat = false;
  auto digits = [&] {
    while (cur < buffer.end() && std::isdigit(static_cast<unsigned char>(*cur)))
      ++cur;
  };
  digits();
  if (cur < buffer.end() && *cur == '.') {
    isFloat = true;
    ++cur;
    digits();
  }
  if (cur < buffer.end() && (*cur == 'e' || *cur == 'E')) {
    const char *save = cur++;
    if (cur < buffer.end() && (*cur == '+' || *cur == '-'))
      ++cur;
    if (cur < buffer.end() && std::isdigit(static_cast<unsigned char>(*cur))) {
      isFloat = true;
      digits();
    } else {
      cur = save; // not an exponent; 'e' starts the next token
    }
  }
  // A number glued to a name (`3x`) is a typo, not two tokens.
  if (cur < buffer.end() &&
      (std::isalpha(static_cast<unsigned char>(*cur)) || *cur == '_')) {
    while (cur < buffer.end() &&
           (std::isalnum(static_cast<unsigned char>(*cur)) || *cur == '_'))
      ++cur;
    diags.error(llvm::SMLoc::getFromPointer(start),
                "invalid number '" + llvm::StringRef(start, cur - start) +
                    "'");
    return make(Tok::Error, start);
  }

  Token t = make(isFloat ? Tok::Float : Tok::Integer, start);
  std::string text = t.text.str();
  errno = 0;
  t.floatValue = std::strtod(text.c_str(), nullptr);
  if (!isFloat) {
    if (t.text.getAsInteger(10, t.intValue)) {
      diags.error(t.loc, "integer '" + t.text + "' is too large");
      t.kind = Tok::Error;
    }
  } else if (errno == ERANGE) {
    diags.error(t.loc, "number '" + t.text + "' is out of range");
    t.kind = Tok::Error;
  }
  return t;
}

Token Lexer::lexString(const char *start) {
  while (cur < buffer.end() && *cur != '"' && *cur != '\n')
    ++cur;
  if (cur >= buffer.end() || *cur != '"') {
    diags.error(llvm::SMLoc::getFromPointer(start),
                "unterminated string literal");
    return make(Tok::Error, start);
  }
  ++cur; // closing quote
  Token t = make(Tok::String, start);
  t.text = llvm::StringRef(start + 1, cur - start - 2);
  return t;
}
