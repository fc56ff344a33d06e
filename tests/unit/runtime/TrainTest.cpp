//===- TrainTest.cpp - the training loop around hand-written steps --------===//
//
// The train and eval entries here do simple bookkeeping instead of
// learning, so the loop's schedule is visible: each train step subtracts the
// learning rate from every weight, counts itself in the optimizer state and
// reports loss = step number and accuracy = batch size; eval reports the
// batch's mean input as loss.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestSupport.h"

#include "../../../runtime/src/Json.h"
#include "../../../runtime/src/Safetensors.h"

#include <cmath>
#include <cstring>
#include <vector>

using namespace nnrt_test;

namespace {

void inferEntry(int64_t, void **) {}

// x, y, w(3), m(3) state, lr, step, loss, accuracy
void trainEntry(int64_t batch, void **buffers) {
  auto *w = static_cast<float *>(buffers[2]);
  auto *m = static_cast<float *>(buffers[3]);
  float lr = *static_cast<float *>(buffers[4]);
  float step = *static_cast<float *>(buffers[5]);
  for (int j = 0; j < 3; ++j) {
    w[j] -= lr;
    m[j] += 1;
  }
  *static_cast<float *>(buffers[6]) = std::isnan(lr) ? NAN : step;
  *static_cast<float *>(buffers[7]) = static_cast<float>(batch);
}

// x, y, w, loss, accuracy: loss = mean of x over the batch.
void evalEntry(int64_t batch, void **buffers) {
  auto *x = static_cast<const float *>(buffers[0]);
  float sum = 0;
  for (int64_t i = 0; i < batch * 3; ++i)
    sum += x[i];
  *static_cast<float *>(buffers[3]) = sum / static_cast<float>(batch * 3);
  *static_cast<float *>(buffers[4]) = 0.5f;
}

std::string manifest(const std::string &name = "toy") {
  return R"({"models": [{"name": ")" + name + R"(",
  "inputs":  [{"name": "x", "shape": [-1, 3]}],
  "outputs": [{"name": "output_0", "shape": [-1, 3]}],
  "params":  [{"name": "w", "shape": [3], "init": "ones"}],
  "train": {"loss": "mse", "optimizer": "sgd", "batch_size": 3, "epochs": 2,
            "validation_split": 0.2, "optimizer_config": {"learning_rate": 0.5}},
  "entries": [{"kind": "infer", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 3]},
      {"role": "param", "name": "w", "shape": [3]},
      {"role": "output", "name": "output_0", "shape": [-1, 3]}]},
    {"kind": "train", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 3]},
      {"role": "target", "name": "y_true", "shape": [-1, 3]},
      {"role": "param", "name": "w", "shape": [3]},
      {"role": "state", "name": "w/momentum", "shape": [3]},
      {"role": "hyper", "name": "learning_rate", "shape": []},
      {"role": "hyper", "name": "step", "shape": []},
      {"role": "output", "name": "loss", "shape": []},
      {"role": "output", "name": "accuracy", "shape": []}]},
    {"kind": "eval", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 3]},
      {"role": "target", "name": "y_true", "shape": [-1, 3]},
      {"role": "param", "name": "w", "shape": [3]},
      {"role": "output", "name": "loss", "shape": []},
      {"role": "output", "name": "accuracy", "shape": []}]}]}]})";
}

std::string replaced(std::string s, const std::string &from,
                     const std::string &to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

const nnrt_entry_fn kFns[] = {inferEntry, trainEntry, evalEntry};

struct Toy {
  std::string text, n[3];
  std::vector<const char *> names;
  nnc_artifact artifact;
  nnrt_model *model = nullptr;
  explicit Toy(std::string m = manifest(), const std::string &name = "toy")
      : text(std::move(m)) {
    n[0] = name + ".infer";
    n[1] = name + ".train";
    n[2] = name + ".eval";
    names = {n[0].c_str(), n[1].c_str(), n[2].c_str()};
    artifact = {1, text.c_str(), 3, names.data(), kFns};
  }
  nnrt_model *open(nnrt_status *st) {
    return model = nnrt_model_open_linked(&artifact, st);
  }
  ~Toy() { nnrt_model_free(model); }
};

/// rows x 3 tensor holding row index r in every column of row r.
nnrt_tensor *rows(int64_t n) {
  int64_t shape[] = {n, 3};
  nnrt_tensor *t = nnrt_tensor_new(2, shape, nullptr);
  for (int64_t i = 0; i < n * 3; ++i)
    nnrt_tensor_data(t)[i] = static_cast<float>(i / 3);
  return t;
}

} // namespace

