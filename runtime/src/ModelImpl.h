//===- ModelImpl.h - what the runtime knows about a loaded model ----------===//
//
// Shared by Model.cpp (loading, inference) and Train.cpp (the training
// loop). Everything here comes from the artifact's manifest.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_MODELIMPL_H
#define NNRT_SRC_MODELIMPL_H

#include "FloatMode.h"
#include "Internal.h"
#include "cuda/DeviceCall.h"

namespace nnrt {

/// What an entry's buffer holds (the manifest's "role").
enum class Role { Input, Target, Param, State, Hyper, Output };

struct Buffer {
  Role role;
  std::string name;
  std::vector<int64_t> shape; // -1 = batch
};

struct Param {
  std::string name, init;
  bool trainable = true;
  nnrt_tensor *value = nullptr;
};

struct Layer {
  std::string name, type;
  std::vector<int64_t> shape;
  int64_t params = 0;
};

/// A compiled entry point and its buffers in call order, as the manifest's
/// `entries[]` describes every entry (infer, train, eval, def, ...).
struct Entry {
  std::string kind, name; // name: a def entry's def
  nnrt_entry_fn fn = nullptr;
  /// The same entry compiled for CUDA GPUs (`nnc --target=cuda`), or null.
  nnrt_entry_fn cudaFn = nullptr;
  std::vector<Buffer> buffers;
  /// A shared library's own thread pool (Parallel.cpp, linked into it):
  /// told the runtime's thread count before each call. Null for linked
  /// models, which share the runtime's pool.
  void (*setLibraryThreads)(int64_t) = nullptr;

  /// Runs the compiled entry with subnormals flushed (FloatMode.h).
  void call(int64_t batch, void **pointers) const {
    if (cudaFn && currentDevice() == DeviceKind::CUDA)
      return cuda::call(*this, batch, pointers);
    ScopedFlushDenormals flush;
    if (setLibraryThreads)
      setLibraryThreads(nnrt_num_threads());
    fn(batch, pointers);
  }
};

/// The train section of the manifest (Keras' defaults already filled in).
struct TrainConfig {
  std::string loss, optimizer; // loss: "" when it is a list
  std::vector<std::string> losses; // `loss: [mse, ...]`, one per output
  double learningRate = 0.001, validationSplit = 0;
  int64_t batchSize = 32, epochs = 1;
};

int64_t product(const std::vector<int64_t> &shape, int64_t batch);

/// Model `wanted` (the first when NULL) of artifact `a`, read from its
/// manifest; `library` (a dlopen handle or NULL) is closed on failure.
/// Defined in ManifestReader.cpp.
nnrt_model *openArtifact(const nnc_artifact *a, void *library,
                         const std::string &where, const char *wanted,
                         nnrt_status *status);

} // namespace nnrt

struct nnrt_model {
  std::string name, manifest;
  std::vector<nnrt::Param> params; // the infer entry's, in its order
  std::vector<nnrt::Layer> layers;
  nnrt::Entry infer;
  nnrt::Entry train, eval; // fn == nullptr without a train section
  // The model's functions (`def g(x) = 1 + x * u(x)`): inputs, parameters
  // and one output, like the inference entry.
  std::vector<nnrt::Entry> functions;
  nnrt::TrainConfig config;
  std::vector<std::string> metrics; // the eval entry's outputs after the loss
  void *library = nullptr; // dlopen handle for shared artifacts

  ~nnrt_model();
};

#endif // NNRT_SRC_MODELIMPL_H
