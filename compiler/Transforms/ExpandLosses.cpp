//===- ExpandLosses.cpp - Keras losses as nn arithmetic -------------------===//
//
// Replaces every loss op by its Keras definition in nn ops, which each
// loss's entry in dialects/nn/IR/NNLosses.cpp holds. After this pass
// nothing downstream knows about losses: autodiff differentiates the
// arithmetic, the lowering lowers it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNLosses.h"

#include "mlir/IR/Builders.h"

namespace nnc {
#define GEN_PASS_DEF_EXPANDLOSSES
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc::nn;

namespace {

struct ExpandLossesPass : nnc::impl::ExpandLossesBase<ExpandLossesPass> {
  void runOnOperation() override {
    SmallVector<Operation *> losses;
    getOperation().walk([&](Operation *op) {
      if (lossOf(op))
        losses.push_back(op);
    });
    for (Operation *loss : losses) {
      FailureOr<Value> v = lossOf(loss)->expand(loss);
      if (failed(v))
        return signalPassFailure();
      loss->getResult(0).replaceAllUsesWith(*v);
      loss->erase();
    }
  }
};

} // namespace
