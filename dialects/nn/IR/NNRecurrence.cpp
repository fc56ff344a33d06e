//===- NNRecurrence.cpp - nn.scan and the slices recurrent cells use ------===//
//
// nn.scan is the one loop of the dialect. Its gradient is backpropagation
// through time built from nn ops only: a forward scan that also records
// the carried values each step starts from, then a reverse scan whose body
// is an `nn.grad` (with seeds) of the forward body. The autodiff pass
// expands that inner nn.grad with the body's own rules, so every cell
// differentiates through the rules its ops already have, and a gradient of
// a scan is again a scan (second derivatives work the same way).
//
// The reverse body recomputes the forward step from the recorded carried
// values instead of storing every intermediate of every step: memory is
// one carried state per step, the price one more forward step each.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/IR/NNBuilder.h"
#include "dialects/nn/IR/NNShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace nnc::nn;

//===----------------------------------------------------------------------===//
// nn.slice / nn.unslice
//===----------------------------------------------------------------------===//

/// Checks `axis` of `type` is static and holds [offset, offset + size).
static LogicalResult checkRange(std::optional<Location> loc, StringRef op,
                                RankedTensorType type, int64_t axis,
                                int64_t offset, int64_t size, int64_t full) {
  if (axis < 0 || axis >= type.getRank())
    return emitOptionalError(loc, "'nn.", op, "' axis ", axis,
                             " is outside a tensor of rank ", type.getRank());
  if (ShapedType::isDynamic(full))
    return emitOptionalError(loc, "'nn.", op, "' needs a static size along "
                             "axis ", axis);
  if (offset < 0 || size < 1 || offset > full - size)
    return emitOptionalError(loc, "'nn.", op, "' range [", offset, ", ",
                             offset + size, ") is outside [0, ", full, ")");
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &out) {
  auto x = cast<RankedTensorType>(adaptor.getX().getType());
  int64_t axis = adaptor.getAxis(), size = adaptor.getSize();
  int64_t full = axis >= 0 && axis < x.getRank() ? x.getDimSize(axis) : 0;
  if (failed(checkRange(loc, "slice", x, axis, adaptor.getOffset(), size,
                        full)))
    return failure();
  SmallVector<int64_t> shape(x.getShape());
  shape[axis] = size;
  out.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult UnsliceOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &out) {
  ValueRange xs = adaptor.getXs();
  ArrayRef<int64_t> offsets = adaptor.getOffsets();
  if (xs.empty() || xs.size() != offsets.size())
    return emitOptionalError(loc, "'nn.unslice' needs one offset per piece "
                             "and at least one piece (", xs.size(),
                             " pieces, ", offsets.size(), " offsets)");
  auto first = cast<RankedTensorType>(xs[0].getType());
  int64_t axis = adaptor.getAxis(), full = adaptor.getFull();
  // Ranges checked, then disjoint: sorted by offset, each ends before the
  // next begins.
  SmallVector<std::pair<int64_t, int64_t>> ranges;
  for (auto [x, offset] : llvm::zip(xs, offsets)) {
    auto t = cast<RankedTensorType>(x.getType());
    if (t.getRank() != first.getRank())
      return emitOptionalError(loc, "'nn.unslice' pieces of ranks ",
                               first.getRank(), " and ", t.getRank());
    int64_t size = axis >= 0 && axis < t.getRank() ? t.getDimSize(axis) : 0;
    if (ShapedType::isDynamic(size))
      return emitOptionalError(loc, "'nn.unslice' needs a static size along "
                               "axis ", axis);
    if (failed(checkRange(loc, "unslice", t, axis, offset, size, full)))
      return failure();
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (d != axis && t.getDimSize(d) != first.getDimSize(d))
        return emitOptionalError(loc, "'nn.unslice' pieces differ along "
                                 "axis ", d);
    ranges.push_back({offset, offset + size});
  }
  llvm::sort(ranges);
  for (size_t k = 1; k < ranges.size(); ++k)
    if (ranges[k].first < ranges[k - 1].second)
      return emitOptionalError(loc, "'nn.unslice' pieces overlap: [",
                               ranges[k - 1].first, ", ", ranges[k - 1].second,
                               ") and [", ranges[k].first, ", ",
                               ranges[k].second, ")");
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = full;
  out.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

bool UnsliceOp::coversAxis() {
  int64_t covered = 0; // the ranges are disjoint (verified)
  for (Value x : getXs())
    covered += cast<RankedTensorType>(x.getType()).getDimSize(getAxis());
  return covered == static_cast<int64_t>(getFull());
}

LogicalResult SliceOp::buildGradients(OpBuilder &b,
                                      ArrayRef<Value> resultGrads,
                                      SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(UnsliceOp::create(
      b, getLoc(), ValueRange{resultGrads[0]}, getAxis(),
      ArrayRef<int64_t>{static_cast<int64_t>(getOffset())},
      getX().getType().getDimSize(getAxis())));
  return success();
}

LogicalResult UnsliceOp::buildGradients(OpBuilder &b,
                                        ArrayRef<Value> resultGrads,
                                        SmallVectorImpl<Value> &operandGrads) {
  for (auto [x, offset] : llvm::zip(getXs(), getOffsets()))
    operandGrads.push_back(SliceOp::create(
        b, getLoc(), resultGrads[0], getAxis(), offset,
        cast<RankedTensorType>(x.getType()).getDimSize(getAxis())));
  return success();
}

namespace {

/// add(unslice(a...), unslice(b...)) with disjoint pieces along the same
/// axis is unslice(a..., b...): the sum of the gradients of slices that
/// cut one tensor (a recurrent cell's gates) becomes that gradient placed
/// piece by piece, with no zero-filled tensor per piece and no sum. Exact:
/// every element is one piece's value or zero (x + 0 = x; only a -0 piece
/// value would come out as -0 instead of +0).
struct AddOfDisjointUnslices : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    auto lhs = op.getLhs().getDefiningOp<UnsliceOp>();
    auto rhs = op.getRhs().getDefiningOp<UnsliceOp>();
    if (!lhs || !rhs || lhs.getAxis() != rhs.getAxis() ||
        lhs.getFull() != rhs.getFull() ||
        lhs.getType() != op.getType() || rhs.getType() != op.getType())
      return failure();
    SmallVector<std::pair<int64_t, Value>> pieces;
    for (UnsliceOp u : {lhs, rhs})
      for (auto [x, offset] : llvm::zip(u.getXs(), u.getOffsets()))
        pieces.push_back({offset, x});
    // Offsets of pieces are distinct if they are disjoint.
    llvm::sort(pieces, [](auto &a, auto &b) { return a.first < b.first; });
    int64_t axis = lhs.getAxis();
    for (size_t k = 1; k < pieces.size(); ++k) {
      int64_t size = cast<RankedTensorType>(pieces[k - 1].second.getType())
                         .getDimSize(axis);
      if (pieces[k].first < pieces[k - 1].first + size)
        return failure(); // overlapping pieces do add up
    }
    SmallVector<Value> xs;
    SmallVector<int64_t> offsets;
    for (auto [offset, x] : pieces) {
      offsets.push_back(offset);
      xs.push_back(x);
    }
    rewriter.replaceOpWithNewOp<UnsliceOp>(op, xs, axis, offsets,
                                           lhs.getFull());
    return success();
  }
};

} // namespace

void AddOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<AddOfDisjointUnslices>(context);
}

//===----------------------------------------------------------------------===//
// nn.reverse
//===----------------------------------------------------------------------===//

LogicalResult ReverseOp::verify() {
  RankedTensorType t = getX().getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= t.getRank() || t.isDynamicDim(axis))
    return emitOpError() << "axis " << axis << " must be a static axis of "
                         << formatShape(t.getShape());
  return success();
}

LogicalResult ReverseOp::buildGradients(OpBuilder &b,
                                        ArrayRef<Value> resultGrads,
                                        SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      ReverseOp::create(b, getLoc(), resultGrads[0], getAxis()));
  return success();
}

//===----------------------------------------------------------------------===//
// nn.sparse_matmul / nn.sparse_matmul_t
//===----------------------------------------------------------------------===//

/// columns and values: the same static [units, k] shape.
static LogicalResult checkSparse(std::optional<Location> loc, StringRef op,
                                 Type columns, Type values) {
  auto c = cast<RankedTensorType>(columns), v = cast<RankedTensorType>(values);
  if (c.getShape() != v.getShape() || !c.hasStaticShape())
    return emitOptionalError(loc, "'nn.", op, "' needs columns and values "
                             "of one static shape, got ",
                             formatShape(c.getShape()), " and ",
                             formatShape(v.getShape()));
  return success();
}

