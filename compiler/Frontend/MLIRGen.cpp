//===- MLIRGen.cpp - elaborates a checked AST into the nn dialect ---------===//
//
// The elaborator keeps two kinds of value apart: compile-time constants
// (hyper-parameters, numbers) and tensors (mlir::Value). Arithmetic on two
// constants folds; a constant meeting a tensor becomes a rank-0
// arith.constant of the tensor's element type.
//
// Parameters are created as block arguments of the function under
// construction when a layer first needs them; the function type and the
// nn.param/nn.init argument attributes are set once the body is complete.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/MLIRGen.h"

#include "compiler/Frontend/Builtins.h"
#include "compiler/Frontend/Layers.h"
#include "compiler/Frontend/Lexer.h"
#include "compiler/Frontend/Parser.h"
#include "compiler/Frontend/Values.h"
#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"
#include "dialects/nn/IR/NNInitializers.h"
#include "dialects/nn/IR/NNLosses.h"
#include "dialects/nn/IR/NNOptimizers.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"

using namespace nnc;
using namespace nnc::ast;
using mlir::Value;

namespace {

/// What an expression evaluates to: a tensor or a compile-time constant.
struct Val {
  Value tensor;
  std::optional<ConstValue> constant;
  // `y_pred` in a loss expression: the model applied to whatever its input
  // names are bound to where the name is used, so that inside grad(.., x)
  // it is recomputed from the differentiated x (and d y_pred / dx is the
  // model's derivative, not zero).
  bool modelOutput = false;
  static Val ofTensor(Value v) {
    Val r;
    r.tensor = v;
    return r;
  }
  static Val ofConst(ConstValue c) {
    Val r;
    r.constant = std::move(c);
    return r;
  }
};

/// Names bound in a body, a def or a grad region.
struct Env {
  llvm::StringMap<Val> vars;
  const Env *parent = nullptr;
  const Val *lookup(llvm::StringRef name) const {
    auto it = vars.find(name);
    if (it != vars.end())
      return &it->second;
    return parent ? parent->lookup(name) : nullptr;
  }
};

/// One model parameter: a block argument of the function being built.
struct ParamRecord {
  std::string name;
  std::string init;
  bool trainable;
};

/// A generated model: what a loss needs to call it.
struct ModelInfo {
  mlir::func::FuncOp func;
  unsigned numInputs = 0;
  std::vector<ParamRecord> params;
};

/// One row of the model's summary table (top-level layers and blocks).
struct LayerRecord {
  std::string name, type;
  llvm::SmallVector<int64_t> shape;
  int64_t params;
};

/// The function under construction.
struct FuncState {
  mlir::func::FuncOp func;
  std::vector<ParamRecord> params;
  llvm::StringMap<unsigned> autoNames; // layer kind -> instances so far
  llvm::StringSet<> usedNames;
  std::string prefix; // "block." inside a block instance
  int64_t paramScalars = 0;          // parameters added so far, as scalars
  std::string firstInstanceName;     // of the layer being applied
  std::vector<LayerRecord> layers;   // top level only
  // In a loss: the model it may call and the arguments holding its
  // parameters.
  const ModelDecl *callableModel = nullptr;
  std::vector<Value> modelParams;
};

class Generator {
public:
  Generator(mlir::MLIRContext &ctx, const Module &module,
            const SemaResult &sema, DiagnosticEngine &diags)
      : ctx(ctx), builder(&ctx), module(module), sema(sema), diags(diags) {}

  mlir::OwningOpRef<mlir::ModuleOp> run() {
    mlir::OwningOpRef<mlir::ModuleOp> out =
        mlir::ModuleOp::create(builder.getUnknownLoc());
    theModule = *out;
    for (const ModelDecl &m : module.models)
      if (!m.isBlock)
        genModel(m);
    for (const ModelDecl &m : module.models)
      if (!m.isBlock && models.count(m.name))
        for (const DefDecl &d : module.defs)
          genModelFunction(m, d);
    for (const TrainConfig &t : sema.trains)
      genTrain(t);
    if (diags.hadErrors())
      return nullptr;
    return out;
  }

private:
  //===--------------------------------------------------------------------===//
  // Helpers
  //===--------------------------------------------------------------------===//

