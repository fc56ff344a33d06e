//===- Generator.h - the elaborator behind MLIRGen --------------*- C++ -*-===//
//
// Private to compiler/Frontend. The elaborator keeps two kinds of value
// apart: compile-time constants (hyper-parameters, numbers) and tensors
// (mlir::Value). Arithmetic on two constants folds; a constant meeting a
// tensor becomes a rank-0 arith.constant of the tensor's element type.
//
// Parameters are created as block arguments of the function under
// construction when a layer first needs them; the function type and the
// nn.param/nn.init argument attributes are set once the body is complete.
//
// The members are defined by topic: MLIRGen.cpp (the driver and helpers),
// Gen/Models.cpp (models, model functions, layers and blocks),
// Gen/Expressions.cpp, Gen/BuiltinCalls.cpp and Gen/Training.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_GEN_GENERATOR_H
#define NNC_COMPILER_FRONTEND_GEN_GENERATOR_H

#include "compiler/Frontend/AST.h"
#include "compiler/Frontend/Builtins.h"
#include "compiler/Frontend/Diagnostics.h"
#include "compiler/Frontend/Layers.h"
#include "compiler/Frontend/Sema.h"
#include "compiler/Frontend/Values.h"
#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNOps.h"
#include "dialects/nn/IR/NNShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>
#include <vector>

namespace nnc::gen {

using namespace nnc::ast;
using mlir::Value;


/// What an expression evaluates to: a tensor or a compile-time constant.
struct Val {
  Value tensor;
  std::optional<ConstValue> constant;
  // `y_pred` in a loss expression: the model applied to whatever its input
  // names are bound to where the name is used, so that inside grad(.., x)
  // it is recomputed from the differentiated x (and d y_pred / dx is the
  // model's derivative, not zero).
  bool modelOutput = false;
  /// The step mask travelling with a sequence (Layers/Masks.h), or null.
  Value mask;
  /// A recurrent layer's final states with return_state (Keras' [output,
  /// h, c]: these are h, c); a `y, h, c = ...` statement unpacks them.
  llvm::SmallVector<Value, 4> states;
  static Val ofTensor(Value v, Value mask = {}) {
    Val r;
    r.tensor = v;
    r.mask = mask;
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

/// How deeply blocks (and defs) may instantiate one another: each level is
/// recursion in the elaborator.
constexpr size_t kMaxInstantiationDepth = 256;
/// How deeply grad() may nest (see evalGrad).
constexpr unsigned kMaxGradNesting = 6;

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

  mlir::Location loc(llvm::SMLoc l);

  bool error(llvm::SMLoc l, const llvm::Twine &msg);

  static mlir::RankedTensorType tensorType(Value v);
  static std::string shapeOf(Value v);

  mlir::Type elementType(const std::string &dtype);

  /// The type of a model input `f32[4]`: a dynamic batch in front.
  mlir::RankedTensorType inputType(const TypeSpec &t);

  Value scalarConstant(double v, mlir::Type elementType, llvm::SMLoc l);

  /// A fresh parameter of the function under construction.
  Value addParam(FuncState &fs, const std::string &name,
                 llvm::ArrayRef<int64_t> shape, mlir::Type elementType,
                 const std::string &init, bool trainable, llvm::SMLoc l);

  /// Keras-style unique names: dense, dense_1, ... or the user's `name:`.
  std::optional<std::string> instanceName(FuncState &fs, llvm::StringRef kind,
                                          llvm::StringRef explicitName,
                                          llvm::SMLoc l);

  std::optional<std::string> uniqueName(FuncState &fs, llvm::StringRef kind,
                                        llvm::StringRef explicitName,
                                        llvm::SMLoc l);

  void genModel(const ModelDecl &m);

  /// The summary table, for the manifest: -1 marks the batch dimension.
  void setLayerTable(FuncState &fs);

  /// Whether `e` calls model `m`, directly or through the defs it calls.
  bool appliesModel(const Expr &e, const ModelDecl &m,
                    llvm::SmallPtrSetImpl<const DefDecl *> &seen);

  /// `def g(x) = 1 + x * u(x)` takes model u's inputs and applies u: it
  /// becomes @u_def_g(inputs..., params...), an entry of u's artifact, so
  /// that `predict --function g` evaluates a trial solution (or a residual:
  /// grads inside are expanded like the loss's). Defs of other arities or
  /// that do not apply the model are not functions of it.
  void genModelFunction(const ModelDecl &m, const DefDecl &d);

  /// Sets the function type from the entry block and tags every argument.
  void finishSignature(FuncState &fs, unsigned numInputs,
                       llvm::function_ref<std::string(unsigned)> inputName);

  bool checkDeclaredResults(const ModelDecl &m, const std::vector<Val> &outs);
  bool checkUnmaskedResults(const ModelDecl &m, const std::vector<Val> &outs);

  /// Runs a model or block body on `inputs` (one per tensor parameter) with
  /// hyper-parameters already in `env`.
  std::optional<std::vector<Val>> runBody(const ModelDecl &m, FuncState &fs,
                                          Env &env, std::vector<Val> inputs,
                                          llvm::SMLoc callLoc);

  /// Applies a layer or block `call` to `tensorArgs`; the call's arguments
  /// from `firstHyper` on are its hyper-parameters.
  std::optional<Val> applyCallee(const CallExpr &call,
                                 std::vector<Val> tensorArgs,
                                 size_t firstHyper, FuncState &fs, Env &env);

  /// "dense" -> "Dense", "max_pooling2d" -> "MaxPooling2d": Keras' names.
  static std::string kerasClassName(llvm::StringRef layer);

  std::optional<ConstValue> constantOf(const Expr &e, const Env &env);

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
      std::string param = name + "." + suffix.str();
      if (!nn::elementCount(shape)) {
        gen.error(at, "parameter '" + param + "' of shape " +
                          nn::formatShape(shape) +
                          " has more than 2^32 elements");
        return Value();
      }
      return gen.addParam(fs, param, shape, elementType, init.str(),
                          trainable, at);
    }
    void error(const llvm::Twine &message) override { gen.error(at, message); }

