//===- VectorizeContractions.cpp - register-blocked FMA micro-kernels -----===//
//
// A contraction C[m, n] += A[m, k] * B[k, n] (any generic whose body is a
// multiply-add and whose loops are one m, one n and one k dimension, in any
// order and with A in either layout) becomes, on buffers:
//
//   for i0 in [0, M - M % MR) step MR          (then the rows left: see build())
//     for j0 in [0, N) step NC * V             (then masked vectors, 1 at a time)
//       acc[r][c] = C[i0 + r, j0 + c*V : +V]   (or the fill value, see below)
//       for k in [0, K)
//         b[c] = B[k, j0 + c*V : +V]
//         acc[r][c] = fma(broadcast(A[i0 + r, k]), b[c], acc[r][c])
//       C[i0 + r, j0 + c*V : +V] = acc[r][c]
//
// The MR x NC accumulators stay in registers for the whole reduction: each
// step loads NC vectors of B and MR scalars of A for MR * NC FMAs, instead of
// loading and storing the row of C as the plain (i, k, j) loop does. The
// summation order of every element of C is the scalar loop's (k ascending,
// one rounding per FMA), so the result does not depend on MR, NC or V.
//
// C must be contiguous along n (unit innermost stride): it is read and
// written as vectors. B is read as vectors along n, either in place or from a
// packed copy (blocks of NC * V columns, each contiguous over k, zero padded)
// made once before the loop nest: always when B is laid out along k (the W^T
// of a backward-data product, read in place thanks to
// nnc-fold-transposes-into-contractions), when its rows are a page long, or
// when C has many rows; for a forward layer, whose rows are the batch, the
// copy is made and read only when the batch turns out large at run time. A is
// read as scalars; a transposed A (the x^T of a weight gradient) with long
// rows is packed too, MR rows' scalars side by side for every k. A zero fill
// of C right before the contraction (what tile-and-fuse leaves in each tile)
// becomes the initial value of the accumulators and is erased.
//
// The cache-level tiling (the rows x cols tile of C, the fused epilogue)
// comes from nnc-tile-and-fuse-contractions; this pass only schedules one
// tile onto registers. Anything it does not recognise is left to
// linalg-to-loops and LLVM's vectorizer.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/KernelBuilding.h"
#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>

namespace nnc {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// What the micro-kernel needs to know about one contraction.
struct Contraction {
  linalg::GenericOp op;
  Value a, b, c;
  /// For each operand, its indexing map's results as loop positions.
  SmallVector<unsigned> aDims, bDims, cDims;
  unsigned m, n, k;
  FloatType type;
  /// The value C was filled with right before the contraction, when the
  /// fill can be folded into the accumulators.
  linalg::FillOp fill;
  /// B is read from a packed copy (see packB) when this is set...
  bool pack = false;
  /// ... or, with this set too, only when C has many rows at run time (a
  /// forward layer, whose rows are the batch).
  bool packIfManyRows = false;
  /// A is read from a packed copy (see packA) when this is set...
  bool packA = false;
  /// ... else, when A is transposed, read in place with prefetches.
  bool prefetchA = false;
};

/// Where an operand's packed copy comes from: the operand itself, or the
/// whole buffer it is a tile of when that buffer is not written inside the
/// loop nest (then one copy serves every tile of the nest).
struct PackSource {
  Value buffer;
  /// The operand's position inside `buffer` along k and along the dimension
  /// the copy is blocked by (n for B, m for A); zero when it is the buffer.
  Value kOffset, blockOffset;
  /// The top-level op before which the copy is made and after which it is
  /// freed.
  Operation *at;
};

bool lastDimContiguous(Value memref) {
  auto type = dyn_cast<MemRefType>(memref.getType());
  return type && type.getRank() >= 1 && type.isLastDimUnitStride();
}

/// The loop positions `map` reads, if it reads only plain loop dimensions.
std::optional<SmallVector<unsigned>> dimsOf(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      return std::nullopt;
    dims.push_back(d.getPosition());
  }
  return dims;
}


