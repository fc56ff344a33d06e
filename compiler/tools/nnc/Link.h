//===- Link.h - the system C compiler driver as linker ----------*- C++ -*-===//

#ifndef NNC_COMPILER_TOOLS_NNC_LINK_H
#define NNC_COMPILER_TOOLS_NNC_LINK_H

#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace nnc {

/// An object file in the temporary directory, removed when this dies.
class TempObject {
public:
  bool create(std::string &error);
  llvm::raw_pwrite_stream &stream() { return *os; }
  void close() { os.reset(); }
  const std::string &path() const { return file; }
  TempObject() = default;
  TempObject(TempObject &&) = default;
  ~TempObject();

private:
  std::string file;
  std::unique_ptr<llvm::raw_fd_ostream> os;
};

struct LinkRequest {
  std::vector<std::string> objects;
  std::string output;
  bool shared;
  std::string runtimeDir; ///< holds libnnrt.a (executables only)
};

/// `<exe dir>/../lib`, where the build and the install put libnnrt.a.
std::string defaultRuntimeDir(const char *argv0);

/// Runs `$NNC_CC`, else `cc`, to link. On failure `error` says what ran and
/// what it printed.
bool runLinker(const LinkRequest &request, std::string &error);

} // namespace nnc

#endif // NNC_COMPILER_TOOLS_NNC_LINK_H
