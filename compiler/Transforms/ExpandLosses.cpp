//===- ExpandLosses.cpp - Keras losses as nn arithmetic -------------------===//
//
// Losses are written once, here, as the nn ops of their Keras definitions.
// After this pass nothing downstream knows about losses: autodiff
// differentiates the arithmetic, the lowering lowers it. Every loss is
// reduced Keras' way: per sample over the last axis, then the mean over the
// batch (for MSE, MAE and BCE that is the mean over all elements).
//
// Softmax + categorical cross-entropy and sigmoid + binary cross-entropy are
// rewritten on the logits (TF-Keras does the same when a loss sees a
// softmax or sigmoid output), which avoids log(0) forward and gives the
// well-known (p - t) gradients backward.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNBuilder.h"

#include "mlir/IR/Builders.h"

namespace nnc {
#define GEN_PASS_DEF_EXPANDLOSSES
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc::nn;

namespace {

/// Keras' backend epsilon, which clips probabilities away from 0 and 1.
constexpr double kEpsilon = 1e-7;

/// NNBuilder plus the reductions every loss uses.
struct Builder : NNBuilder {
  Value sumLast(Value a, bool keep) { return sum(a, {-1}, keep); }
  Value meanAll(Value a) { return mean(a, {}, false); }
  Value clip(Value p) {
    return MinimumOp::create(b, loc,
                             MaximumOp::create(b, loc, p, cst(p, kEpsilon)),
                             cst(p, 1.0 - kEpsilon));
  }
};

/// -mean(sum(t * log_softmax(z), -1)) with log_softmax(z) = z - lse(z).
Value softmaxCrossEntropy(Builder &k, Value z, Value t) {
  // The max only shifts the exponent; no gradient flows through it.
  Value m = StopGradientOp::create(k.b, k.loc, k.max(z, {-1}, true));
  Value lse = k.add(m, k.log(k.sumLast(k.exp(k.sub(z, m)), true)));
  return k.meanAll(k.sumLast(k.mul(t, k.sub(lse, z)), false));
}

/// mean(max(z, 0) - z t + log(1 + exp(-|z|))).
Value sigmoidCrossEntropy(Builder &k, Value z, Value t) {
  Value pos = ReluOp::create(k.b, k.loc, z);
  Value negAbs = k.neg(k.abs(z));
  Value softplus = k.log(k.add(k.cst(z, 1.0), k.exp(negAbs)));
  return k.meanAll(k.add(k.sub(pos, k.mul(z, t)), softplus));
}

FailureOr<Value> expand(Operation *loss) {
  OpBuilder b(loss);
  Builder k{{b, loss->getLoc()}};
  Value p = loss->getOperand(0), t = loss->getOperand(1);
  if (isa<MseOp>(loss)) {
    Value d = k.sub(p, t);
    return k.meanAll(k.mul(d, d));
  }
  if (isa<MaeOp>(loss))
    return k.meanAll(k.abs(k.sub(p, t)));
  if (isa<BinaryCrossentropyOp>(loss)) {
    if (auto s = p.getDefiningOp<SigmoidOp>())
      return sigmoidCrossEntropy(k, s.getX(), t);
    Value pc = k.clip(p);
    Value one = k.cst(p, 1.0);
    Value ll = k.add(k.mul(t, k.log(pc)),
                     k.mul(k.sub(one, t), k.log(k.sub(one, pc))));
    return k.meanAll(k.neg(ll));
  }
  if (isa<CategoricalCrossentropyOp>(loss)) {
    // Only a softmax over the last axis, the one the loss sums over.
    if (auto s = p.getDefiningOp<SoftmaxOp>()) {
      auto axis = static_cast<int64_t>(s.getAxis());
      int64_t rank = s.getX().getType().getRank();
      if (axis == -1 || axis == rank - 1)
        return softmaxCrossEntropy(k, s.getX(), t);
    }
    // Keras rescales the rows to sum to one, then clips.
    Value pc = k.clip(k.div(p, k.sumLast(p, true)));
    return k.meanAll(k.neg(k.sumLast(k.mul(t, k.log(pc)), false)));
  }
  loss->emitError() << "'" << loss->getName()
                    << "' cannot be compiled for training yet (integer "
                       "labels need a one-hot op); use "
                       "categorical_crossentropy with one-hot targets";
  return failure();
}

struct ExpandLossesPass : nnc::impl::ExpandLossesBase<ExpandLossesPass> {
  void runOnOperation() override {
    SmallVector<Operation *> losses;
    getOperation().walk([&](Operation *op) {
      if (isa<MseOp, MaeOp, BinaryCrossentropyOp, CategoricalCrossentropyOp,
              SparseCategoricalCrossentropyOp>(op))
        losses.push_back(op);
    });
    for (Operation *loss : losses) {
      FailureOr<Value> v = expand(loss);
      if (failed(v))
        return signalPassFailure();
      loss->getResult(0).replaceAllUsesWith(*v);
      loss->erase();
    }
  }
};

} // namespace
