//===- KernelBuilding.h - helpers for passes that write micro-kernels -*- C++ -*-===//
//
// The passes that write micro-kernels on buffers (nnc-vectorize-contractions,
// nnc-lower-implicit-convolutions, nnc-lower-implicit-kernel-gradients)
// match the same multiply-add bodies and build the same few things: index
// constants, `x + constant`, and scf.for loops whose body a callback fills.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_TRANSFORMS_KERNELBUILDING_H
#define NNC_COMPILER_TRANSFORMS_KERNELBUILDING_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace nnc {

/// A body that is exactly `out + in0 * in1` on floats (no casts).
inline bool isMulAdd(mlir::linalg::GenericOp op) {
  mlir::Block &body = op.getRegion().front();
  if (body.getOperations().size() != 3 || body.getNumArguments() != 3)
    return false;
  auto mul = llvm::dyn_cast<mlir::arith::MulFOp>(&body.front());
  if (!mul)
    return false;
  auto add = llvm::dyn_cast<mlir::arith::AddFOp>(mul->getNextNode());
  auto yield = llvm::dyn_cast<mlir::linalg::YieldOp>(body.getTerminator());
  if (!add || !yield || yield.getValues().size() != 1 ||
      yield.getValues()[0] != add.getResult())
    return false;
  mlir::Value x = body.getArgument(0), y = body.getArgument(1),
              acc = body.getArgument(2);
  bool mulOfInputs = (mul.getLhs() == x && mul.getRhs() == y) ||
                     (mul.getLhs() == y && mul.getRhs() == x);
  bool addsAcc = (add.getLhs() == acc && add.getRhs() == mul.getResult()) ||
                 (add.getRhs() == acc && add.getLhs() == mul.getResult());
  return mulOfInputs && addsAcc;
}

inline mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc,
                                 int64_t v) {
  return mlir::arith::ConstantIndexOp::create(b, loc, v);
}

/// `x + y`, or x itself when y is 0.
inline mlir::Value addConstant(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value x, int64_t y) {
  return y == 0 ? x
                : mlir::arith::AddIOp::create(b, loc, x,
                                              indexConstant(b, loc, y))
                      .getResult();
}

/// An scf.for without iter_args whose body `body` writes, given the
/// induction variable (the builder's insertion point is restored after).
inline mlir::scf::ForOp
buildForLoop(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lb,
             mlir::Value ub, mlir::Value step,
             llvm::function_ref<void(mlir::Value)> body) {
  auto loop = mlir::scf::ForOp::create(b, loc, lb, ub, step);
  mlir::OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  body(loop.getInductionVar());
  return loop;
}

/// An scf.for from lb to ub (step 1) carrying `acc`, whose body `body`
/// writes and returns the next values, given the induction variable and the
/// carried ones (the builder's insertion point is restored after).
inline mlir::scf::ForOp buildAccumulatingLoop(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value lb, mlir::Value ub,
    mlir::ValueRange acc,
    llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value,
                                                      mlir::ValueRange)>
        body) {
  auto loop = mlir::scf::ForOp::create(b, loc, lb, ub,
                                       indexConstant(b, loc, 1), acc);
  mlir::OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  llvm::SmallVector<mlir::Value> next =
      body(loop.getInductionVar(), loop.getRegionIterArgs());
  mlir::scf::YieldOp::create(b, loc, next);
  return loop;
}

/// A vector of `type` loaded from `memref` at `idx`; where `mask` is set,
/// only its lanes are read and the others are zero.
inline mlir::Value loadVector(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::VectorType type, mlir::Value memref,
                              mlir::ValueRange idx, mlir::Value mask) {
  if (!mask)
    return mlir::vector::LoadOp::create(b, loc, type, memref, idx);
  mlir::Value zero = mlir::arith::ConstantOp::create(
      b, loc, type,
      mlir::DenseElementsAttr::get(type,
                                   b.getZeroAttr(type.getElementType())));
  return mlir::vector::MaskedLoadOp::create(b, loc, type, memref, idx, mask,
                                            zero);
}

/// The columns [0, n) of a micro-kernel nest in blocks of `block` (a
/// multiple of `width`), then single vectors of `width` under a mask for
/// the columns left: `body(j0, vectors, mask)`, mask null for full blocks.
inline void buildColumnBlocks(
    mlir::OpBuilder &b, mlir::Location loc, int64_t n, int64_t block,
    int64_t width,
    llvm::function_ref<void(mlir::Value, int64_t, mlir::Value)> body) {
  int64_t full = n / block * block;
  auto cst = [&](int64_t v) { return indexConstant(b, loc, v); };
  if (full > 0)
    buildForLoop(b, loc, cst(0), cst(full), cst(block), [&](mlir::Value j0) {
      body(j0, block / width, nullptr);
    });
  if (full < n)
    buildForLoop(b, loc, cst(full), cst(n), cst(width), [&](mlir::Value j0) {
      mlir::Value left = mlir::arith::SubIOp::create(b, loc, cst(n), j0);
      mlir::Value mask = mlir::vector::CreateMaskOp::create(
          b, loc, mlir::VectorType::get({width}, b.getI1Type()),
          mlir::ValueRange{left});
      body(j0, 1, mask);
    });
}

/// Whether `op`'s loops are `parallel` parallel ones followed by
/// `reductions` reductions, nothing else.
inline bool hasIterators(mlir::linalg::GenericOp op, unsigned parallel,
                         unsigned reductions) {
  llvm::SmallVector<mlir::utils::IteratorType> it =
      op.getIteratorTypesArray();
  if (it.size() != parallel + reductions)
    return false;
  for (auto [k, t] : llvm::enumerate(it))
    if (t != (k < parallel ? mlir::utils::IteratorType::parallel
                           : mlir::utils::IteratorType::reduction))
      return false;
  return true;
}

} // namespace nnc

#endif // NNC_COMPILER_TRANSFORMS_KERNELBUILDING_H
