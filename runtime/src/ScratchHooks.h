//===- ScratchHooks.h - where a compiled entry's temporaries come from ----===//
//
// Scratch.cpp serves the compiled code's allocation functions from a host
// arena. While a CUDA entry runs, its temporaries must be device memory:
// DeviceCall.cpp installs these hooks for the calling thread for the
// duration of the call (no link dependency from Scratch.cpp on CUDA code,
// which `nnc --shared` libraries do not get).
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_SCRATCHHOOKS_H
#define NNRT_SRC_SCRATCHHOOKS_H

#include <cstddef>
#include <cstdint>

namespace nnrt {

struct ScratchHooks {
  void *(*alloc)(size_t bytes);
  int64_t (*mark)();
  void (*release)(int64_t mark);
};

/// Hooks for this thread's allocations from now on; null: the host arena.
void setScratchHooks(const ScratchHooks *hooks);

} // namespace nnrt

#endif // NNRT_SRC_SCRATCHHOOKS_H
