//===- CheckInPlaceUpdates.cpp - every update lands in its argument -------===//
//
// The train step returns each new parameter and optimizer slot tagged
// `nn.updates = k`: the value must end up in argument k's buffer, because
// the runtime passes every buffer once and reads nothing back. After
// bufferization and drop-equivalent-buffer-results, a result that is still
// returned was not proven to alias its argument: the update went into a
// temporary and would be lost when the call returns. That is a compiler
// bug, and this pass makes it a compile-time error instead of a train step
// that silently skips updates (what wave 1 shipped).
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace nnc {
#define GEN_PASS_DEF_CHECKINPLACEUPDATES
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct CheckInPlaceUpdatesPass
    : nnc::impl::CheckInPlaceUpdatesBase<CheckInPlaceUpdatesPass> {
  void runOnOperation() override {
    for (auto f : getOperation().getOps<func::FuncOp>())
      for (unsigned r = 0; r < f.getNumResults(); ++r) {
        auto k = f.getResultAttrOfType<IntegerAttr>(r, nnc::nn::kUpdatesAttr);
        if (!k)
          continue;
        unsigned arg = k.getInt();
        auto name = f.getArgAttrOfType<StringAttr>(arg, nnc::nn::kParamAttr);
        if (!name)
          name = f.getArgAttrOfType<StringAttr>(arg, nnc::nn::kStateAttr);
        f.emitError() << "internal compiler error: the new value of '"
                      << (name ? name.getValue() : "argument")
                      << "' is not written into its buffer in place by @"
                      << f.getName() << "; please report this with the .nn "
                      << "file";
        signalPassFailure();
      }
  }
};

} // namespace