LogicalResult SparseMatmulOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &out) {
  if (failed(checkSparse(loc, "sparse_matmul", adaptor.getColumns().getType(),
                         adaptor.getValues().getType())))
    return failure();
  auto x = cast<RankedTensorType>(adaptor.getX().getType());
  auto c = cast<RankedTensorType>(adaptor.getColumns().getType());
  out.push_back(RankedTensorType::get({x.getDimSize(0), c.getDimSize(0)},
                                      x.getElementType()));
  return success();
}

LogicalResult SparseMatmulTOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &out) {
  if (failed(checkSparse(loc, "sparse_matmul_t",
                         adaptor.getColumns().getType(),
                         adaptor.getValues().getType())))
    return failure();
  auto dy = cast<RankedTensorType>(adaptor.getDy().getType());
  auto c = cast<RankedTensorType>(adaptor.getColumns().getType());
  if (dy.getDimSize(1) != c.getDimSize(0) || adaptor.getInputs() < 1)
    return emitOptionalError(loc, "'nn.sparse_matmul_t' needs dy of ",
                             c.getDimSize(0), " units and inputs >= 1");
  out.push_back(RankedTensorType::get(
      {dy.getDimSize(0), static_cast<int64_t>(adaptor.getInputs())},
      dy.getElementType()));
  return success();
}

LogicalResult SparseMatmulOp::buildGradients(
    OpBuilder &b, ArrayRef<Value> resultGrads,
    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(SparseMatmulTOp::create(
      b, getLoc(), resultGrads[0], getColumns(), getValues(),
      getX().getType().getDimSize(1)));
  operandGrads.append({Value(), Value()});
  return success();
}

LogicalResult SparseMatmulTOp::buildGradients(
    OpBuilder &b, ArrayRef<Value> resultGrads,
    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(SparseMatmulOp::create(b, getLoc(), resultGrads[0],
                                                getColumns(), getValues()));
  operandGrads.append({Value(), Value()});
  return success();
}

//===----------------------------------------------------------------------===//
// nn.batch_zeros
//===----------------------------------------------------------------------===//

LogicalResult BatchZerosOp::verify() {
  RankedTensorType x = getX().getType(), y = getType();
  if (x.getRank() < 1 || y.getRank() < 1 ||
      x.getDimSize(0) != y.getDimSize(0))
    return emitOpError() << "result must have the operand's batch size, got "
                         << formatShape(x.getShape()) << " and "
                         << formatShape(y.getShape());
  if (llvm::any_of(y.getShape().drop_front(), ShapedType::isDynamic))
    return emitOpError() << "only the batch axis of the result may be "
                            "dynamic";
  return success();
}

LogicalResult BatchZerosOp::buildGradients(OpBuilder &,
                                           ArrayRef<Value>,
                                           SmallVectorImpl<Value> &grads) {
  grads.push_back(Value());
  return success();
}

//===----------------------------------------------------------------------===//
// nn.scan
//===----------------------------------------------------------------------===//

RankedTensorType ScanOp::stepType(Type sequence) {
  auto t = cast<RankedTensorType>(sequence);
  SmallVector<int64_t> shape(t.getShape());
  shape.erase(shape.begin() + 1);
  return RankedTensorType::get(shape, t.getElementType());
}

RankedTensorType ScanOp::stackedType(Type step, int64_t steps) {
  auto t = cast<RankedTensorType>(step);
  SmallVector<int64_t> shape(t.getShape());
  shape.insert(shape.begin() + 1, steps);
  return RankedTensorType::get(shape, t.getElementType());
}

/// The number of steps of the sequences (dynamic when none is static).
static int64_t stepsOf(ValueRange xs) {
  for (Value x : xs) {
    int64_t n = cast<RankedTensorType>(x.getType()).getDimSize(1);
    if (!ShapedType::isDynamic(n))
      return n;
  }
  return ShapedType::kDynamic;
}

