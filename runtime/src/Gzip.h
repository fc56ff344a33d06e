//===- Gzip.h - files that may be gzip-compressed ---------------*- C++ -*-===//
//
// MNIST-family data sets ship as .gz (Debian's dataset-fashion-mnist too),
// and Keras reads them as they are; so does the runtime, through zlib.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_GZIP_H
#define NNRT_SRC_GZIP_H

#include <cstdint>
#include <string>

namespace nnrt {

/// The most a compressed file may expand to: 8 GiB (2^32 float32 elements
/// and more), beyond which it is refused rather than filling memory.
constexpr uint64_t kMaxInflatedBytes = uint64_t(1) << 33;

/// True when `bytes` starts with gzip's magic number.
bool isGzip(const std::string &bytes);

/// Inflates the gzip data `in` (every member, when several are joined) into
/// `out`; false and a message naming `path` when it is corrupt, truncated
/// or larger than `limit`.
bool gunzip(const std::string &path, const std::string &in, std::string &out,
            std::string &error, uint64_t limit = kMaxInflatedBytes);

/// readFile, inflating gzip files.
bool readMaybeGzip(const std::string &path, std::string &out,
                   std::string &error);

} // namespace nnrt

#endif // NNRT_SRC_GZIP_H
