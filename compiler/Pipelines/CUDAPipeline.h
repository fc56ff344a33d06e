//===- CUDAPipeline.h - nn to host code that launches PTX kernels -*- C++ -*-===//
//
// The GPU path shares the CPU path's stages up to linalg on tensors and its
// elementwise fusion, then keeps loop nests whole (no CPU cache tiling or
// micro-kernels) and maps each to a kernel. See CUDAPipeline.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_PIPELINES_CUDAPIPELINE_H
#define NNC_COMPILER_PIPELINES_CUDAPIPELINE_H

#include "compiler/Pipelines/CPUPipeline.h"

#include <string>

namespace nnc {

/// The CUDA toolkit's libdevice ($CUDA_HOME, else /usr/local/cuda), or "".
std::string findLibdevice();

struct CUDAPipelineOptions {
  /// The GPU architecture the PTX is generated for (sm_80, sm_90, ...).
  std::string arch = "sm_90";
  /// The PTX ISA version: 8.0 is what CUDA 12.0 drivers and later JIT.
  std::string ptxFeatures = "+ptx80";
  /// Threads per block of the elementwise and row kernels.
  int64_t blockSize = 256;
  /// The same inline polynomials for exp, log and tanh as on the CPU, so
  /// that both devices round alike (and no libdevice is needed).
  bool approximateMath = true;
  /// libdevice.10.bc to link into every kernel module ("" for none).
  std::string libdevice = findLibdevice();
};

/// The GPU architectures `--gpu-arch` accepts.
bool isSupportedGPUArch(llvm::StringRef arch);

/// Registers what buildCUDAPipeline needs beyond the CPU pipeline's
/// dialects: gpu, nvvm, their LLVM translations and the NVVM target.
void registerCUDAPipelineDialects(mlir::DialectRegistry &registry);

/// Adds the passes that take nn IR (after the training prefix) to `stage`:
/// Linalg and Fused as on the CPU, Loops = host functions with gpu.launch
/// ops, LLVM = host LLVM dialect with the kernels' PTX in gpu.binary ops.
/// The entries are exported as `<symbol>_cuda` (labels `<label>@cuda`).
void buildCUDAPipeline(mlir::OpPassManager &pm, CPUStage stage,
                       const CUDAPipelineOptions &options = {});

/// The PTX of every gpu.binary in `module` (after the LLVM stage), in
/// order, each preceded by a comment line naming its kernel module.
std::string collectPTX(mlir::ModuleOp module);

/// Registers `nnc-cuda-pipeline` (the training prefix, then everything to
/// the LLVM dialect) for nnc-opt.
void registerCUDAPipeline();

} // namespace nnc

#endif // NNC_COMPILER_PIPELINES_CUDAPIPELINE_H
