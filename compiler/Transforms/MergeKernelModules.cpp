//===- MergeKernelModules.cpp - one gpu.module for all kernels ------------===//
//
// See Passes.td. Kernel modules hold only their kernel and what it
// references (globals of constant tables, which keep unique names as the
// module's symbols; a clash is renamed).
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace nnc {
#define GEN_PASS_DEF_MERGEKERNELMODULES
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct MergeKernelModulesPass
    : nnc::impl::MergeKernelModulesBase<MergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernels(module.getOps<gpu::GPUModuleOp>());
    if (kernels.size() < 2)
      return;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto merged = gpu::GPUModuleOp::create(b, module.getLoc(), "nnc_kernels");
    SymbolTable mergedSymbols(merged);
    // (old module, old kernel name) -> new kernel name
    llvm::DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp k : kernels) {
      SymbolTable local(k);
      for (Operation &op : llvm::make_early_inc_range(*k.getBody())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol)
          continue;
        StringAttr old = symbol.getNameAttr();
        // A kernel takes its module's (unique) name; anything else keeps its
        // own unless the merged module has it already.
        std::string fresh = isa<gpu::GPUFuncOp>(op) ? k.getName().str()
                                                    : old.str();
        if (mergedSymbols.lookup(fresh)) {
          if (isa<gpu::GPUFuncOp>(op) || !isDeclaration(op))
            fresh = k.getName().str() + "$" + old.str();
          else {
            // The same external declaration (a libdevice function): keep one.
            op.erase();
            continue;
          }
        }
        if (fresh != old.str() && failed(local.rename(&op, fresh))) {
          op.emitError("internal: cannot rename a kernel symbol");
          return signalPassFailure();
        }
        if (isa<gpu::GPUFuncOp>(op))
          renamed[{k.getNameAttr(), old}] = StringAttr::get(&getContext(), fresh);
        op.moveBefore(merged.getBody(), merged.getBody()->end());
        mergedSymbols.insert(&op);
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr ref = launch.getKernel();
      auto it = renamed.find({ref.getRootReference(), ref.getLeafReference()});
      if (it == renamed.end())
        return;
      launch.setKernelAttr(SymbolRefAttr::get(
          merged.getNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
    });
    for (gpu::GPUModuleOp k : kernels)
      k.erase();
  }

  static bool isDeclaration(Operation &op) {
    auto f = dyn_cast<FunctionOpInterface>(op);
    return f && f.isExternal();
  }
};

} // namespace
