//===- Scan.cpp - nn.scan to an scf.for over the steps; slices ------------===//
//
// A scan becomes one serial scf.for over the steps on tensors: the carried
// values are iter_args, each step's slice of a sequence an extract_slice
// (rank-reduced, axis 1 dropped), each per-step output an insert_slice into
// a stacked iter_arg that bufferization updates in place. The loop is
// marked nn.sequence_steps so that kernel outlining keeps it in the caller
// and makes the nests of its body kernels of their own (parallel over the
// batch where they are worth it).
//
// The body's nn ops are converted by the ordinary patterns first (the scan
// stays legal until then); the stacked outputs' sizes are then read off the
// converted body: a dynamic size of a per-step output is traced through
// destination-passing ops and tensor.empty to a size of what the body
// reads, which exists before the loop.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/NNToLinalg/Common.h"
#include "compiler/Conversion/NNToLinalg/Patterns.h"

#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace nnc;

namespace {

/// The sizes of `x` along every axis (constants where static).
SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    sizes.push_back(type.isDynamicDim(i)
                        ? OpFoldResult(tensor::DimOp::create(b, loc, x, i)
                                           .getResult())
                        : OpFoldResult(b.getIndexAttr(type.getDimSize(i))));
  return sizes;
}

struct SliceToTensor : OpConversionPattern<nn::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    int64_t rank = op.getType().getRank(), axis = op.getAxis();
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    offsets[axis] = rewriter.getIndexAttr(op.getOffset());
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, x);
    sizes[axis] = rewriter.getIndexAttr(op.getSize());
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, op.getType(), x,
                                                        offsets, sizes,
                                                        strides);
    return success();
  }
};

struct UnsliceToTensor : OpConversionPattern<nn::UnsliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::UnsliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ValueRange xs = adaptor.getXs();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank(), axis = op.getAxis();
    // Zeros only where no piece goes: pieces that fill the axis are
    // written into an empty tensor (bufferized, each piece's producer
    // writes its part of the result in place).
    Value result = emptyTensor(rewriter, loc, type, {xs[0]});
    if (!op.coversAxis())
      result = linalg::FillOp::create(
                   rewriter, loc,
                   floatConst(rewriter, loc, type.getElementType(), 0.0),
                   result)
                   .getResult(0);
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    for (auto [x, offset] : llvm::zip(xs, op.getOffsets())) {
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      result = tensor::InsertSliceOp::create(rewriter, loc, x, result, offsets,
                                             sizesOf(rewriter, loc, x), strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BatchZerosToLinalg : OpConversionPattern<nn::BatchZerosOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::BatchZerosOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<Value> dynamic;
    if (type.isDynamicDim(0))
      dynamic.push_back(tensor::DimOp::create(rewriter, loc, adaptor.getX(), 0));
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType(), dynamic);
    rewriter.replaceOpWithNewOp<linalg::FillOp>(
        op, floatConst(rewriter, loc, type.getElementType(), 0.0), empty);
    return success();
  }
};

