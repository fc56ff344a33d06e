//===- Pickle.h - NumPy object arrays of sequences ---------------*- C++ -*-===//

#ifndef NNRT_SRC_PICKLE_H
#define NNRT_SRC_PICKLE_H

#include <string>
#include <vector>

namespace nnrt {

/// The elements of a 1-D NumPy array of dtype object: each a number, or a
/// list of numbers (a token sequence of Keras' imdb.npz).
struct ObjectArray {
  std::vector<std::vector<double>> rows;
  bool sequences = false; // some element is a list
};

/// Reads the pickle that np.save writes for an object array, from
/// bytes[at]; false and a message naming `file` for anything else.
bool readObjectArray(const std::string &bytes, size_t at,
                     const std::string &file, ObjectArray &out,
                     std::string &error);

} // namespace nnrt

#endif // NNRT_SRC_PICKLE_H
