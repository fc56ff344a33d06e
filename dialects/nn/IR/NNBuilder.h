//===- NNBuilder.h - building nn arithmetic at one location -----*- C++ -*-===//
//
// Gradient rules, the loss expansion and the training step all write small
// formulas in nn ops; this keeps them readable (`b.sub(one, b.mul(y, y))`)
// and keeps constants consistent: a number is a rank-0 arith.constant of the
// element type it meets, broadcast by the op that uses it.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_IR_NNBUILDER_H
#define NNC_DIALECTS_NN_IR_NNBUILDER_H

#include "dialects/nn/IR/NNOps.h"

#include "mlir/IR/Builders.h"

namespace nnc::nn {

struct NNBuilder {
  mlir::OpBuilder &b;
  mlir::Location loc;

  static mlir::Type elementType(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType()).getElementType();
  }
  /// A rank-0 constant of `like`'s element type.
  mlir::Value cst(mlir::Value like, double v) {
    auto t = mlir::RankedTensorType::get({}, elementType(like));
    return mlir::arith::ConstantOp::create(
        b, loc, t,
        mlir::DenseElementsAttr::get(t, b.getFloatAttr(elementType(like), v)));
  }
  /// `v` in every element of `like`'s type.
  mlir::Value filled(mlir::Value like, double v) {
    mlir::Value c = cst(like, v);
    return mlir::cast<mlir::RankedTensorType>(like.getType()).getRank() == 0
               ? c
               : BroadcastOp::create(b, loc, c, like).getResult();
  }
  mlir::Value add(mlir::Value x, mlir::Value y) { return AddOp::create(b, loc, x, y); }
  mlir::Value sub(mlir::Value x, mlir::Value y) { return SubOp::create(b, loc, x, y); }
  mlir::Value mul(mlir::Value x, mlir::Value y) { return MulOp::create(b, loc, x, y); }
  mlir::Value div(mlir::Value x, mlir::Value y) { return DivOp::create(b, loc, x, y); }
  mlir::Value pow(mlir::Value x, mlir::Value y) { return PowOp::create(b, loc, x, y); }
  mlir::Value neg(mlir::Value x) { return NegOp::create(b, loc, x); }
  mlir::Value exp(mlir::Value x) { return ExpOp::create(b, loc, x); }
  mlir::Value log(mlir::Value x) { return LogOp::create(b, loc, x); }
  mlir::Value sqrt(mlir::Value x) { return SqrtOp::create(b, loc, x); }
  mlir::Value abs(mlir::Value x) { return AbsOp::create(b, loc, x); }
  mlir::Value step(mlir::Value x) { return StepOp::create(b, loc, x); }
  /// One-hot rows from class indices held as floats, (batch, 1) ->
  /// (batch, classes): 1 - step(|t - j| - 1/2), which is 1 exactly where
  /// the index is j. Elementwise with broadcasting, so it fuses into what
  /// reads it (no one-hot array is stored) and carries no gradient.
  mlir::Value oneHot(mlir::Value labels, int64_t classes) {
    mlir::Type elt = elementType(labels);
    auto rowType = mlir::RankedTensorType::get({classes}, elt);
    llvm::SmallVector<mlir::Attribute> js;
    for (int64_t j = 0; j < classes; ++j)
      js.push_back(b.getFloatAttr(elt, static_cast<double>(j)));
    mlir::Value row = mlir::arith::ConstantOp::create(
        b, loc, rowType, mlir::DenseElementsAttr::get(rowType, js));
    mlir::Value off = sub(abs(sub(labels, row)), cst(labels, 0.5));
    return sub(cst(labels, 1.0), step(off));
  }
  /// Sum, mean or max over `axes` (all when empty).
  mlir::Value sum(mlir::Value x, llvm::ArrayRef<int64_t> axes, bool keepdims) {
    return ReduceSumOp::create(b, loc, x, axesAttr(axes), keep(keepdims));
  }
  mlir::Value mean(mlir::Value x, llvm::ArrayRef<int64_t> axes, bool keepdims) {
    return ReduceMeanOp::create(b, loc, x, axesAttr(axes), keep(keepdims));
  }
  mlir::Value max(mlir::Value x, llvm::ArrayRef<int64_t> axes, bool keepdims) {
    return ReduceMaxOp::create(b, loc, x, axesAttr(axes), keep(keepdims));
  }

private:
  mlir::DenseI64ArrayAttr axesAttr(llvm::ArrayRef<int64_t> axes) {
    return axes.empty() ? nullptr : b.getDenseI64ArrayAttr(axes);
  }
  mlir::UnitAttr keep(bool k) { return k ? b.getUnitAttr() : nullptr; }
};

} // namespace nnc::nn

#endif // NNC_DIALECTS_NN_IR_NNBUILDER_H
