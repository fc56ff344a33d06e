//===- CLIData.cpp - the arrays the train, evaluate and predict commands read ===//
//
// Sources, in Keras' terms:
//
//   --data d.csv            x and y from one CSV: the features and a label
//                           column (one-input, one-target models)
//   --data d.npz            every input under its own name (`x` for
//                           `model m(x: f32[4])`), the targets as `y`, or
//                           `y_0`, `y_1`, ... for a model with several
//                           outputs; a CIFAR-10 batch holds x and y too
//   --x F [--x G ...]       one array per input, in the model's order (or
//                           one .npz holding them all by name)
//   --y F [--y G ...]       one array per target, in the output order (or
//                           one .npz holding them all: y, or y_0, y_1, ...)
//   --target-is-input       fit(x, x): each target is its input
//
// Any array is a .npy, an .npz member (`d.npz:name`), IDX (.gz too), a
// CIFAR-10 batch or a CSV (DataSources.cpp). Each must hold samples of its
// buffer's declared shape (a CSV row is a flattened sample); a classifier's
// target may hold class indices, one-hot encoded here, and a
// sparse_categorical_crossentropy target is checked to hold valid ones.
//
//===----------------------------------------------------------------------===//

#include "CLIData.h"
#include "Internal.h"
#include "ModelImpl.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace nnrt {

Dataset::~Dataset() {
  for (nnrt_tensor *t : y)
    if (std::find(x.begin(), x.end(), t) == x.end())
      nnrt_tensor_free(t);
  for (nnrt_tensor *t : x)
    nnrt_tensor_free(t);
}

