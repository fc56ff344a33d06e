//===- Models.cpp - models, model functions, layers, blocks ---------------===//
//
// Each model becomes a func.func (inputs, then parameters; nn.model),
// each def applying a model an entry of kind "def". Layers elaborate
// through their LayerSpec (compiler/Frontend/Layers/); blocks are
// instantiated inline with their hyper-parameters bound.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/Gen/Generator.h"
#include "compiler/Frontend/Layers/Families.h"
#include "dialects/nn/IR/NNBuilder.h"
#include "dialects/nn/IR/NNShapes.h"

#include "llvm/ADT/ScopeExit.h"

namespace nnc::gen {

void Generator::genModel(const ModelDecl &m) {
  builder.setInsertionPointToEnd(theModule.getBody());
  llvm::SmallVector<mlir::Type> inputs;
  for (const Param &p : m.params)
    inputs.push_back(inputType(p.type));
  auto func = mlir::func::FuncOp::create(
      builder, loc(m.loc), m.name, builder.getFunctionType(inputs, {}));
  func->setAttr(nn::kModelAttr, builder.getUnitAttr());
  mlir::Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);

  FuncState fs;
  fs.func = func;
  Env env;
  std::vector<Val> inputVals;
  for (size_t i = 0; i < m.params.size(); ++i) {
    entry->getArgument(i).setLoc(loc(m.params[i].loc));
    inputVals.push_back(Val::ofTensor(entry->getArgument(i)));
  }
  std::optional<std::vector<Val>> results =
      runBody(m, fs, env, inputVals, m.loc);
  if (!results || !checkDeclaredResults(m, *results) ||
      !checkUnmaskedResults(m, *results)) {
    func.erase();
    return;
  }
  llvm::SmallVector<Value> outs;
  for (const Val &v : *results)
    outs.push_back(v.tensor);
  mlir::func::ReturnOp::create(builder, loc(m.endLoc), outs);
  finishSignature(fs, m.params.size(), [&](unsigned i) {
    return m.params[i].name;
  });
  setLayerTable(fs);
  models[m.name] = ModelInfo{func, unsigned(m.params.size()), fs.params};
}

/// The summary table, for the manifest: -1 marks the batch dimension.
void Generator::setLayerTable(FuncState &fs) {
  llvm::SmallVector<mlir::Attribute> rows;
  for (const LayerRecord &r : fs.layers) {
    llvm::SmallVector<int64_t> shape;
    for (int64_t d : r.shape)
      shape.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
    rows.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("name", builder.getStringAttr(r.name)),
         builder.getNamedAttr("type", builder.getStringAttr(r.type)),
         builder.getNamedAttr("shape", builder.getDenseI64ArrayAttr(shape)),
         builder.getNamedAttr("params",
                              builder.getI64IntegerAttr(r.params))}));
  }
  fs.func->setAttr(nn::kLayersAttr, builder.getArrayAttr(rows));
}

/// Whether `e` calls model `m`, directly or through the defs it calls.
bool Generator::appliesModel(const Expr &e, const ModelDecl &m,
                             llvm::SmallPtrSetImpl<const DefDecl *> &seen) {
  if (auto *c = llvm::dyn_cast<CallExpr>(&e)) {
    if (c->callee == m.name)
      return true;
    if (const DefDecl *d = sema.defs.lookup(c->callee))
      if (seen.insert(d).second && appliesModel(*d->body, m, seen))
        return true;
    for (const Argument &a : c->args)
      if (appliesModel(*a.value, m, seen))
        return true;
  } else if (auto *b = llvm::dyn_cast<BinaryExpr>(&e)) {
    return appliesModel(*b->lhs, m, seen) || appliesModel(*b->rhs, m, seen);
  } else if (auto *u = llvm::dyn_cast<UnaryExpr>(&e)) {
    return appliesModel(*u->operand, m, seen);
  }
  return false;
}

