//===- NoTargetsAndFunctionsTest.cpp - PINN-style artifacts ---------------===//
//
// A physics-informed model: its loss reads no targets (train and eval have
// no target buffer, and every training call takes y == NULL), and a `def` of
// its .nn file is a function of the model (an entry of kind "def").
// Hand-written entries: train subtracts the learning rate from w and reports
// loss = step; eval reports the batch's mean input; the function g returns
// 2 x + w[0].
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestSupport.h"

#include <string>
#include <vector>

using namespace nnrt_test;

namespace {

void inferEntry(int64_t, void **) {}

// x, w(1), lr, step, loss
void trainEntry(int64_t, void **buffers) {
  auto *w = static_cast<float *>(buffers[1]);
  *w -= *static_cast<float *>(buffers[2]);
  *static_cast<float *>(buffers[4]) = *static_cast<float *>(buffers[3]);
}

// x, w, loss
void evalEntry(int64_t batch, void **buffers) {
  auto *x = static_cast<const float *>(buffers[0]);
  float sum = 0;
  for (int64_t i = 0; i < batch; ++i)
    sum += x[i];
  *static_cast<float *>(buffers[2]) = sum / static_cast<float>(batch);
}

// x, w, g(x)
void functionEntry(int64_t batch, void **buffers) {
  auto *x = static_cast<const float *>(buffers[0]);
  float w = *static_cast<const float *>(buffers[1]);
  auto *g = static_cast<float *>(buffers[2]);
  for (int64_t i = 0; i < batch; ++i)
    g[i] = 2 * x[i] + w;
}

const char *kManifest = R"({"models": [{"name": "u",
  "inputs":  [{"name": "x", "shape": [-1, 1]}],
  "outputs": [{"name": "output_0", "shape": [-1, 1]}],
  "params":  [{"name": "w", "shape": [1], "init": "ones"}],
  "train": {"loss": "u_loss", "optimizer": "sgd", "batch_size": 2, "epochs": 3,
            "validation_split": 0, "optimizer_config": {"learning_rate": 0.25}},
  "entries": [{"kind": "infer", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 1]},
      {"role": "param", "name": "w", "shape": [1]},
      {"role": "output", "name": "output_0", "shape": [-1, 1]}]},
    {"kind": "train", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 1]},
      {"role": "param", "name": "w", "shape": [1]},
      {"role": "hyper", "name": "learning_rate", "shape": []},
      {"role": "hyper", "name": "step", "shape": []},
      {"role": "output", "name": "loss", "shape": []}]},
    {"kind": "eval", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 1]},
      {"role": "param", "name": "w", "shape": [1]},
      {"role": "output", "name": "loss", "shape": []}]},
    {"kind": "def", "name": "g", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 1]},
      {"role": "param", "name": "w", "shape": [1]},
      {"role": "output", "name": "output_0", "shape": [-1, 1]}]}]}]})";

const nnrt_entry_fn kFns[] = {inferEntry, trainEntry, evalEntry, functionEntry};
const char *kNames[] = {"u.infer", "u.train", "u.eval", "u.def.g"};

struct Pinn {
  std::string text;
  nnc_artifact artifact;
  nnrt_model *model = nullptr;
  explicit Pinn(std::string m = kManifest) : text(std::move(m)) {
    artifact = {1, text.c_str(), 4, kNames, kFns};
  }
  nnrt_model *open(nnrt_status *st) {
    return model = nnrt_model_open_linked(&artifact, st);
  }
  ~Pinn() { nnrt_model_free(model); }
};

/// n x 1 tensor of 0, 1, ..., n-1.
nnrt_tensor *column(int64_t n) {
  int64_t shape[] = {n, 1};
  nnrt_tensor *t = nnrt_tensor_new(2, shape, nullptr);
  for (int64_t i = 0; i < n; ++i)
    nnrt_tensor_data(t)[i] = static_cast<float>(i);
  return t;
}

std::string replaced(std::string s, const std::string &from,
                     const std::string &to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

} // namespace

TEST(NoTargets, TrainsAndEvaluatesOnInputsAlone) {
  Pinn pinn;
  Status st;
  ASSERT_NE(pinn.open(st), nullptr) << st.message();
  EXPECT_EQ(nnrt_model_target_features(pinn.model), -1);
  ASSERT_EQ(nnrt_model_init_params(pinn.model, 0, st), 0) << st.message();
  nnrt_trainer *t = nnrt_trainer_new(pinn.model, st);
  ASSERT_NE(t, nullptr) << st.message();
  nnrt_tensor *x = column(4);
  float loss = 0;
  ASSERT_EQ(nnrt_trainer_step(t, x, nullptr, 0.25f, &loss, nullptr, st), 0)
      << st.message();
  EXPECT_EQ(loss, 1.0f);
  EXPECT_EQ(nnrt_tensor_cdata(nnrt_model_param(pinn.model, 0))[0], 0.75f);

  // Keras' fit over 4 rows in batches of 2, 3 epochs: 6 more steps.
  nnrt_fit_options o;
  nnrt_fit_options_init(pinn.model, &o);
  nnrt_history *h = nnrt_trainer_fit(t, x, nullptr, &o, st);
  ASSERT_NE(h, nullptr) << st.message();
  EXPECT_EQ(nnrt_history_num_epochs(h), 3u);
  EXPECT_EQ(nnrt_trainer_step_count(t), 7);
  EXPECT_FLOAT_EQ(nnrt_tensor_cdata(nnrt_model_param(pinn.model, 0))[0],
                  0.75f - 6 * 0.25f);
  nnrt_history_free(h);

  double evalLoss = 0;
  ASSERT_EQ(nnrt_model_evaluate(pinn.model, x, nullptr, 3, &evalLoss, nullptr,
                                st),
            0)
      << st.message();
  EXPECT_DOUBLE_EQ(evalLoss, 1.5); // batches {0, 1, 2}, {3}: (1 * 3 + 3) / 4

  // Targets for a loss that reads none are a mistake, not ignored.
  EXPECT_NE(nnrt_trainer_step(t, x, x, 0.25f, &loss, nullptr, st), 0);
  EXPECT_EQ(st.message(),
            "model 'u' has a loss that reads no targets, but targets were "
            "given");
  nnrt_trainer_free(t);
  nnrt_tensor_free(x);
}

