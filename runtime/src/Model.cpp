//===- Model.cpp - loading an artifact and running it ---------------------===//
//
// Everything the runtime knows about a model comes from the manifest the
// artifact embeds: the entry point, the order and shapes of its buffers and
// the parameters with their initialisers. The model owns its parameters;
// predict() allocates the output for the batch it is given.
//
//===----------------------------------------------------------------------===//

#include "Init.h"
#include "ModelImpl.h"
#include "Json.h"
#include "Safetensors.h"

#include <dlfcn.h>

using namespace nnrt;

namespace {

/// A manifest shape: a list of integers >= -1 (-1 is the batch).
bool readShape(const Json *j, std::vector<int64_t> &shape) {
  if (!j || j->kind != Json::Array)
    return false;
  for (const Json &d : j->items) {
    if (!d.isNumber() || d.num < -1 || d.num != static_cast<double>(d.asInt()))
      return false;
    shape.push_back(d.asInt());
  }
  return true;
}

bool parseRole(const std::string &s, Role &role) {
  static const std::pair<const char *, Role> kRoles[] = {
      {"input", Role::Input}, {"target", Role::Target}, {"param", Role::Param},
      {"state", Role::State}, {"hyper", Role::Hyper},   {"output", Role::Output}};
  for (const auto &[name, r] : kRoles)
    if (s == name) {
      role = r;
      return true;
    }
  return false;
}

/// The train and eval entries: their buffers (with shapes) from the
/// manifest, their functions from the descriptor. "" or what is wrong.
/// The artifact's entry point named `label` ("iris.train", "u.def.g").
nnrt_entry_fn exportedEntry(const nnc_artifact *a, const std::string &label) {
  for (uint32_t i = 0; i < a->num_entries; ++i)
    if (label == a->entry_names[i])
      return a->entries[i];
  return nullptr;
}

/// Entries of kind "def": the model's functions, with inputs and
/// parameters as the inference entry has them and one output.
std::string readFunctionEntries(const Json &model, const nnc_artifact *a,
                                nnrt_model *out) {
  for (const Json &e : model.get("entries")->items) {
    const Json *kind = e.get("kind"), *name = e.get("name");
    if (!kind || kind->str != "def")
      continue;
    if (!name || name->kind != Json::String)
      return "a def entry without a name";
    Entry entry;
    entry.fn = exportedEntry(a, out->name + ".def." + name->str);
    if (!entry.fn)
      return "the manifest lists function '" + name->str +
             "' that the artifact does not export";
    const Json *buffers = e.get("buffers");
    if (!buffers || buffers->kind != Json::Array ||
        buffers->items.size() != out->buffers.size() -
                                     nnrt_model_num_outputs(out) + 1)
      return "function '" + name->str + "' has a malformed buffer list";
    size_t i = 0;
    for (const Json &b : buffers->items) {
      const Json *role = b.get("role"), *bname = b.get("name");
      std::vector<int64_t> shape;
      Role r;
      if (!role || !bname || !parseRole(role->str, r) ||
          !readShape(b.get("shape"), shape))
        return "a buffer of function '" + name->str + "' is malformed";
      // Inputs and parameters are the inference entry's, in its order.
      bool last = ++i == buffers->items.size();
      if (last ? r != Role::Output
               : (r != out->buffers[i - 1].role ||
                  shape != out->buffers[i - 1].shape))
        return "function '" + name->str +
               "' does not take the model's inputs and parameters";
      entry.buffers.push_back({r, bname->str, shape});
    }
    out->functions.emplace_back(name->str, std::move(entry));
  }
  return "";
}

std::string readTrainingEntries(const Json &model, const nnc_artifact *a,
                                nnrt_model *out) {
  const Json *train = model.get("train");
  if (!train)
    return "";
  TrainConfig &c = out->config;
  auto num = [&](const Json *o, const char *k, double &v) {
    if (const Json *j = o ? o->get(k) : nullptr; j && j->isNumber())
      v = j->num;
  };
  double batch = 32, epochs = 1;
  num(train, "batch_size", batch);
  num(train, "epochs", epochs);
  num(train, "validation_split", c.validationSplit);
  num(train->get("optimizer_config"), "learning_rate", c.learningRate);
  c.batchSize = static_cast<int64_t>(batch);
  c.epochs = static_cast<int64_t>(epochs);
  if (const Json *l = train->get("loss"))
    c.loss = l->str;
  if (const Json *o = train->get("optimizer"))
    c.optimizer = o->str;
  for (const Json &e : model.get("entries")->items) {
    const Json *kind = e.get("kind");
    if (!kind || (kind->str != "train" && kind->str != "eval"))
      continue;
    Entry &entry = kind->str == "train" ? out->train : out->eval;
    entry.fn = exportedEntry(a, out->name + "." + kind->str);
    if (!entry.fn)
      return "the manifest lists an '" + kind->str +
             "' entry that the artifact does not export";
    const Json *buffers = e.get("buffers");
    if (!buffers || buffers->kind != Json::Array)
      return "the " + kind->str + " entry has no buffer list";
    // The runtime hands these buffers to compiled code: every role must be
    // known and the parameters must be the model's, in the model's order.
    size_t param = 0, outputs = 0;
    for (const Json &b : buffers->items) {
      const Json *role = b.get("role"), *name = b.get("name");
      std::vector<int64_t> shape;
      Role r;
      if (!role || !name || !parseRole(role->str, r) ||
          !readShape(b.get("shape"), shape))
        return "a buffer of the " + kind->str + " entry is malformed";
      if (r == Role::Param &&
          (param >= out->params.size() ||
           out->params[param++].name != name->str))
        return "the " + kind->str + " entry's parameters are not the model's";
      if (r == Role::Hyper && name->str != "learning_rate" && name->str != "step")
        return "unknown hyper-parameter '" + name->str + "'";
      if (r == Role::Output && outputs++ > 0 && kind->str == "eval")
        out->metrics.push_back(name->str);
      entry.buffers.push_back({r, name->str, shape});
    }
    if (param != out->params.size())
      return "the " + kind->str + " entry's parameters are not the model's";
  }
  if (!out->train.fn || !out->eval.fn)
    return "a train section without train and eval entries";
  return "";
}

} // namespace

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

