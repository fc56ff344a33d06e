//===- Json.h - a small JSON reader and writer for manifests and headers --===//
//
// The runtime parses two kinds of JSON: artifact manifests and safetensors
// headers. Both are small, so a plain tree of values is enough; no MLIR or
// LLVM in the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_JSON_H
#define NNRT_SRC_JSON_H

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nnrt {

struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members; // in file order

  const Json *get(const std::string &key) const;
  bool isNumber() const { return kind == Number; }
  /// The value as an integer, when it is a whole number that int64_t
  /// holds; false otherwise (a cast of any other double is undefined).
  bool asInt(int64_t &out) const;
};

/// Parses `text`; on failure returns false and describes the problem (with
/// the byte offset) in `error`.
bool parseJson(const std::string &text, Json &out, std::string &error);

/// `s` as a JSON string literal, quotes included.
std::string quoteJson(const std::string &s);

} // namespace nnrt

#endif // NNRT_SRC_JSON_H