LogicalResult ScanOp::verify() {
  if (getXs().empty())
    return emitOpError() << "needs at least one sequence to scan over";
  int64_t steps = ShapedType::kDynamic;
  for (Value x : getXs()) {
    auto t = cast<RankedTensorType>(x.getType());
    if (t.getRank() < 2)
      return emitOpError() << "sequences must be [batch, steps, ...], got "
                           << formatShape(t.getShape());
    int64_t n = t.getDimSize(1);
    if (ShapedType::isDynamic(steps))
      steps = n;
    else if (!ShapedType::isDynamic(n) && n != steps)
      return emitOpError() << "sequences have " << steps << " and " << n
                           << " steps";
  }
  for (Value c : getInit())
    if (cast<RankedTensorType>(c.getType()).getRank() < 1)
      return emitOpError() << "carried values need a batch axis (rank >= 1)";

  Block &body = getBody().front();
  SmallVector<Type> expected(getInit().getTypes());
  for (Value x : getXs())
    expected.push_back(stepType(x.getType()));
  llvm::append_range(expected, getConsts().getTypes());
  if (TypeRange(body.getArgumentTypes()) != TypeRange(expected))
    return emitOpError() << "body must take the carried values, one step of "
                            "each sequence and the consts, of their types";
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError() << "body must end in nn.yield";
  size_t carries = getInit().size();
  if (yield.getValues().size() < carries ||
      TypeRange(yield.getValues().take_front(carries)) !=
          TypeRange(getInit()))
    return emitOpError() << "body must yield the next carried values first, "
                            "of the carried values' types";
  SmallVector<Type> results(getInit().getTypes());
  for (Value y : yield.getValues().drop_front(carries)) {
    if (cast<RankedTensorType>(y.getType()).getRank() < 1)
      return emitOpError() << "per-step outputs need a batch axis (rank >= 1)";
    results.push_back(stackedType(y.getType(), steps));
  }
  if (TypeRange(getResultTypes()) != TypeRange(results))
    return emitOpError() << "results must be the carried values and each "
                            "per-step output stacked along axis 1";
  return success();
}

/// A new scan with `op`'s operands and body whose body also yields, as
/// extra per-step outputs, the carried values each step starts from.
static ScanOp recordingCarries(OpBuilder &b, ScanOp op) {
  int64_t steps = stepsOf(op.getXs());
  SmallVector<Type> types(op.getResultTypes());
  for (Value c : op.getInit())
    types.push_back(ScanOp::stackedType(c.getType(), steps));
  auto scan = ScanOp::create(b, op.getLoc(), types, op.getInit(), op.getXs(),
                             op.getConsts(), op.getReverseAttr());
  IRMapping map;
  op.getBody().cloneInto(&scan.getBody(), map);
  Block &body = scan.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Value> values(yield.getValues());
  llvm::append_range(values, scan.getCarryArgs());
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(yield);
  YieldOp::create(b, yield.getLoc(), values);
  yield.erase();
  return scan;
}

