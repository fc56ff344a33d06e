//===- BuildTraining.cpp - the train step and eval entry points -----------===//
//
// Turns each `nn.train_config` into three functions of nn ops:
//
//   @<m>_train(inputs..., y_true..., params..., state..., lr, step)
//       -> (trainable params'..., state'..., loss, metrics...)
//   @<m>_eval(inputs..., y_true..., params...) -> (loss, metrics...)
//   @<m>_grad(inputs..., y_true..., params...) -> (loss, gradients...)
//
// A model with several outputs takes one target per output (y_true_0,
// y_true_1, ...) and one built-in loss per output (or one for all); the
// loss is their weighted sum, and each output's own loss and metrics are
// reported too, in Keras' order and naming with "output_<k>" for the
// output's name: loss, output_0_loss, output_0_mae, output_1_loss, ...
//
// The train step computes the loss, its gradient with respect to every
// trainable parameter (one `nn.grad` over the loss, expanded later by
// nnc-autodiff) and the optimizer update. Losses, metrics and optimizers
// come from their registries (dialects/nn/IR/NNLosses.h, NNMetrics.h,
// NNOptimizers.h), Keras' rules exactly. Every new
// parameter and state value is tagged `nn.updates = <argument>` so that the
// buffer pipeline writes it back into the argument's own storage: the step
// updates in place and the runtime passes each buffer once. The learning
// rate and the step number (1-based, for Adam's bias correction) are
// run-time scalars, so a schedule never needs a recompile. Loss and metrics
// are means over the batch; the runtime weights them by batch size.
//
// The model (and a custom loss) are called; MLIR's inliner, next in the
// pipeline, makes each entry one body for autodiff and fusion.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNBuilder.h"
#include "dialects/nn/IR/NNLosses.h"
#include "dialects/nn/IR/NNMetrics.h"
#include "dialects/nn/IR/NNOptimizers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace nnc {
#define GEN_PASS_DEF_BUILDTRAINING
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc::nn;

namespace {

struct Arg {
  Type type;
  NamedAttribute attr;
};

/// What a model function takes, split by role.
struct ModelSignature {
  SmallVector<unsigned> inputs, params;
  SmallVector<bool> trainable; // per param
};

ModelSignature signatureOf(func::FuncOp model) {
  ModelSignature s;
  for (unsigned i = 0; i < model.getNumArguments(); ++i) {
    if (model.getArgAttr(i, kParamAttr)) {
      s.params.push_back(i);
      auto t = model.getArgAttrOfType<BoolAttr>(i, kTrainableAttr);
      s.trainable.push_back(!t || t.getValue());
    } else {
      s.inputs.push_back(i);
    }
  }
  return s;
}

class Builder {
public:
  Builder(TrainConfigOp cfg, func::FuncOp model, SymbolTable &symbols)
      : cfg(cfg), model(model), symbols(symbols), b(cfg), loc(cfg.getLoc()),
        sig(signatureOf(model)) {}

  LogicalResult build() {
    if (auto ref = dyn_cast<FlatSymbolRefAttr>(cfg.getLoss())) {
      customLoss = symbols.lookup<func::FuncOp>(ref.getValue());
      if (!customLoss)
        return cfg.emitError() << "loss function " << ref << " not found";
      // (inputs..., [y_true], params...): y_true exists when the loss reads
      // targets.
      hasTargets = customLoss.getNumArguments() ==
                   sig.inputs.size() + 1 + sig.params.size();
    } else {
      hasTargets = true;
      // The train_config verifier has checked the names and counts.
      for (unsigned k = 0; k < model.getNumResults(); ++k) {
        auto list = dyn_cast<ArrayAttr>(cfg.getLoss());
        StringAttr name = list ? cast<StringAttr>(list[k])
                               : cast<StringAttr>(cfg.getLoss());
        const LossSpec *loss = lookupLoss(name.getValue());
        if (!loss->notTrainableYet.empty())
          return cfg.emitError() << loss->name << " " << loss->notTrainableYet;
        losses.push_back(loss);
      }
      if (std::optional<ArrayRef<double>> w = cfg.getLossWeights())
        weights.assign(w->begin(), w->end());
    }
    if (!hasTargets && !cfg.getMetrics().empty())
      return cfg.emitError() << "metrics compare predictions with targets, "
                                "and this loss takes none";
    if (failed(buildStep()) || failed(buildEval()) || failed(buildGrad()))
      return failure();
    return success();
  }

private:
  TrainConfigOp cfg;
  func::FuncOp model, customLoss;
  SymbolTable &symbols;
  OpBuilder b;
  Location loc;
  ModelSignature sig;
  bool hasTargets = true;
  /// The built-in loss of each output (empty with a custom loss).
  SmallVector<const LossSpec *> losses;
  /// loss_weights, one per output; empty means all 1.
  SmallVector<double> weights;

