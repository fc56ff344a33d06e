//===- Idx.cpp - the IDX format of the MNIST family -----------------------===//
//
// An IDX file: two zero bytes, a type code, the number of dimensions, each
// dimension as a big-endian uint32, then the elements, big-endian, row
// major. Type codes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
// 0x0D float32, 0x0E float64. MNIST and Fashion-MNIST ship uint8 images
// (N, 28, 28) and labels (N,), usually gzip-compressed: both are read.
//
//===----------------------------------------------------------------------===//

#include "Gzip.h"
#include "Internal.h"

#include <cmath>
#include <cstring>

namespace {

/// Per type code: element size, and how to read one big-endian element.
struct IdxType {
  unsigned code, size;
  const char *name;
};
constexpr IdxType kTypes[] = {{0x08, 1, "uint8"},  {0x09, 1, "int8"},
                              {0x0B, 2, "int16"},  {0x0C, 4, "int32"},
                              {0x0D, 4, "float32"}, {0x0E, 8, "float64"}};

uint64_t bigEndian(const unsigned char *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i)
    v = v << 8 | p[i];
  return v;
}

double element(const unsigned char *p, const IdxType &type) {
  uint64_t bits = bigEndian(p, type.size);
  switch (type.code) {
  case 0x08:
    return static_cast<double>(bits);
  case 0x09:
    return static_cast<double>(static_cast<int8_t>(bits));
  case 0x0B:
    return static_cast<double>(static_cast<int16_t>(bits));
  case 0x0C:
    return static_cast<double>(static_cast<int32_t>(bits));
  case 0x0D: {
    uint32_t b = static_cast<uint32_t>(bits);
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  }
  default: {
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }
  }
}

} // namespace

extern "C" nnrt_tensor *nnrt_read_idx(const char *path, nnrt_status *status) {
  std::string bytes, error;
  if (!nnrt::readMaybeGzip(path, bytes, error))
    return nnrt::failNull<nnrt_tensor>(status, error);
  std::string file(path);
  auto *b = reinterpret_cast<const unsigned char *>(bytes.data());
  if (bytes.size() < 4 || b[0] != 0 || b[1] != 0)
    return nnrt::failNull<nnrt_tensor>(
        status, file + ": not an IDX file (it starts with neither two zero "
                       "bytes nor gzip's magic)");
  const IdxType *type = nullptr;
  for (const IdxType &t : kTypes)
    if (t.code == b[2])
      type = &t;
  if (!type) {
    char code[8];
    std::snprintf(code, sizeof code, "0x%02X", b[2]);
    return nnrt::failNull<nnrt_tensor>(
        status, file + ": unknown IDX element type " + code);
  }
  unsigned rank = b[3];
  if (rank == 0 || rank > 8)
    return nnrt::failNull<nnrt_tensor>(
        status, file + ": " + std::to_string(rank) +
                    " dimensions; IDX data needs 1 to 8");
  if (bytes.size() < 4 + 4 * size_t(rank))
    return nnrt::failNull<nnrt_tensor>(
        status, file + ": truncated: the header needs " +
                    std::to_string(4 + 4 * rank) + " bytes, the file has " +
                    std::to_string(bytes.size()));
  std::vector<int64_t> shape;
  int64_t count = 1;
  for (unsigned i = 0; i < rank; ++i) {
    int64_t d = static_cast<int64_t>(bigEndian(b + 4 + 4 * i, 4));
    if (d > 0 && count > nnrt::kMaxElements / d)
      return nnrt::failNull<nnrt_tensor>(
          status, file + ": more than 2^32 elements");
    shape.push_back(d);
    count *= d;
  }
  size_t start = 4 + 4 * size_t(rank);
  size_t need = static_cast<size_t>(count) * type->size,
         have = bytes.size() - start;
  if (have != need)
    return nnrt::failNull<nnrt_tensor>(
        status, file + ": " + (have < need ? "truncated: " : "") + "shape " +
                    nnrt::formatShape(shape) + " of " + type->name +
                    " needs " + std::to_string(need) +
                    " bytes of data, the file has " + std::to_string(have));
  nnrt_tensor *t = nnrt::makeTensor(shape);
  for (int64_t i = 0; i < count; ++i) {
    double v = element(b + start + i * type->size, *type);
    t->data[i] = static_cast<float>(v);
    // The rule of every reader: values finite in f32.
    if (!std::isfinite(t->data[i])) {
      delete t;
      return nnrt::failNull<nnrt_tensor>(
          status, file + ": element " + std::to_string(i) +
                      " (row-major) is not finite in f32 (NaN, infinity or "
                      "|x| >= 3.4e38)");
    }
  }
  return t;
}
