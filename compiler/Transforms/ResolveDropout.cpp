//===- ResolveDropout.cpp - dropout masks in train steps only -------------===//
//
// A dropout layer drops only while training (Keras' `training=True` inside
// fit). The model function is shared by prediction and by every training
// entry, so the front end builds a neutral nn.dropout and this pass decides
// per entry once inlining has made each entry one body: a train step
// multiplies by the step's mask (the gradient check's entry by step 1's),
// everything else passes x through.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace nnc {
#define GEN_PASS_DEF_RESOLVEDROPOUT
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc::nn;

namespace {

/// The step whose masks `f` draws: a train step's `step` argument; for the
/// gradient check's entry (`--gradcheck`), step 1, so that it checks the
/// gradient a train step computes, masks included (finite differences see
/// the same fixed mask); null for any other function.
Value maskStep(func::FuncOp f, Type elementType) {
  auto entry = f->getAttrOfType<DictionaryAttr>(kEntryAttr);
  auto kind = entry ? entry.getAs<StringAttr>("kind") : nullptr;
  if (!kind)
    return nullptr;
  if (kind.getValue() == "grad") {
    OpBuilder b(f.getBody());
    auto type = RankedTensorType::get({}, elementType);
    return arith::ConstantOp::create(
        b, f.getLoc(), DenseElementsAttr::get(type, b.getFloatAttr(elementType, 1.0)));
  }
  if (kind.getValue() != "train")
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
      SmallVector<DropoutOp> drops;
      f.walk([&](DropoutOp op) { drops.push_back(op); });
      if (drops.empty())
        continue;
      Value step = maskStep(
          f, getElementTypeOrSelf(drops.front().getX().getType()));
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
