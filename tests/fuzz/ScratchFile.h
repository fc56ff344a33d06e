//===- ScratchFile.h - fuzz inputs that readers take as files --*- C++ -*-===//
//
// The runtime's readers open paths: each input is written to a per-process
// file in /tmp, read, then removed.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_TESTS_FUZZ_SCRATCHFILE_H
#define NNC_TESTS_FUZZ_SCRATCHFILE_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

struct ScratchFile {
  std::string path;
  bool ok = false;
  ScratchFile(const char *ext, const uint8_t *data, size_t size)
      : path("/tmp/nnc-fuzz-" + std::to_string(getpid()) + "." + ext) {
    if (FILE *f = std::fopen(path.c_str(), "wb")) {
      ok = std::fwrite(data, 1, size, f) == size;
      ok = std::fclose(f) == 0 && ok;
    }
  }
  ~ScratchFile() { std::remove(path.c_str()); }
};

#endif