namespace {

/// The option names of one data set: data, x and y, or validation-data,
/// validation-x and validation-y.
struct Names {
  std::string data, x, y;
  explicit Names(const std::string &prefix)
      : data(prefix + "data"), x(prefix + "x"), y(prefix + "y") {}
  std::string flag(const std::string &name) const { return "--" + name; }
};

/// The built-in loss of target k ("" for a custom loss).
const std::string &lossOf(const nnrt_model *m, size_t k) {
  return k < m->config.losses.size() ? m->config.losses[k] : m->config.loss;
}

/// Whether target k's loss takes one-hot rows that the runtime may build
/// from class indices.
bool isCategorical(const nnrt_model *m, size_t k) {
  return lossOf(m, k) == "categorical_crossentropy";
}

/// The classes of target k when its loss is sparse_categorical_crossentropy
/// (its targets are class indices, checked here: the loss would silently
/// read an index past the classes as no class at all); 0 otherwise.
int64_t sparseClasses(const nnrt_model *m, size_t k) {
  if (lossOf(m, k) != "sparse_categorical_crossentropy")
    return 0;
  for (const Buffer &b : m->infer.buffers)
    if (b.role == Role::Output && k-- == 0)
      return b.shape.empty() ? 0 : b.shape.back();
  return 0;
}

std::vector<int64_t> sampleShape(const Buffer &b) {
  return std::vector<int64_t>(b.shape.begin() + 1, b.shape.end());
}

std::vector<const Buffer *> buffersOf(const Entry &e, Role role) {
  std::vector<const Buffer *> out;
  for (const Buffer &b : e.buffers)
    if (b.role == role)
      out.push_back(&b);
  return out;
}

/// "a, b": the names of `buffers`, for messages.
std::string nameList(const std::vector<const Buffer *> &buffers) {
  std::string s;
  for (const Buffer *b : buffers)
    s += (s.empty() ? "" : ", ") + b->name;
  return s;
}

bool isArchive(const std::string &path) {
  char head[4] = {};
  FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return false;
  bool zip = std::fread(head, 1, 4, file) == 4 &&
             std::memcmp(head, "PK\x03\x04", 4) == 0;
  std::fclose(file);
  return zip;
}

/// The file (and the archive member) each of `count` arrays comes from:
/// `files` names one file per array, or one archive holding every array
/// under `member(i)`. `what` ("input", "target") and `option` ("--x") make
/// the message when the count is wrong.
bool assignFiles(const std::vector<std::string> &files, size_t count,
                 const char *what, const char *option,
                 const std::vector<std::string> &members,
                 std::vector<std::string> &specs, Failure &f,
                 const nnrt_model *m) {
  specs.clear();
  if (files.size() == count) {
    specs = files;
    return true;
  }
  if (files.size() == 1 && count > 1 && isArchive(files[0])) {
    for (const std::string &name : members)
      specs.push_back(files[0] + ":" + name);
    return true;
  }
  std::string names;
  for (const std::string &n : members)
    names += (names.empty() ? "" : ", ") + n;
  f = {2, "model '" + m->name + "' takes " + std::to_string(count) + " " +
              what + (count == 1 ? "" : "s") + " (" + names + "); give " +
              option + " once for each, in that order" +
              (count > 1 ? ", or once naming an .npz that holds them by "
                           "those names"
                         : "") +
              " (got " + std::to_string(files.size()) + ")"};
  return false;
}

/// Reads input array `spec` for buffer `b`, checked against its shape. An
/// .npz holds it under the input's name, or as `x` (np.savez(x=..., y=...))
/// when the model has one input.
nnrt_tensor *readInput(const nnrt_model *m, const std::string &spec,
                       const Buffer &b, bool onlyInput,
                       const SequenceFit &fit, Failure &f, nnrt_status *st) {
  std::vector<int64_t> lines;
  nnrt_tensor *x = readArray(spec.c_str(), b.name.c_str(), &lines, st);
  if (!x && onlyInput && b.name != "x" && isArchive(spec)) {
    std::string byName = nnrt_status_message(st);
    x = readArray(spec.c_str(), "x", &lines, st);
    if (!x)
      fail(st, byName);
  }
  if (!x) {
    f = {1, nnrt_status_message(st)};
    return nullptr;
  }
  std::string error;
  ArrayDescription what{spec, "input", m->name, "input", b.name,
                        !lines.empty(), fit};
  if (!shapeToSample(x, sampleShape(b), what, error)) {
    nnrt_tensor_free(x);
    f = {1, error};
    return nullptr;
  }
  return x;
}

/// Reads target array `spec` for target buffer k: shaped as the buffer, or
/// for a classifier one class index per sample (one-hot encoded here).
nnrt_tensor *readTarget(const nnrt_model *m, const std::string &spec,
                        const char *member, const Buffer &b, size_t k,
                        Failure &f, nnrt_status *st) {
  std::vector<int64_t> lines;
  nnrt_tensor *y = readArray(spec.c_str(), member, &lines, st);
  if (!y) {
    f = {1, nnrt_status_message(st)};
    return nullptr;
  }
  std::string error;
  ArrayDescription what{spec, "target", m->name, "target", b.name,
                        !lines.empty()};
  std::vector<int64_t> t = sampleShape(b);
  bool oneHot = t.size() == 1 && t[0] > 1 && isCategorical(m, k);
  bool labels = oneHot && labelsToOneHot(y, t[0], what, lines, error);
  bool ok = labels || error.empty();
  if (ok && !labels && !shapeToSample(y, t, what, error)) {
    if (oneHot)
      error += " (or one class index 0.." + std::to_string(t[0] - 1) +
               " per sample)";
    ok = false;
  }
  if (int64_t classes = sparseClasses(m, k);
      ok && classes && !checkClassIndices(*y, classes, what, lines, error))
    ok = false;
  // A cross-entropy compares probabilities: a target outside [0, 1] (class
  // indices given to the wrong output, say) makes the loss fall without
  // bound instead of failing, in Keras too.
  const std::string &loss = lossOf(m, k);
  if (ok && (loss == "binary_crossentropy" ||
             loss == "categorical_crossentropy")) {
    const float *v = nnrt_tensor_cdata(y);
    int64_t width = y->shape[0] ? nnrt_tensor_size(y) / y->shape[0] : 0;
    for (int64_t i = 0; ok && i < nnrt_tensor_size(y); ++i)
      if (!(v[i] >= 0 && v[i] <= 1)) {
        int64_t row = i / std::max<int64_t>(width, 1);
        char text[32];
        std::snprintf(text, sizeof text, "%g", v[i]);
        error = spec + ":" +
                (lines.empty() ? " sample " + std::to_string(row)
                               : std::to_string(lines[row])) +
                ": target " + text + " for '" + b.name + "', whose loss " +
                loss + " takes probabilities in [0, 1]";
        ok = false;
      }
  }
  if (!ok) {
    nnrt_tensor_free(y);
    f = {1, error};
    return nullptr;
  }
  return y;
}

/// Every array has as many samples as the first.
bool sameRows(const Dataset &d, const std::vector<std::string> &specs,
              Failure &f) {
  std::vector<const nnrt_tensor *> all(d.x.begin(), d.x.end());
  all.insert(all.end(), d.y.begin(), d.y.end());
  for (size_t i = 1; i < all.size() && i < specs.size(); ++i)
    if (all[i]->shape[0] != all[0]->shape[0]) {
      f = {1, specs[0] + " has " + std::to_string(all[0]->shape[0]) +
                  " samples but " + specs[i] + " has " +
                  std::to_string(all[i]->shape[0])};
      return false;
    }
  return true;
}

/// x (rows, features) and y (rows, targets) from a labelled CSV file; a
/// model whose loss reads no targets (physics-informed) takes only input
/// columns, and y stays NULL.
bool loadLabelled(nnrt_model *m, const Args &a, const Names &o,
                  nnrt_tensor *&x,
                  nnrt_tensor *&y, Failure &f, nnrt_status *st) {
  const char *path = a.get(o.data.c_str());
  int64_t features = nnrt_model_input_features(m, 0);
  int64_t targets = nnrt_model_target_features(m);
  std::vector<int64_t> lines;
  nnrt_tensor *table = readCsv(path, -1, &lines, st);
  if (!table) {
    f = {1, nnrt_status_message(st)};
    return false;
  }
  int64_t rows = table->shape[0], cols = table->shape[1];
  if (targets < 0) {
    if (a.get("label-column") || a.get("classes")) {
      f = {2, std::string("model '") + nnrt_model_name(m) +
                  "' trains without targets (its loss reads no y_true); "
                  "--label-column and --classes do not apply"};
      delete table;
      return false;
    }
    if (cols != features) {
      f = {1, std::string(path) + ": " + std::to_string(cols) +
                  " columns, but model '" + nnrt_model_name(m) +
                  "' trains on its " + std::to_string(features) +
                  " input features alone (its loss reads no targets)"};
      delete table;
      return false;
    }
    x = table;
    return true;
  }
  // A label column holds one value per sample: the target itself, or a
  // class index that only a categorical cross-entropy one-hot encodes
  // (issue 12: a 64-output mse autoencoder got one-hot labels as targets).
  if (targets > 1 && !isCategorical(m, 0)) {
    f = {2, o.flag(o.data) + " " + path + ": model '" + m->name + "' has " +
                std::to_string(targets) + " target values per sample (loss " +
                lossOf(m, 0) + "), but a label column holds one; give the "
                "targets with " + o.flag(o.x) + " and " + o.flag(o.y) +
                " (or --target-is-input for an autoencoder)"};
    delete table;
    return false;
  }
  if (cols != features + 1) {
    f = {1, std::string(path) + ": " + std::to_string(cols) +
                " columns, but model '" + nnrt_model_name(m) + "' takes " +
                std::to_string(features) + " features and one label column"};
    delete table;
    return false;
  }
  int64_t labelColumn = cols - 1, classes = targets;
  std::string error;
  double k = -1;
  if (!readNumber(a, "label-column", k, error) ||
      !readCount(a, "classes", classes, 1, error)) {
    f = {2, error};
    delete table;
    return false;
  }
  if (a.get("label-column")) {
    bool inRange = k == std::floor(k) && k >= -static_cast<double>(cols) &&
                   k < static_cast<double>(cols);
    labelColumn = !inRange ? -1
                  : k < 0  ? cols + static_cast<int64_t>(k)
                           : static_cast<int64_t>(k);
    if (!inRange) {
      f = {2, "--label-column must name one of the " + std::to_string(cols) +
                  " columns (0-based; negative counts from the end)"};
      delete table;
      return false;
    }
  }
  if (targets > 1 && classes != targets) {
    f = {2, "--classes " + std::to_string(classes) + " does not match model '" +
                nnrt_model_name(m) + "', which outputs " +
                std::to_string(targets) + " class probabilities"};
    delete table;
    return false;
  }
  int64_t xshape[] = {rows, features}, yshape[] = {rows, targets};
  x = nnrt_tensor_new(2, xshape, nullptr);
  y = nnrt_tensor_new(2, yshape, nullptr);
  const float *t = nnrt_tensor_cdata(table);
  float *xd = nnrt_tensor_data(x), *yd = nnrt_tensor_data(y);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0, j = 0; c < cols; ++c)
      if (c != labelColumn)
        xd[r * features + j++] = t[r * cols + c];
    float label = t[r * cols + labelColumn];
    // A class index: one-hot encoded here, or kept for a sparse loss.
    int64_t range = targets == 1 ? sparseClasses(m, 0) : targets;
    if (targets == 1 && !range) {
      yd[r] = label;
      continue;
    }
    if (label != std::floor(label) || label < 0 || label >= range) {
      char text[32];
      std::snprintf(text, sizeof text, "%g", label);
      f = {1, std::string(path) + ":" + std::to_string(lines[r]) +
                  ": label " + text + " is not a class index 0.." +
                  std::to_string(range - 1)};
      delete table;
      nnrt_tensor_free(x);
      nnrt_tensor_free(y);
      return false;
    }
    if (targets == 1)
      yd[r] = label;
    else
      yd[r * targets + static_cast<int64_t>(label)] = 1.0f;
  }
  delete table;
  return true;
}


