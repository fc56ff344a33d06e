//===- MLIRGen.h - elaborates a checked AST into the nn dialect -*- C++ -*-===//
//
// Walks the AST after Sema and builds one func.func per model (inputs, then
// parameters; marked nn.model), one per custom loss, and an nn.train_config
// per training section. Blocks and defs are instantiated inline with their
// arguments, so this is where hyper-parameter values and shapes become known
// and are checked; every such error cites the .nn location, the layer and the
// shapes involved. Every op carries a FileLineColLoc into the .nn file.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_FRONTEND_MLIRGEN_H
#define NNC_COMPILER_FRONTEND_MLIRGEN_H

#include "compiler/Frontend/AST.h"
#include "compiler/Frontend/Diagnostics.h"
#include "compiler/Frontend/Sema.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace nnc {

/// Returns null if an error was reported.
mlir::OwningOpRef<mlir::ModuleOp> generateMLIR(mlir::MLIRContext &context,
                                               const ast::Module &module,
                                               const SemaResult &sema,
                                               DiagnosticEngine &diags);

/// The whole front end on the main buffer of `diags`' source manager: lex,
/// parse, Sema and MLIRGen, for tools that need only the nn IR (the driver
/// stops between the stages for --emit=ast). Null if an error was reported.
mlir::OwningOpRef<mlir::ModuleOp> generateMLIRFromSource(
    mlir::MLIRContext &context, DiagnosticEngine &diags);

} // namespace nnc

#endif // NNC_COMPILER_FRONTEND_MLIRGEN_H
