//===- HoistScanWork.cpp - a scan's step-independent work as whole tensors ===//
//
// A scan's body runs once per step, so each matrix product in it is a small
// one ([batch, k] x [k, n]) with a serial loop around it. Much of that work
// does not depend on the carried state and can run for every step at once,
// as one large product on the contraction path:
//
//  - hoisting: values computed from the step's inputs and the consts only
//    (a recurrent layer's input projection x_t W + b) are computed before
//    the loop over the whole [batch, steps, ...] sequence and scanned over
//    as a new sequence;
//  - sinking sums: a carried accumulator whose step adds a_t^T b_t (a
//    weight's gradient) or the batch sum of v_t (a bias's gradient) is
//    replaced by per-step outputs a_t, b_t (or v_t) and one product
//    A^T B over all steps' rows (or one sum) after the loop;
//  - sinking outputs: a per-step output y_t = v_t K with K constant over
//    the steps (an input's gradient dz_t W^T) becomes the output v_t and
//    one product V K after the loop.
//
// The result is the same sum of the same terms, in another order (f32
// rounding differs, as between any two schedules of a contraction).
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNBuilder.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace nnc {
#define GEN_PASS_DEF_HOISTSCANWORK
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc::nn;

namespace {

/// What a body value depends on: the consts only (the same at every step),
/// the step's inputs and consts through ops that can run for all steps at
/// once, or anything else (the carried state, or an op we cannot lift).
enum class Kind { Invariant, PerStep, Carried };

bool isUnaryLiftable(Operation *op) {
  return isa<NegOp, ExpOp, LogOp, SqrtOp, AbsOp, SinOp, CosOp, ReluOp,
             SigmoidOp, TanhOp, EluOp, StepOp, StopGradientOp>(op);
}

bool isBinaryLiftable(Operation *op) {
  return isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaximumOp, MinimumOp>(op);
}

/// Whether `v` is zeros: a zero constant, maybe broadcast (the initial
/// value of a gradient's accumulator). Adding it would be an epilogue that
/// keeps the contraction after the loop from blocking its reduction.
bool isZeros(Value v) {
  if (auto b = v.getDefiningOp<BroadcastOp>())
    v = b.getX();
  auto c = v.getDefiningOp<arith::ConstantOp>();
  auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
  return dense && dense.isSplat() &&
         dense.getSplatValue<APFloat>().isPosZero();
}

int64_t rankOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}

class ScanWork {
public:
  explicit ScanWork(ScanOp scan) : scan(scan) {}

  /// Applies the rewrites (each rebuilds the scan when it changes it).
  void run() {
    classify();
    hoist();
    sink();
  }

private:
  ScanOp scan;
  DenseMap<Value, Kind> kinds;

  Block &body() { return scan.getBody().front(); }
  YieldOp yield() { return cast<YieldOp>(body().getTerminator()); }
  size_t numCarries() { return scan.getInit().size(); }
  int64_t steps() {
    return cast<RankedTensorType>(scan.getXs()[0].getType()).getDimSize(1);
  }
  Kind kindOf(Value v) { return kinds.lookup(v); }

  void classify() {
    kinds.clear();
    for (BlockArgument a : scan.getCarryArgs())
      kinds[a] = Kind::Carried;
    for (BlockArgument a : scan.getSliceArgs())
      kinds[a] = Kind::PerStep;
    for (BlockArgument a : scan.getConstArgs())
      kinds[a] = Kind::Invariant;
    for (Operation &op : body().without_terminator()) {
      Kind k = Kind::Carried;
      bool pure = op.getNumRegions() == 0 && isPure(&op);
      if (pure && llvm::all_of(op.getOperands(), [&](Value v) {
            return kindOf(v) == Kind::Invariant;
          }))
        k = Kind::Invariant;
      else if (pure && liftable(&op))
        k = Kind::PerStep;
      for (Value r : op.getResults())
        kinds[r] = k;
    }
  }

  /// Whether `op`, with some per-step operand, has a form over all steps.
  bool liftable(Operation *op) {
    auto perStep = [&](Value v) { return kindOf(v) == Kind::PerStep; };
    auto invariant = [&](Value v) { return kindOf(v) == Kind::Invariant; };
    if (auto m = dyn_cast<MatmulOp>(op))
      return perStep(m.getX()) && invariant(m.getW());
    if (auto b = dyn_cast<BiasAddOp>(op))
      return perStep(b.getX()) && invariant(b.getBias());
    if (auto s = dyn_cast<SliceOp>(op))
      return perStep(s.getX()) && s.getAxis() >= 1;
    if (isUnaryLiftable(op))
      return perStep(op->getOperand(0));
    if (isBinaryLiftable(op)) {
      // Per-step operands keep their rank; an invariant one must broadcast
      // from the right without reaching the batch axis, so that the steps
      // axis inserted at 1 does not move it.
      int64_t rank = rankOf(op->getResult(0));
      bool any = false;
      for (Value v : op->getOperands()) {
        if (perStep(v)) {
          any = true;
          if (rankOf(v) != rank)
            return false;
        } else if (!invariant(v) || rankOf(v) >= rank) {
          return false;
        }
      }
      return any;
    }
    return false;
  }

  /// `v` (a body value) as a value before the scan: the whole sequence for
  /// a per-step value, the value itself for an invariant one.
  Value outside(Value v, OpBuilder &b, IRMapping &map) {
    if (Value done = map.lookupOrNull(v))
      return done;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      size_t i = arg.getArgNumber(), nc = numCarries(),
             nx = scan.getXs().size();
      assert(i >= nc && "carried values have no outside form");
      Value out = i < nc + nx ? scan.getXs()[i - nc]
                              : scan.getConsts()[i - nc - nx];
      map.map(v, out);
      return out;
    }
    Operation *op = v.getDefiningOp();
    SmallVector<Value> operands;
    for (Value o : op->getOperands())
      operands.push_back(outside(o, b, map));
    Location loc = op->getLoc();
    Operation *made;
    if (kindOf(v) == Kind::Invariant) {
      IRMapping local;
      local.map(op->getOperands(), operands);
      made = b.clone(*op, local);
    } else if (isa<MatmulOp>(op)) {
      made = MatmulOp::create(b, loc, operands[0], operands[1]);
    } else if (isa<BiasAddOp>(op)) {
      made = BiasAddOp::create(b, loc, operands[0].getType(), operands[0],
                               operands[1]);
    } else if (auto s = dyn_cast<SliceOp>(op)) {
      made = SliceOp::create(b, loc, operands[0], s.getAxis() + 1,
                             s.getOffset(), s.getSize());
    } else {
      // Elementwise: the same op on the sequences.
      IRMapping local;
      local.map(op->getOperands(), operands);
      made = b.clone(*op, local);
      made->getResult(0).setType(
          ScanOp::stackedType(op->getResult(0).getType(), steps()));
    }
    for (auto [r, m] : llvm::zip(op->getResults(), made->getResults()))
      map.map(r, m);
    return map.lookup(v);
  }

  /// Hoisting: every per-step value that something else in the step reads
  /// (or the step yields) is computed for all steps before the loop and
  /// becomes a new sequence. Only done when a matrix product moves out.
  /// Elementwise work moves too, though outside it writes a [batch, steps,
  /// ...] array that the step reads back: in the step each op is a kernel
  /// call with a temporary, whose fixed cost over hundreds of steps
  /// outweighs the traffic (LSTM(64) at batch 32: 39 ms per train step
  /// keeping it in, 33 ms moving it out).
  void hoist() {
    bool product = false;
    llvm::SmallPtrSet<Operation *, 16> moved;
    for (Operation &op : body().without_terminator())
      if (op.getNumResults() != 0 &&
          kindOf(op.getResult(0)) == Kind::PerStep) {
        moved.insert(&op);
        product |= isa<MatmulOp>(op);
      }
    if (!product)
      return;
    auto stays = [&](Operation *u) { return !moved.contains(u); };
    SmallVector<Value> frontier;
    for (Operation &op : body().without_terminator())
      if (moved.contains(&op) && llvm::any_of(op.getUsers(), stays))
        frontier.push_back(op.getResult(0));
    OpBuilder b(scan);
    IRMapping map;
    SmallVector<Value> sequences;
    for (Value v : frontier)
      sequences.push_back(outside(v, b, map));
    SmallVector<BlockArgument> args;
    ScanOp next = rebuild({}, sequences, outputs(), args);
    for (auto [v, arg] : llvm::zip(frontier, args))
      v.replaceUsesWithIf(arg, [&](OpOperand &use) {
        return stays(use.getOwner());
      });
    replace(next);
    classify();
  }

  SmallVector<Value> outputs() {
    return SmallVector<Value>(yield().getValues().drop_front(numCarries()));
  }

  /// One term of a sunk sum: sum over steps and rows of a^T b, or of v
  /// (b null: a batch sum).
  struct Term {
    Value a, b;
  };

  /// Splits `g` into terms a_t^T b_t and batch sums; false if some part
  /// has another form.
  bool terms(Value g, SmallVectorImpl<Term> &out) {
    Operation *op = g.getDefiningOp();
    if (!op || op->getBlock() != &body())
      return false;
    if (auto add = dyn_cast<AddOp>(op))
      return add.getLhs().getType() == add.getRhs().getType() &&
             terms(add.getLhs(), out) && terms(add.getRhs(), out);
    if (auto m = dyn_cast<MatmulOp>(op)) {
      auto t = m.getX().getDefiningOp<TransposeOp>();
      if (!t || rankOf(m.getW()) != 2 || kindOf(m.getW()) == Kind::Invariant)
        return false;
      out.push_back({t.getX(), m.getW()});
      return kindOf(t.getX()) != Kind::Invariant;
    }
    if (auto s = dyn_cast<ReduceSumOp>(op)) {
      auto axes = s.getAxes();
      if (!axes || axes->size() != 1 || (*axes)[0] != 0 || s.getKeepdims() ||
          rankOf(s.getX()) != 2 || kindOf(s.getX()) == Kind::Invariant)
        return false;
      out.push_back({s.getX(), Value()});
      return true;
    }
    return false;
  }

  /// Sinking: carried accumulators of sums over the steps, and per-step
  /// outputs that are a product with an invariant matrix.
  void sink() {
    size_t nc = numCarries();
    YieldOp y = yield();
    llvm::BitVector drop(nc);
    SmallVector<SmallVector<Term>> sums(nc);
    SmallVector<AddOp> updates(nc);
    for (size_t i = 0; i < nc; ++i) {
      BlockArgument c = scan.getCarryArgs()[i];
      Value next = y.getValues()[i];
      auto add = next.getDefiningOp<AddOp>();
      if (!c.hasOneUse() || !add || !next.hasOneUse())
        continue;
      Value g = add.getLhs() == c ? add.getRhs()
                : add.getRhs() == c ? add.getLhs() : Value();
      if (!g || !terms(g, sums[i])) {
        sums[i].clear();
        continue;
      }
      drop.set(i);
      updates[i] = add;
    }
    // Per-step outputs v K with K invariant.
    SmallVector<Value> outs = outputs();
    SmallVector<Value> sunkMatrix(outs.size());
    for (auto [j, v] : llvm::enumerate(outs)) {
      auto m = v.getDefiningOp<MatmulOp>();
      if (!m || m->getBlock() != &body() || !v.hasOneUse() ||
          kindOf(m.getW()) != Kind::Invariant || rankOf(m.getX()) != 2)
        continue;
      sunkMatrix[j] = m.getW();
      outs[j] = m.getX();
    }
    if (drop.none() && llvm::all_of(sunkMatrix, [](Value v) { return !v; }))
      return;

    // The stacked form of every term's factor: the sequence itself for a
    // step input (recorded now: dropping carries renumbers the arguments),
    // else a new per-step output.
    DenseMap<Value, unsigned> outputIndex;
    DenseMap<Value, Value> sequenceOfArg;
    auto stacked = [&](Value v) {
      if (auto arg = dyn_cast<BlockArgument>(v);
          arg && kindOf(arg) == Kind::PerStep) {
        sequenceOfArg[v] = scan.getXs()[arg.getArgNumber() - nc];
        return;
      }
      if (!outputIndex.count(v)) {
        outputIndex[v] = outs.size();
        outs.push_back(v);
      }
    };
    for (size_t i = 0; i < nc; ++i)
      for (Term &t : sums[i]) {
        stacked(t.a);
        if (t.b)
          stacked(t.b);
      }
    // The matrices K, before the loop.
    OpBuilder before(scan);
    IRMapping map;
    SmallVector<Value> matrices;
    for (Value k : sunkMatrix)
      matrices.push_back(k ? outside(k, before, map) : Value());

    // The accumulators' updates go, then their block arguments.
    for (size_t i = 0; i < nc; ++i)
      if (drop.test(i)) {
        y->setOperand(i, scan.getCarryArgs()[i]);
        updates[i].erase();
      }
    SmallVector<BlockArgument> none;
    ScanOp next = rebuild(drop, {}, outs, none);

    OpBuilder after(next.getContext());
    after.setInsertionPointAfter(next);
    NNBuilder ops{after, scan.getLoc()};
    auto sequenceOf = [&](Value v) -> Value {
      if (Value s = sequenceOfArg.lookup(v))
        return s;
      return next.getStacked()[outputIndex.lookup(v)];
    };
    // Rows of all steps: [batch, steps, n] -> [batch * steps, n].
    auto rows = [&](Value s) {
      auto t = cast<RankedTensorType>(s.getType());
      int64_t lead = t.isDynamicDim(0) || t.isDynamicDim(1)
                         ? ShapedType::kDynamic
                         : t.getDimSize(0) * t.getDimSize(1);
      return ReshapeOp::create(
                 after, scan.getLoc(),
                 RankedTensorType::get({lead, t.getDimSize(2)},
                                       t.getElementType()),
                 s)
          .getResult();
    };
    SmallVector<Value> carryResults;
    unsigned kept = 0;
    for (size_t i = 0; i < nc; ++i) {
      if (!drop.test(i)) {
        carryResults.push_back(next.getResult(kept++));
        continue;
      }
      Value init = scan.getInit()[i];
      Value total = isZeros(init) ? Value() : init;
      for (Term &t : sums[i]) {
        Value term;
        if (t.b) {
          Value a = rows(sequenceOf(t.a)), b = rows(sequenceOf(t.b));
          term = MatmulOp::create(after, scan.getLoc(),
                                  TransposeOp::create(after, scan.getLoc(), a),
                                  b);
        } else {
          term = ops.sum(sequenceOf(t.a), {0, 1}, false);
        }
        total = total ? ops.add(total, term) : term;
      }
      carryResults.push_back(total);
    }
    SmallVector<Value> stackedResults;
    for (auto [j, k] : llvm::enumerate(matrices)) {
      Value s = next.getStacked()[j];
      stackedResults.push_back(
          k ? MatmulOp::create(after, scan.getLoc(), s, k).getResult() : s);
    }
    SmallVector<Value> all(carryResults);
    llvm::append_range(all, stackedResults);
    scan->replaceAllUsesWith(all);
    scan->erase();
    scan = next;
    classify();
  }

  /// A new scan with `scan`'s region: carries in `drop` removed (their
  /// block arguments unused, their yields dropped), `sequences` scanned
  /// over too (their block arguments returned in `args`), and `outs` as
  /// its per-step outputs. `scan` is left without a body.
  ScanOp rebuild(const llvm::BitVector &drop, ArrayRef<Value> sequences,
                 ArrayRef<Value> outs, SmallVectorImpl<BlockArgument> &args) {
    size_t nc = numCarries(), nx = scan.getXs().size();
    Block &b = body();
    Location loc = scan.getLoc();
    for (auto [i, s] : llvm::enumerate(sequences))
      args.push_back(
          b.insertArgument(nc + nx + i, ScanOp::stepType(s.getType()), loc));
    YieldOp y = yield();
    SmallVector<Value> values;
    SmallVector<Value> init;
    for (size_t i = 0; i < nc; ++i)
      if (drop.empty() || !drop.test(i)) {
        values.push_back(y.getValues()[i]);
        init.push_back(scan.getInit()[i]);
      }
    llvm::append_range(values, outs);
    OpBuilder builder(y);
    YieldOp::create(builder, y.getLoc(), values);
    y.erase();
    for (size_t i = nc; i-- > 0;)
      if (!drop.empty() && drop.test(i))
        b.eraseArgument(i);

    SmallVector<Value> xs(scan.getXs());
    llvm::append_range(xs, sequences);
    SmallVector<Type> types;
    for (Value v : init)
      types.push_back(v.getType());
    for (Value v : outs)
      types.push_back(ScanOp::stackedType(v.getType(), steps()));
    builder.setInsertionPoint(scan);
    auto next = ScanOp::create(builder, loc, types, init, xs,
                               scan.getConsts(), scan.getReverseAttr());
    next.getBody().takeBody(scan.getBody());
    return next;
  }

  /// Replaces `scan` by `next` built with the same carries and outputs.
  void replace(ScanOp next) {
    scan->replaceAllUsesWith(next.getResults());
    scan->erase();
    scan = next;
  }
};

