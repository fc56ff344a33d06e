//===- Manifest.cpp - what an artifact says about itself ------------------===//

#include "compiler/Target/Manifest.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace json = llvm::json;

LogicalResult nnc::checkArtifactElementTypes(ModuleOp module) {
  bool ok = true;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (!f->hasAttr(nn::kModelAttr))
      continue;
    auto isF32 = [](Type t) { return getElementTypeOrSelf(t).isF32(); };
    for (BlockArgument a : f.getArguments())
      if (!isF32(a.getType())) {
        emitError(a.getLoc())
            << "model '" << f.getName()
            << "' cannot be compiled to an artifact: its tensors are "
            << getElementTypeOrSelf(a.getType())
            << ", and the runtime, data files and weights are f32 (declare "
               "it with f32[...])";
        ok = false;
        break;
      }
  }
  return success(ok);
}

void nnc::setSourceAttribute(ModuleOp module, StringRef sourceName,
                             StringRef sourceText) {
  std::array<uint8_t, 32> digest = llvm::SHA256::hash(
      llvm::ArrayRef<uint8_t>(sourceText.bytes_begin(), sourceText.size()));
  Builder b(module.getContext());
  module->setAttr(
      nn::kSourceAttr,
      b.getDictionaryAttr(
          {b.getNamedAttr("name", b.getStringAttr(sourceName)),
           b.getNamedAttr("sha256", b.getStringAttr(llvm::toHex(
                                        digest, /*LowerCase=*/true)))}));
}

static json::Array shapeJSON(llvm::ArrayRef<int64_t> shape) {
  json::Array a;
  for (int64_t d : shape)
    a.push_back(d);
  return a;
}

static json::Value attrJSON(Attribute a) {
  if (auto s = dyn_cast<StringAttr>(a))
    return s.str();
  if (auto b = dyn_cast<BoolAttr>(a))
    return b.getValue();
  if (auto i = dyn_cast<IntegerAttr>(a))
    return i.getInt();
  if (auto f = dyn_cast<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto arr = dyn_cast<ArrayAttr>(a)) {
    json::Array out;
    for (Attribute e : arr)
      out.push_back(attrJSON(e));
    return out;
  }
  if (auto d = dyn_cast<DictionaryAttr>(a)) {
    json::Object out;
    for (NamedAttribute n : d)
      out[n.getName().str()] = attrJSON(n.getValue());
    return out;
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  a.print(os);
  return s;
}

static json::Object bufferJSON(const nnc::BufferSpec &b) {
  return json::Object{{"role", b.role},
                      {"name", b.name},
                      {"shape", shapeJSON(b.shape)},
                      {"dtype", b.dtype}};
}

/// The model-level description: inputs, outputs and parameters (with
/// their initialisers) of the inference entry, the layer table and the
/// train settings.
static json::Object modelJSON(func::FuncOp f, const nnc::EntrySpec &infer) {
  json::Array inputs, outputs, params, layers;
  for (auto [i, b] : llvm::enumerate(infer.buffers)) {
    json::Object o{{"name", b.name},
                   {"shape", shapeJSON(b.shape)},
                   {"dtype", b.dtype}};
    if (b.role == "param") {
      auto init = f.getArgAttrOfType<StringAttr>(i, nnc::nn::kInitAttr);
      o["init"] = init ? init.str() : "zeros";
      auto trainable =
          f.getArgAttrOfType<BoolAttr>(i, nnc::nn::kTrainableAttr);
      o["trainable"] = !trainable || trainable.getValue();
      params.push_back(std::move(o));
    } else if (b.role == "input") {
      inputs.push_back(std::move(o));
    } else {
      outputs.push_back(std::move(o));
    }
  }
  if (auto table = f->getAttrOfType<ArrayAttr>(nnc::nn::kLayersAttr))
    for (Attribute a : table) {
      auto d = cast<DictionaryAttr>(a);
      layers.push_back(json::Object{
          {"name", d.getAs<StringAttr>("name").str()},
          {"type", d.getAs<StringAttr>("type").str()},
          {"shape",
           shapeJSON(d.getAs<DenseI64ArrayAttr>("shape").asArrayRef())},
          {"params", d.getAs<IntegerAttr>("params").getInt()}});
    }
  json::Object model{{"name", infer.model},
                     {"inputs", std::move(inputs)},
                     {"outputs", std::move(outputs)},
                     {"params", std::move(params)},
                     {"layers", std::move(layers)}};
  if (auto train = f->getAttrOfType<DictionaryAttr>(nnc::nn::kTrainAttr))
    model["train"] = attrJSON(train);
  return model;
}

std::string nnc::buildManifest(ModuleOp module,
                               const std::vector<EntrySpec> &entries) {
  json::Array models;
  for (const EntrySpec &e : entries) {
    if (e.kind != "infer")
      continue;
    json::Object model =
        modelJSON(module.lookupSymbol<func::FuncOp>(e.model), e);
    json::Array entryList;
    for (const EntrySpec &x : entries) {
      if (x.model != e.model)
        continue;
      json::Array buffers;
      for (const BufferSpec &b : x.buffers)
        buffers.push_back(bufferJSON(b));
      json::Object entry{{"kind", x.kind},
                         {"symbol", x.symbol},
                         {"buffers", std::move(buffers)}};
      if (!x.name.empty())
        entry["name"] = x.name;
      entryList.push_back(std::move(entry));
    }
    model["entries"] = std::move(entryList);
    models.push_back(std::move(model));
  }
  auto source = module->getAttrOfType<DictionaryAttr>(nn::kSourceAttr);
  auto sourceField = [&](StringRef k) {
    return source ? source.getAs<StringAttr>(k).str() : std::string();
  };
  json::Object root{{"format", "nnc-artifact"},
                    {"abi", int64_t(kArtifactABIVersion)},
                    {"compiler", "nnc " NNC_VERSION},
                    {"source", sourceField("name")},
                    {"source_sha256", sourceField("sha256")},
                    {"models", std::move(models)}};
  std::string out;
  llvm::raw_string_ostream os(out);
  os << json::Value(std::move(root));
  return out;
}

std::optional<nnc::ArtifactABI> nnc::readArtifactABI(ModuleOp module) {
  auto manifest = module->getAttrOfType<StringAttr>(nn::kManifestAttr);
  if (!manifest)
    return std::nullopt;
  llvm::Expected<json::Value> root = json::parse(manifest.getValue());
  if (!root) {
    llvm::consumeError(root.takeError());
    return std::nullopt;
  }
  ArtifactABI abi;
  abi.manifest = manifest.str();
  // The export step wrote this JSON a moment ago: its structure is known.
  for (const json::Value &m : *root->getAsObject()->getArray("models")) {
    const json::Object &model = *m.getAsObject();
    for (const json::Value &x : *model.getArray("entries")) {
      const json::Object &entry = *x.getAsObject();
      EntrySpec e;
      e.model = model.getString("name")->str();
      e.kind = entry.getString("kind")->str();
      e.symbol = entry.getString("symbol")->str();
      if (auto name = entry.getString("name"))
        e.name = name->str();
      for (const json::Value &y : *entry.getArray("buffers")) {
        const json::Object &b = *y.getAsObject();
        BufferSpec spec{b.getString("role")->str(), b.getString("name")->str(),
                        {}, b.getString("dtype")->str()};
        for (const json::Value &d : *b.getArray("shape"))
          spec.shape.push_back(*d.getAsInteger());
        e.buffers.push_back(std::move(spec));
      }
      abi.entries.push_back(std::move(e));
    }
  }
  return abi;
}
