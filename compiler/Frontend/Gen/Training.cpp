//===- Training.cpp - train sections and custom losses --------------------===//
//
// An nn.train_config per train section (optimizer hyper-parameters with
// Keras' defaults filled in) and a func.func per custom loss.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/Gen/Generator.h"
#include "dialects/nn/IR/NNLosses.h"
#include "dialects/nn/IR/NNOptimizers.h"
#include "dialects/nn/IR/NNShapes.h"

namespace nnc::gen {

void Generator::genTrain(const TrainConfig &t) {
  auto it = models.find(t.model->name);
  if (it == models.end())
    return; // the model had errors, already reported
  builder.setInsertionPointToEnd(theModule.getBody());
  mlir::Attribute loss;
  unsigned outputs = it->second.func.getFunctionType().getNumResults();
  if (!t.lossWeights.empty() && t.builtinLoss.empty() &&
      t.outputLosses.empty()) {
    error(t.lossWeightsLoc, "loss weights go with built-in losses; a custom "
                            "loss weighs its own terms");
    return;
  }
  if (!t.lossWeights.empty() && t.lossWeights.size() != outputs) {
    error(t.lossWeightsLoc,
          std::to_string(t.lossWeights.size()) + " loss weights for '" +
              t.model->name + "', which has " + std::to_string(outputs) +
              " output" + (outputs == 1 ? "" : "s"));
    return;
  }
  if (!t.outputLosses.empty()) {
    if (t.outputLosses.size() != outputs) {
      error(t.lossLoc, std::to_string(t.outputLosses.size()) +
                           " losses for '" + t.model->name +
                           "', which has " + std::to_string(outputs) +
                           " output" + (outputs == 1 ? "" : "s") +
                           "; give one per output, or one for all");
      return;
    }
    for (unsigned k = 0; k < outputs; ++k)
      if (!checkBuiltinLoss(t, t.outputLosses[k], k, it->second))
        return;
    llvm::SmallVector<llvm::StringRef> names(t.outputLosses.begin(),
                                             t.outputLosses.end());
    loss = builder.getStrArrayAttr(names);
  } else if (!t.builtinLoss.empty()) {
    // One loss for every output, as Keras applies compile(loss="mse").
    for (unsigned k = 0; k < outputs; ++k)
      if (!checkBuiltinLoss(t, t.builtinLoss, k, it->second))
        return;
    loss = builder.getStringAttr(t.builtinLoss);
  } else {
    mlir::func::FuncOp f = genCustomLoss(t, it->second);
    if (!f)
      return;
    loss = mlir::FlatSymbolRefAttr::get(f.getSymNameAttr());
  }
  builder.setInsertionPointToEnd(theModule.getBody());
  llvm::SmallVector<mlir::NamedAttribute> opt;
  const nn::OptimizerSpec *spec = nn::lookupOptimizer(t.optimizer);
  for (size_t i = 0; i < t.optimizerConfig.size(); ++i) {
    const auto &[name, value] = t.optimizerConfig[i];
    mlir::Attribute v =
        spec->params[i].kind == nn::OptimizerParam::Bool
            ? mlir::Attribute(builder.getBoolAttr(value != 0))
            : mlir::Attribute(builder.getF64FloatAttr(value));
    opt.push_back(builder.getNamedAttr(name, v));
  }
  llvm::SmallVector<llvm::StringRef> metrics(t.metrics.begin(),
                                             t.metrics.end());
  nn::TrainConfigOp::create(
      builder, loc(t.decl->loc),
      mlir::FlatSymbolRefAttr::get(&ctx, t.model->name), loss,
      t.lossWeights.empty() ? nullptr
                            : builder.getDenseF64ArrayAttr(t.lossWeights),
      builder.getStringAttr(t.optimizer), builder.getDictionaryAttr(opt),
      builder.getStrArrayAttr(metrics),
      builder.getI64IntegerAttr(t.batchSize),
      builder.getI64IntegerAttr(t.epochs),
      builder.getF64FloatAttr(t.validationSplit));
}

/// A built-in loss compares output `k` with targets of the same shape
/// (class indices for a sparse loss); check that now so the error points at
/// `loss:`.
bool Generator::checkBuiltinLoss(const TrainConfig &t, llvm::StringRef name,
                                 unsigned k, ModelInfo &info) {
  mlir::FunctionType type = info.func.getFunctionType();
  auto out = mlir::cast<mlir::RankedTensorType>(type.getResult(k));
  std::string which = type.getNumResults() == 1
                          ? "'" + t.model->name + "' outputs "
                          : "output " + std::to_string(k) + " of '" +
                                t.model->name + "' is ";
  if (nn::lookupLoss(name)->classes && out.getRank() != 2)
    return error(t.lossLoc, "loss '" + name.str() + "' needs an output "
                            "of shape (batch, classes); " + which +
                            nn::formatShape(out.getShape()));
  return true;
}

/// func.func @<model>_loss(inputs..., y_true, params...) -> tensor<f32>.
mlir::func::FuncOp Generator::genCustomLoss(const TrainConfig &t,
                                            ModelInfo &info) {
  mlir::FunctionType modelType = info.func.getFunctionType();
  if (modelType.getNumResults() != 1) {
    error(t.lossLoc, "a custom loss needs a model with one output");
    return nullptr;
  }
  llvm::SmallVector<mlir::Type> args(
      modelType.getInputs().take_front(info.numInputs));
  args.push_back(modelType.getResult(0)); // y_true
  auto func = mlir::func::FuncOp::create(
      builder, loc(t.lossLoc), t.model->name + "_loss",
      builder.getFunctionType(args, {}));
  mlir::Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);

