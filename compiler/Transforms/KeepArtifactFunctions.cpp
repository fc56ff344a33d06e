//===- KeepArtifactFunctions.cpp - only what an artifact runs ------------===//
//
// After the training prefix a module also holds the train sections, the
// custom-loss functions and the gradcheck-only grad entries. An artifact
// compiles the models and their train, eval and def entries; everything
// else goes. A train section's settings move onto its model function as
// `nn.train`, where the export step (nnc-export-artifact) describes them
// in the manifest. All functions become private: the artifact exports
// generated entry points instead.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNOps.h"

#include "mlir/IR/Builders.h"

namespace nnc {
#define GEN_PASS_DEF_KEEPARTIFACTFUNCTIONS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Train, eval and def entries are exported; the grad entry exists for
/// `nnc --gradcheck` only.
bool isArtifactEntry(func::FuncOp f) {
  auto d = f->getAttrOfType<DictionaryAttr>(nnc::nn::kEntryAttr);
  return d && d.getAs<StringAttr>("kind").getValue() != "grad";
}

/// The train section's settings as a dictionary; a custom loss (a symbol
/// about to be erased) becomes its name, "@<model>_loss".
DictionaryAttr settingsOf(nnc::nn::TrainConfigOp config) {
  Builder b(config.getContext());
  SmallVector<NamedAttribute> settings;
  for (NamedAttribute n : config->getAttrs()) {
    if (n.getName() == "model")
      continue;
    Attribute v = n.getValue();
    if (auto sym = dyn_cast<FlatSymbolRefAttr>(v))
      v = b.getStringAttr("@" + sym.getValue());
    settings.push_back(b.getNamedAttr(n.getName(), v));
  }
  return b.getDictionaryAttr(settings);
}

struct KeepArtifactFunctionsPass
    : nnc::impl::KeepArtifactFunctionsBase<KeepArtifactFunctionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> dead;
    for (Operation &op : module.getBody()->getOperations()) {
      if (auto config = dyn_cast<nnc::nn::TrainConfigOp>(op)) {
        if (auto model = module.lookupSymbol<func::FuncOp>(config.getModel()))
          model->setAttr(nnc::nn::kTrainAttr, settingsOf(config));
        dead.push_back(&op);
      } else if (auto f = dyn_cast<func::FuncOp>(op);
                 f && !f->hasAttr(nnc::nn::kModelAttr) && !isArtifactEntry(f)) {
        dead.push_back(&op);
      }
    }
    for (Operation *op : dead)
      op->erase();
    // Private functions also let drop-equivalent-buffer-results rewrite
    // their signatures.
    for (auto f : module.getOps<func::FuncOp>())
      f.setPrivate();
  }
};

} // namespace
