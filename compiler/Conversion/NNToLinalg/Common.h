//===- Common.h - helpers shared by the nn-to-linalg patterns ---*- C++ -*-===//
//
// The building blocks every op family uses: an empty destination tensor whose
// dynamic sizes come from the operands, a broadcasting elementwise generic
// (NumPy broadcasting becomes indexing maps), and a reduction generic.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_CONVERSION_NNTOLINALG_COMMON_H
#define NNC_COMPILER_CONVERSION_NNTOLINALG_COMMON_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace nnc {

using ScalarBody = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange args)>;

/// tensor.empty of `type`; each dynamic size is read (tensor.dim) from the
/// first of `sources` that has a dynamic size at the right-aligned position.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type,
                        mlir::ValueRange sources);

/// A linalg.generic computing `body(operands...)` elementwise into a tensor
/// of `resultType`, broadcasting operands NumPy-style.
mlir::Value elementwise(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType resultType,
                        mlir::ValueRange operands, ScalarBody body,
                        mlir::ValueRange sizeSources = {});

/// A linalg.generic reducing `input` over the (normalised, sorted) `axes`
/// with `combine(element, accumulator)`, starting from `init`. The result has
/// the reduced axes dropped (or kept as size 1 with `keepDims`).
mlir::Value reduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                   llvm::ArrayRef<int64_t> axes, bool keepDims,
                   mlir::TypedAttr init, ScalarBody combine);

/// -inf of float type `type`: the identity of a max reduction.
/// body(full[i...], reduced[i... without axis]) for every element of `full`:
/// combines a tensor with a statistic reduced along `axis` (keepdims=false).
mlir::Value alongAxis(mlir::OpBuilder &b, mlir::Location loc, mlir::Value full,
                      mlir::Value reduced, int64_t axis, ScalarBody body);

/// `x` ([batch, H, W, C]) with `pads` = [top, bottom, left, right] rows and
/// columns of `value` around it, placed every `strides` = [sh, sw] elements
/// (1, 1: plain padding; more: the zero-interleaved gradient of a strided
/// convolution). `extent` = [height, width] of the result.
mlir::Value padImage(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                     llvm::ArrayRef<int64_t> before,
                     llvm::ArrayRef<int64_t> extent,
                     llvm::ArrayRef<int64_t> strides, double value);

/// lhs @ rhs as linalg.matmul into a zero-filled accumulator of
/// `resultType` (its dynamic rows read from lhs).
mlir::Value zeroedMatmul(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType resultType, mlir::Value lhs,
                         mlir::Value rhs);

mlir::TypedAttr negativeInfinity(mlir::OpBuilder &b, mlir::Type type);

/// A scalar float constant of `type`.
mlir::Value floatConst(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                       double value);

} // namespace nnc

#endif // NNC_COMPILER_CONVERSION_NNTOLINALG_COMMON_H