/// Opens model `wanted` of the artifact (its first when NULL).
static nnrt_model *openArtifact(const nnc_artifact *a, void *library,
                                const std::string &where, const char *wanted,
                                nnrt_status *status) {
  auto fail = [&](const std::string &m) {
    if (library)
      dlclose(library);
    return failNull<nnrt_model>(status, where + ": " + m);
  };
  if (!a)
    return fail("no artifact descriptor");
  if (a->abi_version != NNRT_ABI_VERSION)
    return fail("artifact ABI version " + std::to_string(a->abi_version) +
                ", this runtime reads version " +
                std::to_string(NNRT_ABI_VERSION) + "; recompile the model");
  Json m;
  std::string error;
  if (!parseJson(a->manifest, m, error))
    return fail("corrupt manifest: " + error);
  const Json *models = m.get("models");
  if (!models || models->kind != Json::Array || models->items.empty())
    return fail("the manifest lists no model");
  const Json *chosen = &models->items[0];
  if (wanted) {
    chosen = nullptr;
    for (const Json &candidate : models->items)
      if (const Json *n = candidate.get("name"); n && n->str == wanted)
        chosen = &candidate;
    if (!chosen)
      return fail(std::string("the artifact has no model '") + wanted + "'");
  }
  const Json &model = *chosen;
  const Json *name = model.get("name");
  const Json *entries = model.get("entries");
  if (!name || !entries || entries->kind != Json::Array)
    return fail("corrupt manifest: model without name or entries");

  auto *out = new nnrt_model;
  out->name = name->str;
  out->manifest = a->manifest;
  out->library = library;
  for (const Json &e : entries->items) {
    const Json *kind = e.get("kind");
    if (!kind || kind->str != "infer")
      continue;
    out->infer = exportedEntry(a, out->name + ".infer");
  }
  if (!out->infer) {
    out->library = nullptr;
    delete out;
    return fail("the artifact has no inference entry point");
  }
  // Buffers in call order: inputs, parameters, outputs (see the manifest's
  // entries[].buffers); shapes come from the typed lists.
  std::string bad;
  auto collect = [&](const char *list, Role role) {
    const Json *l = model.get(list);
    if (!l)
      return;
    if (l->kind != Json::Array) {
      bad = std::string("'") + list + "' is not a list";
      return;
    }
    for (const Json &b : l->items) {
      const Json *bname = b.get("name");
      std::vector<int64_t> shape;
      if (!bname || bname->kind != Json::String ||
          !readShape(b.get("shape"), shape)) {
        bad = std::string("an entry of '") + list +
              "' has no name or a malformed shape";
        return;
      }
      out->buffers.push_back({role, bname->str, shape});
      if (role == Role::Param) {
        Param p;
        p.name = bname->str;
        p.init = b.get("init") ? b.get("init")->str : "zeros";
        p.trainable = !b.get("trainable") || b.get("trainable")->b;
        for (int64_t d : shape)
          if (d < 0)
            bad = "parameter '" + p.name + "' has a batch dimension";
        if (!bad.empty())
          return;
        p.value = makeTensor(shape);
        out->params.push_back(p);
      }
    }
  };
  collect("inputs", Role::Input);
  collect("params", Role::Param);
  collect("outputs", Role::Output);
  if (const Json *layers = model.get("layers"); layers && bad.empty()) {
    for (const Json &l : layers->items) {
      const Json *lname = l.get("name"), *type = l.get("type"),
                 *params = l.get("params");
      std::vector<int64_t> shape;
      if (!lname || !type || !params || !params->isNumber() ||
          !readShape(l.get("shape"), shape)) {
        bad = "a layer entry without name, type, shape or params";
        break;
      }
      out->layers.push_back({lname->str, type->str, shape, params->asInt()});
    }
  }
  if (bad.empty())
    bad = readTrainingEntries(model, a, out);
  if (bad.empty())
    bad = readFunctionEntries(model, a, out);
  if (!bad.empty()) {
    out->library = nullptr;
    delete out;
    return fail("corrupt manifest: " + bad);
  }
  return out;
}