/// `def g(x) = 1 + x * u(x)` takes model u's inputs and applies u: it
/// becomes @u_def_g(inputs..., params...), an entry of u's artifact, so
/// that `predict --function g` evaluates a trial solution (or a residual:
/// grads inside are expanded like the loss's). Defs of other arities or
/// that do not apply the model are not functions of it.
void Generator::genModelFunction(const ModelDecl &m, const DefDecl &d) {
  ModelInfo &info = models[m.name];
  llvm::SmallPtrSet<const DefDecl *, 4> seen{&d};
  if (d.params.size() != info.numInputs || !appliesModel(*d.body, m, seen))
    return;
  builder.setInsertionPointToEnd(theModule.getBody());
  auto func = mlir::func::FuncOp::create(
      builder, loc(d.loc), m.name + "_def_" + d.name,
      builder.getFunctionType(info.func.getArgumentTypes(), {}));
  mlir::Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  FuncState fs;
  fs.func = func;
  fs.callableModel = &m;
  fs.params = info.params;
  Env env;
  for (unsigned i = 0; i < info.numInputs; ++i) {
    entry->getArgument(i).setLoc(loc(d.params[i].second));
    env.vars[d.params[i].first] = Val::ofTensor(entry->getArgument(i));
  }
  for (unsigned i = info.numInputs; i < entry->getNumArguments(); ++i)
    fs.modelParams.push_back(entry->getArgument(i));
  activeDefs.push_back(&d);
  std::optional<Val> v = eval(*d.body, fs, env);
  activeDefs.pop_back();
  // Only a value per sample can be predicted.
  if (!v || !v->tensor || tensorType(v->tensor).getRank() == 0 ||
      !mlir::ShapedType::isDynamic(tensorType(v->tensor).getDimSize(0))) {
    func.erase();
    return;
  }
  mlir::func::ReturnOp::create(builder, loc(d.loc), v->tensor);
  finishSignature(fs, info.numInputs,
                  [&](unsigned i) { return m.params[i].name; });
  func->setAttr(nn::kEntryAttr,
                builder.getDictionaryAttr(
                    {builder.getNamedAttr("kind", builder.getStringAttr("def")),
                     builder.getNamedAttr("model",
                                          builder.getStringAttr(m.name)),
                     builder.getNamedAttr("name",
                                          builder.getStringAttr(d.name))}));
}

/// Sets the function type from the entry block and tags every argument.
void Generator::finishSignature(FuncState &fs, unsigned numInputs,
                                llvm::function_ref<std::string(unsigned)> inputName) {
  mlir::func::FuncOp func = fs.func;
  mlir::Block &entry = func.getBody().front();
  auto ret = entry.getTerminator();
  func.setType(builder.getFunctionType(entry.getArgumentTypes(),
                                       ret->getOperandTypes()));
  for (unsigned i = 0; i < numInputs; ++i)
    func.setArgAttr(i, nn::kInputAttr, builder.getStringAttr(inputName(i)));
  for (size_t k = 0; k < fs.params.size(); ++k) {
    unsigned i = numInputs + k;
    func.setArgAttr(i, nn::kParamAttr,
                    builder.getStringAttr(fs.params[k].name));
    func.setArgAttr(i, nn::kInitAttr,
                    builder.getStringAttr(fs.params[k].init));
    if (!fs.params[k].trainable)
      func.setArgAttr(i, nn::kTrainableAttr, builder.getBoolAttr(false));
  }
}

bool Generator::checkDeclaredResults(const ModelDecl &m, const std::vector<Val> &outs) {
  if (m.results.empty())
    return true;
  if (m.results.size() != outs.size())
    return error(m.results[0].loc,
                 "model '" + m.name + "' declares " +
                     std::to_string(m.results.size()) +
                     " result(s) but returns " + std::to_string(outs.size()));
  for (size_t i = 0; i < outs.size(); ++i) {
    const TypeSpec &t = m.results[i];
    if (t.kind != TypeSpec::Kind::Tensor)
      continue;
    auto want = inputType(t);
    auto got = tensorType(outs[i].tensor);
    if (want != got)
      return error(t.loc, "model '" + m.name + "' declares result " +
                              nn::formatShape(want.getShape()) +
                              " but its body computes " +
                              nn::formatShape(got.getShape()));
  }
  return true;
}