/// Inputs and targets from --x/--y (or one archive given as --data).
bool loadArrays(nnrt_model *m, const Args &a, const Names &o,
                const std::vector<std::string> &xFiles,
                const std::vector<std::string> &yFiles, Dataset &d,
                Failure &f, nnrt_status *st) {
  if (a.get("label-column") || a.get("classes")) {
    f = {2, "--label-column and --classes go with " + o.flag(o.data) +
                " (a CSV with a label column); with " + o.flag(o.x) +
                " and " + o.flag(o.y) + " the labels are their own file"};
    return false;
  }
  std::vector<const Buffer *> ins = buffersOf(m->train, Role::Input),
                              tgs = buffersOf(m->train, Role::Target);
  std::vector<std::string> inNames, xSpecs, ySpecs;
  for (const Buffer *b : ins)
    inNames.push_back(b->name);
  if (!loadInputs(m, a, xFiles, o.flag(o.x).c_str(), d, f, st))
    return false;
  for (size_t i = 0; i < xFiles.size() && xFiles.size() == ins.size(); ++i)
    xSpecs.push_back(xFiles[i]);
  if (xSpecs.empty())
    for (const std::string &n : inNames)
      xSpecs.push_back(xFiles[0] + ":" + n);

  if (a.get("target-is-input")) {
    // fit(x, x): an autoencoder learns to reproduce its input. Each target
    // is its input's own tensor (one copy of the data), so the shapes must
    // agree.
    if (!yFiles.empty() || tgs.empty()) {
      f = {2, !yFiles.empty()
                  ? "--target-is-input and " + o.flag(o.y) +
                        " both give the targets; use one"
                  : "model '" + m->name + "' trains without targets; "
                    "--target-is-input does not apply"};
      return false;
    }
    for (size_t k = 0; k < tgs.size(); ++k) {
      if (tgs.size() != ins.size() || sampleShape(*tgs[k]) != sampleShape(*ins[k])) {
        std::vector<int64_t> ts{-1}, is{-1};
        for (int64_t v : sampleShape(*tgs[k]))
          ts.push_back(v);
        const Buffer *in = ins[std::min(k, ins.size() - 1)];
        for (int64_t v : sampleShape(*in))
          is.push_back(v);
        f = {2, "--target-is-input: model '" + m->name + "' takes input '" +
                    in->name + "' of shape " + formatShape(is) +
                    " but targets '" + tgs[k]->name + "' of shape " +
                    formatShape(ts)};
        return false;
      }
      d.y.push_back(d.x[k]);
    }
    return true;
  }
  if (tgs.empty()) {
    if (!yFiles.empty()) {
      f = {2, "model '" + m->name + "' trains without targets (its loss "
              "reads no y_true); " + o.flag(o.y) + " does not apply"};
      return false;
    }
    return true;
  }
  // In an archive, target k is "y" (one target) or "y_<k>".
  std::vector<std::string> members;
  for (size_t k = 0; k < tgs.size(); ++k)
    members.push_back(tgs.size() == 1 ? "y" : "y_" + std::to_string(k));
  if (yFiles.empty()) {
    std::string several;
    for (const std::string &n : members)
      several += (several.empty() ? "" : ", ") + n;
    f = {2, tgs.size() == 1
                ? "model '" + m->name + "' trains on targets '" +
                      tgs[0]->name + "': give them with " + o.flag(o.y) +
                      " FILE"
                : "model '" + m->name + "' trains on " +
                      std::to_string(tgs.size()) + " targets (" + several +
                      "): give " + o.flag(o.y) +
                      " once for each, in output order, or once "
                      "naming an .npz that holds them by those names"};
    return false;
  }
  if (!assignFiles(yFiles, tgs.size(), "target", o.flag(o.y).c_str(),
                   members, ySpecs, f,
                   m))
    return false;
  for (size_t k = 0; k < tgs.size(); ++k) {
    nnrt_tensor *y =
        readTarget(m, ySpecs[k], members[k].c_str(), *tgs[k], k, f, st);
    if (!y)
      return false;
    d.y.push_back(y);
  }
  xSpecs.insert(xSpecs.end(), ySpecs.begin(), ySpecs.end());
  return sameRows(d, xSpecs, f);
}

