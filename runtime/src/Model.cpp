//===- Model.cpp - opening an artifact and running inference -------------===//
//
// Everything the runtime knows about a model comes from the manifest the
// artifact embeds (read by ManifestReader.cpp). The model owns its
// parameters; predict() allocates the output for the batch it is given.
//
//===----------------------------------------------------------------------===//

#include "Init.h"
#include "Json.h"
#include "ModelImpl.h"
#include "Safetensors.h"

#include <algorithm>
#include <dlfcn.h>

using namespace nnrt;

int64_t nnrt::product(const std::vector<int64_t> &shape, int64_t batch) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d < 0 ? batch : d;
  return n;
}

nnrt_model::~nnrt_model() {
  for (Param &p : params)
    delete p.value;
  if (library)
    dlclose(library);
}

extern "C" {

nnrt_model *nnrt_model_open_linked(const nnc_artifact *artifact,
                                   nnrt_status *status) {
  return openArtifact(artifact, nullptr, "linked model", nullptr, status);
}

nnrt_model *nnrt_model_open_linked_named(const nnc_artifact *artifact,
                                         const char *name,
                                         nnrt_status *status) {
  return openArtifact(artifact, nullptr, "linked model", name, status);
}

nnrt_model *nnrt_model_open_shared(const char *path, nnrt_status *status) {
  return nnrt_model_open_shared_named(path, nullptr, status);
}

nnrt_model *nnrt_model_open_shared_named(const char *path, const char *name,
                                         nnrt_status *status) {
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return failNull<nnrt_model>(status, std::string("cannot load '") + path +
                                            "': " + dlerror());
  auto *a = static_cast<const nnc_artifact *>(dlsym(lib, "nnc_artifact"));
  if (!a) {
    dlclose(lib);
    return failNull<nnrt_model>(status, std::string(path) +
                                            ": not an nnc model (no "
                                            "nnc_artifact symbol; build it "
                                            "with nnc --shared)");
  }
  return openArtifact(a, lib, path, name, status);
}

void nnrt_model_free(nnrt_model *m) { delete m; }

// The pool itself is Parallel.cpp's, which the compiled kernels call.
int64_t nnc_parallel_threads(void);
void nnc_parallel_set_threads(int64_t n);
void nnrt_set_num_threads(int n) { nnc_parallel_set_threads(n); }
int nnrt_num_threads(void) { return static_cast<int>(nnc_parallel_threads()); }
const char *nnrt_model_name(const nnrt_model *m) { return m->name.c_str(); }
const char *nnrt_model_manifest(const nnrt_model *m) {
  return m->manifest.c_str();
}

size_t nnrt_model_num_inputs(const nnrt_model *m) {
  size_t n = 0;
  for (const Buffer &b : m->infer.buffers)
    n += b.role == Role::Input;
  return n;
}

int64_t nnrt_model_input_features(const nnrt_model *m, size_t i) {
  for (const Buffer &b : m->infer.buffers)
    if (b.role == Role::Input && i-- == 0)
      return product(b.shape, 1);
  return -1;
}

size_t nnrt_model_input_rank(const nnrt_model *m, size_t i) {
  for (const Buffer &b : m->infer.buffers)
    if (b.role == Role::Input && i-- == 0)
      return b.shape.size();
  return 0;
}

int64_t nnrt_model_input_dim(const nnrt_model *m, size_t i, size_t d) {
  for (const Buffer &b : m->infer.buffers)
    if (b.role == Role::Input && i-- == 0)
      return d > 0 && d < b.shape.size() ? b.shape[d] : -1;
  return -1;
}

const char *nnrt_model_input_name(const nnrt_model *m, size_t i) {
  for (const Buffer &b : m->infer.buffers)
    if (b.role == Role::Input && i-- == 0)
      return b.name.c_str();
  return nullptr;
}

size_t nnrt_model_num_params(const nnrt_model *m) { return m->params.size(); }
const char *nnrt_model_param_name(const nnrt_model *m, size_t i) {
  return m->params[i].name.c_str();
}
nnrt_tensor *nnrt_model_param(nnrt_model *m, size_t i) {
  return m->params[i].value;
}
int64_t nnrt_model_total_params(const nnrt_model *m) {
  int64_t n = 0;
  for (const Param &p : m->params)
    n += nnrt_tensor_size(p.value);
  return n;
}

int nnrt_model_init_params(nnrt_model *m, uint64_t seed, nnrt_status *status) {
  for (Param &p : m->params)
    if (!initialize(p.init, p.value->shape, seed, p.name, p.value->data))
      return fail(status, "parameter '" + p.name +
                              "': unknown initializer '" + p.init + "'");
  return 0;
}

int nnrt_model_load_weights(nnrt_model *m, const char *path,
                            nnrt_status *status) {
  std::vector<NamedTensor> tensors;
  std::string error;
  if (!readSafetensors(path, tensors, error))
    return fail(status, error);
  // Check everything before changing anything: a failed load leaves the
  // model as it was.
  std::vector<const NamedTensor *> match(m->params.size(), nullptr);
  for (const NamedTensor &t : tensors) {
    size_t i = 0;
    while (i < m->params.size() && m->params[i].name != t.name)
      ++i;
    if (i == m->params.size())
      return fail(status, std::string(path) + ": tensor '" + t.name +
                              "' is not a parameter of model '" + m->name +
                              "'");
    if (t.shape != m->params[i].value->shape)
      return fail(status, std::string(path) + ": '" + t.name +
                              "' has shape " + formatShape(t.shape) +
                              " but model '" + m->name + "' expects " +
                              formatShape(m->params[i].value->shape));
    match[i] = &t;
  }
  for (size_t i = 0; i < match.size(); ++i)
    if (!match[i])
      return fail(status, std::string(path) + ": missing parameter '" +
                              m->params[i].name + "' " +
                              formatShape(m->params[i].value->shape));
  for (size_t i = 0; i < match.size(); ++i)
    m->params[i].value->data = match[i]->data;
  return 0;
}

int nnrt_model_save_weights(const nnrt_model *m, const char *path,
                            nnrt_status *status) {
  std::vector<NamedTensor> tensors;
  for (const Param &p : m->params)
    tensors.push_back({p.name, p.value->shape, p.value->data});
  std::string error;
  if (!writeSafetensors(path, tensors,
                        "{\"format\":\"pt\",\"model\":" + quoteJson(m->name) +
                            "}",
                        error))
    return fail(status, error);
  return 0;
}

size_t nnrt_model_num_outputs(const nnrt_model *m) {
  size_t n = 0;
  for (const Buffer &b : m->infer.buffers)
    n += b.role == Role::Output;
  return n;
}

const char *nnrt_model_output_name(const nnrt_model *m, size_t i) {
  for (const Buffer &b : m->infer.buffers)
    if (b.role == Role::Output && i-- == 0)
      return b.name.c_str();
  return nullptr;
}

/// Runs an entry that takes the model's inputs and parameters and
/// writes outputs (inference, or one of the model's functions).
static int runEntry(nnrt_model *m, const Entry &entry,
                    const nnrt_tensor *const *inputs, size_t numInputs,
                    nnrt_tensor **outputs, nnrt_status *status);

int nnrt_model_run(nnrt_model *m, const nnrt_tensor *const *inputs,
                   size_t numInputs, nnrt_tensor **outputs,
                   size_t numOutputs, nnrt_status *status) {
  if (numOutputs != nnrt_model_num_outputs(m))
    return fail(status, "model '" + m->name + "' has " +
                            std::to_string(nnrt_model_num_outputs(m)) +
                            " output(s), got room for " +
                            std::to_string(numOutputs));
  return runEntry(m, m->infer, inputs, numInputs, outputs, status);
}

size_t nnrt_model_num_functions(const nnrt_model *m) {
  return m->functions.size();
}

const char *nnrt_model_function_name(const nnrt_model *m, size_t i) {
  return i < m->functions.size() ? m->functions[i].name.c_str() : nullptr;
}

nnrt_tensor *nnrt_model_predict_function(nnrt_model *m, const char *name,
                                         const nnrt_tensor *const *inputs,
                                         size_t numInputs,
                                         nnrt_status *status) {
  for (const Entry &entry : m->functions) {
    if (entry.name != name)
      continue;
    nnrt_tensor *out = nullptr;
    if (runEntry(m, entry, inputs, numInputs, &out, status))
      return nullptr;
    return out;
  }
  std::string known;
  for (const auto &f : m->functions)
    known += (known.empty() ? "" : ", ") + f.name;
  return failNull<nnrt_tensor>(
      status, "model '" + m->name + "' has no function '" + name + "'" +
                  (known.empty() ? std::string(" (it has none: a def taking "
                                               "its inputs and applying it "
                                               "is one)")
                                 : "; it has: " + known));
}

static int runEntry(nnrt_model *m, const Entry &entry,
                    const nnrt_tensor *const *inputs, size_t numInputs,
                    nnrt_tensor **outputs, nnrt_status *status) {
  if (numInputs != nnrt_model_num_inputs(m))
    return fail(status, "model '" + m->name + "' takes " +
                            std::to_string(nnrt_model_num_inputs(m)) +
                            " input(s), got " + std::to_string(numInputs));
  int64_t batch = numInputs ? (inputs[0]->shape.empty() ? 0
                                                        : inputs[0]->shape[0])
                            : 1;
  std::vector<void *> ptrs;
  std::vector<nnrt_tensor *> made;
  size_t in = 0, param = 0;
  for (const Buffer &b : entry.buffers) {
    std::vector<int64_t> shape = b.shape;
    for (int64_t &d : shape)
      if (d < 0)
        d = batch;
    if (b.role == Role::Input) {
      const nnrt_tensor *t = inputs[in++];
      if (t->shape != shape) {
        for (nnrt_tensor *o : made)
          delete o;
        return fail(status, "input '" + b.name + "' has shape " +
                                formatShape(t->shape) + " but model '" +
                                m->name + "' expects " +
                                formatShape(b.shape));
      }
      ptrs.push_back(const_cast<float *>(t->data.data()));
    } else if (b.role == Role::Param) {
      ptrs.push_back(m->params[param++].value->data.data());
    } else {
      made.push_back(makeTensor(shape));
      ptrs.push_back(made.back()->data.data());
    }
  }
  if (batch > 0)
    entry.call(batch, ptrs.data());
  for (size_t i = 0; i < made.size(); ++i)
    outputs[i] = made[i];
  return 0;
}

nnrt_tensor *nnrt_model_predict(nnrt_model *m,
                                const nnrt_tensor *const *inputs,
                                size_t numInputs, nnrt_status *status) {
  std::vector<nnrt_tensor *> outputs(nnrt_model_num_outputs(m), nullptr);
  if (outputs.empty())
    return failNull<nnrt_tensor>(status,
                                 "model '" + m->name + "' has no output");
  if (nnrt_model_run(m, inputs, numInputs, outputs.data(), outputs.size(),
                     status))
    return nullptr;
  for (size_t i = 1; i < outputs.size(); ++i)
    delete outputs[i];
  return outputs[0];
}

void nnrt_model_print_summary(const nnrt_model *m, FILE *out) {
  // Keras' column widths, widened to fit the longest entry (names such as
  // "max_pooling2d_1 (MaxPooling2D)" exceed 30) with a space before the next.
  int w1 = 30, w2 = 24;
  const int w3 = 12;
  for (const Layer &l : m->layers) {
    w1 = std::max<int>(w1, l.name.size() + l.type.size() + 4);
    w2 = std::max<int>(w2, formatShape(l.shape).size() + 1);
  }
  std::string rule(w1 + w2 + w3, '-'), thick(w1 + w2 + w3, '=');
  std::fprintf(out, "Model: \"%s\"\n%s\n", m->name.c_str(), rule.c_str());
  std::fprintf(out, "%-*s%-*s%*s\n%s\n", w1, "Layer (type)", w2,
               "Output Shape", w3, "Param #", thick.c_str());
  for (const Layer &l : m->layers) {
    std::string first = l.name + " (" + l.type + ")";
    std::fprintf(out, "%-*s%-*s%*lld\n", w1, first.c_str(), w2,
                 formatShape(l.shape).c_str(), w3,
                 static_cast<long long>(l.params));
  }
  int64_t total = nnrt_model_total_params(m), trainable = 0;
  for (const Param &p : m->params)
    if (p.trainable)
      trainable += nnrt_tensor_size(p.value);
  std::fprintf(out,
               "%s\nTotal params: %lld\nTrainable params: %lld\n"
               "Non-trainable params: %lld\n%s\n",
               thick.c_str(), static_cast<long long>(total),
               static_cast<long long>(trainable),
               static_cast<long long>(total - trainable), rule.c_str());
}

} // extern "C"
