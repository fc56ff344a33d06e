//===- Passes.h - the artifact's ABI ----------------------------*- C++ -*-===//

#ifndef NNC_COMPILER_TARGET_PASSES_H
#define NNC_COMPILER_TARGET_PASSES_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/Pass.h"

namespace nnc {

#define GEN_PASS_DECL
#include "compiler/Target/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Target/Passes.h.inc"

} // namespace nnc

#endif // NNC_COMPILER_TARGET_PASSES_H