/// Whether `big` computes everything `small` does: the same operands, and
/// a body that is `small`'s op for op, yielding what `small` yields first
/// (and maybe more: the forward scan a gradient records its states with,
/// beside the one the loss reads).
bool subsumes(ScanOp big, ScanOp small) {
  if (big == small || big->getOperands() != small->getOperands() ||
      big.getReverse() != small.getReverse() ||
      big.getInit().size() != small.getInit().size() ||
      big.getXs().size() != small.getXs().size() ||
      big.getNumResults() < small.getNumResults())
    return false;
  Block &b = big.getBody().front(), &s = small.getBody().front();
  IRMapping map;
  map.map(s.getArguments(), b.getArguments());
  auto bi = b.begin();
  for (Operation &op : s) {
    if (bi == b.end())
      return false;
    Operation &other = *bi++;
    if (isa<YieldOp>(op)) {
      if (!isa<YieldOp>(other) ||
          other.getNumOperands() < op.getNumOperands())
        return false;
      for (auto [x, y] : llvm::zip(op.getOperands(), other.getOperands()))
        if (map.lookupOrDefault(x) != y)
          return false;
      return true;
    }
    if (op.getName() != other.getName() || op.getNumRegions() != 0 ||
        other.getNumRegions() != 0 ||
        op.getRawDictionaryAttrs() != other.getRawDictionaryAttrs() ||
        op.getPropertiesAsAttribute() != other.getPropertiesAsAttribute() ||
        op.getResultTypes() != other.getResultTypes() ||
        op.getNumOperands() != other.getNumOperands())
      return false;
    for (auto [x, y] : llvm::zip(op.getOperands(), other.getOperands()))
      if (map.lookupOrDefault(x) != y)
        return false;
    map.map(op.getResults(), other.getResults());
  }
  return false;
}

