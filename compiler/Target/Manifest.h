//===- Manifest.h - what an artifact says about itself ----------*- C++ -*-===//
//
// Every artifact embeds a JSON manifest (format documented in
// docs/artifacts.md): its entry points with the order, roles, shapes and
// element types of their buffers, the parameters with their initialisers,
// the layer table, the training settings, the source's SHA-256 and the
// compiler version. The runtime needs nothing else to load, initialise and
// run a model.
//
// One step owns this ABI: nnc-export-artifact (ExportArtifact.cpp) runs
// after bufferization, reads the final function signatures, writes the
// entry wrappers and stores the manifest on the module. Everything later
// (the emitter's descriptor, the C header) reads it back from there.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_TARGET_MANIFEST_H
#define NNC_COMPILER_TARGET_MANIFEST_H

#include "mlir/IR/BuiltinOps.h"

#include <optional>
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
  std::string dtype;          // "f32", ...
};

/// One exported function: `void symbol(int64_t batch, void **buffers)`.
struct EntrySpec {
  std::string model;  // the model's name
  std::string kind;   // "infer", "train", "eval" or "def"
  std::string name;   // a def entry's def (`g` of `def g(x) = ...`)
  std::string symbol; // exported C symbol
  std::string device; // "" (the CPU) or "cuda"
  /// How the artifact's descriptor names it: "iris.train", "u.def.g",
  /// "iris.train@cuda".
  std::string label() const {
    return model + "." + kind + (name.empty() ? "" : "." + name) +
           (device.empty() ? "" : "@" + device);
  }
  std::vector<BufferSpec> buffers;
};

/// The runtime, its data files and weights are f32: a model with f64
/// tensors is reported at the .nn location of its first f64 argument or
/// result (instead of an artifact whose buffers the runtime misreads).
mlir::LogicalResult checkArtifactElementTypes(mlir::ModuleOp module);

/// The module attribute `nn.source` the manifest quotes: the file's name
/// and its text's SHA-256.
void setSourceAttribute(mlir::ModuleOp module, llvm::StringRef sourceName,
                        llvm::StringRef sourceText);

/// The manifest JSON for `entries` (from the final signatures); models'
/// parameter initialisers, layer tables and train settings come from the
/// model functions' nn attributes.
std::string buildManifest(mlir::ModuleOp module,
                          const std::vector<EntrySpec> &entries);

/// What nnc-export-artifact stored on `module`: the manifest and its
/// entries in descriptor order. None if the export step has not run.
struct ArtifactABI {
  std::string manifest;
  std::vector<EntrySpec> entries;
};
std::optional<ArtifactABI> readArtifactABI(mlir::ModuleOp module);

} // namespace nnc

#endif // NNC_COMPILER_TARGET_MANIFEST_H
