//===- ManifestReader.cpp - an artifact's manifest as an nnrt_model -------===//
//
// The manifest (docs/artifacts.md) describes every entry point the same
// way: kind, symbol, and its buffers in call order with role, name, shape
// and element type. This reads each entry through that one description
// and then checks what each kind promises the rest of the runtime:
//
//   infer   inputs, parameters, outputs (the parameters define the model's)
//   train   inputs, targets, the model's parameters in order, optimizer
//           state, hyper-parameters (learning_rate, step); loss and metrics
//   eval    inputs, targets, parameters; loss and metrics
//   def     the inference entry's inputs and parameters; one output
//
// The manifest is untrusted input when a shared library is loaded, so
// nothing here assumes more than it checks.
//
//===----------------------------------------------------------------------===//

#include "Json.h"
#include "ModelImpl.h"

#include <algorithm>
#include <cmath>
#include <dlfcn.h>

using namespace nnrt;

namespace {

/// A manifest shape: at most 8 integers >= -1 (-1 is the batch) whose
/// product without the batch is at most kMaxElements.
bool readShape(const Json *j, std::vector<int64_t> &shape) {
  if (!j || j->kind != Json::Array || j->items.size() > 8)
    return false;
  int64_t elements = 1;
  for (const Json &d : j->items) {
    int64_t n = 0;
    if (!d.asInt(n) || n < -1 || n > kMaxElements)
      return false;
    if (n > 0 && elements > kMaxElements / n)
      return false;
    elements *= n < 0 ? 1 : n;
    shape.push_back(n);
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

/// The artifact's entry point named `label` ("iris.train", "u.def.g").
nnrt_entry_fn exportedEntry(const nnc_artifact *a, const std::string &label) {
  for (uint32_t i = 0; i < a->num_entries; ++i)
    if (a->entry_names[i] && label == a->entry_names[i])
      return a->entries[i];
  return nullptr;
}

/// One entry of `entries[]`, any kind. "" or what is wrong.
std::string readEntry(const Json &e, const nnc_artifact *a,
                      const std::string &model, Entry &out) {
  const Json *kind = e.get("kind"), *name = e.get("name");
  if (!kind || kind->kind != Json::String)
    return "an entry without a kind";
  out.kind = kind->str;
  if (name) {
    if (name->kind != Json::String)
      return "a " + out.kind + " entry with a malformed name";
    out.name = name->str;
  }
  if (out.kind == "def" && out.name.empty())
    return "a def entry without a name";
  std::string label =
      model + "." + out.kind + (out.name.empty() ? "" : "." + out.name);
  std::string what = "the " + out.kind + " entry" +
                     (out.name.empty() ? "" : " '" + out.name + "'");
  out.fn = exportedEntry(a, label);
  out.cudaFn = exportedEntry(a, label + "@cuda");
  if (!out.fn)
    return "the manifest lists " + what + " that the artifact does not export";
  const Json *buffers = e.get("buffers");
  if (!buffers || buffers->kind != Json::Array)
    return what + " has no buffer list";
  for (const Json &b : buffers->items) {
    const Json *role = b.get("role"), *bname = b.get("name"),
               *dtype = b.get("dtype");
    std::vector<int64_t> shape;
    Role r;
    if (!role || !bname || bname->kind != Json::String ||
        !parseRole(role->str, r) || !readShape(b.get("shape"), shape))
      return "a buffer of " + what + " is malformed";
    // Compiled code reads these pointers as the dtype says; the runtime's
    // tensors are f32 (nnc rejects other element types at the .nn line).
    if (dtype && dtype->str != "f32")
      return "buffer '" + bname->str + "' of " + what + " is " + dtype->str +
             "; this runtime handles f32 only";
    if ((r == Role::Param || r == Role::State || r == Role::Hyper) &&
        std::count(shape.begin(), shape.end(), -1))
      return "buffer '" + bname->str + "' of " + what +
             " has a batch dimension";
    // Parameters and optimizer slots are saved and loaded by name, and the
    // data arrays are matched by name: each name once (fuzz-manifest found
    // a model with two parameters 'w').
    if (r != Role::Output && r != Role::Hyper)
      for (const Buffer &seen : out.buffers)
        if (seen.role == r && seen.name == bname->str)
          return what + " has two " + role->str + " buffers named '" +
                 bname->str + "'";
    out.buffers.push_back({r, bname->str, shape});
  }
  return "";
}

/// The parameters of `e`, in order.
std::vector<std::string> paramNames(const Entry &e) {
  std::vector<std::string> names;
  for (const Buffer &b : e.buffers)
    if (b.role == Role::Param)
      names.push_back(b.name);
  return names;
}

/// The model's parameters from the inference entry; initialisers and
/// trainability from the `params` list.
std::string readParams(const Json &model, nnrt_model *out) {
  const Json *list = model.get("params");
  for (const Buffer &b : out->infer.buffers) {
    if (b.role != Role::Param)
      continue;
    const Json *described = nullptr;
    if (list && list->kind == Json::Array)
      for (const Json &p : list->items)
        if (const Json *n = p.get("name"); n && n->str == b.name)
          described = &p;
    if (!described)
      return "parameter '" + b.name + "' is not in the params list";
    Param p;
    p.name = b.name;
    const Json *init = described->get("init"),
               *trainable = described->get("trainable");
    p.init = init ? init->str : "zeros";
    p.trainable = !trainable || trainable->b;
    p.value = makeTensor(b.shape);
    out->params.push_back(p);
  }
  return "";
}

std::string readLayers(const Json &model, nnrt_model *out) {
  const Json *layers = model.get("layers");
  if (!layers)
    return "";
  if (layers->kind != Json::Array)
    return "'layers' is not a list";
  for (const Json &l : layers->items) {
    const Json *lname = l.get("name"), *type = l.get("type"),
               *params = l.get("params");
    std::vector<int64_t> shape;
    int64_t count = 0;
    if (!lname || !type || !params || !params->asInt(count) || count < 0 ||
        !readShape(l.get("shape"), shape))
      return "a layer entry without name, type, shape or params";
    out->layers.push_back({lname->str, type->str, shape, count});
  }
  return "";
}

/// The train settings, range-checked before any conversion (a .nn file
/// may say `batch: 9223372036854775807`). "" or what is wrong.
std::string readTrainConfig(const Json &train, TrainConfig &c) {
  auto num = [&](const Json *o, const char *k, double &v) {
    if (const Json *j = o ? o->get(k) : nullptr; j && j->isNumber())
      v = j->num;
  };
  double batch = 32, epochs = 1;
  num(&train, "batch_size", batch);
  num(&train, "epochs", epochs);
  num(&train, "validation_split", c.validationSplit);
  num(train.get("optimizer_config"), "learning_rate", c.learningRate);
  const double kMax = 9007199254740992.0; // 2^53
  if (!(batch >= 1 && batch <= kMax && batch == std::floor(batch)))
    return "batch_size must be an integer in [1, 2^53]";
  if (!(epochs >= 0 && epochs <= kMax && epochs == std::floor(epochs)))
    return "epochs must be an integer in [0, 2^53]";
  if (!(c.validationSplit >= 0 && c.validationSplit < 1))
    return "validation_split must be in [0, 1)";
  if (!(c.learningRate >= 0 && std::isfinite(c.learningRate)))
    return "learning_rate must be a finite number >= 0";
  c.batchSize = static_cast<int64_t>(batch);
  c.epochs = static_cast<int64_t>(epochs);
  // One loss name for every output, or one per output.
  if (const Json *l = train.get("loss")) {
    c.loss = l->str;
    for (const Json &item : l->items)
      c.losses.push_back(item.str);
  }
  if (const Json *o = train.get("optimizer"))
    c.optimizer = o->str;
  return "";
}

/// What each kind of entry promises (see the file comment).
std::string checkEntry(const Entry &e, nnrt_model *out) {
  std::string what = "the " + e.kind + " entry" +
                     (e.name.empty() ? "" : " '" + e.name + "'");
  if (e.kind == "def") {
    std::vector<const Buffer *> taken;
    for (const Buffer &b : out->infer.buffers)
      if (b.role != Role::Output)
        taken.push_back(&b);
    bool same = e.buffers.size() == taken.size() + 1 &&
                e.buffers.back().role == Role::Output;
    for (size_t i = 0; same && i < taken.size(); ++i)
      same = e.buffers[i].role == taken[i]->role &&
             e.buffers[i].shape == taken[i]->shape;
    if (!same)
      return what + " does not take the model's inputs and parameters and "
                    "return one output";
    return "";
  }
  if (paramNames(e) != paramNames(out->infer))
    return what + "'s parameters are not the model's";
  bool training = e.kind == "train" || e.kind == "eval";
  size_t outputs = 0;
  static const char *const kRoleNames[] = {"input", "target", "param",
                                           "state", "hyper", "output"};
  for (const Buffer &b : e.buffers) {
    // What each kind may take: the runtime has nothing else to pass.
    bool allowed = b.role == Role::Input || b.role == Role::Param ||
                   b.role == Role::Output ||
                   (training && b.role == Role::Target) ||
                   (e.kind == "train" &&
                    (b.role == Role::State || b.role == Role::Hyper));
    if (!allowed)
      return what + " has a " + kRoleNames[static_cast<int>(b.role)] +
             " buffer";
    if (b.role == Role::Hyper && b.name != "learning_rate" && b.name != "step")
      return "unknown hyper-parameter '" + b.name + "'";
    if (b.role == Role::Output && outputs++ > 0 && e.kind == "eval")
      out->metrics.push_back(b.name);
  }
  if (training && outputs == 0)
    return what + " reports no loss";
  return "";
}

/// The trainer feeds train and eval the same batch (its inputs, then its
/// targets, in that order) and reads the same loss and metrics from both:
/// their data buffers and outputs must agree, or a call would read or write
/// past what the runtime allocated.
std::string checkTrainMatchesEval(const Entry &train, const Entry &eval) {
  auto data = [](const Entry &e, Role role) {
    std::vector<std::vector<int64_t>> shapes;
    for (const Buffer &b : e.buffers)
      if (b.role == role)
        shapes.push_back(b.shape);
    return shapes;
  };
  for (Role role : {Role::Input, Role::Target})
    if (data(train, role) != data(eval, role))
      return std::string("the train and eval entries take different ") +
             (role == Role::Input ? "inputs" : "targets");
  if (data(train, Role::Input).empty())
    return "the train entry takes no input";
  for (const Entry *e : {&train, &eval}) {
    bool targetSeen = false;
    for (const Buffer &b : e->buffers) {
      if (b.role == Role::Input && targetSeen)
        return "the " + e->kind + " entry takes a target before an input";
      targetSeen |= b.role == Role::Target;
    }
  }
  if (data(train, Role::Output).size() != data(eval, Role::Output).size())
    return "the train and eval entries report different numbers of values";
  for (const Entry *e : {&train, &eval})
    for (const std::vector<int64_t> &shape : data(*e, Role::Output))
      if (!shape.empty())
        return "the " + e->kind + " entry's loss and metrics must be scalars";
  return "";
}

std::string readModel(const Json &model, const nnc_artifact *a,
                      nnrt_model *out) {
  std::vector<Entry> entries;
  for (const Json &e : model.get("entries")->items) {
    // Kinds a later compiler adds are skipped: this runtime cannot use
    // them, and the ones it can use are complete without them.
    const Json *kind = e.get("kind");
    static const char *const kKnown[] = {"infer", "train", "eval", "def"};
    if (kind && kind->kind == Json::String &&
        std::find(std::begin(kKnown), std::end(kKnown), kind->str) ==
            std::end(kKnown))
      continue;
    Entry entry;
    if (std::string bad = readEntry(e, a, out->name, entry); !bad.empty())
      return bad;
    entries.push_back(std::move(entry));
  }
  for (Entry &e : entries) {
    Entry *slot = e.kind == "infer"   ? &out->infer
                  : e.kind == "train" ? &out->train
                  : e.kind == "eval"  ? &out->eval
                                      : nullptr;
    if (slot && slot->fn)
      return "two " + e.kind + " entries";
    if (slot)
      *slot = std::move(e);
    else
      out->functions.push_back(std::move(e));
  }
  if (!out->infer.fn)
    return "the artifact has no inference entry point";
  if (std::string bad = readParams(model, out); !bad.empty())
    return bad;
  for (Entry *e : {&out->infer, &out->train, &out->eval})
    if (e->fn)
      if (std::string bad = checkEntry(*e, out); !bad.empty())
        return bad;
  for (const Entry &f : out->functions)
    if (std::string bad = checkEntry(f, out); !bad.empty())
      return bad;
  if (std::string bad = readLayers(model, out); !bad.empty())
    return bad;
  // Without a train section the model only infers (train and eval entries,
  // if any, are not used).
  const Json *train = model.get("train");
  if (!train) {
    out->train = out->eval = Entry();
    out->metrics.clear();
    return "";
  }
  if (std::string bad = readTrainConfig(*train, out->config); !bad.empty())
    return bad;
  if (!out->train.fn || !out->eval.fn)
    return "a train section without train and eval entries";
  return checkTrainMatchesEval(out->train, out->eval);
}

} // namespace

nnrt_model *nnrt::openArtifact(const nnc_artifact *a, void *library,
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
  const Json *name = chosen->get("name"), *entries = chosen->get("entries");
  if (!name || name->kind != Json::String || !entries ||
      entries->kind != Json::Array)
    return fail("corrupt manifest: model without name or entries");

  auto *out = new nnrt_model;
  out->name = name->str;
  out->manifest = a->manifest;
  std::string bad = readModel(*chosen, a, out);
  if (!bad.empty()) {
    delete out;
    return fail("corrupt manifest: " + bad);
  }
  out->library = library;
  if (library) {
    auto set = reinterpret_cast<void (*)(int64_t)>(
        dlsym(library, "nnc_parallel_set_threads"));
    out->infer.setLibraryThreads = out->train.setLibraryThreads =
        out->eval.setLibraryThreads = set;
    for (Entry &f : out->functions)
      f.setLibraryThreads = set;
  }
  return out;
}
