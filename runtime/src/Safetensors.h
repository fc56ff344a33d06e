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

/// Every tensor of the file, in header order. F32 only. `metadata`, when
/// given, receives the "__metadata__" object's string values.
bool readSafetensors(const std::string &path, std::vector<NamedTensor> &out,
                     std::string &error,
                     std::vector<std::pair<std::string, std::string>>
                         *metadata = nullptr);

/// Writes atomically; `metadataJson` (an object of strings, or "") goes to
/// "__metadata__".
bool writeSafetensors(const std::string &path,
                      const std::vector<NamedTensor> &tensors,
                      const std::string &metadataJson, std::string &error);

} // namespace nnrt

#endif // NNRT_SRC_SAFETENSORS_H
