//===- PrefetchSequenceSteps.cpp - the next step's rows, before they are needed ===//
//
// A scan lowers to a serial loop over the steps (nn.sequence_steps) whose
// step t views sequences laid out [batch, steps, features] at [:, t, :]:
// the hoisted input projection it reads, the stacks of per-step outputs it
// writes. Each of the batch's rows is steps * features elements from the
// next (200 KB for an LSTM(64)'s 200-step projection), so the hardware
// prefetchers, which stay within a page, miss all of them: the LSTM's
// forward step waited on ~500 cache misses. Here each step first prefetches
// the next step's rows, every cache line, so they arrive while the step
// computes. Prefetches cannot fault and change no value.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "dialects/nn/IR/NNDialect.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace nnc {
#define GEN_PASS_DEF_PREFETCHSEQUENCESTEPS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

constexpr int64_t kCacheLineBytes = 64;

/// Whether `view` (or a view of it) is written: a stack of per-step
/// outputs rather than a sequence the step reads.
bool isWritten(Value view) {
  for (OpOperand &use : view.getUses()) {
    Operation *user = use.getOwner();
    if (isa<memref::SubViewOp, memref::CastOp>(user)) {
      if (isWritten(user->getResult(0)))
        return true;
      continue;
    }
    if (auto store = dyn_cast<memref::StoreOp>(user))
      if (store.getMemRef() == view)
        return true;
    if (auto store = dyn_cast<vector::StoreOp>(user))
      if (store.getBase() == view)
        return true;
    if (auto store = dyn_cast<vector::TransferWriteOp>(user))
      if (store.getBase() == view)
        return true;
    if (auto copy = dyn_cast<memref::CopyOp>(user))
      if (copy.getTarget() == view)
        return true;
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(user))
      if (dps.isDpsInit(&use))
        return true;
  }
  return false;
}

/// The next step's value of `v`, an index computed in the loop body from
/// the induction variable by side-effect-free ops (t, or T - 1 - t in a
/// reverse scan), built before `at`; null when `v` is not such a value.
Value nextStep(OpBuilder &b, scf::ForOp loop, Value v, IRMapping &next) {
  if (Value known = next.lookupOrNull(v))
    return known;
  if (!loop->isAncestor(v.getParentRegion()->getParentOp()))
    return v;
  Operation *def = v.getDefiningOp();
  if (!def || def->getNumRegions() || def->getNumResults() != 1 ||
      !isMemoryEffectFree(def) || def->getBlock() != loop.getBody())
    return {};
  for (Value operand : def->getOperands())
    if (!nextStep(b, loop, operand, next))
      return {};
  Value result = b.clone(*def, next)->getResult(0);
  next.map(v, result);
  return result;
}

/// Prefetches, at the start of `loop`'s body, the next step's rows of
/// the sequence `view` is the step's slice of.
void prefetchNext(scf::ForOp loop, memref::SubViewOp view) {
  auto source = cast<MemRefType>(view.getSource().getType());
  // [batch, steps, features] row-major, the step's slice at [:, t, :].
  if (source.getRank() != 3 || !source.getLayout().isIdentity() ||
      source.isDynamicDim(2) || !source.getElementType().isIntOrFloat())
    return;
  ArrayRef<int64_t> offsets = view.getStaticOffsets();
  ArrayRef<int64_t> sizes = view.getStaticSizes();
  ArrayRef<int64_t> strides = view.getStaticStrides();
  if (offsets[0] != 0 || offsets[2] != 0 || !ShapedType::isDynamic(offsets[1]) ||
      sizes[1] != 1 || sizes[2] != source.getDimSize(2) ||
      llvm::any_of(strides, [](int64_t s) { return s != 1; }))
    return;
  Value step = view.getOffsets()[0];
  if (!loop->isAncestor(step.getParentRegion()->getParentOp()))
    return; // the same slice every step

  OpBuilder b = OpBuilder::atBlockBegin(loop.getBody());
  Location loc = view.getLoc();
  IRMapping next;
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  next.map(loop.getInductionVar(),
           arith::AddIOp::create(b, loc, loop.getInductionVar(), one));
  Value t = nextStep(b, loop, step, next);
  if (!t)
    return;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value steps = memref::DimOp::create(b, loc, view.getSource(), one);
  Value inRange = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, t, zero),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, t, steps));
  bool write = isWritten(view.getResult());
  int64_t perLine = std::max<int64_t>(
      1, kCacheLineBytes * 8 / source.getElementTypeBitWidth());
  auto guard = scf::IfOp::create(b, loc, inRange, /*withElse=*/false);
  b.setInsertionPointToStart(guard.thenBlock());
  Value batch = memref::DimOp::create(b, loc, view.getSource(), zero);
  Value width = arith::ConstantIndexOp::create(b, loc, source.getDimSize(2));
  Value lineStep = arith::ConstantIndexOp::create(b, loc, perLine);
  auto rows = scf::ForOp::create(b, loc, zero, batch, one);
  b.setInsertionPointToStart(rows.getBody());
  auto lines = scf::ForOp::create(b, loc, zero, width, lineStep);
  b.setInsertionPointToStart(lines.getBody());
  memref::PrefetchOp::create(
      b, loc, view.getSource(),
      ValueRange{rows.getInductionVar(), t, lines.getInductionVar()},
      /*isWrite=*/write, /*localityHint=*/3, /*isDataCache=*/true);
}

struct PrefetchSequenceStepsPass
    : nnc::impl::PrefetchSequenceStepsBase<PrefetchSequenceStepsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<scf::ForOp, memref::SubViewOp>> work;
    getOperation().walk([&](scf::ForOp loop) {
      if (!loop->hasAttr(nnc::nn::kSequenceStepsAttr))
        return;
      // One prefetch per sequence, for the slices taken in the step itself.
      llvm::SmallPtrSet<Value, 8> seen;
      for (auto view : loop.getBody()->getOps<memref::SubViewOp>())
        if (seen.insert(view.getSource()).second)
          work.push_back({loop, view});
    });
    for (auto [loop, view] : work)
      prefetchNext(loop, view);
  }
};

} // namespace
