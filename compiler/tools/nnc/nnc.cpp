//===- nnc.cpp - the nnc compiler driver ----------------------------------===//
//
// Reads a .nn file and either prints the stage named by --emit or builds an
// artifact: a linked executable (default), an object plus C header (-c) or a
// shared library (--shared). Every failure maps to one exit code:
//
//   0  success
//   1  the .nn file has errors (reported as file:line:col diagnostics)
//   2  bad command line
//   3  a file could not be read or written
//   4  internal compiler error (a bug in nnc, never a user mistake)
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/CPUPipeline.h"
#include "compiler/Pipelines/CUDAPipeline.h"
#include "compiler/Pipelines/TrainingPipeline.h"
#include "compiler/Target/DeviceModule.h"
#include "compiler/Target/Emitter.h"
#include "compiler/Target/Manifest.h"
#include "compiler/tools/nnc/GradCheck.h"
#include "compiler/tools/nnc/Link.h"
#include "compiler/Frontend/AST.h"
#include "compiler/Frontend/Lexer.h"
#include "compiler/Frontend/MLIRGen.h"
#include "compiler/Frontend/Parser.h"
#include "compiler/Frontend/Sema.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Threading.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"
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

enum class Stage {
  AST, NN, Grad, Linalg, Fused, Loops, GPU, MLIRLLVM, PTX, LLVM, Asm, Obj, None
};

enum class Target { CPU, CUDA };

cl::OptionCategory nncCategory("nnc options");

cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<model.nn>"),
                                   cl::Required, cl::cat(nncCategory));

cl::opt<std::string> outputFilename(
    "o", cl::desc("Output file (default: - for --emit, else the input's stem)"),
    cl::value_desc("file"), cl::init(""), cl::cat(nncCategory));

cl::opt<Stage> emitStage(
    "emit", cl::desc("Print one stage instead of building an artifact"),
    cl::init(Stage::None),
    cl::values(
        clEnumValN(Stage::AST, "ast", "the checked syntax tree"),
        clEnumValN(Stage::NN, "nn", "the nn dialect"),
        clEnumValN(Stage::Grad, "grad",
                   "nn IR with train/eval entry points and gradients"),
        clEnumValN(Stage::Linalg, "linalg",
                   "linalg/tensor/arith/math on tensors"),
        clEnumValN(Stage::Fused, "fused",
                   "after fusion and tile-and-fuse (tensors)"),
        clEnumValN(Stage::Loops, "loops", "bufferized scf loops on memrefs"),
        clEnumValN(Stage::GPU, "gpu",
                   "host functions launching one GPU kernel per loop nest "
                   "(--target=cuda)"),
        clEnumValN(Stage::MLIRLLVM, "mlir-llvm", "the LLVM dialect"),
        clEnumValN(Stage::PTX, "ptx", "the kernels' PTX (--target=cuda)"),
        clEnumValN(Stage::LLVM, "llvm", "LLVM IR with the artifact ABI"),
        clEnumValN(Stage::Asm, "asm", "target assembly"),
        clEnumValN(Stage::Obj, "obj", "an object file (same as -c)")),
    cl::cat(nncCategory));

cl::opt<bool> compileOnly("c",
                          cl::desc("Write an object file and a C header"),
                          cl::init(false), cl::cat(nncCategory));

cl::opt<bool> buildShared("shared",
                          cl::desc("Write a shared library the runtime loads"),
                          cl::init(false), cl::cat(nncCategory));

cl::opt<Target> target(
    "target",
    cl::desc("Devices the artifact runs on (the CPU always; cuda adds "
             "PTX kernels for NVIDIA GPUs, chosen at run time by --device)"),
    cl::init(Target::CPU),
    cl::values(clEnumValN(Target::CPU, "cpu", "the host CPU only"),
               clEnumValN(Target::CUDA, "cuda",
                          "the host CPU and CUDA GPUs")),
    cl::cat(nncCategory));

cl::opt<std::string> gpuArch(
    "gpu-arch",
    cl::desc("GPU architecture of the PTX (sm_90 default; sm_80, sm_86, "
             "sm_89)"),
    cl::init("sm_90"), cl::cat(nncCategory));

