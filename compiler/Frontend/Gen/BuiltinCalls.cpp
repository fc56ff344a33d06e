//===- BuiltinCalls.cpp - calls to built-in functions ---------------------===//
//
// exp(x), softmax(x, axis), mean(x, axis), mse(y_true, y_pred), grad(e, x):
// Builtins.cpp says what exists and which op it builds.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/Gen/Generator.h"
#include "dialects/nn/IR/NNLosses.h"
#include "dialects/nn/IR/NNShapes.h"

namespace nnc::gen {

std::optional<Val> Generator::evalBuiltin(const Builtin &b, const CallExpr &c,
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
std::optional<Val> Generator::evalLoss(llvm::StringRef name, Value yPred, Value yTrue,
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
std::optional<Val> Generator::evalGrad(const CallExpr &c, FuncState &fs,
                                       const Env &env) {
  auto *var = llvm::cast<NameExpr>(c.args[1].value.get());
  const Val *x = env.lookup(var->name);
  if (!x || !x->tensor) {
    error(var->loc, "grad differentiates with respect to a tensor; '" +
                        var->name + "' is not one");
    return std::nullopt;
  }
  // Each nested grad about doubles the derivative's size (the rules of the
  // inner one are differentiated again): 6 levels make ~2,300 ops, 100 would
  // never finish (issue 11). Physics-informed losses need a few.
  if (gradDepth >= kMaxGradNesting) {
    error(c.loc, "grad nested more than " + std::to_string(kMaxGradNesting) +
                     " deep; each level about doubles the size of the "
                     "derivative");
    return std::nullopt;
  }
  mlir::Location l = loc(c.loc);
  auto op = nn::GradOp::create(builder, l, mlir::ValueRange{x->tensor},
                                 mlir::ValueRange{});
  mlir::Block *body = builder.createBlock(&op.getBody());
  Value arg = body->addArgument(x->tensor.getType(), loc(var->loc));
  Env inner{{}, &env};
  inner.vars[var->name] = Val::ofTensor(arg);
  ++gradDepth;
  std::optional<Val> y = eval(*c.args[0].value, fs, inner);
  --gradDepth;
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

} // namespace nnc::gen
