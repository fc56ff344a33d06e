//===- Emitter.cpp - LLVM IR, assembly and objects in process -------------===//
//
// The entry wrappers and the manifest already exist (nnc-export-artifact);
// this adds the descriptor that lists them, keeps everything else internal
// to the artifact, and runs LLVM.
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/Emitter.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringSet.h"

#include <numeric>
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/Analysis/TargetTransformInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/StandardInstrumentations.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Timer.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/Transforms/Utils/SplitModule.h"

using namespace llvm;

namespace {

GlobalVariable *cString(Module &m, StringRef s, const Twine &name) {
  Constant *init = ConstantDataArray::getString(m.getContext(), s, true);
  auto *g = new GlobalVariable(m, init->getType(), true,
                               GlobalValue::PrivateLinkage, init, name);
  g->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return g;
}

/// struct nnc_artifact { u32 abi; ptr manifest; u32 n; ptr names; ptr fns; }
GlobalVariable *addDescriptor(Module &m,
                              const std::vector<nnc::EntrySpec> &entries,
                              const std::string &manifest,
                              const std::string &name) {
  LLVMContext &ctx = m.getContext();
  Type *i32 = Type::getInt32Ty(ctx);
  PointerType *ptr = PointerType::getUnqual(ctx);
  SmallVector<Constant *> names, fns;
  for (const nnc::EntrySpec &e : entries) {
    names.push_back(cString(m, e.label(), "nnc.entry.name"));
    fns.push_back(m.getFunction(e.symbol));
  }
  auto arrayOf = [&](ArrayRef<Constant *> elems, const Twine &n) {
    auto *t = ArrayType::get(ptr, elems.size());
    return new GlobalVariable(m, t, true, GlobalValue::PrivateLinkage,
                              ConstantArray::get(t, elems), n);
  };
  auto *type = StructType::get(ctx, {i32, ptr, i32, ptr, ptr});
  Constant *init = ConstantStruct::get(
      type, {ConstantInt::get(i32, nnc::kArtifactABIVersion),
             cString(m, manifest, "nnc.manifest"),
             ConstantInt::get(i32, entries.size()),
             arrayOf(names, "nnc.entry.names"), arrayOf(fns, "nnc.entries")});
  return new GlobalVariable(m, type, true, GlobalValue::ExternalLinkage, init,
                            "nnc_artifact_" + name);
}

/// int main(int argc, char **argv) { return nnrt_cli_main(argc, argv, &A); }
void addMain(Module &m, GlobalVariable *descriptor) {
  LLVMContext &ctx = m.getContext();
  Type *i32 = Type::getInt32Ty(ctx);
  PointerType *ptr = PointerType::getUnqual(ctx);
  FunctionCallee cli = m.getOrInsertFunction(
      "nnrt_cli_main", FunctionType::get(i32, {i32, ptr, ptr}, false));
  Function *main = Function::Create(FunctionType::get(i32, {i32, ptr}, false),
                                    GlobalValue::ExternalLinkage, "main", m);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", main));
  b.CreateRet(
      b.CreateCall(cli, {main->getArg(0), main->getArg(1), descriptor}));
}

std::unique_ptr<TargetMachine> makeTargetMachine(const nnc::EmitOptions &o,
                                                 std::string &error) {
  static bool initialized = [] {
    InitializeNativeTarget();
    InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  // The artifact runs where it is built (the CPU may be chosen, the
  // triple is the host's).
  Triple triple(sys::getDefaultTargetTriple());
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = o.targetCPU.empty() ? sys::getHostCPUName().str()
                                        : o.targetCPU;
  std::string features = o.targetFeatures;
  if (features.empty() && o.targetCPU.empty()) {
    SubtargetFeatures f;
    for (auto &kv : sys::getHostCPUFeatures())
      f.AddFeature(kv.first(), kv.second);
    features = f.getString();
  }
  TargetOptions options;
  // a * b + c as one fused multiply-add where the CPU has it: the
  // contractions' inner loops are exactly that, and the fused form rounds
  // once (closer to the exact value, not farther). docs/numerics.md.
  options.AllowFPOpFusion = FPOpFusion::Fast;
  auto tm = std::unique_ptr<TargetMachine>(target->createTargetMachine(
      triple, cpu, features, options, Reloc::PIC_, std::nullopt,
      o.optLevel ? CodeGenOptLevel::Aggressive : CodeGenOptLevel::None));
  if (!tm)
    error = "cannot create a target machine for " + triple.str();
  return tm;
}

void optimize(Module &m, TargetMachine &tm, unsigned level) {
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PipelineTuningOptions tuning;
  tuning.LoopVectorization = level > 1;
  tuning.SLPVectorization = level > 1;
  // --time-passes (LLVM's option) times these passes too.
  PassInstrumentationCallbacks pic;
  StandardInstrumentations si(m.getContext(), /*DebugLogging=*/false);
  si.registerCallbacks(pic, &mam);
  PassBuilder pb(&tm, tuning, std::nullopt, &pic);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  OptimizationLevel ol = level == 0   ? OptimizationLevel::O0
                         : level == 1 ? OptimizationLevel::O1
                         : level == 2 ? OptimizationLevel::O2
                                      : OptimizationLevel::O3;
  ModulePassManager mpm = level == 0 ? pb.buildO0DefaultPipeline(ol)
                                     : pb.buildPerModuleDefaultPipeline(ol);
  mpm.run(m, mam);
}

} // namespace

namespace {

using namespace nnc;

/// The artifact as one LLVM module in `ctx`: the translation of `module`,
/// the entry points named and exported, everything else internal, the
/// descriptor (and `main`), verified, not yet optimized.
std::unique_ptr<Module> buildArtifactModule(mlir::ModuleOp module,
                                            const ArtifactABI &abi,
                                            const EmitOptions &options,
                                            TargetMachine &tm,
                                            LLVMContext &ctx,
                                            std::string &error) {
  // The manifest goes into the descriptor; the module attributes are not
  // LLVM IR.
  module->removeAttr(nnc::nn::kManifestAttr);
  module->removeAttr(nnc::nn::kSourceAttr);
  std::unique_ptr<Module> m = mlir::translateModuleToLLVMIR(module, ctx);
  if (!m) {
    error = "internal: translation to LLVM IR failed";
    return nullptr;
  }
  m->setTargetTriple(tm.getTargetTriple());
  m->setDataLayout(tm.createDataLayout());
  llvm::StringSet<> exported;
  for (const EntrySpec &e : abi.entries) {
    Function *f = m->getFunction(e.symbol);
    if (!f || f->arg_size() != 2) {
      error = "internal: entry point '" + e.symbol + "' is missing";
      return nullptr;
    }
    f->getArg(0)->setName("batch");
    f->getArg(1)->setName("buffers");
    exported.insert(e.symbol);
  }
  // Only the entry points and the descriptor are the artifact's symbols: a
  // model named `main` or `free` must not clash with the program it joins.
  for (Function &f : *m)
    if (!f.isDeclaration()) {
      f.addFnAttr("target-cpu", tm.getTargetCPU());
      f.addFnAttr("target-features", tm.getTargetFeatureString());
      if (!exported.contains(f.getName()))
        f.setLinkage(GlobalValue::InternalLinkage);
    }
  GlobalVariable *descriptor =
      addDescriptor(*m, abi.entries, abi.manifest, options.artifactName);
  if (options.sharedAlias)
    GlobalAlias::create("nnc_artifact", descriptor);
  if (options.emitMain)
    addMain(*m, descriptor);
  if (verifyModule(*m, &errs())) {
    error = "internal: the generated LLVM IR does not verify";
    return nullptr;
  }
  return m;
}

bool emitCode(Module &m, TargetMachine &tm, OutputKind kind,
              raw_pwrite_stream &os, std::string &error) {
  legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr,
                             kind == OutputKind::Assembly
                                 ? CodeGenFileType::AssemblyFile
                                 : CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit this file type";
    return false;
  }
  pm.run(m);
  return true;
}

/// The target machine and the artifact's module (in a context of its own;
/// the module goes first).
struct Artifact {
  std::unique_ptr<TargetMachine> tm;
  std::unique_ptr<LLVMContext> ctx;
  std::unique_ptr<Module> m;
};

std::optional<Artifact> prepareArtifact(mlir::ModuleOp module,
                                        const ArtifactABI &abi,
                                        const EmitOptions &options,
                                        std::string &error) {
  Artifact a;
  a.tm = makeTargetMachine(options, error);
  if (!a.tm)
    return std::nullopt;
  a.ctx = std::make_unique<LLVMContext>();
  a.m = buildArtifactModule(module, abi, options, *a.tm, *a.ctx, error);
  if (!a.m)
    return std::nullopt;
  return a;
}

} // namespace