cl::opt<std::string> targetCPU("target-cpu",
                               cl::desc("CPU to generate code for "
                                        "(default: the host's)"),
                               cl::init(""), cl::cat(nncCategory));

cl::opt<std::string> targetFeatures(
    "target-features",
    cl::desc("Target features, e.g. +avx2,+fma (default: the host's)"),
    cl::init(""), cl::cat(nncCategory));

/// -O2 by default: measured on the course models (docs/driver.md), -O3
/// compiles slower and its code is no faster (the physics-informed step is
/// a third slower).
cl::opt<unsigned> optLevel("O",
                           cl::desc("LLVM optimization level (0-3; default 2)"),
                           cl::Prefix, cl::init(2), cl::cat(nncCategory));

cl::opt<std::string> runtimeDir(
    "runtime-dir",
    cl::desc("Where libnnrt.a is (default: ../lib next to nnc)"),
    cl::init(""), cl::cat(nncCategory));

cl::opt<bool> gradCheck(
    "gradcheck",
    cl::desc("Compare the compiled gradients of the train section's loss "
             "with central finite differences (f64): an element passes when "
             "|derived - fd| <= atol + rtol * |fd|"),
    cl::init(false), cl::cat(nncCategory));

cl::opt<double> gradCheckRtol(
    "gradcheck-rtol",
    cl::desc("Relative part of --gradcheck's bound (default 1e-6)"),
    cl::init(1e-6), cl::cat(nncCategory));

cl::opt<double> gradCheckAtol(
    "gradcheck-atol",
    cl::desc("Absolute part of --gradcheck's bound, for gradients near zero "
             "(default 1e-8)"),
    cl::init(1e-8), cl::cat(nncCategory));

cl::opt<bool> exactMath(
    "exact-math",
    cl::desc("Call libm for exp, log and tanh instead of inlining polynomial "
             "approximations (slower; errors in docs/numerics.md)"),
    cl::init(false), cl::cat(nncCategory));

cl::opt<int64_t> minParallelWork(
    "min-parallel-work",
    cl::desc("Estimated work (operations) from which a parallel kernel runs "
             "on the runtime's thread pool (for tuning; default 65536)"),
    cl::init(0), cl::Hidden, cl::cat(nncCategory));

cl::opt<int64_t> reductionBlock(
    "reduction-block",
    cl::desc("One block for the reduction loop of every weight gradient, "
             "whatever its output's size (for tuning; 0 keeps the default)"),
    cl::init(0), cl::Hidden, cl::cat(nncCategory));

cl::opt<bool> noLocations("no-locations",
                          cl::desc("Print IR without source locations"),
                          cl::init(false), cl::cat(nncCategory));

} // namespace

