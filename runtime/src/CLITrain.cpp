//===- CLITrain.cpp - the `train` and `evaluate` subcommands --------------===//
//
//   <model> train (--data d.csv | --x X [--y Y]) [--epochs N] [--batch N]
//                 [--validation-split F] [--learning-rate LR] [--seed S]
//                 [--label-column K] [--classes C] [--weights init.st]
//                 [--save w.safetensors] [--checkpoint c.safetensors]
//                 [--resume c.safetensors] [--history PREFIX]
//   <model> evaluate --weights w.safetensors (--data d.csv | --x X [--y Y])
//                    [--batch N] [--label-column K] [--classes C]
//
// --data is one CSV: one sample per row, the features and one label
// column (the last by default). A model whose output has C > 1 values per
// sample is a classifier: labels are class indices 0..C-1, one-hot encoded
// here. With one output value the label is the target itself.
// --x and --y are arrays in any format the runtime reads (.npy, IDX, .gz,
// CSV), one sample per row, each shaped as the model's input and target;
// a classifier's --y may hold class indices instead (DataSources.cpp).
//
//===----------------------------------------------------------------------===//

#include "CLIArgs.h"
#include "Internal.h"
#include "ModelImpl.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace nnrt {

const std::vector<std::string> kTrainOptions = {
    "data",  "x", "y", "target-is-input", "verbose", "epochs",  "batch",
    "validation-split", "learning-rate",
    "seed",  "label-column", "classes", "weights", "save",
    "checkpoint", "resume", "history"};
const std::vector<std::string> kEvaluateOptions = {
    "data", "x", "y", "target-is-input", "weights", "batch", "label-column",
    "classes"};