TEST(TrainManifest, ReadsEntriesMetricsAndSettings) {
  Toy toy;
  Status st;
  ASSERT_NE(toy.open(st), nullptr) << st.message();
  EXPECT_TRUE(nnrt_model_can_train(toy.model));
  EXPECT_EQ(nnrt_model_target_features(toy.model), 3);
  ASSERT_EQ(nnrt_model_num_metrics(toy.model), 1u);
  EXPECT_STREQ(nnrt_model_metric_name(toy.model, 0), "accuracy");
  EXPECT_EQ(nnrt_model_metric_name(toy.model, 1), nullptr);
  nnrt_fit_options o;
  nnrt_fit_options_init(toy.model, &o);
  EXPECT_EQ(o.batch_size, 3);
  EXPECT_EQ(o.epochs, 2);
  EXPECT_DOUBLE_EQ(o.validation_split, 0.2);
  EXPECT_DOUBLE_EQ(o.learning_rate, 0.5);
}

TEST(TrainManifest, Errors) {
  struct Case {
    std::string from, to, message;
  } cases[] = {
      {R"("role": "state")", R"("role": "gradient")",
       "a buffer of the train entry is malformed"},
      {R"("name": "learning_rate")", R"("name": "momentum")",
       "unknown hyper-parameter 'momentum'"},
      {R"("role": "param", "name": "w", "shape": [3]},
      {"role": "state")",
       R"("role": "param", "name": "v", "shape": [3]},
      {"role": "state")",
       "the train entry's parameters are not the model's"},
      // An eval entry has nothing to pass to a state buffer (issue 11: it
      // dereferenced null).
      {R"({"role": "param", "name": "w", "shape": [3]},
      {"role": "output", "name": "loss")",
       R"({"role": "param", "name": "w", "shape": [3]},
      {"role": "state", "name": "w/m", "shape": [3]},
      {"role": "output", "name": "loss")",
       "the eval entry has a state buffer"},
      // Sizes are checked before anything is allocated or converted.
      {R"({"role": "param", "name": "w", "shape": [3]},
      {"role": "state")",
       R"({"role": "param", "name": "w", "shape": [4294967296, 4294967296]},
      {"role": "state")",
       "a buffer of the train entry is malformed"},
      {R"("batch_size": 3)", R"("batch_size": 9223372036854775807)",
       "batch_size must be an integer in [1, 2^53]"},
      {R"("validation_split": 0.2)", R"("validation_split": 1.5)",
       "validation_split must be in [0, 1)"},
      // Train and eval get the same batch and report the same values.
      {R"({"kind": "eval", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 3]})",
       R"({"kind": "eval", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 4]})",
       "the train and eval entries take different inputs"},
      {R"({"role": "output", "name": "loss", "shape": []},
      {"role": "output", "name": "accuracy", "shape": []}]}]}]})",
       R"({"role": "output", "name": "loss", "shape": []}]}]}]})",
       "the train and eval entries report different numbers of values"},
      {R"({"role": "output", "name": "accuracy", "shape": []}]},)",
       R"({"role": "output", "name": "accuracy", "shape": [3]}]},)",
       "the train entry's loss and metrics must be scalars"},
      {R"({"kind": "eval")", R"({"kind": "other")",
       "a train section without train and eval entries"},
      // Parameters are saved and loaded by name: each name once.
      {R"({"role": "param", "name": "w", "shape": [3]},
      {"role": "state")",
       R"({"role": "param", "name": "w", "shape": [3]},
      {"role": "param", "name": "w", "shape": [3]},
      {"role": "state")",
       "the train entry has two param buffers named 'w'"},
      // The runtime passes the inputs' arrays, then the targets'.
      {R"({"role": "input", "name": "x", "shape": [-1, 3]},
      {"role": "target", "name": "y_true", "shape": [-1, 3]},)",
       R"({"role": "target", "name": "y_true", "shape": [-1, 3]},
      {"role": "input", "name": "x", "shape": [-1, 3]},)",
       "the train entry takes a target before an input"},
  };
  for (const Case &c : cases) {
    Toy toy(replaced(manifest(), c.from, c.to));
    Status st;
    EXPECT_EQ(toy.open(st), nullptr) << c.message;
    EXPECT_EQ(st.message(), "linked model: corrupt manifest: " + c.message);
  }
  // An entry the manifest lists but the artifact does not export.
  Toy toy;
  toy.artifact.num_entries = 2;
  Status st;
  EXPECT_EQ(toy.open(st), nullptr);
  EXPECT_EQ(st.message(), "linked model: corrupt manifest: the manifest lists "
                          "the eval entry that the artifact does not export");
}

