//===- MarkNoAlias.cpp - noalias data pointers for distinct kernel buffers ===//
//
// func-to-llvm expands each memref argument into its descriptor's fields
// (allocated and aligned pointers, offset, sizes, strides) and drops the
// argument's attributes on the way, so the fact that a kernel's buffers do
// not overlap (nn.noalias_memrefs, from nnc-outline-kernels) travels as a
// function attribute and is applied here. Without it LLVM versions every
// vectorized loop on run-time overlap checks: a quarter more code, and
// twice the instruction-selection time, on a deep network.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace nnc {
#define GEN_PASS_DEF_MARKNOALIAS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

struct MarkNoAliasPass : nnc::impl::MarkNoAliasBase<MarkNoAliasPass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](LLVM::LLVMFuncOp f) {
      auto ordinals = f->getAttrOfType<DenseI64ArrayAttr>(nnc::nn::kNoAliasAttr);
      if (!ordinals)
        return WalkResult::advance();
      f->removeAttr(nnc::nn::kNoAliasAttr);
      // Descriptors are the only pointers a kernel takes: memref k's
      // allocated and aligned pointers are pointer arguments 2k and 2k+1,
      // and loads and stores go through the aligned one.
      SmallVector<unsigned> pointers;
      for (auto [i, type] : llvm::enumerate(f.getArgumentTypes()))
        if (isa<LLVM::LLVMPointerType>(type))
          pointers.push_back(i);
      for (int64_t k : ordinals.asArrayRef()) {
        if (k < 0 || 2 * k + 1 >= static_cast<int64_t>(pointers.size())) {
          f.emitError() << "internal: '" << nnc::nn::kNoAliasAttr
                        << "' names memref #" << k << " of "
                        << pointers.size() / 2;
          return WalkResult::interrupt();
        }
        f.setArgAttr(pointers[2 * k + 1],
                     LLVM::LLVMDialect::getNoAliasAttrName(),
                     UnitAttr::get(f.getContext()));
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