bool nnc::emitArtifact(mlir::ModuleOp module, const ArtifactABI &abi,
                       const EmitOptions &options, OutputKind kind,
                       raw_pwrite_stream &os, std::string &error) {
  std::optional<Artifact> a = prepareArtifact(module, abi, options, error);
  if (!a)
    return false;
  Module *m = a->m.get();
  TargetMachine *tm = a->tm.get();
  optimize(*m, *tm, options.optLevel);
  if (kind == OutputKind::LLVMIR) {
    m->print(os, nullptr);
    return true;
  }
  return emitCode(*m, *tm, kind, os, error);
}

bool nnc::emitArtifactObjects(mlir::ModuleOp module, const ArtifactABI &abi,
                              const EmitOptions &options, unsigned threads,
                              std::vector<SmallString<0>> &objects,
                              std::string &error) {
  std::optional<Artifact> a = prepareArtifact(module, abi, options, error);
  if (!a)
    return false;
  Module *m = a->m.get();
  TargetMachine *tm = a->tm.get();
  unsigned defined = llvm::count_if(
      *m, [](const Function &f) { return !f.isDeclaration(); });
  unsigned parts = std::max(1u, std::min(threads, defined / kFunctionsPerPart));
  // A piece calls the kernels of another through hidden globals, which
  // LLVM's interprocedural passes (constants into arguments, dead
  // arguments) do not see through. That costs a few nanoseconds per
  // kernel call, a third of an iris step (2.0-2.2 against 2.4-2.7 us per
  // step, same run) and nothing measurable from a thousand parameters on
  // (the physics-informed model: 60 us per step either way).
  int64_t parameters = 0; // of the entry with the most
  for (const EntrySpec &e : abi.entries) {
    int64_t sum = 0;
    for (const BufferSpec &b : e.buffers)
      if (b.role == "param")
        sum += std::accumulate(b.shape.begin(), b.shape.end(), int64_t(1),
                               std::multiplies<int64_t>());
    parameters = std::max(parameters, sum);
  }
  if (parameters < kMinParametersToSplit)
    parts = 1;
  // --time-passes' timers are global: one piece then.
  if (parts == 1 || llvm::TimePassesIsEnabled) {
    objects.emplace_back();
    raw_svector_ostream os(objects.back());
    optimize(*m, *tm, options.optLevel);
    return emitCode(*m, *tm, OutputKind::Object, os, error);
  }

  // Pieces of whole functions, round robin by size; a function called
  // from another piece becomes a hidden global there. Each piece crosses
  // to its thread as bitcode: an LLVMContext is not shared between threads.
  std::vector<SmallString<0>> bitcode;
  SplitModule(
      *m, parts,
      [&](std::unique_ptr<Module> part) {
        bitcode.emplace_back();
        raw_svector_ostream os(bitcode.back());
        WriteBitcodeToFile(*part, os);
      },
      /*PreserveLocals=*/false, /*RoundRobin=*/true);
  objects.assign(bitcode.size(), {});
  std::vector<std::string> errors(bitcode.size());
  DefaultThreadPool pool(hardware_concurrency(parts));
  for (size_t i = 0; i < bitcode.size(); ++i)
    pool.async([&, i] {
      LLVMContext partCtx;
      Expected<std::unique_ptr<Module>> part = parseBitcodeFile(
          MemoryBufferRef(bitcode[i].str(), "piece"), partCtx);
      if (!part) {
        errors[i] = "internal: " + toString(part.takeError());
        return;
      }
      std::unique_ptr<TargetMachine> partTM =
          makeTargetMachine(options, errors[i]);
      if (!partTM)
        return;
      optimize(**part, *partTM, options.optLevel);
      raw_svector_ostream os(objects[i]);
      emitCode(**part, *partTM, OutputKind::Object, os, errors[i]);
    });
  pool.wait();
  for (const std::string &e : errors)
    if (!e.empty()) {
      error = e;
      return false;
    }
  return true;
}

