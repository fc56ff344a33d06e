//===- DeviceCall.h - running a compiled entry on the GPU -------*- C++ -*-===//

#ifndef NNRT_SRC_CUDA_DEVICECALL_H
#define NNRT_SRC_CUDA_DEVICECALL_H

#include "nnrt.h"

#include <cstdint>
#include <string>

namespace nnrt {
struct Entry;

/// Which device compiled entries run on, for the whole process.
enum class DeviceKind { CPU, CUDA };
DeviceKind currentDevice();

/// Chooses `name` ("cpu" or "cuda"); for cuda, opens the driver and the
/// GPU. False with `error` (no driver, no device, unknown name).
bool selectDevice(const std::string &name, std::string &error);

/// The GPU's name ("NVIDIA H100 80GB HBM3"), "" before selectDevice(cuda).
std::string deviceName();

namespace cuda {
/// Runs `e`'s CUDA entry: each buffer is staged in device memory (inputs,
/// targets, hyper-parameters, parameters and optimizer state uploaded;
/// outputs, and a train step's updated parameters and state, downloaded
/// after it), the entry's temporaries come from a device arena, and the
/// first CUDA failure ends the process with its message.
void call(const Entry &e, int64_t batch, void **pointers);

/// While one exists (the fit loop holds one over each epoch's train steps,
/// when the GPU is selected), parameters and optimizer state stay in
/// device memory between calls: uploaded at their first call, neither
/// uploaded nor downloaded after, and downloaded once when the last scope
/// ends. Nothing on the host may read or write them meanwhile.
class ResidentScope {
public:
  ResidentScope();
  ~ResidentScope();
  ResidentScope(const ResidentScope &) = delete;
  ResidentScope &operator=(const ResidentScope &) = delete;

private:
  bool active;
};
} // namespace cuda

} // namespace nnrt

#endif // NNRT_SRC_CUDA_DEVICECALL_H
