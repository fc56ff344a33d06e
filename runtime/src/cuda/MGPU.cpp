//===- MGPU.cpp - MLIR's GPU runtime ABI over the loaded driver -----------===//
//
// The host code of a CUDA entry (gpu-to-llvm) calls these: a module per
// kernel (its PTX embedded in the artifact, registered by a global
// constructor), a function lookup, a stream, a launch and a synchronisation
// per kernel. nnc implements them here so that artifacts need no CUDA
// library at link time:
//
// - module "loads" run in constructors, before main and on machines without
//   a GPU, so they only record the PTX; the driver JIT-compiles it the first
//   time a kernel of the module is looked up (and the lookup is cached);
// - every kernel runs on the one stream of Driver.cpp's context, in order,
//   so the per-kernel stream creation and synchronisation the ABI asks for
//   are not needed: DeviceCall.cpp synchronises once per entry call;
// - failures are recorded (Driver.h) and the rest of the call's launches
//   are skipped; the runtime reports the first one after the call.
//
//===----------------------------------------------------------------------===//

#include "cuda/Driver.h"

#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

using namespace nnrt::cuda;

namespace {

struct LazyModule {
  const void *ptx;
  CUmodule module = nullptr;
  std::unordered_map<const char *, CUfunction> functions;
};

std::mutex moduleLock;

/// Every module the artifact registered (global constructors run before
/// main), so that selecting the GPU can JIT them all up front.
std::vector<LazyModule *> &registry() {
  static std::vector<LazyModule *> modules;
  return modules;
}

/// Loads `m` (JIT-compiles its PTX); false, with the error recorded, on
/// failure. Called under moduleLock.
bool load(LazyModule *m, Device *d) {
  if (m->module)
    return true;
  if (CUresult r = d->api.cuModuleLoadData(&m->module, m->ptx)) {
    recordError("loading the kernels (PTX JIT)", r);
    m->module = nullptr;
    return false;
  }
  return true;
}

LazyModule *make(const void *data) {
  auto *m = new LazyModule{data};
  std::lock_guard<std::mutex> lock(moduleLock);
  registry().push_back(m);
  return m;
}

} // namespace

bool nnrt::cuda::loadModules(std::string &error) {
  Device *d = device(error);
  if (!d)
    return false;
  std::lock_guard<std::mutex> lock(moduleLock);
  for (LazyModule *m : registry())
    if (!load(m, d)) {
      error = takeError();
      return false;
    }
  return true;
}

extern "C" {

void *mgpuModuleLoadJIT(void *data, int /*optLevel*/) { return make(data); }

void *mgpuModuleLoad(void *data, size_t /*size*/) { return make(data); }

void mgpuModuleUnload(void *) {
  // At exit (global destructors): the driver may already be gone, and its
  // modules go with the process.
}

void *mgpuModuleGetFunction(void *m, const char *name) {
  auto *lazy = static_cast<LazyModule *>(m);
  std::lock_guard<std::mutex> lock(moduleLock);
  auto it = lazy->functions.find(name);
  if (it != lazy->functions.end())
    return it->second;
  std::string error;
  Device *d = device(error);
  if (!d || failed())
    return nullptr;
  if (!load(lazy, d))
    return nullptr;
  CUfunction f = nullptr;
  if (CUresult r = d->api.cuModuleGetFunction(&f, lazy->module, name)) {
    recordError("cuModuleGetFunction", r);
    return nullptr;
  }
  lazy->functions.emplace(name, f);
  return f;
}

void *mgpuStreamCreate() {
  std::string error;
  Device *d = device(error);
  return d ? d->stream : nullptr;
}

void mgpuStreamDestroy(void *) {}

void mgpuStreamSynchronize(void *) {}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  if (!function || failed() || gridX <= 0 || gridY <= 0 || gridZ <= 0)
    return;
  std::string error;
  Device *d = device(error);
  if (!d)
    return;
  if (CUresult r = d->api.cuLaunchKernel(
          static_cast<CUfunction>(function), gridX, gridY, gridZ, blockX,
          blockY, blockZ, smem, static_cast<CUstream>(stream), params, extra))
    recordError("cuLaunchKernel", r);
}

} // extern "C"
