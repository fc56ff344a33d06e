//===- InlineCalls.cpp - cloning a function body in place of a call -------===//

#include "compiler/Transforms/InlineCalls.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;

void nnc::cloneInlining(OpBuilder &b, Operation &op, IRMapping &map,
                        SymbolTable &symbols) {
  if (auto call = dyn_cast<func::CallOp>(op)) {
    if (auto callee = symbols.lookup<func::FuncOp>(call.getCallee())) {
      SmallVector<Value> args;
      for (Value v : call.getOperands())
        args.push_back(map.lookupOrDefault(v));
      map.map(call.getResults(), inlineFunc(b, callee, args, symbols));
      return;
    }
  }
  if (op.getNumRegions() == 0) {
    b.clone(op, map);
    return;
  }
  // An op with regions (nn.grad): clone it empty, then its blocks op by op
  // so that calls inside are inlined too.
  Operation *copy = b.cloneWithoutRegions(op, map);
  for (auto [from, to] : llvm::zip(op.getRegions(), copy->getRegions())) {
    for (Block &block : from) {
      Block *nb = new Block();
      to.push_back(nb);
      for (BlockArgument a : block.getArguments())
        map.map(a, nb->addArgument(a.getType(), a.getLoc()));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToEnd(nb);
      for (Operation &inner : block)
        cloneInlining(b, inner, map, symbols);
    }
  }
}

SmallVector<Value> nnc::inlineFunc(OpBuilder &b, func::FuncOp f,
                                   ValueRange args, SymbolTable &symbols) {
  IRMapping map;
  map.map(f.getArguments(), args);
  SmallVector<Value> results;
  for (Operation &op : f.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        results.push_back(map.lookupOrDefault(v));
      break;
    }
    cloneInlining(b, op, map, symbols);
  }
  return results;
}