  // Argument positions in the function being built.
  SmallVector<Value> inputs, params, yTrues;

  unsigned numOutputs() { return model.getNumResults(); }
  /// "loss" and "accuracy" of output k named for the history: as they are
  /// with one output, "output_<k>_loss" with several.
  std::string outputName(unsigned k, StringRef what) {
    if (numOutputs() == 1)
      return what.str();
    return ("output_" + Twine(k) + "_" + what).str();
  }

  /// The formulas below (metrics, optimizer updates) in nn ops.
  NNBuilder ops{b, loc};

  /// Creates @<model>_<kind> with the entry's arguments (then `extra`) and
  /// a block to build in; fills inputs/params/yTrues and `extraValues`.
  func::FuncOp startFunc(StringRef kind, ArrayRef<Arg> extra,
                         SmallVectorImpl<Value> &extraValues) {
    SmallVector<Arg> args;
    for (unsigned i : sig.inputs)
      args.push_back({model.getArgumentTypes()[i],
                      b.getNamedAttr(kInputAttr, model.getArgAttr(i, kInputAttr))});
    if (hasTargets)
      for (unsigned k = 0; k < numOutputs(); ++k)
        args.push_back(
            {targetType(k),
             b.getNamedAttr(kTargetAttr,
                            b.getStringAttr(numOutputs() == 1
                                                ? "y_true"
                                                : "y_true_" + Twine(k)))});
    for (unsigned i : sig.params)
      args.push_back({model.getArgumentTypes()[i],
                      b.getNamedAttr(kParamAttr, model.getArgAttr(i, kParamAttr))});
    args.append(extra.begin(), extra.end());

    SmallVector<Type> types;
    for (const Arg &a : args)
      types.push_back(a.type);
    std::string name = (model.getName() + "_" + kind).str();
    auto f = func::FuncOp::create(b, loc, name,
                                  b.getFunctionType(types, {}));
    f->setAttr(kEntryAttr,
               b.getDictionaryAttr(
                   {b.getNamedAttr("kind", b.getStringAttr(kind)),
                    b.getNamedAttr("model", b.getStringAttr(model.getName()))}));
    for (auto [i, a] : llvm::enumerate(args))
      f.setArgAttr(i, a.attr.getName(), a.attr.getValue());
    Block *entry = f.addEntryBlock();
    b.setInsertionPointToStart(entry);
    unsigned k = 0;
    inputs.clear();
    params.clear();
    yTrues.clear();
    for (size_t i = 0; i < sig.inputs.size(); ++i)
      inputs.push_back(entry->getArgument(k++));
    for (unsigned i = 0; hasTargets && i < numOutputs(); ++i)
      yTrues.push_back(entry->getArgument(k++));
    for (size_t i = 0; i < sig.params.size(); ++i)
      params.push_back(entry->getArgument(k++));
    while (k < entry->getNumArguments())
      extraValues.push_back(entry->getArgument(k++));
    return f;
  }

  /// y_true of output k: shaped like it, or (batch, 1) for class indices.
  Type targetType(unsigned k) {
    auto out = cast<RankedTensorType>(model.getResultTypes()[k]);
    if (losses.empty() || !losses[k]->classIndices)
      return out;
    return RankedTensorType::get({out.getShape().front(), 1},
                                 out.getElementType());
  }

  /// Every output of the model on `ps`.
  SmallVector<Value> predict(ValueRange ps) {
    // The model takes its inputs and parameters in its own order.
    SmallVector<Value> ordered(model.getNumArguments());
    for (auto [k, i] : llvm::enumerate(sig.inputs))
      ordered[i] = inputs[k];
    for (auto [k, i] : llvm::enumerate(sig.params))
      ordered[i] = ps[k];
    auto call = func::CallOp::create(b, loc, model, ordered);
    return SmallVector<Value>(call->result_begin(), call->result_end());
  }

  /// The loss on parameters `ps`; with several outputs, also each output's
  /// own (unweighted) loss in `perOutput`.
  Value lossOf(ValueRange ps, SmallVectorImpl<Value> *perOutput = nullptr) {
    if (customLoss) {
      SmallVector<Value> args(inputs);
      args.append(yTrues.begin(), yTrues.end());
      args.append(ps.begin(), ps.end());
      return func::CallOp::create(b, loc, customLoss, args).getResult(0);
    }
    SmallVector<Value> preds = predict(ps);
    Value total;
    for (unsigned k = 0; k < numOutputs(); ++k) {
      Value l = losses[k]->create(b, loc, preds[k], yTrues[k]);
      if (perOutput && numOutputs() > 1)
        perOutput->push_back(l);
      if (!weights.empty() && weights[k] != 1.0)
        l = ops.mul(ops.cst(l, weights[k]), l);
      total = total ? ops.add(total, l) : l;
    }
    return total;
  }