std::optional<Contraction> match(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 3 ||
      op.getNumReductionLoops() != 1 || !nnc::isMulAdd(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1 || !dims->batch.empty())
    return std::nullopt;

  Contraction c;
  c.op = op;
  c.a = op.getDpsInputs()[0];
  c.b = op.getDpsInputs()[1];
  c.c = op.getDpsInits()[0];
  c.m = dims->m[0];
  c.n = dims->n[0];
  c.k = dims->k[0];
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto a = dimsOf(maps[0]), b = dimsOf(maps[1]), out = dimsOf(maps[2]);
  if (!a || !b || !out)
    return std::nullopt;
  // inferContractionDims does not say which input holds m: make it A.
  if (llvm::is_contained(*b, c.m)) {
    std::swap(c.a, c.b);
    std::swap(a, b);
  }
  c.aDims = *a;
  c.bDims = *b;
  c.cDims = *out;
  // The vector dimension n must be the innermost, contiguous one of C. B is
  // read as vectors along n, from a packed copy when it is laid out along
  // k. A may be laid out either way.
  if (c.aDims.size() != 2 || c.bDims.size() != 2 || c.cDims.size() != 2 ||
      c.cDims.back() != c.n || !lastDimContiguous(c.c) ||
      !isa<MemRefType>(c.b.getType()))
    return std::nullopt;
  auto elem = dyn_cast<FloatType>(
      cast<MemRefType>(c.c.getType()).getElementType());
  if (!elem || (!elem.isF32() && !elem.isF64()))
    return std::nullopt;
  for (Value v : {c.a, c.b})
    if (cast<MemRefType>(v.getType()).getElementType() != elem)
      return std::nullopt;
  c.type = elem;

  // Reading B in place walks K rows of B: once a row is a page long, each
  // k step touches a new page (an L1 and TLB miss per FMA group; a
  // 1024 x 1024 layer ran at a fifth of the FMA peak). A packed copy, each
  // block of columns contiguous over k, streams instead, and pays for itself
  // when many row blocks reuse it: C has many rows (a weight gradient, M =
  // the layer's inputs) or B's rows are a page long. A forward layer's
  // M is the batch, unknown here: with short rows of B, reading in place won
  // (784 x 256 at batch 64, benchmarks/gemm).
  auto bType = cast<MemRefType>(c.b.getType());
  int64_t nDim = bType.getDimSize(llvm::find(c.bDims, c.n) - c.bDims.begin());
  bool nContiguous = c.bDims.back() == c.n && lastDimContiguous(c.b);
  auto viewed = [](Value v) {
    if (auto tile = v.getDefiningOp<memref::SubViewOp>())
      return cast<MemRefType>(tile.getSource().getType());
    return cast<MemRefType>(v.getType());
  };
  int64_t rowElems = viewed(c.b).getShape().back();
  int64_t mAll = viewed(c.c).getDimSize(
      llvm::find(c.cDims, c.m) - c.cDims.begin());
  bool large = ShapedType::isDynamic(nDim) ||
               ShapedType::isDynamic(rowElems) ||
               rowElems * elem.getWidth() / 8 >= 4096 ||
               (!ShapedType::isDynamic(mAll) && mAll >= 128);
  c.pack = !nContiguous || large;
  // A forward layer's rows are the batch: known only at run time. The copy
  // is made, and read, when there are enough rows to amortise it (predict
  // at batch 1024 ran the first MLP layer at 57 % of the FMA peak in place).
  if (!c.pack && ShapedType::isDynamic(mAll)) {
    c.pack = true;
    c.packIfManyRows = true;
  }

  // A transposed A (x^T of a weight gradient) is read a few scalars per row
  // of x, a row further each k step. Inside reduction blocks (see
  // nnc-tile-and-fuse-contractions) a block's rows of x stay in cache for
  // every tile of C, and the micro-kernel prefetches the rows it reads a few
  // steps ahead (the stride, a row of x, defeats the hardware prefetchers).
  // Outside them, with rows of x 2 KiB or longer, each k step would be a new
  // page for the whole reduction: A is copied, per block of micro-kernel
  // rows, the block's scalars of every k side by side. (Inside blocks the
  // copy lost: the CIFAR CNN's conv3 kernel gradient, 1024 x 576 x 64, ran
  // at 125 GFLOP/s from the copy, 172 in place with prefetches.)
  bool aTransposed = c.aDims.back() == c.m && lastDimContiguous(c.a);
  bool inReductionBlock = false;
  for (Operation *p = op->getParentOp(); p && !isa<FunctionOpInterface>(p);
       p = p->getParentOp())
    inReductionBlock |= p->hasAttr(nnc::nn::kReductionBlocksAttr);
  // A weight gradient whose B (dy) rows are at most 256 bytes, one column
  // tile (a convolution's kernel gradient: 32 or 64 filters): its k loop
  // reads B's rows in order, as the copy would, and the copy of the whole
  // dy (10816 x 64 for the CIFAR CNN's second convolution) was a round trip
  // through memory (that kernel gradient: 129 -> 148 GFLOP/s in place,
  // benchmarks/gemm).
  if (aTransposed && nContiguous && !ShapedType::isDynamic(rowElems) &&
      rowElems * elem.getWidth() / 8 <= 256)
    c.pack = false;
  int64_t aRow = viewed(c.a).getShape().back();
  c.packA = aTransposed && !inReductionBlock &&
            (ShapedType::isDynamic(aRow) ||
             aRow * elem.getWidth() / 8 >= 2048);
  c.prefetchA = aTransposed && !c.packA;

  // A fill of exactly this buffer, right before: every element of C is
  // written by the kernel, so the fill only supplies the initial value.
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode()))
    if (fill.hasPureBufferSemantics() && fill.getDpsInits()[0] == c.c)
      c.fill = fill;
  return c;
}

