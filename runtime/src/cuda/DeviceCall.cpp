//===- DeviceCall.cpp - running a compiled entry on the GPU ---------------===//
//
// The host stays the owner of every tensor (parameters, optimizer state,
// data): a CUDA call uploads what the entry reads and downloads what it
// writes, so training, evaluation, prediction and checkpoints behave
// exactly as on the CPU and checkpoints move freely between devices. Within
// an epoch of the fit loop (ResidentScope) parameters and optimizer state
// stay on the device between steps and come back once at the epoch's end.
//
//===----------------------------------------------------------------------===//

#include "cuda/DeviceCall.h"

#include "ModelImpl.h"
#include "ScratchHooks.h"
#include "cuda/Driver.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace nnrt {
namespace {

DeviceKind selected = DeviceKind::CPU;

/// Device memory for one call's buffers and temporaries: a bump arena that
/// grows to the largest call's high-water mark between calls.
struct DeviceArena {
  cuda::CUdeviceptr base = 0;
  size_t capacity = 0, top = 0, highWater = 0;
  std::vector<cuda::CUdeviceptr> overflow; // past capacity, until release
  int depth = 0;
};
DeviceArena arena;
constexpr size_t kAlign = 256;

cuda::Device *dev() {
  std::string error;
  return cuda::device(error);
}

void *arenaAlloc(size_t bytes) {
  bytes = (bytes + kAlign - 1) / kAlign * kAlign;
  if (bytes == 0)
    bytes = kAlign;
  size_t end = arena.top + bytes;
  if (end > arena.highWater)
    arena.highWater = end;
  if (end <= arena.capacity) {
    void *p = reinterpret_cast<void *>(arena.base + arena.top);
    arena.top = end;
    return p;
  }
  cuda::CUdeviceptr p = 0;
  if (cuda::CUresult r = dev()->api.cuMemAlloc(&p, bytes)) {
    cuda::recordError("cuMemAlloc", r);
    return nullptr;
  }
  arena.overflow.push_back(p);
  arena.top = end; // counts towards the high-water mark
  return reinterpret_cast<void *>(p);
}

int64_t arenaMark() {
  ++arena.depth;
  return static_cast<int64_t>(arena.top);
}

void arenaRelease(int64_t mark) {
  arena.top = static_cast<size_t>(mark);
  if (--arena.depth > 0)
    return;
  cuda::Device *d = dev();
  // The stream must be done with the memory before it is reused or freed.
  d->api.cuStreamSynchronize(d->stream);
  for (cuda::CUdeviceptr p : arena.overflow)
    d->api.cuMemFree(p);
  arena.overflow.clear();
  if (arena.highWater <= arena.capacity)
    return;
  if (arena.base)
    d->api.cuMemFree(arena.base);
  arena.capacity = arena.highWater + arena.highWater / 4;
  if (cuda::CUresult r = d->api.cuMemAlloc(&arena.base, arena.capacity)) {
    cuda::recordError("cuMemAlloc", r);
    arena.base = 0;
    arena.capacity = 0;
  }
}

const ScratchHooks kDeviceHooks{arenaAlloc, arenaMark, arenaRelease};

/// Parameters and optimizer state kept on the device (ResidentScope).
struct Resident {
  void *host;
  size_t bytes;
  cuda::CUdeviceptr device;
  bool deviceNewer;
};
std::vector<Resident> resident;
int residentDepth = 0;

/// The device copy of `host` while a ResidentScope is open (uploaded the
/// first time), or null after a recorded failure.
void *residentCopy(void *host, size_t bytes) {
  for (Resident &r : resident)
    if (r.host == host && r.bytes == bytes)
      return reinterpret_cast<void *>(r.device);
  cuda::Device *d = dev();
  Resident r{host, bytes, 0, false};
  if (cuda::CUresult e = d->api.cuMemAlloc(&r.device, bytes ? bytes : 1)) {
    cuda::recordError("cuMemAlloc", e);
    return nullptr;
  }
  if (cuda::CUresult e =
          d->api.cuMemcpyHtoDAsync(r.device, host, bytes, d->stream))
    cuda::recordError("copying to the GPU", e);
  resident.push_back(r);
  return reinterpret_cast<void *>(r.device);
}

void markResidentNewer(void *host) {
  for (Resident &r : resident)
    if (r.host == host)
      r.deviceNewer = true;
}

/// Downloads what the device changed and frees every device copy.
void flushResident() {
  cuda::Device *d = dev();
  for (Resident &r : resident) {
    if (r.deviceNewer)
      if (cuda::CUresult e = d->api.cuMemcpyDtoHAsync(r.host, r.device,
                                                      r.bytes, d->stream))
        cuda::recordError("copying from the GPU", e);
  }
  if (cuda::CUresult e = d->api.cuStreamSynchronize(d->stream))
    cuda::recordError("running the kernels", e);
  for (Resident &r : resident)
    d->api.cuMemFree(r.device);
  resident.clear();
}

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "nnrt: error: %s\n", message.c_str());
  std::exit(1);
}

} // namespace

