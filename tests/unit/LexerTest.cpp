//===- LexerTest.cpp - tokens of the .nn language -------------------------===//

#include "compiler/Frontend/Lexer.h"

#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>
#include <string>
#include <vector>

using namespace nnc;

namespace {

/// Lexes `text`; returns the tokens and the diagnostics printed.
struct Lexed {
  std::vector<Token> tokens;
  std::string diagnostics;
  std::unique_ptr<llvm::SourceMgr> sm; // keeps token text alive
};

Lexed lex(llvm::StringRef text) {
  Lexed out;
  out.sm = std::make_unique<llvm::SourceMgr>();
  out.sm->AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "t.nn"),
                             llvm::SMLoc());
  llvm::raw_string_ostream os(out.diagnostics);
  DiagnosticEngine diags(*out.sm, os);
  Lexer lexer(out.sm->getMemoryBuffer(1)->getBuffer(), diags);
  for (Token t = lexer.next(); t.kind != Tok::Eof; t = lexer.next())
    out.tokens.push_back(t);
  return out;
}

} // namespace

TEST(Lexer, KeywordsNamesAndPunctuation) {
  Lexed l = lex("model m(x: f32[4]) -> { return }");
  std::vector<Tok> kinds;
  for (const Token &t : l.tokens)
    kinds.push_back(t.kind);
  EXPECT_EQ(kinds, (std::vector<Tok>{Tok::KwModel, Tok::Ident, Tok::LParen,
                                     Tok::Ident, Tok::Colon, Tok::Ident,
                                     Tok::LBracket, Tok::Integer,
                                     Tok::RBracket, Tok::RParen, Tok::Arrow,
                                     Tok::LBrace, Tok::KwReturn,
                                     Tok::RBrace}));
  EXPECT_TRUE(l.diagnostics.empty());
}

TEST(Lexer, Numbers) {
  Lexed l = lex("8 0.5 .25 1e-3 2E+2 7");
  ASSERT_EQ(l.tokens.size(), 6u);
  EXPECT_EQ(l.tokens[0].kind, Tok::Integer);
  EXPECT_EQ(l.tokens[0].intValue, 8);
  EXPECT_EQ(l.tokens[1].kind, Tok::Float);
  EXPECT_DOUBLE_EQ(l.tokens[1].floatValue, 0.5);
  EXPECT_DOUBLE_EQ(l.tokens[2].floatValue, 0.25);
  EXPECT_DOUBLE_EQ(l.tokens[3].floatValue, 1e-3);
  EXPECT_EQ(l.tokens[4].kind, Tok::Float);
  EXPECT_DOUBLE_EQ(l.tokens[4].floatValue, 200.0);
  EXPECT_EQ(l.tokens[5].kind, Tok::Integer);
}

TEST(Lexer, ExponentWithoutDigitsIsAName) {
  // `2e` is not a number with an exponent: it is a typo, reported once.
  Lexed l = lex("2e");
  ASSERT_EQ(l.tokens.size(), 1u);
  EXPECT_EQ(l.tokens[0].kind, Tok::Error);
  EXPECT_NE(l.diagnostics.find("t.nn:1:1: error: invalid number '2e'"),
            std::string::npos);
}

TEST(Lexer, CommentsAndLineStarts) {
  Lexed l = lex("a # ignored ( [\n  b c");
  ASSERT_EQ(l.tokens.size(), 3u);
  EXPECT_TRUE(l.tokens[0].atLineStart);
  EXPECT_TRUE(l.tokens[1].atLineStart);
  EXPECT_FALSE(l.tokens[2].atLineStart);
}

TEST(Lexer, StringsDropTheirQuotes) {
  Lexed l = lex("\"relu\"");
  ASSERT_EQ(l.tokens.size(), 1u);
  EXPECT_EQ(l.tokens[0].kind, Tok::String);
  EXPECT_EQ(l.tokens[0].text, "relu");
}

TEST(Lexer, InvalidInputIsReportedWithItsLocation) {
  Lexed l = lex("x\n  @");
  EXPECT_NE(l.diagnostics.find("t.nn:2:3: error: unexpected character '@'"),
            std::string::npos);
  Lexed s = lex("\"open");
  EXPECT_NE(s.diagnostics.find("t.nn:1:1: error: unterminated string literal"),
            std::string::npos);
}
