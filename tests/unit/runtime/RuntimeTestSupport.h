//===- RuntimeTestSupport.h - temporary files and status helpers ----------===//
//
// Shared by the runtime unit tests: a per-test scratch directory, byte-exact
// file writing (to build corrupt inputs), and a status that frees itself.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_TESTS_UNIT_RUNTIME_SUPPORT_H
#define NNC_TESTS_UNIT_RUNTIME_SUPPORT_H

#include "nnrt.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace nnrt_test {

/// A fresh directory under $TMPDIR, removed with everything in it.
class ScratchDir {
public:
  ScratchDir() {
    const char *tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp ? tmp : "/tmp") + "/nnrt-test-XXXXXX";
    path_ = mkdtemp(templ.data()) ? templ : "";
  }
  ~ScratchDir() {
    if (!path_.empty())
      std::system(("rm -rf '" + path_ + "'").c_str());
  }
  std::string file(const std::string &name) const {
    return path_ + "/" + name;
  }
  /// Writes `bytes` verbatim and returns the path.
  std::string write(const std::string &name, const std::string &bytes) const {
    std::string p = file(name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

private:
  std::string path_;
};

inline std::string readAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// An nnrt_status owned by the test.
struct Status {
  nnrt_status *s = nnrt_status_new();
  ~Status() { nnrt_status_free(s); }
  operator nnrt_status *() { return s; }
  std::string message() const { return nnrt_status_message(s); }
  bool ok() const { return nnrt_status_ok(s); }
};

} // namespace nnrt_test

#endif // NNC_TESTS_UNIT_RUNTIME_SUPPORT_H
