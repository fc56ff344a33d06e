//===- FuzzDataFile.cpp - libFuzzer targets: the runtime's file readers ---===//
//
// Built once per reader (NNC_FUZZ_READER = csv, npy, npz, idx, cifar,
// safetensors):
// the bytes go to a file, the reader reads it. Errors are expected; a crash
// or a sanitizer report is a finding.
//
//===----------------------------------------------------------------------===//

#include "ScratchFile.h"
#include "nnrt.h"
#include "runtime/src/Internal.h"
#include "runtime/src/Safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ScratchFile file(NNC_FUZZ_READER, data, size);
  if (!file.ok)
    return 0;
  const std::string &path = file.path;
  nnrt_status *st = nnrt_status_new();
  std::string reader = NNC_FUZZ_READER;
  if (reader == "csv") {
    nnrt_tensor_free(nnrt_read_csv(path.c_str(), -1, st));
    // Column selection ("d.csv:0-3,name"): the selection is the file's
    // first line, so mutations reach both it and the header's names.
    std::string bytes(reinterpret_cast<const char *>(data), size);
    std::string selection = bytes.substr(0, bytes.find('\n'));
    if (selection.find('\0') == std::string::npos) {
      std::vector<int64_t> lines;
      nnrt_tensor_free(
          nnrt::readArray((path + ":" + selection).c_str(), "x", &lines, st));
    }
  } else if (reader == "npy") {
    nnrt_tensor_free(nnrt_read_npy(path.c_str(), st));
  } else if (reader == "npz") {
    // The ZIP directory, inflate, CRC-32, then the .npy parser.
    nnrt_tensor_free(nnrt_read_npz(path.c_str(), "x", st));
  } else if (reader == "cifar") {
    nnrt_tensor *labels = nullptr;
    nnrt_tensor_free(nnrt_read_cifar10(path.c_str(), &labels, st));
    nnrt_tensor_free(labels);
  } else if (reader == "idx") {
    // Also reaches the gzip decoder: a .gz seed starts the corpus.
    nnrt_tensor_free(nnrt_read_idx(path.c_str(), st));
  } else {
    std::vector<nnrt::NamedTensor> tensors;
    std::vector<std::pair<std::string, std::string>> meta;
    std::string error;
    (void)nnrt::readSafetensors(path, tensors, error, &meta);
  }
  nnrt_status_free(st);
  return 0;
}
