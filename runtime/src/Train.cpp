//===- Train.cpp - the training loop around the compiled train step -------===//
//
// The compiled `train` entry does all the arithmetic of a step: forward,
// loss, gradients and the optimizer update, in place on the parameter and
// state buffers. This file only schedules it the way Keras' fit() does:
//
//  - the validation split is the last fraction of the rows, taken before
//    any shuffling (split_at = floor(n * (1 - split)));
//  - every epoch shuffles the training rows with a generator seeded by
//    (seed, epoch) alone, so a run resumed at epoch k shuffles epoch k+1
//    exactly as the uninterrupted run did;
//  - the last partial batch is trained on, not dropped;
//  - epoch loss and metrics are batch means weighted by batch size.
//
//===----------------------------------------------------------------------===//

#include "Init.h"
#include "Json.h"
#include "ModelImpl.h"
#include "Safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <optional>

using namespace nnrt;

struct nnrt_history {
  std::vector<std::string> names;          // loss, metrics, val_loss, ...
  std::vector<std::vector<double>> values; // [series][epoch]
  double fitSeconds = 0;  // the epoch loop: shuffling, batching, steps, validation
  double stepSeconds = 0; // inside the compiled train steps only
};

struct nnrt_trainer {
  nnrt_model *model = nullptr;
  std::vector<std::string> stateNames;
  std::vector<nnrt_tensor *> state;
  int64_t step = 0, epoch = 0;
  nnrt_history history;
  // Batch buffers (one per input, then one per target), reused from step
  // to step.
  std::vector<nnrt_tensor> batch;

  ~nnrt_trainer() {
    for (nnrt_tensor *t : state)
      delete t;
  }
};