TEST(Fit, KerasSchedule) {
  Toy toy;
  Status st;
  ASSERT_NE(toy.open(st), nullptr);
  ASSERT_EQ(nnrt_model_init_params(toy.model, 0, st), 0);
  nnrt_trainer *t = nnrt_trainer_new(toy.model, st);
  ASSERT_NE(t, nullptr) << st.message();
  nnrt_tensor *x = rows(10), *y = rows(10);
  nnrt_fit_options o;
  nnrt_fit_options_init(toy.model, &o);
  nnrt_history *h = nnrt_trainer_fit(t, x, y, &o, st);
  ASSERT_NE(h, nullptr) << st.message();
  // 10 rows, split 0.2: 8 train rows in batches of 3, 3, 2 (the partial
  // batch is trained on): 3 steps per epoch, 6 in all.
  EXPECT_EQ(nnrt_trainer_step_count(t), 6);
  EXPECT_EQ(nnrt_trainer_epoch(t), 2);
  EXPECT_FLOAT_EQ(nnrt_tensor_cdata(nnrt_model_param(toy.model, 0))[0],
                  1.0f - 6 * 0.5f);
  ASSERT_EQ(nnrt_history_num_epochs(h), 2u);
  ASSERT_EQ(nnrt_history_num_series(h), 4u);
  EXPECT_STREQ(nnrt_history_series_name(h, 2), "val_loss");
  // Batch-size-weighted means: epoch 2's steps 4, 5, 6 with 3, 3, 2 rows.
  EXPECT_DOUBLE_EQ(nnrt_history_value(h, 0, 1), (4 * 3 + 5 * 3 + 6 * 2) / 8.0);
  EXPECT_DOUBLE_EQ(nnrt_history_value(h, 1, 1), (3 * 3 + 3 * 3 + 2 * 2) / 8.0);
  // Validation on the last two rows (8 and 9), never shuffled into training.
  EXPECT_DOUBLE_EQ(nnrt_history_value(h, 2, 0), 8.5);
  EXPECT_DOUBLE_EQ(nnrt_history_value(h, 3, 1), 0.5);

  ScratchDir dir;
  std::string csv = dir.file("h.csv");
  ASSERT_EQ(nnrt_history_write_csv(h, csv.c_str(), st), 0);
  EXPECT_EQ(readAll(csv).substr(0, 44),
            "epoch,loss,accuracy,val_loss,val_accuracy\n1,");
  EXPECT_EQ(nnrt_history_write_svg(h, "toy", dir.file("no/h.svg").c_str(), st),
            -1);
  nnrt_history_free(h);
  nnrt_trainer_free(t);
  nnrt_tensor_free(x);
  nnrt_tensor_free(y);
}

