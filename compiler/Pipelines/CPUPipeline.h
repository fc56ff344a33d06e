//===- CPUPipeline.h - nn to the LLVM dialect for the host CPU --*- C++ -*-===//
//
// The pass pipeline is split at the stages `nnc --emit` can stop after, so
// that each stage a user can print is exactly what the next one consumes.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_PIPELINES_CPUPIPELINE_H
#define NNC_COMPILER_PIPELINES_CPUPIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

namespace nnc {

/// Where `buildCPUPipeline` stops.
enum class CPUStage {
  Linalg,  ///< linalg on tensors, straight out of convert-nn-to-linalg
  Fused,   ///< after fusion, in-place epilogues and tile-and-fuse (tensors)
  Loops,   ///< bufferized, scf loops over memrefs
  LLVM,    ///< the LLVM dialect, ready for translation
};

struct CPUPipelineOptions {
  int64_t tileRows = 16;
  int64_t tileCols = 64;
  /// Reduction-loop blocks of weight gradients (nnc-tile-and-fuse-
  /// contractions' reduction-block, and small-output-reduction-block for
  /// outputs up to 256 KiB).
  int64_t reductionBlock = 256;
  int64_t smallOutputReductionBlock = 64;
  /// Rows per tile of a row-wise reduction chain (softmax, losses):
  /// nnc-tile-and-fuse-reductions. Not tied to the micro-kernel's rows.
  int64_t reductionTileRows = 16;
  /// The contraction micro-kernel (nnc-vectorize-contractions): vector
  /// register width, rows of C and vectors per row.
  int64_t vectorBits = 256;
  int64_t microRows = 6;
  int64_t microCols = 2;
  /// Output positions per micro-kernel of an implicit convolution
  /// (nnc-lower-implicit-convolutions), at most: its groups are as large
  /// as the register file allows, since the kernel's vectors come from L2.
  int64_t convRows = 6;
  /// Inline polynomial exp, log and tanh (nnc-approximate-math).
  bool approximateMath = true;
  /// The work estimate from which a kernel runs on the thread pool
  /// (nnc-outline-kernels); the default is kMinParallelWork.
  int64_t minParallelWork = 0;
};

/// Tile and micro-kernel sizes for a CPU whose vector registers are
/// `vectorBits` wide (128, 256 or 512).
CPUPipelineOptions cpuOptionsForVectorBits(unsigned vectorBits);

/// Registers every dialect and interface implementation the pipeline needs
/// (bufferization and tiling models, LLVM translation interfaces).
void registerCPUPipelineDialects(mlir::DialectRegistry &registry);

/// Adds the passes that take nn IR (after the training prefix,
/// TrainingPipeline.h) to `stage`.
void buildCPUPipeline(mlir::OpPassManager &pm, CPUStage stage,
                      const CPUPipelineOptions &options = {});

/// Canonicalize and CSE.
void addCleanup(mlir::OpPassManager &pm);

/// The artifact's functions kept, nn to linalg on tensors: the first stage
/// of both devices' pipelines (CPUStage::Linalg). With
/// `implicitConvolutions` (the CPU's), unit-stride convolutions and their
/// kernel gradients read the input in place instead of a window copy.
void buildLinalgStage(mlir::OpPassManager &pm,
                      bool implicitConvolutions = false);

/// The device-independent fusion on tensors: transposes folded into
/// contractions, elementwise chains fused, dead inputs reused as outputs.
void buildTensorFusion(mlir::OpPassManager &pm);

/// Results to caller-owned arguments, one-shot bufferization, explicit
/// deallocation, copies as linalg: the stage both devices share after
/// their tensor-level fusion.
void buildBuffersStage(mlir::OpPassManager &pm);

/// Contractions on tensors in plain functions (no nn attributes) through the
/// same tiling, bufferization, micro-kernel and lowering passes as
/// buildCPUPipeline: what benchmarks/gemm times.
void buildContractionKernelPipeline(mlir::OpPassManager &pm,
                                    const CPUPipelineOptions &options);

/// Registers `nnc-contraction-kernels` (buildContractionKernelPipeline) and
/// `nnc-cpu-pipeline` (the training prefix, then everything to
/// the LLVM dialect) for nnc-opt.
void registerCPUPipeline();

} // namespace nnc

#endif // NNC_COMPILER_PIPELINES_CPUPIPELINE_H
