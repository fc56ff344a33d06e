//===- OutlineKernels.cpp - one function per fused loop nest --------------===//
//
// After linalg-to-loops a train step is one function holding every kernel
// of the model in sequence. LLVM optimizes function by function, and
// several of its passes grow faster than linearly with a function's size,
// so compile time grew quadratically with depth (50 dense layers: 28 s,
// 100: 108 s at -O3). Each top-level loop nest becomes its own function:
// the units LLVM sees stay the size of one kernel, whatever the model.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace nnc {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

bool isKernel(Operation &op) {
  return isa<scf::ForOp, scf::ParallelOp, scf::ForallOp>(op);
}

/// Values that are cheaper and more useful to recreate in the kernel than
/// to pass: constants (bounds and steps the loop optimizers must see) and
/// references to constant globals.
bool isRematerializable(Value v) {
  Operation *def = v.getDefiningOp();
  return def && def->getNumOperands() == 0 && def->getNumResults() == 1 &&
         (def->hasTrait<OpTrait::ConstantLike>() ||
          isa<memref::GetGlobalOp>(def));
}

/// The buffer `v` is a view of: an allocation, an argument of the
/// function, or null when it comes from anything else.
Value bufferOf(Value v, func::FuncOp parent) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner() == &parent.getBody().front() ? v : Value();
  if (v.getDefiningOp<memref::AllocOp>() || v.getDefiningOp<memref::AllocaOp>())
    return v;
  return {};
}

/// Ordinals (among the memref arguments) of the arguments that are views
/// of a buffer no other argument views. Two allocations never overlap, nor
/// does an allocation overlap a caller's buffer; two different arguments
/// of a model or entry function do not either, which is the artifact's ABI
/// (the runtime passes every buffer separately; nnrt.h says so).
SmallVector<int64_t> noAliasMemRefs(ArrayRef<Value> arguments,
                                    func::FuncOp parent) {
  SmallVector<Value> buffers;
  for (Value v : arguments)
    if (isa<MemRefType>(v.getType()))
      buffers.push_back(bufferOf(v, parent));
  SmallVector<int64_t> ordinals;
  for (auto [i, b] : llvm::enumerate(buffers)) {
    bool alone = b && llvm::all_of(llvm::enumerate(buffers), [&](auto o) {
                   return o.index() == i || (o.value() && o.value() != b);
                 });
    if (alone)
      ordinals.push_back(i);
  }
  return ordinals;
}

/// Moves `nest` into a new function placed after `after` (the parent or
/// its previous kernel, so kernels print in execution order) and returns
/// that function.
func::FuncOp outline(Operation *nest, func::FuncOp parent, Operation *after,
                     unsigned index, SymbolTable &symbols) {
  SetVector<Value> used(nest->getOperands().begin(),
                        nest->getOperands().end());
  getUsedValuesDefinedAbove(nest->getRegions(), used);
  SmallVector<Value> arguments;
  SmallVector<Operation *> cloned;
  for (Value v : used) {
    if (isRematerializable(v))
      cloned.push_back(v.getDefiningOp());
    else
      arguments.push_back(v);
  }

  OpBuilder b(parent);
  b.setInsertionPointAfter(after);
  Location loc = nest->getLoc();
  auto type = b.getFunctionType(ValueRange(arguments).getTypes(),
                                nest->getResultTypes());
  auto kernel = func::FuncOp::create(
      b, loc, (parent.getName() + ".kernel" + Twine(index)).str(), type);
  kernel.setPrivate();
  kernel->setAttr(nnc::nn::kKernelAttr, b.getUnitAttr());
  // LLVM would inline a function called once straight back.
  kernel->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
  SmallVector<int64_t> noAlias = noAliasMemRefs(arguments, parent);
  if (!noAlias.empty())
    kernel->setAttr(nnc::nn::kNoAliasAttr, b.getDenseI64ArrayAttr(noAlias));
  symbols.insert(kernel);

  Block *entry = kernel.addEntryBlock();
  IRMapping map;
  map.map(arguments, entry->getArguments());
  b.setInsertionPointToStart(entry);
  for (Operation *def : cloned)
    b.clone(*def, map);
  Operation *body = b.clone(*nest, map);
  func::ReturnOp::create(b, loc, body->getResults());

  b.setInsertionPoint(nest);
  auto call = func::CallOp::create(b, loc, kernel, arguments);
  nest->replaceAllUsesWith(call.getResults());
  nest->erase();
  // A constant only the nest used is now only in the kernel.
  for (Operation *def : cloned)
    if (def->use_empty())
      def->erase();
  return kernel;
}

struct OutlineKernelsPass
    : nnc::impl::OutlineKernelsBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto f : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (f.isExternal())
        continue;
      unsigned index = 0;
      Operation *last = f;
      for (Block &block : f.getBody())
        for (Operation &op : llvm::make_early_inc_range(block))
          if (isKernel(op))
            last = outline(&op, f, last, index++, symbols);
    }
  }
};

} // namespace
