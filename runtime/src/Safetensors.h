//===- Safetensors.h - read and write safetensors files -------------------===//

#ifndef NNRT_SRC_SAFETENSORS_H
#define NNRT_SRC_SAFETENSORS_H

#include "Internal.h"

namespace nnrt {

struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// Every tensor of the file, in header order. F32 only.
bool readSafetensors(const std::string &path, std::vector<NamedTensor> &out,
                     std::string &error);

/// Writes atomically; `metadataJson` (an object of strings, or "") goes to
/// "__metadata__".
bool writeSafetensors(const std::string &path,
                      const std::vector<NamedTensor> &tensors,
                      const std::string &metadataJson, std::string &error);

} // namespace nnrt

#endif // NNRT_SRC_SAFETENSORS_H
