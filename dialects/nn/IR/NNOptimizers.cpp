//===- NNOptimizers.cpp - the built-in optimizers, one entry each ---------===//
//
// Keras 3's update rules exactly (keras.optimizers.SGD and Adam), so that a
// compiled step matches Keras' from the same weights (tests/parity).
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/IR/NNOptimizers.h"

using namespace mlir;
using namespace nnc::nn;

double OptimizerStep::hyper(llvm::StringRef name) const {
  Attribute a = config.get(name);
  if (auto f = dyn_cast_or_null<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto b = dyn_cast_or_null<BoolAttr>(a))
    return b.getValue();
  return 0;
}

namespace {

const OptimizerParam kSgdParams[] = {
    {"learning_rate", OptimizerParam::Float, 0.01},
    {"momentum", OptimizerParam::Float, 0.0},
    {"nesterov", OptimizerParam::Bool, 0.0},
};

/// A velocity only with momentum.
SmallVector<StringRef> sgdSlots(DictionaryAttr config) {
  OptimizerStep s;
  s.config = config;
  if (s.hyper("momentum") != 0)
    return {"momentum"};
  return {};
}

/// v' = mu v - lr g; p' = p + v' (Nesterov: p + mu v' - lr g); without
/// momentum p' = p - lr g.
Value sgdUpdate(NNBuilder &ops, const OptimizerStep &s,
                SmallVectorImpl<Value> &newSlots) {
  Value lrg = ops.mul(s.learningRate, s.grad);
  if (s.slots.empty())
    return ops.sub(s.param, lrg);
  Value mu = ops.cst(s.grad, s.hyper("momentum"));
  Value v2 = ops.sub(ops.mul(mu, s.slots[0]), lrg);
  newSlots.push_back(v2);
  return s.hyper("nesterov") != 0
             ? ops.add(s.param, ops.sub(ops.mul(mu, v2), lrg))
             : ops.add(s.param, v2);
}

const OptimizerParam kAdamParams[] = {
    {"learning_rate", OptimizerParam::Float, 0.001},
    {"beta_1", OptimizerParam::Float, 0.9},
    {"beta_2", OptimizerParam::Float, 0.999},
    {"epsilon", OptimizerParam::Float, 1e-7},
};

SmallVector<StringRef> adamSlots(DictionaryAttr) { return {"m", "v"}; }

/// alpha = lr sqrt(1 - b2^t) / (1 - b1^t); m' = m + (g - m)(1 - b1);
/// v' = v + (g^2 - v)(1 - b2); p' = p - m' alpha / (sqrt(v') + eps).
Value adamUpdate(NNBuilder &ops, const OptimizerStep &s,
                 SmallVectorImpl<Value> &newSlots) {
  Value g = s.grad, m = s.slots[0], v = s.slots[1], t = s.step;
  double b1 = s.hyper("beta_1"), b2 = s.hyper("beta_2");
  Value one = ops.cst(t, 1);
  Value alpha = ops.div(
      ops.mul(s.learningRate,
              ops.sqrt(ops.sub(one, ops.pow(ops.cst(t, b2), t)))),
      ops.sub(one, ops.pow(ops.cst(t, b1), t)));
  Value m2 = ops.add(m, ops.mul(ops.sub(g, m), ops.cst(g, 1 - b1)));
  Value v2 = ops.add(v, ops.mul(ops.sub(ops.mul(g, g), v), ops.cst(g, 1 - b2)));
  Value denom = ops.add(ops.sqrt(v2), ops.cst(g, s.hyper("epsilon")));
  newSlots.append({m2, v2});
  return ops.sub(s.param, ops.div(ops.mul(m2, alpha), denom));
}

} // namespace

llvm::ArrayRef<OptimizerSpec> nnc::nn::builtinOptimizers() {
  static const OptimizerSpec kOptimizers[] = {
      {"sgd", kSgdParams, sgdSlots, sgdUpdate},
      {"adam", kAdamParams, adamSlots, adamUpdate},
  };
  return kOptimizers;
}

const OptimizerSpec *nnc::nn::lookupOptimizer(llvm::StringRef name) {
  for (const OptimizerSpec &spec : builtinOptimizers())
    if (spec.name == name)
      return &spec;
  return nullptr;
}
