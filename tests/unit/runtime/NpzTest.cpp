//===- NpzTest.cpp - .npz archives: ZIP as NumPy writes it, and every way one breaks ===//
//
// Archives are built here byte by byte from the ZIP specification (APPNOTE:
// local headers, central directory, end record, the ZIP64 extra field and
// records) with zlib's raw deflate, so the reader is checked against the
// format. Each broken archive must give its own message, naming the file
// and the member.
//
//===----------------------------------------------------------------------===//

#include "Deflate.h"
#include "RuntimeTestSupport.h"
#include "runtime/src/Gzip.h"

#include <vector>

using namespace nnrt_test;

namespace {

std::string le(uint64_t v, unsigned n) {
  std::string out(n, '\0');
  for (unsigned i = 0; i < n; ++i)
    out[i] = static_cast<char>(v >> (8 * i) & 0xFF);
  return out;
}

/// A .npy of float32 values, shape (n,).
std::string npy(const std::vector<float> &v) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(v.size()) + ",), }";
  header += std::string((64 - (10 + header.size() + 1) % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += le(header.size(), 2) + header;
  out.append(reinterpret_cast<const char *>(v.data()), 4 * v.size());
  return out;
}

/// One member and how its headers describe it; the fields default to the
/// truth and are overridden to break the archive.
struct Member {
  std::string name = "x.npy", data;
  unsigned method = 0, flags = 0;
  uint64_t size = 0, compressed = 0;
  uint32_t crc = 0;
  bool zip64 = false; // sizes in the ZIP64 extra field
};

Member member(const std::string &content, unsigned method = 0) {
  Member m;
  m.method = method;
  m.data = method == 8 ? rawDeflate(content) : content;
  m.size = content.size();
  m.compressed = m.data.size();
  m.crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef *>(content.data()),
            static_cast<uInt>(content.size())));
  return m;
}

struct Archive {
  std::string bytes;
  size_t centralAt = 0, endAt = 0;
};

Archive zip(const std::vector<Member> &members) {
  Archive a;
  std::string central;
  for (const Member &m : members) {
    uint64_t offset = a.bytes.size();
    std::string extra;
    if (m.zip64)
      extra = le(1, 2) + le(16, 2) + le(m.size, 8) + le(m.compressed, 8);
    uint64_t size = m.zip64 ? 0xFFFFFFFF : m.size,
             compressed = m.zip64 ? 0xFFFFFFFF : m.compressed;
    a.bytes += le(0x04034b50, 4) + le(20, 2) + le(m.flags, 2) +
               le(m.method, 2) + le(0, 4) + le(m.crc, 4) + le(compressed, 4) +
               le(size, 4) + le(m.name.size(), 2) + le(0, 2) + m.name + m.data;
    central += le(0x02014b50, 4) + le(20, 2) + le(20, 2) + le(m.flags, 2) +
               le(m.method, 2) + le(0, 4) + le(m.crc, 4) + le(compressed, 4) +
               le(size, 4) + le(m.name.size(), 2) + le(extra.size(), 2) +
               le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(offset, 4) +
               m.name + extra;
  }
  a.centralAt = a.bytes.size();
  a.bytes += central;
  a.endAt = a.bytes.size();
  a.bytes += le(0x06054b50, 4) + le(0, 2) + le(0, 2) +
             le(members.size(), 2) + le(members.size(), 2) +
             le(central.size(), 4) + le(a.centralAt, 4) + le(0, 2);
  return a;
}

void patch(std::string &bytes, size_t at, uint64_t v, unsigned n) {
  bytes.replace(at, n, le(v, n));
}

} // namespace

TEST(Npz, ReadsStoredAndDeflatedMembersByName) {
  ScratchDir dir;
  std::vector<float> xs{1, 2, 3}, ys{-1, 0.5f};
  Member x = member(npy(xs)), y = member(npy(ys), 8);
  y.name = "y.npy";
  std::string path = dir.write("ok.npz", zip({x, y}).bytes);
  Status st;
  for (const char *name : {"x", "y"}) {
    nnrt_tensor *t = nnrt_read_npz(path.c_str(), name, st);
    ASSERT_NE(t, nullptr) << st.message();
    const std::vector<float> &want = *name == 'x' ? xs : ys;
    EXPECT_EQ(std::vector<float>(nnrt_tensor_cdata(t),
                                 nnrt_tensor_cdata(t) + nnrt_tensor_size(t)),
              want);
    nnrt_tensor_free(t);
  }
  // ZIP64 sizes, as NumPy writes members over 4 GiB (here a small one).
  Member big = member(npy(xs), 8);
  big.zip64 = true;
  path = dir.write("zip64.npz", zip({big}).bytes);
  nnrt_tensor *t = nnrt_read_npz(path.c_str(), "x", st);
  ASSERT_NE(t, nullptr) << st.message();
  EXPECT_EQ(nnrt_tensor_size(t), 3);
  nnrt_tensor_free(t);
}

