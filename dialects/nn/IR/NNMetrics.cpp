//===- NNMetrics.cpp - the built-in metrics, one entry each ---------------===//
//
// Keras 3's definitions, so that the metrics nnc reports match Keras'
// (tests/parity compares them after every step).
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/IR/NNMetrics.h"

#include "dialects/nn/IR/NNLosses.h"

using namespace mlir;
using namespace nnc::nn;

namespace {

/// The one-hot of argmax over the last axis of a (batch, n) tensor, with
/// the first of equal maxima: where x equals its row maximum and no earlier
/// element does (a product with a constant strictly-upper triangular
/// matrix counts the earlier maxima).
Value firstMaxOneHot(NNBuilder &ops, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t n = type.getShape().back();
  Type elt = type.getElementType();
  auto square = RankedTensorType::get({n, n}, elt);
  SmallVector<Attribute> earlier;
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < n; ++j)
      earlier.push_back(ops.b.getFloatAttr(elt, k < j ? 1.0 : 0.0));
  Value before = arith::ConstantOp::create(
      ops.b, ops.loc, square, DenseElementsAttr::get(square, earlier));
  Value one = ops.cst(x, 1.0);
  Value isMax = ops.sub(one, ops.step(ops.sub(ops.max(x, {-1}, true), x)));
  Value earlierMaxima = MatmulOp::create(ops.b, ops.loc, isMax, before);
  return ops.mul(isMax, ops.sub(one, ops.step(earlierMaxima)));
}

/// argmax(y_true) == argmax(y_pred), ties going to the first index (a dead
/// network's equal outputs are class 0, not a hit for every class).
Value categoricalAccuracy(NNBuilder &ops, Value p, Value t) {
  Value hit = ops.mul(firstMaxOneHot(ops, t), firstMaxOneHot(ops, p));
  return ops.mean(ops.sum(hit, {-1}, false), {}, false);
}

/// (p > 0.5) == t, exactly as Keras compares: a target other than 0 or 1
/// is never a hit (1 - |predicted - t| was negative for such targets).
Value binaryAccuracy(NNBuilder &ops, Value p, Value t) {
  Value predicted = ops.step(ops.sub(p, ops.cst(p, 0.5)));
  Value differs = ops.step(ops.abs(ops.sub(predicted, t)));
  return ops.mean(ops.sub(ops.cst(p, 1.0), differs), {}, false);
}

/// argmax(y_pred) == the class index y_true, (batch, 1).
Value sparseCategoricalAccuracy(NNBuilder &ops, Value p, Value t) {
  int64_t classes = cast<RankedTensorType>(p.getType()).getShape().back();
  Value hit = ops.mul(ops.oneHot(t, classes), firstMaxOneHot(ops, p));
  return ops.mean(ops.sum(hit, {-1}, false), {}, false);
}

/// Keras 3 picks by the shapes, whatever the loss (tf.keras 2 looked at
/// the loss): one output unit is a binary decision; several are classes,
/// given as one-hot rows or, with targets of one value per sample, as
/// class indices.
Value accuracy(NNBuilder &ops, Value p, Value t) {
  int64_t last = cast<RankedTensorType>(p.getType()).getShape().back();
  int64_t targets = cast<RankedTensorType>(t.getType()).getShape().back();
  if (last > 1 && targets == 1)
    return sparseCategoricalAccuracy(ops, p, t);
  return last > 1 ? categoricalAccuracy(ops, p, t) : binaryAccuracy(ops, p, t);
}

} // namespace

llvm::ArrayRef<MetricSpec> nnc::nn::builtinMetrics() {
  static const MetricSpec kMetrics[] = {
      {"accuracy", accuracy},
      {"binary_accuracy", binaryAccuracy},
      {"categorical_accuracy", categoricalAccuracy},
      {"sparse_categorical_accuracy", sparseCategoricalAccuracy},
  };
  return kMetrics;
}

std::vector<std::string> nnc::nn::metricNames() {
  std::vector<std::string> names;
  for (const MetricSpec &m : builtinMetrics())
    names.push_back(m.name.str());
  for (const LossSpec &l : builtinLosses())
    names.push_back(l.name.str());
  return names;
}

bool nnc::nn::isMetric(llvm::StringRef name) {
  return llvm::is_contained(metricNames(), name.str());
}

Value nnc::nn::buildMetric(NNBuilder &ops, llvm::StringRef name, Value p,
                           Value t) {
  for (const MetricSpec &m : builtinMetrics())
    if (m.name == name)
      return m.build(ops, p, t);
  if (const LossSpec *loss = lookupLoss(name))
    return loss->create(ops.b, ops.loc, p, t);
  return Value();
}
