//===- FuzzFrontend.cpp - libFuzzer target: the .nn front end -------------===//
//
// Any bytes as a .nn file: lex, parse, Sema, MLIRGen, verify, then the
// training passes. Diagnostics are expected; a crash, a sanitizer report,
// or IR that MLIRGen produced and that does not verify (the driver's
// "internal error") is a finding.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/MLIRGen.h"
#include "compiler/Pipelines/CPUPipeline.h"
#include "compiler/Pipelines/TrainingPipeline.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry;
    nnc::registerCPUPipelineDialects(*r);
    return r;
  }();
  mlir::MLIRContext ctx(*registry, mlir::MLIRContext::Threading::DISABLED);
  ctx.printOpOnDiagnostic(false);
  llvm::SourceMgr sm;
  sm.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.nn"),
      llvm::SMLoc());
  std::string sink;
  llvm::raw_string_ostream os(sink);
  nnc::DiagnosticEngine diags(sm, os);
  mlir::SourceMgrDiagnosticHandler handler(sm, &ctx, os);
  mlir::OwningOpRef<mlir::ModuleOp> ir =
      nnc::generateMLIRFromSource(ctx, diags);
  if (!ir)
    return 0;
  if (mlir::failed(mlir::verify(*ir)))
    std::abort(); // MLIRGen made invalid IR: a compiler bug
  mlir::PassManager pm(&ctx);
  nnc::buildTrainingPipeline(pm);
  (void)pm.run(*ir); // failures are diagnostics at the .nn line
  return 0;
}
