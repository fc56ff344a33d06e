//===- Common.cpp - helpers shared by the nn-to-linalg patterns -----------===//

#include "compiler/Conversion/NNToLinalg/Common.h"

#include "dialects/nn/IR/NNShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace nnc {

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange sources) {
  SmallVector<Value> dynamicSizes;
  int64_t rank = type.getRank();
  for (int64_t i = 0; i < rank; ++i) {
    if (!type.isDynamicDim(i))
      continue;
    Value size;
    for (Value src : sources) {
      auto srcType = cast<RankedTensorType>(src.getType());
      int64_t j = i - (rank - srcType.getRank()); // right-aligned
      if (j >= 0 && srcType.isDynamicDim(j)) {
        size = tensor::DimOp::create(b, loc, src, j);
        break;
      }
    }
    assert(size && "a dynamic result size comes from a dynamic operand size");
    dynamicSizes.push_back(size);
  }
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynamicSizes);
}

TypedAttr negativeInfinity(OpBuilder &b, Type type) {
  return b.getFloatAttr(
      type, APFloat::getInf(cast<FloatType>(type).getFloatSemantics(),
                            /*Negative=*/true));
}

Value floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

/// The map reading `operand` at the iteration point of a `rank`-d result:
/// right-aligned dimensions, a stretched size-1 dimension reads index 0.
static AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType operand,
                              RankedTensorType result) {
  int64_t rank = result.getRank();
  int64_t offset = rank - operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t j = 0; j < operand.getRank(); ++j) {
    bool stretched = operand.getDimSize(j) == 1 &&
                     result.getDimSize(offset + j) != 1;
    exprs.push_back(stretched ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(offset + j, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange operands, ScalarBody body,
                  ValueRange sizeSources) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value v : operands)
    maps.push_back(
        broadcastMap(ctx, cast<RankedTensorType>(v.getType()), resultType));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, resultType,
                           sizeSources.empty() ? operands : sizeSources);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, operands, init, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = body(nb, nl, args.drop_back());
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

Value alongAxis(OpBuilder &b, Location loc, Value full, Value reduced,
                int64_t axis, ScalarBody body) {
  auto type = cast<RankedTensorType>(full.getType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<AffineMap> maps{id, id.dropResult(axis), id};
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, type, {full});
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{full, reduced}, init, maps, iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, body(nb, nl, args.drop_back()));
             })
      .getResult(0);
}

Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
             bool keepDims, TypedAttr init, ScalarBody combine) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t rank = inType.getRank();
  // The accumulator drops the reduced axes; keepdims reshapes afterwards.
  nn::Shape accShape = nn::reducedShape(inType.getShape(), axes, false);
  auto accType = RankedTensorType::get(accShape, inType.getElementType());

  // Loop order: the kept axes before the first reduced one (parallel,
  // outermost), then the reduced axes, then the other kept axes. When the
  // innermost (contiguous) axis is kept, as in a bias gradient summing
  // (batch, h, w, c) over all but c, the inner loop then walks memory
  // contiguously into a row of accumulators (LLVM vectorizes it) instead of
  // striding through the input per output element; each output still sums
  // its elements in the same order. With the last axis reduced (softmax's
  // statistics) this is the input's own order.
  SmallVector<int64_t> order;
  int64_t firstReduced = axes.empty() ? rank : axes.front();
  for (int64_t i = 0; i < firstReduced; ++i)
    order.push_back(i);
  llvm::append_range(order, axes);
  for (int64_t i = firstReduced; i < rank; ++i)
    if (!llvm::is_contained(axes, i))
      order.push_back(i);
  SmallVector<int64_t> loopOf(rank);
  for (int64_t l = 0; l < rank; ++l)
    loopOf[order[l]] = l;

  SmallVector<Value> dynamicSizes;
  SmallVector<AffineExpr> inExprs, outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t l = 0; l < rank; ++l)
    iterators.push_back(llvm::is_contained(axes, order[l])
                            ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  for (int64_t i = 0; i < rank; ++i) {
    inExprs.push_back(getAffineDimExpr(loopOf[i], ctx));
    if (llvm::is_contained(axes, i))
      continue;
    outExprs.push_back(getAffineDimExpr(loopOf[i], ctx));
    if (inType.isDynamicDim(i))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, input, i));
  }
  Value empty = tensor::EmptyOp::create(b, loc, accShape,
                                        inType.getElementType(), dynamicSizes);
  Value initValue = arith::ConstantOp::create(b, loc, init);
  Value acc = linalg::FillOp::create(b, loc, initValue, empty).getResult(0);
  SmallVector<AffineMap> maps{AffineMap::get(rank, 0, inExprs, ctx),
                              AffineMap::get(rank, 0, outExprs, ctx)};
  Value result =
      linalg::GenericOp::create(
          b, loc, accType, input, acc, maps, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            linalg::YieldOp::create(nb, nl, combine(nb, nl, args));
          })
          .getResult(0);
  if (!keepDims)
    return result;
  // Re-insert the reduced axes as size 1.
  nn::Shape keptShape = nn::reducedShape(inType.getShape(), axes, true);
  auto keptType = RankedTensorType::get(keptShape, inType.getElementType());
  // Each kept axis groups with the reduced (size-1) axes around it; reduced
  // axes before the first kept one join its group. No kept axis: rank 0.
  SmallVector<ReassociationIndices> reassociation;
  ReassociationIndices leading;
  for (int64_t i = 0; i < rank; ++i) {
    if (!llvm::is_contained(axes, i)) {
      ReassociationIndices group = leading;
      leading.clear();
      group.push_back(i);
      reassociation.push_back(group);
    } else if (reassociation.empty()) {
      leading.push_back(i);
    } else {
      reassociation.back().push_back(i);
    }
  }
  return tensor::ExpandShapeOp::create(b, loc, keptType, result,
                                       reassociation);
}