/// --padding and --truncating: "pre" (the default, as Keras'
/// pad_sequences) or "post".
bool sequenceFit(const Args &a, SequenceFit &fit, Failure &f) {
  for (const char *option : {"padding", "truncating"}) {
    const char *v = a.get(option);
    if (!v)
      continue;
    std::string value(v);
    if (value != "pre" && value != "post") {
      f = {2, std::string("--") + option + " is pre or post, not '" + value +
                  "'"};
      return false;
    }
    (std::string(option) == "padding" ? fit.padAfter : fit.truncateAfter) =
        value == "post";
  }
  if (const char *v = a.get("num-words")) {
    char *end = nullptr;
    long long n = std::strtoll(v, &end, 10);
    // Ids must stay exact in float32 (data files hold floats).
    if (end == v || *end != '\0' || n < 3 || n > (1LL << 24)) {
      f = {2, std::string("--num-words takes an integer from 3 to 16777216 "
                          "(ids 0, 1 and 2 are padding, start and "
                          "out-of-vocabulary), not '") +
                  v + "'"};
      return false;
    }
    fit.numWords = n;
  }
  return true;
}

} // namespace

bool loadInputs(nnrt_model *m, const Args &a,
                const std::vector<std::string> &files, const char *option,
                Dataset &d, Failure &f, nnrt_status *st) {
  SequenceFit fit;
  if (!sequenceFit(a, fit, f))
    return false;
  std::vector<const Buffer *> ins = buffersOf(m->infer, Role::Input);
  std::vector<std::string> names, specs;
  for (const Buffer *b : ins)
    names.push_back(b->name);
  if (!assignFiles(files, ins.size(), "input", option, names, specs, f, m))
    return false;
  for (size_t i = 0; i < ins.size(); ++i) {
    nnrt_tensor *x =
        readInput(m, specs[i], *ins[i], ins.size() == 1, fit, f, st);
    if (!x)
      return false;
    d.x.push_back(x);
  }
  return sameRows(d, specs, f);
}

