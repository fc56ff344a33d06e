//===- Parser.h - recursive-descent parser for .nn files --------*- C++ -*-===//
//
// Builds the AST of docs/language.md. On a syntax error it reports
// `file:line:col: error: expected ...` and resynchronises at the next
// statement (a token starting a new line outside brackets) or declaration, so
// one run reports several independent mistakes.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_PARSER_H
#define NNC_COMPILER_FRONTEND_PARSER_H

#include "compiler/Frontend/AST.h"
#include "compiler/Frontend/Lexer.h"

namespace nnc {

class Parser {
public:
  Parser(Lexer &lexer, DiagnosticEngine &diags);

  /// Parses a whole file. Always returns a module; check diags for errors.
  std::unique_ptr<ast::Module> parseModule();

private:
  // Token stream.
  void consume();
  const Token &peek();
  bool is(Tok kind) const { return tok.kind == kind; }

  /// Limits that keep every later stage's recursion over the tree shallow
  /// (issue 11: 10,000 nested parentheses or a 100,000-term sum overflowed
  /// the stack in Sema and MLIRGen). Past them: a diagnostic at the .nn
  /// location.
  static constexpr unsigned kMaxNesting = 256; // parentheses, calls, lists, unary
  static constexpr unsigned kMaxChain = 1024;  // operators in a row: a + b + ...
  unsigned nesting = 0;
  /// Enters one nesting level; false (after reporting) past kMaxNesting.
  bool enterNesting();
  bool consumeIf(Tok kind);
  bool expect(Tok kind, const llvm::Twine &context);
  void errorHere(const llvm::Twine &expected);
  std::string describe(const Token &t) const;

  // Recovery.
  void skipToDeclaration();
  void skipToStatementEnd();

  // Declarations.
  void parseModelDecl(ast::Module &module);
  void parseDefDecl(ast::Module &module);
  void parseTrainDecl(ast::Module &module);
  bool parseParams(std::vector<ast::Param> &params);
  bool parseType(ast::TypeSpec &type);
  bool parseBody(ast::ModelDecl &decl);
  bool parseStmt(std::vector<ast::Stmt> &body);

  // Expressions, lowest precedence first.
  ast::ExprPtr parseExpr();
  ast::ExprPtr parseBinaryLevel(Tok first, char firstOp, Tok second,
                                char secondOp,
                                ast::ExprPtr (Parser::*operand)());
  ast::ExprPtr parseAdditive();
  ast::ExprPtr parseTerm();
  ast::ExprPtr parseUnary();
  ast::ExprPtr parsePower();
  ast::ExprPtr parsePrimary();
  bool parseArgs(std::vector<ast::Argument> &args, llvm::StringRef callee);

  Lexer &lexer;
  DiagnosticEngine &diags;
  Token tok;
  Token lookahead;
  bool hasLookahead = false;
  // The lexer reported an invalid token in the current statement; the
  // parser's own "expected ..." there would only repeat that mistake.
  bool lexErrorInStatement = false;
};

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_PARSER_H
