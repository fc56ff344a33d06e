//===- Expressions.cpp - names, numbers and operators ---------------------===//
//
// Constants fold; tensors meet with NumPy broadcasting, checked here so
// that a shape error names the .nn operator and both shapes.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/Gen/Generator.h"
#include "dialects/nn/IR/NNShapes.h"

#include "llvm/ADT/ScopeExit.h"

namespace nnc::gen {

std::optional<Val> Generator::eval(const Expr &e, FuncState &fs, const Env &env) {
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
std::optional<Value> Generator::asTensor(const Val &v, mlir::Type like, llvm::SMLoc l) {
  if (v.tensor)
    return v.tensor;
  if (!v.constant->isNumber()) {
    error(l, "expected a tensor or a number, got " + v.constant->str());
    return std::nullopt;
  }
  return scalarConstant(v.constant->f, like, l);
}

std::optional<Val> Generator::evalBinary(const BinaryExpr &b, FuncState &fs,
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
std::string Generator::misalignedBatch(Value l, Value r) {
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

std::optional<Val> Generator::binaryOp(char op, Value l, Value r, llvm::SMLoc at) {
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
std::optional<std::vector<Val>> Generator::tensorArgs(const CallExpr &c, size_t n,
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

std::optional<Val> Generator::evalCall(const CallExpr &c, FuncState &fs,
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

std::optional<Val> Generator::callModel(const ModelDecl &m, const CallExpr &c,
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
std::optional<Val> Generator::applyLossModel(FuncState &fs, const Env &env,
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

std::optional<Val> Generator::inlineDef(const DefDecl &d, const CallExpr &c,
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
  if (activeDefs.size() >= kMaxInstantiationDepth) {
    error(c.loc, "defs nested more than " +
                     std::to_string(kMaxInstantiationDepth) +
                     " levels deep ('" + d.name + "')");
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

} // namespace nnc::gen