TEST(Fit, Errors) {
  Toy toy;
  Status st;
  ASSERT_NE(toy.open(st), nullptr);
  nnrt_trainer *t = nnrt_trainer_new(toy.model, st);
  nnrt_fit_options o;
  nnrt_fit_options_init(toy.model, &o);
  nnrt_tensor *x = rows(10), *y = rows(10), *few = rows(3), *wide;
  int64_t shape[] = {10, 4};
  wide = nnrt_tensor_new(2, shape, nullptr);

  o.validation_split = 1.5;
  EXPECT_EQ(nnrt_trainer_fit(t, x, y, &o, st), nullptr);
  EXPECT_EQ(st.message(), "the validation split must be in [0, 1), got 1.500000");
  nnrt_fit_options_init(toy.model, &o);
  // Fewer rows than a batch: one smaller batch per epoch, as Keras does;
  // no rows left for training at all is an error.
  nnrt_trainer *fresh = nnrt_trainer_new(toy.model, st);
  nnrt_history *small = nnrt_trainer_fit(fresh, few, few, &o, st);
  ASSERT_NE(small, nullptr) << st.message();
  EXPECT_EQ(nnrt_trainer_step_count(fresh), o.epochs);
  nnrt_history_free(small);
  nnrt_trainer_free(fresh);
  nnrt_tensor *one = rows(1);
  o.validation_split = 0.5;
  EXPECT_EQ(nnrt_trainer_fit(t, one, one, &o, st), nullptr);
  EXPECT_EQ(st.message(), "no training rows: a validation split of 0.5 "
                          "leaves none of 1 samples");
  nnrt_tensor_free(one);
  nnrt_fit_options_init(toy.model, &o);
  EXPECT_EQ(nnrt_trainer_fit(t, wide, y, &o, st), nullptr);
  EXPECT_EQ(st.message(),
            "inputs have shape (10, 4) but model 'toy' expects (None, 3)");
  EXPECT_EQ(nnrt_trainer_fit(t, x, few, &o, st), nullptr);
  EXPECT_EQ(st.message(), "10 input rows but 3 target rows");
  // The arrays form checks the counts against the model's inputs and
  // targets (one each here).
  const nnrt_tensor *two[] = {x, x}, *ys[] = {y};
  EXPECT_EQ(nnrt_trainer_fit_arrays(t, two, 2, ys, 1, &o, st), nullptr);
  EXPECT_EQ(st.message(), "model 'toy' takes 1 input array, got 2");
  EXPECT_EQ(nnrt_trainer_fit_arrays(t, two, 1, two, 2, &o, st), nullptr);
  EXPECT_EQ(st.message(), "model 'toy' takes 1 target array, got 2");
  EXPECT_EQ(nnrt_trainer_fit_arrays(t, two, 1, ys, 0, &o, st), nullptr);
  EXPECT_EQ(st.message(), "model 'toy' has a loss that compares with "
                          "targets, and none were given");
  // Validation data is checked the same way, and says so.
  o.validation_x = two;
  o.validation_nx = 2;
  o.validation_y = ys;
  o.validation_ny = 1;
  EXPECT_EQ(nnrt_trainer_fit(t, x, y, &o, st), nullptr);
  EXPECT_EQ(st.message(),
            "validation data: model 'toy' takes 1 input array, got 2");
  nnrt_fit_options_init(toy.model, &o);
  EXPECT_EQ(nnrt_model_num_targets(toy.model), 1u);
  EXPECT_STREQ(nnrt_model_target_name(toy.model, 0), "y_true");
  EXPECT_EQ(nnrt_model_target_name(toy.model, 1), nullptr);
  o.learning_rate = NAN;
  EXPECT_EQ(nnrt_trainer_fit(t, x, y, &o, st), nullptr);
  EXPECT_EQ(st.message(), "the loss is NaN at epoch 1, step 1 of the epoch; "
                          "training stopped (try a smaller learning rate)");
  for (nnrt_tensor *z : {x, y, few, wide})
    nnrt_tensor_free(z);
  nnrt_trainer_free(t);

  // A model without a train section trains and evaluates nothing.
  std::string plain = manifest();
  plain = replaced(plain, R"("train": {)", R"("not_train": {)");
  Toy untrained(plain);
  ASSERT_NE(untrained.open(st), nullptr) << st.message();
  EXPECT_FALSE(nnrt_model_can_train(untrained.model));
  EXPECT_EQ(nnrt_trainer_new(untrained.model, st), nullptr);
  EXPECT_EQ(st.message(), "model 'toy' cannot be trained: its .nn file has "
                          "no train section");
  double loss;
  EXPECT_EQ(nnrt_model_evaluate(untrained.model, nullptr, nullptr, 1, &loss,
                                nullptr, st),
            -1);
  EXPECT_EQ(st.message(), "model 'toy' cannot be evaluated: its .nn file has "
                          "no train section");
}

