//===- DataFiles.cpp - CSV and NumPy .npy ---------------------------------===//
//
// Errors name the file and, for CSV, the 1-based line, so that a user can go
// straight to the bad row.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "Pickle.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace nnrt;

namespace {

std::vector<std::string> splitFields(const std::string &line) {
  std::vector<std::string> fields;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      fields.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  fields.push_back(cur);
  return fields;
}

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

bool toFloat(const std::string &field, float &out) {
  std::string t = trim(field);
  if (t.empty())
    return false;
  char *end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  // Finite as the f32 the model computes with: 1e39 is not (issue 11: it
  // became infinity and training reported a NaN loss with exit 0).
  if (*end != '\0' || !std::isfinite(v) ||
      !std::isfinite(static_cast<float>(v)))
    return false;
  out = static_cast<float>(v);
  return true;
}

} // namespace

extern "C" nnrt_tensor *nnrt_read_csv(const char *path, int64_t expected,
                                      nnrt_status *status) {
  return readCsv(path, expected, nullptr, status);
}

nnrt_tensor *nnrt::readCsv(const char *path, int64_t expected,
                           std::vector<int64_t> *lineOfRow,
                           nnrt_status *status,
                           std::vector<std::string> *header) {
  std::string text, error;
  if (!readFile(path, text, error))
    return failNull<nnrt_tensor>(status, error);
  std::vector<float> values;
  int64_t columns = expected, rows = 0;
  size_t start = 0;
  for (int64_t lineNo = 1; start <= text.size(); ++lineNo) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (trim(line).empty() || trim(line) == "\r")
      continue;
    std::vector<std::string> fields = splitFields(line);
    std::vector<float> row(fields.size());
    bool numeric = true;
    size_t badField = 0;
    for (size_t i = 0; i < fields.size() && numeric; ++i)
      if (!toFloat(fields[i], row[i])) {
        numeric = false;
        badField = i;
      }
    if (!numeric && rows == 0 && values.empty() && lineNo == 1) {
      if (header) // a header line
        for (const std::string &f : fields)
          header->push_back(trim(f));
      continue;
    }
    std::string where = std::string(path) + ":" + std::to_string(lineNo) + ": ";
    if (columns < 0)
      columns = static_cast<int64_t>(fields.size());
    if (static_cast<int64_t>(fields.size()) != columns)
      return failNull<nnrt_tensor>(
          status, where + "expected " + std::to_string(columns) +
                      " columns, found " + std::to_string(fields.size()));
    if (!numeric)
      return failNull<nnrt_tensor>(
          status, where + "column " + std::to_string(badField + 1) + ": '" +
                      trim(fields[badField]) +
                      "' is not a number finite in f32 (|x| < 3.4e38)");
    values.insert(values.end(), row.begin(), row.end());
    if (lineOfRow)
      lineOfRow->push_back(lineNo);
    ++rows;
  }
  if (rows == 0)
    return failNull<nnrt_tensor>(status, std::string(path) +
                                             ": no data rows");
  nnrt_tensor *t = makeTensor({rows, columns});
  t->data = std::move(values);
  return t;
}

extern "C" int nnrt_write_csv(const nnrt_tensor *t, const char *path,
                              nnrt_status *status) {
  if (t->shape.size() > 2 || t->shape.empty())
    return fail(status, "CSV holds 1-D or 2-D tensors, got " +
                            formatShape(t->shape));
  int64_t cols = t->shape.size() == 2 ? t->shape[1] : 1;
  std::string out;
  char buf[32];
  for (size_t i = 0; i < t->data.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.9g", t->data[i]);
    out += buf;
    out += (static_cast<int64_t>(i + 1) % cols == 0) ? "\n" : ",";
  }
  std::string error;
  if (!writeFileAtomically(path, out, error))
    return fail(status, error);
  return 0;
}

//===----------------------------------------------------------------------===//
// .npy: magic "\x93NUMPY", version, header length, a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }, then the data.
//===----------------------------------------------------------------------===//