/// The buffer `v` is a view of (through subviews and casts).
Value rootBuffer(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def))
      v = view.getViewSource();
    else
      break;
  }
  return v;
}

/// Whether any op nested in `op` may write to `buffer` or a view of it.
bool writesTo(Operation *op, Value buffer) {
  bool writes = false;
  op->walk([&](Operation *nested) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
    if (!effects) {
      // Unknown side effects (calls): assume the worst. A prefetch (an
      // earlier micro-kernel's) declares none but writes nothing.
      if (!isa<memref::PrefetchOp>(nested) &&
          !nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>() &&
          !isa<linalg::YieldOp, scf::YieldOp>(nested) &&
          nested->getNumRegions() == 0 && !isPure(nested))
        writes = true;
      return;
    }
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffects(list);
    for (auto &e : list)
      if (isa<MemoryEffects::Write>(e.getEffect()) &&
          (!e.getValue() || rootBuffer(e.getValue()) == buffer))
        writes = true;
  });
  return writes;
}

/// Whether `v` is available right before `top` (a top-level op of the
/// function): a function argument or defined earlier in the same block.
bool dominatesTop(Value v, Operation *top) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner() == top->getBlock();
  Operation *def = v.getDefiningOp();
  return def->getBlock() == top->getBlock() && def->isBeforeInBlock(top);
}

/// Whether `v` is provably a multiple of `n`: a constant, or the induction
/// variable of a loop whose start and step are.
bool isMultipleOf(Value v, int64_t n) {
  if (std::optional<int64_t> c = getConstantIntValue(v))
    return *c % n == 0;
  auto loop = scf::getForInductionVarOwner(v);
  if (!loop)
    return false;
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  return lb && step && *lb % n == 0 && *step % n == 0;
}

/// Where to pack an operand from: the buffer it is a unit-stride tile of,
/// copied once before the top-level loop nest around the contraction, when
/// the nest does not write it; else the operand itself, right before the
/// contraction. `blockLoop` is the loop the copy is blocked along (n for B,
/// m for A) in blocks of `blockSize`.
PackSource packSourceFor(Contraction &c, OpBuilder &b, Value operand,
                         ArrayRef<unsigned> dims, unsigned blockLoop,
                         int64_t blockSize) {
  Location loc = c.op.getLoc();
  Operation *top = c.op;
  while (top->getParentOp() &&
         !isa<FunctionOpInterface>(top->getParentOp()))
    top = top->getParentOp();
  auto tile = operand.getDefiningOp<memref::SubViewOp>();
  if (tile && top != c.op && tile.getSourceType().getRank() == 2 &&
      tile.getType().getRank() == 2 &&
      llvm::all_of(tile.getMixedStrides(),
                   [](OpFoldResult s) { return isConstantIntValue(s, 1); })) {
    Value source = tile.getSource();
    if (dominatesTop(source, top) && !writesTo(top, rootBuffer(source))) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(c.op);
      SmallVector<Value> offsets = getValueOrCreateConstantIndexOp(
          b, loc, tile.getMixedOffsets());
      unsigned kPos = llvm::find(dims, c.k) - dims.begin();
      unsigned blockPos = llvm::find(dims, blockLoop) - dims.begin();
      // The tile must start at a block of the packed copy.
      if (isMultipleOf(offsets[blockPos], blockSize))
        return {source, offsets[kPos], offsets[blockPos], top};
    }
  }
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(c.op);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  return {operand, zero, zero, c.op};
}

