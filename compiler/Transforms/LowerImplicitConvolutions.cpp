//===- LowerImplicitConvolutions.cpp - convolutions without im2col --------===//
//
// A unit-stride convolution is a product of its window rows and the kernel.
// Written as that product (im2col) it first copies every window out of the
// input, KH*KW times the input, which the product then reads back (the
// CIFAR-10 CNN's first convolution: 6.2 MB of windows per batch of 64 for
// a 0.8 MB input). Here the product reads the input in place: in NHWC a
// window row's KW*C values are contiguous, at x[n, i + a, j*C ...] with x
// as [N, H, W*C], and within a tile of whole output rows every position's
// offset from the tile's first is known at compile time.
//
//   scf.for tile t {nn.parallel}           (image n, output rows i0 .. i0+m)
//     scf.for column block f0 (cols vectors, then masked single vectors):
//       for each group of the tile's positions p (at most `rows`):
//         acc[p][v] = 0 (the folded fill) or y[...]
//         for a < KH, q < KW*C:
//           acc[p][v] += x[n, i0 + di(p) + a, j(p)*C + q] * w[a, q, f0 + v*V]
//         y[n, i0 + di(p), j(p), f0 + v*V ...] = acc[p][v] (+ b[f0 + v*V])
//
// A bias add in place on y right after the generic is done in registers
// before the store: y + b rounds the same either way, and y is not read and
// written a second time.
//
// Each element's sum runs over (a, q) in ascending order from zero, one
// rounding per FMA: the order of the im2col product's k, so the results are
// the same bits as the product the option replaces.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/KernelBuilding.h"
#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace nnc {
#define GEN_PASS_DEF_LOWERIMPLICITCONVOLUTIONS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// One marked generic and its operands.
struct Convolution {
  linalg::GenericOp op;
  Value x, w, y;
  int64_t channels;
  FloatType type;
  /// A fill of exactly y right before the generic: its value becomes the
  /// accumulators' initial value and the fill is erased.
  linalg::FillOp fill;
  /// A bias add in place on y right after the generic (y[n, i, j, f] +=
  /// b[f]): its vectors are added to the accumulators before they are
  /// stored, and the generic is erased.
  linalg::GenericOp biasAdd;
  Value bias;
};

/// The generic right after `conv` when it adds a per-filter vector to y in
/// place: y[n, i, j, f] = y[n, i, j, f] + b[f]. Adding b to the
/// accumulators before they are stored rounds exactly as that separate pass
/// over y does (one addition of the same two values), without reading and
/// writing y again.
linalg::GenericOp biasAddAfter(linalg::GenericOp conv, Value y) {
  auto g = dyn_cast_or_null<linalg::GenericOp>(conv->getNextNode());
  if (!g || !g.hasPureBufferSemantics() || g.getNumDpsInputs() != 1 ||
      g.getNumDpsInits() != 1 || g.getDpsInits()[0] != y ||
      g.getNumLoops() != 4 || g.getNumParallelLoops() != 4)
    return nullptr;
  MLIRContext *ctx = g.getContext();
  auto bias = dyn_cast<MemRefType>(g.getDpsInputs()[0].getType());
  auto yType = cast<MemRefType>(y.getType());
  if (!bias || bias.getRank() != 1 || bias.getShape()[0] != yType.getShape()[3] ||
      bias.getElementType() != yType.getElementType() ||
      !bias.isLastDimUnitStride() ||
      g.getIndexingMapsArray() !=
          ArrayRef<AffineMap>{AffineMap::get(4, 0, getAffineDimExpr(3, ctx)),
                              AffineMap::getMultiDimIdentityMap(4, ctx)})
    return nullptr;
  Block &body = g.getRegion().front();
  auto add = dyn_cast<arith::AddFOp>(&body.front());
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!add || add->getNextNode() != yield.getOperation() ||
      yield.getValues().size() != 1 || yield.getValues()[0] != add.getResult())
    return nullptr;
  Value in = body.getArgument(0), out = body.getArgument(1);
  if (!((add.getLhs() == in && add.getRhs() == out) ||
        (add.getLhs() == out && add.getRhs() == in)))
    return nullptr;
  return g;
}

