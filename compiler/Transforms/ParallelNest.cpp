//===- ParallelNest.cpp - one iteration range for a parallel loop nest ----===//

#include "compiler/Transforms/ParallelNest.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace {

/// One loop of the nest: its bounds, steps and induction variables (one of
/// each for an scf.for, one per dimension for an scf.parallel).
struct Level {
  Operation *op;
  SmallVector<Value> lbs, ubs, steps, ivs;
  Block *body;
};

std::optional<Level> parallelLevel(Operation *op) {
  if (auto p = dyn_cast<scf::ParallelOp>(op)) {
    if (p.getNumResults() != 0)
      return std::nullopt;
    return Level{op, llvm::to_vector(p.getLowerBound()),
                 llvm::to_vector(p.getUpperBound()),
                 llvm::to_vector(p.getStep()),
                 llvm::to_vector<4>(p.getInductionVars()), p.getBody()};
  }
  if (auto f = dyn_cast<scf::ForOp>(op)) {
    if (!f->hasAttr(nnc::nn::kParallelAttr) || !f.getInitArgs().empty())
      return std::nullopt;
    return Level{op, {f.getLowerBound()}, {f.getUpperBound()}, {f.getStep()},
                 {f.getInductionVar()}, f.getBody()};
  }
  return std::nullopt;
}

bool definedOutside(Value v, Operation *nest) {
  if (Operation *def = v.getDefiningOp())
    return !nest->isAncestor(def);
  return !nest->isAncestor(cast<BlockArgument>(v).getOwner()->getParentOp());
}

bool pureLeaf(Operation &op) {
  return op.getNumRegions() == 0 && isMemoryEffectFree(&op);
}

/// The parallel loop perfectly nested in `level`, if any: the only loop of
/// its body, every other op pure, its bounds defined outside `nest`.
std::optional<Level> innerLevel(const Level &level, Operation *nest) {
  std::optional<Level> inner;
  for (Operation &op : level.body->without_terminator()) {
    if (pureLeaf(op))
      continue;
    if (inner)
      return std::nullopt;
    inner = parallelLevel(&op);
    if (!inner)
      return std::nullopt;
  }
  if (!inner)
    return std::nullopt;
  for (auto range : {inner->lbs, inner->ubs, inner->steps})
    for (Value v : range)
      if (!definedOutside(v, nest))
        return std::nullopt;
  return inner;
}

/// Work-estimate arithmetic, built before the nest and folded as it goes.
class WorkEstimate {
public:
  WorkEstimate(OpBuilder &b, Location loc, Operation *nest)
      : b(b), loc(loc), nest(nest) {}

