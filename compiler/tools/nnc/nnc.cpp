//===- nnc.cpp - the nnc compiler driver ----------------------------------===//
//
// Reads a .nn file and runs the pipeline up to the stage named by --emit,
// printing that stage. Every failure maps to one exit code:
//
//   0  success
//   1  the .nn file has errors (reported as file:line:col diagnostics)
//   2  bad command line
//   3  a file could not be read or written
//   4  internal compiler error (a bug in nnc, never a user mistake)
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"
#include "compiler/Frontend/AST.h"
#include "compiler/Frontend/Lexer.h"
#include "compiler/Frontend/MLIRGen.h"
#include "compiler/Frontend/Parser.h"
#include "compiler/Frontend/Sema.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace nnc;
namespace cl = llvm::cl;

namespace {

enum ExitCode : int {
  kSuccess = 0,
  kInputError = 1,
  kUsageError = 2,
  kIOError = 3,
  kInternalError = 4,
};

enum class Stage { AST, NN, Linalg };

cl::OptionCategory nncCategory("nnc options");

cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<model.nn>"),
                                   cl::Required, cl::cat(nncCategory));

cl::opt<std::string> outputFilename("o", cl::desc("Output file (default: -)"),
                                    cl::value_desc("file"), cl::init("-"),
                                    cl::cat(nncCategory));

cl::opt<Stage> emitStage(
    "emit", cl::desc("The stage to print"), cl::init(Stage::NN),
    cl::values(clEnumValN(Stage::AST, "ast", "the checked syntax tree"),
               clEnumValN(Stage::NN, "nn", "the nn dialect"),
               clEnumValN(Stage::Linalg, "linalg",
                          "linalg/tensor/arith/math on tensors")),
    cl::cat(nncCategory));

cl::opt<bool> noLocations("no-locations",
                          cl::desc("Print IR without source locations"),
                          cl::init(false), cl::cat(nncCategory));

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(nncCategory);
  if (!cl::ParseCommandLineOptions(argc, argv,
                                   "nnc: compiles .nn neural-network models\n",
                                   &llvm::errs()))
    return kUsageError;

  auto fileOrErr = llvm::MemoryBuffer::getFileOrSTDIN(inputFilename,
                                                      /*IsText=*/true);
  if (std::error_code ec = fileOrErr.getError()) {
    llvm::errs() << "nnc: error: cannot read '" << inputFilename
                 << "': " << ec.message() << "\n";
    return kIOError;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*fileOrErr), llvm::SMLoc());
  DiagnosticEngine diags(sourceMgr);

  llvm::StringRef buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer();
  Lexer lexer(buffer, diags);
  Parser parser(lexer, diags);
  std::unique_ptr<ast::Module> module = parser.parseModule();
  SemaResult sema = analyze(*module, diags);
  if (diags.hadErrors())
    return kInputError;

  std::string error;
  auto output = mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "nnc: error: " << error << "\n";
    return kIOError;
  }

  if (emitStage == Stage::AST) {
    ast::dump(*module, sourceMgr, output->os());
    output->keep();
    return kSuccess;
  }

  mlir::MLIRContext context;
  // Op diagnostics (verifier failures) print with the .nn source line.
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> ir =
      generateMLIR(context, *module, sema, diags);
  if (!ir)
    return kInputError;
  if (mlir::failed(mlir::verify(*ir))) {
    llvm::errs() << "nnc: internal error: the generated nn IR does not "
                    "verify; please report this with the .nn file\n";
    return kInternalError;
  }
  if (emitStage == Stage::Linalg) {
    mlir::PassManager pm(&context);
    pm.addPass(nnc::createConvertNNToLinalg());
    if (mlir::failed(pm.run(*ir))) {
      llvm::errs() << "nnc: internal error: lowering to linalg failed; "
                      "please report this with the .nn file\n";
      return kInternalError;
    }
  }
  mlir::OpPrintingFlags flags;
  // Locations print inline, next to each op, rather than as #loc aliases
  // collected at the end: the point is to read which .nn line made an op.
  if (!noLocations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false)
        .useLocalScope();
  ir->print(output->os(), flags);
  output->keep();
  return kSuccess;
}
