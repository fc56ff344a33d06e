//===- Manifest.cpp - what an artifact says about itself ------------------===//

#include "compiler/Target/Manifest.h"

#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace json = llvm::json;

static std::vector<int64_t> shapeOf(Type t) {
  std::vector<int64_t> shape;
  for (int64_t d : cast<ShapedType>(t).getShape())
    shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return shape;
}

static std::string stringArg(func::FuncOp f, unsigned i, StringRef name) {
  auto s = f.getArgAttrOfType<StringAttr>(i, name);
  return s ? s.str() : std::string();
}

std::vector<nnc::EntrySpec> nnc::collectEntries(ModuleOp module) {
  std::vector<EntrySpec> entries;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (!f->hasAttr(nn::kModelAttr))
      continue;
    EntrySpec e{f.getName().str(), "infer",
                "nnc_" + f.getName().str() + "_infer", {}};
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      bool isParam = bool(f.getArgAttr(i, nn::kParamAttr));
      e.buffers.push_back(
          {isParam ? "param" : "input",
           stringArg(f, i, isParam ? nn::kParamAttr : nn::kInputAttr),
           shapeOf(f.getArgument(i).getType())});
    }
    for (auto [i, t] : llvm::enumerate(f.getResultTypes()))
      e.buffers.push_back({"output", "output_" + std::to_string(i), shapeOf(t)});
    entries.push_back(std::move(e));
  }
  return entries;
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

std::string nnc::buildManifest(ModuleOp module,
                               const std::vector<EntrySpec> &entries,
                               StringRef sourceName, StringRef sourceText) {
  json::Array models;
  for (const EntrySpec &e : entries) {
    auto f = module.lookupSymbol<func::FuncOp>(e.model);
    json::Array inputs, outputs, params, buffers, layers;
    for (auto [i, b] : llvm::enumerate(e.buffers)) {
      json::Object o{{"name", b.name}, {"shape", shapeJSON(b.shape)},
                     {"dtype", "f32"}};
      if (b.role == "param") {
        o["init"] = stringArg(f, i, nn::kInitAttr);
        auto trainable = f.getArgAttrOfType<BoolAttr>(i, nn::kTrainableAttr);
        o["trainable"] = !trainable || trainable.getValue();
        params.push_back(std::move(o));
      } else if (b.role == "input") {
        inputs.push_back(std::move(o));
      } else {
        outputs.push_back(std::move(o));
      }
      buffers.push_back(json::Object{{"role", b.role}, {"name", b.name}});
    }
    if (auto table = f->getAttrOfType<ArrayAttr>(nn::kLayersAttr))
      for (Attribute a : table) {
        auto d = cast<DictionaryAttr>(a);
        layers.push_back(json::Object{
            {"name", d.getAs<StringAttr>("name").str()},
            {"type", d.getAs<StringAttr>("type").str()},
            {"shape", shapeJSON(d.getAs<DenseI64ArrayAttr>("shape")
                                    .asArrayRef())},
            {"params", d.getAs<IntegerAttr>("params").getInt()}});
      }
    json::Object entry{{"kind", e.kind}, {"symbol", e.symbol},
                       {"buffers", std::move(buffers)}};
    json::Object model{{"name", e.model},
                       {"inputs", std::move(inputs)},
                       {"outputs", std::move(outputs)},
                       {"params", std::move(params)},
                       {"layers", std::move(layers)},
                       {"entries", json::Array{std::move(entry)}}};
    for (auto t : module.getOps<nn::TrainConfigOp>())
      if (t.getModel() == e.model) {
        json::Object train;
        for (NamedAttribute n : t->getAttrs())
          if (n.getName() != "model")
            train[n.getName().str()] = attrJSON(n.getValue());
        model["train"] = std::move(train);
      }
    models.push_back(std::move(model));
  }

  std::array<uint8_t, 32> digest = llvm::SHA256::hash(
      llvm::ArrayRef<uint8_t>(sourceText.bytes_begin(), sourceText.size()));
  std::string hex = llvm::toHex(digest, /*LowerCase=*/true);
  json::Object root{{"format", "nnc-artifact"},
                    {"abi", int64_t(kArtifactABIVersion)},
                    {"compiler", "nnc " NNC_VERSION},
                    {"source", sourceName.str()},
                    {"source_sha256", hex},
                    {"models", std::move(models)}};
  std::string out;
  llvm::raw_string_ostream os(out);
  os << json::Value(std::move(root));
  return out;
}
