//===- Manifest.h - what an artifact says about itself ----------*- C++ -*-===//
//
// Every artifact embeds a JSON manifest (format documented in
// docs/artifacts.md): its entry points with the order and shapes of their
// buffers, the parameters with their initialisers, the layer table, the
// training settings, the source's SHA-256 and the compiler version. The
// runtime needs nothing else to load, initialise and run a model.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_TARGET_MANIFEST_H
#define NNC_COMPILER_TARGET_MANIFEST_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace nnc {

inline constexpr unsigned kArtifactABIVersion = 1;

/// One buffer of an entry point: the runtime passes its data pointer.
struct BufferSpec {
  /// "input", "target", "param", "state", "hyper" or "output"
  std::string role;
  std::string name;
  std::vector<int64_t> shape; // -1: the batch dimension
};

/// One exported function: `void symbol(int64_t batch, void **buffers)`.
struct EntrySpec {
  std::string model;    // the model's name
  std::string function; // the function in the module that the entry runs
  std::string kind;     // "infer", "train", "eval" or "def"
  std::string name;     // a def entry's def (`g` of `def g(x) = ...`)
  std::string symbol;   // exported C symbol
  /// How the artifact's descriptor names it: "iris.train", "u.def.g".
  std::string label() const {
    return model + "." + kind + (name.empty() ? "" : "." + name);
  }
  std::vector<BufferSpec> buffers;
};

/// The runtime, its data files and weights are f32: a model with f64
/// tensors is reported at the .nn location of its first f64 argument or
/// result (instead of an artifact whose buffers the runtime misreads).
mlir::LogicalResult checkArtifactElementTypes(mlir::ModuleOp module);

/// Entry points for every nn.model function of an nn-level module.
std::vector<EntrySpec> collectEntries(mlir::ModuleOp module);

/// The manifest JSON for `module` (nn level, before any lowering).
std::string buildManifest(mlir::ModuleOp module,
                          const std::vector<EntrySpec> &entries,
                          llvm::StringRef sourceName,
                          llvm::StringRef sourceText);

} // namespace nnc

#endif // NNC_COMPILER_TARGET_MANIFEST_H