std::string nnc::generateHeader(const std::vector<EntrySpec> &entries,
                                const std::string &artifactName) {
  std::string s;
  raw_string_ostream os(s);
  std::string guard = "NNC_ARTIFACT_" + StringRef(artifactName).upper() + "_H";
  os << "/* Generated by nnc: the entry points of artifact '" << artifactName
     << "'. Do not edit. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* The descriptor nnrt_model_open_linked() takes (see nnrt.h). */\n"
     << "struct nnc_artifact;\nextern const struct nnc_artifact nnc_artifact_"
     << artifactName << ";\n\n";
  for (const EntrySpec &e : entries) {
    os << "/* buffers[]: dense row-major arrays, batch = the first argument;\n"
       << " * a buffer the call writes (param, state, output) must not\n"
       << " * overlap any other:\n";
    for (auto [i, b] : llvm::enumerate(e.buffers)) {
      os << " *   [" << i << "] " << b.role << " " << b.name << " " << b.dtype
         << " (";
      for (auto [k, d] : llvm::enumerate(b.shape))
        os << (k ? ", " : "") << (d < 0 ? std::string("batch")
                                         : std::to_string(d));
      os << ")\n";
    }
    os << " */\nvoid " << e.symbol << "(int64_t batch, void **buffers);\n\n";
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return s;
}

unsigned nnc::targetVectorBits(const EmitOptions &options) {
  std::string error;
  std::unique_ptr<TargetMachine> tm = makeTargetMachine(options, error);
  if (!tm)
    return 128;
  if (!tm->getTargetTriple().isX86())
    return 128;
  const MCSubtargetInfo *sti = tm->getMCSubtargetInfo();
  if (sti->checkFeatures("+avx512f"))
    return 512;
  if (sti->checkFeatures("+avx"))
    return 256;
  return 128;
}