/// Keras weighs a loss by a mask that reaches the model's output (padded
/// steps count zero); nnc's losses take no weights, so such a model is
/// refused rather than trained on its padding.
bool Generator::checkUnmaskedResults(const ModelDecl &m,
                                     const std::vector<Val> &outs) {
  for (const Val &v : outs)
    if (v.mask)
      return error(m.loc, "model '" + m.name + "' returns a sequence that "
                          "carries the step mask of embedding(mask_zero: "
                          "true), and a loss over masked steps is not "
                          "supported: end the masked part with a recurrent "
                          "layer without return_sequences, or with "
                          "global_average_pooling1d");
  return true;
}

/// Runs a model or block body on `inputs` (one per tensor parameter) with
/// hyper-parameters already in `env`.
std::optional<std::vector<Val>> Generator::runBody(const ModelDecl &m, FuncState &fs,
                                                   Env &env, std::vector<Val> inputs,
                                                   llvm::SMLoc callLoc) {
  size_t k = 0;
  for (const Param &p : m.params) {
    if (!p.type.isTensor())
      continue;
    Val in = inputs[k++];
    if (p.type.kind == TypeSpec::Kind::Tensor && m.isBlock) {
      auto want = inputType(p.type);
      if (tensorType(in.tensor) != want) {
        error(callLoc, "block '" + m.name + "' expects '" + p.name +
                           "' of shape " + nn::formatShape(want.getShape()) +
                           ", got " + shapeOf(in.tensor));
        return std::nullopt;
      }
    }
    env.vars[p.name] = in;
  }

  if (!m.isFunctional()) {
    Val cur = inputs[0];
    for (const Stmt &s : m.body) {
      auto *call = llvm::cast<CallExpr>(s.values[0].get());
      std::optional<Val> next = applyCallee(*call, {cur}, 0, fs, env);
      if (!next)
        return std::nullopt;
      cur = *next;
    }
    return std::vector<Val>{cur};
  }

  for (const Stmt &s : m.body) {
    if (s.kind == Stmt::Kind::Assign) {
      if (!assign(s, fs, env))
        return std::nullopt;
      continue;
    }
    std::vector<Val> outs;
    for (const ExprPtr &e : s.values) {
      std::optional<Val> v = eval(*e, fs, env);
      if (!v)
        return std::nullopt;
      if (!v->tensor) {
        error(e->loc, "a model must return tensors, not the constant " +
                          v->constant->str());
        return std::nullopt;
      }
      outs.push_back(*v);
    }
    return outs;
  }
  return std::nullopt; // unreachable: Sema requires a return
}

/// `name = expr`, or `y, h, c = layer(...)` unpacking a layer's output and
/// the final states it gives with return_state.
bool Generator::assign(const Stmt &s, FuncState &fs, Env &env) {
  const auto *call = llvm::dyn_cast<CallExpr>(s.values[0].get());
  // Saved and restored: a block called inside the unpacked call runs
  // statements of its own.
  const CallExpr *outer = unpackedCall;
  unpackedCall = s.names.size() > 1 ? call : nullptr; // Sema: a call
  std::optional<Val> v = eval(*s.values[0], fs, env);
  unpackedCall = outer;
  if (!v)
    return false;
  if (s.names.size() == 1) {
    env.vars[s.name] = *v;
    return true;
  }
  size_t given = 1 + v->states.size();
  if (given != s.names.size()) {
    std::string what =
        v->states.empty()
            ? "'" + call->callee + "(...)' gives one value"
            : "'" + call->callee + "(...)' gives " + std::to_string(given) +
                  " values (its output and final states)";
    return error(s.loc, what + ", not the " + std::to_string(s.names.size()) +
                            " that '" + llvm::join(s.names, ", ") +
                            " = ...' unpacks" +
                            (v->states.empty()
                                 ? std::string("; a recurrent layer gives "
                                               "its final states with "
                                               "return_state: true")
                                 : std::string()));
  }
  llvm::SmallVector<Value, 4> states = std::move(v->states);
  v->states.clear();
  env.vars[s.names[0]] = *v;
  for (size_t i = 0; i < states.size(); ++i)
    env.vars[s.names[i + 1]] = Val::ofTensor(states[i]);
  return true;
}