/// The height of the micro-kernels that take a dynamic number of rows left
/// over below the full micro-kernel's.
constexpr int64_t kRemainderRows = 4;

/// How many k steps ahead a micro-kernel prefetches the rows of a
/// transposed A it will read. A step is 12 cycles of FMAs at AVX-512's
/// 12 x 2 kernel, 6 at AVX2's 6 x 2: 8 steps cover an L2 or L3 hit. The
/// CIFAR CNN's conv2 kernel gradient (10816 x 288 x 64, blocks of 64):
/// 155 GFLOP/s without prefetches, 160 at 4 steps, 174 at 8, 172 at 16
/// (benchmarks/gemm).
constexpr int64_t kPrefetchSteps = 8;

/// Builds the loops for one contraction.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Contraction c, int64_t vectorBits,
                int64_t rows, int64_t cols)
      : b(b), c(c), loc(c.op.getLoc()), rows(rows), cols(cols) {
    width = std::max<int64_t>(1, vectorBits / c.type.getWidth());
    vecType = VectorType::get({width}, c.type);
  }

  /// Copies B (or the buffer it is a tile of) into blocks of
  /// `cols * width` columns, each contiguous over k:
  /// packed[block][k][column in block], zero past the last column.
  void packB(PackSource src, Value manyRows) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(src.at);
    unsigned kPos = llvm::find(c.bDims, c.k) - c.bDims.begin();
    unsigned nPos = 1 - kPos;
    Value kAll = memref::DimOp::create(b, loc, src.buffer, kPos);
    Value nAll = memref::DimOp::create(b, loc, src.buffer, nPos);
    int64_t block = cols * width;
    Value blocks = arith::CeilDivUIOp::create(b, loc, nAll, cst(block));
    // Packed only when `manyRows` holds: no blocks (and no copy) otherwise.
    usePacked = manyRows;
    if (manyRows)
      blocks = arith::SelectOp::create(b, loc, manyRows, blocks, cst(0));
    auto type = MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic,
                                 block},
                                c.type);
    packed = memref::AllocOp::create(b, loc, type, ValueRange{blocks, kAll},
                                     b.getI64IntegerAttr(64));
    bool nContiguous = nPos == 1 && lastDimContiguous(src.buffer);
    parallelLoop(cst(0), blocks, cst(1), [&](Value jb) {
      Value col0 = arith::MulIOp::create(b, loc, jb, cst(block));
      forLoop(cst(0), kAll, cst(1), [&](Value k) {
        for (int64_t v = 0; v < cols; ++v) {
          Value col = add(col0, v * width);
          Value left = arith::MaxSIOp::create(
              b, loc, arith::SubIOp::create(b, loc, nAll, col), cst(0));
          Value mask = vector::CreateMaskOp::create(
              b, loc, VectorType::get({width}, b.getI1Type()),
              ValueRange{left});
          auto at = [&](Value kk, Value nn) {
            SmallVector<Value> idx(2);
            idx[kPos] = kk;
            idx[nPos] = nn;
            return idx;
          };
          Value vec;
          if (nContiguous) {
            vec = vector::MaskedLoadOp::create(b, loc, vecType, src.buffer,
                                               at(k, col), mask, zeroVector());
          } else {
            // Columns of B are rows here: one scalar from each, the
            // index clamped to the last column and the lanes past it
            // zeroed by the mask.
            Value last = arith::SubIOp::create(b, loc, nAll, cst(1));
            SmallVector<Value> lanes;
            for (int64_t l = 0; l < width; ++l) {
              Value j = arith::MinSIOp::create(b, loc, add(col, l), last);
              lanes.push_back(
                  memref::LoadOp::create(b, loc, src.buffer, at(k, j)));
            }
            vec = vector::FromElementsOp::create(b, loc, vecType, lanes);
            vec = arith::SelectOp::create(b, loc, mask, vec, zeroVector());
          }
          vector::StoreOp::create(b, loc, vec, packed,
                                  ValueRange{jb, k, cst(v * width)});
        }
      });
    });
    b.setInsertionPointAfter(src.at);
    memref::DeallocOp::create(b, loc, packed);
    kOffset = src.kOffset;
    nOffset = src.blockOffset;
  }

  /// Copies a transposed A (or the buffer it is a tile of) into blocks of
  /// `rows` rows: packedA[block][k][row in block], zero past the last row.
  void packA(PackSource src) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(src.at);
    // The source is [k][m], m contiguous.
    Value kAll = memref::DimOp::create(b, loc, src.buffer, 0);
    Value mAll = memref::DimOp::create(b, loc, src.buffer, 1);
    Value blocks = arith::CeilDivUIOp::create(b, loc, mAll, cst(rows));
    auto type = MemRefType::get(
        {ShapedType::kDynamic, ShapedType::kDynamic, rows}, c.type);
    packedA = memref::AllocOp::create(b, loc, type, ValueRange{blocks, kAll},
                                      b.getI64IntegerAttr(64));
    auto rowType = VectorType::get({rows}, c.type);
    Value zero = arith::ConstantOp::create(
        b, loc, rowType, DenseElementsAttr::get(rowType, b.getZeroAttr(c.type)));
    // Blocks in groups whose rows are whole cache lines of the source
    // (2 blocks of 8 floats, 4 of 12): for each k the group reads its lines
    // once and entirely. Block by block, each line was fetched once per
    // block sharing it, a whole pass over the source apart.
    int64_t line = std::max<int64_t>(1, 512 / c.type.getWidth());
    int64_t group = line / std::gcd(rows, line);
    Value groups = arith::CeilDivUIOp::create(b, loc, blocks, cst(group));
    parallelLoop(cst(0), groups, cst(1), [&](Value g) {
      Value ib0 = arith::MulIOp::create(b, loc, g, cst(group));
      Value ibEnd = arith::MinUIOp::create(b, loc, add(ib0, group), blocks);
      forLoop(cst(0), kAll, cst(1), [&](Value k) {
        forLoop(ib0, ibEnd, cst(1), [&](Value ib) {
          Value row0 = arith::MulIOp::create(b, loc, ib, cst(rows));
          Value left = arith::SubIOp::create(b, loc, mAll, row0);
          Value mask = vector::CreateMaskOp::create(
              b, loc, VectorType::get({rows}, b.getI1Type()),
              ValueRange{left});
          Value v = vector::MaskedLoadOp::create(
              b, loc, rowType, src.buffer, ValueRange{k, row0}, mask, zero);
          vector::StoreOp::create(b, loc, v, packedA,
                                  ValueRange{ib, k, cst(0)});
        });
      });
    });
    b.setInsertionPointAfter(src.at);
    memref::DeallocOp::create(b, loc, packedA);
    aKOffset = src.kOffset;
    mOffset = src.blockOffset;
  }

  void build() {
    Value mSize = dimOf(c.c, c.cDims, c.m);
    Value nSize = dimOf(c.c, c.cDims, c.n);
    kSize = dimOf(c.a, c.aDims, c.k);
    kLast = arith::SubIOp::create(b, loc, kSize, cst(1));
    if (c.fill)
      initial = vector::BroadcastOp::create(b, loc, vecType,
                                            c.fill.getDpsInputs()[0]);
    Value mMain = roundDown(mSize, rows);
    parallelLoop(cst(0), mMain, cst(rows),
                 [&](Value i) { rowBlock(i, rows, nSize); });
    // The rows left over. One row at a time, a micro-kernel loads as many
    // vectors of B as it does FMAs (the 27 x 32 kernel gradient of a 3x3x3
    // convolution spent a third of its time on its last 3 rows): a static
    // remainder is one block of its own height, a dynamic one (the last
    // tile of a batch) goes 4 rows at a time, then 1.
    int64_t mStatic = cast<MemRefType>(c.c.getType())
                          .getDimSize(llvm::find(c.cDims, c.m) - c.cDims.begin());
    if (!ShapedType::isDynamic(mStatic)) {
      if (int64_t left = mStatic % rows)
        rowBlock(cst(mStatic - left), left, nSize);
      return;
    }
    Value from = mMain;
    if (rows > kRemainderRows) {
      Value left = arith::SubIOp::create(b, loc, mSize, mMain);
      Value to = arith::AddIOp::create(
          b, loc, mMain, roundDown(left, kRemainderRows));
      parallelLoop(mMain, to, cst(kRemainderRows),
                   [&](Value i) { rowBlock(i, kRemainderRows, nSize); });
      from = to;
    }
    parallelLoop(from, mSize, cst(1),
                 [&](Value i) { rowBlock(i, 1, nSize); });
  }