TEST(Npz, EveryDamageHasItsMessage) {
  ScratchDir dir;
  std::string content = npy({1, 2, 3, 4});
  struct Case {
    const char *file, *message;
    Archive archive;
  };
  std::vector<Case> cases;
  auto add = [&](const char *file, const char *message, Archive a) {
    cases.push_back({file, message, std::move(a)});
  };

  Member m = member(content);
  m.flags = 1;
  add("encrypted.npz", "encrypted.npz:x.npy: encrypted ZIP members are not "
                       "supported", zip({m}));
  m = member(content);
  m.method = 12; // bzip2: Python's zipfile can write it, NumPy never does
  add("bzip2.npz", "bzip2.npz:x.npy: ZIP compression method 12 is not "
                   "supported (only stored and deflate, as NumPy writes)",
      zip({m}));
  m = member(content);
  m.size += 1;
  add("stored.npz", "stored.npz:x.npy: corrupt: stored with 144 bytes for 145",
      zip({m}));
  m = member(content, 8);
  m.crc ^= 1;
  add("crc.npz", "crc.npz:x.npy: corrupt: CRC-32 mismatch", zip({m}));
  m = member(content, 8);
  m.data[0] = static_cast<char>(0xFF); // block type 3 does not exist
  add("deflate.npz", "deflate.npz:x.npy: corrupt compressed data", zip({m}));
  // Sizes that run past the end of the file, through the ZIP64 field.
  m = member(content);
  m.zip64 = true;
  m.size = m.compressed = (uint64_t(1) << 33) + 1;
  m.data = content;
  Archive huge = zip({m});
  add("truncated.npz", "truncated.npz:x.npy: truncated: 8589934593 bytes of "
                       "data past the end of the file", huge);

  Archive a = zip({member(content)});
  patch(a.bytes, 0, 0x12345678, 4); // the local header's signature
  add("local.npz", "local.npz:x.npy: corrupt ZIP member header", a);
  a = zip({member(content)});
  patch(a.bytes, a.centralAt, 0x12345678, 4);
  add("central.npz", "central.npz: corrupt ZIP directory entry 0", a);
  a = zip({member(content)});
  patch(a.bytes, a.endAt + 16, 0x7FFFFFFF, 4); // the directory's offset
  add("past.npz", "past.npz: truncated: the ZIP directory lies past the end",
      a);
  // The end record says "see ZIP64" and the locator points at garbage.
  a = zip({member(content)});
  patch(a.bytes, a.endAt + 8, 0xFFFF, 2);
  patch(a.bytes, a.endAt + 10, 0xFFFF, 2);
  a.bytes.insert(a.endAt, le(0x07064b50, 4) + le(0, 4) + le(3, 8) + le(1, 4));
  add("zip64.npz", "zip64.npz: corrupt ZIP64 directory record", a);
  add("plain.npz", "plain.npz: not an .npz file (no ZIP directory)",
      Archive{content, 0, 0});

  for (const Case &c : cases) {
    std::string path = dir.write(c.file, c.archive.bytes);
    Status st;
    EXPECT_EQ(nnrt_read_npz(path.c_str(), "x", st), nullptr) << c.file;
    EXPECT_EQ(st.message(), dir.file(c.message)) << c.file;
  }
}

TEST(Npz, SizeLimitAndRatio) {
  ScratchDir dir;
  std::string content = npy({1, 2});
  // Within the file, but claiming more than deflate can expand to.
  Member m = member(content, 8);
  m.size = m.compressed * 1032 + 1025;
  std::string path = dir.write("ratio.npz", zip({m}).bytes);
  Status st;
  EXPECT_EQ(nnrt_read_npz(path.c_str(), "x", st), nullptr);
  EXPECT_EQ(st.message(),
            path + ":x.npy: corrupt: " + std::to_string(m.compressed) +
                " compressed bytes cannot hold " + std::to_string(m.size));
  // Over the 8 GiB limit: refused before anything is allocated.
  m = member(content);
  m.zip64 = true;
  m.size = (uint64_t(1) << 33) + 1;
  path = dir.write("limit.npz", zip({m}).bytes);
  EXPECT_EQ(nnrt_read_npz(path.c_str(), "x", st), nullptr);
  EXPECT_EQ(st.message(), path + ":x.npy: 8589934593 bytes; too large");
}

TEST(Gzip, InflateLimit) {
  // gunzip stops at its limit (8 GiB for data files) instead of growing
  // without bound; a small limit shows the message.
  std::string raw(10000, 'a'), gz = gzip(raw);
  std::string out, error;
  EXPECT_TRUE(nnrt::gunzip("a.gz", gz, out, error));
  EXPECT_EQ(out, raw);
  EXPECT_FALSE(nnrt::gunzip("a.gz", gz, out, error, 4096));
  EXPECT_EQ(error.substr(0, 31), "a.gz: inflates to more than 409");
}