/// Applies a layer or block `call` to `tensorArgs`; the call's arguments
/// from `firstHyper` on are its hyper-parameters.
std::optional<Val> Generator::applyCallee(const CallExpr &call,
                                          std::vector<Val> tensorArgs,
                                          size_t firstHyper, FuncState &fs, Env &env) {
  if (call.callee == "bidirectional") {
    bool topLevel = fs.prefix.empty();
    int64_t scalarsBefore = fs.paramScalars;
    fs.firstInstanceName.clear();
    std::optional<Val> result =
        applyBidirectional(call, tensorArgs[0], firstHyper, fs, env);
    if (result && topLevel && result->tensor)
      fs.layers.push_back(
          {fs.firstInstanceName, "Bidirectional",
           llvm::SmallVector<int64_t>(tensorType(result->tensor).getShape()),
           fs.paramScalars - scalarsBefore});
    return checkStatesUnpacked(call, std::move(result));
  }
  std::vector<ArgValue> hyper;
  for (size_t i = firstHyper; i < call.args.size(); ++i) {
    const Argument &a = call.args[i];
    std::optional<ConstValue> v = constantOf(*a.value, env);
    if (!v)
      return std::nullopt;
    hyper.push_back({a.name, a.nameLoc, *v});
  }
  bool topLevel = fs.prefix.empty();
  int64_t scalarsBefore = fs.paramScalars;
  fs.firstInstanceName.clear();
  std::optional<Val> result;
  std::string type;
  if (const LayerSpec *spec = lookupLayer(call.callee)) {
    std::optional<BoundArgs> args =
        bindArguments(*spec, hyper, call.loc, diags);
    if (!args)
      return std::nullopt;
    result = applyLayer(*spec, call, tensorArgs[0], *args, fs);
    type = kerasClassName(spec->name);
  } else {
    const ModelDecl *block = sema.models.lookup(call.callee);
    result = applyBlock(*block, call, std::move(tensorArgs), hyper, fs);
    type = block->name;
  }
  if (result && topLevel && result->tensor)
    fs.layers.push_back(
        {fs.firstInstanceName, type,
         llvm::SmallVector<int64_t>(tensorType(result->tensor).getShape()),
         fs.paramScalars - scalarsBefore});
  return checkStatesUnpacked(call, std::move(result));
}

/// A layer's final states (return_state) exist only for the statement
/// that unpacks them; anywhere else the call is refused rather than its
/// states silently dropped.
std::optional<Val> Generator::checkStatesUnpacked(const CallExpr &call,
                                                  std::optional<Val> result) {
  if (!result || result->states.empty() || unpackedCall == &call)
    return result;
  size_t n = 1 + result->states.size();
  std::string names = n == 3 ? "y, h, c" : n == 2 ? "y, h" : "y, ...";
  error(call.loc, "'" + call.callee + "(..., return_state: true)' gives " +
                      std::to_string(n) +
                      " values (its output and final states): unpack them "
                      "in a functional body, '" + names + " = " +
                      call.callee + "(x, ...)'");
  return std::nullopt;
}

/// "dense" -> "Dense", "max_pooling2d" -> "MaxPooling2D": Keras' names
/// (a digit's "d" suffix is upper case, as in Conv2D).
std::string Generator::kerasClassName(llvm::StringRef layer) {
  // Keras spells these acronyms in capitals.
  if (layer == "lstm" || layer == "gru")
    return layer.upper();
  if (layer == "simple_rnn")
    return "SimpleRNN";
  std::string out;
  bool upper = true;
  for (char c : layer) {
    if (c == '_') {
      upper = true;
      continue;
    }
    bool afterDigit = !out.empty() && llvm::isDigit(out.back());
    out += upper || (afterDigit && c == 'd') ? llvm::toUpper(c) : c;
    upper = false;
  }
  return out;
}

std::optional<ConstValue> Generator::constantOf(const Expr &e, const Env &env) {
  std::optional<ConstValue> v =
      foldConstant(e, [&](llvm::StringRef name, bool &isTensor) {
        const Val *bound = env.lookup(name);
        if (bound && bound->tensor)
          isTensor = true;
        return bound ? bound->constant : std::nullopt;
      });
  if (!v)
    error(e.loc, "hyper-parameters must be compile-time values, not "
                 "tensors");
  return v;
}

