//===- DeduplicateKernels.cpp - one copy of each distinct kernel ----------===//
//
// A deep stack of identical layers outlines to many identical kernels: the
// forward step of every dense(64, relu) after the first, its backward
// steps, the optimizer update of every 64x64 kernel. LLVM would optimize
// and generate each copy again (100 dense layers: 1,441 kernels, 1.9 MB of
// code). Kernels whose types and bodies are the same, locations aside,
// become one; their calls name the first.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "llvm/ADT/DenseMap.h"

namespace nnc {
#define GEN_PASS_DEF_DEDUPLICATEKERNELS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

constexpr auto kFlags = OperationEquivalence::IgnoreLocations;

/// A hash of the type and of every op of the body in order (names,
/// attributes, types; not which values they use): equal kernels hash
/// equal, so only kernels in one bucket need the full comparison.
llvm::hash_code hashKernel(func::FuncOp f) {
  llvm::hash_code h = llvm::hash_combine(
      f.getFunctionType(), f->getDiscardableAttrDictionary());
  f.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
    h = llvm::hash_combine(
        h, OperationEquivalence::computeHash(
               op, OperationEquivalence::ignoreHashValue,
               OperationEquivalence::ignoreHashValue, kFlags));
  });
  return h;
}

bool sameKernel(func::FuncOp a, func::FuncOp b) {
  // The discardable attributes include which arguments are noalias.
  return a.getFunctionType() == b.getFunctionType() &&
         a->getDiscardableAttrDictionary() ==
             b->getDiscardableAttrDictionary() &&
         OperationEquivalence::isRegionEquivalentTo(&a.getBody(),
                                                    &b.getBody(), kFlags);
}

struct DeduplicateKernelsPass
    : nnc::impl::DeduplicateKernelsBase<DeduplicateKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::DenseMap<llvm::hash_code, SmallVector<func::FuncOp>> seen;
    llvm::DenseMap<StringAttr, StringAttr> replacement;
    for (auto f : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (!f->hasAttr(nnc::nn::kKernelAttr) || f.isExternal() ||
          f.isPublic())
        continue;
      SmallVector<func::FuncOp> &bucket = seen[hashKernel(f)];
      auto same = llvm::find_if(
          bucket, [&](func::FuncOp k) { return sameKernel(k, f); });
      if (same == bucket.end()) {
        bucket.push_back(f);
        continue;
      }
      replacement[f.getSymNameAttr()] = same->getSymNameAttr();
      f.erase();
    }
    if (replacement.empty())
      return;
    // Kernels are only called (outline-kernels makes nothing else refer to
    // them), so redirecting the calls is all there is to do.
    module.walk([&](func::CallOp call) {
      auto it = replacement.find(call.getCalleeAttr().getAttr());
      if (it != replacement.end())
        call.setCallee(it->second.getValue());
    });
  }
};

} // namespace