  mlir::Location loc(llvm::SMLoc l) {
    llvm::SourceMgr &sm = diags.getSourceMgr();
    unsigned buf = sm.FindBufferContainingLoc(l);
    if (!buf)
      return builder.getUnknownLoc();
    auto [line, col] = sm.getLineAndColumn(l, buf);
    return mlir::FileLineColLoc::get(
        &ctx, sm.getMemoryBuffer(buf)->getBufferIdentifier(), line, col);
  }

  bool error(llvm::SMLoc l, const llvm::Twine &msg) {
    diags.error(l, msg);
    return false;
  }

  static mlir::RankedTensorType tensorType(Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType());
  }
  static std::string shapeOf(Value v) {
    return nn::formatShape(tensorType(v).getShape());
  }

  mlir::Type elementType(const std::string &dtype) {
    return dtype == "f64" ? mlir::Type(builder.getF64Type())
                          : mlir::Type(builder.getF32Type());
  }

  /// The type of a model input `f32[4]`: a dynamic batch in front.
  mlir::RankedTensorType inputType(const TypeSpec &t) {
    llvm::SmallVector<int64_t> shape{mlir::ShapedType::kDynamic};
    shape.append(t.dims.begin(), t.dims.end());
    return mlir::RankedTensorType::get(shape, elementType(t.dtype));
  }

  Value scalarConstant(double v, mlir::Type elementType, llvm::SMLoc l) {
    auto type = mlir::RankedTensorType::get({}, elementType);
    auto attr = mlir::DenseElementsAttr::get(
        type, llvm::ArrayRef<mlir::Attribute>{
                  mlir::FloatAttr::get(elementType, v)});
    return mlir::arith::ConstantOp::create(builder, loc(l), attr);
  }

  /// A fresh parameter of the function under construction.
  Value addParam(FuncState &fs, const std::string &name,
                 llvm::ArrayRef<int64_t> shape, mlir::Type elementType,
                 const std::string &init, bool trainable, llvm::SMLoc l) {
    auto type = mlir::RankedTensorType::get(shape, elementType);
    fs.params.push_back({name, init, trainable});
    fs.paramScalars += type.getNumElements();
    return fs.func.getBody().front().addArgument(type, loc(l));
  }

  /// Keras-style unique names: dense, dense_1, ... or the user's `name:`.
  std::optional<std::string> instanceName(FuncState &fs, llvm::StringRef kind,
                                          llvm::StringRef explicitName,
                                          llvm::SMLoc l) {
    std::optional<std::string> name = uniqueName(fs, kind, explicitName, l);
    if (name && fs.firstInstanceName.empty())
      fs.firstInstanceName = *name;
    return name;
  }

  std::optional<std::string> uniqueName(FuncState &fs, llvm::StringRef kind,
                                        llvm::StringRef explicitName,
                                        llvm::SMLoc l) {
    std::string name;
    if (!explicitName.empty()) {
      name = fs.prefix + explicitName.str();
      if (!fs.usedNames.insert(name).second) {
        error(l, "duplicate layer name '" + explicitName + "'");
        return std::nullopt;
      }
      return name;
    }
    do {
      unsigned n = fs.autoNames[fs.prefix + kind.str()]++;
      name = fs.prefix + kind.str() + (n ? "_" + std::to_string(n) : "");
    } while (!fs.usedNames.insert(name).second);
    return name;
  }

  //===--------------------------------------------------------------------===//
  // Models
  //===--------------------------------------------------------------------===//