TEST(NoTargets, AModelWithTargetsNeedsThem) {
  // The same toy with a target buffer in both training entries.
  std::string m = kManifest;
  size_t training = m.find(R"("kind": "train")");
  std::string head = m.substr(0, training);
  m = m.substr(training);
  for (int k = 0; k < 2; ++k)
    m = replaced(m,
                 R"({"role": "input", "name": "x", "shape": [-1, 1]},
      {"role": "param")",
                 R"({"role": "input", "name": "x", "shape": [-1, 1]},
      {"role": "target", "name": "y_true", "shape": [-1, 1]}, {"role": "param")");
  Pinn toy(head + m);
  Status st;
  ASSERT_NE(toy.open(st), nullptr) << st.message();
  EXPECT_EQ(nnrt_model_target_features(toy.model), 1);
  nnrt_trainer *t = nnrt_trainer_new(toy.model, st);
  nnrt_tensor *x = column(2);
  float loss;
  EXPECT_NE(nnrt_trainer_step(t, x, nullptr, 0.1f, &loss, nullptr, st), 0);
  EXPECT_EQ(st.message(),
            "model 'u' has a loss that compares with targets, and none "
            "were given");
  nnrt_trainer_free(t);
  nnrt_tensor_free(x);
}

TEST(Functions, RunByName) {
  Pinn pinn;
  Status st;
  ASSERT_NE(pinn.open(st), nullptr) << st.message();
  ASSERT_EQ(nnrt_model_num_functions(pinn.model), 1u);
  EXPECT_STREQ(nnrt_model_function_name(pinn.model, 0), "g");
  EXPECT_EQ(nnrt_model_function_name(pinn.model, 1), nullptr);
  ASSERT_EQ(nnrt_model_init_params(pinn.model, 0, st), 0); // w = 1
  nnrt_tensor *x = column(3);
  const nnrt_tensor *in[] = {x};
  nnrt_tensor *g = nnrt_model_predict_function(pinn.model, "g", in, 1, st);
  ASSERT_NE(g, nullptr) << st.message();
  ASSERT_EQ(nnrt_tensor_size(g), 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(nnrt_tensor_cdata(g)[i], 2.0f * i + 1.0f);
  nnrt_tensor_free(g);

  EXPECT_EQ(nnrt_model_predict_function(pinn.model, "h", in, 1, st), nullptr);
  EXPECT_EQ(st.message(), "model 'u' has no function 'h'; it has: g");
  EXPECT_EQ(nnrt_model_predict_function(pinn.model, "g", in, 0, st), nullptr);
  EXPECT_EQ(st.message(), "model 'u' takes 1 input(s), got 0");
  nnrt_tensor_free(x);
}

TEST(Functions, ManifestErrors) {
  struct Case {
    std::string from, to, message;
  } cases[] = {
      {R"("kind": "def", "name": "g",)", R"("kind": "def",)",
       "a def entry without a name"},
      {R"("kind": "def", "name": "g",)", R"("kind": "def", "name": "h",)",
       "the manifest lists the def entry 'h' that the artifact does not "
       "export"},
      {R"({"role": "param", "name": "w", "shape": [1]},
      {"role": "output", "name": "output_0")",
       R"({"role": "param", "name": "w", "shape": [2]},
      {"role": "output", "name": "output_0")",
       "the def entry 'g' does not take the model's inputs and parameters "
       "and return one output"},
      {R"({"role": "output", "name": "output_0", "shape": [-1, 1]}]}]}]})",
       R"({"role": "output", "name": "output_0", "shape": [-1, 1]},
      {"role": "output", "name": "extra", "shape": [-1, 1]}]}]}]})",
       "the def entry 'g' does not take the model's inputs and parameters "
       "and return one output"},
  };
  for (const Case &c : cases) {
    Pinn pinn(replaced(kManifest, c.from, c.to));
    Status st;
    EXPECT_EQ(pinn.open(st), nullptr) << c.message;
    EXPECT_EQ(st.message(), "linked model: corrupt manifest: " + c.message);
  }
}