Value padImage(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> before,
               ArrayRef<int64_t> extent, ArrayRef<int64_t> strides,
               double value) {
  auto type = cast<RankedTensorType>(x.getType());
  ArrayRef<int64_t> shape = type.getShape();
  if (before[0] == 0 && before[1] == 0 && extent[0] == shape[1] &&
      extent[1] == shape[2])
    return x;
  auto paddedType = RankedTensorType::get(
      {shape[0], extent[0], extent[1], shape[3]}, type.getElementType());
  Value empty = emptyTensor(b, loc, paddedType, {x});
  Value fill =
      floatConst(b, loc, type.getElementType(), value);
  Value filled = linalg::FillOp::create(b, loc, fill, empty).getResult(0);
  SmallVector<OpFoldResult> offsets{b.getIndexAttr(0), b.getIndexAttr(before[0]),
                                    b.getIndexAttr(before[1]),
                                    b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < 4; ++i)
    sizes.push_back(type.isDynamicDim(i)
                        ? OpFoldResult(tensor::DimOp::create(b, loc, x, i)
                                           .getResult())
                        : OpFoldResult(b.getIndexAttr(shape[i])));
  SmallVector<OpFoldResult> steps{b.getIndexAttr(1), b.getIndexAttr(strides[0]),
                                  b.getIndexAttr(strides[1]),
                                  b.getIndexAttr(1)};
  return tensor::InsertSliceOp::create(b, loc, x, filled, offsets, sizes,
                                       steps);
}

Value zeroedMatmul(OpBuilder &b, Location loc, RankedTensorType resultType,
                   Value lhs, Value rhs) {
  // Rows from lhs, columns from rhs (both may be dynamic in gradients:
  // x^T dy has the batch as its reduction, d(x^T) = W dy^T its columns).
  SmallVector<Value> dynamic;
  if (resultType.isDynamicDim(0))
    dynamic.push_back(tensor::DimOp::create(b, loc, lhs, 0));
  if (resultType.isDynamicDim(1))
    dynamic.push_back(tensor::DimOp::create(b, loc, rhs, 1));
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType(), dynamic);
  Value zero = floatConst(b, loc, resultType.getElementType(), 0.0);
  Value acc = linalg::FillOp::create(b, loc, zero, init).getResult(0);
  return linalg::MatmulOp::create(b, loc, TypeRange{resultType},
                                  ValueRange{lhs, rhs}, ValueRange{acc})
      .getResult(0);
}

} // namespace nnc