  Value cst(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value mul(Value x, Value y) {
    std::optional<int64_t> cx = getConstantIntValue(x),
                           cy = getConstantIntValue(y);
    if (cx && cy)
      return cst(*cx * *cy);
    if (cx == 1)
      return y;
    if (cy == 1)
      return x;
    return arith::MulIOp::create(b, loc, x, y);
  }
  Value add(Value x, Value y) {
    std::optional<int64_t> cx = getConstantIntValue(x),
                           cy = getConstantIntValue(y);
    if (cx && cy)
      return cst(*cx + *cy);
    if (cx == 0)
      return y;
    if (cy == 0)
      return x;
    return arith::AddIOp::create(b, loc, x, y);
  }

  /// ceil(max(ub - lb, 0) / step), for bounds that dominate the nest.
  Value tripCount(Value lb, Value ub, Value step) {
    Value d = b.createOrFold<arith::SubIOp>(loc, ub, lb);
    d = b.createOrFold<arith::MaxSIOp>(loc, d, cst(0));
    return b.createOrFold<arith::CeilDivUIOp>(loc, d, step);
  }

  /// The work of one execution of `block`.
  Value block(Block &blk) {
    Value total = cst(0);
    for (Operation &op : blk.without_terminator())
      total = add(total, this->op(op));
    return total;
  }

private:
  Value op(Operation &o) {
    if (o.hasTrait<OpTrait::ConstantLike>())
      return cst(0);
    if (auto f = dyn_cast<scf::ForOp>(o))
      return mul(trips(f.getLowerBound(), f.getUpperBound(), f.getStep()),
                 block(*f.getBody()));
    if (auto p = dyn_cast<scf::ParallelOp>(o)) {
      Value n = cst(1);
      for (auto [lb, ub, s] :
           llvm::zip(p.getLowerBound(), p.getUpperBound(), p.getStep()))
        n = mul(n, trips(lb, ub, s));
      return mul(n, block(*p.getBody()));
    }
    Value w = cst(1);
    for (Region &r : o.getRegions())
      for (Block &blk : r)
        w = add(w, block(blk));
    return w;
  }

  /// A loop's trip count: exact when its bounds are known before the
  /// nest, else from constants (a loop up to a tile's edge runs at most the
  /// tile), else a guess.
  Value trips(Value lb, Value ub, Value step) {
    if (definedOutside(lb, nest) && definedOutside(ub, nest) &&
        definedOutside(step, nest))
      return tripCount(lb, ub, step);
    std::optional<int64_t> s = getConstantIntValue(step);
    std::optional<int64_t> l = getConstantIntValue(lb);
    std::optional<int64_t> u = getConstantIntValue(ub);
    if (s && *s > 0 && l && u)
      return cst(std::max<int64_t>(0, (*u - *l + *s - 1) / *s));
    return cst(kUnknownTrips);
  }

  static constexpr int64_t kUnknownTrips = 8;
  OpBuilder &b;
  Location loc;
  Operation *nest;
};

/// Whether `v` is computed from one of `ivs` (through any ops inside the
/// nest).
bool dependsOn(Value v, const llvm::SmallPtrSetImpl<Value> &ivs,
               Operation *nest) {
  SmallVector<Value> work = {v};
  llvm::SmallPtrSet<Value, 16> seen;
  while (!work.empty()) {
    Value x = work.pop_back_val();
    if (!seen.insert(x).second)
      continue;
    if (ivs.contains(x))
      return true;
    Operation *def = x.getDefiningOp();
    if (def && nest->isAncestor(def))
      llvm::append_range(work, def->getOperands());
  }
  return false;
}

/// Whether the iterations of the collapsed loops write disjoint memory, as
/// far as the IR shows: every buffer the nest writes is allocated inside
/// it, or is written through an index or a view offset computed from an
/// induction variable. Tile-and-fuse only tiles parallel dimensions, but a
/// fused producer that is not sliced by the tile (it computes the whole of
/// a value each tile needs) bufferizes into one buffer every iteration
/// writes; such a nest stays serial.
bool writesAreDisjoint(Operation *nest, ArrayRef<Level> levels) {
  llvm::SmallPtrSet<Value, 8> ivs;
  for (const Level &l : levels)
    ivs.insert(l.ivs.begin(), l.ivs.end());
  auto disjoint = [&](Value buffer, ValueRange indices) {
    for (Value i : indices)
      if (dependsOn(i, ivs, nest))
        return true;
    Value v = buffer;
    while (Operation *def = v.getDefiningOp()) {
      if (!nest->isAncestor(def))
        return false; // a buffer from outside, written whole
      if (isa<memref::AllocOp, memref::AllocaOp>(def))
        return true; // this iteration's own
      if (auto sub = dyn_cast<memref::SubViewOp>(def)) {
        for (Value o : sub.getOffsets())
          if (dependsOn(o, ivs, nest))
            return true;
      }
      auto view = dyn_cast<ViewLikeOpInterface>(def);
      if (!view)
        return false;
      v = view.getViewSource();
    }
    return false;
  };
  WalkResult r = nest->walk([&](Operation *op) {
    bool ok = true;
    if (auto store = dyn_cast<memref::StoreOp>(op))
      ok = disjoint(store.getMemRef(), store.getIndices());
    else if (auto store = dyn_cast<vector::StoreOp>(op))
      ok = disjoint(store.getBase(), store.getIndices());
    else if (auto store = dyn_cast<vector::MaskedStoreOp>(op))
      ok = disjoint(store.getBase(), store.getIndices());
    else if (auto write = dyn_cast<vector::TransferWriteOp>(op))
      ok = !isa<MemRefType>(write.getBase().getType()) ||
           disjoint(write.getBase(), write.getIndices());
    else if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp>(op))
      ok = true;
    else if (isa<memref::PrefetchOp>(op))
      // A hint that writes nothing, though it declares no memory effects
      // (a micro-kernel's prefetches of x in a weight gradient serialized
      // every kernel-gradient nest until this).
      ok = true;
    else if (auto effects = dyn_cast<MemoryEffectOpInterface>(op))
      ok = !effects.hasEffect<MemoryEffects::Write>();
    else
      ok = op->getNumRegions() > 0 || isMemoryEffectFree(op) ||
           op->hasTrait<OpTrait::IsTerminator>();
    return ok ? WalkResult::advance() : WalkResult::interrupt();
  });
  return !r.wasInterrupted();
}

} // namespace

