//===- Sema.cpp - name and declaration checks for .nn files ---------------===//

#include "compiler/Frontend/Sema.h"

#include "compiler/Frontend/Builtins.h"
#include "compiler/Frontend/Layers.h"
#include "compiler/Frontend/Values.h"
#include "dialects/nn/IR/NNInitializers.h"
#include "dialects/nn/IR/NNLosses.h"
#include "dialects/nn/IR/NNMetrics.h"
#include "dialects/nn/IR/NNOptimizers.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Casting.h"

#include <cmath>

using namespace nnc;
using namespace nnc::ast;

namespace {

/// Names visible in a body or expression.
struct Scope {
  llvm::StringSet<> names;
  const Scope *parent = nullptr;
  bool contains(llvm::StringRef n) const {
    return names.contains(n) || (parent && parent->contains(n));
  }
  void collect(std::vector<std::string> &out) const {
    for (const auto &e : names)
      out.push_back(e.getKey().str());
    if (parent)
      parent->collect(out);
  }
};

/// Where an expression appears decides which callees it may use.
enum class Context {
  Body, // a model or block body: layers, blocks, math
  Def,  // a def or custom loss: models, defs, math, losses, grad
};

class Analyzer {
public:
  Analyzer(const Module &module, DiagnosticEngine &diags)
      : module(module), diags(diags) {}

  SemaResult run() {
    declare();
    for (const ModelDecl &m : module.models)
      checkModel(m);
    for (const DefDecl &d : module.defs)
      checkDef(d);
    llvm::StringMap<llvm::SMLoc> trained;
    for (const TrainDecl &t : module.trains) {
      auto [it, inserted] = trained.try_emplace(t.model, t.loc);
      if (!inserted) {
        diags.error(t.loc, "model '" + t.model +
                               "' already has a training section");
        diags.note(it->second, "the first one is here");
        continue;
      }
      checkTrain(t);
    }
    return std::move(result);
  }

private:
  //===--------------------------------------------------------------------===//
  // Declarations
  //===--------------------------------------------------------------------===//

  bool isReservedName(llvm::StringRef name, llvm::SMLoc loc,
                      llvm::StringRef what) {
    const char *kind = nullptr;
    if (lookupLayer(name))
      kind = "built-in layer";
    else if (lookupBuiltin(name))
      kind = "built-in function";
    if (!kind)
      return false;
    diags.error(loc, what + " name '" + name + "' is a " + kind +
                         "; choose another name");
    return true;
  }

  void declare() {
    llvm::StringMap<llvm::SMLoc> seen;
    auto add = [&](llvm::StringRef name, llvm::SMLoc loc,
                   llvm::StringRef what) {
      if (isReservedName(name, loc, what))
        return false;
      auto [it, inserted] = seen.try_emplace(name, loc);
      if (!inserted) {
        diags.error(loc, "redefinition of '" + name + "'");
        diags.note(it->second, "previous definition is here");
        return false;
      }
      return true;
    };
    for (const ModelDecl &m : module.models)
      if (add(m.name, m.loc, m.isBlock ? "block" : "model"))
        result.models[m.name] = &m;
    for (const DefDecl &d : module.defs)
      if (add(d.name, d.loc, "def"))
        result.defs[d.name] = &d;
  }

  //===--------------------------------------------------------------------===//
  // Models and blocks
  //===--------------------------------------------------------------------===//

