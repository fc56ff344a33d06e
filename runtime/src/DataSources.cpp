//===- DataSources.cpp - arrays from files, shaped as the model takes them ===//
//
// The CLI's --x/--y (and predict's --input) take a file in any format the
// runtime reads, told apart by content: NumPy .npy (its magic), .npz (a ZIP
// archive; "d.npz:name" picks an array, else the caller's default name),
// IDX plain or gzip-compressed (two zero bytes, or gzip's magic), CIFAR-10's
// binary batches (a .bin of whole 3,073-byte records), else CSV, where
// "d.csv:0-3" takes some of the columns (pandas' df.iloc[:, 0:4]). Each
// array is then checked against the model's per-sample shape, as Keras'
// fit() checks its arrays against the Input shape.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace {

int64_t product(const std::vector<int64_t> &shape, size_t from) {
  int64_t n = 1;
  for (size_t i = from; i < shape.size(); ++i)
    n *= shape[i];
  return n;
}

std::vector<int64_t> perSample(const std::vector<int64_t> &shape) {
  return std::vector<int64_t>(shape.begin() + (shape.empty() ? 0 : 1),
                              shape.end());
}

} // namespace

bool nnrt::isCifar10(const std::string &path) {
  if (path.size() < 4 || path.compare(path.size() - 4, 4, ".bin") != 0)
    return false;
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return false;
  std::fseek(f, 0, SEEK_END);
  long size = std::ftell(f);
  std::fclose(f);
  return size > 0 && size % 3073 == 0;
}

namespace {

bool exists(const std::string &path) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (f)
    std::fclose(f);
  return f != nullptr;
}

/// A column index: digits only, below 2^31.
bool parseIndex(const std::string &s, int64_t &out) {
  if (s.empty() || s.size() > 9 ||
      s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out = std::stoll(s);
  return true;
}

} // namespace

bool nnrt::selectColumns(nnrt_tensor *&table, const std::string &selection,
                         const std::vector<std::string> &header,
                         const std::string &file, std::string &error) {
  int64_t rows = table->shape[0], cols = table->shape[1];
  std::vector<int64_t> picked;
  size_t start = 0;
  while (start <= selection.size()) {
    size_t comma = selection.find(',', start);
    if (comma == std::string::npos)
      comma = selection.size();
    std::string item = selection.substr(start, comma - start);
    start = comma + 1;
    size_t dash = item.find('-');
    int64_t a = 0, b = 0;
    if (parseIndex(item, a)) {
      b = a;
    } else if (dash != std::string::npos &&
               parseIndex(item.substr(0, dash), a) &&
               parseIndex(item.substr(dash + 1), b)) {
      if (b < a) {
        error = file + ": column range '" + item + "' runs backwards";
        return false;
      }
    } else {
      auto at = std::find(header.begin(), header.end(), item);
      if (item.empty() || at == header.end()) {
        std::string names;
        for (const std::string &h : header)
          names += (names.empty() ? "" : ", ") + h;
        error = file + ": " +
                (item.empty() ? std::string("an empty column in selection '") +
                                    selection + "'"
                              : "no column '" + item + "'") +
                " (columns are 0-based numbers, ranges such as 0-3" +
                (header.empty() ? std::string(", or names from a header line; "
                                              "this file has none)")
                                : ", or the header's names: " + names + ")");
        return false;
      }
      a = b = at - header.begin();
    }
    if (b >= cols) {
      error = file + ": column " + std::to_string(b) + " does not exist (" +
              std::to_string(cols) + " columns, 0.." +
              std::to_string(cols - 1) + ")";
      return false;
    }
    for (int64_t c = a; c <= b; ++c)
      picked.push_back(c);
  }
  int64_t width = static_cast<int64_t>(picked.size());
  nnrt_tensor *out = makeTensor({rows, width});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < width; ++j)
      out->data[r * width + j] = table->data[r * cols + picked[j]];
  delete table;
  table = out;
  return true;
}

