//===- DataSources.cpp - arrays from files, shaped as the model takes them ===//
//
// The CLI's --x/--y (and predict's --input) take a file in any format the
// runtime reads, told apart by content: NumPy .npy (its magic), .npz (a ZIP
// archive; "d.npz:name" picks an array, else the caller's default name),
// IDX plain or gzip-compressed (two zero bytes, or gzip's magic), CIFAR-10's
// binary batches (a .bin of whole 3,073-byte records), else CSV. Each
// array is then checked against the model's per-sample shape, as Keras'
// fit() checks its arrays against the Input shape.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

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

nnrt_tensor *nnrt::readArray(const char *spec, const char *arrayName,
                             std::vector<int64_t> *csvLines,
                             nnrt_status *status) {
  // "d.npz:images" names one array of an archive.
  std::string file = spec, name = arrayName ? arrayName : "x";
  size_t colon = file.rfind(':');
  if (colon != std::string::npos && colon >= 4 &&
      file.compare(colon - 4, 4, ".npz") == 0) {
    name = file.substr(colon + 1);
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
  char head[6] = {};
  if (FILE *f = std::fopen(path, "rb")) {
    size_t n = std::fread(head, 1, sizeof head, f);
    std::fclose(f);
    if (n == sizeof head && std::memcmp(head, "\x93NUMPY", 6) == 0)
      return nnrt_read_npy(path, status);
    if (n >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0)
      return nnrt_read_npz(path, name.c_str(), status);
    if (n >= 2 && ((head[0] == 0 && head[1] == 0) ||
                   (static_cast<unsigned char>(head[0]) == 0x1f &&
                    static_cast<unsigned char>(head[1]) == 0x8b)))
      return nnrt_read_idx(path, status);
  }
  return readCsv(path, -1, csvLines, status); // also reports a missing file
}

bool nnrt::shapeToSample(nnrt_tensor *t, const std::vector<int64_t> &sample,
                         const ArrayDescription &what, std::string &error) {
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
  if (scalars ||
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