  FuncState fs;
  fs.func = func;
  fs.callableModel = t.model;
  for (const ParamRecord &p : info.params) {
    Value arg = entry->addArgument(
        modelType.getInput(info.numInputs + fs.modelParams.size()),
        func.getLoc());
    fs.modelParams.push_back(arg);
    fs.params.push_back(p);
  }
  Env env;
  llvm::SmallVector<Value> inputs;
  for (unsigned i = 0; i < info.numInputs; ++i) {
    env.vars[t.model->params[i].name] = Val::ofTensor(entry->getArgument(i));
    inputs.push_back(entry->getArgument(i));
  }
  Value yTrue = entry->getArgument(info.numInputs);
  inputs.append(fs.modelParams.begin(), fs.modelParams.end());
  auto yPred =
      mlir::func::CallOp::create(builder, func.getLoc(), info.func, inputs);

  std::optional<Val> value;
  if (t.lossDef) {
    Env inner;
    inner.vars[t.lossDef->params[0].first] = Val::ofTensor(yTrue);
    inner.vars[t.lossDef->params[1].first] =
        Val::ofTensor(yPred.getResult(0));
    activeDefs.push_back(t.lossDef);
    value = eval(*t.lossDef->body, fs, inner);
    activeDefs.pop_back();
  } else {
    env.vars["y_true"] = Val::ofTensor(yTrue);
    Val lazy;
    lazy.modelOutput = true;
    env.vars["y_pred"] = lazy;
    value = eval(*t.lossExpr, fs, env);
  }
  if (!value || !value->tensor) {
    if (value)
      error(t.lossLoc, "a loss must depend on the model, got the constant " +
                           value->constant->str());
    func.erase();
    return nullptr;
  }
  Value loss = value->tensor;
  // Keras reduces a per-sample loss by its mean over the batch; anything
  // else (a mean over the batch axis that leaves features, say) has no
  // meaning as a loss.
  mlir::RankedTensorType lossType = tensorType(loss);
  if (lossType.getRank() > 0 &&
      !mlir::ShapedType::isDynamic(lossType.getDimSize(0))) {
    error(t.lossLoc, "a loss must be a scalar or one value per sample, "
                     "got shape " + shapeOf(loss));
    func.erase();
    return nullptr;
  }
  if (lossType.getRank() > 0)
    loss = nn::ReduceMeanOp::create(builder, loc(t.lossLoc), loss, nullptr,
                                    false);
  mlir::func::ReturnOp::create(builder, loc(t.lossLoc), loss);
  if (yPred->use_empty())
    yPred->erase();
  // A physics-informed loss has no targets: then y_true is no input.
  unsigned numInputs = info.numInputs + 1;
  if (yTrue.use_empty()) {
    entry->eraseArgument(info.numInputs);
    --numInputs;
  }
  finishSignature(fs, numInputs, [&](unsigned i) {
    return i < info.numInputs ? t.model->params[i].name
                              : std::string("y_true");
  });
  return func;
}

} // namespace nnc::gen