nnrt_tensor *nnrt::readArray(const char *spec, const char *arrayName,
                             std::vector<int64_t> *csvLines,
                             nnrt_status *status) {
  // "d.npz:images" names one array of an archive.
  std::string file = spec, name = arrayName ? arrayName : "x", columns;
  size_t colon = file.rfind(':');
  if (colon != std::string::npos && colon >= 4 &&
      file.compare(colon - 4, 4, ".npz") == 0) {
    name = file.substr(colon + 1);
    file.resize(colon);
  } else if (colon != std::string::npos && !exists(file) &&
             exists(file.substr(0, colon))) {
    // "d.csv:0-3": some columns of a CSV (a file named so is read whole).
    columns = file.substr(colon + 1);
    file.resize(colon);
  }
  const char *path = file.c_str();
  // CIFAR-10 records have no magic: a .bin of whole records. "y" asks for
  // the labels, anything else for the images.
  if (isCifar10(file)) {
    nnrt_tensor *labels = nullptr;
    nnrt_tensor *images = nnrt_read_cifar10(path, &labels, status);
    if (!images)
      return nullptr;
    if (name == "y") {
      delete images;
      return labels;
    }
    delete labels;
    return images;
  }
  enum class Kind { Csv, Npy, Npz, Idx } kind = Kind::Csv;
  char head[6] = {};
  if (FILE *f = std::fopen(path, "rb")) {
    size_t n = std::fread(head, 1, sizeof head, f);
    std::fclose(f);
    if (n == sizeof head && std::memcmp(head, "\x93NUMPY", 6) == 0)
      kind = Kind::Npy;
    else if (n >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0)
      kind = Kind::Npz;
    else if (n >= 2 && ((head[0] == 0 && head[1] == 0) ||
                        (static_cast<unsigned char>(head[0]) == 0x1f &&
                         static_cast<unsigned char>(head[1]) == 0x8b)))
      kind = Kind::Idx;
  }
  if (kind != Kind::Csv && !columns.empty())
    return failNull<nnrt_tensor>(
        status, file + ": a column selection (':" + columns +
                    "') applies to CSV files; this is " +
                    (kind == Kind::Npy   ? "a .npy"
                     : kind == Kind::Npz ? "an .npz"
                                         : "an IDX") +
                    " file");
  if (kind == Kind::Npy)
    return nnrt_read_npy(path, status);
  if (kind == Kind::Npz)
    return nnrt_read_npz(path, name.c_str(), status);
  if (kind == Kind::Idx)
    return nnrt_read_idx(path, status);
  std::vector<std::string> header;
  nnrt_tensor *table = readCsv(path, -1, csvLines, status, &header);
  std::string error;
  if (table && !columns.empty() &&
      !selectColumns(table, columns, header, file, error)) {
    delete table;
    return failNull<nnrt_tensor>(status, error);
  }
  return table; // readCsv also reports a missing file
}

/// Sequences of different lengths to `steps` each, as Keras' pad_sequences
/// does: a shorter one gets zeros before it (or after, padAfter), a longer
/// one loses its first tokens (or its last, truncateAfter).
static void fitSequences(nnrt_tensor &t, int64_t steps,
                         const nnrt::SequenceFit &fit) {
  int64_t n = t.shape[0], width = t.shape[1];
  std::vector<float> out(static_cast<size_t>(n * steps), 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    int64_t length = t.rowLengths[i], keep = std::min(length, steps);
    int64_t from = fit.truncateAfter ? 0 : length - keep;
    int64_t to = fit.padAfter ? 0 : steps - keep;
    std::copy_n(t.data.begin() + i * width + from, keep,
                out.begin() + i * steps + to);
  }
  t.data = std::move(out);
  t.shape = {n, steps};
  t.rowLengths.clear();
}

/// Keras' imdb.load_data(num_words=N) ids from the frequency ranks its
/// imdb.npz stores (1 the most frequent word): each sequence starts with 1
/// (start_char), every rank r becomes r + 3 (index_from), and an id of N or
/// more becomes 2 (oov_char). Rows grow by one; 0 stays padding.
static void kerasImdbIds(nnrt_tensor &t, int64_t numWords) {
  int64_t n = t.shape[0], width = t.shape[1];
  std::vector<float> out(static_cast<size_t>(n * (width + 1)), 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    float *row = out.data() + i * (width + 1);
    row[0] = 1.0f;
    for (int64_t j = 0; j < t.rowLengths[i]; ++j) {
      double id = static_cast<double>(t.data[i * width + j]) + 3.0;
      row[j + 1] = id < static_cast<double>(numWords)
                       ? static_cast<float>(id)
                       : 2.0f;
    }
    t.rowLengths[i] += 1;
  }
  t.data = std::move(out);
  t.shape = {n, width + 1};
}

