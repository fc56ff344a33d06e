//===- NNLosses.cpp - the built-in losses, one entry each -----------------===//
//
// Every loss is reduced Keras' way: per sample over the last axis, then the
// mean over the batch (for MSE, MAE and BCE that is the mean over all
// elements). Softmax + categorical cross-entropy and sigmoid + binary
// cross-entropy are expanded on the logits (TF-Keras does the same when a
// loss sees a softmax or sigmoid output), which avoids log(0) forward and
// gives the well-known (p - t) gradients backward.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/IR/NNLosses.h"

#include "dialects/nn/IR/NNBuilder.h"
#include "dialects/nn/IR/NNShapes.h"

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

template <typename Op>
Value create(OpBuilder &b, Location loc, Value yPred, Value yTrue) {
  return Op::create(b, loc, yPred, yTrue);
}

template <typename Op> StringRef nameOf() {
  return Op::getOperationName().drop_front(NNDialect::getDialectNamespace().size() + 1);
}

std::string sameShape(RankedTensorType p, RankedTensorType t) {
  if (p.getElementType() != t.getElementType())
    return "needs y_true and y_pred of one element type";
  if (p.getRank() >= 1 && succeeded(verifyCompatibleShape(p, t)))
    return "";
  return "needs y_true and y_pred of one shape, got " +
         formatShape(t.getShape()) + " and " + formatShape(p.getShape());
}

std::string classLabels(RankedTensorType p, RankedTensorType t) {
  // Labels are (batch,) or (batch, 1) for predictions (batch, classes).
  ArrayRef<int64_t> ps = p.getShape(), ts = t.getShape();
  if (ps.size() == 2 && (ts.size() == 1 || (ts.size() == 2 && ts[1] == 1)) &&
      succeeded(verifyCompatibleShape({ps[0]}, {ts[0]})))
    return "";
  return "needs y_pred of shape (batch, classes) and labels of shape "
         "(batch,) or (batch, 1), got " +
         formatShape(p.getShape()) + " and " + formatShape(t.getShape());
}

/// (y_pred, y_true) of a loss op, and a builder in front of it.
struct Expansion {
  OpBuilder b;
  Builder k;
  Value p, t;
  explicit Expansion(Operation *loss)
      : b(loss), k{{b, loss->getLoc()}}, p(loss->getOperand(0)),
        t(loss->getOperand(1)) {}
};

FailureOr<Value> expandMse(Operation *loss) {
  Expansion e(loss);
  Value d = e.k.sub(e.p, e.t);
  return e.k.meanAll(e.k.mul(d, d));
}

FailureOr<Value> expandMae(Operation *loss) {
  Expansion e(loss);
  return e.k.meanAll(e.k.abs(e.k.sub(e.p, e.t)));
}

FailureOr<Value> expandBinaryCrossentropy(Operation *loss) {
  Expansion e(loss);
  Builder &k = e.k;
  if (auto s = e.p.getDefiningOp<SigmoidOp>()) {
    // mean(max(z, 0) - z t + log(1 + exp(-|z|))) on the logits z.
    Value z = s.getX();
    Value pos = ReluOp::create(k.b, k.loc, z);
    Value softplus = k.log(k.add(k.cst(z, 1.0), k.exp(k.neg(k.abs(z)))));
    return k.meanAll(k.add(k.sub(pos, k.mul(z, e.t)), softplus));
  }
  Value pc = k.clip(e.p);
  Value one = k.cst(e.p, 1.0);
  Value ll = k.add(k.mul(e.t, k.log(pc)),
                   k.mul(k.sub(one, e.t), k.log(k.sub(one, pc))));
  return k.meanAll(k.neg(ll));
}

/// Categorical cross-entropy of y_pred `e.p` against one-hot rows `t`.
Value categorical(Expansion &e, Value t) {
  Builder &k = e.k;
  // Only a softmax over the last axis, the one the loss sums over.
  if (auto s = e.p.getDefiningOp<SoftmaxOp>()) {
    auto axis = static_cast<int64_t>(s.getAxis());
    int64_t rank = s.getX().getType().getRank();
    if (axis == -1 || axis == rank - 1) {
      // -mean(sum(t * log_softmax(z), -1)), log_softmax(z) = z - lse(z);
      // the max only shifts the exponent, no gradient flows through it.
      Value z = s.getX();
      Value m = StopGradientOp::create(k.b, k.loc, k.max(z, {-1}, true));
      Value lse = k.add(m, k.log(k.sumLast(k.exp(k.sub(z, m)), true)));
      return k.meanAll(k.sumLast(k.mul(t, k.sub(lse, z)), false));
    }
  }
  // Keras rescales the rows to sum to one, then clips.
  Value pc = k.clip(k.div(e.p, k.sumLast(e.p, true)));
  return k.meanAll(k.neg(k.sumLast(k.mul(t, k.log(pc)), false)));
}

FailureOr<Value> expandCategoricalCrossentropy(Operation *loss) {
  Expansion e(loss);
  return categorical(e, e.t);
}

/// Keras' sparse form is the categorical one of one-hot labels; the
/// one-hot is elementwise and fuses into the loss kernel.
FailureOr<Value> expandSparseCategoricalCrossentropy(Operation *loss) {
  Expansion e(loss);
  auto labels = cast<RankedTensorType>(e.t.getType());
  auto pred = cast<RankedTensorType>(e.p.getType());
  if (labels.getRank() != 2)
    return loss->emitError()
           << "sparse_categorical_crossentropy: labels of shape (batch,) "
              "need a reshape to (batch, 1) before training";
  return categorical(e, e.k.oneHot(e.t, pred.getShape().back()));
}

const StringRef kMseAliases[] = {"mean_squared_error"};
const StringRef kMaeAliases[] = {"mean_absolute_error"};

} // namespace

ArrayRef<LossSpec> nnc::nn::builtinLosses() {
  static const LossSpec kLosses[] = {
      {nameOf<MseOp>(), kMseAliases, false, sameShape, create<MseOp>,
       expandMse},
      {nameOf<MaeOp>(), kMaeAliases, false, sameShape, create<MaeOp>,
       expandMae},
      {nameOf<BinaryCrossentropyOp>(), {}, false, sameShape,
       create<BinaryCrossentropyOp>, expandBinaryCrossentropy},
      {nameOf<CategoricalCrossentropyOp>(), {}, true, sameShape,
       create<CategoricalCrossentropyOp>, expandCategoricalCrossentropy},
      {nameOf<SparseCategoricalCrossentropyOp>(), {}, true, classLabels,
       create<SparseCategoricalCrossentropyOp>,
       expandSparseCategoricalCrossentropy, {}, /*classIndices=*/true},
  };
  return kLosses;
}

const LossSpec *nnc::nn::lookupLoss(StringRef name) {
  for (const LossSpec &l : builtinLosses())
    if (l.name == name || llvm::is_contained(l.aliases, name))
      return &l;
  return nullptr;
}

const LossSpec *nnc::nn::lossOf(Operation *op) {
  if (op->getDialect() == nullptr ||
      op->getDialect()->getNamespace() != NNDialect::getDialectNamespace())
    return nullptr;
  StringRef mnemonic = op->getName().stripDialect();
  for (const LossSpec &l : builtinLosses())
    if (l.name == mnemonic)
      return &l;
  return nullptr;
}
