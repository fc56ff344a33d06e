//===- GradCheck.h - nnc --gradcheck ----------------------------*- C++ -*-===//

#ifndef NNC_COMPILER_TOOLS_NNC_GRADCHECK_H
#define NNC_COMPILER_TOOLS_NNC_GRADCHECK_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace nnc {

/// Compares every gradient entry of `module` (after the training pipeline)
/// with central finite differences in f64 and prints the worst relative
/// error per parameter. Returns the driver's exit code: 0 when all are
/// below `tolerance`, 1 when one is not or there is nothing to check.
int runGradCheck(mlir::ModuleOp module, double tolerance, uint64_t seed,
                 llvm::raw_ostream &out, llvm::raw_ostream &err);

} // namespace nnc

#endif