namespace {

/// The value text following `'key':` in the header dict.
bool dictValue(const std::string &header, const std::string &key,
               std::string &out) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    return false;
  size_t colon = header.find(':', k);
  if (colon == std::string::npos)
    return false;
  size_t b = header.find_first_not_of(' ', colon + 1);
  if (b == std::string::npos)
    return false;
  size_t e = header[b] == '(' ? header.find(')', b) + 1
             : header[b] == '\'' ? header.find('\'', b + 1) + 1
                                 : header.find_first_of(",}", b);
  if (e == std::string::npos || e == 0)
    return false;
  out = header.substr(b, e - b);
  return true;
}

} // namespace

extern "C" nnrt_tensor *nnrt_read_npy(const char *path, nnrt_status *status) {
  std::string bytes, error;
  if (!readFile(path, bytes, error))
    return failNull<nnrt_tensor>(status, error);
  return nnrt::parseNpy(bytes, path, status);
}

/// An object array (dtype '|O'): numbers, or sequences of numbers (Keras'
/// imdb.npz), which become (n, longest) rows padded with 0 after their end.
static nnrt_tensor *readSequences(const std::string &bytes, size_t at,
                                  const std::string &file,
                                  nnrt_status *status) {
  nnrt::ObjectArray array;
  std::string error;
  if (!nnrt::readObjectArray(bytes, at, file, array, error))
    return nnrt::failNull<nnrt_tensor>(status, error);
  int64_t n = static_cast<int64_t>(array.rows.size()), longest = 0;
  for (const auto &row : array.rows)
    longest = std::max<int64_t>(longest, static_cast<int64_t>(row.size()));
  if (!array.sequences)
    longest = 1;
  if (longest && n > nnrt::kMaxElements / longest)
    return nnrt::failNull<nnrt_tensor>(
        status, file + ": " + std::to_string(n) + " sequences of up to " +
                    std::to_string(longest) +
                    " values are more than 2^32 elements");
  std::vector<int64_t> shape = {n};
  if (array.sequences)
    shape.push_back(longest);
  nnrt_tensor *t = nnrt::makeTensor(shape);
  for (int64_t i = 0; i < n; ++i) {
    const auto &row = array.rows[i];
    for (size_t k = 0; k < row.size(); ++k) {
      // Token ids must survive f32 (integers up to 2^24 are exact).
      double d = row[k];
      bool exact = std::isfinite(d) && std::fabs(d) <= FLT_MAX &&
                   (std::fabs(d) <= (1 << 24) ||
                    double(static_cast<float>(d)) == d);
      if (!exact) {
        delete t;
        return nnrt::failNull<nnrt_tensor>(
            status, file + ": element " + std::to_string(k) + " of sequence " +
                        std::to_string(i) +
                        " is not exact in f32 (NaN, infinity or an integer "
                        "above 2^24)");
      }
      t->data[i * longest + k] = static_cast<float>(d);
    }
    if (array.sequences)
      t->rowLengths.push_back(static_cast<int64_t>(row.size()));
  }
  return t;
}

