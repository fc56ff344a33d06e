//===- ModelTest.cpp - manifests, weights and running an artifact ---------===//
//
// The artifacts here are written by hand: a manifest plus a C++ entry point
// that does what a compiled model would (y = x * w + b per feature, and a
// second output x * 2), so every runtime path is exercised without nnc.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestSupport.h"

#include "../../../runtime/src/Safetensors.h"

#include <cstring>
#include <vector>

using namespace nnrt_test;

namespace {

// buffers: x (batch, 3), w (3), b (3), y (batch, 3), z (batch, 3)
void affineEntry(int64_t batch, void **buffers) {
  auto *x = static_cast<const float *>(buffers[0]);
  auto *w = static_cast<const float *>(buffers[1]);
  auto *b = static_cast<const float *>(buffers[2]);
  auto *y = static_cast<float *>(buffers[3]);
  auto *z = static_cast<float *>(buffers[4]);
  for (int64_t i = 0; i < batch; ++i)
    for (int j = 0; j < 3; ++j) {
      y[i * 3 + j] = x[i * 3 + j] * w[j] + b[j];
      z[i * 3 + j] = 2 * x[i * 3 + j];
    }
}

const char *kManifest = R"({"format": "nnc-artifact", "abi": 1,
 "models": [{"name": "affine",
  "inputs":  [{"name": "x", "shape": [-1, 3], "dtype": "f32"}],
  "outputs": [{"name": "output_0", "shape": [-1, 3], "dtype": "f32"},
              {"name": "output_1", "shape": [-1, 3], "dtype": "f32"}],
  "params":  [{"name": "scale.w", "shape": [3], "init": "ones",
               "trainable": true},
              {"name": "scale.b", "shape": [3], "init": "zeros",
               "trainable": false}],
  "layers":  [{"name": "scale", "type": "Scale", "shape": [-1, 3],
               "params": 6}],
  "entries": [{"kind": "infer", "symbol": "nnc_affine_infer", "buffers": [
    {"role": "input", "name": "x", "shape": [-1, 3], "dtype": "f32"},
    {"role": "param", "name": "scale.w", "shape": [3], "dtype": "f32"},
    {"role": "param", "name": "scale.b", "shape": [3], "dtype": "f32"},
    {"role": "output", "name": "output_0", "shape": [-1, 3], "dtype": "f32"},
    {"role": "output", "name": "output_1", "shape": [-1, 3], "dtype": "f32"}
  ]}]}]})";

const char *kEntryNames[] = {"affine.infer"};
const nnrt_entry_fn kEntries[] = {affineEntry};

nnc_artifact artifact(const char *manifest = kManifest, uint32_t abi = 1) {
  return nnc_artifact{abi, manifest, 1, kEntryNames, kEntries};
}

/// A manifest with `from` replaced by `to` (once).
std::string edit(const std::string &from, const std::string &to) {
  std::string m = kManifest;
  size_t at = m.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return m.replace(at, from.size(), to);
}

struct Model {
  nnrt_model *m;
  explicit Model(const nnc_artifact &a) : m(nnrt_model_open_linked(&a, nullptr)) {
    EXPECT_NE(m, nullptr);
  }
  ~Model() { nnrt_model_free(m); }
  operator nnrt_model *() { return m; }
};

nnrt_tensor *rows(std::vector<float> v) {
  int64_t shape[] = {static_cast<int64_t>(v.size() / 3), 3};
  nnrt_tensor *t = nnrt_tensor_new(2, shape, nullptr);
  std::copy(v.begin(), v.end(), nnrt_tensor_data(t));
  return t;
}

} // namespace