/// The marked generic, when it is the multiply-add over
/// nn::implicitConvolutionMaps (the attribute alone is only a claim;
/// anything else keeps the generic lowering, which is correct for any
/// body).
std::optional<Convolution> match(linalg::GenericOp op) {
  auto channels =
      op->getAttrOfType<IntegerAttr>(nnc::nn::kImplicitConvolutionAttr);
  if (!channels || !op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !nnc::isMulAdd(op) ||
      op.getIndexingMapsArray() !=
          ArrayRef<AffineMap>(nnc::nn::implicitConvolutionMaps(
              op.getContext(), channels.getInt())) ||
      !nnc::hasIterators(op, 4, 2))
    return std::nullopt;
  Convolution c{op,      op.getDpsInputs()[0], op.getDpsInputs()[1],
                op.getDpsInits()[0], channels.getInt(), nullptr, nullptr,
                nullptr, nullptr};
  auto x = dyn_cast<MemRefType>(c.x.getType());
  auto w = dyn_cast<MemRefType>(c.w.getType());
  auto y = dyn_cast<MemRefType>(c.y.getType());
  if (!x || !w || !y || x.getRank() != 3 || w.getRank() != 3 ||
      y.getRank() != 4 || !w.hasStaticShape())
    return std::nullopt;
  for (int64_t d = 1; d < 4; ++d)
    if (y.isDynamicDim(d))
      return std::nullopt;
  auto elem = dyn_cast<FloatType>(y.getElementType());
  if (!elem || (!elem.isF32() && !elem.isF64()) ||
      x.getElementType() != elem || w.getElementType() != elem ||
      !w.isLastDimUnitStride() || !y.isLastDimUnitStride())
    return std::nullopt;
  c.type = elem;
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode()))
    if (fill.hasPureBufferSemantics() && fill.getDpsInits()[0] == c.y)
      c.fill = fill;
  if ((c.biasAdd = biasAddAfter(op, c.y)))
    c.bias = c.biasAdd.getDpsInputs()[0];
  return c;
}

/// Output rows per tile (a divisor of OH: every tile alike). As many whole
/// rows as fit `rows` positions, at least one. When those positions make
/// small groups (a row of 15 with rows = 14 runs as 8 + 7, the kernel
/// streamed from L2 once per group), a taller tile whose positions split
/// into larger groups, at most kMaxGroups of them (each group is a copy of
/// the micro-kernel), if its groups are at least a quarter larger on
/// average: conv2's input gradient in the CIFAR-10 CNN, 15 x 15, goes from
/// groups of 7.5 to 12.5 positions (tiles of 5 rows), 75-77 % -> 79-81 %
/// of the FMA peak (benchmarks/gemm, conv_fwd/14400x576x32).
int64_t chooseTileRows(int64_t oh, int64_t ow, int64_t rows) {
  constexpr int64_t kMaxGroups = 6;
  auto averageGroup = [&](int64_t m) {
    int64_t positions = m * ow;
    return double(positions) / double((positions + rows - 1) / rows);
  };
  int64_t whole = 1;
  for (int64_t m = 2; m <= oh; ++m)
    if (oh % m == 0 && m * ow <= rows)
      whole = m;
  int64_t best = whole;
  for (int64_t m = whole + 1; m <= oh; ++m)
    if (oh % m == 0 && (m * ow + rows - 1) / rows <= kMaxGroups &&
        averageGroup(m) > averageGroup(best))
      best = m;
  return averageGroup(best) >= 1.25 * averageGroup(whole) ? best : whole;
}

class Builder {
public:
  Builder(OpBuilder &b, Convolution c, int64_t vectorBits, int64_t rows,
          int64_t cols)
      : b(b), c(c), loc(c.op.getLoc()), cols(cols) {
    width = std::max<int64_t>(1, vectorBits / c.type.getWidth());
    vecType = VectorType::get({width}, c.type);
    ArrayRef<int64_t> w = cast<MemRefType>(c.w.getType()).getShape();
    ArrayRef<int64_t> y = cast<MemRefType>(c.y.getType()).getShape();
    kh = w[0];
    windowRow = w[1];
    filters = w[2];
    oh = y[1];
    ow = y[2];
    tileRows = chooseTileRows(oh, ow, rows);
    // The tile's positions in near-equal groups of at most `rows`: a last
    // group of one position would run one FMA chain per vector, latency
    // bound.
    int64_t positions = tileRows * ow;
    int64_t groups = (positions + rows - 1) / rows;
    for (int64_t g = 0, p0 = 0; g < groups; ++g) {
      int64_t size = positions / groups + (g < positions % groups ? 1 : 0);
      groupStarts.push_back(p0);
      groupSizes.push_back(size);
      p0 += size;
    }
  }

  void build() {
    Value images = memref::DimOp::create(b, loc, c.y, 0);
    int64_t tilesPerImage = oh / tileRows;
    Value tiles =
        arith::MulIOp::create(b, loc, images, cst(tilesPerImage));
    nnc::buildForLoop(b, loc, cst(0), tiles, cst(1), [&](Value t) {
      Value n = arith::DivUIOp::create(b, loc, t, cst(tilesPerImage));
      Value i0 = arith::MulIOp::create(
          b, loc, arith::RemUIOp::create(b, loc, t, cst(tilesPerImage)),
          cst(tileRows));
      tile(n, i0);
    })->setAttr(nnc::nn::kParallelAttr, b.getUnitAttr());
  }

private:
  Value cst(int64_t v) { return nnc::indexConstant(b, loc, v); }
  Value add(Value x, int64_t y) { return nnc::addConstant(b, loc, x, y); }