  /// Batch means, in Keras' order: per output, its own loss (several
  /// outputs only), then the configured metrics; with their names.
  LogicalResult metrics(ArrayRef<Value> perOutputLosses,
                        SmallVectorImpl<Value> &values,
                        SmallVectorImpl<std::string> &names) {
    SmallVector<Value> preds;
    if (!cfg.getMetrics().empty())
      preds = predict(params);
    for (unsigned k = 0; k < numOutputs(); ++k) {
      if (k < perOutputLosses.size()) {
        values.push_back(perOutputLosses[k]);
        names.push_back(outputName(k, "loss"));
      }
      for (StringRef m : cfg.getMetrics().getAsValueRange<StringAttr>()) {
        // A loss used as a metric compares y_pred with targets of its own
        // shape; class indices are not.
        if (lookupLoss(m) && yTrues[k].getType() != preds[k].getType())
          return cfg.emitError()
                 << "metric '" << m << "' compares predictions with targets "
                 << "of their shape, but the targets of "
                 << (numOutputs() == 1 ? std::string("the model")
                                       : "output " + std::to_string(k))
                 << " are class indices (" << losses[k]->name << ")";
        Value v = buildMetric(ops, m, preds[k], yTrues[k]);
        if (!v)
          return cfg.emitError() << "metric '" << m
                                 << "' is not supported in training yet";
        values.push_back(v);
        names.push_back(outputName(k, m));
      }
    }
    return success();
  }

  void finish(func::FuncOp f, ArrayRef<Value> results,
              ArrayRef<NamedAttribute> attrs) {
    func::ReturnOp::create(b, loc, results);
    SmallVector<Type> types;
    for (Value v : results)
      types.push_back(v.getType());
    f.setType(b.getFunctionType(f.getArgumentTypes(), types));
    for (auto [i, a] : llvm::enumerate(attrs))
      f.setResultAttr(i, a.getName(), a.getValue());
    b.setInsertionPoint(cfg);
  }

  /// d loss / d params[k] for each k in `which`: one nn.grad whose body
  /// recomputes the loss from block arguments standing for the parameters
  /// (CSE merges it with the forward pass once autodiff has inlined it).
  SmallVector<Value> gradients(ArrayRef<unsigned> which) {
    SmallVector<Value> wrt;
    for (unsigned k : which)
      wrt.push_back(params[k]);
    if (wrt.empty())
      return {};
    auto grad = GradOp::create(b, loc, ValueRange(wrt), ValueRange{});
    Block *body = b.createBlock(&grad.getBody());
    SmallVector<Value> ps(params);
    for (auto [j, k] : llvm::enumerate(which))
      ps[k] = body->addArgument(wrt[j].getType(), loc);
    YieldOp::create(b, loc, lossOf(ps));
    b.setInsertionPointAfter(grad);
    return SmallVector<Value>(grad->result_begin(), grad->result_end());
  }

  SmallVector<unsigned> trainable() {
    SmallVector<unsigned> out;
    for (unsigned k = 0; k < sig.params.size(); ++k)
      if (sig.trainable[k])
        out.push_back(k);
    return out;
  }

  /// @<m>_grad(inputs..., y_true, params...) -> (loss, d loss / d p...):
  /// what `nnc --gradcheck` compares with finite differences. Not exported
  /// by artifacts.
  LogicalResult buildGrad() {
    SmallVector<Value> none;
    func::FuncOp f = startFunc("grad", {}, none);
    SmallVector<unsigned> which = trainable();
    SmallVector<Value> results{lossOf(params)};
    SmallVector<NamedAttribute> attrs{
        b.getNamedAttr(kResultAttr, b.getStringAttr("loss"))};
    for (auto [k, g] : llvm::zip(which, gradients(which))) {
      results.push_back(g);
      auto name = cast<StringAttr>(model.getArgAttr(sig.params[k], kParamAttr));
      attrs.push_back(b.getNamedAttr(
          kResultAttr, b.getStringAttr("grad/" + name.getValue())));
    }
    finish(f, results, attrs);
    return success();
  }