TEST(Manifest, ReadsInputsParamsOutputsAndLayers) {
  nnc_artifact a = artifact();
  Model m(a);
  EXPECT_STREQ(nnrt_model_name(m), "affine");
  EXPECT_EQ(nnrt_model_num_inputs(m), 1u);
  EXPECT_EQ(nnrt_model_input_features(m, 0), 3);
  EXPECT_EQ(nnrt_model_input_features(m, 1), -1);
  EXPECT_EQ(nnrt_model_input_rank(m, 0), 2u);
  EXPECT_EQ(nnrt_model_input_rank(m, 1), 0u);
  EXPECT_EQ(nnrt_model_input_dim(m, 0, 0), -1); // the batch
  EXPECT_EQ(nnrt_model_input_dim(m, 0, 1), 3);
  EXPECT_EQ(nnrt_model_input_dim(m, 0, 2), -1);
  EXPECT_EQ(nnrt_model_input_dim(m, 1, 1), -1);
  EXPECT_EQ(nnrt_model_num_outputs(m), 2u);
  EXPECT_STREQ(nnrt_model_output_name(m, 1), "output_1");
  EXPECT_EQ(nnrt_model_output_name(m, 2), nullptr);
  ASSERT_EQ(nnrt_model_num_params(m), 2u);
  EXPECT_STREQ(nnrt_model_param_name(m, 1), "scale.b");
  EXPECT_EQ(nnrt_model_total_params(m), 6);
  EXPECT_STREQ(nnrt_model_manifest(m), kManifest);

  char *text = nullptr;
  size_t size = 0;
  FILE *out = open_memstream(&text, &size);
  nnrt_model_print_summary(m, out);
  std::fclose(out);
  std::string summary(text, size);
  std::free(text);
  EXPECT_NE(summary.find("scale (Scale)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("(None, 3)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("Trainable params: 3\nNon-trainable params: 3"),
            std::string::npos)
      << summary;
}

TEST(Manifest, Errors) {
  struct Case {
    std::string manifest, message;
  } cases[] = {
      {"{\"models\": [", "corrupt manifest: "},
      {"{\"models\": []}", "the manifest lists no model"},
      {"[1, 2]", "the manifest lists no model"},
      {edit("\"name\": \"affine\",", ""),
       "corrupt manifest: model without name or entries"},
      // Kinds this runtime does not know are skipped; infer is required.
      {edit("\"kind\": \"infer\"", "\"kind\": \"later\""),
       "corrupt manifest: the artifact has no inference entry point"},
      {edit("\"role\": \"param\", \"name\": \"scale.w\", \"shape\": [3]",
            "\"role\": \"param\", \"name\": \"scale.w\", \"shape\": [-1]"),
       "corrupt manifest: buffer 'scale.w' of the infer entry has a batch "
       "dimension"},
      {edit("\"role\": \"input\", \"name\": \"x\", \"shape\": [-1, 3]",
            "\"role\": \"input\", \"name\": \"x\", \"shape\": [-1, \"3\"]"),
       "corrupt manifest: a buffer of the infer entry is malformed"},
      {edit("\"role\": \"param\", \"name\": \"scale.w\", \"shape\": [3]",
            "\"role\": \"param\", \"name\": \"scale.w\", \"shape\": [2.5]"),
       "corrupt manifest: a buffer of the infer entry is malformed"},
      {edit("\"role\": \"input\"", "\"role\": \"target\""),
       "corrupt manifest: the infer entry has a target buffer"},
      {edit("\"role\": \"output\", \"name\": \"output_0\", \"shape\": [-1, 3], \"dtype\": \"f32\"}",
            "\"role\": \"output\", \"name\": \"output_0\", \"shape\": [-1, 3], \"dtype\": \"f64\"}"),
       "corrupt manifest: buffer 'output_0' of the infer entry is f64; this "
       "runtime handles f32 only"},
      {edit("{\"name\": \"scale.b\"", "{\"name\": \"scale.c\""),
       "corrupt manifest: parameter 'scale.b' is not in the params list"},
      {edit("\"type\": \"Scale\",", ""),
       "corrupt manifest: a layer entry without name, type, shape or params"},
      {edit("\"entries\": [{", "\"entries\": [{\"kind\": \"infer\", "
            "\"symbol\": \"s\", \"buffers\": []}, {"),
       "corrupt manifest: two infer entries"},
  };
  for (const Case &c : cases) {
    nnc_artifact a = artifact(c.manifest.c_str());
    Status st;
    EXPECT_EQ(nnrt_model_open_linked(&a, st), nullptr) << c.manifest;
    EXPECT_EQ(st.message().rfind("linked model: " + c.message, 0), 0u)
        << st.message();
  }
}

TEST(Manifest, AbiVersionMismatch) {
  nnc_artifact a = artifact(kManifest, 7);
  Status st;
  EXPECT_EQ(nnrt_model_open_linked(&a, st), nullptr);
  EXPECT_EQ(st.message(), "linked model: artifact ABI version 7, this runtime "
                          "reads version 1; recompile the model");
  EXPECT_EQ(nnrt_model_open_linked(nullptr, st), nullptr);
  EXPECT_EQ(st.message(), "linked model: no artifact descriptor");
}

TEST(SharedModel, MissingFileAndForeignLibrary) {
  Status st;
  EXPECT_EQ(nnrt_model_open_shared("/nonexistent/m.so", st), nullptr);
  EXPECT_EQ(st.message().rfind("cannot load '/nonexistent/m.so': ", 0), 0u)
      << st.message();
  // A real shared library that nnc did not build.
  EXPECT_EQ(nnrt_model_open_shared("libm.so.6", st), nullptr);
  EXPECT_EQ(st.message(), "libm.so.6: not an nnc model (no nnc_artifact "
                          "symbol; build it with nnc --shared)");
  ScratchDir dir;
  std::string text = dir.write("fake.so", "not an ELF file");
  EXPECT_EQ(nnrt_model_open_shared(text.c_str(), st), nullptr);
  EXPECT_EQ(st.message().rfind("cannot load '" + text + "': ", 0), 0u)
      << st.message();
}

TEST(Run, EveryOutputAtAnyBatchSize) {
  nnc_artifact a = artifact();
  Model m(a);
  Status st;
  ASSERT_EQ(nnrt_model_init_params(m, 1, st), 0) << st.message();
  nnrt_tensor_data(nnrt_model_param(m, 1))[2] = 0.5f; // b = (0, 0, 0.5)
  for (int batch : {1, 7, 64}) {
    std::vector<float> v(batch * 3);
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = static_cast<float>(i);
    nnrt_tensor *x = rows(v);
    const nnrt_tensor *in[] = {x};
    nnrt_tensor *out[2] = {nullptr, nullptr};
    ASSERT_EQ(nnrt_model_run(m, in, 1, out, 2, st), 0) << st.message();
    ASSERT_EQ(nnrt_tensor_dim(out[0], 0), batch);
    for (size_t i = 0; i < v.size(); ++i) {
      EXPECT_EQ(nnrt_tensor_cdata(out[0])[i], v[i] + (i % 3 == 2 ? 0.5f : 0));
      EXPECT_EQ(nnrt_tensor_cdata(out[1])[i], 2 * v[i]);
    }
    nnrt_tensor *first = nnrt_model_predict(m, in, 1, st);
    ASSERT_NE(first, nullptr) << st.message();
    EXPECT_EQ(std::memcmp(nnrt_tensor_cdata(first), nnrt_tensor_cdata(out[0]),
                          v.size() * 4),
              0);
    for (nnrt_tensor *t : {x, out[0], out[1], first})
      nnrt_tensor_free(t);
  }
}

TEST(Run, Errors) {
  nnc_artifact a = artifact();
  Model m(a);
  Status st;
  nnrt_tensor *x = rows({1, 2, 3});
  const nnrt_tensor *in[] = {x, x};
  nnrt_tensor *out[2];
  EXPECT_EQ(nnrt_model_run(m, in, 2, out, 2, st), -1);
  EXPECT_EQ(st.message(), "model 'affine' takes 1 input(s), got 2");
  EXPECT_EQ(nnrt_model_run(m, in, 1, out, 1, st), -1);
  EXPECT_EQ(st.message(), "model 'affine' has 2 output(s), got room for 1");
  int64_t wrong[] = {1, 4};
  nnrt_tensor *y = nnrt_tensor_new(2, wrong, nullptr);
  const nnrt_tensor *bad[] = {y};
  EXPECT_EQ(nnrt_model_predict(m, bad, 1, st), nullptr);
  EXPECT_EQ(st.message(),
            "input 'x' has shape (1, 4) but model 'affine' expects (None, 3)");
  nnrt_tensor_free(x);
  nnrt_tensor_free(y);
}

TEST(Init, SeededReproducibleAndUnknownInitializer) {
  nnc_artifact a = artifact(
      edit("\"init\": \"ones\"", "\"init\": \"glorot_uniform\"").c_str());
  std::string manifest = edit("\"init\": \"ones\"", "\"init\": \"glorot_uniform\"");
  a.manifest = manifest.c_str();
  Model m1(a), m2(a), m3(a);
  Status st;
  ASSERT_EQ(nnrt_model_init_params(m1, 42, st), 0);
  ASSERT_EQ(nnrt_model_init_params(m2, 42, st), 0);
  ASSERT_EQ(nnrt_model_init_params(m3, 43, st), 0);
  const float *w1 = nnrt_tensor_cdata(nnrt_model_param(m1, 0));
  const float *w2 = nnrt_tensor_cdata(nnrt_model_param(m2, 0));
  const float *w3 = nnrt_tensor_cdata(nnrt_model_param(m3, 0));
  EXPECT_EQ(std::memcmp(w1, w2, 12), 0);
  EXPECT_NE(std::memcmp(w1, w3, 12), 0);
  // Glorot uniform for a (3) vector: fan_in = fan_out = 3, limit 1.
  for (int i = 0; i < 3; ++i)
    EXPECT_LE(std::abs(w1[i]), 1.0f);

  std::string odd = edit("\"init\": \"ones\"", "\"init\": \"magic\"");
  nnc_artifact b = artifact(odd.c_str());
  Model m4(b);
  EXPECT_EQ(nnrt_model_init_params(m4, 1, st), -1);
  EXPECT_EQ(st.message(),
            "parameter 'scale.w': unknown initializer 'magic'");
}

TEST(Weights, SafetensorsRoundTrip) {
  ScratchDir dir;
  nnc_artifact a = artifact();
  Model m(a), fresh(a);
  Status st;
  for (int i = 0; i < 3; ++i) {
    nnrt_tensor_data(nnrt_model_param(m, 0))[i] = 0.1f * i - 1.0f / 3;
    nnrt_tensor_data(nnrt_model_param(m, 1))[i] = 7.0f + i;
  }
  std::string p = dir.file("w.safetensors");
  ASSERT_EQ(nnrt_model_save_weights(m, p.c_str(), st), 0) << st.message();
  // The layout PyTorch and Hugging Face read: u64 header size, JSON, data at
  // an 8-byte boundary.
  std::string bytes = readAll(p);
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(bytes.size(), 8 + n + 24);
  EXPECT_NE(bytes.find("\"scale.w\":{\"dtype\":\"F32\",\"shape\":[3]"),
            std::string::npos);
  ASSERT_EQ(nnrt_model_load_weights(fresh, p.c_str(), st), 0) << st.message();
  for (size_t i = 0; i < 2; ++i)
    EXPECT_EQ(std::memcmp(nnrt_tensor_cdata(nnrt_model_param(m, i)),
                          nnrt_tensor_cdata(nnrt_model_param(fresh, i)), 12),
              0);
  EXPECT_EQ(nnrt_model_save_weights(m, dir.file("no/w.safetensors").c_str(),
                                    st),
            -1);
  EXPECT_NE(st.message().find("cannot write"), std::string::npos);
}

TEST(Weights, NameAndShapeMismatchesChangeNothing) {
  ScratchDir dir;
  nnc_artifact a = artifact();
  Model m(a);
  std::string error;
  auto file = [&](const char *name,
                  std::vector<nnrt::NamedTensor> tensors) {
    std::string p = dir.file(name);
    EXPECT_TRUE(nnrt::writeSafetensors(p, tensors, "", error)) << error;
    return p;
  };
  std::vector<float> three = {9, 9, 9};
  std::string extra = file("extra.st", {{"scale.w", {3}, three},
                                        {"scale.b", {3}, three},
                                        {"other.w", {3}, three}});
  std::string shape = file("shape.st", {{"scale.w", {1, 3}, three},
                                        {"scale.b", {3}, three}});
  std::string missing = file("missing.st", {{"scale.w", {3}, three}});
  Status st;
  EXPECT_EQ(nnrt_model_load_weights(m, extra.c_str(), st), -1);
  EXPECT_EQ(st.message(), extra + ": tensor 'other.w' is not a parameter of "
                                  "model 'affine'");
  EXPECT_EQ(nnrt_model_load_weights(m, shape.c_str(), st), -1);
  EXPECT_EQ(st.message(), shape + ": 'scale.w' has shape (1, 3) but model "
                                  "'affine' expects (3,)");
  EXPECT_EQ(nnrt_model_load_weights(m, missing.c_str(), st), -1);
  EXPECT_EQ(st.message(), missing + ": missing parameter 'scale.b' (3,)");
  for (size_t i = 0; i < 2; ++i)
    for (int k = 0; k < 3; ++k)
      EXPECT_EQ(nnrt_tensor_cdata(nnrt_model_param(m, i))[k], 0.0f);
}

TEST(Weights, CorruptSafetensors) {
  ScratchDir dir;
  auto header = [](const std::string &json, const std::string &data) {
    std::string out(8, '\0');
    uint64_t n = json.size();
    std::memcpy(out.data(), &n, 8);
    return out + json + data;
  };
  std::string four(12, '\0');
  struct Case {
    std::string bytes, message; // after "<path>: "
  } cases[] = {
      {"abc", "truncated: no safetensors header"},
      {std::string("\xff\0\0\0\0\0\0\0{}", 10),
       "corrupt: the header claims 255 bytes, the file has 2"},
      {header("{\"a\": ", ""), "corrupt header: "},
      {header("[1]", ""), "corrupt header: not a JSON object"},
      {header("{\"a\": {\"dtype\": \"F32\"}}", ""), "corrupt header entry 'a'"},
      {header("{\"a\": {\"dtype\": \"F16\", \"shape\": [3], "
              "\"data_offsets\": [0, 6]}}",
              "\0\0\0\0\0\0"),
       "'a' is F16; only F32 weights are supported"},
      {header("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], "
              "\"data_offsets\": [0, 16]}}",
              four),
       "corrupt or truncated data for 'a' (offsets 0..16, shape (4,), 12 "
       "data bytes)"},
      {header("{\"a\": {\"dtype\": \"F32\", \"shape\": [-3], "
              "\"data_offsets\": [0, 12]}}",
              four),
       "corrupt shape for 'a'"},
      {header("{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, "
              "4294967296], \"data_offsets\": [0, 12]}}",
              four),
       "corrupt shape for 'a'"},
      // Offsets no int64_t holds (the cast was undefined: found by
      // fuzz-checkpoint), a fraction, and a number JSON does not have.
      {header("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], "
              "\"data_offsets\": [0, 1e300]}}",
              four),
       "corrupt data offsets for 'a'"},
      {header("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], "
              "\"data_offsets\": [-9223372036854775809e10, 12]}}",
              four),
       "corrupt data offsets for 'a'"},
      {header("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], "
              "\"data_offsets\": [0.5, 12]}}",
              four),
       "corrupt data offsets for 'a'"},
      {header("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], "
              "\"data_offsets\": [0, inf]}}",
              four),
       "corrupt header: "},
  };
  int n = 0;
  for (const Case &c : cases) {
    std::string p = dir.write("c" + std::to_string(n++) + ".st", c.bytes);
    std::vector<nnrt::NamedTensor> out;
    std::string error;
    EXPECT_FALSE(nnrt::readSafetensors(p, out, error)) << c.message;
    EXPECT_EQ(error.rfind(p + ": " + c.message, 0), 0u) << error;
  }
}

TEST(Weights, NoTensorsIsStillValidSafetensors) {
  ScratchDir dir;
  std::string p = dir.file("empty.st"), error;
  ASSERT_TRUE(nnrt::writeSafetensors(p, {}, "{\"format\":\"pt\"}", error));
  std::vector<nnrt::NamedTensor> out;
  EXPECT_TRUE(nnrt::readSafetensors(p, out, error)) << error;
  EXPECT_TRUE(out.empty());
}
