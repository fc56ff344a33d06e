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

/// The role and name of argument `i` of an entry function.
static std::pair<std::string, std::string> argRole(func::FuncOp f,
                                                   unsigned i) {
  using namespace nnc::nn;
  static const std::pair<llvm::StringLiteral, const char *> kRoles[] = {
      {kParamAttr, "param"},   {kInputAttr, "input"}, {kTargetAttr, "target"},
      {kStateAttr, "state"},   {kHyperAttr, "hyper"}};
  for (auto [attr, role] : kRoles)
    if (f.getArgAttr(i, attr))
      return {role, stringArg(f, i, attr)};
  return {"input", ""};
}

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

std::vector<nnc::EntrySpec> nnc::collectEntries(ModuleOp module) {
  std::vector<EntrySpec> entries;
  for (auto f : module.getOps<func::FuncOp>()) {
    EntrySpec e;
    if (f->hasAttr(nn::kModelAttr)) {
      e.model = e.function = f.getName().str();
      e.kind = "infer";
    } else if (auto d = f->getAttrOfType<DictionaryAttr>(nn::kEntryAttr);
               d && d.getAs<StringAttr>("kind").getValue() != "grad") {
      e.model = d.getAs<StringAttr>("model").str();
      e.function = f.getName().str();
      e.kind = d.getAs<StringAttr>("kind").str();
      if (auto name = d.getAs<StringAttr>("name"))
        e.name = name.str();
    } else {
      continue;
    }
    e.symbol = "nnc_" + e.model + "_" + e.kind +
               (e.name.empty() ? "" : "_" + e.name);
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      auto [role, name] = argRole(f, i);
      e.buffers.push_back({role, name, shapeOf(f.getArgument(i).getType())});
    }
    // Results that update an argument in place need no buffer of their own.
    unsigned outputs = 0;
    for (auto [i, t] : llvm::enumerate(f.getResultTypes())) {
      if (f.getResultAttr(i, nn::kUpdatesAttr))
        continue;
      auto named = f.getResultAttrOfType<StringAttr>(i, nn::kResultAttr);
      e.buffers.push_back({"output",
                           named ? named.str()
                                 : "output_" + std::to_string(outputs),
                           shapeOf(t)});
      ++outputs;
    }
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
  // One object per model, from its inference entry; training entries join
  // the model's entry list with their buffers' shapes.
  json::Array models;
  for (const EntrySpec &e : entries) {
    if (e.kind != "infer")
      continue;
    auto f = module.lookupSymbol<func::FuncOp>(e.function);
    json::Array inputs, outputs, params, layers, entryList;
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
    }
    for (const EntrySpec &x : entries) {
      if (x.model != e.model)
        continue;
      json::Array buffers;
      for (const BufferSpec &b : x.buffers)
        buffers.push_back(json::Object{{"role", b.role},
                                       {"name", b.name},
                                       {"shape", shapeJSON(b.shape)}});
      json::Object entry{{"kind", x.kind},
                         {"symbol", x.symbol},
                         {"buffers", std::move(buffers)}};
      if (!x.name.empty())
        entry["name"] = x.name;
      entryList.push_back(std::move(entry));
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
    json::Object model{{"name", e.model},
                       {"inputs", std::move(inputs)},
                       {"outputs", std::move(outputs)},
                       {"params", std::move(params)},
                       {"layers", std::move(layers)},
                       {"entries", std::move(entryList)}};
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
