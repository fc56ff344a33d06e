//===- Safetensors.cpp - the weights file format of PyTorch and HF --------===//
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
//  "__metadata__": {...}}, then the tensor bytes, offsets relative to the
// end of the header.
//
//===----------------------------------------------------------------------===//

#include "Safetensors.h"

#include "Json.h"

#include <cmath>
#include <cstring>

using namespace nnrt;

bool nnrt::readSafetensors(
    const std::string &path, std::vector<NamedTensor> &out, std::string &error,
    std::vector<std::pair<std::string, std::string>> *metadata) {
  std::string bytes;
  if (!readFile(path, bytes, error))
    return false;
  if (bytes.size() < 8) {
    error = path + ": truncated: no safetensors header";
    return false;
  }
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = n << 8 | static_cast<unsigned char>(bytes[i]);
  if (n > bytes.size() - 8) {
    error = path + ": corrupt: the header claims " + std::to_string(n) +
            " bytes, the file has " + std::to_string(bytes.size() - 8);
    return false;
  }
  Json header;
  std::string jsonError;
  if (!parseJson(bytes.substr(8, n), header, jsonError) ||
      header.kind != Json::Object) {
    error = path + ": corrupt header: " +
            (jsonError.empty() ? "not a JSON object" : jsonError);
    return false;
  }
  size_t dataStart = 8 + n, dataSize = bytes.size() - dataStart;
  for (const auto &[name, info] : header.members) {
    if (name == "__metadata__") {
      if (metadata)
        for (const auto &[key, value] : info.members)
          if (value.kind == Json::String)
            metadata->push_back({key, value.str});
      continue;
    }
    const Json *dtype = info.get("dtype"), *shape = info.get("shape"),
               *offsets = info.get("data_offsets");
    if (!dtype || !shape || !offsets || shape->kind != Json::Array ||
        offsets->kind != Json::Array || offsets->items.size() != 2) {
      error = path + ": corrupt header entry '" + name + "'";
      return false;
    }
    if (dtype->str != "F32") {
      error = path + ": '" + name + "' is " + dtype->str +
              "; only F32 weights are supported";
      return false;
    }
    NamedTensor t;
    t.name = name;
    int64_t count = 1;
    for (const Json &d : shape->items) {
      // The element count may not exceed the file (which also keeps the
      // product from overflowing).
      int64_t n = 0;
      if (!d.asInt(n) || n < 0 ||
          (n > 0 && count > static_cast<int64_t>(dataSize) / n)) {
        error = path + ": corrupt shape for '" + name + "'";
        return false;
      }
      t.shape.push_back(n);
      count *= n;
    }
    int64_t begin = 0, end = 0;
    if (!offsets->items[0].asInt(begin) || !offsets->items[1].asInt(end)) {
      error = path + ": corrupt data offsets for '" + name + "'";
      return false;
    }
    if (begin < 0 || end < begin || static_cast<uint64_t>(end) > dataSize ||
        end - begin != count * 4) {
      error = path + ": corrupt or truncated data for '" + name +
              "' (offsets " + std::to_string(begin) + ".." +
              std::to_string(end) + ", shape " + formatShape(t.shape) +
              ", " + std::to_string(dataSize) + " data bytes)";
      return false;
    }
    t.data.resize(static_cast<size_t>(count));
    // An empty tensor (a 0 in its shape) has no bytes to copy, and its
    // vector no storage: memcpy's pointers must not be null even for 0 bytes.
    if (count > 0)
      std::memcpy(t.data.data(), bytes.data() + dataStart + begin,
                  static_cast<size_t>(count) * 4);
    out.push_back(std::move(t));
  }
  return true;
}

bool nnrt::writeSafetensors(const std::string &path,
                            const std::vector<NamedTensor> &tensors,
                            const std::string &metadataJson,
                            std::string &error) {
  std::string header = "{";
  if (!metadataJson.empty())
    header += "\"__metadata__\":" + metadataJson + (tensors.empty() ? "" : ",");
  uint64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const NamedTensor &t = tensors[i];
    std::string shape;
    for (size_t k = 0; k < t.shape.size(); ++k)
      shape += (k ? "," : "") + std::to_string(t.shape[k]);
    uint64_t size = t.data.size() * 4;
    header += (i ? "," : "") + quoteJson(t.name) +
              ":{\"dtype\":\"F32\",\"shape\":[" + shape +
              "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + size) + "]}";
    offset += size;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' '); // keep data 8-aligned
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<char>(n >> (8 * i));
  out += header;
  for (const NamedTensor &t : tensors)
    out.append(reinterpret_cast<const char *>(t.data.data()),
               t.data.size() * 4);
  return writeFileAtomically(path, out, error);
}