namespace {

struct Failure {
  int code;
  std::string message;
};

/// Numeric options: a clear usage error (exit 2) for anything malformed.
bool readNumber(const Args &a, const char *name, double &out,
                std::string &error) {
  const char *s = a.get(name);
  if (!s)
    return true;
  char *end = nullptr;
  double v = std::strtod(s, &end);
  if (*s == '\0' || *end != '\0' || !std::isfinite(v)) {
    error = std::string("--") + name + " takes a number, got '" + s + "'";
    return false;
  }
  out = v;
  return true;
}

/// Counts above this are refused before any conversion: 2^53, the largest
/// range where every integer is a double (and far beyond any data set).
constexpr double kMaxCount = 9007199254740992.0;

bool readCount(const Args &a, const char *name, int64_t &out, int64_t min,
               std::string &error) {
  double v = static_cast<double>(out);
  if (!readNumber(a, name, v, error))
    return false;
  if (v != std::floor(v) || v < static_cast<double>(min) || v > kMaxCount) {
    // Without the option, the bad value is the .nn file's default.
    error = a.get(name) ? std::string("--") + name + " takes an integer in [" +
                              std::to_string(min) + ", 2^53], got '" +
                              a.get(name) + "'"
                        : std::string("the model's ") + name + " setting (" +
                              std::to_string(out) + ") must be >= " +
                              std::to_string(min);
    return false;
  }
  out = static_cast<int64_t>(v);
  return true;
}

/// The classes of a model trained with sparse_categorical_crossentropy
/// (its targets are class indices, checked here: the loss would silently
/// read an index past the classes as no class at all); 0 for other losses.
int64_t sparseClasses(const nnrt_model *m) {
  if (m->config.loss != "sparse_categorical_crossentropy")
    return 0;
  for (const Buffer &b : m->infer.buffers)
    if (b.role == Role::Output && !b.shape.empty())
      return b.shape.back();
  return 0;
}

/// x (rows, features) and y (rows, targets) from a labelled CSV file; a
/// model whose loss reads no targets (physics-informed) takes only input
/// columns, and y stays NULL.
bool loadLabelled(nnrt_model *m, const Args &a, nnrt_tensor *&x,
                  nnrt_tensor *&y, Failure &f, nnrt_status *st) {
  const char *path = a.get("data");
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
    int64_t range = targets == 1 ? sparseClasses(m) : targets;
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

std::vector<int64_t> sampleShape(const Buffer &b) {
  return std::vector<int64_t>(b.shape.begin() + 1, b.shape.end());
}



/// x and y from --x and --y, each a file of any format readArray reads,
/// checked against the train entry's input and target: the same per-sample
/// shape (a CSV row is a flattened sample), or for a classifier one class
/// index per sample, one-hot encoded here.
bool loadArrays(nnrt_model *m, const Args &a, const char *xPath,
                const char *yPath, nnrt_tensor *&x, nnrt_tensor *&y,
                Failure &f, nnrt_status *st) {
  if (a.get("label-column") || a.get("classes")) {
    f = {2, "--label-column and --classes go with --data (a CSV with a "
            "label column); with --x and --y the labels are their own file"};
    return false;
  }
  std::vector<const Buffer *> inputs;
  const Buffer *target = nullptr;
  for (const Buffer &b : m->train.buffers) {
    if (b.role == Role::Input)
      inputs.push_back(&b);
    if (b.role == Role::Target && !target)
      target = &b;
  }
  if (inputs.size() != 1) {
    f = {2, "model '" + m->name + "' takes " + std::to_string(inputs.size()) +
                " inputs; the CLI trains one-input models for now"};
    return false;
  }
  std::string error;
  std::vector<int64_t> xLines, yLines;
  x = readArray(xPath, inputs[0]->name.c_str(), &xLines, st);
  if (!x) {
    f = {1, nnrt_status_message(st)};
    return false;
  }
  ArrayDescription dx{xPath, "input", m->name, "input", inputs[0]->name,
                      !xLines.empty()};
  if (!shapeToSample(x, sampleShape(*inputs[0]), dx, error)) {
    f = {1, error};
    return false;
  }
  if (a.get("target-is-input")) {
    // fit(x, x): an autoencoder learns to reproduce its input. y is x
    // itself (one copy of the data), so the shapes must agree.
    if (yPath || !target) {
      f = {2, yPath ? "--target-is-input and --y both give the targets; use "
                      "one"
                    : "model '" + m->name + "' trains without targets; "
                      "--target-is-input does not apply"};
      return false;
    }
    if (sampleShape(*target) != sampleShape(*inputs[0])) {
      std::vector<int64_t> ts{-1}, is{-1};
      for (int64_t d : sampleShape(*target))
        ts.push_back(d);
      for (int64_t d : sampleShape(*inputs[0]))
        is.push_back(d);
      f = {2, "--target-is-input: model '" + m->name + "' takes input '" +
                  inputs[0]->name + "' of shape " + formatShape(is) +
                  " but targets '" + target->name + "' of shape " +
                  formatShape(ts)};
      return false;
    }
    y = x;
    return true;
  }
  if (!target) {
    if (yPath) {
      f = {2, "model '" + m->name + "' trains without targets (its loss "
              "reads no y_true); --y does not apply"};
      return false;
    }
    return true;
  }
  if (!yPath) {
    f = {2, "model '" + m->name + "' trains on targets '" + target->name +
                "': give them with --y FILE"};
    return false;
  }
  y = readArray(yPath, "y", &yLines, st);
  if (!y) {
    f = {1, nnrt_status_message(st)};
    return false;
  }
  ArrayDescription dy{yPath, "target", m->name, "target", target->name,
                      !yLines.empty()};
  std::vector<int64_t> t = sampleShape(*target);
  bool labels = t.size() == 1 && t[0] > 1 &&
                labelsToOneHot(y, t[0], dy, yLines, error);
  if (!labels && !error.empty()) {
    f = {1, error};
    return false;
  }
  if (!labels && !shapeToSample(y, t, dy, error)) {
    if (t.size() == 1 && t[0] > 1)
      error += " (or one class index 0.." + std::to_string(t[0] - 1) +
               " per sample)";
    f = {1, error};
    return false;
  }
  if (int64_t classes = sparseClasses(m);
      classes && !checkClassIndices(*y, classes, dy, yLines, error)) {
    f = {1, error};
    return false;
  }
  if (x->shape[0] != y->shape[0]) {
    f = {1, std::string(xPath) + " has " + std::to_string(x->shape[0]) +
                " samples but " + yPath + " has " +
                std::to_string(y->shape[0])};
    return false;
  }
  return true;
}

/// --data (one CSV, features and a label column) or --x/--y.
bool loadData(nnrt_model *m, const Args &a, nnrt_tensor *&x, nnrt_tensor *&y,
              Failure &f, nnrt_status *st) {
  bool arrays = a.get("x") || a.get("y");
  if (arrays && a.get("data")) {
    f = {2, "--data and --x/--y are two ways to give the data; use one"};
    return false;
  }
  if (arrays && !a.get("x")) {
    f = {2, "--y needs --x (the inputs)"};
    return false;
  }
  // An .npz given as --data holds both: the input's array (named after
  // the model's input, "x" by default) and "y"; so does a CIFAR-10 batch.
  const char *data = a.get("data");
  bool archive = false;
  if (data)
    if (FILE *file = std::fopen(data, "rb")) {
      char head[4] = {};
      archive = std::fread(head, 1, 4, file) == 4 &&
                std::memcmp(head, "PK\x03\x04", 4) == 0;
      std::fclose(file);
    }
  archive = archive || (data && isCifar10(data));
  if (!arrays && !archive)
    return loadLabelled(m, a, x, y, f, st); // frees what it made on failure
  const Buffer *target = nullptr;
  for (const Buffer &b : m->train.buffers)
    if (b.role == Role::Target)
      target = &b;
  bool ok = archive ? loadArrays(m, a, data,
                                 target && !a.get("target-is-input") ? data
                                                                     : nullptr,
                                 x, y, f, st)
                    : loadArrays(m, a, a.get("x"), a.get("y"), x, y, f, st);
  if (ok)
    return true;
  if (y != x)
    nnrt_tensor_free(y);
  nnrt_tensor_free(x);
  x = y = nullptr;
  return false;
}

int error(const char *prog, int code, const std::string &msg) {
  std::fprintf(stderr, "%s: error: %s\n", prog, msg.c_str());
  return code;
}

} // namespace

int cliTrain(const char *prog, nnrt_model *m, const Args &a, nnrt_status *st) {
  nnrt_fit_options o;
  nnrt_fit_options_init(m, &o);
  if (a.help) {
    std::printf(
        "usage: %s train (--data d.csv | --x X [--y Y]) [options]\n\n"
        "Trains the parameters with the compiled train step (loss, gradients "
        "and optimizer update in one function), Keras style: per-epoch "
        "shuffling, the validation split taken from the end of the data.\n"
        "  --data FILE             CSV: features and a label column\n"
        "  --x FILE, --y FILE      inputs and targets as arrays (.npy, IDX "
        "as MNIST ships it, .gz too, or CSV), one sample per row, shaped as "
        "the model's input and target; a classifier's --y may hold class "
        "indices\n"
        "  --target-is-input       the targets are the inputs (an "
        "autoencoder: fit(x, x))\n"
        "  --verbose 0|1|2|auto    1 (auto, the default): a progress bar on a "
        "terminal, one line per epoch otherwise; 2: epoch lines; 0: none\n"
        "  --label-column K        the label's column, 0-based (default: the "
        "last)\n"
        "  --classes C             classes of a classifier (default: the "
        "model's output width)\n"
        "  --epochs N              (default %lld)\n"
        "  --batch N               (default %lld)\n"
        "  --validation-split F    fraction in [0, 1) (default %g)\n"
        "  --learning-rate LR      (default %g)\n"
        "  --seed S                initialisation and shuffling (default 0)\n"
        "  --weights FILE          start from these weights, not from the "
        "initialisers\n"
        "  --save FILE             write the trained weights (safetensors)\n"
        "  --checkpoint FILE       parameters + optimizer state after every "
        "epoch (atomic)\n"
        "  --resume FILE           continue from a checkpoint, exactly\n"
        "  --history PREFIX        write PREFIX.csv, PREFIX.json and "
        "PREFIX.svg (loss and metric curves)\n",
        prog, static_cast<long long>(o.epochs),
        static_cast<long long>(o.batch_size), o.validation_split,
        o.learning_rate);
    return 0;
  }
  if (!nnrt_model_can_train(m))
    return error(prog, 2,
                 std::string("model '") + nnrt_model_name(m) +
                     "' has no train section; add one to its .nn file");
  if (!a.get("data") && !a.get("x") && !a.get("y"))
    return error(prog, 2, "train needs --data FILE, or --x FILE [--y FILE]");
  std::string bad;
  double seed = 0;
  if (!readCount(a, "epochs", o.epochs, 0, bad) ||
      !readCount(a, "batch", o.batch_size, 1, bad) ||
      !readNumber(a, "validation-split", o.validation_split, bad) ||
      !readNumber(a, "learning-rate", o.learning_rate, bad) ||
      !readNumber(a, "seed", seed, bad))
    return error(prog, 2, bad);
  if (!(o.validation_split >= 0 && o.validation_split < 1))
    return error(prog, 2,
                 "--validation-split must be in [0, 1), got " +
                     (a.get("validation-split")
                          ? std::string(a.get("validation-split"))
                          : std::to_string(o.validation_split) +
                                " (the model's setting)"));
  if (seed < 0 || seed != std::floor(seed) || seed > kMaxCount)
    return error(prog, 2, "--seed takes an integer in [0, 2^53]");
  int verbose = 1;
  if (const char *v = a.get("verbose")) {
    std::string s = v;
    if (s != "0" && s != "1" && s != "2" && s != "auto")
      return error(prog, 2, "--verbose takes 0, 1, 2 or auto, got '" + s +
                                "'");
    verbose = s == "auto" ? 1 : s[0] - '0';
  }
  o.seed = static_cast<uint64_t>(seed);

  nnrt_tensor *x = nullptr, *y = nullptr;
  Failure f;
  if (!loadData(m, a, x, y, f, st))
    return error(prog, f.code, f.message);

  nnrt_trainer *t = nnrt_trainer_new(m, st);
  int rc = 0;
  const char *resume = a.get("resume"), *weights = a.get("weights");
  if (!t) {
    rc = error(prog, 1, nnrt_status_message(st));
  } else if (resume) {
    if (nnrt_trainer_load_checkpoint(t, resume, &o.seed, st))
      rc = error(prog, 1, nnrt_status_message(st));
  } else if (weights ? nnrt_model_load_weights(m, weights, st)
                     : nnrt_model_init_params(m, o.seed, st)) {
    rc = error(prog, 1, nnrt_status_message(st));
  }
  o.checkpoint = a.get("checkpoint") ? a.get("checkpoint") : resume;
  // Keras' verbose: 1 (the default) a progress bar on a terminal and one
  // line per epoch elsewhere, 2 epoch lines, 0 none.
  o.log = verbose ? stdout : nullptr;
  o.progress = verbose == 1 && isatty(fileno(stdout));
  nnrt_history *h = nullptr;
  int64_t stepsBefore = t ? nnrt_trainer_step_count(t) : 0;
  int64_t epochBefore = t ? nnrt_trainer_epoch(t) : 0;
  if (rc == 0) {
    h = nnrt_trainer_fit(t, x, y, &o, st);
    if (!h)
      rc = error(prog, 1, nnrt_status_message(st));
  }
  if (h) {
    int64_t steps = nnrt_trainer_step_count(t) - stepsBefore;
    std::printf("fit: %lld epochs in %.2f ms; %lld train steps, %.2f us "
                "per step\n",
                static_cast<long long>(std::max<int64_t>(o.epochs - epochBefore, 0)),
                nnrt_history_fit_seconds(h) * 1e3,
                static_cast<long long>(steps),
                steps ? nnrt_history_step_seconds(h) * 1e6 / steps : 0.0);
    const char *save = a.get("save");
    if (save && nnrt_model_save_weights(m, save, st))
      rc = error(prog, 1, nnrt_status_message(st));
    if (const char *prefix = a.get("history"); prefix && rc == 0) {
      std::string p(prefix);
      if (nnrt_history_write_csv(h, (p + ".csv").c_str(), st) ||
          nnrt_history_write_json(h, (p + ".json").c_str(), st) ||
          nnrt_history_write_svg(h, nnrt_model_name(m), (p + ".svg").c_str(),
                                 st))
        rc = error(prog, 1, nnrt_status_message(st));
    }
  }
  nnrt_history_free(h);
  nnrt_trainer_free(t);
  if (y != x) // --target-is-input: one tensor
    nnrt_tensor_free(y);
  nnrt_tensor_free(x);
  return rc;
}

int cliEvaluate(const char *prog, nnrt_model *m, const Args &a,
                nnrt_status *st) {
  nnrt_fit_options o;
  nnrt_fit_options_init(m, &o);
  if (a.help) {
    std::printf("usage: %s evaluate --weights w.safetensors "
                "(--data d.csv | --x X [--y Y]) [--batch N] "
                "[--label-column K] [--classes C]\n\n"
                "Prints the loss and metrics of the model on labelled data "
                "(the same sources as train).\n",
                prog);
    return 0;
  }
  if (!nnrt_model_can_train(m))
    return error(prog, 2,
                 std::string("model '") + nnrt_model_name(m) +
                     "' has no train section (no loss to evaluate)");
  if ((!a.get("data") && !a.get("x") && !a.get("y")) || !a.get("weights"))
    return error(prog, 2, "evaluate needs --weights FILE and --data FILE "
                          "(or --x FILE [--y FILE])");
  std::string bad;
  if (!readCount(a, "batch", o.batch_size, 1, bad))
    return error(prog, 2, bad);
  if (nnrt_model_load_weights(m, a.get("weights"), st))
    return error(prog, 1, nnrt_status_message(st));
  nnrt_tensor *x = nullptr, *y = nullptr;
  Failure f;
  if (!loadData(m, a, x, y, f, st))
    return error(prog, f.code, f.message);
  double loss;
  std::vector<double> metrics(nnrt_model_num_metrics(m));
  int rc = 0;
  if (nnrt_model_evaluate(m, x, y, o.batch_size, &loss, metrics.data(), st)) {
    rc = error(prog, 1, nnrt_status_message(st));
  } else {
    std::printf("loss: %.4f", loss);
    for (size_t i = 0; i < metrics.size(); ++i)
      std::printf(" - %s: %.4f", nnrt_model_metric_name(m, i), metrics[i]);
    std::printf("\n");
  }
  if (y != x)
    nnrt_tensor_free(y);
  nnrt_tensor_free(x);
  return rc;
}

} // namespace nnrt