  LogicalResult buildStep() {
    // The train_config verifier has checked the name.
    const OptimizerSpec *optimizer = lookupOptimizer(cfg.getOptimizer());
    SmallVector<StringRef> slotNames =
        optimizer->slots(cfg.getOptimizerConfig());
    size_t slots = slotNames.size();

    SmallVector<Arg> extra;
    SmallVector<unsigned> trainableParams = trainable();
    for (unsigned k : trainableParams)
      for (StringRef slot : slotNames) {
        auto name = cast<StringAttr>(
            model.getArgAttr(sig.params[k], kParamAttr));
        extra.push_back({model.getArgumentTypes()[sig.params[k]],
                         b.getNamedAttr(kStateAttr,
                                        b.getStringAttr(name.getValue() + "/" +
                                                        slot))});
      }
    Type elt = getElementTypeOrSelf(model.getResultTypes()[0]);
    auto scalar = RankedTensorType::get({}, elt);
    extra.push_back({scalar, b.getNamedAttr(kHyperAttr,
                                            b.getStringAttr("learning_rate"))});
    extra.push_back(
        {scalar, b.getNamedAttr(kHyperAttr, b.getStringAttr("step"))});
    SmallVector<Value> extraValues;
    func::FuncOp f = startFunc("train", extra, extraValues);
    ArrayRef<Value> state = ArrayRef<Value>(extraValues).drop_back(2);
    Value lr = extraValues[extraValues.size() - 2];
    Value step = extraValues.back();
    unsigned firstState = f.getNumArguments() - 2 - state.size();

    SmallVector<Value> perOutput, metricValues;
    Value loss = lossOf(params, &perOutput);
    SmallVector<std::string> metricNames;
    if (failed(metrics(perOutput, metricValues, metricNames)))
      return failure();

    // d loss / d trainable params: one nn.grad whose body recomputes the
    // loss from block arguments standing for the parameters (CSE merges it
    // with the forward pass above once autodiff has inlined it).
    SmallVector<Value> grads = gradients(trainableParams);

    SmallVector<Value> results;
    SmallVector<NamedAttribute> attrs;
    auto updates = [&](unsigned argNo) {
      return b.getNamedAttr(kUpdatesAttr, b.getI64IntegerAttr(argNo));
    };
    SmallVector<Value> newParams, newState;
    for (auto [j, param] : llvm::enumerate(trainableParams)) {
      OptimizerStep s{params[param], grads[j], state.slice(j * slots, slots),
                      lr, step, cfg.getOptimizerConfig()};
      newParams.push_back(optimizer->update(ops, s, newState));
    }
    for (auto [j, k] : llvm::enumerate(trainableParams)) {
      results.push_back(newParams[j]);
      attrs.push_back(updates(cast<BlockArgument>(params[k]).getArgNumber()));
    }
    for (auto [s, v] : llvm::enumerate(newState)) {
      results.push_back(v);
      attrs.push_back(updates(firstState + s));
    }
    results.push_back(loss);
    attrs.push_back(b.getNamedAttr(kResultAttr, b.getStringAttr("loss")));
    for (auto [v, n] : llvm::zip(metricValues, metricNames)) {
      results.push_back(v);
      attrs.push_back(b.getNamedAttr(kResultAttr, b.getStringAttr(n)));
    }
    finish(f, results, attrs);
    return success();
  }

  LogicalResult buildEval() {
    SmallVector<Value> none;
    func::FuncOp f = startFunc("eval", {}, none);
    SmallVector<Value> perOutput, metricValues;
    SmallVector<Value> results{lossOf(params, &perOutput)};
    SmallVector<NamedAttribute> attrs{
        b.getNamedAttr(kResultAttr, b.getStringAttr("loss"))};
    SmallVector<std::string> metricNames;
    if (failed(metrics(perOutput, metricValues, metricNames)))
      return failure();
    for (auto [v, n] : llvm::zip(metricValues, metricNames)) {
      results.push_back(v);
      attrs.push_back(b.getNamedAttr(kResultAttr, b.getStringAttr(n)));
    }
    finish(f, results, attrs);
    return success();
  }
};

struct BuildTrainingPass : nnc::impl::BuildTrainingBase<BuildTrainingPass> {
  void runOnOperation() override {
    SymbolTable symbols(getOperation());
    SmallVector<TrainConfigOp> configs(
        getOperation().getOps<TrainConfigOp>());
    for (TrainConfigOp cfg : configs) {
      auto model = symbols.lookup<func::FuncOp>(cfg.getModel());
      if (!model || model.getNumResults() < 1) {
        cfg.emitError() << "training needs a model with an output";
        return signalPassFailure();
      }
      Builder builder(cfg, model, symbols);
      if (failed(builder.build()))
        return signalPassFailure();
    }
  }
};

} // namespace