std::optional<Val> Generator::applyLayer(const LayerSpec &spec, const CallExpr &call,
                                         Val input, const BoundArgs &args,
                                         FuncState &fs) {
  std::optional<std::string> name =
      instanceName(fs, spec.name, args.at("name").s, call.loc);
  if (!name)
    return std::nullopt;
  Context ctx(*this, fs, call, *name, args);
  if (spec.maskUse == MaskUse::Uses)
    ctx.mask = input.mask;
  std::optional<Value> y = spec.elaborate(ctx, input.tensor);
  if (!y)
    return std::nullopt;
  switch (spec.maskUse) {
  case MaskUse::Uses: {
    Val out = Val::ofTensor(*y, ctx.outputMask);
    out.states.assign(ctx.states.begin(), ctx.states.end());
    return out;
  }
  case MaskUse::Keeps:
    return Val::ofTensor(*y, input.mask);
  case MaskUse::Drops:
    if (input.mask)
      diags.warning(call.loc, spec.name + " does not use the step mask from "
                        "embedding(mask_zero: true): from here on the "
                        "padded steps count like real ones");
    return Val::ofTensor(*y);
  }
  llvm_unreachable("covered switch");
}

std::optional<Val> Generator::applyBidirectional(const CallExpr &call,
                                                Val input, size_t firstHyper,
                                                FuncState &fs, Env &env) {
  // The wrapped layer: the first argument, a call of a recurrent layer.
  const CallExpr *inner = nullptr;
  std::vector<ArgValue> hyper;
  for (size_t i = firstHyper; i < call.args.size(); ++i) {
    const Argument &a = call.args[i];
    bool isLayer = a.name.empty() || a.name == "layer";
    if (isLayer && !inner) {
      inner = llvm::dyn_cast<CallExpr>(a.value.get());
      if (!inner || !isRecurrentLayer(inner->callee)) {
        error(a.value->loc, "bidirectional wraps a recurrent layer: "
                            "simple_rnn(...), lstm(...) or gru(...)");
        return std::nullopt;
      }
      continue;
    }
    std::optional<ConstValue> v = constantOf(*a.value, env);
    if (!v)
      return std::nullopt;
    hyper.push_back({a.name, a.nameLoc, *v});
  }
  if (!inner) {
    error(call.loc, "bidirectional needs the layer it wraps: "
                    "bidirectional(lstm(64))");
    return std::nullopt;
  }
  // Its own arguments (without `layer`, consumed above).
  LayerSpec own = *lookupLayer("bidirectional");
  own.args.erase(own.args.begin());
  std::optional<BoundArgs> args = bindArguments(own, hyper, call.loc, diags);
  if (!args)
    return std::nullopt;
  const LayerSpec &spec = *lookupLayer(inner->callee);
  std::vector<ArgValue> innerHyper;
  for (const Argument &a : inner->args) {
    std::optional<ConstValue> v = constantOf(*a.value, env);
    if (!v)
      return std::nullopt;
    innerHyper.push_back({a.name, a.nameLoc, *v});
  }
  std::optional<BoundArgs> innerArgs =
      bindArguments(spec, innerHyper, inner->loc, diags);
  if (!innerArgs)
    return std::nullopt;

  std::optional<std::string> name =
      instanceName(fs, "bidirectional", args->at("name").s, call.loc);
  if (!name)
    return std::nullopt;
  // Keras' forward_layer and backward_layer: parameters
  // <name>.forward.kernel, <name>.backward.kernel, ...
  BoundArgs backward = *innerArgs;
  backward["go_backwards"].b = !innerArgs->at("go_backwards").b;
  Context fwd(*this, fs, *inner, *name + ".forward", *innerArgs);
  fwd.half = BidirectionalHalf::Forward;
  fwd.mask = input.mask;
  std::optional<Value> a = spec.elaborate(fwd, input.tensor);
  if (!a)
    return std::nullopt;
  Context bwd(*this, fs, *inner, *name + ".backward", backward);
  bwd.half = BidirectionalHalf::Backward;
  bwd.mask = input.mask;
  std::optional<Value> b = spec.elaborate(bwd, input.tensor);
  if (!b)
    return std::nullopt;
  // With return_sequences the merged output keeps the mask, as each half's.
  Value mask = fwd.outputMask;
  Val merged = Val::ofTensor(mergeHalves(*a, *b, args->at("merge_mode").s,
                                         call.loc),
                             mask);
  // Keras' Bidirectional with return_state: [output, forward states...,
  // backward states...].
  merged.states.assign(fwd.states.begin(), fwd.states.end());
  merged.states.append(bwd.states.begin(), bwd.states.end());
  return merged;
}