/// Replaces every scan that another in its block subsumes by that one
/// (moved up to it: both read the same values), so that a train step runs
/// its forward recurrence once.
void mergeScans(Operation *root) {
  SmallVector<ScanOp> scans;
  root->walk([&](ScanOp s) { scans.push_back(s); });
  llvm::SmallPtrSet<Operation *, 8> erased;
  for (ScanOp small : scans) {
    if (erased.contains(small))
      continue;
    for (ScanOp big : scans) {
      if (erased.contains(big) || big->getBlock() != small->getBlock() ||
          !subsumes(big, small))
        continue;
      if (small->isBeforeInBlock(big))
        big->moveBefore(small);
      small->replaceAllUsesWith(
          big.getResults().take_front(small.getNumResults()));
      small->erase();
      erased.insert(small);
      break;
    }
  }
}

/// What `scan`'s step at position t can take from `forward`'s step at the
/// same position: each of `scan`'s block arguments that is a value of that
/// step (a sequence `forward` stacks, such as the states each of its steps
/// starts from; a sequence both scan over; a const of both).
IRMapping forwardValues(ScanOp scan, ScanOp forward) {
  IRMapping map;
  Block &fb = forward.getBody().front();
  auto fy = cast<YieldOp>(fb.getTerminator());
  size_t fnc = forward.getInit().size();
  for (auto [x, arg] : llvm::zip(scan.getXs(), scan.getSliceArgs())) {
    if (auto r = dyn_cast<OpResult>(x); r && r.getOwner() == forward &&
                                        r.getResultNumber() >= fnc) {
      map.map(arg, fy.getValues()[r.getResultNumber()]);
      continue;
    }
    for (auto [fx, farg] : llvm::zip(forward.getXs(), forward.getSliceArgs()))
      if (fx == x)
        map.map(arg, farg);
  }
  for (auto [c, arg] : llvm::zip(scan.getConsts(), scan.getConstArgs()))
    for (auto [fc, farg] :
         llvm::zip(forward.getConsts(), forward.getConstArgs()))
      if (fc == c)
        map.map(arg, farg);
  return map;
}

