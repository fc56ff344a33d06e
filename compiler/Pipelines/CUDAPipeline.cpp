//===- CUDAPipeline.cpp - nn to host code that launches PTX kernels -------===//
//
//   nn (after the training prefix, TrainingPipeline.cpp)
//      ──keep-artifact-functions, convert-nn-to-linalg──▶ linalg on tensors
//      ──fold-transposes, elementwise fusion, in-place epilogues──▶ fused
//      ──results-to-arguments, bufferize, deallocation (as on the CPU),
//        parallel-dims-first,
//        linalg-to-parallel-loops, export-artifact (entries `_cuda`),
//        map-loops-to-gpu──▶ host functions launching one kernel per loop
//        nest (--emit=gpu)
//      ──kernel outlining, merge-kernel-modules, approximate-math, NVVM in each kernel module;
//        the host lowered as on the CPU, gpu-to-llvm, gpu-module-to-binary
//        as PTX──▶ host LLVM dialect with the kernels' PTX embedded
//        (gpu.binary)
//
// The host code calls the `mgpu*` functions of MLIR's GPU runtime ABI
// (module load, launch, streams, allocation); nnc's runtime implements
// them over the CUDA driver API it loads at run time
// (runtime/src/cuda/), so artifacts link against no CUDA library. The PTX
// is JIT-compiled by the driver when a model first runs on a GPU.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/CUDAPipeline.h"
#include "compiler/Pipelines/TrainingPipeline.h"

#include "compiler/Conversion/Passes.h"
#include "compiler/Target/Passes.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUCommon/GPUToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"

#include <cstdlib>

using namespace mlir;

std::string nnc::findLibdevice() {
  SmallVector<std::string> roots;
  if (const char *home = std::getenv("CUDA_HOME"))
    roots.push_back(home);
  roots.push_back("/usr/local/cuda");
  for (const std::string &root : roots) {
    std::string path = root + "/nvvm/libdevice/libdevice.10.bc";
    if (llvm::sys::fs::exists(path))
      return path;
  }
  return "";
}

bool nnc::isSupportedGPUArch(llvm::StringRef arch) {
  return arch == "sm_80" || arch == "sm_86" || arch == "sm_89" ||
         arch == "sm_90";
}

void nnc::registerCUDAPipelineDialects(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, NVVM::NVVMDialect, ub::UBDialect>();
  // convert-gpu-to-nvvm lowers a kernel's ops through their dialects'
  // ConvertToLLVMPatternInterface.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  gpu::registerConvertGpuToLLVMInterface(registry);
  registerGPUDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  registerNVVMDialectTranslation(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
}

void nnc::buildCUDAPipeline(OpPassManager &pm, CPUStage stage,
                            const CUDAPipelineOptions &options) {
  buildLinalgStage(pm);
  if (stage == CPUStage::Linalg)
    return;

  // The device-independent fusions: fewer, larger kernels.
  buildTensorFusion(pm);
  if (stage == CPUStage::Fused)
    return;

  buildBuffersStage(pm);
  pm.addNestedPass<func::FuncOp>(nnc::createParallelDimsFirst());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  nnc::addCleanup(pm);
  ExportArtifactOptions exportOptions;
  exportOptions.device = "cuda";
  pm.addPass(nnc::createExportArtifact(exportOptions));
  pm.addNestedPass<func::FuncOp>(
      nnc::createMapLoopsToGPU({options.blockSize}));
  nnc::addCleanup(pm);
  if (stage == CPUStage::Loops)
    return;

  pm.addPass(nnc::createStripNNAttributes());
  // Kernels: outlined into one gpu.module each, lowered to NVVM there.
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(nnc::createMergeKernelModules());
  if (options.approximateMath)
    pm.addPass(nnc::createApproximateMath());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.arch;
  target.features = options.ptxFeatures;
  target.optLevel = 3;
  // sqrt, pow and fma (the polynomials' own) become libdevice calls; linked
  // here, the PTX is self-contained and ptxas checks it. Without a toolkit
  // the calls stay external and the driver's JIT resolves them (measured on
  // an H100, driver 580).
  if (!options.libdevice.empty())
    target.linkLibs.push_back(options.libdevice);
  pm.addPass(createGpuNVVMAttachTarget(target));
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());

  // The host: as on the CPU (temporaries from the runtime's allocation
  // functions, which serve device memory while a CUDA entry runs,
  // runtime/src/Scratch.cpp), and launches as calls to the mgpu* ABI.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa"; // PTX text, JIT-compiled by the driver
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createReconcileUnrealizedCastsPass());
  nnc::addCleanup(pm);
}

std::string nnc::collectPTX(ModuleOp module) {
  std::string out;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute a : binary.getObjects()) {
      auto object = dyn_cast<gpu::ObjectAttr>(a);
      if (!object)
        continue;
      out += "// kernel module " + binary.getName().str() + "\n";
      out += object.getObject().getValue().str();
      if (!out.empty() && out.back() != '\n')
        out += '\n';
    }
  });
  return out;
}

void nnc::registerCUDAPipeline() {
  PassPipelineRegistration<>(
      "nnc-cuda-pipeline",
      "Lower nn IR to host LLVM dialect launching PTX kernels (sm_90)",
      [](OpPassManager &pm) {
        buildTrainingPipeline(pm);
        buildCUDAPipeline(pm, CPUStage::LLVM);
      });
}
