//===- Driver.cpp - the CUDA driver API, loaded at run time ---------------===//

#include "cuda/Driver.h"

#include <dlfcn.h>
#include <mutex>

namespace nnrt::cuda {
namespace {

std::string firstError;
std::mutex errorLock;
const Driver *loaded = nullptr; // for describe()

/// dlsym into `slot`; false when the symbol is missing.
template <typename F> bool bind(void *lib, const char *name, F &slot) {
  slot = reinterpret_cast<F>(dlsym(lib, name));
  return slot != nullptr;
}

bool loadDriver(Driver &d, std::string &error) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    error = std::string("no CUDA driver: cannot load libcuda.so.1 (") +
            (why ? why : "not found") + ")";
    return false;
  }
#define NNRT_BIND(field, symbol)                                               \
  if (!bind(lib, symbol, d.field)) {                                           \
    error = "the CUDA driver lacks " symbol;                                   \
    return false;                                                              \
  }
  NNRT_BIND(cuInit, "cuInit")
  NNRT_BIND(cuDeviceGetCount, "cuDeviceGetCount")
  NNRT_BIND(cuDeviceGet, "cuDeviceGet")
  NNRT_BIND(cuDeviceGetName, "cuDeviceGetName")
  NNRT_BIND(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain")
  NNRT_BIND(cuCtxSetCurrent, "cuCtxSetCurrent")
  NNRT_BIND(cuModuleLoadData, "cuModuleLoadData")
  NNRT_BIND(cuModuleUnload, "cuModuleUnload")
  NNRT_BIND(cuModuleGetFunction, "cuModuleGetFunction")
  NNRT_BIND(cuLaunchKernel, "cuLaunchKernel")
  NNRT_BIND(cuMemAlloc, "cuMemAlloc_v2")
  NNRT_BIND(cuMemFree, "cuMemFree_v2")
  NNRT_BIND(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2")
  NNRT_BIND(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2")
  NNRT_BIND(cuStreamCreate, "cuStreamCreate")
  NNRT_BIND(cuStreamSynchronize, "cuStreamSynchronize")
  NNRT_BIND(cuGetErrorString, "cuGetErrorString")
#undef NNRT_BIND
  return true;
}

Device *open(std::string &error) {
  static Device d;
  if (!loadDriver(d.api, error))
    return nullptr;
  loaded = &d.api;
  Driver &api = d.api;
  if (CUresult r = api.cuInit(0)) {
    error = describe("cuInit", r);
    return nullptr;
  }
  int count = 0;
  if (CUresult r = api.cuDeviceGetCount(&count)) {
    error = describe("cuDeviceGetCount", r);
    return nullptr;
  }
  if (count == 0) {
    error = "no CUDA device: the driver found no GPU";
    return nullptr;
  }
  CUdevice dev = 0;
  char name[256] = {0};
  if (CUresult r = api.cuDeviceGet(&dev, 0)) {
    error = describe("cuDeviceGet", r);
    return nullptr;
  }
  api.cuDeviceGetName(name, sizeof name - 1, dev);
  d.name = name;
  if (CUresult r = api.cuDevicePrimaryCtxRetain(&d.context, dev)) {
    error = describe("cuDevicePrimaryCtxRetain", r);
    return nullptr;
  }
  if (CUresult r = api.cuCtxSetCurrent(d.context)) {
    error = describe("cuCtxSetCurrent", r);
    return nullptr;
  }
  if (CUresult r = api.cuStreamCreate(&d.stream, /*CU_STREAM_NON_BLOCKING*/ 1)) {
    error = describe("cuStreamCreate", r);
    return nullptr;
  }
  return &d;
}

} // namespace

Device *device(std::string &error) {
  static std::once_flag once;
  static Device *d = nullptr;
  static std::string why;
  std::call_once(once, [] { d = open(why); });
  if (!d) {
    error = why;
    return nullptr;
  }
  // Every thread that launches needs the context current.
  thread_local bool current = false;
  if (!current) {
    d->api.cuCtxSetCurrent(d->context);
    current = true;
  }
  return d;
}

std::string describe(const char *what, CUresult r) {
  std::string out = std::string(what) + " failed: CUDA error " +
                    std::to_string(r);
  if (loaded) {
    const char *s = nullptr;
    if (!loaded->cuGetErrorString(r, &s) && s)
      out += std::string(" (") + s + ")";
  }
  if (r == 2) // CUDA_ERROR_OUT_OF_MEMORY
    out += " (out of GPU memory)";
  return out;
}

void recordError(const char *what, CUresult r) {
  std::lock_guard<std::mutex> lock(errorLock);
  if (firstError.empty())
    firstError = describe(what, r);
}

bool failed() {
  std::lock_guard<std::mutex> lock(errorLock);
  return !firstError.empty();
}

std::string takeError() {
  std::lock_guard<std::mutex> lock(errorLock);
  std::string e;
  e.swap(firstError);
  return e;
}

} // namespace nnrt::cuda