LogicalResult ScanOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                     SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  NNBuilder ops{b, loc};
  // Everything below goes where the caller's builder points (the blocks
  // created on the way move it).
  OpBuilder::InsertionGuard outer(b);
  size_t nc = getInit().size(), nx = getXs().size(), nk = getConsts().size();
  Block &body = getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  size_t ny = yield.getValues().size() - nc;

  // The forward pass again, recording carried values; it replaces this op
  // (which is dead afterwards), so the steps run once.
  ScanOp forward;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(*this);
    forward = recordingCarries(b, *this);
  }
  getOperation()->replaceAllUsesWith(
      forward.getResults().take_front(getNumResults()));
  ValueRange history = forward.getResults().take_back(nc);

  // The reverse scan. Carried: the gradient of the carried values (from
  // the final ones' back to init's) and one accumulator per const. Over:
  // the recorded carried values, the sequences, the outputs' gradients.
  SmallVector<Value> init(resultGrads.take_front(nc));
  for (Value k : getConsts())
    init.push_back(ops.filled(k, 0.0));
  SmallVector<Value> xs(history);
  llvm::append_range(xs, getXs());
  llvm::append_range(xs, resultGrads.slice(nc, ny));
  SmallVector<Type> types(getInit().getTypes());
  llvm::append_range(types, getConsts().getTypes());
  llvm::append_range(types, getXs().getTypes());
  UnitAttr reverse = getReverse() ? UnitAttr() : b.getUnitAttr();
  auto scan = ScanOp::create(b, loc, types, init, xs, getConsts(), reverse);

  SmallVector<Type> argTypes(types.begin(), types.begin() + nc + nk);
  SmallVector<Location> argLocs;
  for (Value x : xs)
    argTypes.push_back(stepType(x.getType()));
  llvm::append_range(argTypes, getConsts().getTypes());
  argLocs.assign(argTypes.size(), loc);
  Block *rev = b.createBlock(&scan.getBody(), {}, argTypes, argLocs);
  ValueRange dCarry = rev->getArguments().take_front(nc);
  ValueRange dAcc = rev->getArguments().slice(nc, nk);
  ValueRange carried = rev->getArguments().slice(nc + nk, nc);
  ValueRange step = rev->getArguments().slice(nc + nk + nc, nx);
  ValueRange dY = rev->getArguments().slice(nc + nk + nc + nx, ny);
  ValueRange consts = rev->getArguments().take_back(nk);

  // One step's vector-Jacobian product: the forward body differentiated
  // with respect to everything it reads, seeded with the gradients of
  // what it yields.
  SmallVector<Value> wrt(carried);
  llvm::append_range(wrt, step);
  llvm::append_range(wrt, consts);
  SmallVector<Value> seeds(dCarry);
  llvm::append_range(seeds, dY);
  auto grad = GradOp::create(b, loc, wrt, seeds);
  {
    OpBuilder::InsertionGuard guard(b);
    SmallVector<Location> locs(wrt.size(), loc);
    Block *g = b.createBlock(&grad.getBody(), {}, ValueRange(wrt).getTypes(),
                             locs);
    IRMapping map;
    map.map(body.getArguments(), g->getArguments());
    for (Operation &op : body.without_terminator())
      b.clone(op, map);
    SmallVector<Value> ys;
    for (Value y : yield.getValues())
      ys.push_back(map.lookupOrDefault(y));
    YieldOp::create(b, loc, ys);
  }
  SmallVector<Value> next(grad.getResults().take_front(nc));
  for (auto [acc, g] : llvm::zip(dAcc, grad.getResults().take_back(nk)))
    next.push_back(ops.add(acc, g));
  llvm::append_range(next, grad.getResults().slice(nc, nx));
  YieldOp::create(b, loc, next);

  for (size_t i = 0; i < nc; ++i)
    operandGrads.push_back(scan.getResult(i));
  for (size_t i = 0; i < nx; ++i)
    operandGrads.push_back(scan.getResult(nc + nk + i));
  for (size_t i = 0; i < nk; ++i)
    operandGrads.push_back(scan.getResult(nc + i));
  return success();
}

namespace {

/// Per-step outputs nobody reads, or that repeat an earlier one, are not
/// stacked: each costs a copy per step and a [batch, steps, ...] buffer.
struct DropStackedOutputs : OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScanOp scan,
                                PatternRewriter &rewriter) const override {
    size_t nc = scan.getInit().size();
    auto yield = cast<YieldOp>(scan.getBody().front().getTerminator());
    ValueRange outs = yield.getValues().drop_front(nc);
    // For each output: the index of the output it becomes (-1: dropped).
    SmallVector<int64_t> target(outs.size(), -1);
    SmallVector<Value> kept;
    for (auto [j, v] : llvm::enumerate(outs)) {
      auto same = llvm::find(kept, v);
      if (same != kept.end()) {
        target[j] = same - kept.begin();
        continue;
      }
      if (scan.getStacked()[j].use_empty())
        continue;
      target[j] = kept.size();
      kept.push_back(v);
    }
    if (kept.size() == outs.size())
      return failure();
    SmallVector<Value> values(yield.getValues().take_front(nc));
    llvm::append_range(values, kept);
    SmallVector<Type> types(scan.getInit().getTypes());
    for (Value v : kept)
      types.push_back(ScanOp::stackedType(v.getType(), stepsOf(scan.getXs())));
    rewriter.setInsertionPoint(yield);
    YieldOp::create(rewriter, yield.getLoc(), values);
    rewriter.eraseOp(yield);
    rewriter.setInsertionPoint(scan);
    auto next = ScanOp::create(rewriter, scan.getLoc(), types, scan.getInit(),
                               scan.getXs(), scan.getConsts(),
                               scan.getReverseAttr());
    rewriter.inlineRegionBefore(scan.getBody(), next.getBody(),
                                next.getBody().end());
    SmallVector<Value> results(next.getFinalCarries());
    for (size_t j = 0; j < outs.size(); ++j)
      results.push_back(target[j] >= 0 ? next.getStacked()[target[j]]
                                       : Value());
    for (auto [old, now] : llvm::zip(scan.getResults(), results))
      if (now)
        rewriter.replaceAllUsesWith(old, now);
    rewriter.eraseOp(scan);
    return success();
  }
};

} // namespace

void ScanOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<DropStackedOutputs>(context);
}
