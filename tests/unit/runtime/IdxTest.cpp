//===- IdxTest.cpp - image data: IDX, gzip, CIFAR-10 batches --------------===//
//
// Files are written here byte by byte from the format's definition (big-
// endian dimensions and elements), and compressed with zlib's own gzip
// writer, so the reader is checked against the format, not against itself.
//
//===----------------------------------------------------------------------===//

#include "Deflate.h"
#include "RuntimeTestSupport.h"

#include <cmath>
#include <cstring>
#include <vector>

using namespace nnrt_test;

namespace {

std::string bigEndian(uint64_t v, unsigned n) {
  std::string out(n, '\0');
  for (unsigned i = 0; i < n; ++i)
    out[n - 1 - i] = static_cast<char>(v >> (8 * i) & 0xFF);
  return out;
}

std::string idx(unsigned char code, std::vector<uint32_t> dims,
                const std::string &data) {
  std::string out{'\0', '\0', static_cast<char>(code),
                  static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    out += bigEndian(d, 4);
  return out + data;
}

std::vector<float> values(const nnrt_tensor *t) {
  return std::vector<float>(nnrt_tensor_cdata(t),
                            nnrt_tensor_cdata(t) + nnrt_tensor_size(t));
}

} // namespace

TEST(Idx, ReadsEveryElementTypeBigEndian) {
  ScratchDir dir;
  float f = -2.5f;
  uint32_t fbits;
  std::memcpy(&fbits, &f, 4);
  double d = 1e30;
  uint64_t dbits;
  std::memcpy(&dbits, &d, 8);
  struct Case {
    std::string bytes;
    std::vector<float> expect;
  } cases[] = {
      {idx(0x08, {3}, std::string("\x00\x7f\xff", 3)), {0, 127, 255}},
      {idx(0x09, {2}, std::string("\x80\x7f", 2)), {-128, 127}},
      {idx(0x0B, {2}, bigEndian(0xFFFE, 2) + bigEndian(300, 2)), {-2, 300}},
      {idx(0x0C, {1}, bigEndian(0xFFFFFFF6u, 4)), {-10}},
      {idx(0x0D, {1}, bigEndian(fbits, 4)), {-2.5f}},
      {idx(0x0E, {1}, bigEndian(dbits, 8)), {1e30f}},
  };
  int n = 0;
  for (const Case &c : cases) {
    std::string p = dir.write("t" + std::to_string(n++) + ".idx", c.bytes);
    Status st;
    nnrt_tensor *t = nnrt_read_idx(p.c_str(), st);
    ASSERT_NE(t, nullptr) << st.message();
    EXPECT_EQ(values(t), c.expect) << p;
    nnrt_tensor_free(t);
  }
}

TEST(Idx, ImagesKeepTheirShapeAndGzipIsRead) {
  ScratchDir dir;
  // Two 2x3 "images", row-major.
  std::string pixels;
  for (int i = 0; i < 12; ++i)
    pixels += static_cast<char>(i * 20);
  std::string raw = idx(0x08, {2, 2, 3}, pixels);
  for (const std::string &name : {"images-idx3-ubyte", "images-idx3-ubyte.gz"}) {
    std::string bytes = name[name.size() - 1] == 'z' ? gzip(raw) : raw;
    std::string p = dir.write(name, bytes);
    Status st;
    nnrt_tensor *t = nnrt_read_idx(p.c_str(), st);
    ASSERT_NE(t, nullptr) << st.message();
    ASSERT_EQ(nnrt_tensor_rank(t), 3u);
    EXPECT_EQ(nnrt_tensor_dim(t, 0), 2);
    EXPECT_EQ(nnrt_tensor_dim(t, 1), 2);
    EXPECT_EQ(nnrt_tensor_dim(t, 2), 3);
    EXPECT_EQ(nnrt_tensor_cdata(t)[11], 220.0f);
    EXPECT_EQ(nnrt_tensor_cdata(t)[4], 80.0f);
    nnrt_tensor_free(t);
  }
  // Two gzip members joined (cat a.gz b.gz) read as one file.
  std::string half = raw.substr(0, 10);
  std::string p = dir.write("joined.gz", gzip(half) + gzip(raw.substr(10)));
  Status st;
  nnrt_tensor *t = nnrt_read_idx(p.c_str(), st);
  ASSERT_NE(t, nullptr) << st.message();
  EXPECT_EQ(nnrt_tensor_cdata(t)[11], 220.0f);
  nnrt_tensor_free(t);
}

TEST(Idx, Errors) {
  ScratchDir dir;
  std::string nan = bigEndian(0x7FC00000u, 4);
  std::string big = bigEndian(0x47F0000000000000ull, 8); // 2^128: not f32
  std::string gz = gzip(idx(0x08, {4}, "abcd"));
  struct Case {
    std::string bytes, message; // after "<path>: "
  } cases[] = {
      {"PK\x03\x04", "not an IDX file (it starts with neither two zero "
                     "bytes nor gzip's magic)"},
      {std::string("\0\0", 2), "not an IDX file (it starts with neither two "
                               "zero bytes nor gzip's magic)"},
      {idx(0x0A, {1}, "x"), "unknown IDX element type 0x0A"},
      {idx(0x08, {}, ""), "0 dimensions; IDX data needs 1 to 8"},
      {idx(0x08, {1, 1, 1, 1, 1, 1, 1, 1, 1}, "x"),
       "9 dimensions; IDX data needs 1 to 8"},
      {idx(0x08, {2, 3}, "").substr(0, 9),
       "truncated: the header needs 12 bytes, the file has 9"},
      {idx(0x08, {2, 3}, "abc"),
       "truncated: shape (2, 3) of uint8 needs 6 bytes of data, the file "
       "has 3"},
      {idx(0x0B, {2}, "abcdef"),
       "shape (2,) of int16 needs 4 bytes of data, the file has 6"},
      {idx(0x08, {65536, 65536, 2}, ""), "more than 2^32 elements"},
      {idx(0x0D, {2}, bigEndian(0, 4) + nan),
       "element 1 (row-major) is not finite in f32 (NaN, infinity or "
       "|x| >= 3.4e38)"},
      {idx(0x0E, {1}, big),
       "element 0 (row-major) is not finite in f32 (NaN, infinity or "
       "|x| >= 3.4e38)"},
      {gz.substr(0, gz.size() / 2),
       "truncated gzip data (" + std::to_string(gz.size() / 2) + " bytes)"},
      {std::string("\x1f\x8b\x08\x00garbage-not-deflate", 23),
       "corrupt gzip data ("},
  };
  int n = 0;
  for (const Case &c : cases) {
    std::string p = dir.write("e" + std::to_string(n++) + ".idx", c.bytes);
    Status st;
    EXPECT_EQ(nnrt_read_idx(p.c_str(), st), nullptr) << c.message;
    EXPECT_EQ(st.message().rfind(p + ": " + c.message, 0), 0u)
        << st.message();
  }
  Status st;
  EXPECT_EQ(nnrt_read_idx((dir.file("missing.idx")).c_str(), st), nullptr);
  EXPECT_NE(st.message().find("missing.idx"), std::string::npos);
}

// CIFAR-10's binary batches: label byte, then the red, green and blue
// planes of a 32x32 image; read channels-last, as Keras loads them.
TEST(Cifar10, RecordsBecomeChannelsLastImages) {
  ScratchDir dir;
  std::string bytes;
  for (int r = 0; r < 2; ++r) {
    bytes += static_cast<char>(r == 0 ? 3 : 9);
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 1024; ++p)
        bytes += static_cast<char>((p + 7 * c + 50 * r) % 256);
  }
  std::string p = dir.write("two.bin", bytes);
  Status st;
  nnrt_tensor *labels = nullptr;
  nnrt_tensor *images = nnrt_read_cifar10(p.c_str(), &labels, st);
  ASSERT_NE(images, nullptr) << st.message();
  ASSERT_EQ(nnrt_tensor_rank(images), 4u);
  EXPECT_EQ(nnrt_tensor_dim(images, 0), 2);
  EXPECT_EQ(nnrt_tensor_dim(images, 1), 32);
  EXPECT_EQ(nnrt_tensor_dim(images, 2), 32);
  EXPECT_EQ(nnrt_tensor_dim(images, 3), 3);
  EXPECT_EQ(values(labels), (std::vector<float>{3, 9}));
  // Image 1, row 2, column 5 (pixel 69), channel c: (69 + 7c + 50) % 256.
  const float *d = nnrt_tensor_cdata(images);
  for (int c = 0; c < 3; ++c)
    EXPECT_EQ(d[((1 * 32 + 2) * 32 + 5) * 3 + c], (69 + 7 * c + 50) % 256);
  nnrt_tensor_free(images);
  nnrt_tensor_free(labels);
}

TEST(Cifar10, Errors) {
  ScratchDir dir;
  std::string record(3073, '\0');
  struct Case {
    std::string bytes, message;
  } cases[] = {
      {record.substr(0, 3000),
       "3000 bytes is not a whole number of CIFAR-10 records (3073 bytes "
       "each: a label, then 32x32 red, green and blue)"},
      {"", "0 bytes is not a whole number of CIFAR-10 records"},
      {record + std::string(1, '\x0c') + record.substr(1),
       "record 1 has label 12; CIFAR-10 labels are 0..9 (is this "
       "CIFAR-100?)"},
  };
  int n = 0;
  for (const Case &c : cases) {
    std::string p = dir.write("c" + std::to_string(n++) + ".bin", c.bytes);
    Status st;
    EXPECT_EQ(nnrt_read_cifar10(p.c_str(), nullptr, st), nullptr);
    EXPECT_EQ(st.message().rfind(p + ": " + c.message, 0), 0u)
        << st.message();
  }
}