  void checkModel(const ModelDecl &m) {
    Scope scope;
    unsigned tensorParams = 0;
    for (const Param &p : m.params) {
      if (!scope.names.insert(p.name).second) {
        diags.error(p.loc, "duplicate parameter '" + p.name + "'");
        continue;
      }
      if (p.type.isTensor())
        ++tensorParams;
      if (!m.isBlock && p.type.kind != TypeSpec::Kind::Tensor) {
        diags.error(p.type.loc,
                    "model input '" + p.name +
                        "' needs a shape such as f32[4]; use 'block' for "
                        "reusable layers with hyper-parameters");
      }
      if (p.defaultValue && p.type.isTensor())
        diags.error(p.defaultValue->loc,
                    "tensor parameter '" + p.name + "' cannot have a default");
      else if (p.defaultValue)
        checkExpr(*p.defaultValue, Scope(), Context::Body);
    }
    if (tensorParams == 0)
      diags.error(m.loc, std::string(m.isBlock ? "block" : "model") + " '" +
                             m.name + "' needs at least one tensor input");

    // Statements were dropped while parsing: the body's form and names
    // cannot be judged without them, and the parser has reported why.
    if (m.hadSyntaxErrors)
      return;
    if (m.body.empty()) {
      diags.error(m.endLoc, std::string(m.isBlock ? "block" : "model") +
                                " '" + m.name + "' has an empty body");
      return;
    }
    if (m.isFunctional())
      checkFunctionalBody(m, scope);
    else
      checkSequentialBody(m, scope, tensorParams);
  }

  void checkSequentialBody(const ModelDecl &m, Scope &scope,
                           unsigned tensorParams) {
    if (tensorParams > 1)
      diags.error(m.loc, "a sequential body takes exactly one tensor input, '" +
                             m.name + "' has " + std::to_string(tensorParams) +
                             "; name the values and end with 'return'");
    for (const Stmt &s : m.body) {
      if (s.kind == Stmt::Kind::Assign) {
        diags.error(s.loc, "'" + s.name +
                               " = ...' needs a functional body, which ends "
                               "with 'return'");
        continue;
      }
      // A layer statement: a call whose input is the previous value.
      auto *call = llvm::cast<CallExpr>(s.values[0].get());
      if (!checkLayerCallee(*call))
        continue;
      for (const Argument &a : call->args)
        checkExpr(*a.value, scope, Context::Body);
    }
  }

  void checkFunctionalBody(const ModelDecl &m, Scope &scope) {
    for (size_t i = 0; i < m.body.size(); ++i) {
      const Stmt &s = m.body[i];
      switch (s.kind) {
      case Stmt::Kind::Layer:
        diags.error(s.loc, "a layer on its own has no input in a functional "
                           "body; write 'h = " +
                               llvm::cast<CallExpr>(s.values[0].get())->callee +
                               "(x, ...)'");
        break;
      case Stmt::Kind::Assign:
        checkExpr(*s.values[0], scope, Context::Body);
        if (s.names.size() > 1 && !llvm::isa<CallExpr>(*s.values[0]))
          diags.error(ast::startLoc(*s.values[0]),
                      "only a layer call gives several values to unpack "
                      "into '" + llvm::join(s.names, ", ") + "'");
        for (size_t k = 0; k < s.names.size(); ++k)
          if (!scope.names.insert(s.names[k]).second)
            diags.error(s.nameLocs[k],
                        "'" + s.names[k] + "' is already defined");
        break;
      case Stmt::Kind::Return:
        for (const ExprPtr &v : s.values)
          checkExpr(*v, scope, Context::Body);
        if (i + 1 != m.body.size())
          diags.error(m.body[i + 1].loc, "statement after 'return'");
        break;
      }
    }
  }

  /// A call in a model body names a built-in layer or a block.
  bool checkLayerCallee(const CallExpr &call) {
    if (lookupLayer(call.callee))
      return true;
    auto it = result.models.find(call.callee);
    if (it != result.models.end() && it->second->isBlock)
      return true;
    if (it != result.models.end()) {
      diags.error(call.loc, "model '" + call.callee +
                                "' cannot be used as a layer; declare it as "
                                "a 'block'");
      return false;
    }
    reportUnknownLayer(call);
    return false;
  }

