//===- Init.h - Keras' parameter initialisers, seeded ---------------------===//

#ifndef NNRT_SRC_INIT_H
#define NNRT_SRC_INIT_H

#include <cstdint>
#include <string>
#include <vector>

namespace nnrt {

/// splitmix64: advances `state` and returns a well-mixed 64-bit value. Seeds
/// the initialisers' generators and shuffles training data.
uint64_t splitmix64(uint64_t &state);

/// Fills `data` (a parameter of `shape`) as Keras' initializer `name` does.
/// The stream is derived from `seed` and the parameter's name, so adding a
/// layer does not change the others' initial values. False for an unknown
/// initializer.
bool initialize(const std::string &name, const std::vector<int64_t> &shape,
                uint64_t seed, const std::string &paramName,
                std::vector<float> &data);

} // namespace nnrt

#endif // NNRT_SRC_INIT_H