/// A bidirectional layer's two outputs merged by `mode`.
Value Generator::mergeHalves(Value a, Value b, llvm::StringRef mode,
                             llvm::SMLoc at) {
  nn::NNBuilder ops{builder, loc(at)};
  if (mode == "sum")
    return ops.add(a, b);
  if (mode == "mul")
    return ops.mul(a, b);
  if (mode == "ave")
    return ops.mul(ops.add(a, b), ops.cst(a, 0.5));
  // concat along the features: the halves placed side by side.
  auto type = tensorType(a);
  int64_t axis = type.getRank() - 1, n = type.getShape().back();
  return nn::UnsliceOp::create(builder, loc(at), mlir::ValueRange{a, b}, axis,
                               llvm::ArrayRef<int64_t>{0, n}, 2 * n);
}

std::optional<Val> Generator::applyBlock(const ModelDecl &block, const CallExpr &call,
                                         std::vector<Val> tensorArgs,
                                         llvm::ArrayRef<ArgValue> hyper,
                                         FuncState &fs) {
  // Hyper-parameters bind like a layer's, through the same binder.
  LayerSpec spec{block.name, {}, ""};
  for (const Param &p : block.params) {
    if (p.type.isTensor())
      continue;
    ArgKind kind = ArgKind::Float;
    switch (p.type.kind) {
    case TypeSpec::Kind::Int: kind = ArgKind::Int; break;
    case TypeSpec::Kind::Float: kind = ArgKind::Float; break;
    case TypeSpec::Kind::Bool: kind = ArgKind::Bool; break;
    case TypeSpec::Kind::String: kind = ArgKind::String; break;
    case TypeSpec::Kind::Activation: kind = ArgKind::Activation; break;
    default: break;
    }
    std::optional<ConstValue> def;
    if (p.defaultValue)
      if (!(def = constantOf(*p.defaultValue, Env())))
        return std::nullopt;
    spec.args.push_back({p.name, kind, def});
  }
  std::optional<BoundArgs> args = bindArguments(spec, hyper, call.loc, diags);
  if (!args)
    return std::nullopt;

  if (std::find(activeBlocks.begin(), activeBlocks.end(), &block) !=
      activeBlocks.end()) {
    error(call.loc, "block '" + block.name + "' uses itself");
    return std::nullopt;
  }
  // Each level is a few frames of recursion here (issue 11: 10,000 chained
  // blocks overflowed the stack).
  if (activeBlocks.size() >= kMaxInstantiationDepth) {
    error(call.loc, "blocks nested more than " +
                        std::to_string(kMaxInstantiationDepth) +
                        " levels deep (block '" + block.name + "')");
    return std::nullopt;
  }
  activeBlocks.push_back(&block);
  llvm::scope_exit popBlock([&] { activeBlocks.pop_back(); });

  std::optional<std::string> name =
      instanceName(fs, block.name, "", call.loc);
  std::string savedPrefix = fs.prefix;
  fs.prefix = *name + ".";
  llvm::scope_exit restorePrefix(
      [&] { fs.prefix = savedPrefix; });

  Env env;
  for (auto &[pname, value] : *args)
    env.vars[pname] = Val::ofConst(value);
  std::optional<std::vector<Val>> outs =
      runBody(block, fs, env, std::move(tensorArgs), call.loc);
  if (!outs)
    return std::nullopt;
  if (outs->size() != 1) {
    error(call.loc, "block '" + block.name + "' returns " +
                        std::to_string(outs->size()) +
                        " values; a block used as a layer returns one");
    return std::nullopt;
  }
  return outs->front();
}

} // namespace nnc::gen
