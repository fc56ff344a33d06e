//===- DataFilesTest.cpp - status, tensors, CSV and .npy ------------------===//

#include "RuntimeTestSupport.h"

#include <cstring>
#include <cmath>
#include <vector>

using namespace nnrt_test;

namespace {

nnrt_tensor *matrix(int64_t rows, int64_t cols, float start = 0.5f) {
  int64_t shape[] = {rows, cols};
  nnrt_tensor *t = nnrt_tensor_new(2, shape, nullptr);
  for (int64_t i = 0; i < rows * cols; ++i)
    nnrt_tensor_data(t)[i] = start + 0.25f * static_cast<float>(i);
  return t;
}

/// A version-1 .npy file with the given header dict and raw data.
std::string npy(const std::string &dict, const std::string &data,
                char major = 1) {
  std::string header = dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += major;
  out += '\0';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

std::string floats(std::vector<float> v) {
  return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 4);
}

} // namespace

TEST(Status, StartsOkAndKeepsTheLastMessage) {
  Status st;
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.message(), "");
  int64_t bad[] = {2, -3};
  EXPECT_EQ(nnrt_tensor_new(2, bad, st), nullptr);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "tensor dimensions must be >= 0, got (2, None)");
  nnrt_status_clear(st);
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.message(), "");
}

TEST(Status, NullStatusIsAccepted) {
  int64_t bad[] = {-1};
  EXPECT_EQ(nnrt_tensor_new(1, bad, nullptr), nullptr);
  EXPECT_EQ(nnrt_read_csv("/nonexistent/x.csv", -1, nullptr), nullptr);
  nnrt_status_free(nullptr);
  nnrt_tensor_free(nullptr);
}

TEST(Tensor, NewIsZeroFilledRowMajor) {
  int64_t shape[] = {2, 3, 4};
  nnrt_tensor *t = nnrt_tensor_new(3, shape, nullptr);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(nnrt_tensor_rank(t), 3u);
  EXPECT_EQ(nnrt_tensor_dim(t, 2), 4);
  EXPECT_EQ(nnrt_tensor_size(t), 24);
  for (int64_t i = 0; i < 24; ++i)
    EXPECT_EQ(nnrt_tensor_cdata(t)[i], 0.0f);
  nnrt_tensor_free(t);
}

TEST(Csv, RoundTripIsExact) {
  ScratchDir dir;
  Status st;
  nnrt_tensor *t = matrix(3, 2, -1.0f / 3.0f);
  ASSERT_EQ(nnrt_write_csv(t, dir.file("t.csv").c_str(), st), 0)
      << st.message();
  nnrt_tensor *back = nnrt_read_csv(dir.file("t.csv").c_str(), 2, st);
  ASSERT_NE(back, nullptr) << st.message();
  ASSERT_EQ(nnrt_tensor_size(back), 6);
  EXPECT_EQ(std::memcmp(nnrt_tensor_cdata(t), nnrt_tensor_cdata(back), 24), 0)
      << "%.9g must round-trip every float";
  nnrt_tensor_free(t);
  nnrt_tensor_free(back);
}

TEST(Csv, SkipsAHeaderAndBlankLinesAndTakesCRLF) {
  ScratchDir dir;
  Status st;
  std::string p = dir.write("h.csv", "a,b\r\n1,2\r\n\r\n3, 4\r\n");
  nnrt_tensor *t = nnrt_read_csv(p.c_str(), -1, st);
  ASSERT_NE(t, nullptr) << st.message();
  EXPECT_EQ(nnrt_tensor_dim(t, 0), 2);
  EXPECT_EQ(nnrt_tensor_dim(t, 1), 2);
  EXPECT_EQ(nnrt_tensor_cdata(t)[3], 4.0f);
  nnrt_tensor_free(t);
}

TEST(Csv, Errors) {
  ScratchDir dir;
  struct Case {
    const char *text;
    int64_t columns;
    std::string message; // after "<path>"
  } cases[] = {
      {"1,2\n3\n", -1, ":2: expected 2 columns, found 1"},
      {"1,2\n3,4\n", 3, ":1: expected 3 columns, found 2"},
      {"x,y\n1,2\n3,zz\n", -1, ":3: column 2: 'zz' is not a number finite in f32 (|x| < 3.4e38)"},
      {"1,2\n3,nan\n", -1, ":2: column 2: 'nan' is not a number finite in f32 (|x| < 3.4e38)"},
      {"1,2\n1,inf\n", -1, ":2: column 2: 'inf' is not a number finite in f32 (|x| < 3.4e38)"},
      // Finite as a double, infinite as the f32 models compute with.
      {"1,2\n1,1e39\n", -1, ":2: column 2: '1e39' is not a number finite in f32 (|x| < 3.4e38)"},
      // A non-numeric first line is a header, so this file has no data.
      {"1,inf\n", -1, ": no data rows"},
      {"a,b\n", -1, ": no data rows"},
      {"", -1, ": no data rows"},
  };
  int n = 0;
  for (const Case &c : cases) {
    std::string p = dir.write("e" + std::to_string(n++) + ".csv", c.text);
    Status st;
    EXPECT_EQ(nnrt_read_csv(p.c_str(), c.columns, st), nullptr) << c.text;
    EXPECT_EQ(st.message(), p + c.message) << c.text;
  }
}