  /// Every filter of the tile at image n, output rows i0 ..: blocks of
  /// `cols` vectors, then single masked vectors for the filters left.
  void tile(Value n, Value i0) {
    nnc::buildColumnBlocks(b, loc, filters, cols * width, width,
                           [&](Value f0, int64_t nc, Value mask) {
                             for (auto [p0, size] :
                                  llvm::zip(groupStarts, groupSizes))
                               microKernel(n, i0, p0, size, f0, nc, mask);
                           });
  }

  Value loadVector(Value memref, ValueRange idx, Value mask) {
    return nnc::loadVector(b, loc, vecType, memref, idx, mask);
  }

  scf::ForOp accumulate(Value lb, Value ub, ValueRange acc,
                        function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    return nnc::buildAccumulatingLoop(b, loc, lb, ub, acc, body);
  }

  /// Positions p0 .. p0+mr of the tile at (n, i0), filters f0 + v*width for
  /// v < nc (masked when `mask` is set): one micro-kernel.
  void microKernel(Value n, Value i0, int64_t p0, int64_t mr, Value f0,
                   int64_t nc, Value mask) {
    // Output row and column of each position, and its offset into a row
    // of x (j*C).
    SmallVector<Value> outRow, outCol;
    SmallVector<int64_t> rowOffset, colOffset;
    for (int64_t p = p0; p < p0 + mr; ++p) {
      rowOffset.push_back(p / ow);
      colOffset.push_back(p % ow * c.channels);
      outRow.push_back(add(i0, p / ow));
      outCol.push_back(cst(p % ow));
    }
    SmallVector<Value> filter;
    for (int64_t v = 0; v < nc; ++v)
      filter.push_back(add(f0, v * width));

    SmallVector<Value> init;
    Value fillSplat;
    if (c.fill)
      fillSplat = vector::BroadcastOp::create(b, loc, vecType,
                                              c.fill.getDpsInputs()[0]);
    for (int64_t r = 0; r < mr; ++r)
      for (int64_t v = 0; v < nc; ++v)
        init.push_back(fillSplat ? fillSplat
                                 : loadVector(c.y,
                                              ValueRange{n, outRow[r],
                                                         outCol[r], filter[v]},
                                              mask));

    scf::ForOp rowsLoop = accumulate(
        cst(0), cst(kh), init, [&](Value a, ValueRange acc) {
          Value xRow = arith::AddIOp::create(b, loc, i0, a);
          return accumulate(
                     cst(0), cst(windowRow), acc,
                     [&](Value q, ValueRange acc) {
                       SmallVector<Value> wRow;
                       for (Value f : filter)
                         wRow.push_back(
                             loadVector(c.w, ValueRange{a, q, f}, mask));
                       SmallVector<Value> next;
                       for (int64_t r = 0; r < mr; ++r) {
                         Value s = memref::LoadOp::create(
                             b, loc, c.x,
                             ValueRange{n, add(xRow, rowOffset[r]),
                                        add(q, colOffset[r])});
                         Value splat =
                             vector::BroadcastOp::create(b, loc, vecType, s);
                         for (int64_t v = 0; v < nc; ++v)
                           next.push_back(vector::FMAOp::create(
                               b, loc, splat, wRow[v], acc[r * nc + v]));
                       }
                       return next;
                     })
              ->getResults();
        });

    SmallVector<Value> biasVector;
    if (c.bias)
      for (Value f : filter)
        biasVector.push_back(loadVector(c.bias, ValueRange{f}, mask));
    for (int64_t r = 0; r < mr; ++r)
      for (int64_t v = 0; v < nc; ++v) {
        SmallVector<Value> idx{n, outRow[r], outCol[r], filter[v]};
        Value sum = rowsLoop.getResult(r * nc + v);
        if (c.bias)
          sum = arith::AddFOp::create(b, loc, sum, biasVector[v]);
        if (mask)
          vector::MaskedStoreOp::create(b, loc, c.y, idx, mask, sum);
        else
          vector::StoreOp::create(b, loc, sum, c.y, idx);
      }
  }

  OpBuilder &b;
  Convolution c;
  Location loc;
  int64_t cols, width;
  VectorType vecType;
  int64_t kh, windowRow, filters, oh, ow, tileRows;
  SmallVector<int64_t> groupStarts, groupSizes;
};

struct LowerImplicitConvolutionsPass
    : nnc::impl::LowerImplicitConvolutionsBase<LowerImplicitConvolutionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Convolution> work;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<Convolution> c = match(op))
        work.push_back(*c);
    });
    OpBuilder b(&getContext());
    for (Convolution &c : work) {
      b.setInsertionPoint(c.op);
      Builder(b, c, vectorBits, rows, cols).build();
      c.op.erase();
      if (c.fill)
        c.fill.erase();
      if (c.biasAdd)
        c.biasAdd.erase();
    }
  }
};

} // namespace
