//===- LoopBuilding.h - small helpers for passes that write loop nests -*- C++ -*-===//
//
// The loop-writing passes on buffers (nnc-vectorize-contractions,
// nnc-lower-implicit-kernel-gradients) build the same few things: index
// constants, `x + constant`, and scf.for loops whose body a callback fills.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_TRANSFORMS_LOOPBUILDING_H
#define NNC_COMPILER_TRANSFORMS_LOOPBUILDING_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace nnc {

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

} // namespace nnc

#endif // NNC_COMPILER_TRANSFORMS_LOOPBUILDING_H