/// The target machine the command line asks for (the micro-kernels are
/// sized for it, and the emitter compiles for it).
static EmitOptions targetOptions() {
  EmitOptions options;
  options.targetCPU = targetCPU;
  options.targetFeatures = targetFeatures;
  options.optLevel = optLevel;
  return options;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // LLVM's own --time-passes also times the MLIR pipeline (below): one
  // report of where compile time goes, MLIR passes first.
  if (cl::Option *o = cl::getRegisteredOptions().lookup("time-passes")) {
    o->setDescription("Print the time each MLIR and LLVM pass takes");
    o->addCategory(nncCategory);
    o->setHiddenFlag(cl::NotHidden);
  }
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

  bool printing = emitStage != Stage::None;
  if (printing && (compileOnly || buildShared)) {
    llvm::errs() << "nnc: error: --emit prints one stage; it cannot be "
                    "combined with -c or --shared\n";
    return kUsageError;
  }
  if (compileOnly && buildShared) {
    llvm::errs() << "nnc: error: choose one of -c and --shared\n";
    return kUsageError;
  }
  if (optLevel > 3) {
    llvm::errs() << "nnc: error: -O takes 0 to 3\n";
    return kUsageError;
  }
  bool cuda = target == Target::CUDA;
  if ((emitStage == Stage::GPU || emitStage == Stage::PTX) && !cuda) {
    llvm::errs() << "nnc: error: --emit=gpu and --emit=ptx need "
                    "--target=cuda\n";
    return kUsageError;
  }
  if (!isSupportedGPUArch(gpuArch)) {
    llvm::errs() << "nnc: error: unsupported --gpu-arch '" << gpuArch
                 << "' (sm_80, sm_86, sm_89 or sm_90)\n";
    return kUsageError;
  }
  std::string outPath = outputFilename;
  if (outPath.empty()) {
    if (printing) {
      outPath = "-";
    } else if (inputFilename == "-") {
      llvm::errs() << "nnc: error: name the output with -o when the model "
                      "comes from standard input\n";
      return kUsageError;
    } else {
      outPath = llvm::sys::path::stem(inputFilename).str() +
                (compileOnly ? ".o" : buildShared ? ".so" : "");
    }
  }

  std::string error;
  if (emitStage == Stage::AST) {
    auto output = mlir::openOutputFile(outPath, &error);
    if (!output) {
      llvm::errs() << "nnc: error: " << error << "\n";
      return kIOError;
    }
    ast::dump(*module, sourceMgr, output->os());
    output->keep();
    return kSuccess;
  }

  mlir::DialectRegistry registry;
  registerCPUPipelineDialects(registry);
  registerCUDAPipelineDialects(registry);
  mlir::MLIRContext context(registry);
  // Diagnostics name the .nn line; a dump of the failing op would only
  // show MLIR internals to the user.
  context.printOpOnDiagnostic(false);
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

  // Training entry points and gradients first: --emit=grad and
  // --gradcheck stop after them.
  if (emitStage != Stage::NN) {
    mlir::PassManager pm(&context);
    if (llvm::TimePassesIsEnabled)
      pm.enableTiming();
    buildTrainingPipeline(pm);
    if (mlir::failed(pm.run(*ir)))
      return kInputError; // diagnostics name the .nn line
  }
  if (gradCheck)
    return runGradCheck(*ir, gradCheckAtol, gradCheckRtol, /*seed=*/1,
                        llvm::outs(),
                        llvm::errs());
  CPUStage cpuStage = emitStage == Stage::Linalg  ? CPUStage::Linalg
                      : emitStage == Stage::Fused ? CPUStage::Fused
                      : emitStage == Stage::Loops || emitStage == Stage::GPU
                          ? CPUStage::Loops
                          : CPUStage::LLVM;
  CUDAPipelineOptions cudaOptions;
  cudaOptions.arch = gpuArch;
  cudaOptions.approximateMath = !exactMath;
  // The GPU stages alone when one is printed; an artifact gets both.
  bool deviceOnly = cuda && emitStage != Stage::None &&
                    emitStage != Stage::LLVM && emitStage != Stage::Asm &&
                    emitStage != Stage::Obj;
  mlir::OwningOpRef<mlir::ModuleOp> deviceIR;
  if (emitStage != Stage::NN && emitStage != Stage::Grad) {
    if (mlir::failed(checkArtifactElementTypes(*ir)))
      return kInputError;
    if (llvm::none_of(ir->getOps<mlir::func::FuncOp>(),
                      [](mlir::func::FuncOp f) {
                        return f->hasAttr(nn::kModelAttr);
                      })) {
      llvm::errs() << "nnc: error: '" << inputFilename
                   << "' declares no model to compile\n";
      return kInputError;
    }
    setSourceAttribute(*ir, llvm::sys::path::filename(inputFilename), buffer);
    mlir::PassManager pm(&context);
    if (llvm::TimePassesIsEnabled)
      pm.enableTiming();
    CPUPipelineOptions cpuOptions =
        cpuOptionsForVectorBits(targetVectorBits(targetOptions()));
    cpuOptions.approximateMath = !exactMath;
    cpuOptions.minParallelWork = minParallelWork;
    if (reductionBlock > 0)
      cpuOptions.reductionBlock = cpuOptions.smallOutputReductionBlock =
          reductionBlock;
    if (cuda && !deviceOnly)
      deviceIR = mlir::cast<mlir::ModuleOp>((*ir)->clone());
    if (deviceOnly)
      buildCUDAPipeline(pm, cpuStage, cudaOptions);
    else
      buildCPUPipeline(pm, cpuStage, cpuOptions);
    if (mlir::failed(pm.run(*ir))) {
      llvm::errs() << "nnc: internal error: lowering failed; please report "
                      "this with the .nn file\n";
      return kInternalError;
    }
  }
  if (deviceIR) {
    mlir::PassManager pm(&context);
    if (llvm::TimePassesIsEnabled)
      pm.enableTiming();
    buildCUDAPipeline(pm, CPUStage::LLVM, cudaOptions);
    if (mlir::failed(pm.run(*deviceIR))) {
      llvm::errs() << "nnc: internal error: lowering for CUDA failed; please "
                      "report this with the .nn file\n";
      return kInternalError;
    }
  }
  if (emitStage == Stage::PTX) {
    auto output = mlir::openOutputFile(outPath, &error);
    if (!output) {
      llvm::errs() << "nnc: error: " << error << "\n";
      return kIOError;
    }
    output->os() << collectPTX(*ir);
    output->keep();
    return kSuccess;
  }

  bool mlirStage = emitStage == Stage::NN || emitStage == Stage::Grad ||
                   emitStage == Stage::Linalg ||
                   emitStage == Stage::Fused || emitStage == Stage::Loops ||
                   emitStage == Stage::GPU || emitStage == Stage::MLIRLLVM;
  if (mlirStage) {
    auto output = mlir::openOutputFile(outPath, &error);
    if (!output) {
      llvm::errs() << "nnc: error: " << error << "\n";
      return kIOError;
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

  // The ABI as the export step wrote it, after the whole pipeline.
  std::optional<ArtifactABI> abi = readArtifactABI(*ir);
  if (!abi || abi->entries.empty()) {
    llvm::errs() << "nnc: internal error: the pipeline exported no entry "
                    "point; please report this with the .nn file\n";
    return kInternalError;
  }
  if (deviceIR && !mergeDeviceModule(*ir, *deviceIR, "cuda", gpuArch, *abi,
                                     error)) {
    llvm::errs() << "nnc: " << error << "\n";
    return kInternalError;
  }
  EmitOptions options = targetOptions();
  options.artifactName = abi->entries.front().model;
  options.emitMain = emitStage == Stage::None && !compileOnly && !buildShared;
  options.sharedAlias = buildShared;

  if (printing || compileOnly) {
    OutputKind kind = emitStage == Stage::LLVM  ? OutputKind::LLVMIR
                      : emitStage == Stage::Asm ? OutputKind::Assembly
                                                : OutputKind::Object;
    auto output = mlir::openOutputFile(outPath, &error);
    if (!output) {
      llvm::errs() << "nnc: error: " << error << "\n";
      return kIOError;
    }
    if (!emitArtifact(*ir, *abi, options, kind, output->os(), error)) {
      llvm::errs() << "nnc: internal error: " << error << "\n";
      return kInternalError;
    }
    if (compileOnly && outPath != "-") {
      llvm::SmallString<128> header(outPath);
      llvm::sys::path::replace_extension(header, ".h");
      auto h = mlir::openOutputFile(header, &error);
      if (!h) {
        llvm::errs() << "nnc: error: " << error << "\n";
        return kIOError;
      }
      h->os() << generateHeader(abi->entries, options.artifactName);
      h->keep();
    }
    output->keep();
    return kSuccess;
  }

  // An executable or a shared library: objects in temporary files (the
  // code generated on every core, emitArtifactObjects), then the system's
  // C compiler driver as the linker.
  std::vector<llvm::SmallString<0>> code;
  if (!emitArtifactObjects(*ir, *abi, options,
                           llvm::hardware_concurrency().compute_thread_count(),
                           code, error)) {
    llvm::errs() << "nnc: internal error: " << error << "\n";
    return kInternalError;
  }
  std::vector<TempObject> objects(code.size());
  LinkRequest link{{}, outPath, buildShared,
                   runtimeDir.empty() ? defaultRuntimeDir(argv[0])
                                      : std::string(runtimeDir)};
  for (auto [object, bytes] : llvm::zip(objects, code)) {
    if (!object.create(error)) {
      llvm::errs() << "nnc: error: " << error << "\n";
      return kIOError;
    }
    object.stream() << bytes;
    object.close();
    link.objects.push_back(object.path());
  }
  if (!runLinker(link, error)) {
    llvm::errs() << "nnc: error: " << error << "\n";
    return kIOError;
  }
  return kSuccess;
}
