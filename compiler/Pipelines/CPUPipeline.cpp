//===- CPUPipeline.cpp - nn to the LLVM dialect for the host CPU ---------===//
//
//   nn (after the training prefix, TrainingPipeline.cpp)
//      ──keep-artifact-functions, convert-nn-to-linalg──▶ linalg on tensors
//      ──elementwise fusion, in-place epilogues, tile-and-fuse of
//        contractions and of row reductions──▶ fused
//      ──results-to-arguments, one-shot bufferize, deallocation,
//        linalg-to-loops, export-artifact, outline- and
//        deduplicate-kernels──▶ loops (+ entry wrappers and the manifest,
//        one function per distinct kernel)
//      ──scf/arith/math/memref/func to LLVM──▶ LLVM dialect
//
// Vector code comes from LLVM's loop vectorizer at the target's width: the
// loops this pipeline produces have unit-stride innermost loops and no
// reductions there (see ContractionLoopOrder), which is what it needs.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines/CPUPipeline.h"
#include "compiler/Pipelines/TrainingPipeline.h"

#include "compiler/Conversion/Passes.h"
#include "compiler/Target/Passes.h"
#include "compiler/Transforms/Passes.h"
#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/IR/TensorTilingInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void nnc::registerCPUPipelineDialects(DialectRegistry &registry) {
  registry.insert<nn::NNDialect, func::FuncDialect, arith::ArithDialect,
                  math::MathDialect, linalg::LinalgDialect,
                  tensor::TensorDialect, bufferization::BufferizationDialect,
                  memref::MemRefDialect, scf::SCFDialect,
                  affine::AffineDialect, cf::ControlFlowDialect,
                  index::IndexDialect, vector::VectorDialect,
                  LLVM::LLVMDialect>();
  func::registerInlinerExtension(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerTilingInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerTilingInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

nnc::CPUPipelineOptions nnc::cpuOptionsForVectorBits(unsigned vectorBits) {
  CPUPipelineOptions o;
  o.vectorBits = vectorBits;
  // Accumulators + the row of B + one broadcast must fit the register file:
  // 16 registers below AVX-512 (6 x 2 + 2 + 1), 32 with it (12 x 2 + 2 + 1:
  // 12 broadcasts share each vector of B; against 8 x 2, the CIFAR CNN's
  // convolution products ran 5-15 % faster, conv1's kernel gradient 87 ->
  // 120 GFLOP/s, the MLP's within noise, benchmarks/README.md). The cache
  // tile holds whole micro-kernels: rows a multiple of microRows, columns a
  // multiple of the 2-vector block.
  // An implicit convolution's micro-kernel takes as many positions as
  // the registers hold ((32 - 2 - 2) / 2 = 14 with AVX-512): each vector of
  // the kernel, read from L2 (conv2's is 74 KB), then serves one more FMA
  // per position. The CIFAR CNN's conv2 (13 positions a row) ran at 60 % of
  // the FMA peak as groups of 7 and 6, 71 % as one group of 13.
  if (vectorBits >= 512) {
    o.microRows = 12;
    o.convRows = 14;
    o.tileRows = 48;
    o.reductionTileRows = 16;
  } else {
    o.microRows = 6;
    o.convRows = 6;
    o.tileRows = 12;
    o.reductionTileRows = 12;
  }
  o.microCols = 2;
  o.tileCols = 64;
  return o;
}

void nnc::addCleanup(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void nnc::buildLinalgStage(OpPassManager &pm, bool implicitConvolutions) {
  pm.addPass(nnc::createKeepArtifactFunctions());
  pm.addPass(nnc::createConvertNNToLinalg(
      {/*implicitKernelGradients=*/implicitConvolutions,
       /*implicitConvolutions=*/implicitConvolutions}));
  nnc::addCleanup(pm);
}

void nnc::buildTensorFusion(OpPassManager &pm) {
  // Fusion on tensors, while use-def chains still show what feeds what.
  pm.addNestedPass<func::FuncOp>(nnc::createFoldTransposesIntoContractions());
  pm.addNestedPass<func::FuncOp>(nnc::createFuseElementwise());
  pm.addNestedPass<func::FuncOp>(nnc::createReuseInputAsOutput());
  nnc::addCleanup(pm);
}

/// One-shot bufferization of whole modules, identity layouts at function
/// boundaries (the artifact ABI passes plain row-major buffers).
static void addBufferize(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // A scan's carried state is a new value each step (the step reads the
  // old one while computing it): its loop yields a new temporary, and the
  // deallocation pipeline frees the previous one.
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
}

/// Buffers to loops: contractions as register-blocked micro-kernels, every
/// other linalg op as plain loops.
static void addKernelLoops(OpPassManager &pm,
                           const nnc::CPUPipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(nnc::createLowerImplicitConvolutions(
      {options.vectorBits, options.convRows, options.microCols}));
  pm.addNestedPass<func::FuncOp>(nnc::createLowerImplicitKernelGradients(
      {options.vectorBits, options.microRows, options.microCols}));
  pm.addNestedPass<func::FuncOp>(nnc::createVectorizeContractions(
      {options.vectorBits, options.microRows, options.microCols}));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  // Scans' loops fetch the next step's rows while computing this one's.
  pm.addNestedPass<func::FuncOp>(nnc::createPrefetchSequenceSteps());
  nnc::addCleanup(pm);
}

/// Loops, vectors and memrefs to the LLVM dialect (the last stage of the
/// CPU pipeline, shared with the kernel benchmark's pipeline).
static void addLLVMLowering(OpPassManager &pm,
                            const nnc::CPUPipelineOptions &options) {
  pm.addPass(nnc::createStripNNAttributes());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  if (options.approximateMath)
    pm.addPass(nnc::createApproximateMath());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  // Temporaries come from the runtime's per-thread arena
  // (runtime/src/Scratch.cpp), not from malloc.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(nnc::createMarkNoAlias());
  pm.addPass(nnc::createDispatchParallelKernels());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  nnc::addCleanup(pm);
}

void nnc::buildBuffersStage(OpPassManager &pm) {
  // Buffers: caller-owned arguments for inputs, parameters and outputs;
  // everything else is a temporary with an explicit lifetime.
  pm.addPass(nnc::createSplitSharedInits());
  pm.addPass(nnc::createResultsToArguments());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  addBufferize(pm);
  // Loops that update a buffer in place now return it unchanged; folding
  // them shows the output argument itself is returned, which is dropped.
  nnc::addCleanup(pm);
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  pm.addPass(nnc::createCheckInPlaceUpdates());
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addNestedPass<func::FuncOp>(nnc::createLowerCopies());
}

void nnc::buildCPUPipeline(OpPassManager &pm, CPUStage stage,
                           const CPUPipelineOptions &options) {
  // Convolutions and their kernel gradients read the input in place
  // (nnc-lower-implicit-convolutions and
  // nnc-lower-implicit-kernel-gradients, below).
  buildLinalgStage(pm, /*implicitConvolutions=*/true);
  if (stage == CPUStage::Linalg)
    return;

  buildTensorFusion(pm);
  pm.addNestedPass<func::FuncOp>(nnc::createTileAndFuseContractions(
      {options.tileRows, options.tileCols, options.reductionBlock,
       options.smallOutputReductionBlock}));
  pm.addNestedPass<func::FuncOp>(
      nnc::createTileAndFuseReductions({options.reductionTileRows}));
  pm.addNestedPass<func::FuncOp>(nnc::createContractionLoopOrder());
  nnc::addCleanup(pm);
  if (stage == CPUStage::Fused)
    return;

  buildBuffersStage(pm);
  addKernelLoops(pm, options);
  // The signatures are final: the entry wrappers and the manifest.
  pm.addPass(nnc::createExportArtifact());
  // One function per kernel: LLVM's cost grows faster than linearly in
  // the size of a function.
  OutlineKernelsOptions outline;
  if (options.minParallelWork > 0)
    outline.minParallelWork = options.minParallelWork;
  pm.addPass(nnc::createOutlineKernels(outline));
  pm.addPass(nnc::createDeduplicateKernels());
  // The work estimates of parallel kernels fold, and so do the branches
  // on them where the shapes are static.
  nnc::addCleanup(pm);
  if (stage == CPUStage::Loops)
    return;

  addLLVMLowering(pm, options);
}

void nnc::buildContractionKernelPipeline(OpPassManager &pm,
                                        const CPUPipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(nnc::createFoldTransposesIntoContractions());
  pm.addNestedPass<func::FuncOp>(nnc::createTileAndFuseContractions(
      {options.tileRows, options.tileCols, options.reductionBlock,
       options.smallOutputReductionBlock}));
  pm.addNestedPass<func::FuncOp>(nnc::createContractionLoopOrder());
  nnc::addCleanup(pm);
  addBufferize(pm);
  nnc::addCleanup(pm);
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  addKernelLoops(pm, options);
  addLLVMLowering(pm, options);
}

namespace {
struct KernelPipelineOptions
    : PassPipelineOptions<KernelPipelineOptions> {
  Option<int64_t> vectorBits{*this, "vector-bits",
                             llvm::cl::desc("Vector register width in bits"),
                             llvm::cl::init(256)};
  // For tuning experiments; 0 keeps cpuOptionsForVectorBits' choice.
  Option<int64_t> microRows{*this, "micro-rows", llvm::cl::init(0)};
  Option<int64_t> microCols{*this, "micro-cols", llvm::cl::init(0)};
  Option<int64_t> convRows{*this, "conv-rows", llvm::cl::init(0)};
  Option<int64_t> tileRows{*this, "tile-rows", llvm::cl::init(0)};
  Option<int64_t> tileCols{*this, "tile-cols", llvm::cl::init(0)};
  Option<int64_t> reductionBlock{*this, "reduction-block",
                                 llvm::cl::init(0)};
  Option<int64_t> smallOutputReductionBlock{
      *this, "small-output-reduction-block", llvm::cl::init(0)};
};
} // namespace

void nnc::registerCPUPipeline() {
  PassPipelineRegistration<KernelPipelineOptions>(
      "nnc-contraction-kernels",
      "Contractions on tensors to the LLVM dialect, as the CPU pipeline "
      "compiles them (benchmarks/gemm)",
      [](OpPassManager &pm, const KernelPipelineOptions &o) {
        CPUPipelineOptions options = cpuOptionsForVectorBits(o.vectorBits);
        if (o.microRows)
          options.microRows = o.microRows;
        if (o.microCols)
          options.microCols = o.microCols;
        if (o.convRows)
          options.convRows = o.convRows;
        if (o.tileRows)
          options.tileRows = o.tileRows;
        if (o.tileCols)
          options.tileCols = o.tileCols;
        if (o.reductionBlock)
          options.reductionBlock = o.reductionBlock;
        if (o.smallOutputReductionBlock)
          options.smallOutputReductionBlock = o.smallOutputReductionBlock;
        buildContractionKernelPipeline(pm, options);
      });
  PassPipelineRegistration<>(
      "nnc-cpu-pipeline", "Lower nn IR to the LLVM dialect for the host CPU",
      [](OpPassManager &pm) {
        buildTrainingPipeline(pm);
        buildCPUPipeline(pm, CPUStage::LLVM);
      });
}