bool nnrt::shapeToSample(nnrt_tensor *t, const std::vector<int64_t> &sample,
                         const ArrayDescription &what, std::string &error) {
  if (what.fit.numWords && t->rowLengths.empty()) {
    error = what.file + ": --num-words maps token sequences stored as lists "
                        "(an array of lists, as Keras' imdb.npz holds its "
                        "reviews), and this " + what.noun +
            " array holds none";
    return false;
  }
  if (!t->rowLengths.empty()) {
    if (what.fit.numWords)
      kerasImdbIds(*t, what.fit.numWords);
    if (sample.size() != 1) {
      std::vector<int64_t> expect{-1};
      expect.insert(expect.end(), sample.begin(), sample.end());
      error = what.file + ": " + std::to_string(t->shape[0]) +
              " sequences of different lengths, but model '" + what.model +
              "' takes " + what.role + " '" + what.name + "' of shape " +
              formatShape(expect) +
              " (sequences feed an input of (steps) token ids)";
      return false;
    }
    if (sample[0] > 0 && t->shape[0] > kMaxElements / sample[0]) {
      error = what.file + ": " + std::to_string(t->shape[0]) +
              " sequences of " + std::to_string(sample[0]) +
              " steps are more than 2^32 elements";
      return false;
    }
    fitSequences(*t, sample[0], what.fit);
    return true;
  }
  std::vector<int64_t> have = perSample(t->shape);
  if (t->shape.empty()) {
    error = what.file + ": a scalar, not one " + what.noun + " per sample";
    return false;
  }
  if (have == sample)
    return true;
  // One value per sample fits (n,) as well as (n, 1); a CSV row is a
  // flattened sample (CSV has no shape of its own).
  bool scalars = product(have, 0) == 1 && product(sample, 0) == 1;
  // Grey images, (n, 28, 28) as MNIST ships them, feed a convolutional
  // model that takes (28, 28, 1): a trailing channel axis of size 1 may be
  // missing from the data.
  bool missingChannel = !sample.empty() && sample.back() == 1 &&
                        have == std::vector<int64_t>(sample.begin(),
                                                     sample.end() - 1);
  if (scalars || missingChannel ||
      (what.fromCsv && have.size() == 1 && have[0] == product(sample, 0))) {
    t->shape.resize(1);
    t->shape.insert(t->shape.end(), sample.begin(), sample.end());
    return true;
  }
  std::vector<int64_t> expect{-1};
  expect.insert(expect.end(), sample.begin(), sample.end());
  std::vector<int64_t> got{-1};
  got.insert(got.end(), have.begin(), have.end());
  error = what.file + ": " + what.noun + "s of shape " + formatShape(got) +
          " (" + std::to_string(t->shape[0]) + " samples), but model '" +
          what.model + "' takes " + what.role + " '" + what.name +
          "' of shape " + formatShape(expect);
  return false;
}

bool nnrt::checkClassIndices(const nnrt_tensor &y, int64_t classes,
                             const ArrayDescription &what,
                             const std::vector<int64_t> &csvLines,
                             std::string &error) {
  int64_t n = y.shape.empty() ? 0 : y.shape[0];
  for (int64_t r = 0; r < n; ++r) {
    float label = y.data[r];
    if (label == std::floor(label) && label >= 0 && label < classes)
      continue;
    char text[32];
    std::snprintf(text, sizeof text, "%g", label);
    std::string where = what.fromCsv && r < static_cast<int64_t>(csvLines.size())
                            ? what.file + ":" + std::to_string(csvLines[r])
                            : what.file + ": sample " + std::to_string(r);
    error = where + ": label " + text + " is not a class index 0.." +
            std::to_string(classes - 1);
    return false;
  }
  return true;
}

bool nnrt::labelsToOneHot(nnrt_tensor *&y, int64_t classes,
                          const ArrayDescription &what,
                          const std::vector<int64_t> &csvLines,
                          std::string &error) {
  int64_t n = y->shape.empty() ? 0 : y->shape[0];
  if (y->shape.empty() || product(y->shape, 1) != 1)
    return false;
  if (!checkClassIndices(*y, classes, what, csvLines, error))
    return false;
  nnrt_tensor *hot = makeTensor({n, classes});
  for (int64_t r = 0; r < n; ++r)
    hot->data[r * classes + static_cast<int64_t>(y->data[r])] = 1.0f;
  delete y;
  y = hot;
  return true;
}