TEST(Checkpoint, RoundTripAndMismatches) {
  ScratchDir dir;
  Toy toy;
  Status st;
  ASSERT_NE(toy.open(st), nullptr);
  nnrt_trainer *t = nnrt_trainer_new(toy.model, st);
  nnrt_tensor *x = rows(10), *y = rows(10);
  nnrt_fit_options o;
  nnrt_fit_options_init(toy.model, &o);
  o.epochs = 1;
  nnrt_history_free(nnrt_trainer_fit(t, x, y, &o, st));
  std::string path = dir.file("c.safetensors");
  ASSERT_EQ(nnrt_trainer_save_checkpoint(t, path.c_str(), 42, st), 0);

  Toy fresh;
  ASSERT_NE(fresh.open(st), nullptr);
  nnrt_trainer *u = nnrt_trainer_new(fresh.model, st);
  uint64_t seed = 0;
  ASSERT_EQ(nnrt_trainer_load_checkpoint(u, path.c_str(), &seed, st), 0)
      << st.message();
  EXPECT_EQ(seed, 42u);
  EXPECT_EQ(nnrt_trainer_epoch(u), 1);
  EXPECT_EQ(nnrt_trainer_step_count(u), 3);
  EXPECT_EQ(nnrt_tensor_cdata(nnrt_model_param(fresh.model, 0))[1],
            nnrt_tensor_cdata(nnrt_model_param(toy.model, 0))[1]);

  // Another model's checkpoint, and one that lacks the optimizer state.
  Toy other(manifest("other"), "other");
  ASSERT_NE(other.open(st), nullptr) << st.message();
  nnrt_trainer *v = nnrt_trainer_new(other.model, st);
  EXPECT_EQ(nnrt_trainer_load_checkpoint(v, path.c_str(), nullptr, st), -1);
  EXPECT_EQ(st.message(),
            path + ": a checkpoint of model 'toy', not of 'other'");
  std::vector<nnrt::NamedTensor> tensors;
  std::vector<std::pair<std::string, std::string>> meta;
  std::string error;
  ASSERT_TRUE(nnrt::readSafetensors(path, tensors, error, &meta));
  tensors.pop_back(); // the optimizer slot
  std::string metaJson = "{";
  for (const auto &[k, val] : meta)
    metaJson += (metaJson.size() > 1 ? "," : "") + std::string("\"") + k +
                "\":\"" + (k == "history" ? "{}" : val) + "\"";
  metaJson += "}";
  std::string partial = dir.file("partial.safetensors");
  ASSERT_TRUE(nnrt::writeSafetensors(partial, tensors, metaJson, error))
      << error;
  EXPECT_EQ(nnrt_trainer_load_checkpoint(u, partial.c_str(), nullptr, st), -1);
  EXPECT_EQ(st.message(), partial + ": missing 'optimizer/w/momentum'");

  // Corrupt metadata is refused before anything changes (issue 11: a
  // negative epoch or a history of another length overflowed the history).
  ASSERT_TRUE(nnrt::readSafetensors(path, tensors, error, &meta));
  auto withMeta = [&](const std::string &key, const std::string &value) {
    std::string json = "{";
    for (const auto &[k, val] : meta)
      json += (json.size() > 1 ? "," : "") + nnrt::quoteJson(k) + ":" +
              nnrt::quoteJson(k == key ? value : val);
    json += "}";
    std::string file = dir.file("corrupt.safetensors");
    EXPECT_TRUE(nnrt::writeSafetensors(file, tensors, json, error)) << error;
    return file;
  };
  struct Corrupt {
    std::string key, value, message;
  } corrupt[] = {
      {"epoch", "-1", "corrupt metadata: epoch, step and seed must be "
                      "integers in [0, 2^53]"},
      {"step", "1e400", "corrupt metadata: epoch, step and seed must be "
                        "integers in [0, 2^53]"},
      {"history", R"({"loss": [1, 2, 3]})",
       "corrupt history: series 'loss' has 3 values; the checkpoint is at "
       "epoch 1"},
      {"history", R"({"loss": [1], "other": [1]})",
       "corrupt history: its series are not model 'toy''s loss and metrics"},
  };
  for (const Corrupt &c : corrupt) {
    std::string file = withMeta(c.key, c.value);
    EXPECT_EQ(nnrt_trainer_load_checkpoint(u, file.c_str(), nullptr, st), -1)
        << c.key << " = " << c.value;
    EXPECT_EQ(st.message(), file + ": " + c.message);
  }

  nnrt_trainer_free(t);
  nnrt_trainer_free(u);
  nnrt_trainer_free(v);
  nnrt_tensor_free(x);
  nnrt_tensor_free(y);
}

