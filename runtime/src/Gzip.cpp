//===- Gzip.cpp - inflate gzip files with zlib ----------------------------===//

#include "Gzip.h"
#include "Internal.h"

#include <zlib.h>

#include <algorithm>

bool nnrt::isGzip(const std::string &bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

bool nnrt::gunzip(const std::string &path, const std::string &in,
                  std::string &out, std::string &error, uint64_t limit) {
  out.clear();
  z_stream z{};
  // 16 + MAX_WBITS: a gzip header and trailer around the deflate stream.
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    error = path + ": cannot start zlib";
    return false;
  }
  const size_t kChunk = size_t(1) << 20;
  size_t used = 0;
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
  int rc = Z_OK;
  // zlib counts in 32-bit units: feed the input in pieces.
  while (true) {
    if (z.avail_in == 0) {
      size_t left = in.size() - static_cast<size_t>(
                                    reinterpret_cast<const char *>(z.next_in) -
                                    in.data());
      z.avail_in = static_cast<uInt>(std::min<size_t>(left, kChunk));
    }
    if (out.size() - used < kChunk / 4) {
      if (out.size() >= limit) {
        inflateEnd(&z);
        error = path + ": inflates to more than " + std::to_string(limit) +
                " bytes; refused";
        return false;
      }
      out.resize(std::min<uint64_t>(out.size() + kChunk * 4, limit + 1));
    }
    z.next_out = reinterpret_cast<Bytef *>(&out[used]);
    z.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - used,
                                                     kChunk * 4));
    uInt before = z.avail_out;
    const Bytef *from = z.next_in;
    rc = inflate(&z, Z_NO_FLUSH);
    bool stuck = before == z.avail_out && from == z.next_in;
    used += before - z.avail_out;
    if (used > limit) {
      inflateEnd(&z);
      error = path + ": inflates to more than " + std::to_string(limit) +
              " bytes; refused";
      return false;
    }
    size_t consumed = static_cast<size_t>(
        reinterpret_cast<const char *>(z.next_in) - in.data());
    if (rc == Z_STREAM_END) {
      // Another gzip member may follow (concatenated .gz files).
      if (consumed == in.size())
        break;
      if (inflateReset(&z) != Z_OK)
        break;
      continue;
    }
    if (rc == Z_BUF_ERROR && consumed == in.size() && z.avail_in == 0 &&
        stuck) {
      inflateEnd(&z);
      error = path + ": truncated gzip data (" + std::to_string(in.size()) +
              " bytes)";
      return false;
    }
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || (rc == Z_BUF_ERROR && stuck)) {
      std::string why = z.msg ? z.msg : "error " + std::to_string(rc);
      inflateEnd(&z);
      error = path + ": corrupt gzip data (" + why + ")";
      return false;
    }
  }
  inflateEnd(&z);
  out.resize(used);
  return true;
}

bool nnrt::readMaybeGzip(const std::string &path, std::string &out,
                         std::string &error) {
  std::string raw;
  if (!readFile(path, raw, error))
    return false;
  if (!isGzip(raw)) {
    out.swap(raw);
    return true;
  }
  return gunzip(path, raw, out, error);
}
