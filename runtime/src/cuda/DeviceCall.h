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
} // namespace cuda

} // namespace nnrt

#endif // NNRT_SRC_CUDA_DEVICECALL_H