  void genModel(const ModelDecl &m) {
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
    if (!results || !checkDeclaredResults(m, *results)) {
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
  void setLayerTable(FuncState &fs) {
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

  //===--------------------------------------------------------------------===//
  // Model functions: defs that apply a model
  //===--------------------------------------------------------------------===//

  /// Whether `e` calls model `m`, directly or through the defs it calls.
  bool appliesModel(const Expr &e, const ModelDecl &m,
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
  void genModelFunction(const ModelDecl &m, const DefDecl &d) {
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
  void finishSignature(FuncState &fs, unsigned numInputs,
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

  bool checkDeclaredResults(const ModelDecl &m, const std::vector<Val> &outs) {
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

  /// Runs a model or block body on `inputs` (one per tensor parameter) with
  /// hyper-parameters already in `env`.
  std::optional<std::vector<Val>> runBody(const ModelDecl &m, FuncState &fs,
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
        std::optional<Val> v = eval(*s.values[0], fs, env);
        if (!v)
          return std::nullopt;
        env.vars[s.name] = *v;
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

  /// Applies a layer or block `call` to `tensorArgs`; the call's arguments
  /// from `firstHyper` on are its hyper-parameters.
  std::optional<Val> applyCallee(const CallExpr &call,
                                 std::vector<Val> tensorArgs,
                                 size_t firstHyper, FuncState &fs, Env &env) {
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
    return result;
  }

  /// "dense" -> "Dense", "max_pooling2d" -> "MaxPooling2d": Keras' names.
  static std::string kerasClassName(llvm::StringRef layer) {
    std::string out;
    bool upper = true;
    for (char c : layer) {
      if (c == '_') {
        upper = true;
        continue;
      }
      out += upper ? llvm::toUpper(c) : c;
      upper = false;
    }
    return out;
  }

  std::optional<ConstValue> constantOf(const Expr &e, const Env &env) {
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

  //===--------------------------------------------------------------------===//
  // Layers
  //===--------------------------------------------------------------------===//

  /// What a layer's elaboration (compiler/Frontend/Layers/) sees of the
  /// model under construction.
  class Context final : public LayerContext {
  public:
    Context(Generator &gen, FuncState &fs, const CallExpr &call,
            std::string name, const BoundArgs &args)
        : LayerContext(gen.builder, gen.loc(call.loc), std::move(name), args),
          gen(gen), fs(fs), at(call.loc) {}
    Value addParam(llvm::StringRef suffix, llvm::ArrayRef<int64_t> shape,
                   mlir::Type elementType, llvm::StringRef init,
                   bool trainable) override {
      return gen.addParam(fs, name + "." + suffix.str(), shape, elementType,
                          init.str(), trainable, at);
    }
    void error(const llvm::Twine &message) override { gen.error(at, message); }

  private:
    Generator &gen;
    FuncState &fs;
    llvm::SMLoc at;
  };

  std::optional<Val> applyLayer(const LayerSpec &spec, const CallExpr &call,
                                Val input, const BoundArgs &args,
                                FuncState &fs) {
    std::optional<std::string> name =
        instanceName(fs, spec.name, args.at("name").s, call.loc);
    if (!name)
      return std::nullopt;
    Context ctx(*this, fs, call, *name, args);
    std::optional<Value> y = spec.elaborate(ctx, input.tensor);
    if (!y)
      return std::nullopt;
    return Val::ofTensor(*y);
  }

  //===--------------------------------------------------------------------===//
  // Blocks
  //===--------------------------------------------------------------------===//

  std::optional<Val> applyBlock(const ModelDecl &block, const CallExpr &call,
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

  //===--------------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------------===//

  std::optional<Val> eval(const Expr &e, FuncState &fs, const Env &env) {
    if (auto *n = llvm::dyn_cast<NameExpr>(&e))
      if (const Val *v = env.lookup(n->name))
        return v->modelOutput ? applyLossModel(fs, env, e.loc) : *v;
    if (auto *u = llvm::dyn_cast<UnaryExpr>(&e)) {
      std::optional<Val> v = eval(*u->operand, fs, env);
      if (!v)
        return std::nullopt;
      if (v->tensor)
        return Val::ofTensor(nn::NegOp::create(builder, loc(e.loc), v->tensor));
    }
    if (auto *b = llvm::dyn_cast<BinaryExpr>(&e))
      return evalBinary(*b, fs, env);
    if (auto *c = llvm::dyn_cast<CallExpr>(&e))
      return evalCall(*c, fs, env);
    // Literals, words and constant arithmetic.
    std::optional<ConstValue> c = constantOf(e, env);
    if (!c)
      return std::nullopt;
    return Val::ofConst(*c);
  }

  /// Makes `v` a tensor; constants take the element type `like` has.
  std::optional<Value> asTensor(const Val &v, mlir::Type like, llvm::SMLoc l) {
    if (v.tensor)
      return v.tensor;
    if (!v.constant->isNumber()) {
      error(l, "expected a tensor or a number, got " + v.constant->str());
      return std::nullopt;
    }
    return scalarConstant(v.constant->f, like, l);
  }

  std::optional<Val> evalBinary(const BinaryExpr &b, FuncState &fs,
                                const Env &env) {
    std::optional<Val> lhs = eval(*b.lhs, fs, env);
    std::optional<Val> rhs = eval(*b.rhs, fs, env);
    if (!lhs || !rhs)
      return std::nullopt;
    if (!lhs->tensor && !rhs->tensor) {
      std::optional<ConstValue> c = constantOf(b, env);
      if (!c)
        return std::nullopt;
      return Val::ofConst(*c);
    }
    mlir::Type elt = tensorType(lhs->tensor ? lhs->tensor : rhs->tensor)
                         .getElementType();
    std::optional<Value> l = asTensor(*lhs, elt, b.lhs->loc);
    std::optional<Value> r = asTensor(*rhs, elt, b.rhs->loc);
    if (!l || !r)
      return std::nullopt;
    return binaryOp(b.op, *l, *r, b.loc);
  }

  /// The only dynamic dimension in a model is the batch, and it must stay
  /// the leading axis: broadcasting may stretch a size-1 axis to it or add it
  /// in front of a lower-rank operand, but never line it up with a static
  /// size (the ops would then assume batch == that size) or with a
  /// non-leading axis. Returns why the operands break that rule, or "".
  std::string misalignedBatch(Value l, Value r) {
    auto ls = tensorType(l).getShape(), rs = tensorType(r).getShape();
    size_t rank = std::max(ls.size(), rs.size());
    auto check = [&](Value a, llvm::ArrayRef<int64_t> as, Value b,
                     llvm::ArrayRef<int64_t> bs) -> std::string {
      for (auto [i, d] : llvm::enumerate(as)) {
        if (!mlir::ShapedType::isDynamic(d))
          continue;
        size_t pos = rank - as.size() + i; // the axis in the result
        size_t bOffset = rank - bs.size();
        std::optional<int64_t> other;
        if (pos >= bOffset)
          other = bs[pos - bOffset];
        if (pos == 0 && (!other || *other == 1 ||
                         mlir::ShapedType::isDynamic(*other)))
          continue;
        std::string with =
            !other ? "a missing axis"
            : mlir::ShapedType::isDynamic(*other)
                ? "its batch dimension"
                : "size " + std::to_string(*other);
        return "the batch dimension (None) of " + shapeOf(a) +
               " would line up with " + with + " of " + shapeOf(b);
      }
      return "";
    };
    std::string why = check(l, ls, r, rs);
    return why.empty() ? check(r, rs, l, ls) : why;
  }

  std::optional<Val> binaryOp(char op, Value l, Value r, llvm::SMLoc at) {
    auto lt = tensorType(l), rt = tensorType(r);
    std::string opName = op == 'M'   ? "maximum"
                         : op == 'm' ? "minimum"
                                     : std::string("'") + op + "'";
    if (lt.getElementType() != rt.getElementType()) {
      error(at, "cannot mix f32 and f64 tensors in " + opName);
      return std::nullopt;
    }
    if (!nn::broadcastShapes(lt.getShape(), rt.getShape())) {
      error(at, "shapes " + shapeOf(l) + " and " + shapeOf(r) +
                    " do not broadcast in " + opName);
      return std::nullopt;
    }
    if (std::string why = misalignedBatch(l, r); !why.empty()) {
      error(at, "shapes " + shapeOf(l) + " and " + shapeOf(r) +
                    " do not broadcast in " + opName + ": " + why);
      return std::nullopt;
    }
    mlir::Location ml = loc(at);
    switch (op) {
    case '+': return Val::ofTensor(nn::AddOp::create(builder, ml, l, r));
    case '-': return Val::ofTensor(nn::SubOp::create(builder, ml, l, r));
    case '*': return Val::ofTensor(nn::MulOp::create(builder, ml, l, r));
    case '/': return Val::ofTensor(nn::DivOp::create(builder, ml, l, r));
    case '^': return Val::ofTensor(nn::PowOp::create(builder, ml, l, r));
    case 'M': return Val::ofTensor(nn::MaximumOp::create(builder, ml, l, r));
    case 'm': return Val::ofTensor(nn::MinimumOp::create(builder, ml, l, r));
    }
    llvm_unreachable("unknown binary operator");
  }

  /// Evaluates the call's positional arguments [0, n) as tensors.
  std::optional<std::vector<Val>> tensorArgs(const CallExpr &c, size_t n,
                                             FuncState &fs, const Env &env) {
    std::vector<Val> out;
    for (size_t i = 0; i < n; ++i) {
      if (i >= c.args.size() || !c.args[i].name.empty()) {
        error(c.loc, "'" + c.callee + "' needs " + std::to_string(n) +
                         " tensor input(s) before its other arguments");
        return std::nullopt;
      }
      std::optional<Val> v = eval(*c.args[i].value, fs, env);
      if (!v)
        return std::nullopt;
      if (!v->tensor) {
        error(c.args[i].value->loc, "argument " + std::to_string(i + 1) +
                                        " of '" + c.callee +
                                        "' must be a tensor, got " +
                                        v->constant->str());
        return std::nullopt;
      }
      out.push_back(*v);
    }
    return out;
  }

  std::optional<Val> evalCall(const CallExpr &c, FuncState &fs,
                              const Env &env) {
    // Layers and blocks in a functional body: tensors first.
    if (lookupLayer(c.callee)) {
      auto ins = tensorArgs(c, 1, fs, env);
      if (!ins)
        return std::nullopt;
      Env scratch{{}, &env};
      return applyCallee(c, *ins, 1, fs, scratch);
    }
    if (const ModelDecl *m = sema.models.lookup(c.callee)) {
      if (m->isBlock) {
        size_t n = 0;
        for (const Param &p : m->params)
          n += p.type.isTensor();
        auto ins = tensorArgs(c, n, fs, env);
        if (!ins)
          return std::nullopt;
        Env scratch{{}, &env};
        return applyCallee(c, *ins, n, fs, scratch);
      }
      return callModel(*m, c, fs, env);
    }
    if (const DefDecl *d = sema.defs.lookup(c.callee))
      return inlineDef(*d, c, fs, env);
    return evalBuiltin(*lookupBuiltin(c.callee), c, fs, env);
  }

  std::optional<Val> callModel(const ModelDecl &m, const CallExpr &c,
                               FuncState &fs, const Env &env) {
    if (fs.callableModel != &m) {
      error(c.loc, "a loss can call only the model it trains" +
                       (fs.callableModel
                            ? " ('" + fs.callableModel->name + "')"
                            : std::string()));
      return std::nullopt;
    }
    ModelInfo &info = models[m.name];
    auto ins = tensorArgs(c, info.numInputs, fs, env);
    if (!ins)
      return std::nullopt;
    if (c.args.size() != info.numInputs) {
      error(c.loc, "model '" + m.name + "' takes " +
                       std::to_string(info.numInputs) + " input(s), got " +
                       std::to_string(c.args.size()));
      return std::nullopt;
    }
    llvm::SmallVector<Value> operands;
    mlir::FunctionType type = info.func.getFunctionType();
    for (unsigned i = 0; i < info.numInputs; ++i) {
      if ((*ins)[i].tensor.getType() != type.getInput(i)) {
        error(c.args[i].value->loc,
              "model '" + m.name + "' expects input of shape " +
                  nn::formatShape(mlir::cast<mlir::RankedTensorType>(
                                      type.getInput(i))
                                      .getShape()) +
                  ", got " + shapeOf((*ins)[i].tensor));
        return std::nullopt;
      }
      operands.push_back((*ins)[i].tensor);
    }
    operands.append(fs.modelParams.begin(), fs.modelParams.end());
    auto call = mlir::func::CallOp::create(builder, loc(c.loc), info.func,
                                           operands);
    if (call.getNumResults() != 1) {
      error(c.loc, "model '" + m.name + "' has " +
                       std::to_string(call.getNumResults()) +
                       " outputs; a call in an expression needs one");
      return std::nullopt;
    }
    return Val::ofTensor(call.getResult(0));
  }

  /// The trained model on its inputs as bound in `env` (y_pred).
  std::optional<Val> applyLossModel(FuncState &fs, const Env &env,
                                    llvm::SMLoc at) {
    ModelInfo &info = models[fs.callableModel->name];
    llvm::SmallVector<Value> operands;
    for (unsigned i = 0; i < info.numInputs; ++i) {
      const std::string &name = fs.callableModel->params[i].name;
      const Val *x = env.lookup(name);
      if (!x || !x->tensor) {
        error(at, "y_pred needs the model's input '" + name + "' here");
        return std::nullopt;
      }
      operands.push_back(x->tensor);
    }
    operands.append(fs.modelParams.begin(), fs.modelParams.end());
    return Val::ofTensor(
        mlir::func::CallOp::create(builder, loc(at), info.func, operands)
            .getResult(0));
  }

  std::optional<Val> inlineDef(const DefDecl &d, const CallExpr &c,
                               FuncState &fs, const Env &env) {
    if (c.args.size() != d.params.size()) {
      error(c.loc, "'" + d.name + "' takes " +
                       std::to_string(d.params.size()) + " argument(s), got " +
                       std::to_string(c.args.size()));
      return std::nullopt;
    }
    if (std::find(activeDefs.begin(), activeDefs.end(), &d) !=
        activeDefs.end()) {
      error(c.loc, "'" + d.name + "' calls itself; defs cannot be recursive");
      return std::nullopt;
    }
    Env inner; // a def sees only its parameters
    for (size_t i = 0; i < c.args.size(); ++i) {
      if (!c.args[i].name.empty()) {
        error(c.args[i].nameLoc, "arguments of '" + d.name +
                                     "' are positional");
        return std::nullopt;
      }
      std::optional<Val> v = eval(*c.args[i].value, fs, env);
      if (!v)
        return std::nullopt;
      inner.vars[d.params[i].first] = *v;
    }
    activeDefs.push_back(&d);
    llvm::scope_exit pop([&] { activeDefs.pop_back(); });
    return eval(*d.body, fs, inner);
  }

  //===--------------------------------------------------------------------===//
  // Built-in functions
  //===--------------------------------------------------------------------===//

  std::optional<Val> evalBuiltin(const Builtin &b, const CallExpr &c,
                                 FuncState &fs, const Env &env) {
    mlir::Location l = loc(c.loc);
    if (b.kind == BuiltinKind::Grad)
      return evalGrad(c, fs, env);

    // Named arguments: only `axis` for softmax and reductions.
    std::optional<int64_t> axis;
    size_t positional = 0;
    for (const Argument &a : c.args) {
      bool takesAxis = b.kind == BuiltinKind::Softmax ||
                       b.kind == BuiltinKind::Reduction;
      if (a.name.empty()) {
        ++positional;
        continue;
      }
      if (a.name != "axis" || !takesAxis) {
        error(a.nameLoc, "'" + c.callee + "' has no argument '" + a.name +
                             "'");
        return std::nullopt;
      }
      std::optional<ConstValue> v = constantOf(*a.value, env);
      if (!v)
        return std::nullopt;
      if (v->kind != ConstValue::Kind::Int) {
        error(a.value->loc, "'axis' must be an integer, got " + v->str());
        return std::nullopt;
      }
      axis = v->i;
    }
    size_t numTensors = b.kind == BuiltinKind::Binary ||
                                b.kind == BuiltinKind::Loss
                            ? 2
                            : 1;
    if (positional > numTensors) {
      // softmax(x, 1) / mean(x, 1): a positional axis.
      std::optional<ConstValue> v = constantOf(*c.args[1].value, env);
      if (!v)
        return std::nullopt;
      if (v->kind != ConstValue::Kind::Int) {
        error(c.args[1].value->loc, "'axis' must be an integer, got " +
                                        v->str());
        return std::nullopt;
      }
      axis = v->i;
    }
    auto ins = tensorArgs(c, numTensors, fs, env);
    if (!ins)
      return std::nullopt;
    Value x = (*ins)[0].tensor;
    int64_t rank = tensorType(x).getRank();
    if (axis && !nn::normalizeAxes({*axis}, rank)) {
      error(c.loc, "axis " + std::to_string(*axis) + " is out of range for " +
                       shapeOf(x));
      return std::nullopt;
    }

    switch (b.kind) {
    case BuiltinKind::Unary:
      return Val::ofTensor(b.unary(builder, l, x));
    case BuiltinKind::Softmax:
      return Val::ofTensor(
          nn::SoftmaxOp::create(builder, l, x, axis.value_or(-1)));
    case BuiltinKind::Binary:
      return binaryOp(b.name == "maximum" ? 'M' : 'm', x, (*ins)[1].tensor,
                      c.loc);
    case BuiltinKind::Reduction: {
      llvm::SmallVector<int64_t> axes;
      if (axis)
        axes.push_back(*axis);
      mlir::DenseI64ArrayAttr axesAttr =
          axis ? builder.getDenseI64ArrayAttr(axes) : nullptr;
      if (b.name == "mean")
        return Val::ofTensor(
            nn::ReduceMeanOp::create(builder, l, x, axesAttr, false));
      if (b.name == "sum")
        return Val::ofTensor(
            nn::ReduceSumOp::create(builder, l, x, axesAttr, false));
      return Val::ofTensor(
          nn::ReduceMaxOp::create(builder, l, x, axesAttr, false));
    }
    case BuiltinKind::Loss:
      return evalLoss(b.name, (*ins)[1].tensor, x, c.loc);
    case BuiltinKind::Grad:
      break;
    }
    llvm_unreachable("handled above");
  }

  /// A built-in loss of (y_pred, y_true), checked in the user's terms.
  std::optional<Val> evalLoss(llvm::StringRef name, Value yPred, Value yTrue,
                              llvm::SMLoc at) {
    const nn::LossSpec *loss = nn::lookupLoss(name);
    std::string problem =
        loss->checkShapes(tensorType(yPred), tensorType(yTrue));
    if (!problem.empty()) {
      error(at, name + " " + problem);
      return std::nullopt;
    }
    return Val::ofTensor(loss->create(builder, loc(at), yPred, yTrue));
  }

  /// grad(expr, x): an nn.grad whose body recomputes expr from its argument.
  std::optional<Val> evalGrad(const CallExpr &c, FuncState &fs,
                              const Env &env) {
    auto *var = llvm::cast<NameExpr>(c.args[1].value.get());
    const Val *x = env.lookup(var->name);
    if (!x || !x->tensor) {
      error(var->loc, "grad differentiates with respect to a tensor; '" +
                          var->name + "' is not one");
      return std::nullopt;
    }
    mlir::Location l = loc(c.loc);
    auto op = nn::GradOp::create(builder, l, mlir::ValueRange{x->tensor});
    mlir::Block *body = builder.createBlock(&op.getBody());
    Value arg = body->addArgument(x->tensor.getType(), loc(var->loc));
    Env inner{{}, &env};
    inner.vars[var->name] = Val::ofTensor(arg);
    std::optional<Val> y = eval(*c.args[0].value, fs, inner);
    auto restore = [&] { builder.setInsertionPointAfter(op); };
    if (!y) {
      restore();
      return std::nullopt;
    }
    if (!y->tensor) {
      error(c.args[0].value->loc, "grad of a constant is zero; differentiate "
                                  "an expression of '" +
                                      var->name + "'");
      restore();
      return std::nullopt;
    }
    if (tensorType(y->tensor).getElementType() !=
        tensorType(arg).getElementType()) {
      error(c.loc, "grad needs an expression of the same element type as '" +
                       var->name + "'");
      restore();
      return std::nullopt;
    }
    nn::YieldOp::create(builder, l, y->tensor);
    restore();
    return Val::ofTensor(op->getResult(0));
  }

  //===--------------------------------------------------------------------===//
  // Training
  //===--------------------------------------------------------------------===//

  void genTrain(const TrainConfig &t) {
    auto it = models.find(t.model->name);
    if (it == models.end())
      return; // the model had errors, already reported
    builder.setInsertionPointToEnd(theModule.getBody());
    mlir::Attribute loss;
    if (!t.builtinLoss.empty()) {
      if (!checkBuiltinLoss(t, it->second))
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
        builder.getStringAttr(t.optimizer), builder.getDictionaryAttr(opt),
        builder.getStrArrayAttr(metrics),
        builder.getI64IntegerAttr(t.batchSize),
        builder.getI64IntegerAttr(t.epochs),
        builder.getF64FloatAttr(t.validationSplit));
  }

  /// A built-in loss compares the model's single output with targets of the
  /// same shape; check that now so the error points at `loss:`.
  bool checkBuiltinLoss(const TrainConfig &t, ModelInfo &info) {
    mlir::FunctionType type = info.func.getFunctionType();
    if (type.getNumResults() != 1)
      return error(t.lossLoc, "loss '" + t.builtinLoss + "' needs a model "
                              "with one output; '" + t.model->name +
                              "' has " + std::to_string(type.getNumResults()));
    auto out = mlir::cast<mlir::RankedTensorType>(type.getResult(0));
    if (nn::lookupLoss(t.builtinLoss)->classes && out.getRank() != 2)
      return error(t.lossLoc, "loss '" + t.builtinLoss + "' needs an output "
                              "of shape (batch, classes); '" + t.model->name +
                              "' outputs " + nn::formatShape(out.getShape()));
    return true;
  }

  /// func.func @<model>_loss(inputs..., y_true, params...) -> tensor<f32>.
  mlir::func::FuncOp genCustomLoss(const TrainConfig &t,
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

  mlir::MLIRContext &ctx;
  mlir::OpBuilder builder;
  const Module &module;
  const SemaResult &sema;
  DiagnosticEngine &diags;
  mlir::ModuleOp theModule;
  llvm::StringMap<ModelInfo> models;
  std::vector<const ModelDecl *> activeBlocks;
  std::vector<const DefDecl *> activeDefs;
};

} // namespace

mlir::OwningOpRef<mlir::ModuleOp>
nnc::generateMLIR(mlir::MLIRContext &context, const Module &module,
                  const SemaResult &sema, DiagnosticEngine &diags) {
  context.loadDialect<nn::NNDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect>();
  return Generator(context, module, sema, diags).run();
}

mlir::OwningOpRef<mlir::ModuleOp>
nnc::generateMLIRFromSource(mlir::MLIRContext &context,
                            DiagnosticEngine &diags) {
  llvm::SourceMgr &sm = diags.getSourceMgr();
  Lexer lexer(sm.getMemoryBuffer(sm.getMainFileID())->getBuffer(), diags);
  Parser parser(lexer, diags);
  std::unique_ptr<ast::Module> module = parser.parseModule();
  SemaResult sema = analyze(*module, diags);
  if (diags.hadErrors())
    return nullptr;
  return generateMLIR(context, *module, sema, diags);
}