bool loadData(nnrt_model *m, const Args &a, Dataset &d, Failure &f,
              nnrt_status *st, const char *prefix) {
  Names o(prefix);
  std::vector<std::string> xFiles = a.getAll(o.x.c_str()),
                           yFiles = a.getAll(o.y.c_str());
  bool arrays = !xFiles.empty() || !yFiles.empty();
  const char *data = a.get(o.data.c_str());
  if (arrays && data) {
    f = {2, o.flag(o.data) + " and " + o.flag(o.x) + "/" + o.flag(o.y) +
                " are two ways to give the data; use one"};
    return false;
  }
  if (arrays && xFiles.empty()) {
    f = {2, o.flag(o.y) + " needs " + o.flag(o.x) + " (the inputs)"};
    return false;
  }
  if (a.getAll(o.data.c_str()).size() > 1) {
    f = {2, o.flag(o.data) + " is given twice; one file holds the data (or "
                "use " + o.flag(o.x) + "/" + o.flag(o.y) +
                ", once per array)"};
    return false;
  }
  // An .npz given as --data holds every array (the inputs by name, the
  // targets as y or y_0, y_1, ...); so does a CIFAR-10 batch.
  bool archive = data && (isArchive(data) || isCifar10(data));
  if (data && !archive) {
    if (buffersOf(m->train, Role::Input).size() != 1 ||
        buffersOf(m->train, Role::Target).size() > 1) {
      f = {2, o.flag(o.data) + " " + data + ": a CSV with a label column "
              "feeds a model with one input and one target; model '" +
              m->name + "' takes inputs (" +
              nameList(buffersOf(m->train, Role::Input)) + ") and " +
              std::to_string(buffersOf(m->train, Role::Target).size()) +
              " targets: give " + o.flag(o.x) + " and " + o.flag(o.y) +
              " once per array, or an .npz"};
      return false;
    }
    nnrt_tensor *x = nullptr, *y = nullptr;
    if (!loadLabelled(m, a, o, x, y, f, st)) // frees what it made on failure
      return false;
    d.x.push_back(x);
    if (y)
      d.y.push_back(y);
    return true;
  }
  if (archive) {
    xFiles = {data};
    if (!buffersOf(m->train, Role::Target).empty() &&
        !a.get("target-is-input"))
      yFiles = {data};
  }
  return loadArrays(m, a, o, xFiles, yFiles, d, f, st);
}

} // namespace nnrt
