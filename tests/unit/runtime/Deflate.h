//===- Deflate.h - zlib's own compressor for the readers' tests -*- C++ -*-===//
//
// Test inputs compressed with zlib's writer, not the runtime's reader: gzip
// (IDX files as MNIST ships them) and the raw deflate of ZIP members.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_TESTS_DEFLATE_H
#define NNRT_TESTS_DEFLATE_H

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace nnrt_test {

/// `raw` deflated: windowBits 16 + MAX_WBITS writes gzip, -MAX_WBITS raw
/// deflate (as in a ZIP member).
inline std::string deflateWith(const std::string &raw, int windowBits) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&z, raw.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef *>(&out[0]);
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline std::string gzip(const std::string &raw) {
  return deflateWith(raw, 16 + MAX_WBITS);
}

inline std::string rawDeflate(const std::string &raw) {
  return deflateWith(raw, -MAX_WBITS);
}

} // namespace nnrt_test

#endif // NNRT_TESTS_DEFLATE_H
