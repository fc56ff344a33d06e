//===- Autodiff.cpp - reverse-mode differentiation of nn.grad bodies ------===//
//
// Classic reverse mode on SSA: inline the body, then visit its ops from last
// to first. Every value's adjoint (the gradient of sum(output) with respect
// to it) is complete by the time its defining op is visited, because all its
// uses come later in the block. Each op turns its results' adjoints into its
// operands' through GradientOpInterface; contributions to one value add up.
//
// The forward ops stay in place (the gradient rules reuse their results);
// those the gradient does not need are dead and canonicalization removes
// them.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNBuilder.h"

#include "mlir/IR/IRMapping.h"

namespace nnc {
#define GEN_PASS_DEF_AUTODIFF
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc::nn;

namespace {

LogicalResult expand(GradOp grad) {
  OpBuilder b(grad);
  Location loc = grad.getLoc();
  NNBuilder ops{b, loc};
  Block &body = grad.getBody().front();

  // Forward: the body, cloned with its arguments bound to the operands.
  // (Calls in it, to the model or a def, were inlined by MLIR's inliner.)
  IRMapping map;
  map.map(body.getArguments(), grad.getX());
  Operation *before = grad->getPrevNode();
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  SmallVector<Operation *> forward;
  for (Operation *op = before ? before->getNextNode()
                              : &grad->getBlock()->front();
       op != grad.getOperation(); op = op->getNextNode())
    forward.push_back(op);
  SmallVector<Value> outputs;
  for (Value y : cast<YieldOp>(body.getTerminator()).getValues())
    outputs.push_back(map.lookupOrDefault(y));

  // Backward.
  DenseMap<Value, Value> adjoint;
  auto accumulate = [&](Value v, Value g) {
    Value &slot = adjoint[v];
    slot = slot ? AddOp::create(b, loc, slot, g).getResult() : g;
  };
  // The seeds: ones (the gradient of sum(y)), or the given cotangents.
  if (grad.getSeeds().empty())
    accumulate(outputs[0], ops.filled(outputs[0], 1.0));
  else
    for (auto [y, seed] : llvm::zip(outputs, grad.getSeeds()))
      accumulate(y, seed);
  for (Operation *op : llvm::reverse(forward)) {
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value r : op->getResults()) {
      resultGrads.push_back(adjoint.lookup(r));
      any |= bool(resultGrads.back());
    }
    if (!any || op->getNumOperands() == 0)
      continue;
    if (isa<CallOpInterface>(op))
      return op->emitError() << "cannot differentiate a call: inline it "
                                "first (the inliner runs before autodiff)";
    auto rule = dyn_cast<GradientOpInterface>(op);
    if (!rule)
      return op->emitError() << "cannot differentiate '" << op->getName()
                             << "': it has no gradient rule";
    // Rules expect a gradient for every result; a result nobody used gets
    // zeros.
    for (auto [r, g] : llvm::zip(op->getResults(), resultGrads))
      if (!g)
        g = ops.filled(r, 0.0);
    SmallVector<Value> operandGrads;
    if (failed(rule.buildGradients(b, resultGrads, operandGrads)))
      return failure();
    if (operandGrads.size() != op->getNumOperands())
      return op->emitError() << "internal: gradient rule returned "
                             << operandGrads.size() << " values for "
                             << op->getNumOperands() << " operands";
    for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads))
      if (g)
        accumulate(operand, g);
  }

  SmallVector<Value> results;
  for (Value x : grad.getX()) {
    Value g = adjoint.lookup(x);
    results.push_back(g ? g : ops.filled(x, 0.0));
  }
  grad->replaceAllUsesWith(results);
  grad->erase();
  return success();
}

struct AutodiffPass : nnc::impl::AutodiffBase<AutodiffPass> {
  void runOnOperation() override {
    // Post-order: an inner nn.grad is expanded (into its parent's body)
    // before the outer one is differentiated. Expanding can create new
    // nn.grads (the gradient of nn.scan differentiates its body with one,
    // inside the reverse scan), so repeat until none is left.
    while (true) {
      SmallVector<GradOp> grads;
      getOperation().walk([&](GradOp g) { grads.push_back(g); });
      if (grads.empty())
        return;
      for (GradOp g : grads)
        if (failed(expand(g)))
          return signalPassFailure();
    }
  }
};

} // namespace
