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
#include "compiler/Transforms/ParallelNest.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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
/// that function and its call.
std::pair<func::FuncOp, func::CallOp> outline(Operation *nest,
                                              func::FuncOp parent,
                                              Operation *after, unsigned index,
                                              SymbolTable &symbols) {
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
  return {kernel, call};
}

/// Makes `kernel`, whose body is the loop of `range`, a function of the
/// iteration range [lo, hi) (two new leading index arguments), and its
/// call one of [0, count): through the runtime's pool when the estimated
/// work is at least `minWork`, directly otherwise.
void makeParallel(func::FuncOp kernel, func::CallOp call,
                  const nnc::ParallelRange &range, int64_t minWork) {
  Location loc = call.getLoc();
  MLIRContext *ctx = kernel.getContext();
  Type index = IndexType::get(ctx);
  (void)kernel.insertArgument(0, index, {}, loc);
  (void)kernel.insertArgument(1, index, {}, loc);
  auto loop = cast<scf::ForOp>(*llvm::find_if(
      kernel.getBody().front(), [](Operation &op) { return isKernel(op); }));
  loop.setLowerBound(kernel.getArgument(0));
  loop.setUpperBound(kernel.getArgument(1));
  // The count the loop ran to is now the caller's: its argument goes
  // (unused scalars only; memref ordinals name noalias arguments).
  llvm::BitVector unused(kernel.getNumArguments());
  for (BlockArgument arg : kernel.getArguments().drop_front(2))
    if (arg.use_empty() && !isa<MemRefType>(arg.getType()))
      unused.set(arg.getArgNumber());
  SmallVector<Value> kept;
  for (auto [i, v] : llvm::enumerate(call.getOperands()))
    if (!unused.test(i + 2))
      kept.push_back(v);
  // Cannot fail: a func.func takes any argument types.
  (void)kernel.eraseArguments(unused);

  OpBuilder b(call);
  SmallVector<Value> operands = {arith::ConstantIndexOp::create(b, loc, 0),
                                 range.count};
  llvm::append_range(operands, kept);
  Value worth = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::uge, range.work,
      arith::ConstantIndexOp::create(b, loc, minWork));
  auto branch = scf::IfOp::create(b, loc, worth, /*withElseRegion=*/true);
  b.setInsertionPointToStart(branch.thenBlock());
  auto dispatch = func::CallOp::create(b, loc, kernel, operands);
  dispatch->setAttr(nnc::nn::kParallelDispatchAttr, b.getUnitAttr());
  b.setInsertionPointToStart(branch.elseBlock());
  func::CallOp::create(b, loc, kernel, operands);
  call.erase();
}

/// Whether `op` takes or gives vector values (a micro-kernel's k loop left
/// at the top of a function: a contraction's static remainder rows, whose
/// accumulators are loaded before it and stored after). As a kernel it
/// would pass vectors across a call, on the stack, where x86-64 wants them
/// 64-byte aligned: in a frame with dynamic allocas they were not, and the
/// aligned moves crashed (Keras parity, MLPs at batch 14 and 16). It stays
/// in the caller.
bool carriesVectors(Operation &op) {
  // Vector constants are cloned into a kernel, not passed.
  auto isVector = [](Value v) {
    return isa<VectorType>(v.getType()) && !isRematerializable(v);
  };
  if (llvm::any_of(op.getResults(), isVector) ||
      llvm::any_of(op.getOperands(), isVector))
    return true;
  SetVector<Value> used;
  getUsedValuesDefinedAbove(op.getRegions(), used);
  return llvm::any_of(used, isVector);
}

/// Whether the loop nests in the body of `blocks` (an nn.reduction_blocks
/// loop) can be kernels of their own: each one communicates through memory
/// only. A contraction tile small enough to be one micro-kernel leaves its
/// k loop carrying vector accumulators at the top of the body; as a kernel
/// it would pass vectors (and masks) across a call, which crashed at -O0.
/// Such a loop is outlined whole, as one serial kernel.
bool splitsIntoKernels(scf::ForOp blocks) {
  for (Operation &op : *blocks.getBody())
    if (isKernel(op) && (op.getNumResults() != 0 || carriesVectors(op)))
      return false;
  return true;
}

struct OutlineKernelsPass
    : nnc::impl::OutlineKernelsBase<OutlineKernelsPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto f : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (f.isExternal())
        continue;
      unsigned index = 0;
      Operation *last = f;
      for (Block &block : f.getBody())
        outlineBlock(block, f, last, index, symbols);
    }
  }

  /// Outlines every loop nest of `block`. The blocks of a contraction's
  /// reduction stay a loop of the caller's, whose body's nests become
  /// kernels: each block is then one parallel kernel call (the tiles of the
  /// output), where outlining the whole loop would make one serial kernel.
  /// The steps of a scan likewise: each step's kernels run in parallel.
  void outlineBlock(Block &block, func::FuncOp f, Operation *&last,
                    unsigned &index, SymbolTable &symbols) {
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (!isKernel(op) || carriesVectors(op))
        continue;
      if ((op.hasAttr(nnc::nn::kReductionBlocksAttr) ||
           op.hasAttr(nnc::nn::kSequenceStepsAttr)) &&
          isa<scf::ForOp>(op) && splitsIntoKernels(cast<scf::ForOp>(op))) {
        outlineBlock(*cast<scf::ForOp>(op).getBody(), f, last, index,
                     symbols);
        continue;
      }
      std::optional<nnc::ParallelRange> range =
          nnc::collapseParallelNest(&op);
      Operation *nest = range ? range->loop.getOperation() : &op;
      if (range) {
        // The call uses the count and the work estimate: constants of
        // their own, since outline erases the constants only the
        // nest used (the work folds to the count when it is one op).
        OpBuilder b(nest);
        for (Value *v : {&range->count, &range->work})
          if (isRematerializable(*v))
            *v = b.clone(*v->getDefiningOp())->getResult(0);
      }
      auto [kernel, call] = outline(nest, f, last, index++, symbols);
      if (range)
        makeParallel(kernel, call, *range, minParallelWork);
      last = kernel;
    }
  }
};

} // namespace