  void reportUnknownLayer(const CallExpr &call) {
    std::vector<std::string> names;
    for (const LayerSpec &l : builtinLayers())
      names.push_back(l.name);
    for (const auto &e : result.models)
      if (e.second->isBlock)
        names.push_back(e.getKey().str());
    std::string hint = closestMatch(call.callee, names);
    std::vector<std::string> layers;
    for (const LayerSpec &l : builtinLayers())
      layers.push_back(l.name);
    diags.error(call.loc, "unknown layer '" + call.callee + "'" +
                              (hint.empty() ? ""
                                            : "; did you mean '" + hint + "'?") +
                              " (layers: " + llvm::join(layers, ", ") + ")");
  }

  //===--------------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------------===//

  void checkExpr(const Expr &e, const Scope &scope, Context ctx) {
    if (auto *n = llvm::dyn_cast<NameExpr>(&e)) {
      if (scope.contains(n->name) || isWordConstant(n->name))
        return;
      std::vector<std::string> names;
      scope.collect(names);
      for (const std::string &a : activationNames())
        names.push_back(a);
      for (llvm::StringRef i : nn::userInitializers())
        names.push_back(i.str());
      for (const std::string &w : layerChoiceWords())
        names.push_back(w);
      std::string hint = closestMatch(n->name, names);
      diags.error(e.loc, "unknown name '" + n->name + "'" +
                             (hint.empty() ? ""
                                           : "; did you mean '" + hint + "'?"));
      return;
    }
    if (auto *l = llvm::dyn_cast<ListExpr>(&e)) {
      for (const ExprPtr &el : l->elements)
        checkExpr(*el, scope, ctx);
      return;
    }
    if (auto *u = llvm::dyn_cast<UnaryExpr>(&e))
      return checkExpr(*u->operand, scope, ctx);
    if (auto *b = llvm::dyn_cast<BinaryExpr>(&e)) {
      checkExpr(*b->lhs, scope, ctx);
      checkExpr(*b->rhs, scope, ctx);
      return;
    }
    if (auto *c = llvm::dyn_cast<CallExpr>(&e))
      checkCall(*c, scope, ctx);
  }

  /// Activation and initializer names stand for themselves as arguments.
  static bool isWordConstant(llvm::StringRef name) {
    return llvm::is_contained(activationNames(), name) ||
           nn::isIn(nn::userInitializers(), name) ||
           llvm::is_contained(layerChoiceWords(), name);
  }

  void checkCall(const CallExpr &c, const Scope &scope, Context ctx) {
    for (const Argument &a : c.args)
      if (!(c.callee == "grad" && &a == &c.args[1]))
        checkExpr(*a.value, scope, ctx);

    if (const Builtin *b = lookupBuiltin(c.callee)) {
      size_t positional = 0;
      for (const Argument &a : c.args)
        positional += a.name.empty();
      if (positional < b->minArgs || positional > b->maxArgs) {
        std::string count =
            b->minArgs == b->maxArgs
                ? std::to_string(b->minArgs)
                : std::to_string(b->minArgs) + " or " +
                      std::to_string(b->maxArgs);
        diags.error(c.loc, "'" + c.callee + "' takes " + count +
                               " argument" + (b->maxArgs == 1 ? "" : "s") +
                               ", got " + std::to_string(positional));
        return;
      }
      if ((b->kind == BuiltinKind::Grad || b->kind == BuiltinKind::Loss) &&
          ctx == Context::Body) {
        diags.error(c.loc, "'" + c.callee +
                               "' is allowed in defs and losses, not in "
                               "model bodies");
        return;
      }
      if (b->kind == BuiltinKind::Grad) {
        auto *var = llvm::dyn_cast<NameExpr>(c.args[1].value.get());
        if (!var)
          diags.error(startLoc(*c.args[1].value),
                      "the second argument of 'grad' must be a name, the "
                      "input to differentiate by");
        else if (!scope.contains(var->name))
          diags.error(var->loc, "unknown name '" + var->name + "'");
      }
      return;
    }
    if (ctx == Context::Body) {
      checkLayerCallee(c);
      return;
    }
    // Defs and losses call models and other defs.
    auto m = result.models.find(c.callee);
    if (m != result.models.end() && !m->second->isBlock)
      return;
    if (result.defs.count(c.callee))
      return;
    std::vector<std::string> names;
    for (const auto &e : result.models)
      if (!e.second->isBlock)
        names.push_back(e.getKey().str());
    for (const auto &e : result.defs)
      names.push_back(e.getKey().str());
    for (const Builtin &b : builtins())
      names.push_back(b.name.str());
    std::string hint = closestMatch(c.callee, names);
    diags.error(c.loc, "unknown function '" + c.callee + "'" +
                           (hint.empty() ? ""
                                         : "; did you mean '" + hint + "'?"));
  }