namespace {

/// "0.2", not "0.200000".
std::string shortNumber(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}


double now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/// A checkpoint's count: all digits, at most 2^53.
bool parseCount(const std::string &s, uint64_t &out) {
  if (s.empty() || s.size() > 16 ||
      s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out = std::strtoull(s.c_str(), nullptr, 10);
  return out <= (uint64_t(1) << 53);
}

/// The history names a fit of `m` records: loss and metrics, then their
/// val_ twins when it validates.
std::vector<std::string> historyNames(const nnrt_model *m,
                                             bool validate) {
  std::vector<std::string> names{"loss"};
  names.insert(names.end(), m->metrics.begin(), m->metrics.end());
  if (validate) {
    size_t n = names.size();
    for (size_t i = 0; i < n; ++i)
      names.push_back("val_" + names[i]);
  }
  return names;
}

/// Fisher-Yates with a generator that depends on (seed, epoch) only.
void shuffle(std::vector<int64_t> &idx, uint64_t seed, int64_t epoch) {
  uint64_t s = seed * 0x2545F4914F6CDD1Dull + static_cast<uint64_t>(epoch);
  splitmix64(s);
  for (size_t i = idx.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(splitmix64(s) % i);
    std::swap(idx[i - 1], idx[j]);
  }
}

/// Rows `rows` of `src` (whose first dimension is the batch) into `dst`.
void gather(const nnrt_tensor &src, const int64_t *rows, int64_t n,
            nnrt_tensor &dst) {
  int64_t width = src.shape.empty() || src.shape[0] == 0
                      ? 0
                      : static_cast<int64_t>(src.data.size()) / src.shape[0];
  dst.shape = src.shape;
  dst.shape[0] = n;
  dst.data.resize(static_cast<size_t>(n * width));
  if (width == 0) // rows of no elements: nothing to copy (and no storage)
    return;
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(&dst.data[i * width], &src.data[rows[i] * width],
                sizeof(float) * width);
}

const Buffer *findRole(const Entry &e, Role role) {
  for (const Buffer &b : e.buffers)
    if (b.role == role)
      return &b;
  return nullptr;
}

/// A data set as an entry takes it: the arrays of its input buffers, then
/// those of its target buffers, in the entry's order, all with the same
/// number of rows.
using Arrays = std::vector<const nnrt_tensor *>;

/// The same rows of every array.
void gatherAll(const Arrays &src, const int64_t *rows, int64_t n,
               std::vector<nnrt_tensor> &dst) {
  dst.resize(src.size());
  for (size_t i = 0; i < src.size(); ++i)
    gather(*src[i], rows, n, dst[i]);
}

/// Checks the arrays against the eval entry's inputs and targets (names,
/// per-sample shapes, row counts) and returns them as one list. A model
/// whose loss reads no targets (a physics-informed loss) takes none.
int checkData(const nnrt_model *m, const nnrt_tensor *const *x, size_t nx,
              const nnrt_tensor *const *y, size_t ny, Arrays &out,
              nnrt_status *status) {
  std::vector<const Buffer *> ins, tgs;
  for (const Buffer &b : m->eval.buffers)
    if (b.role == Role::Input)
      ins.push_back(&b);
    else if (b.role == Role::Target)
      tgs.push_back(&b);
  auto matches = [](const nnrt_tensor *t, const Buffer *b) {
    if (t->shape.size() != b->shape.size())
      return false;
    for (size_t i = 1; i < t->shape.size(); ++i)
      if (t->shape[i] != b->shape[i])
        return false;
    return true;
  };
  std::string model = "model '" + m->name + "'";
  if (nx != ins.size())
    return fail(status, model + " takes " + std::to_string(ins.size()) +
                            " input array" + (ins.size() == 1 ? "" : "s") +
                            ", got " + std::to_string(nx));
  if (tgs.empty() && ny)
    return fail(status, model + " has a loss that reads no targets, but "
                                "targets were given");
  if (!tgs.empty() && !ny)
    return fail(status, model + " has a loss that compares with targets, "
                                "and none were given");
  if (ny != tgs.size())
    return fail(status, model + " takes " + std::to_string(tgs.size()) +
                            " target array" + (tgs.size() == 1 ? "" : "s") +
                            ", got " + std::to_string(ny));
  out.clear();
  for (size_t i = 0; i < nx + ny; ++i) {
    bool isInput = i < nx;
    const nnrt_tensor *t = isInput ? x[i] : y[i - nx];
    const Buffer *b = isInput ? ins[i] : tgs[i - nx];
    // One array: "inputs"/"targets" as before; several: by name.
    std::string what = (isInput ? nx : ny) == 1
                           ? (isInput ? "inputs" : "targets")
                           : (isInput ? "input '" : "target '") + b->name +
                                 "'";
    if (!t)
      return fail(status, what + ": no array given");
    if (!matches(t, b))
      return fail(status, what + " have shape " + formatShape(t->shape) +
                              " but " + model + " expects " +
                              formatShape(b->shape));
    if (!out.empty() && t->shape[0] != out[0]->shape[0])
      return fail(status,
                  nx == 1 && ny == 1
                      ? std::to_string(out[0]->shape[0]) + " input rows but " +
                            std::to_string(t->shape[0]) + " target rows"
                      : std::to_string(out[0]->shape[0]) + " rows in input '" +
                            ins[0]->name + "' but " +
                            std::to_string(t->shape[0]) + " in " +
                            (isInput ? "input '" : "target '") + b->name +
                            "'");
    out.push_back(t);
  }
  return 0;
}

/// Runs `entry` on one batch: `data` holds its input then target arrays in
/// order. `lr`/`step` are only read by the train entry.
void call(nnrt_model *m, nnrt_trainer *t, const Entry &entry,
          const std::vector<nnrt_tensor> &data, float lr, float step,
          std::vector<float> &outputs) {
  std::vector<void *> ptrs;
  ptrs.reserve(entry.buffers.size());
  size_t state = 0, out = 0, param = 0, array = 0;
  outputs.assign(outputs.size(), 0.0f);
  for (const Buffer &b : entry.buffers) {
    switch (b.role) {
    case Role::Input:
    case Role::Target: // inputs come first in every entry (checked at load)
      ptrs.push_back(const_cast<float *>(data[array++].data.data()));
      break;
    case Role::Param:
      ptrs.push_back(m->params[param++].value->data.data());
      break;
    case Role::State:
      ptrs.push_back(t->state[state++]->data.data());
      break;
    case Role::Hyper: // "step" or "learning_rate" (checked at load)
      ptrs.push_back(b.name == "step" ? &step : &lr);
      break;
    case Role::Output:
      ptrs.push_back(&outputs[out++]);
      break;
    }
  }
  entry.call(data[0].shape[0], ptrs.data());
}

/// Mean loss and metrics of `entry`=eval over rows [begin, end).
void evaluateRange(nnrt_model *m, const Arrays &data, int64_t begin,
                   int64_t end, int64_t batch, std::vector<double> &means) {
  std::vector<float> outs(1 + m->metrics.size());
  means.assign(outs.size(), 0.0);
  std::vector<int64_t> rows;
  std::vector<nnrt_tensor> b;
  for (int64_t s = begin; s < end; s += batch) {
    int64_t n = std::min(batch, end - s);
    rows.resize(n);
    for (int64_t i = 0; i < n; ++i)
      rows[i] = s + i;
    gatherAll(data, rows.data(), n, b);
    call(m, nullptr, m->eval, b, 0, 0, outs);
    for (size_t k = 0; k < outs.size(); ++k)
      means[k] += static_cast<double>(outs[k]) * n;
  }
  for (double &v : means)
    v /= std::max<int64_t>(end - begin, 1);
}

std::string formatLine(const nnrt_history &h, size_t epoch, int64_t epochs,
                       double seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "Epoch %zu/%lld - %.2fms", epoch + 1,
                static_cast<long long>(epochs), seconds * 1e3);
  std::string line = buf;
  for (size_t s = 0; s < h.names.size(); ++s) {
    std::snprintf(buf, sizeof buf, " - %s: %.4f", h.names[s].c_str(),
                  h.values[s][epoch]);
    line += buf;
  }
  return line + "\n";
}

/// Keras' progress bar, one redraw: " 37/1688 [=>......] - ETA: 2.3s -
/// loss: 0.4321" (the running means of this epoch so far).
void drawProgress(FILE *log, int64_t done, int64_t total, double elapsed,
                  const std::vector<std::string> &names,
                  const std::vector<double> &sums, int64_t rows) {
  const int kWidth = 30;
  int filled = static_cast<int>(kWidth * done / std::max<int64_t>(total, 1));
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kWidth)
    bar += '>' + std::string(static_cast<size_t>(kWidth - filled - 1), '.');
  double eta = done ? elapsed / done * (total - done) : 0;
  int digits = static_cast<int>(std::to_string(total).size());
  std::fprintf(log, "\r%*lld/%lld [%s] - ETA: %.1fs", digits,
               static_cast<long long>(done), static_cast<long long>(total),
               bar.c_str(), eta);
  for (size_t k = 0; k < sums.size() && k < names.size(); ++k)
    std::fprintf(log, " - %s: %.4f", names[k].c_str(),
                 sums[k] / std::max<int64_t>(rows, 1));
  std::fputs("\x1b[K", log); // clear what a longer line left
  std::fflush(log);
}