/// A parallel generic reading x at n - 1 - i along the axis.
struct ReverseToLinalg : OpConversionPattern<nn::ReverseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(nn::ReverseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank(), axis = op.getAxis();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(d == axis ? type.getDimSize(axis) - 1 -
                                      rewriter.getAffineDimExpr(d)
                                : rewriter.getAffineDimExpr(d));
    AffineMap read = AffineMap::get(rank, 0, exprs, getContext());
    Value init = emptyTensor(rewriter, loc, type, {adaptor.getX()});
    rewriter.replaceOpWithNewOp<linalg::GenericOp>(
        op, type, ValueRange{adaptor.getX()}, init,
        ArrayRef<AffineMap>{read, rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    return success();
  }
};

/// Lowers one scan whose body holds no nn op but its nn.yield.
class ScanLowering {
public:
  explicit ScanLowering(nn::ScanOp scan) : scan(scan), b(scan) {}

  LogicalResult run() {
    Location loc = scan.getLoc();
    Block &body = scan.getBody().front();
    auto yield = cast<nn::YieldOp>(body.getTerminator());
    size_t nc = scan.getInit().size();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value steps = tensor::DimOp::create(b, loc, scan.getXs()[0], 1);

    // The stacked outputs, allocated before the loop.
    SmallVector<Value> iterInit(scan.getInit());
    for (auto [y, stacked] : llvm::zip(yield.getValues().drop_front(nc),
                                       scan.getStacked())) {
      auto type = cast<RankedTensorType>(stacked.getType());
      SmallVector<Value> dynamic;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        if (!type.isDynamicDim(d))
          continue;
        Value size = d == 1 ? steps : sizeBefore(y, d == 0 ? 0 : d - 1);
        if (!size)
          return scan.emitError() << "internal: cannot size the per-step "
                                     "output's axis "
                                  << d << " before the loop";
        dynamic.push_back(size);
      }
      iterInit.push_back(tensor::EmptyOp::create(b, loc, type.getShape(),
                                                 type.getElementType(),
                                                 dynamic));
    }

    auto loop = scf::ForOp::create(b, loc, zero, steps, one, iterInit);
    loop->setAttr(nn::kSequenceStepsAttr, b.getUnitAttr());
    Block *step = loop.getBody();
    OpBuilder in = OpBuilder::atBlockBegin(step);
    Value t = loop.getInductionVar();
    if (scan.getReverse())
      t = arith::SubIOp::create(
          in, loc, arith::SubIOp::create(in, loc, steps, one), t);

    // The body's arguments: iter_args, step slices, consts.
    SmallVector<Value> args(loop.getRegionIterArgs().take_front(nc));
    for (Value x : scan.getXs()) {
      auto type = cast<RankedTensorType>(x.getType());
      SmallVector<OpFoldResult> offsets(type.getRank(), in.getIndexAttr(0));
      offsets[1] = t;
      SmallVector<OpFoldResult> sizes = sizesOf(in, loc, x);
      sizes[1] = in.getIndexAttr(1);
      SmallVector<OpFoldResult> strides(type.getRank(), in.getIndexAttr(1));
      args.push_back(tensor::ExtractSliceOp::create(
          in, loc, nn::ScanOp::stepType(type), x, offsets, sizes, strides));
    }
    llvm::append_range(args, scan.getConsts());
    for (auto [arg, v] : llvm::zip(body.getArguments(), args))
      arg.replaceAllUsesWith(v);
    step->getOperations().splice(step->end(), body.getOperations(),
                                 body.begin(), Block::iterator(yield));

    // Next carried values; per-step outputs into their stacks.
    in.setInsertionPointToEnd(step);
    SmallVector<Value> next(yield.getValues().take_front(nc));
    for (auto [y, stack] :
         llvm::zip(yield.getValues().drop_front(nc),
                   loop.getRegionIterArgs().drop_front(nc))) {
      auto type = cast<RankedTensorType>(stack.getType());
      SmallVector<OpFoldResult> offsets(type.getRank(), in.getIndexAttr(0));
      offsets[1] = t;
      SmallVector<OpFoldResult> sizes = sizesOf(in, loc, y);
      sizes.insert(sizes.begin() + 1, in.getIndexAttr(1));
      SmallVector<OpFoldResult> strides(type.getRank(), in.getIndexAttr(1));
      next.push_back(tensor::InsertSliceOp::create(in, loc, y, stack, offsets,
                                                   sizes, strides));
    }
    scf::YieldOp::create(in, loc, next);
    scan->replaceAllUsesWith(loop.getResults());
    scan->erase();
    return success();
  }

private:
  /// Size `d` of `v` (a value of the body) as a value that exists before
  /// the loop, or null.
  Value sizeBefore(Value v, int64_t d) {
    Location loc = scan.getLoc();
    while (true) {
      if (!scan->isAncestor(v.getParentRegion()->getParentOp()))
        return tensor::DimOp::create(b, loc, v, d);
      if (auto arg = dyn_cast<BlockArgument>(v)) {
        if (arg.getOwner() != &scan.getBody().front())
          return {};
        size_t i = arg.getArgNumber(), nc = scan.getInit().size(),
               nx = scan.getXs().size();
        if (i < nc)
          return tensor::DimOp::create(b, loc, scan.getInit()[i], d);
        if (i < nc + nx)
          return tensor::DimOp::create(b, loc, scan.getXs()[i - nc],
                                       d == 0 ? 0 : d + 1);
        return tensor::DimOp::create(b, loc, scan.getConsts()[i - nc - nx],
                                     d);
      }
      Operation *def = v.getDefiningOp();
      if (auto dps = dyn_cast<DestinationStyleOpInterface>(def)) {
        v = dps.getTiedOpOperand(cast<OpResult>(v))->get();
        continue;
      }
      if (auto empty = dyn_cast<tensor::EmptyOp>(def))
        return indexBefore(empty.getDynamicSize(d));
      if (auto slice = dyn_cast<tensor::ExtractSliceOp>(def)) {
        // Size d of the result is a size of the slice (skipping the
        // dropped unit axes of a rank-reducing one).
        llvm::SmallBitVector dropped = slice.getDroppedDims();
        int64_t axis = -1;
        for (int64_t i = 0, kept = -1; i < (int64_t)dropped.size(); ++i)
          if (!dropped.test(i) && ++kept == d) {
            axis = i;
            break;
          }
        if (axis < 0)
          return {};
        OpFoldResult size = slice.getMixedSizes()[axis];
        if (auto attr = dyn_cast<Attribute>(size))
          return arith::ConstantIndexOp::create(
              b, loc, cast<IntegerAttr>(attr).getInt());
        return indexBefore(cast<Value>(size));
      }
      if (auto insert = dyn_cast<tensor::InsertSliceOp>(def)) {
        v = insert.getDest();
        continue;
      }
      // A loop (a nested scan, lowered first) keeps its carried tensors'
      // sizes: those of their initial values.
      if (auto loop = dyn_cast<scf::ForOp>(def)) {
        v = loop.getInitArgs()[cast<OpResult>(v).getResultNumber()];
        continue;
      }
      // A reshape that splits an axis names its result's sizes.
      if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def)) {
        OpFoldResult size = expand.getMixedOutputShape()[d];
        if (auto attr = dyn_cast<Attribute>(size))
          return arith::ConstantIndexOp::create(
              b, loc, cast<IntegerAttr>(attr).getInt());
        return indexBefore(cast<Value>(size));
      }
      // Any other op that can state its result's sizes (pad, collapse, ...):
      // those sizes, hoisted.
      if (auto reify = dyn_cast<ReifyRankedShapedTypeOpInterface>(def)) {
        OpBuilder at(def);
        ReifiedRankedShapedTypeDims dims;
        if (failed(reify.reifyResultShapes(at, dims)))
          return {};
        OpFoldResult size =
            dims[cast<OpResult>(v).getResultNumber()][d];
        if (auto attr = dyn_cast<Attribute>(size))
          return arith::ConstantIndexOp::create(
              b, loc, cast<IntegerAttr>(attr).getInt());
        return indexBefore(cast<Value>(size));
      }
      return {};
    }
  }

  /// `v` (an index of the body) as a value before the loop, or null.
  Value indexBefore(Value v) {
    if (!scan->isAncestor(v.getParentRegion()->getParentOp()))
      return v;
    Operation *def = v.getDefiningOp();
    if (!def)
      return {};
    if (auto dim = dyn_cast<tensor::DimOp>(def))
      if (std::optional<int64_t> i = dim.getConstantIndex())
        return sizeBefore(dim.getSource(), *i);
    if (def->hasTrait<OpTrait::ConstantLike>())
      return b.clone(*def)->getResult(0);
    // Index arithmetic (a collapsed axis' size is a product): recomputed
    // before the loop from its hoisted operands.
    if (def->getNumRegions() == 0 && def->getNumResults() == 1 &&
        isMemoryEffectFree(def) && def->getResult(0).getType().isIndex()) {
      IRMapping map;
      for (Value operand : def->getOperands()) {
        Value before = indexBefore(operand);
        if (!before)
          return {};
        map.map(operand, before);
      }
      return b.clone(*def, map)->getResult(0);
    }
    return {};
  }

  nn::ScanOp scan;
  OpBuilder b;
};

} // namespace

void nnc::populateScanToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<SliceToTensor, UnsliceToTensor, BatchZerosToLinalg,
               ReverseToLinalg>(patterns.getContext());
}

LogicalResult nnc::lowerScans(Operation *root) {
  // Innermost first: a scan in a scan's body is a loop by the time the
  // outer body moves.
  SmallVector<nn::ScanOp> scans;
  root->walk([&](nn::ScanOp s) { scans.push_back(s); });
  for (nn::ScanOp s : scans)
    if (failed(ScanLowering(s).run()))
      return failure();
  return success();
}
