//===- Diagnostics.h - clang-style errors for .nn sources -------*- C++ -*-===//
//
// A thin counter around llvm::SourceMgr::PrintMessage, which already renders
// `file:line:col: error: message`, the source line and a caret. The front end
// reports every user mistake through here and keeps going where it can, so a
// run shows several errors.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_DIAGNOSTICS_H
#define NNC_COMPILER_FRONTEND_DIAGNOSTICS_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace nnc {

class DiagnosticEngine {
public:
  DiagnosticEngine(llvm::SourceMgr &sourceMgr,
                   llvm::raw_ostream &os = llvm::errs())
      : sourceMgr(sourceMgr), os(os) {}

  void error(llvm::SMLoc loc, const llvm::Twine &message) {
    ++numErrors;
    sourceMgr.PrintMessage(os, loc, llvm::SourceMgr::DK_Error, message);
  }
  void warning(llvm::SMLoc loc, const llvm::Twine &message) {
    sourceMgr.PrintMessage(os, loc, llvm::SourceMgr::DK_Warning, message);
  }
  void note(llvm::SMLoc loc, const llvm::Twine &message) {
    sourceMgr.PrintMessage(os, loc, llvm::SourceMgr::DK_Note, message);
  }

  unsigned errorCount() const { return numErrors; }
  bool hadErrors() const { return numErrors != 0; }
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

private:
  llvm::SourceMgr &sourceMgr;
  llvm::raw_ostream &os;
  unsigned numErrors = 0;
};

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_DIAGNOSTICS_H
