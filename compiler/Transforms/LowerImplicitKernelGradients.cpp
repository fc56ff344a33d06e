//===- LowerImplicitKernelGradients.cpp - conv kernel gradients, no im2col ===//
//
// A unit-stride convolution's kernel gradient is a product of the window
// rows' transpose and dy. Written as that product (im2col), it first copies
// every window out of the input: KH*KW times the input, which the product
// then reads back from memory (the CIFAR-10 CNN's first convolution: 6.2 MB
// of windows and 7.4 MB of dy for 0.1 GFLOP, bound by memory). Here the
// product reads the input in place: in NHWC a window row's KW*C values are
// contiguous, at x[n, i + a, j*C ...] with x as [N, H, W*C], so a
// micro-kernel's `rows` window values are `rows` consecutive scalars of x
// and the only operand streamed from memory is dy.
//
//   scf.for images in blocks {nn.reduction_blocks}      (in order)
//     scf.for row block t {nn.parallel}                 (q0 = t * rows)
//       scf.for column block j0:
//         scf.for chunk of the block's output rows (n, i) (dy in L1):
//           scf.for kernel row a:
//             acc = dw[a, q0 .. q0+rows, j0 .. j0+cols*V]
//             for (n, i) in chunk, j < OW:
//               acc[r][v] += x[n, i + a, j*C + q0 + r] * dy[n, i, j, j0 + v*V]
//             dw[a, ...] = acc
//
// Each element's sum runs over (n, i, j) in ascending order whatever the
// thread count.
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
#define GEN_PASS_DEF_LOWERIMPLICITKERNELGRADIENTS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// dy bytes per block of images: a block's dy stays in L2 while every
/// micro-kernel of the block reads it (once per row block and column
/// block; the kernel rows re-read each chunk of it from L1).
constexpr int64_t kBlockBytes = 64 * 1024;

/// dy bytes per chunk of output rows: a chunk stays in L1 (32 KiB on the
/// smallest of the hosts) while the micro-kernel passes over it once per
/// kernel row, beside the x rows it reads.
constexpr int64_t kChunkBytes = 16 * 1024;

/// One marked generic and its operands.
struct Gradient {
  linalg::GenericOp op;
  Value x, dy, dw;
  int64_t channels;
  FloatType type;
};

/// The marked generic, when it is the multiply-add over
/// nn::implicitKernelGradientMaps (the
/// attribute alone is only a claim; anything else keeps the generic
/// lowering, which is correct for any body).
std::optional<Gradient> match(linalg::GenericOp op) {
  auto channels =
      op->getAttrOfType<IntegerAttr>(nnc::nn::kImplicitKernelGradientAttr);
  if (!channels || !op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !nnc::isMulAdd(op) ||
      op.getIndexingMapsArray() !=
          ArrayRef<AffineMap>(nnc::nn::implicitKernelGradientMaps(
              op.getContext(), channels.getInt())) ||
      !nnc::hasIterators(op, 3, 3))
    return std::nullopt;
  Gradient g{op, op.getDpsInputs()[0], op.getDpsInputs()[1],
             op.getDpsInits()[0], channels.getInt(), nullptr};
  auto x = dyn_cast<MemRefType>(g.x.getType());
  auto dy = dyn_cast<MemRefType>(g.dy.getType());
  auto dw = dyn_cast<MemRefType>(g.dw.getType());
  if (!x || !dy || !dw || x.getRank() != 3 || dy.getRank() != 4 ||
      dw.getRank() != 3 || !dw.hasStaticShape())
    return std::nullopt;
  for (int64_t d = 1; d < 4; ++d)
    if (dy.isDynamicDim(d))
      return std::nullopt;
  auto elem = dyn_cast<FloatType>(dw.getElementType());
  if (!elem || (!elem.isF32() && !elem.isF64()) ||
      x.getElementType() != elem || dy.getElementType() != elem ||
      !dy.isLastDimUnitStride() || !dw.isLastDimUnitStride())
    return std::nullopt;
  g.type = elem;
  return g;
}

class Builder {
public:
  Builder(OpBuilder &b, Gradient g, int64_t vectorBits, int64_t rows,
          int64_t cols)
      : b(b), g(g), loc(g.op.getLoc()), rows(rows), cols(cols) {
    width = std::max<int64_t>(1, vectorBits / g.type.getWidth());
    vecType = VectorType::get({width}, g.type);
    ArrayRef<int64_t> dw = cast<MemRefType>(g.dw.getType()).getShape();
    ArrayRef<int64_t> dy = cast<MemRefType>(g.dy.getType()).getShape();
    kh = dw[0];
    windowRow = dw[1];
    filters = dw[2];
    oh = dy[1];
    ow = dy[2];
  }

