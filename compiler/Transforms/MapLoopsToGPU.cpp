//===- MapLoopsToGPU.cpp - host loop nests as GPU launches ----------------===//
//
// The CUDA pipeline keeps the CPU pipeline's shape up to loops: every linalg
// op is one loop nest, an `scf.parallel` over its parallel dimensions with
// `scf.for` reductions inside. Here each nest at the host level becomes one
// kernel: its parallel dimensions collapse into one (any shape then fills
// blocks of `block-size` threads alike, however small its last dimension),
// the collapsed loop is tiled by the block size (the last block's idle
// threads guarded by an `scf.if`), the tile loop maps to blocks and the
// point loop to threads, and MLIR's parallel-loops-to-gpu conversion makes
// the `gpu.launch`.
//
// The host never dereferences a device buffer, so memory work outside any
// parallel loop (a reduction of a whole tensor to one value, a store of one
// element) becomes a one-thread launch. An `scf.for` or `scf.if` whose body
// holds parallel loops (a scan's loop over steps) stays on the host and its
// body is mapped in turn.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Conversion/SCFToGPU/SCFToGPU.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"

namespace nnc {
#define GEN_PASS_DEF_MAPLOOPSTOGPU
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Whether `v` is a view of a stack buffer: host memory.
bool isHostBuffer(Value v) {
  while (Operation *d = v.getDefiningOp()) {
    if (isa<memref::AllocaOp>(d))
      return true;
    auto view = dyn_cast<ViewLikeOpInterface>(d);
    if (!view)
      return false;
    v = view.getViewSource();
  }
  return false;
}

/// Whether `op` or anything nested in it reads or writes a buffer that may
/// be on the device.
bool touchesMemory(Operation *op) {
  WalkResult r = op->walk([](Operation *nested) {
    // Only buffers the pipeline made (memrefs) can be on the device: the
    // entry wrappers read the host's array of data pointers, and the
    // deallocation's bookkeeping its stack buffers.
    auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
    if (!effects || llvm::none_of(nested->getOperands(), [](Value v) {
          return isa<MemRefType>(v.getType()) && !isHostBuffer(v);
        }))
      return WalkResult::advance();
    if (effects.hasEffect<MemoryEffects::Read>() ||
        effects.hasEffect<MemoryEffects::Write>())
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return r.wasInterrupted();
}

bool containsParallelLoop(Operation *op) {
  return op
      ->walk([](scf::ParallelOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

struct MapLoopsToGPUPass
    : nnc::impl::MapLoopsToGPUBase<MapLoopsToGPUPass> {
  using MapLoopsToGPUBase::MapLoopsToGPUBase;

  void runOnOperation() override {
    func::FuncOp f = getOperation();
    // The entries (and models) only: the entry wrappers and the
    // deallocation helpers run on the host, on host memory.
    if (f.isExternal() || !(f->hasAttr(nnc::nn::kModelAttr) ||
                            f->hasAttr(nnc::nn::kEntryAttr)))
      return;
    keepBookkeepingOnHost(f);
    sinkScalarReads(f);
    SmallVector<scf::ParallelOp> nests;
    if (failed(collect(f.getBody(), nests)))
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp nest : nests)
      mapNest(rewriter, nest);

    RewritePatternSet patterns(&getContext());
    populateParallelLoopToGPUPatterns(patterns);
    ConversionTarget target(getContext());
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    configureParallelLoopToGPULegality(target);
    if (failed(applyPartialConversion(f, target, std::move(patterns))))
      return signalPassFailure();
    finalizeParallelLoopToGPUConversion(f);
    sinkGlobals(f);
  }

  /// The buffer deallocation's bookkeeping (which of a loop's buffers to
  /// free: small static arrays of pointers and flags that only host code
  /// touches) goes on the stack, since every allocation of a CUDA entry is
  /// device memory.
  static void keepBookkeepingOnHost(func::FuncOp f) {
    SmallVector<memref::AllocOp> bookkeeping;
    f.walk([&](memref::AllocOp a) {
      Type element = a.getType().getElementType();
      bool hostOnly = a.getType().hasStaticShape() &&
                      (element.isIndex() || element.isInteger(1)) &&
                      llvm::none_of(a->getUsers(), [](Operation *user) {
                        return user->getParentOfType<scf::ParallelOp>();
                      });
      if (hostOnly)
        bookkeeping.push_back(a);
    });
    for (memref::AllocOp a : bookkeeping) {
      OpBuilder b(a);
      auto stack = memref::AllocaOp::create(b, a.getLoc(), a.getType());
      for (Operation *user : llvm::make_early_inc_range(a->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      a.replaceAllUsesWith(stack.getResult());
      a.erase();
    }
  }

  /// A value read on the host and used only inside loop nests (a dropout
  /// mask's hash of the step counter, computed once outside the mask's loop)
  /// is read inside each nest instead: the load and the pure ops computed
  /// from it are cloned into the nests that use them. Only loads of
  /// buffers the function never writes (the hyper-parameters) move, so the
  /// value read is the same.
  static void sinkScalarReads(func::FuncOp f) {
    llvm::DenseSet<Value> written;
    f.walk([&](Operation *op) {
      if (auto store = dyn_cast<memref::StoreOp>(op))
        written.insert(store.getMemRef());
    });
    SmallVector<memref::LoadOp> loads;
    f.walk([&](memref::LoadOp load) {
      if (!load->getParentOfType<scf::ParallelOp>() &&
          !isHostBuffer(load.getMemRef()) &&
          isa<BlockArgument>(load.getMemRef()) &&
          !written.contains(load.getMemRef()))
        loads.push_back(load);
    });
    for (memref::LoadOp load : loads)
      sinkChain(load);
  }

  /// `load` and the pure ops of its block computed from it, cloned into
  /// each scf.parallel that uses them; nothing when one is used elsewhere.
  static void sinkChain(memref::LoadOp load) {
    Block *block = load->getBlock();
    llvm::SetVector<Operation *> chain;
    chain.insert(load);
    for (Operation *op = load->getNextNode(); op; op = op->getNextNode())
      if (op->getNumRegions() == 0 && isMemoryEffectFree(op) &&
          llvm::any_of(op->getOperands(), [&](Value v) {
            return v.getDefiningOp() && chain.contains(v.getDefiningOp());
          }))
        chain.insert(op);
    auto nestOf = [&](Operation *user) -> scf::ParallelOp {
      scf::ParallelOp outer;
      for (Operation *p = user; p && p->getBlock() != block;
           p = p->getParentOp())
        if (auto par = dyn_cast<scf::ParallelOp>(p->getParentOp()))
          outer = par;
      return outer;
    };
    for (Operation *op : chain)
      for (Operation *user : op->getUsers())
        if (!chain.contains(user) && !nestOf(user))
          return; // read on the host too: left for the caller's check
    // Per nest: the clones so far and the last, after which the next goes.
    struct Clones {
      IRMapping map;
      Operation *last = nullptr;
    };
    llvm::MapVector<Operation *, Clones> clones;
    for (Operation *op : chain)
      for (OpOperand &use : llvm::make_early_inc_range(op->getUses())) {
        if (chain.contains(use.getOwner()))
          continue;
        scf::ParallelOp nest = nestOf(use.getOwner());
        Clones &c = clones[nest];
        for (Operation *x : chain) {
          if (c.map.contains(op->getResult(0)))
            break;
          if (c.map.contains(x->getResult(0)))
            continue;
          OpBuilder b(nest.getContext());
          if (c.last)
            b.setInsertionPointAfter(c.last);
          else
            b.setInsertionPointToStart(nest.getBody());
          c.last = b.clone(*x, c.map);
        }
        use.set(c.map.lookup(use.get()));
      }
    for (Operation *op : llvm::reverse(chain))
      if (op->use_empty())
        op->erase();
  }

  /// The host-level nests of `region` in order, serial memory work wrapped
  /// into one-iteration parallel loops first.
  LogicalResult collect(Region &region,
                        SmallVectorImpl<scf::ParallelOp> &nests) {
    for (Block &block : region)
      for (auto it = block.begin(); it != block.end();) {
        Operation &op = *it++;
        if (auto p = dyn_cast<scf::ParallelOp>(op)) {
          nests.push_back(p);
          continue;
        }
        if (containsParallelLoop(&op)) {
          for (Region &r : op.getRegions())
            if (failed(collect(r, nests)))
              return failure();
          continue;
        }
        if (!touchesMemory(&op) || isa<memref::AllocOp, memref::DeallocOp>(op))
          continue;
        FailureOr<scf::ParallelOp> serial = wrapSerialRun(&op);
        if (failed(serial))
          return failure();
        nests.push_back(*serial);
        it = std::next(Block::iterator(*serial));
      }
    return success();
  }

  /// Serial work starting at `first`: it and the following ops up to the
  /// last that touches memory, as long as each either touches memory or is
  /// pure (a scalar computed from loaded values: an optimizer's step size).
  /// The ops that touch memory and the pure ones computed from them move
  /// into one one-iteration scf.parallel at the run's end; the other pure
  /// ops (index arithmetic the host needs too) stay where they are.
  FailureOr<scf::ParallelOp> wrapSerialRun(Operation *first) {
    SmallVector<Operation *> run{first};
    size_t end = 1;
    for (Operation *n = first->getNextNode();
         n && !n->hasTrait<OpTrait::IsTerminator>(); n = n->getNextNode()) {
      if (isa<scf::ParallelOp, memref::AllocOp, memref::DeallocOp>(n) ||
          containsParallelLoop(n))
        break;
      bool memory = touchesMemory(n);
      if (!memory && !isMemoryEffectFree(n))
        break;
      run.push_back(n);
      if (memory)
        end = run.size();
    }
    run.resize(end);
    llvm::SmallPtrSet<Operation *, 8> moving;
    SmallVector<Operation *> moved;
    for (Operation *op : run) {
      bool fromMoved = llvm::any_of(op->getOperands(), [&](Value v) {
        Operation *d = v.getDefiningOp();
        return d && moving.contains(d);
      });
      if (touchesMemory(op) || fromMoved) {
        moving.insert(op);
        moved.push_back(op);
      }
    }
    for (Operation *op : moved)
      for (Operation *user : op->getUsers()) {
        Operation *ancestor = first->getBlock()->findAncestorOpInBlock(*user);
        if (!ancestor || !moving.contains(ancestor))
          return op->emitError()
                 << "internal: the host would read a device buffer here ("
                 << op->getName() << ")";
      }
    OpBuilder b(run.back()->getNextNode());
    Location loc = first->getLoc();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto p = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                     ValueRange{one}, ValueRange{one});
    for (Operation *op : moved)
      op->moveBefore(p.getBody()->getTerminator());
    return p;
  }

  /// Constants a kernel reads (memref.get_global) are read inside it: the
  /// kernel outlining then copies their globals into the device module.
  static void sinkGlobals(func::FuncOp f) {
    f.walk([](gpu::LaunchOp launch) {
      SmallVector<OpOperand *> uses;
      launch.getBody().walk([&](Operation *op) {
        for (OpOperand &operand : op->getOpOperands())
          if (auto g = operand.get().getDefiningOp<memref::GetGlobalOp>())
            if (!launch->isAncestor(g))
              uses.push_back(&operand);
      });
      OpBuilder b = OpBuilder::atBlockBegin(&launch.getBody().front());
      for (OpOperand *use : uses)
        use->set(b.clone(*use->get().getDefiningOp())->getResult(0));
    });
  }

  void mapNest(IRRewriter &rewriter, scf::ParallelOp nest) {
    MLIRContext *ctx = &getContext();
    if (nest.getNumLoops() > 1) {
      Block *block = nest->getBlock();
      Operation *next = nest->getNextNode();
      std::vector<unsigned> all(nest.getNumLoops());
      std::iota(all.begin(), all.end(), 0u);
      rewriter.setInsertionPoint(nest);
      collapseParallelLoops(rewriter, nest, {all});
      nest = cast<scf::ParallelOp>(next ? next->getPrevNode()
                                        : &block->back());
    }
    // A loop of one iteration (serial work) gets one thread.
    std::optional<int64_t> trips = constantTripCount(nest);
    int64_t tile = trips && *trips < blockSize ? std::max<int64_t>(*trips, 1)
                                               : int64_t(blockSize);
    auto [outer, inner] = scf::tileParallelLoop(nest, {tile},
                                                /*noMinMaxBounds=*/true);
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    (void)gpu::setMappingAttr(
        outer, {gpu::ParallelLoopDimMappingAttr::get(
                   ctx, gpu::Processor::BlockX, id, id)});
    (void)gpu::setMappingAttr(
        inner, {gpu::ParallelLoopDimMappingAttr::get(
                   ctx, gpu::Processor::ThreadX, id, id)});
  }

  static std::optional<int64_t> constantTripCount(scf::ParallelOp p) {
    auto lb = getConstantIntValue(p.getLowerBound()[0]);
    auto ub = getConstantIntValue(p.getUpperBound()[0]);
    auto step = getConstantIntValue(p.getStep()[0]);
    if (!lb || !ub || !step || *step <= 0)
      return std::nullopt;
    return (*ub - *lb + *step - 1) / *step;
  }
};

} // namespace