  void checkDef(const DefDecl &d) {
    Scope scope;
    for (const auto &[name, loc] : d.params)
      if (!scope.names.insert(name).second)
        diags.error(loc, "duplicate parameter '" + name + "'");
    checkExpr(*d.body, scope, Context::Def);
  }

  //===--------------------------------------------------------------------===//
  // Training section
  //===--------------------------------------------------------------------===//

  std::optional<ConstValue> constant(const Expr &e) {
    return foldConstant(e, [](llvm::StringRef, bool &) {
      return std::optional<ConstValue>();
    });
  }

  bool positiveInt(const TrainEntry &e, int64_t &out) {
    std::optional<ConstValue> v = constant(*e.value);
    if (!v || v->kind != ConstValue::Kind::Int || v->i <= 0) {
      diags.error(e.value->loc, "'" + e.key +
                                    "' must be a positive integer, got " +
                                    (v ? v->str() : "an expression"));
      return false;
    }
    out = v->i;
    return true;
  }

  void checkTrain(const TrainDecl &t) {
    TrainConfig config;
    config.decl = &t;
    auto m = result.models.find(t.model);
    if (m == result.models.end() || m->second->isBlock) {
      std::vector<std::string> names;
      for (const auto &e : result.models)
        if (!e.second->isBlock)
          names.push_back(e.getKey().str());
      std::string hint = closestMatch(t.model, names);
      diags.error(t.modelLoc,
                  (m == result.models.end() ? "unknown model '" + t.model + "'"
                                            : "'" + t.model +
                                                  "' is a block; only a model "
                                                  "can be trained") +
                      (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      return;
    }
    config.model = m->second;

    static const char *kKeys[] = {"loss",   "loss_weights", "optimizer",
                                  "metrics", "batch",       "epochs",
                                  "validation_split"};
    llvm::StringMap<llvm::SMLoc> seen;
    bool ok = true;
    for (const TrainEntry &e : t.entries) {
      // Keras spells it batch_size in fit(); accept both.
      std::string key = e.key == "batch_size" ? "batch" : e.key;
      auto [it, inserted] = seen.try_emplace(key, e.loc);
      if (!inserted) {
        diags.error(e.loc, "setting '" + e.key + "' is given twice");
        ok = false;
        continue;
      }
      if (key == "loss")
        ok &= checkLoss(e, config);
      else if (key == "loss_weights")
        ok &= checkLossWeights(e, config);
      else if (key == "optimizer")
        ok &= checkOptimizer(e, config);
      else if (key == "metrics")
        ok &= checkMetrics(e, config);
      else if (key == "batch")
        ok &= positiveInt(e, config.batchSize);
      else if (key == "epochs")
        ok &= positiveInt(e, config.epochs);
      else if (key == "validation_split") {
        std::optional<ConstValue> v = constant(*e.value);
        if (!v || !v->isNumber() || v->f < 0.0 || v->f >= 1.0) {
          diags.error(e.value->loc,
                      "'validation_split' must be a number in [0, 1), got " +
                          (v ? v->str() : std::string("an expression")));
          ok = false;
        } else {
          config.validationSplit = v->f;
        }
      } else {
        std::vector<std::string> keys(std::begin(kKeys), std::end(kKeys));
        std::string hint = closestMatch(e.key, keys);
        diags.error(e.loc, "unknown training setting '" + e.key + "'" +
                               (hint.empty() ? ""
                                             : "; did you mean '" + hint +
                                                   "'?"));
        ok = false;
      }
    }
    for (const char *required : {"loss", "optimizer"}) {
      if (!seen.count(required) && !t.hadSyntaxErrors) {
        diags.error(t.loc, "training section for '" + t.model +
                               "' needs a '" + required + "'");
        ok = false;
      }
    }
    if (ok)
      result.trains.push_back(std::move(config));
  }

  bool checkLoss(const TrainEntry &e, TrainConfig &config) {
    config.lossLoc = startLoc(*e.value);
    // One built-in loss per output, in the order the model returns them.
    if (auto *l = llvm::dyn_cast<ListExpr>(e.value.get())) {
      bool ok = !l->elements.empty();
      if (!ok)
        diags.error(e.value->loc, "'loss' lists no loss");
      for (const ExprPtr &el : l->elements) {
        auto *n = llvm::dyn_cast<NameExpr>(el.get());
        const nn::LossSpec *loss = n ? nn::lookupLoss(n->name) : nullptr;
        if (!loss) {
          std::vector<std::string> names;
          for (const nn::LossSpec &s : nn::builtinLosses())
            names.push_back(s.name.str());
          std::string hint = n ? closestMatch(n->name, names) : "";
          diags.error(el->loc,
                      (n ? "unknown loss '" + n->name + "'"
                         : std::string("a loss list holds built-in loss "
                                       "names")) +
                          (hint.empty() ? "" : "; did you mean '" + hint +
                                                   "'?"));
          ok = false;
          continue;
        }
        config.outputLosses.push_back(loss->name.str());
      }
      return ok;
    }
    if (auto *n = llvm::dyn_cast<NameExpr>(e.value.get())) {
      if (const nn::LossSpec *loss = nn::lookupLoss(n->name)) {
        config.builtinLoss = loss->name.str();
        return true;
      }
      auto d = result.defs.find(n->name);
      if (d != result.defs.end()) {
        if (d->second->params.size() != 2) {
          diags.error(e.value->loc,
                      "custom loss '" + n->name +
                          "' must take (y_true, y_pred), it takes " +
                          std::to_string(d->second->params.size()) +
                          " parameter(s)");
          return false;
        }
        config.lossDef = d->second;
        return true;
      }
      std::vector<std::string> names;
      for (const nn::LossSpec &l : nn::builtinLosses())
        names.push_back(l.name.str());
      for (const auto &def : result.defs)
        names.push_back(def.getKey().str());
      std::string hint = closestMatch(n->name, names);
      diags.error(e.value->loc,
                  "unknown loss '" + n->name + "'" +
                      (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      return false;
    }
    // An inline expression over the model's inputs, y_true and y_pred.
    Scope scope;
    for (const Param &p : config.model->params)
      scope.names.insert(p.name);
    scope.names.insert("y_true");
    scope.names.insert("y_pred");
    unsigned before = diags.errorCount();
    checkExpr(*e.value, scope, Context::Def);
    config.lossExpr = e.value.get();
    return diags.errorCount() == before;
  }

  /// The elements of a list setting (`metrics: [a, b]`), or the one value
  /// given without brackets (`metrics: accuracy`).
  static std::vector<const Expr *> listItems(const Expr &value) {
    std::vector<const Expr *> items;
    if (auto *l = llvm::dyn_cast<ListExpr>(&value))
      for (const ExprPtr &el : l->elements)
        items.push_back(el.get());
    else
      items.push_back(&value);
    return items;
  }

  bool checkLossWeights(const TrainEntry &e, TrainConfig &config) {
    config.lossWeightsLoc = startLoc(*e.value);
    bool ok = true;
    for (const Expr *item : listItems(*e.value)) {
      std::optional<ConstValue> v = constant(*item);
      if (!v || !v->isNumber() || !std::isfinite(v->f) || v->f < 0) {
        diags.error(item->loc, "a loss weight must be a number >= 0, got " +
                                   (v ? v->str() : std::string("an "
                                                               "expression")));
        ok = false;
        continue;
      }
      config.lossWeights.push_back(v->f);
    }
    return ok;
  }

  bool checkOptimizer(const TrainEntry &e, TrainConfig &config) {
    std::string name;
    const std::vector<Argument> *args = nullptr;
    if (auto *n = llvm::dyn_cast<NameExpr>(e.value.get())) {
      name = n->name;
    } else if (auto *c = llvm::dyn_cast<CallExpr>(e.value.get())) {
      name = c->callee;
      args = &c->args;
    } else {
      diags.error(e.value->loc,
                  "'optimizer' must be an optimizer such as adam or "
                  "adam(learning_rate: 0.001)");
      return false;
    }
    const nn::OptimizerSpec *spec = nn::lookupOptimizer(name);
    if (!spec) {
      std::vector<std::string> names;
      for (const nn::OptimizerSpec &o : nn::builtinOptimizers())
        names.push_back(o.name.str());
      std::string hint = closestMatch(name, names);
      diags.error(e.value->loc,
                  "unknown optimizer '" + name + "'" +
                      (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      return false;
    }
    config.optimizer = name;

    // Bind through the layer binder: one implementation of positional,
    // named, repeated and unknown arguments, and of defaults.
    LayerSpec asLayer{name, {}, ""};
    for (const nn::OptimizerParam &p : spec->params) {
      bool isBool = p.kind == nn::OptimizerParam::Bool;
      ConstValue def = ConstValue::ofFloat(p.defaultValue, {});
      if (isBool) {
        def.kind = ConstValue::Kind::Bool;
        def.b = p.defaultValue != 0;
      }
      asLayer.args.push_back(
          {p.name.str(), isBool ? ArgKind::Bool : ArgKind::Float, def});
    }
    std::vector<ArgValue> values;
    bool ok = true;
    if (args) {
      for (const Argument &a : *args) {
        std::optional<ConstValue> v = constant(*a.value);
        if (!v) {
          diags.error(a.value->loc, "optimizer arguments must be constants");
          ok = false;
          continue;
        }
        values.push_back({a.name, a.nameLoc, *v});
      }
    }
    std::optional<BoundArgs> bound =
        ok ? bindArguments(asLayer, values, e.value->loc, diags) : std::nullopt;
    if (!bound)
      return false;
    for (const nn::OptimizerParam &p : spec->params) {
      const ConstValue &v = bound->at(p.name.str());
      double value = v.kind == ConstValue::Kind::Bool ? (v.b ? 1.0 : 0.0) : v.f;
      if (p.kind == nn::OptimizerParam::Float && value < 0) {
        diags.error(v.loc, "'" + p.name + "' must not be negative, got " +
                               v.str());
        ok = false;
      } else if (p.name == "learning_rate" && value == 0) {
        diags.error(v.loc, "'learning_rate' must be positive, got " + v.str());
        ok = false;
      }
      config.optimizerConfig.emplace_back(p.name.str(), value);
    }
    return ok;
  }

  bool checkMetrics(const TrainEntry &e, TrainConfig &config) {
    bool ok = true;
    for (const Expr *item : listItems(*e.value)) {
      std::optional<ConstValue> v = constant(*item);
      if (!v || !v->isWord() || !nn::isMetric(v->s)) {
        std::vector<std::string> names = nn::metricNames();
        std::string hint = v && v->isWord() ? closestMatch(v->s, names) : "";
        diags.error(item->loc,
                    "unknown metric " + (v ? v->str() : "expression") +
                        (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
        ok = false;
        continue;
      }
      config.metrics.push_back(v->s);
    }
    return ok;
  }

  const Module &module;
  DiagnosticEngine &diags;
  SemaResult result;
};

} // namespace

SemaResult nnc::analyze(const Module &module, DiagnosticEngine &diags) {
  return Analyzer(module, diags).run();
}
