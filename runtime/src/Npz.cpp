//===- Npz.cpp - NumPy .npz archives (np.savez, np.savez_compressed) -----===//
//
// An .npz is a ZIP archive with one .npy file per array ("x.npy" for the
// array saved as x). The central directory at the end lists the members
// with their sizes, compression (0 stored, 8 deflate) and CRC-32; NumPy
// writes members with ZIP64 extensions, so 0xFFFFFFFF sizes and offsets
// are read from the ZIP64 extra field. Every field is bounds-checked: the
// archive is untrusted input.
//
//===----------------------------------------------------------------------===//

#include "Gzip.h"
#include "Internal.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace {

struct Reader {
  const std::string &bytes;
  uint64_t u(size_t at, unsigned n) const { // little-endian
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
      v |= uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    return v;
  }
  bool has(uint64_t at, uint64_t n) const {
    return at <= bytes.size() && n <= bytes.size() - at;
  }
};

struct Member {
  std::string name;
  unsigned method = 0, flags = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0, size = 0, offset = 0;
};

/// The archive's members from its central directory; false and a message.
bool readDirectory(const std::string &bytes, const std::string &file,
                   std::vector<Member> &members, std::string &error) {
  Reader r{bytes};
  // The end-of-central-directory record: 22 bytes and a comment of at
  // most 65,535, at the very end.
  size_t eocd = std::string::npos;
  for (size_t back = 22; back <= std::min<size_t>(bytes.size(), 22 + 65535);
       ++back)
    if (r.u(bytes.size() - back, 4) == 0x06054b50) {
      eocd = bytes.size() - back;
      break;
    }
  if (eocd == std::string::npos) {
    error = file + ": not an .npz file (no ZIP directory)";
    return false;
  }
  uint64_t count = r.u(eocd + 10, 2), dirSize = r.u(eocd + 12, 4),
           dirAt = r.u(eocd + 16, 4);
  if ((count == 0xFFFF || dirAt == 0xFFFFFFFF) && eocd >= 20 &&
      r.u(eocd - 20, 4) == 0x07064b50) {
    uint64_t z = r.u(eocd - 20 + 8, 8);
    if (!r.has(z, 56) || r.u(z, 4) != 0x06064b50) {
      error = file + ": corrupt ZIP64 directory record";
      return false;
    }
    count = r.u(z + 32, 8);
    dirSize = r.u(z + 40, 8);
    dirAt = r.u(z + 48, 8);
  }
  if (!r.has(dirAt, dirSize)) {
    error = file + ": truncated: the ZIP directory lies past the end";
    return false;
  }
  uint64_t at = dirAt;
  for (uint64_t i = 0; i < count; ++i) {
    if (!r.has(at, 46) || r.u(at, 4) != 0x02014b50) {
      error = file + ": corrupt ZIP directory entry " + std::to_string(i);
      return false;
    }
    Member m;
    m.flags = static_cast<unsigned>(r.u(at + 8, 2));
    m.method = static_cast<unsigned>(r.u(at + 10, 2));
    m.crc = static_cast<uint32_t>(r.u(at + 16, 4));
    m.compressed = r.u(at + 20, 4);
    m.size = r.u(at + 24, 4);
    uint64_t nameLen = r.u(at + 28, 2), extraLen = r.u(at + 30, 2),
             commentLen = r.u(at + 32, 2);
    m.offset = r.u(at + 42, 4);
    if (!r.has(at + 46, nameLen + extraLen + commentLen)) {
      error = file + ": corrupt ZIP directory entry " + std::to_string(i);
      return false;
    }
    m.name = bytes.substr(at + 46, nameLen);
    // ZIP64: the fields that read 0xFFFFFFFF follow in the extra field 1,
    // in the order size, compressed size, offset.
    for (uint64_t e = at + 46 + nameLen, end = e + extraLen; e + 4 <= end;) {
      uint64_t id = r.u(e, 2), len = r.u(e + 2, 2), p = e + 4;
      if (p + len > end)
        break;
      if (id == 1) {
        for (uint64_t *field : {&m.size, &m.compressed, &m.offset})
          if (*field == 0xFFFFFFFF && p + 8 <= e + 4 + len) {
            *field = r.u(p, 8);
            p += 8;
          }
      }
      e += 4 + len;
    }
    members.push_back(m);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return true;
}

/// The member's uncompressed bytes, checked against its size and CRC-32.
bool extract(const std::string &bytes, const std::string &where,
             const Member &m, std::string &out, std::string &error) {
  Reader r{bytes};
  if (!r.has(m.offset, 30) || r.u(m.offset, 4) != 0x04034b50) {
    error = where + ": corrupt ZIP member header";
    return false;
  }
  uint64_t start = m.offset + 30 + r.u(m.offset + 26, 2) +
                   r.u(m.offset + 28, 2);
  if (!r.has(start, m.compressed)) {
    error = where + ": truncated: " + std::to_string(m.compressed) +
            " bytes of data past the end of the file";
    return false;
  }
  if (m.flags & 1) {
    error = where + ": encrypted ZIP members are not supported";
    return false;
  }
  if (m.size > nnrt::kMaxInflatedBytes) {
    error = where + ": " + std::to_string(m.size) + " bytes; too large";
    return false;
  }
  if (m.method == 0) {
    if (m.compressed != m.size) {
      error = where + ": corrupt: stored with " +
              std::to_string(m.compressed) + " bytes for " +
              std::to_string(m.size);
      return false;
    }
    out = bytes.substr(start, m.size);
  } else if (m.method == 8) {
    // Deflate expands at most 1032-fold: a larger size is a lie, which
    // would otherwise make us allocate it (fuzz-npz found this).
    if (m.size > m.compressed * 1032 + 1024) {
      error = where + ": corrupt: " + std::to_string(m.compressed) +
              " compressed bytes cannot hold " + std::to_string(m.size);
      return false;
    }
    out.assign(m.size, '\0');
    z_stream z{};
    inflateInit2(&z, -MAX_WBITS); // raw deflate, no header
    z.next_in = reinterpret_cast<Bytef *>(
        const_cast<char *>(bytes.data() + start));
    z.avail_in = static_cast<uInt>(std::min<uint64_t>(m.compressed, 0xFFFFFFFFu));
    z.next_out = reinterpret_cast<Bytef *>(&out[0]);
    z.avail_out = static_cast<uInt>(std::min<uint64_t>(m.size, 0xFFFFFFFFu));
    int rc = m.size ? inflate(&z, Z_FINISH) : Z_STREAM_END;
    uint64_t got = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END || got != m.size) {
      error = where + ": corrupt compressed data";
      return false;
    }
  } else {
    error = where + ": ZIP compression method " + std::to_string(m.method) +
            " is not supported (only stored and deflate, as NumPy writes)";
    return false;
  }
  uint32_t crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef *>(out.data()),
            static_cast<uInt>(out.size())));
  if (out.size() > 0xFFFFFFFFu || crc != m.crc) {
    error = where + ": corrupt: CRC-32 mismatch";
    return false;
  }
  return true;
}

} // namespace

extern "C" nnrt_tensor *nnrt_read_npz(const char *path, const char *name,
                                      nnrt_status *status) {
  std::string bytes, error;
  if (!nnrt::readFile(path, bytes, error))
    return nnrt::failNull<nnrt_tensor>(status, error);
  std::string file(path);
  std::vector<Member> members;
  if (!readDirectory(bytes, file, members, error))
    return nnrt::failNull<nnrt_tensor>(status, error);
  std::string want = std::string(name) + ".npy", have;
  for (const Member &m : members) {
    if (m.name == want) {
      std::string where = file + ":" + m.name, data;
      if (!extract(bytes, where, m, data, error))
        return nnrt::failNull<nnrt_tensor>(status, error);
      return nnrt::parseNpy(data, where, status);
    }
    if (m.name.size() > 4 && m.name.compare(m.name.size() - 4, 4, ".npy") == 0)
      have += (have.empty() ? "" : ", ") + m.name.substr(0, m.name.size() - 4);
  }
  return nnrt::failNull<nnrt_tensor>(
      status, file + ": no array '" + name + "' (the archive has: " +
                  (have.empty() ? "none" : have) + ")");
}