TEST(Plot, TinySpreadAtHugeValuesTerminates) {
  // Losses near 1e17 a few ulps apart: the tick step once came out smaller
  // than an ulp, and the tick loop never advanced (issue 11).
  ScratchDir dir;
  Toy toy;
  Status st;
  ASSERT_NE(toy.open(st), nullptr);
  nnrt_trainer *t = nnrt_trainer_new(toy.model, st);
  nnrt_tensor *x = rows(10), *y = rows(10);
  nnrt_fit_options o;
  nnrt_fit_options_init(toy.model, &o);
  o.epochs = 1;
  nnrt_history_free(nnrt_trainer_fit(t, x, y, &o, st));
  std::string path = dir.file("c.safetensors");
  ASSERT_EQ(nnrt_trainer_save_checkpoint(t, path.c_str(), 1, st), 0);
  std::vector<nnrt::NamedTensor> tensors;
  std::vector<std::pair<std::string, std::string>> meta;
  std::string error;
  ASSERT_TRUE(nnrt::readSafetensors(path, tensors, error, &meta));
  const std::string history =
      R"({"loss": [1e17, 1.0000000000000002e17], "accuracy": [0.5, 0.5],)"
      R"( "val_loss": [1e17, 1e17], "val_accuracy": [0.5, 0.5]})";
  std::string json = "{";
  for (const auto &[k, val] : meta)
    json += (json.size() > 1 ? "," : "") + nnrt::quoteJson(k) + ":" +
            nnrt::quoteJson(k == "epoch"     ? std::string("2")
                            : k == "history" ? history
                                             : val);
  json += "}";
  std::string huge = dir.file("huge.safetensors");
  ASSERT_TRUE(nnrt::writeSafetensors(huge, tensors, json, error)) << error;
  nnrt_trainer *u = nnrt_trainer_new(toy.model, st);
  ASSERT_EQ(nnrt_trainer_load_checkpoint(u, huge.c_str(), nullptr, st), 0)
      << st.message();
  o.epochs = 2; // already there: fit returns the loaded history
  nnrt_history *h = nnrt_trainer_fit(u, x, y, &o, st);
  ASSERT_NE(h, nullptr) << st.message();
  EXPECT_EQ(nnrt_history_write_svg(h, "toy", dir.file("h.svg").c_str(), st), 0)
      << st.message();
  nnrt_history_free(h);
  nnrt_trainer_free(t);
  nnrt_trainer_free(u);
  nnrt_tensor_free(x);
  nnrt_tensor_free(y);
}