  private:
    Generator &gen;
    FuncState &fs;
    llvm::SMLoc at;
  };

  bool assign(const ast::Stmt &s, FuncState &fs, Env &env);
  std::optional<Val> checkStatesUnpacked(const CallExpr &call,
                                         std::optional<Val> result);
  Value mergeHalves(Value a, Value b, llvm::StringRef mode, llvm::SMLoc at);
  std::optional<Val> applyLayer(const LayerSpec &spec, const CallExpr &call,
                                Val input, const BoundArgs &args,
                                FuncState &fs);
  /// bidirectional(layer(...), merge_mode): the wrapped recurrent layer
  /// twice, forward and backward, its outputs merged (Models.cpp).
  std::optional<Val> applyBidirectional(const CallExpr &call, Val input,
                                        size_t firstHyper, FuncState &fs,
                                        Env &env);

  std::optional<Val> applyBlock(const ModelDecl &block, const CallExpr &call,
                                std::vector<Val> tensorArgs,
                                llvm::ArrayRef<ArgValue> hyper,
                                FuncState &fs);

  std::optional<Val> eval(const Expr &e, FuncState &fs, const Env &env);

  /// Makes `v` a tensor; constants take the element type `like` has.
  std::optional<Value> asTensor(const Val &v, mlir::Type like, llvm::SMLoc l);

  std::optional<Val> evalBinary(const BinaryExpr &b, FuncState &fs,
                                const Env &env);

  /// The only dynamic dimension in a model is the batch, and it must stay
  /// the leading axis: broadcasting may stretch a size-1 axis to it or add it
  /// in front of a lower-rank operand, but never line it up with a static
  /// size (the ops would then assume batch == that size) or with a
  /// non-leading axis. Returns why the operands break that rule, or "".
  std::string misalignedBatch(Value l, Value r);

  std::optional<Val> binaryOp(char op, Value l, Value r, llvm::SMLoc at);

  /// Evaluates the call's positional arguments [0, n) as tensors.
  std::optional<std::vector<Val>> tensorArgs(const CallExpr &c, size_t n,
                                             FuncState &fs, const Env &env);

  std::optional<Val> evalCall(const CallExpr &c, FuncState &fs,
                              const Env &env);

  std::optional<Val> callModel(const ModelDecl &m, const CallExpr &c,
                               FuncState &fs, const Env &env);

  /// The trained model on its inputs as bound in `env` (y_pred).
  std::optional<Val> applyLossModel(FuncState &fs, const Env &env,
                                    llvm::SMLoc at);

  std::optional<Val> inlineDef(const DefDecl &d, const CallExpr &c,
                               FuncState &fs, const Env &env);

  std::optional<Val> evalBuiltin(const Builtin &b, const CallExpr &c,
                                 FuncState &fs, const Env &env);

  /// A built-in loss of (y_pred, y_true), checked in the user's terms.
  std::optional<Val> evalLoss(llvm::StringRef name, Value yPred, Value yTrue,
                              llvm::SMLoc at);

  /// grad(expr, x): an nn.grad whose body recomputes expr from its argument.
  std::optional<Val> evalGrad(const CallExpr &c, FuncState &fs,
                              const Env &env);

  void genTrain(const TrainConfig &t);

  /// Built-in loss `name` compares output `k` with targets of its shape;
  /// checked here so the error points at `loss:`.
  bool checkBuiltinLoss(const TrainConfig &t, llvm::StringRef name,
                        unsigned k, ModelInfo &info);

  /// func.func @<model>_loss(inputs..., y_true, params...) -> tensor<f32>.
  mlir::func::FuncOp genCustomLoss(const TrainConfig &t,
                                   ModelInfo &info);

  mlir::MLIRContext &ctx;
  mlir::OpBuilder builder;
  const Module &module;
  const SemaResult &sema;
  DiagnosticEngine &diags;
  mlir::ModuleOp theModule;
  llvm::StringMap<ModelInfo> models;
  std::vector<const ModelDecl *> activeBlocks;
  unsigned gradDepth = 0; // grad() calls being elaborated, nested
  /// The call a `y, h, c = call(...)` statement unpacks: the one call whose
  /// result may carry states (anywhere else they would be dropped).
  const CallExpr *unpackedCall = nullptr;
  std::vector<const DefDecl *> activeDefs;
};

} // namespace nnc::gen

#endif // NNC_COMPILER_FRONTEND_GEN_GENERATOR_H