extern "C" {

nnrt_model *nnrt_model_open_linked(const nnc_artifact *artifact,
                                   nnrt_status *status) {
  return openArtifact(artifact, nullptr, "linked model", nullptr, status);
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
const char *nnrt_model_name(const nnrt_model *m) { return m->name.c_str(); }
const char *nnrt_model_manifest(const nnrt_model *m) {
  return m->manifest.c_str();
}

size_t nnrt_model_num_inputs(const nnrt_model *m) {
  size_t n = 0;
  for (const Buffer &b : m->buffers)
    n += b.role == Role::Input;
  return n;
}

int64_t nnrt_model_input_features(const nnrt_model *m, size_t i) {
  for (const Buffer &b : m->buffers)
    if (b.role == Role::Input && i-- == 0)
      return product(b.shape, 1);
  return -1;
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
  for (const Buffer &b : m->buffers)
    n += b.role == Role::Output;
  return n;
}

const char *nnrt_model_output_name(const nnrt_model *m, size_t i) {
  for (const Buffer &b : m->buffers)
    if (b.role == Role::Output && i-- == 0)
      return b.name.c_str();
  return nullptr;
}

/// Runs an entry that takes the model's inputs and parameters and
/// writes outputs (inference, or one of the model's functions).
static int runEntry(nnrt_model *m, nnrt_entry_fn fn,
                    const std::vector<Buffer> &buffers,
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
  return runEntry(m, m->infer, m->buffers, inputs, numInputs, outputs,
                  status);
}

size_t nnrt_model_num_functions(const nnrt_model *m) {
  return m->functions.size();
}

const char *nnrt_model_function_name(const nnrt_model *m, size_t i) {
  return i < m->functions.size() ? m->functions[i].first.c_str() : nullptr;
}

nnrt_tensor *nnrt_model_predict_function(nnrt_model *m, const char *name,
                                         const nnrt_tensor *const *inputs,
                                         size_t numInputs,
                                         nnrt_status *status) {
  for (const auto &[fname, entry] : m->functions) {
    if (fname != name)
      continue;
    nnrt_tensor *out = nullptr;
    if (runEntry(m, entry.fn, entry.buffers, inputs, numInputs, &out, status))
      return nullptr;
    return out;
  }
  std::string known;
  for (const auto &f : m->functions)
    known += (known.empty() ? "" : ", ") + f.first;
  return failNull<nnrt_tensor>(
      status, "model '" + m->name + "' has no function '" + name + "'" +
                  (known.empty() ? std::string(" (it has none: a def taking "
                                               "its inputs and applying it "
                                               "is one)")
                                 : "; it has: " + known));
}

static int runEntry(nnrt_model *m, nnrt_entry_fn fn,
                    const std::vector<Buffer> &buffers,
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
  for (const Buffer &b : buffers) {
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
    fn(batch, ptrs.data());
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
  const int w1 = 30, w2 = 24, w3 = 12;
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
