//===- InlineCalls.h - cloning a function body in place of a call -*- C++ -*-===//
//
// Training entry points and gradient bodies need the model's ops in front of
// them, not a call: autodiff walks ops, and fusion works within one body.
// nn functions are single-block and non-recursive, so inlining is cloning.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_TRANSFORMS_INLINECALLS_H
#define NNC_COMPILER_TRANSFORMS_INLINECALLS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace nnc {

/// Clones `f`'s body at the builder's insertion point with its arguments
/// bound to `args`; calls to functions of `symbols` are inlined the same
/// way, also inside regions. Returns the values `f` returns.
llvm::SmallVector<mlir::Value> inlineFunc(mlir::OpBuilder &b,
                                          mlir::func::FuncOp f,
                                          mlir::ValueRange args,
                                          mlir::SymbolTable &symbols);

/// Clones `op` at the builder's insertion point; when it is a call to a
/// function of `symbols` (or contains such calls in its regions), the
/// callee's body is cloned instead. Maps the results in `map`.
void cloneInlining(mlir::OpBuilder &b, mlir::Operation &op,
                   mlir::IRMapping &map, mlir::SymbolTable &symbols);

} // namespace nnc

#endif