  void build() {
    Value images = memref::DimOp::create(b, loc, g.dy, 0);
    lastRow = add(arith::MulIOp::create(b, loc, images, cst(oh)), -1);
    int64_t imageBytes = oh * ow * filters * g.type.getWidth() / 8;
    int64_t perBlock = std::max<int64_t>(1, kBlockBytes / imageBytes);
    scf::ForOp blocks = forLoop(cst(0), images, cst(perBlock), [&](Value n0) {
      Value nEnd = arith::MinUIOp::create(b, loc, add(n0, perBlock), images);
      // Full row blocks in parallel, then the rows left over as one block.
      int64_t full = windowRow / rows, left = windowRow % rows;
      if (full > 0)
        parallelLoop(cst(0), cst(full), [&](Value t) {
          Value q0 = arith::MulIOp::create(b, loc, t, cst(rows));
          rowBlock(q0, rows, n0, nEnd);
        });
      if (left > 0)
        rowBlock(cst(full * rows), left, n0, nEnd);
    });
    blocks->setAttr(nnc::nn::kReductionBlocksAttr, b.getUnitAttr());
  }

private:
  Value cst(int64_t v) { return nnc::indexConstant(b, loc, v); }
  Value add(Value x, int64_t y) { return nnc::addConstant(b, loc, x, y); }

  scf::ForOp forLoop(Value lb, Value ub, Value step,
                     function_ref<void(Value)> body) {
    return nnc::buildForLoop(b, loc, lb, ub, step, body);
  }

  /// Iterations that write disjoint rows of dw: a parallel kernel.
  void parallelLoop(Value lb, Value ub, function_ref<void(Value)> body) {
    forLoop(lb, ub, cst(1), body)
        ->setAttr(nnc::nn::kParallelAttr, b.getUnitAttr());
  }

  /// Rows [q0, q0 + mr) of dw across every filter: blocks of `cols`
  /// vectors, then single masked vectors for the filters left over.
  void rowBlock(Value q0, int64_t mr, Value n0, Value nEnd) {
    nnc::buildColumnBlocks(b, loc, filters, cols * width, width,
                           [&](Value j0, int64_t nc, Value mask) {
                             microKernel(q0, j0, mr, nc, mask, n0, nEnd);
                           });
  }

  Value loadVector(Value memref, ValueRange idx, Value mask) {
    return nnc::loadVector(b, loc, vecType, memref, idx, mask);
  }

  scf::ForOp accumulate(Value lb, Value ub, ValueRange acc,
                        function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    return nnc::buildAccumulatingLoop(b, loc, lb, ub, acc, body);
  }

  /// Where one micro-kernel works: rows [q0, q0 + mr) of dw, filters
  /// j0 + v * width for v < nc (masked when `mask` is set).
  struct Block {
    Value q0;
    int64_t mr, nc;
    Value mask;
    SmallVector<Value> rows, cols;
  };

  SmallVector<Value> loadBlock(const Block &k, Value a) {
    SmallVector<Value> acc;
    for (Value row : k.rows)
      for (Value col : k.cols)
        acc.push_back(loadVector(g.dw, ValueRange{a, row, col}, k.mask));
    return acc;
  }

  void storeBlock(const Block &k, Value a, ValueRange acc) {
    for (int64_t r = 0; r < k.mr; ++r)
      for (int64_t v = 0; v < k.nc; ++v) {
        SmallVector<Value> idx{a, k.rows[r], k.cols[v]};
        Value sum = acc[r * k.nc + v];
        if (k.mask)
          vector::MaskedStoreOp::create(b, loc, g.dw, idx, k.mask, sum);
        else
          vector::StoreOp::create(b, loc, sum, g.dw, idx);
      }
  }

  /// The accumulators after output row i of image n, kernel row a: per
  /// position j, the filters' vectors of dy and the window row's values
  /// of x at (n, i + a, j*C + q0 + r). With `prefetchRow`, position j of
  /// that row of dy is prefetched too.
  ValueRange rowOfPositions(
      const Block &k, Value a, Value n, Value i, ValueRange acc,
      std::optional<std::pair<Value, Value>> prefetchRow = std::nullopt) {
    Value row = arith::AddIOp::create(b, loc, i, a);
    return accumulate(cst(0), cst(ow), acc, [&](Value j, ValueRange acc) {
             SmallVector<Value> dyRow;
             for (Value col : k.cols)
               dyRow.push_back(
                   loadVector(g.dy, ValueRange{n, i, j, col}, k.mask));
             if (prefetchRow)
               for (Value col : k.cols)
                 memref::PrefetchOp::create(
                     b, loc, g.dy,
                     ValueRange{prefetchRow->first, prefetchRow->second, j,
                                col},
                     /*isWrite=*/false, /*localityHint=*/3,
                     /*isDataCache=*/true);
             Value col0 = arith::AddIOp::create(
                 b, loc, arith::MulIOp::create(b, loc, j, cst(g.channels)),
                 k.q0);
             SmallVector<Value> next;
             for (int64_t r = 0; r < k.mr; ++r) {
               Value s = memref::LoadOp::create(
                   b, loc, g.x, ValueRange{n, row, add(col0, r)});
               Value splat = vector::BroadcastOp::create(b, loc, vecType, s);
               for (int64_t v = 0; v < k.nc; ++v)
                 next.push_back(vector::FMAOp::create(
                     b, loc, splat, dyRow[v], acc[r * k.nc + v]));
             }
             return next;
           })
        ->getResults();
  }

