//===- KeepInference.cpp - only what an inference artifact runs -----------===//
//
// A .nn module also holds the training section and custom-loss functions.
// The inference artifact compiles the model functions only; the training
// pipeline consumes the rest (after autodiff has expanded the losses).
// The model functions become private: the artifact exports entry points.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNOps.h"

namespace nnc {
#define GEN_PASS_DEF_KEEPINFERENCE
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Train and eval steps are exported; the gradient entry exists for
/// `nnc --gradcheck` only.
bool isArtifactEntry(func::FuncOp f) {
  auto d = f->getAttrOfType<DictionaryAttr>(nnc::nn::kEntryAttr);
  return d && d.getAs<StringAttr>("kind").getValue() != "grad";
}

struct KeepInferencePass : nnc::impl::KeepInferenceBase<KeepInferencePass> {
  void runOnOperation() override {
    SmallVector<Operation *> dead;
    for (Operation &op : getOperation().getBody()->getOperations()) {
      if (isa<nnc::nn::TrainConfigOp>(op))
        dead.push_back(&op);
      else if (auto f = dyn_cast<func::FuncOp>(op);
               f && !f->hasAttr(nnc::nn::kModelAttr) && !isArtifactEntry(f))
        dead.push_back(&op);
    }
    for (Operation *op : dead)
      op->erase();
    // Callers go through the generated entry points (see Target/ABI), so
    // the model functions themselves are private; that also lets
    // drop-equivalent-buffer-results rewrite their signatures.
    for (auto f : getOperation().getOps<func::FuncOp>())
      f.setPrivate();
  }
};

} // namespace