std::string historyJson(const nnrt_history &h) {
  std::string out = "{";
  for (size_t s = 0; s < h.names.size(); ++s) {
    out += (s ? ", " : "") + quoteJson(h.names[s]) + ": [";
    for (size_t e = 0; e < h.values[s].size(); ++e) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", h.values[s][e]);
      out += (e ? ", " : "") + std::string(buf);
    }
    out += "]";
  }
  return out + "}";
}

} // namespace

extern "C" {

int nnrt_model_can_train(const nnrt_model *m) { return m->train.fn != nullptr; }

int64_t nnrt_model_target_features(const nnrt_model *m) {
  const Buffer *t = findRole(m->eval, Role::Target);
  return t ? product(t->shape, 1) : -1;
}

size_t nnrt_model_num_targets(const nnrt_model *m) {
  size_t n = 0;
  for (const Buffer &b : m->eval.buffers)
    n += b.role == Role::Target;
  return n;
}

const char *nnrt_model_target_name(const nnrt_model *m, size_t i) {
  for (const Buffer &b : m->eval.buffers)
    if (b.role == Role::Target && i-- == 0)
      return b.name.c_str();
  return nullptr;
}

size_t nnrt_model_num_metrics(const nnrt_model *m) { return m->metrics.size(); }

const char *nnrt_model_metric_name(const nnrt_model *m, size_t i) {
  return i < m->metrics.size() ? m->metrics[i].c_str() : nullptr;
}

void nnrt_fit_options_init(const nnrt_model *m, nnrt_fit_options *o) {
  o->epochs = m->config.epochs;
  o->batch_size = m->config.batchSize;
  o->validation_split = m->config.validationSplit;
  o->learning_rate = m->config.learningRate;
  o->seed = 0;
  o->checkpoint = nullptr;
  o->log = nullptr;
  o->progress = 0;
  o->validation_x = nullptr;
  o->validation_nx = 0;
  o->validation_y = nullptr;
  o->validation_ny = 0;
}

nnrt_trainer *nnrt_trainer_new(nnrt_model *m, nnrt_status *status) {
  if (!m->train.fn)
    return failNull<nnrt_trainer>(
        status, "model '" + m->name +
                    "' cannot be trained: its .nn file has no train section");
  auto *t = new nnrt_trainer;
  t->model = m;
  for (const Buffer &b : m->train.buffers)
    if (b.role == Role::State) {
      t->stateNames.push_back(b.name);
      t->state.push_back(makeTensor(b.shape));
    }
  return t;
}

void nnrt_trainer_free(nnrt_trainer *t) { delete t; }
int64_t nnrt_trainer_epoch(const nnrt_trainer *t) { return t->epoch; }
int64_t nnrt_trainer_step_count(const nnrt_trainer *t) { return t->step; }

int nnrt_trainer_step(nnrt_trainer *t, const nnrt_tensor *x,
                      const nnrt_tensor *y, float lr, float *loss,
                      float *metrics, nnrt_status *status) {
  return nnrt_trainer_step_arrays(t, &x, 1, &y, y ? 1 : 0, lr, loss, metrics,
                                  status);
}

int nnrt_trainer_step_arrays(nnrt_trainer *t, const nnrt_tensor *const *x,
                             size_t nx, const nnrt_tensor *const *y,
                             size_t ny, float lr, float *loss,
                             float *metrics, nnrt_status *status) {
  Arrays data;
  if (checkData(t->model, x, nx, y, ny, data, status))
    return -1;
  // The step reads the caller's arrays through batch-shaped copies: the
  // compiled step may not write them, and the ABI wants distinct buffers.
  std::vector<int64_t> rows(static_cast<size_t>(data[0]->shape[0]));
  for (size_t i = 0; i < rows.size(); ++i)
    rows[i] = static_cast<int64_t>(i);
  gatherAll(data, rows.data(), static_cast<int64_t>(rows.size()), t->batch);
  std::vector<float> outs(1 + nnrt_model_num_metrics(t->model));
  ++t->step;
  call(t->model, t, t->model->train, t->batch, lr,
       static_cast<float>(t->step), outs);
  *loss = outs[0];
  for (size_t k = 1; k < outs.size(); ++k)
    metrics[k - 1] = outs[k];
  return 0;
}

int nnrt_model_evaluate(nnrt_model *m, const nnrt_tensor *x,
                        const nnrt_tensor *y, int64_t batch, double *loss,
                        double *metrics, nnrt_status *status) {
  return nnrt_model_evaluate_arrays(m, &x, 1, &y, y ? 1 : 0, batch, loss,
                                    metrics, status);
}

int nnrt_model_evaluate_arrays(nnrt_model *m, const nnrt_tensor *const *x,
                               size_t nx, const nnrt_tensor *const *y,
                               size_t ny, int64_t batch, double *loss,
                               double *metrics, nnrt_status *status) {
  if (!m->eval.fn)
    return fail(status, "model '" + m->name +
                            "' cannot be evaluated: its .nn file has no "
                            "train section");
  Arrays data;
  if (checkData(m, x, nx, y, ny, data, status))
    return -1;
  if (batch <= 0)
    return fail(status, "the batch size must be positive, got " +
                            std::to_string(batch));
  std::vector<double> means;
  evaluateRange(m, data, 0, data[0]->shape[0], batch, means);
  *loss = means[0];
  for (size_t k = 1; k < means.size(); ++k)
    metrics[k - 1] = means[k];
  return 0;
}

nnrt_history *nnrt_trainer_fit(nnrt_trainer *t, const nnrt_tensor *x,
                               const nnrt_tensor *y,
                               const nnrt_fit_options *o,
                               nnrt_status *status) {
  return nnrt_trainer_fit_arrays(t, &x, 1, &y, y ? 1 : 0, o, status);
}

nnrt_history *nnrt_trainer_fit_arrays(nnrt_trainer *t,
                                      const nnrt_tensor *const *x, size_t nx,
                                      const nnrt_tensor *const *y, size_t ny,
                                      const nnrt_fit_options *o,
                                      nnrt_status *status) {
  nnrt_model *m = t->model;
  Arrays data;
  if (checkData(m, x, nx, y, ny, data, status))
    return nullptr;
  if (!(o->validation_split >= 0 && o->validation_split < 1))
    return failNull<nnrt_history>(
        status, "the validation split must be in [0, 1), got " +
                    std::to_string(o->validation_split));
  if (o->batch_size <= 0 || o->epochs < 0)
    return failNull<nnrt_history>(status,
                                  "batch size and epochs must be positive");
  // Explicit validation data replaces the split, as in Keras.
  Arrays valData;
  bool explicitVal = o->validation_nx > 0;
  if (explicitVal && checkData(m, o->validation_x, o->validation_nx,
                               o->validation_y, o->validation_ny, valData,
                               status)) {
    return failNull<nnrt_history>(status,
                                  std::string("validation data: ") +
                                      nnrt_status_message(status));
  }
  int64_t n = data[0]->shape[0];
  auto splitAt = explicitVal ? n
                             : static_cast<int64_t>(std::floor(
                                   static_cast<double>(n) *
                                   (1.0 - o->validation_split)));
  // Fewer rows than a batch train as one smaller batch per epoch, as in
  // Keras; the last batch of every epoch is the rest of the rows.
  if (splitAt < 1)
    return failNull<nnrt_history>(
        status, "no training rows: a validation split of " +
                    shortNumber(o->validation_split) + " leaves none of " +
                    std::to_string(n) + " samples");
  bool validate = explicitVal || splitAt < n;

  nnrt_history &h = t->history;
  const std::vector<std::string> &metrics = m->metrics;
  if (h.names.empty()) {
    h.names = historyNames(m, validate);
    h.values.assign(h.names.size(), {});
  } else if (h.names != historyNames(m, validate)) {
    // A resumed history continues with the same series (issue 11: resuming
    // with another validation split wrote past the history's end).
    return failNull<nnrt_history>(
        status, std::string("the checkpoint was trained ") +
                    (validate ? "without" : "with") +
                    (explicitVal ? " validation; resume without validation "
                                   "data"
                     : validate  ? " a validation split; resume with "
                                   "--validation-split 0"
                                 : " a validation split; resume with the "
                                   "validation split (or data) it had"));
  }
  size_t perPass = 1 + metrics.size();

  std::vector<int64_t> order(splitAt);
  std::vector<float> outs(perPass);
  std::vector<double> sums(perPass), val;
  auto lr = static_cast<float>(o->learning_rate);
  for (int64_t epoch = t->epoch; epoch < o->epochs; ++epoch) {
    for (int64_t i = 0; i < splitAt; ++i)
      order[i] = i;
    shuffle(order, o->seed, epoch);
    std::fill(sums.begin(), sums.end(), 0.0);
    double start = now(), drawn = 0;
    int64_t batches = (splitAt + o->batch_size - 1) / o->batch_size;
    bool bar = o->log && o->progress;
    if (bar)
      std::fprintf(o->log, "Epoch %lld/%lld\n",
                   static_cast<long long>(epoch + 1),
                   static_cast<long long>(o->epochs));
    // On a GPU the parameters and optimizer state stay there until the
    // epoch's steps are done (nothing below reads them on the host).
    std::optional<cuda::ResidentScope> onDevice(std::in_place);
    for (int64_t s = 0, b = 0; s < splitAt; s += o->batch_size, ++b) {
      int64_t rows = std::min(o->batch_size, splitAt - s);
      gatherAll(data, &order[s], rows, t->batch);
      ++t->step;
      double s0 = now();
      call(m, t, m->train, t->batch, lr, static_cast<float>(t->step), outs);
      h.stepSeconds += now() - s0;
      if (!std::isfinite(outs[0]))
        return failNull<nnrt_history>(
            status, "the loss is " + std::string(std::isnan(outs[0]) ? "NaN"
                                                                     : "infinite") +
                        " at epoch " + std::to_string(epoch + 1) + ", step " +
                        std::to_string(b + 1) +
                        " of the epoch; training stopped (try a smaller "
                        "learning rate)");
      for (size_t k = 0; k < perPass; ++k)
        sums[k] += static_cast<double>(outs[k]) * rows;
      // Redrawn at most 20 times a second: a step can take a microsecond.
      if (bar && (now() - drawn >= 0.05 || b + 1 == batches)) {
        drawn = now();
        drawProgress(o->log, b + 1, batches, drawn - start, h.names, sums,
                     s + rows);
      }
    }
    onDevice.reset();
    for (size_t k = 0; k < perPass; ++k)
      h.values[k].push_back(sums[k] / splitAt);
    if (validate) {
      if (explicitVal)
        evaluateRange(m, valData, 0, valData[0]->shape[0], o->batch_size,
                      val);
      else
        evaluateRange(m, data, splitAt, n, o->batch_size, val);
      for (size_t k = 0; k < perPass; ++k)
        h.values[perPass + k].push_back(val[k]);
    }
    t->epoch = epoch + 1;
    // Printing and checkpoints are I/O, not fitting.
    h.fitSeconds += now() - start;
    if (bar) {
      // The finished bar gets the epoch's time and every value, validation
      // included, as Keras' does.
      std::string line = formatLine(h, epoch, o->epochs, now() - start);
      line.pop_back(); // its newline goes after the clear-to-end
      std::fprintf(o->log, "\r%lld/%lld [%s] - %s\x1b[K\n",
                   static_cast<long long>(batches),
                   static_cast<long long>(batches),
                   std::string(30, '=').c_str(),
                   line.substr(line.find(" - ") + 3).c_str());
      std::fflush(o->log);
    } else if (o->log) {
      std::fputs(formatLine(h, epoch, o->epochs, now() - start).c_str(),
                 o->log);
      std::fflush(o->log);
    }
    if (o->checkpoint &&
        nnrt_trainer_save_checkpoint(t, o->checkpoint, o->seed, status))
      return nullptr;
  }
  return new nnrt_history(h);
}

int nnrt_trainer_save_checkpoint(const nnrt_trainer *t, const char *path,
                                 uint64_t seed, nnrt_status *status) {
  std::vector<NamedTensor> tensors;
  for (const Param &p : t->model->params)
    tensors.push_back({p.name, p.value->shape, p.value->data});
  for (size_t i = 0; i < t->state.size(); ++i)
    tensors.push_back(
        {"optimizer/" + t->stateNames[i], t->state[i]->shape, t->state[i]->data});
  std::string meta = "{\"format\":\"nnc-checkpoint\",\"model\":" +
                     quoteJson(t->model->name) + ",\"epoch\":\"" +
                     std::to_string(t->epoch) + "\",\"step\":\"" +
                     std::to_string(t->step) + "\",\"seed\":\"" +
                     std::to_string(seed) + "\",\"history\":" +
                     quoteJson(historyJson(t->history)) + "}";
  std::string error;
  if (!writeSafetensors(path, tensors, meta, error))
    return fail(status, error);
  return 0;
}

int nnrt_trainer_load_checkpoint(nnrt_trainer *t, const char *path,
                                 uint64_t *seed, nnrt_status *status) {
  std::vector<NamedTensor> tensors;
  std::vector<std::pair<std::string, std::string>> meta;
  std::string error, file(path);
  if (!readSafetensors(path, tensors, error, &meta))
    return fail(status, error);
  auto get = [&](const char *key) -> const std::string * {
    for (const auto &[k, v] : meta)
      if (k == key)
        return &v;
    return nullptr;
  };
  const std::string *format = get("format"), *model = get("model"),
                    *epoch = get("epoch"), *step = get("step"),
                    *seedText = get("seed"), *history = get("history");
  if (!format || *format != "nnc-checkpoint" || !epoch || !step || !seedText)
    return fail(status, file + ": not an nnc checkpoint (no epoch and step "
                               "in its metadata)");
  if (!model || *model != t->model->name)
    return fail(status, file + ": a checkpoint of model '" +
                            (model ? *model : std::string("?")) +
                            "', not of '" + t->model->name + "'");
  // Every parameter and state tensor, with its shape, and nothing else:
  // checked before anything changes.
  std::vector<std::pair<std::string, nnrt_tensor *>> slots;
  for (const Param &p : t->model->params)
    slots.push_back({p.name, p.value});
  for (size_t i = 0; i < t->state.size(); ++i)
    slots.push_back({"optimizer/" + t->stateNames[i], t->state[i]});
  std::vector<const NamedTensor *> match(slots.size(), nullptr);
  for (const NamedTensor &nt : tensors) {
    size_t i = 0;
    while (i < slots.size() && slots[i].first != nt.name)
      ++i;
    if (i == slots.size())
      return fail(status, file + ": tensor '" + nt.name +
                              "' does not belong to model '" +
                              t->model->name + "' (a different model?)");
    if (nt.shape != slots[i].second->shape)
      return fail(status, file + ": '" + nt.name + "' has shape " +
                              formatShape(nt.shape) + " but model '" +
                              t->model->name + "' expects " +
                              formatShape(slots[i].second->shape));
    match[i] = &nt;
  }
  for (size_t i = 0; i < slots.size(); ++i)
    if (!match[i])
      return fail(status, file + ": missing '" + slots[i].first + "'");
  uint64_t epochs = 0, steps = 0, seedValue = 0;
  if (!parseCount(*epoch, epochs) || !parseCount(*step, steps) ||
      !parseCount(*seedText, seedValue))
    return fail(status, file + ": corrupt metadata: epoch, step and seed "
                               "must be integers in [0, 2^53]");
  // The history: one series per name this model records (with or without
  // the val_ twins), each with one value per finished epoch.
  nnrt_history past;
  if (history) {
    Json parsed;
    if (!parseJson(*history, parsed, error))
      return fail(status, file + ": corrupt history: " + error);
    for (const auto &[name, series] : parsed.members) {
      past.names.push_back(name);
      std::vector<double> v;
      for (const Json &e : series.items)
        v.push_back(e.num);
      if (series.kind != Json::Array || v.size() != epochs)
        return fail(status, file + ": corrupt history: series '" + name +
                                "' has " + std::to_string(v.size()) +
                                " values; the checkpoint is at epoch " +
                                std::to_string(epochs));
      past.values.push_back(v);
    }
    if (past.names != historyNames(t->model, false) &&
        past.names != historyNames(t->model, true))
      return fail(status, file + ": corrupt history: its series are not "
                                 "model '" + t->model->name + "''s loss and "
                                 "metrics");
  }
  for (size_t i = 0; i < slots.size(); ++i)
    slots[i].second->data = match[i]->data;
  t->epoch = static_cast<int64_t>(epochs);
  t->step = static_cast<int64_t>(steps);
  if (seed)
    *seed = seedValue;
  t->history = past;
  return 0;
}

size_t nnrt_history_num_epochs(const nnrt_history *h) {
  return h->values.empty() ? 0 : h->values[0].size();
}
size_t nnrt_history_num_series(const nnrt_history *h) { return h->names.size(); }
const char *nnrt_history_series_name(const nnrt_history *h, size_t i) {
  return h->names[i].c_str();
}
double nnrt_history_value(const nnrt_history *h, size_t s, size_t e) {
  return h->values[s][e];
}
double nnrt_history_fit_seconds(const nnrt_history *h) {
  return h->fitSeconds;
}
double nnrt_history_step_seconds(const nnrt_history *h) {
  return h->stepSeconds;
}
void nnrt_history_free(nnrt_history *h) { delete h; }

int nnrt_history_write_csv(const nnrt_history *h, const char *path,
                           nnrt_status *status) {
  std::string out = "epoch";
  for (const std::string &n : h->names)
    out += "," + n;
  out += "\n";
  char buf[32];
  for (size_t e = 0; e < nnrt_history_num_epochs(h); ++e) {
    out += std::to_string(e + 1);
    for (const auto &series : h->values) {
      std::snprintf(buf, sizeof buf, ",%.9g", series[e]);
      out += buf;
    }
    out += "\n";
  }
  std::string error;
  if (!writeFileAtomically(path, out, error))
    return fail(status, error);
  return 0;
}

int nnrt_history_write_json(const nnrt_history *h, const char *path,
                            nnrt_status *status) {
  std::string error;
  if (!writeFileAtomically(path, historyJson(*h) + "\n", error))
    return fail(status, error);
  return 0;
}

} // extern "C"
