//===- Emitter.h - LLVM IR, assembly and objects in process -----*- C++ -*-===//
//
// Translates the LLVM-dialect module (whose entry wrappers and manifest
// nnc-export-artifact wrote), adds the artifact descriptor (optionally
// `main`),
// optimizes it for the target machine and writes LLVM IR, assembly or an
// object file. Nothing is shelled out: the TargetMachine is created here.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_TARGET_EMITTER_H
#define NNC_COMPILER_TARGET_EMITTER_H

#include "compiler/Target/Manifest.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace nnc {

enum class OutputKind { LLVMIR, Assembly, Object };

struct EmitOptions {
  std::string targetCPU;    ///< empty: the host CPU
  std::string targetFeatures; ///< empty: the host CPU's features
  unsigned optLevel = 3;
  std::string artifactName; ///< the descriptor is nnc_artifact_<name>
  bool emitMain = false;    ///< add main() calling nnrt_cli_main
  bool sharedAlias = false; ///< also export the descriptor as nnc_artifact
};

/// Writes `llvmDialectModule` (already lowered) as `kind` to `os`. On failure
/// returns false and sets `error` to a message for the user.
/// `abi` is readArtifactABI(llvmDialectModule); the module's nn attributes
/// are removed.
bool emitArtifact(mlir::ModuleOp llvmDialectModule, const ArtifactABI &abi,
                  const EmitOptions &options, OutputKind kind,
                  llvm::raw_pwrite_stream &os, std::string &error);

/// The functions per piece below which emitArtifactObjects uses fewer
/// threads: a piece's bitcode round trip and target machine cost more than
/// a few kernels' code generation.
inline constexpr unsigned kFunctionsPerPart = 16;

/// Models with fewer parameters stay one piece (Emitter.cpp says why).
inline constexpr int64_t kMinParametersToSplit = 1024;

/// The same artifact as object files to be linked together: the module is
/// cut into up to `threads` pieces of whole functions (one piece when it
/// has fewer than 2 * kFunctionsPerPart functions or fewer than
/// kMinParametersToSplit parameters), each optimized and compiled on a
/// thread of its own. What `nnc -o` and `--shared` link.
bool emitArtifactObjects(mlir::ModuleOp llvmDialectModule,
                         const ArtifactABI &abi, const EmitOptions &options,
                         unsigned threads,
                         std::vector<llvm::SmallString<0>> &objects,
                         std::string &error);

/// The width of the target CPU's vector registers in bits (512 with
/// AVX-512, 256 with AVX, else 128): what the contraction micro-kernels are
/// sized for.
unsigned targetVectorBits(const EmitOptions &options);

/// The C header that declares an object's artifact and typed entry points.
std::string generateHeader(const std::vector<EntrySpec> &entries,
                           const std::string &artifactName);

} // namespace nnc

#endif // NNC_COMPILER_TARGET_EMITTER_H