DeviceKind currentDevice() { return selected; }

std::string deviceName() {
  if (selected != DeviceKind::CUDA)
    return "";
  return dev()->name;
}

bool selectDevice(const std::string &name, std::string &error) {
  if (name == "cpu") {
    selected = DeviceKind::CPU;
    return true;
  }
  if (name != "cuda") {
    error = "unknown device '" + name + "' (cpu or cuda)";
    return false;
  }
  if (!cuda::device(error) || !cuda::loadModules(error))
    return false;
  selected = DeviceKind::CUDA;
  return true;
}

void cuda::call(const Entry &e, int64_t batch, void **pointers) {
  Device *d = dev();
  Driver &api = d->api;
  bool writesState = e.kind == "train";
  std::vector<void *> onDevice(e.buffers.size());
  std::vector<size_t> bytes(e.buffers.size());
  int64_t mark = arenaMark();
  for (size_t i = 0; i < e.buffers.size(); ++i) {
    const Buffer &b = e.buffers[i];
    bytes[i] = static_cast<size_t>(product(b.shape, batch)) * sizeof(float);
    bool keep = residentDepth > 0 &&
                (b.role == Role::Param || b.role == Role::State);
    onDevice[i] = keep ? residentCopy(pointers[i], bytes[i])
                       : arenaAlloc(bytes[i]);
    if (!onDevice[i])
      break;
    if (!keep && b.role != Role::Output)
      if (CUresult r = api.cuMemcpyHtoDAsync(
              reinterpret_cast<CUdeviceptr>(onDevice[i]), pointers[i],
              bytes[i], d->stream))
        recordError("copying to the GPU", r);
  }
  if (!failed()) {
    setScratchHooks(&kDeviceHooks);
    e.cudaFn(batch, onDevice.data());
    setScratchHooks(nullptr);
  }
  for (size_t i = 0; i < e.buffers.size() && !failed(); ++i) {
    Role role = e.buffers[i].role;
    bool state = role == Role::Param || role == Role::State;
    if (state && residentDepth > 0) {
      if (writesState)
        markResidentNewer(pointers[i]);
      continue;
    }
    if (role == Role::Output || (writesState && state))
      if (CUresult r = api.cuMemcpyDtoHAsync(
              pointers[i], reinterpret_cast<CUdeviceptr>(onDevice[i]),
              bytes[i], d->stream))
        recordError("copying from the GPU", r);
  }
  if (CUresult r = api.cuStreamSynchronize(d->stream))
    recordError("running the kernels", r);
  arenaRelease(mark);
  if (failed())
    die("on the GPU: " + takeError());
}

cuda::ResidentScope::ResidentScope()
    : active(currentDevice() == DeviceKind::CUDA) {
  if (active)
    ++residentDepth;
}

cuda::ResidentScope::~ResidentScope() {
  if (!active || --residentDepth > 0)
    return;
  flushResident();
  if (cuda::failed())
    die("on the GPU: " + cuda::takeError());
}

} // namespace nnrt
