//===- DeviceModule.h - one artifact for the CPU and a GPU ------*- C++ -*-===//
//
// `nnc --target=cuda` compiles the model twice from the same nn IR: the
// CPU pipeline and the CUDA pipeline (whose entries are `<symbol>_cuda`,
// labelled `<label>@cuda`). This merges the second, lowered to the LLVM
// dialect, into the first, so that one artifact (one executable) serves
// both devices and the runtime chooses at run time (`--device`).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_TARGET_DEVICEMODULE_H
#define NNC_COMPILER_TARGET_DEVICEMODULE_H

#include "compiler/Target/Manifest.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace nnc {

/// Moves everything `device` (an LLVM-dialect module from the pipeline for
/// `deviceName`) defines into `host`, renaming what would clash; appends
/// its entries to `abi` and names the device and `arch` in `abi.manifest`
/// ("devices": ["cpu", "cuda"], "cuda_arch"). Fails with `error` when an
/// entry's buffers differ between the two (an internal error: both come
/// from the same bufferized signatures).
bool mergeDeviceModule(mlir::ModuleOp host, mlir::ModuleOp device,
                       const std::string &deviceName, const std::string &arch,
                       ArtifactABI &abi, std::string &error);

} // namespace nnc

#endif // NNC_COMPILER_TARGET_DEVICEMODULE_H
