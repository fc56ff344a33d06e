//===- GradCheck.h - nnc --gradcheck ----------------------------*- C++ -*-===//

#ifndef NNC_COMPILER_TOOLS_NNC_GRADCHECK_H
#define NNC_COMPILER_TOOLS_NNC_GRADCHECK_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace nnc {

/// Compares every gradient entry of `module` (after the training pipeline)
/// with central finite differences in f64. An element passes when
/// |derived - fd| <= atol + rtol * |fd| (PyTorch's gradcheck criterion: the
/// absolute part keeps gradients that are zero up to rounding from
/// failing on relative error alone). Prints per parameter the worst element
/// (its index, both values, and its error over the bound). Returns the
/// driver's exit code: 0 when all pass, 1 when one does not or there is
/// nothing to check.
int runGradCheck(mlir::ModuleOp module, double atol, double rtol,
                 uint64_t seed, llvm::raw_ostream &out,
                 llvm::raw_ostream &err);

} // namespace nnc

#endif
