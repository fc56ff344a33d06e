//===- ResultsToArguments.cpp - every result written into an argument ----===//
//
// The runtime allocates every tensor a model touches, so a function's
// results become arguments it writes into: a result tagged
// `nn.updates = k` (a new parameter or optimizer slot) into argument k, any
// other result into a new caller-owned output argument (`nn.output`). Done on tensors right before
// bufferization: the kernel (or tile loop) producing a result starts from a
// tensor.empty, and pointing that empty at the argument makes the kernel
// write the caller's buffer directly, with no copy at the end. (Upstream's
// empty-tensor elimination leaves the output both as a loop's init and as a
// copy's destination, a read-after-write conflict that one-shot bufferization
// rejects. Running earlier does not work either: linalg canonicalization
// replaces an init that is never read by a fresh tensor.empty.)
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace nnc {
#define GEN_PASS_DEF_RESULTSTOARGUMENTS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// The destination operand through which a tile loop or a kernel writes
/// `result`, if it has one.
OpOperand *tiedInit(OpResult result) {
  if (auto loop = dyn_cast<scf::ForOp>(result.getOwner()))
    return loop.getTiedLoopInit(result);
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(result.getOwner()))
    return dps.getTiedOpOperand(result);
  return nullptr;
}

/// The operand holding the tensor.empty that `v`'s chain of destination
/// operands starts from, if no link has another use. (The empty itself may
/// have other uses: CSE merges them, and only this use is redirected.)
OpOperand *chainStart(Value v) {
  // The returned value itself may have other users (Adam's new moment also
  // feeds the parameter update): they read what the kernel wrote, and
  // one-shot bufferization copies if a write would clobber a later read.
  // Links further up must feed this chain only.
  bool first = true;
  while (auto result = dyn_cast<OpResult>(v)) {
    if (!first && !v.hasOneUse())
      return nullptr;
    first = false;
    OpOperand *init = tiedInit(result);
    if (!init)
      return nullptr;
    if (init->get().getDefiningOp<tensor::EmptyOp>())
      return init;
    v = init->get();
  }
  return nullptr;
}

/// What the chain of destination operands (tile loops, kernels) ending in
/// `v` starts from.
Value chainRoot(Value v) {
  while (auto result = dyn_cast<OpResult>(v)) {
    OpOperand *init = tiedInit(result);
    if (!init)
      return v;
    v = init->get();
  }
  return v;
}

struct ResultsToArgumentsPass
    : nnc::impl::ResultsToArgumentsBase<ResultsToArgumentsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if ((func->hasAttr(nnc::nn::kModelAttr) ||
           func->hasAttr(nnc::nn::kEntryAttr)) &&
          !func.isExternal())
        rewrite(func);
  }

  void rewrite(func::FuncOp func) {
    Block &entry = func.getBody().front();
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    OpBuilder b(ret);
    SmallVector<Value> written;
    unsigned outputs = 0;
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      // A new parameter or optimizer state goes back into its argument's
      // buffer; any other result gets a new output argument.
      Value dest;
      if (auto updated = func.getResultAttrOfType<IntegerAttr>(
              i, nnc::nn::kUpdatesAttr)) {
        dest = func.getArgument(updated.getInt());
      } else {
        unsigned argNo = func.getNumArguments();
        if (failed(func.insertArgument(argNo, v.getType(), {}, v.getLoc())))
          return signalPassFailure();
        auto named =
            func.getResultAttrOfType<StringAttr>(i, nnc::nn::kResultAttr);
        func.setArgAttr(argNo, nnc::nn::kOutputAttr,
                        named ? named
                              : b.getStringAttr("output_" +
                                                std::to_string(outputs)));
        ++outputs;
        dest = func.getArgument(argNo);
      }
      // A kernel already writing over its argument (see
      // nnc-reuse-input-as-output) needs nothing more.
      if (chainRoot(v) == dest) {
        written.push_back(v);
        continue;
      }
      if (OpOperand *start = chainStart(v)) {
        start->set(dest);
        written.push_back(v);
        continue;
      }
      written.push_back(bufferization::MaterializeInDestinationOp::create(
                            b, v.getLoc(), v, dest)
                            .getResult());
    }
    ret->setOperands(written);
  }
};

} // namespace
