//===- CLIData.h - the arrays the train, evaluate and predict commands read ===//
//
// The command line's side of Keras' fit(x, y): every input and every
// target of the compiled model gets one array, read from the files the
// options name and checked against the model's declared per-sample shape,
// with messages that name the file, the array and both shapes.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_SRC_CLIDATA_H
#define NNRT_SRC_CLIDATA_H

#include "CLIArgs.h"

#include <string>
#include <vector>

namespace nnrt {

/// An error for the command to report: its exit code (2: usage, 1: data)
/// and message.
struct Failure {
  int code = 0;
  std::string message;
};

/// One array per model input (in the model's order) and one per target.
/// The tensors are owned; with --target-is-input a target is its input's
/// own tensor (one copy of the data).
struct Dataset {
  std::vector<nnrt_tensor *> x, y;

  Dataset() = default;
  Dataset(const Dataset &) = delete;
  Dataset &operator=(const Dataset &) = delete;
  ~Dataset();
  const nnrt_tensor *const *inputs() const {
    return const_cast<const nnrt_tensor *const *>(x.data());
  }
  const nnrt_tensor *const *targets() const {
    return const_cast<const nnrt_tensor *const *>(y.data());
  }
};

/// The data of `train` and `evaluate`: --data (a labelled CSV, an .npz or
/// a CIFAR-10 batch) or --x/--y (each given once per input / target, or
/// once naming an .npz that holds them all), and --target-is-input. With
/// `prefix` "validation-": --validation-data, --validation-x and
/// --validation-y (Keras' validation_data).
bool loadData(nnrt_model *m, const Args &a, Dataset &d, Failure &f,
              nnrt_status *st, const char *prefix = "");

/// The inputs alone (`predict`, and the x of train): `files` once per
/// input, or one .npz holding every input by name; `option` names the
/// option in messages. Sequences of different lengths (an array of lists)
/// are padded or truncated to the model's steps by --padding and
/// --truncating (`a`).
bool loadInputs(nnrt_model *m, const Args &a,
                const std::vector<std::string> &files, const char *option,
                Dataset &d, Failure &f, nnrt_status *st);

} // namespace nnrt

#endif // NNRT_SRC_CLIDATA_H
