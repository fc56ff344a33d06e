//===- Driver.h - the CUDA driver API, loaded at run time -------*- C++ -*-===//
//
// The runtime reaches CUDA only through this table, filled from
// libcuda.so.1 with dlopen/dlsym the first time a model is asked to run on
// a GPU: the same runtime builds and runs where no CUDA exists (no header,
// no library at link time), and says so clearly when it is asked for a GPU
// there. The types below are the driver API's own (opaque handles, int
// results); only the entry points nnc uses are listed.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_CUDA_DRIVER_H
#define NNRT_SRC_CUDA_DRIVER_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace nnrt::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
struct CUctx_st;
using CUcontext = CUctx_st *;
struct CUmod_st;
using CUmodule = CUmod_st *;
struct CUfunc_st;
using CUfunction = CUfunc_st *;
struct CUstream_st;
using CUstream = CUstream_st *;

struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuGetErrorString)(CUresult, const char **);
};

/// The driver, a context on device 0 and the stream every kernel runs on,
/// set up on first use. Null, with `error` saying why (no libcuda.so.1, no
/// device, ...), where there is none.
struct Device {
  Driver api;
  CUcontext context = nullptr;
  CUstream stream = nullptr;
  std::string name;
};
Device *device(std::string &error);

/// The first CUDA failure since the last takeError() (kernel launches and
/// module loads happen inside compiled code, which cannot return one).
void recordError(const char *what, CUresult r);
bool failed();
std::string takeError();

/// JIT-compiles and loads every kernel module the artifact registered
/// (MGPU.cpp), so that no first call pays for it. False with `error`.
bool loadModules(std::string &error);

/// `what` failed with `r`, in the driver's words.
std::string describe(const char *what, CUresult r);

} // namespace nnrt::cuda

#endif // NNRT_SRC_CUDA_DRIVER_H