/// An op of `block` that computes what `op` does on `map`'s values: the
/// same name, attributes, result types and (mapped) operands.
Operation *equivalentIn(Block &block, Operation *op, const IRMapping &map) {
  for (Operation &other : block.without_terminator()) {
    if (other.getName() != op->getName() ||
        other.getNumOperands() != op->getNumOperands() ||
        other.getResultTypes() != op->getResultTypes() ||
        other.getRawDictionaryAttrs() != op->getRawDictionaryAttrs() ||
        other.getPropertiesAsAttribute() != op->getPropertiesAsAttribute())
      continue;
    if (llvm::all_of(llvm::zip(op->getOperands(), other.getOperands()),
                     [&](auto pair) {
                       return map.lookupOrNull(std::get<0>(pair)) ==
                              std::get<1>(pair);
                     }))
      return &other;
  }
  return nullptr;
}

/// Recording instead of recomputing: a gradient's scan recomputes, from
/// the states the forward scan recorded, what the forward step had
/// computed (an LSTM's gate pre-activations h_{t-1} U + x_t W + b, its
/// gates, its cell's tanh). When every matrix product among such values is
/// one the forward step computes itself, they are taken from the forward
/// step (the few it lacks computed there too) and recorded as per-step
/// outputs that the gradient's scan reads. Its step then recomputes
/// nothing, and no whole-sequence recomputation is hoisted before it
/// (LSTM(64) over 200 steps at batch 32: a [6400 x 64] x [64 x 256]
/// product and seven elementwise passes over the sequences). Returns
/// whether it changed anything.
bool recordInForward(ScanOp scan, ScanOp forward) {
  IRMapping map = forwardValues(scan, forward);
  Block &body = scan.getBody().front();
  Block &fb = forward.getBody().front();
  // The step's values that the forward step computes (mapped in `map` to
  // its values) or can compute (`made` there).
  llvm::SetVector<Operation *> recordable, made;
  bool product = false;
  auto known = [&](Value v) {
    if (map.contains(v))
      return true;
    Operation *def = v.getDefiningOp();
    return def && recordable.contains(def);
  };
  for (Operation &op : body.without_terminator()) {
    // (Constants count: the forward step can make its own.)
    if (op.getNumRegions() || !isPure(&op) ||
        (!op.getNumOperands() && !op.hasTrait<OpTrait::ConstantLike>()) ||
        !llvm::all_of(op.getOperands(), known))
      continue;
    recordable.insert(&op);
    product |= isa<MatmulOp>(op);
    if (Operation *same = equivalentIn(fb, &op, map)) {
      map.map(op.getResults(), same->getResults());
      continue;
    }
    // A product the forward step does not compute would make its serial
    // loop longer: leave this scan to hoisting instead.
    if (isa<MatmulOp, SparseMatmulOp, SparseMatmulTOp>(op))
      return false;
    made.insert(&op);
  }
  if (!product)
    return false;
  // Only what a product feeds is recorded; cheap functions of the step's
  // inputs alone (a transposed input, whose product with the gradient is
  // sunk out of the loop) stay where they are.
  llvm::SetVector<Operation *> derived;
  for (Operation *op : recordable)
    if (isa<MatmulOp>(op) || llvm::any_of(op->getOperands(), [&](Value v) {
          Operation *def = v.getDefiningOp();
          return def && derived.contains(def);
        }))
      derived.insert(op);
  // The forward step computes what the derived values need, also the
  // cheap values among it.
  llvm::SmallPtrSet<Operation *, 16> needed(derived.begin(), derived.end());
  for (Operation *op : llvm::reverse(recordable))
    if (needed.contains(op))
      for (Value v : op->getOperands())
        if (Operation *def = v.getDefiningOp(); def && recordable.contains(def))
          needed.insert(def);
  made.remove_if([&](Operation *op) { return !needed.contains(op); });
  recordable = derived;
  llvm::SetVector<Value> frontier;
  for (Operation *op : recordable)
    for (Value r : op->getResults())
      if (llvm::any_of(r.getUsers(), [&](Operation *u) {
            return !recordable.contains(u);
          }))
        frontier.insert(r);
  // Fewer records: a recorded value that is arithmetic (+, -, *) on at
  // most one value not recorded yet stays in the gradient's step, computed
  // from the records (an LSTM gate's derivative s (1 - s) from s): the
  // same or fewer sequences written and read back, for a few flops.
  for (bool changed = true; changed;) {
    changed = false;
    for (Value v : SmallVector<Value>(frontier.begin(), frontier.end())) {
      Operation *op = v.getDefiningOp();
      if (!isa<AddOp, SubOp, MulOp, NegOp>(op))
        continue;
      SmallVector<Value> needs;
      for (Value o : op->getOperands()) {
        Operation *def = o.getDefiningOp();
        if (def && recordable.contains(def) && !frontier.contains(o) &&
            !llvm::is_contained(needs, o))
          needs.push_back(o);
      }
      if (needs.size() > 1)
        continue;
      frontier.remove(v);
      recordable.remove(op);
      frontier.insert(needs.begin(), needs.end());
      changed = true;
      break;
    }
  }
  if (frontier.empty())
    return false;

  // What the forward step lacks, before its yield; new per-step outputs.
  auto fy = cast<YieldOp>(fb.getTerminator());
  OpBuilder b(fy);
  for (Operation *op : made)
    b.clone(*op, map);
  SmallVector<Value> values(fy.getValues());
  size_t firstNew = values.size() - forward.getInit().size();
  for (Value v : frontier)
    values.push_back(map.lookup(v));
  YieldOp::create(b, fy.getLoc(), values);
  fy.erase();
  int64_t steps =
      cast<RankedTensorType>(forward.getXs()[0].getType()).getDimSize(1);
  SmallVector<Type> types(forward.getResultTypes());
  for (Value v : frontier)
    types.push_back(ScanOp::stackedType(v.getType(), steps));
  b.setInsertionPoint(forward);
  auto grown = ScanOp::create(b, forward.getLoc(), types, forward.getInit(),
                              forward.getXs(), forward.getConsts(),
                              forward.getReverseAttr());
  grown.getBody().takeBody(forward.getBody());
  forward->replaceAllUsesWith(
      grown.getResults().take_front(forward.getNumResults()));
  forward->erase();

  // The gradient's step reads the records: new sequences it scans over.
  size_t nc = scan.getInit().size(), nx = scan.getXs().size();
  SmallVector<Value> xs(scan.getXs());
  for (auto [i, v] : llvm::enumerate(frontier)) {
    Value record = grown.getStacked()[firstNew + i];
    xs.push_back(record);
    BlockArgument arg = body.insertArgument(
        nc + nx + i, ScanOp::stepType(record.getType()), scan.getLoc());
    Value(v).replaceAllUsesWith(arg);
  }
  for (Operation *op : llvm::reverse(recordable))
    if (op->use_empty())
      op->erase();
  b.setInsertionPoint(scan);
  auto next = ScanOp::create(b, scan.getLoc(), scan.getResultTypes(),
                             scan.getInit(), xs, scan.getConsts(),
                             scan.getReverseAttr());
  next.getBody().takeBody(scan.getBody());
  scan->replaceAllUsesWith(next.getResults());
  scan->erase();
  return true;
}

/// Pairs each scan with the scan in its block whose per-step outputs it
/// reads in the other direction (a gradient's scan and the forward scan
/// that recorded its states) and records there what it would recompute.
void recordInForwardScans(Operation *root) {
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<ScanOp> scans;
    root->walk([&](ScanOp s) { scans.push_back(s); });
    for (ScanOp scan : scans) {
      for (Value x : scan.getXs()) {
        auto f = x.getDefiningOp<ScanOp>();
        if (f && f.getReverse() != scan.getReverse() &&
            f->getBlock() == scan->getBlock() && recordInForward(scan, f)) {
          changed = true;
          break;
        }
      }
      if (changed)
        break; // both scans were replaced: walk again
    }
  }
}

struct HoistScanWorkPass
    : nnc::impl::HoistScanWorkBase<HoistScanWorkPass> {
  void runOnOperation() override {
    mergeScans(getOperation());
    recordInForwardScans(getOperation());
    SmallVector<ScanOp> scans;
    getOperation().walk([&](ScanOp s) { scans.push_back(s); });
    for (ScanOp s : scans)
      ScanWork(s).run();
  }
};

} // namespace