private:
  Value cst(int64_t v) { return nnc::indexConstant(b, loc, v); }

  Value dimOf(Value memref, ArrayRef<unsigned> dims, unsigned loop) {
    unsigned pos = llvm::find(dims, loop) - dims.begin();
    return memref::DimOp::create(b, loc, memref, pos);
  }

  Value roundDown(Value v, int64_t step) {
    Value rem = arith::RemUIOp::create(b, loc, v, cst(step));
    return arith::SubIOp::create(b, loc, v, rem);
  }

  Value add(Value x, int64_t y) { return nnc::addConstant(b, loc, x, y); }

  scf::ForOp forLoop(Value lb, Value ub, Value step,
                     function_ref<void(Value)> body) {
    return nnc::buildForLoop(b, loc, lb, ub, step, body);
  }

  /// A loop whose iterations write disjoint blocks (of a packed copy, or of
  /// C's rows): a parallel kernel when it is not inside tile loops.
  void parallelLoop(Value lb, Value ub, Value step,
                    function_ref<void(Value)> body) {
    forLoop(lb, ub, step, body)->setAttr(nnc::nn::kParallelAttr,
                                         b.getUnitAttr());
  }

  /// Indices into an operand read through `dims`, given the loop values.
  SmallVector<Value> indices(ArrayRef<unsigned> dims, Value i, Value j,
                             Value k) {
    SmallVector<Value> idx;
    for (unsigned d : dims)
      idx.push_back(d == c.m ? i : d == c.n ? j : k);
    return idx;
  }

  /// Rows [i, i + mr) across every column: full blocks of `cols` vectors,
  /// then single masked vectors for the last columns.
  void rowBlock(Value i, int64_t mr, Value nSize) {
    int64_t block = cols * width;
    Value nBlocks = roundDown(nSize, block);
    forLoop(cst(0), nBlocks, cst(block),
            [&](Value j) { microKernel(i, j, mr, cols, nullptr); });
    // The columns left over, one vector at a time, the last one masked:
    // one loop rather than a tier of whole vectors and a masked tail, which
    // halves the code LLVM compiles for them (compile time is a target too).
    forLoop(nBlocks, nSize, cst(width), [&](Value j) {
      Value left = arith::SubIOp::create(b, loc, nSize, j);
      Value mask = vector::CreateMaskOp::create(
          b, loc, VectorType::get({width}, b.getI1Type()), ValueRange{left});
      microKernel(i, j, mr, 1, mask);
    });
  }

  /// Prefetches the line(s) a transposed A's rows [first, last] occupy at
  /// step k + kPrefetchSteps, clamped to the last step (an address past the
  /// buffer would be out of the memref's bounds, even if the CPU ignores
  /// it).
  void prefetchARows(Value first, Value last, Value k) {
    Value ahead =
        arith::MinUIOp::create(b, loc, add(k, kPrefetchSteps), kLast);
    for (Value row : {first, last})
      memref::PrefetchOp::create(b, loc, c.a,
                                 indices(c.aDims, row, nullptr, ahead),
                                 /*isWrite=*/false, /*localityHint=*/3,
                                 /*isDataCache=*/true);
  }

  Value zeroVector() {
    return arith::ConstantOp::create(
        b, loc, vecType,
        DenseElementsAttr::get(vecType, b.getZeroAttr(c.type)));
  }

  Value loadVector(Value memref, ValueRange idx, Value mask) {
    if (!mask)
      return vector::LoadOp::create(b, loc, vecType, memref, idx);
    return vector::MaskedLoadOp::create(b, loc, vecType, memref, idx, mask,
                                        zeroVector());
  }

  /// Where columns [j, j + width) of B are read from, for every k: a
  /// [k][column] view, the column in it and the k it starts at. Computed
  /// once per micro-kernel, outside its k loop.
  struct BColumns {
    Value view, col, k0;
  };

  BColumns bColumns(Value j) {
    if (!packed)
      return {};
    int64_t block = cols * width;
    auto viewType = [&](ArrayRef<int64_t> shape, int64_t stride) {
      return MemRefType::get(
          shape, c.type,
          StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic,
                                 {stride, 1}));
    };
    MemRefType common =
        viewType({ShapedType::kDynamic, ShapedType::kDynamic},
                 ShapedType::kDynamic);
    auto fromPacked = [&]() -> BColumns {
      Value col = arith::AddIOp::create(b, loc, nOffset, j);
      Value jb = arith::DivUIOp::create(b, loc, col, cst(block));
      Value lane = arith::RemUIOp::create(b, loc, col, cst(block));
      Value kAll = memref::DimOp::create(b, loc, packed, 1);
      SmallVector<OpFoldResult> offsets = {jb, b.getIndexAttr(0),
                                           b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), kAll,
                                         b.getIndexAttr(block)};
      SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
      Value view = memref::SubViewOp::create(
          b, loc, viewType({ShapedType::kDynamic, block}, block), packed,
          offsets, sizes, strides);
      view = memref::CastOp::create(b, loc, common, view);
      return {view, lane, kOffset};
    };
    if (!usePacked)
      return fromPacked();
    auto choice = scf::IfOp::create(
        b, loc, TypeRange{common, b.getIndexType(), b.getIndexType()},
        usePacked, /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(choice.thenBlock());
      BColumns p = fromPacked();
      scf::YieldOp::create(b, loc, ValueRange{p.view, p.col, p.k0});
      b.setInsertionPointToStart(choice.elseBlock());
      Value view = memref::CastOp::create(b, loc, common, c.b);
      scf::YieldOp::create(b, loc, ValueRange{view, j, cst(0)});
    }
    return {choice.getResult(0), choice.getResult(1), choice.getResult(2)};
  }

  /// Columns [j, j + width) of B's row k: from `at` (the packed copy, or
  /// B itself when the copy is made only for many rows) or from B.
  Value loadB(Value k, Value j, const BColumns &at, Value mask) {
    if (!packed)
      return loadVector(c.b, indices(c.bDims, nullptr, j, k), mask);
    Value kk = arith::AddIOp::create(b, loc, at.k0, k);
    // The packed copy is zero padded: only B itself needs the mask.
    return loadVector(at.view, ValueRange{kk, at.col},
                      usePacked ? mask : Value());
  }

  void storeVector(Value v, Value memref, ValueRange idx, Value mask) {
    if (mask)
      vector::MaskedStoreOp::create(b, loc, memref, idx, mask, v);
    else
      vector::StoreOp::create(b, loc, v, memref, idx);
  }

  /// The mr x nc block of C at (i, j): accumulators carried through the k
  /// loop.
  void microKernel(Value i, Value j, int64_t mr, int64_t nc, Value mask) {
    SmallVector<Value> rowIdx, colIdx;
    for (int64_t r = 0; r < mr; ++r)
      rowIdx.push_back(add(i, r));
    for (int64_t v = 0; v < nc; ++v)
      colIdx.push_back(add(j, v * width));

    // Where each row's scalars are in A's packed copy.
    SmallVector<std::pair<Value, Value>> aAt(mr);
    if (packedA)
      for (int64_t r = 0; r < mr; ++r) {
        Value row = arith::AddIOp::create(b, loc, mOffset, rowIdx[r]);
        aAt[r] = {arith::DivUIOp::create(b, loc, row, cst(rows)),
                  arith::RemUIOp::create(b, loc, row, cst(rows))};
      }

    SmallVector<BColumns> bAt(nc);
    for (int64_t v = 0; v < nc; ++v)
      bAt[v] = bColumns(colIdx[v]);

    SmallVector<Value> acc;
    for (int64_t r = 0; r < mr; ++r)
      for (int64_t v = 0; v < nc; ++v)
        acc.push_back(initial ? initial
                              : loadVector(c.c,
                                           indices(c.cDims, rowIdx[r],
                                                   colIdx[v], nullptr),
                                           mask));

    auto kLoop = scf::ForOp::create(b, loc, cst(0), kSize, cst(1), acc);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value k = kLoop.getInductionVar();
      SmallVector<Value> bRow;
      for (int64_t v = 0; v < nc; ++v)
        bRow.push_back(loadB(k, colIdx[v], bAt[v], mask));
      if (c.prefetchA)
        prefetchARows(rowIdx.front(), rowIdx.back(), k);
      SmallVector<Value> next;
      Value aK = packedA ? arith::AddIOp::create(b, loc, aKOffset, k).getResult()
                         : Value();
      for (int64_t r = 0; r < mr; ++r) {
        Value a =
            packedA
                ? memref::LoadOp::create(b, loc, packedA,
                                         ValueRange{aAt[r].first, aK,
                                                    aAt[r].second})
                      .getResult()
                : memref::LoadOp::create(
                      b, loc, c.a, indices(c.aDims, rowIdx[r], nullptr, k))
                      .getResult();
        Value splat = vector::BroadcastOp::create(b, loc, vecType, a);
        for (int64_t v = 0; v < nc; ++v)
          next.push_back(vector::FMAOp::create(
              b, loc, splat, bRow[v], kLoop.getRegionIterArg(r * nc + v)));
      }
      scf::YieldOp::create(b, loc, next);
    }
    for (int64_t r = 0; r < mr; ++r)
      for (int64_t v = 0; v < nc; ++v)
        storeVector(kLoop.getResult(r * nc + v), c.c,
                    indices(c.cDims, rowIdx[r], colIdx[v], nullptr), mask);
  }

  OpBuilder &b;
  Contraction c;
  Location loc;
  int64_t rows, cols, width;
  VectorType vecType;
  Value kSize, kLast, initial;
  /// B's packed copy and B's position in it, when packed; `usePacked`, when
  /// set, says at run time whether the copy was made.
  Value packed, kOffset, nOffset, usePacked;
  /// A's packed copy and A's position in it, when packed.
  Value packedA, aKOffset, mOffset;
};