TEST(Csv, MissingFileAndWriteFailures) {
  Status st;
  EXPECT_EQ(nnrt_read_csv("/nonexistent/x.csv", -1, st), nullptr);
  EXPECT_EQ(st.message(),
            "cannot open '/nonexistent/x.csv': No such file or directory");
  nnrt_tensor *t = matrix(1, 1);
  EXPECT_EQ(nnrt_write_csv(t, "/nonexistent/dir/y.csv", st), -1);
  EXPECT_NE(st.message().find("cannot write '/nonexistent/dir/y.csv"),
            std::string::npos)
      << st.message();
  nnrt_tensor_free(t);
  int64_t shape[] = {1, 1, 1};
  nnrt_tensor *cube = nnrt_tensor_new(3, shape, nullptr);
  EXPECT_EQ(nnrt_write_csv(cube, "/tmp/never.csv", st), -1);
  EXPECT_EQ(st.message(), "CSV holds 1-D or 2-D tensors, got (1, 1, 1)");
  nnrt_tensor_free(cube);
}

TEST(Npy, RoundTripAndAlignment) {
  ScratchDir dir;
  Status st;
  nnrt_tensor *t = matrix(4, 3);
  std::string p = dir.file("t.npy");
  ASSERT_EQ(nnrt_write_npy(t, p.c_str(), st), 0) << st.message();
  std::string bytes = readAll(p);
  // NumPy's rule: the data starts at a multiple of 64 bytes.
  EXPECT_EQ((bytes.size() - 48) % 64, 0u);
  EXPECT_NE(bytes.find("'shape': (4, 3)"), std::string::npos);
  nnrt_tensor *back = nnrt_read_npy(p.c_str(), st);
  ASSERT_NE(back, nullptr) << st.message();
  EXPECT_EQ(nnrt_tensor_dim(back, 0), 4);
  EXPECT_EQ(std::memcmp(nnrt_tensor_cdata(t), nnrt_tensor_cdata(back), 48), 0);
  nnrt_tensor_free(t);
  nnrt_tensor_free(back);
}

TEST(Npy, ReadsFloat64AndVersions2And3) {
  ScratchDir dir;
  Status st;
  double d[] = {1.5, -2.25};
  std::string p = dir.write(
      "d.npy",
      npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
          std::string(reinterpret_cast<char *>(d), 16)));
  nnrt_tensor *t = nnrt_read_npy(p.c_str(), st);
  ASSERT_NE(t, nullptr) << st.message();
  EXPECT_EQ(nnrt_tensor_rank(t), 1u);
  EXPECT_EQ(nnrt_tensor_cdata(t)[1], -2.25f);
  nnrt_tensor_free(t);

  // Version 2 has a 4-byte header length.
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, "
                     "1), }\n";
  std::string v2("\x93NUMPY\x02\x00", 8);
  v2 += static_cast<char>(dict.size());
  v2 += std::string(3, '\0');
  p = dir.write("v2.npy", v2 + dict + floats({7.0f}));
  t = nnrt_read_npy(p.c_str(), st);
  ASSERT_NE(t, nullptr) << st.message();
  EXPECT_EQ(nnrt_tensor_cdata(t)[0], 7.0f);
  nnrt_tensor_free(t);
}