std::optional<nnc::ParallelRange>
nnc::collapseParallelNest(Operation *nest) {
  std::optional<Level> outer = parallelLevel(nest);
  if (!outer)
    return std::nullopt;
  SmallVector<Level, 2> levels = {*outer};
  while (std::optional<Level> inner = innerLevel(levels.back(), nest))
    levels.push_back(*inner);
  if (!writesAreDisjoint(nest, levels))
    return std::nullopt;

  Location loc = nest->getLoc();
  OpBuilder b(nest);
  WorkEstimate est(b, loc, nest);
  SmallVector<Value> ivs, lbs, ubs, steps;
  for (const Level &l : levels) {
    llvm::append_range(ivs, l.ivs);
    llvm::append_range(lbs, l.lbs);
    llvm::append_range(ubs, l.ubs);
    llvm::append_range(steps, l.steps);
  }
  // An elementwise or copy nest (scf.parallel from linalg) keeps its
  // innermost dimension as a loop of its own: that dimension is the
  // contiguous one, which LLVM vectorizes, and the collapsed index is
  // decoded once per row instead of once per element. Tile loops (nn.parallel
  // scf.for) are all collapsed: each of their iterations is a whole tile.
  bool keepInner = isa<scf::ParallelOp>(levels.back().op) && ivs.size() >= 2;
  size_t collapsed = ivs.size() - (keepInner ? 1 : 0);
  SmallVector<Value> trips;
  Value count = est.cst(1), total = est.cst(1);
  for (size_t d = 0; d < ivs.size(); ++d) {
    trips.push_back(est.tripCount(lbs[d], ubs[d], steps[d]));
    total = est.mul(total, trips.back());
    if (d < collapsed)
      count = est.mul(count, trips.back());
  }
  // The pure ops of outer levels run once per innermost iteration too.
  Value perIteration = est.cst(0);
  for (auto [i, l] : llvm::enumerate(levels)) {
    if (i + 1 < levels.size()) {
      for (Operation &op : l.body->without_terminator())
        if (&op != levels[i + 1].op)
          perIteration = est.add(perIteration, est.cst(1));
    } else {
      perIteration = est.add(perIteration, est.block(*l.body));
    }
  }
  Value work = est.mul(total, perIteration);

  auto loop = scf::ForOp::create(b, loc, est.cst(0), count, est.cst(1));
  loop->setAttr(nn::kParallelAttr, b.getUnitAttr());
  b.setInsertionPoint(loop.getBody()->getTerminator());

  // Decode the collapsed index, innermost dimension fastest.
  IRMapping map;
  Value rest = loop.getInductionVar();
  for (int64_t d = collapsed - 1; d >= 0; --d) {
    Value index = rest;
    if (d > 0) {
      index = b.createOrFold<arith::RemUIOp>(loc, rest, trips[d]);
      rest = b.createOrFold<arith::DivUIOp>(loc, rest, trips[d]);
    }
    Value iv = b.createOrFold<arith::AddIOp>(
        loc, lbs[d], b.createOrFold<arith::MulIOp>(loc, index, steps[d]));
    map.map(ivs[d], iv);
  }
  for (auto [i, l] : llvm::enumerate(levels)) {
    if (i + 1 < levels.size()) {
      for (Operation &op : l.body->without_terminator())
        if (&op != levels[i + 1].op)
          b.clone(op, map);
      continue;
    }
    if (keepInner) {
      auto inner = scf::ForOp::create(b, loc, lbs.back(), ubs.back(),
                                      steps.back());
      map.map(ivs.back(), inner.getInductionVar());
      b.setInsertionPoint(inner.getBody()->getTerminator());
    }
    for (Operation &op : l.body->without_terminator())
      b.clone(op, map);
  }

  nest->erase();
  return ParallelRange{loop, count, work};
}