struct VectorizeContractionsPass
    : nnc::impl::VectorizeContractionsBase<VectorizeContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    std::vector<Contraction> work;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<Contraction> c = match(op))
        work.push_back(*c);
    });
    OpBuilder b(&getContext());
    for (Contraction &c : work) {
      KernelBuilder kernel(b, c, vectorBits, rows, cols);
      if (c.pack) {
        int64_t width = std::max<int64_t>(1, vectorBits / c.type.getWidth());
        PackSource src =
            packSourceFor(c, b, c.b, c.bDims, c.n, cols * width);
        Value manyRows;
        bool packB = true;
        if (c.packIfManyRows) {
          // C's rows, counted where the copy is made: those of the buffer
          // C is a tile of when the copy is hoisted out of the tile loops.
          Value all = c.c;
          if (src.at != c.op.getOperation()) {
            while (auto tile = all.getDefiningOp<memref::SubViewOp>()) {
              if (tile.getSourceType().getRank() != tile.getType().getRank())
                break;
              all = tile.getSource();
            }
          }
          bool inTile = src.at == c.op.getOperation() &&
                        !isa<FunctionOpInterface>(c.op->getParentOp());
          if (inTile) {
            // The copy could not be hoisted out of the tile loops: C is one
            // tile, never 128 rows. Read B in place, with no copy per tile.
            packB = false;
          } else if (src.at != c.op.getOperation() &&
                     !dominatesTop(all, src.at)) {
            packB = false; // rows unknown there: read B in place
          } else {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPoint(src.at);
            unsigned pos = llvm::find(c.cDims, c.m) - c.cDims.begin();
            Value m = memref::DimOp::create(b, c.op.getLoc(), all, pos);
            manyRows = arith::CmpIOp::create(
                b, c.op.getLoc(), arith::CmpIPredicate::uge, m,
                arith::ConstantIndexOp::create(b, c.op.getLoc(), 128));
          }
        }
        if (packB)
          kernel.packB(src, manyRows);
      }
      if (c.packA)
        kernel.packA(packSourceFor(c, b, c.a, c.aDims, c.m, rows));
      b.setInsertionPoint(c.op);
      kernel.build();
      c.op.erase();
      if (c.fill)
        c.fill.erase();
    }
  }
};

} // namespace