nnrt_tensor *nnrt::parseNpy(const std::string &bytes, const std::string &file,
                            nnrt_status *status) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    return failNull<nnrt_tensor>(status,
                                 file + ": not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) |
                static_cast<unsigned char>(bytes[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return failNull<nnrt_tensor>(status, file + ": truncated header");
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = headerLen << 8 | static_cast<unsigned char>(bytes[8 + i]);
    headerStart = 12;
  } else {
    return failNull<nnrt_tensor>(status, file + ": unsupported .npy version " +
                                             std::to_string(major));
  }
  if (headerStart + headerLen > bytes.size())
    return failNull<nnrt_tensor>(status, file + ": truncated header");
  std::string header = bytes.substr(headerStart, headerLen);
  std::string descr, order, shapeText;
  if (!dictValue(header, "descr", descr) ||
      !dictValue(header, "fortran_order", order) ||
      !dictValue(header, "shape", shapeText))
    return failNull<nnrt_tensor>(status, file + ": malformed header '" +
                                             header + "'");
  if (order != "False")
    return failNull<nnrt_tensor>(
        status, file + ": Fortran-order arrays are not supported");
  if (descr == "'|O'")
    return readSequences(bytes, headerStart + headerLen, file, status);
  // Little-endian (or byte-sized) floats, integers and booleans: images
  // come as uint8 and labels as int64 from NumPy.
  char kind = 0;
  size_t elemSize = 0;
  if (descr.size() == 5 && descr[0] == '\'' && descr[4] == '\'' &&
      (descr[1] == '<' || descr[1] == '|') && descr[3] >= '1' &&
      descr[3] <= '8') {
    kind = descr[2];
    elemSize = static_cast<size_t>(descr[3] - '0');
    bool known = (kind == 'f' && (elemSize == 4 || elemSize == 8)) ||
                 ((kind == 'i' || kind == 'u') &&
                  (elemSize == 1 || elemSize == 2 || elemSize == 4 ||
                   elemSize == 8)) ||
                 (kind == 'b' && elemSize == 1);
    // A multi-byte type must say its byte order is little-endian.
    if (!known || (elemSize > 1 && descr[1] != '<'))
      kind = 0;
  }
  if (!kind)
    return failNull<nnrt_tensor>(status, file + ": dtype " + descr +
                                             " is not supported (use float32, "
                                             "float64, (u)int8..64 or bool, "
                                             "little-endian)");
  std::vector<int64_t> shape;
  int64_t count = 1;
  for (size_t i = 1; i < shapeText.size();) {
    size_t j = shapeText.find_first_of(",)", i);
    std::string field = trim(shapeText.substr(i, j - i));
    if (!field.empty()) {
      char *end = nullptr;
      long long d = std::strtoll(field.c_str(), &end, 10);
      // Reject overflowing shapes before they turn into small byte counts;
      // a shape the file is too short for is reported below, with the
      // bytes it lacks.
      const int64_t kMaxCount = int64_t(1) << 40;
      if (*end != '\0' || d < 0 || (d > 0 && count > kMaxCount / d))
        return failNull<nnrt_tensor>(status, file + ": bad shape " + shapeText);
      shape.push_back(d);
      count *= d;
    }
    if (j == std::string::npos)
      break;
    i = j + 1;
  }
  size_t dataStart = headerStart + headerLen;
  size_t need = static_cast<size_t>(count) * elemSize;
  size_t have = bytes.size() - dataStart;
  if (have < need)
    return failNull<nnrt_tensor>(
        status, file + ": truncated: shape " + formatShape(shape) + " needs " +
                    std::to_string(need) + " bytes of data, the file has " +
                    std::to_string(have));
  nnrt_tensor *t = makeTensor(shape);
  const char *p = bytes.data() + dataStart;
  for (int64_t i = 0; i < count; ++i) {
    const char *e = p + elemSize * i;
    if (kind == 'f' && elemSize == 4) {
      std::memcpy(&t->data[i], e, 4);
    } else if (kind == 'f') {
      double d;
      std::memcpy(&d, e, 8);
      t->data[i] = static_cast<float>(d);
    } else {
      uint64_t bits = 0; // little-endian, as the host reads it
      for (size_t b = 0; b < elemSize; ++b)
        bits |= uint64_t(static_cast<unsigned char>(e[b])) << (8 * b);
      if (kind == 'i' && elemSize < 8 && (bits >> (8 * elemSize - 1)) & 1)
        bits |= ~uint64_t(0) << (8 * elemSize); // sign-extend
      t->data[i] = kind == 'i' ? static_cast<float>(static_cast<int64_t>(bits))
                               : static_cast<float>(bits);
    }
    // The same rule as CSV: every value finite in f32.
    if (!std::isfinite(t->data[i])) {
      delete t;
      return failNull<nnrt_tensor>(
          status, file + ": element " + std::to_string(i) +
                      " (row-major) is not finite in f32 (NaN, infinity or "
                      "|x| >= 3.4e38)");
    }
  }
  return t;
}

extern "C" int nnrt_write_npy(const nnrt_tensor *t, const char *path,
                              nnrt_status *status) {
  std::string dims;
  for (int64_t d : t->shape)
    dims += std::to_string(d) + ", ";
  if (t->shape.size() > 1)
    dims.erase(dims.size() - 2);
  else if (!t->shape.empty())
    dims.erase(dims.size() - 1);
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       dims + "), }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char *>(t->data.data()),
             t->data.size() * 4);
  std::string error;
  if (!writeFileAtomically(path, out, error))
    return fail(status, error);
  return 0;
}
