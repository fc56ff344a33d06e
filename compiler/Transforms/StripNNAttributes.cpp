//===- StripNNAttributes.cpp - drop nn metadata before LLVM ---------------===//
//
// nn.* function and argument attributes describe the model to the export
// step (nnc-export-artifact), which has run by now. The LLVM dialect's
// verifier would reject them on llvm.func, so they go before func-to-llvm.
// The module's nn.manifest stays: the emitter embeds it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

namespace nnc {
#define GEN_PASS_DEF_STRIPNNATTRIBUTES
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// nn.noalias_memrefs stays: nnc-mark-noalias reads it after func-to-llvm.
bool isNN(NamedAttribute a) {
  return a.getName().strref().starts_with("nn.") &&
         a.getName() != nnc::nn::kNoAliasAttr;
}

struct StripNNAttributesPass
    : nnc::impl::StripNNAttributesBase<StripNNAttributesPass> {
  void runOnOperation() override {
    for (auto f : getOperation().getOps<func::FuncOp>()) {
      for (NamedAttribute a : llvm::to_vector(f->getDiscardableAttrs()))
        if (isNN(a))
          f->removeDiscardableAttr(a.getName());
      for (unsigned i = 0; i < f.getNumArguments(); ++i)
        if (DictionaryAttr attrs = f.getArgAttrDict(i))
          for (NamedAttribute a : attrs)
            if (isNN(a))
              f.removeArgAttr(i, a.getName());
    }
  }
};

} // namespace