  /// The mr x nc block of dw at rows q0, filters j0, for every kernel row,
  /// over the output rows of images [n0, nEnd) taken as one sequence of
  /// rows, in chunks whose dy fits L1: every kernel row's pass over a chunk
  /// after the first reads dy from L1, and the accumulators go through dw
  /// (in L1) between chunks. The order of each element's sum is unchanged.
  ///
  /// With one row block (the window row fits one micro-kernel: conv1 of
  /// the CIFAR-10 CNN, 9 values), nothing else reads a block's dy again
  /// from L2, and the first pass over each chunk waits on memory while the
  /// others do not: that pass, peeled off, prefetches the next chunk
  /// (clamped to dy's last row). conv1's gradient, benchmarks/gemm: 142-151
  /// -> 155-158 GFLOP/s; prefetching in every pass 148-157, and it cost
  /// conv3's (many row blocks) 164-171 -> 153-155.
  void microKernel(Value q0, Value j0, int64_t mr, int64_t nc, Value mask,
                   Value n0, Value nEnd) {
    Block k{q0, mr, nc, mask, {}, {}};
    for (int64_t r = 0; r < mr; ++r)
      k.rows.push_back(add(q0, r));
    for (int64_t v = 0; v < nc; ++v)
      k.cols.push_back(add(j0, v * width));
    int64_t rowBytes = ow * filters * g.type.getWidth() / 8;
    int64_t chunkRows = std::max<int64_t>(1, kChunkBytes / rowBytes);
    Value first = arith::MulIOp::create(b, loc, n0, cst(oh));
    Value end = arith::MulIOp::create(b, loc, nEnd, cst(oh));
    bool prefetch = windowRow <= rows;
    forLoop(first, end, cst(chunkRows), [&](Value r0) {
      Value rEnd = arith::MinUIOp::create(b, loc, add(r0, chunkRows), end);
      // Kernel row a's pass over the chunk's rows r (image r / OH, output
      // row r % OH); `ahead` prefetches row r + chunkRows.
      auto pass = [&](Value a, bool ahead) {
        scf::ForOp chunk = accumulate(
            r0, rEnd, loadBlock(k, a), [&](Value r, ValueRange acc) {
              auto [n, i] = imageAndRow(r);
              std::optional<std::pair<Value, Value>> next;
              if (ahead)
                next = imageAndRow(arith::MinUIOp::create(
                    b, loc, add(r, chunkRows), lastRow));
              return SmallVector<Value>(
                  rowOfPositions(k, a, n, i, acc, next));
            });
        storeBlock(k, a, chunk.getResults());
      };
      int64_t a0 = 0;
      if (prefetch)
        pass(cst(a0++), /*ahead=*/true);
      forLoop(cst(a0), cst(kh), cst(1), [&](Value a) { pass(a, false); });
    });
  }

  std::pair<Value, Value> imageAndRow(Value r) {
    return {arith::DivUIOp::create(b, loc, r, cst(oh)),
            arith::RemUIOp::create(b, loc, r, cst(oh))};
  }

  OpBuilder &b;
  Gradient g;
  Location loc;
  int64_t rows, cols, width;
  VectorType vecType;
  int64_t kh, windowRow, filters, oh, ow;
  /// dy's last output row, counting the rows of all images in order.
  Value lastRow;
};

struct LowerImplicitKernelGradientsPass
    : nnc::impl::LowerImplicitKernelGradientsBase<
          LowerImplicitKernelGradientsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Gradient> work;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<Gradient> g = match(op))
        work.push_back(*g);
    });
    OpBuilder b(&getContext());
    for (Gradient &g : work) {
      b.setInsertionPoint(g.op);
      Builder(b, g, vectorBits, rows, cols).build();
      g.op.erase();
    }
  }
};

} // namespace
