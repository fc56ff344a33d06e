//===- ResolveDropout.cpp - dropout masks in train steps only -------------===//
//
// A dropout layer drops only while training (Keras' `training=True` inside
// fit). The model function is shared by prediction and by every training
// entry, so the front end builds a neutral nn.dropout and this pass decides
// per entry once inlining has made each entry one body: a train step
// multiplies by the step's mask, everything else passes x through.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace nnc {
#define GEN_PASS_DEF_RESOLVEDROPOUT
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc::nn;

namespace {

/// The `step` argument of a train-step entry; null for any other function.
Value trainStep(func::FuncOp f) {
  auto entry = f->getAttrOfType<DictionaryAttr>(kEntryAttr);
  auto kind = entry ? entry.getAs<StringAttr>("kind") : nullptr;
  if (!kind || kind.getValue() != "train")
    return nullptr;
  for (unsigned i = 0; i < f.getNumArguments(); ++i)
    if (auto hyper = f.getArgAttrOfType<StringAttr>(i, kHyperAttr))
      if (hyper.getValue() == "step")
        return f.getArgument(i);
  return nullptr;
}

struct ResolveDropoutPass
    : nnc::impl::ResolveDropoutBase<ResolveDropoutPass> {
  void runOnOperation() override {
    for (auto f : getOperation().getOps<func::FuncOp>()) {
      Value step = trainStep(f);
      SmallVector<DropoutOp> drops;
      f.walk([&](DropoutOp op) { drops.push_back(op); });
      for (DropoutOp op : drops) {
        Value y = op.getX();
        if (step) {
          OpBuilder b(op);
          Value mask = DropoutMaskOp::create(b, op.getLoc(), y, step,
                                             op.getRateAttr(),
                                             op.getSeedAttr());
          y = MulOp::create(b, op.getLoc(), y, mask);
        }
        op.replaceAllUsesWith(y);
        op.erase();
      }
    }
  }
};

} // namespace
