//===- FuzzDataFile.cpp - libFuzzer targets: the runtime's file readers ---===//
//
// Built once per reader (NNC_FUZZ_READER = csv, npy, safetensors): the bytes
// go to a file, the reader reads it. Errors are expected; a crash or a
// sanitizer report is a finding.
//
//===----------------------------------------------------------------------===//

#include "nnrt.h"
#include "runtime/src/Safetensors.h"

#include <cstdio>
#include <string>
#include <unistd.h>

static std::string scratch(const char *ext) {
  return "/tmp/nnc-fuzz-" + std::to_string(getpid()) + "." + ext;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = scratch(NNC_FUZZ_READER);
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  nnrt_status *st = nnrt_status_new();
  std::string reader = NNC_FUZZ_READER;
  if (reader == "csv") {
    nnrt_tensor_free(nnrt_read_csv(path.c_str(), -1, st));
  } else if (reader == "npy") {
    nnrt_tensor_free(nnrt_read_npy(path.c_str(), st));
  } else {
    std::vector<nnrt::NamedTensor> tensors;
    std::vector<std::pair<std::string, std::string>> meta;
    std::string error;
    (void)nnrt::readSafetensors(path, tensors, error, &meta);
  }
  nnrt_status_free(st);
  std::remove(path.c_str());
  return 0;
}