// NumPy's integer and boolean arrays (uint8 images, int64 labels) read as
// float32 values; the bytes are written here as NumPy lays them out.
TEST(Npy, ReadsIntegersAndBooleans) {
  ScratchDir dir;
  auto le = [](uint64_t v, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
      out += static_cast<char>(v >> (8 * i) & 0xFF);
    return out;
  };
  struct Case {
    const char *descr;
    std::string data;
    std::vector<float> expect;
  } cases[] = {
      {"|u1", le(0, 1) + le(255, 1), {0, 255}},
      {"|i1", le(0x80, 1) + le(0x7f, 1), {-128, 127}},
      {"|b1", le(1, 1) + le(0, 1), {1, 0}},
      {"<u2", le(65535, 2) + le(7, 2), {65535, 7}},
      {"<i2", le(0xFFFE, 2) + le(300, 2), {-2, 300}},
      {"<i4", le(0xFFFFFFF6u, 4) + le(9, 4), {-10, 9}},
      {"<u4", le(4000000000u, 4) + le(1, 4), {4e9f, 1}},
      {"<i8", le(~uint64_t(0), 8) + le(3, 8), {-1, 3}},
      {"<u8", le(uint64_t(1) << 40, 8) + le(0, 8), {1099511627776.0f, 0}},
  };
  int n = 0;
  for (const Case &c : cases) {
    std::string p = dir.write(
        "i" + std::to_string(n++) + ".npy",
        npy(std::string("{'descr': '") + c.descr +
                "', 'fortran_order': False, 'shape': (2,), }",
            c.data));
    Status st;
    nnrt_tensor *t = nnrt_read_npy(p.c_str(), st);
    ASSERT_NE(t, nullptr) << c.descr << ": " << st.message();
    EXPECT_EQ(std::vector<float>(nnrt_tensor_cdata(t),
                                 nnrt_tensor_cdata(t) + 2),
              c.expect)
        << c.descr;
    nnrt_tensor_free(t);
  }
}

TEST(Npy, Errors) {
  ScratchDir dir;
  const std::string f4 = "{'descr': '<f4', 'fortran_order': False, ";
  struct Case {
    std::string bytes, message; // message after "<path>: "
  } cases[] = {
      {"PK\x03\x04 not numpy at all", "not a .npy file (bad magic)"},
      {"\x93NUM", "not a .npy file (bad magic)"},
      {npy(f4 + "'shape': (1,), }", floats({1}), 4),
       "unsupported .npy version 4"},
      {npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
           floats({1, 2})),
       "dtype '<c8' is not supported (use float32, float64, (u)int8..64 or "
       "bool, little-endian)"},
      {npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }",
           floats({1})),
       "dtype '>f4' is not supported (use float32, float64, (u)int8..64 or "
       "bool, little-endian)"},
      {npy("{'descr': '|i4', 'fortran_order': False, 'shape': (1,), }",
           floats({1})),
       "dtype '|i4' is not supported (use float32, float64, (u)int8..64 or "
       "bool, little-endian)"},
      {npy("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }",
           std::string(12, 'a')),
       "dtype '<U3' is not supported (use float32, float64, (u)int8..64 or "
       "bool, little-endian)"},
      {npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
           floats({1, 2, 3, 4})),
       "Fortran-order arrays are not supported"},
      {npy(f4 + "'shape': (2, 3), }", floats({1, 2, 3})),
       "truncated: shape (2, 3) needs 24 bytes of data, the file has 12"},
      {npy(f4 + "'shape': (4611686018427387904, 4), }", floats({1})),
       "bad shape (4611686018427387904, 4)"},
      // A plausible shape with too few bytes says how many are missing
      // (issue 11: it said "bad shape").
      {npy(f4 + "'shape': (1000, 1000), }", floats({1})),
       "truncated: shape (1000, 1000) needs 4000000 bytes of data, the file "
       "has 4"},
      // Values must be finite in f32, as in CSV files.
      {npy(f4 + "'shape': (3,), }", floats({1, NAN, 2})),
       "element 1 (row-major) is not finite in f32 (NaN, infinity or "
       "|x| >= 3.4e38)"},
      {npy(f4 + "'shape': (-2,), }", ""), "bad shape (-2,)"},
      {std::string("\x93NUMPY\x01\x00\xff\x00{'descr'", 17),
       "truncated header"},
  };
  int n = 0;
  for (const Case &c : cases) {
    std::string p = dir.write("e" + std::to_string(n++) + ".npy", c.bytes);
    Status st;
    EXPECT_EQ(nnrt_read_npy(p.c_str(), st), nullptr) << c.message;
    EXPECT_EQ(st.message(), p + ": " + c.message);
  }
  // A header without one of the three keys.
  std::string p = dir.write("nokey.npy", npy("{'descr': '<f4', }", ""));
  Status st;
  EXPECT_EQ(nnrt_read_npy(p.c_str(), st), nullptr);
  EXPECT_EQ(st.message().rfind(p + ": malformed header", 0), 0u)
      << st.message();
}

TEST(Npy, WriteFailureLeavesNoFile) {
  ScratchDir dir;
  Status st;
  nnrt_tensor *t = matrix(1, 2);
  EXPECT_EQ(nnrt_write_npy(t, dir.file("missing/t.npy").c_str(), st), -1);
  EXPECT_NE(st.message().find("cannot write"), std::string::npos);
  nnrt_tensor_free(t);
}
