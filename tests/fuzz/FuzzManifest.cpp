//===- FuzzManifest.cpp - libFuzzer target: the manifest loader -----------===//
//
// Any bytes as an artifact's manifest, with entries named as a compiled
// artifact names them (their code does nothing): the loader must refuse
// what it cannot use with a message, never crash. A model that opens is
// summarised, initialised, and gets a trainer when it has a train section.
//
//===----------------------------------------------------------------------===//

#include "nnrt.h"

#include <cstdio>
#include <string>

static void noop(int64_t, void **) {}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string manifest(reinterpret_cast<const char *>(data), size);
  static const char *names[] = {"m.infer", "m.train", "m.eval", "m.def.g"};
  static const nnrt_entry_fn fns[] = {noop, noop, noop, noop};
  nnc_artifact a{1, manifest.c_str(), 4, names, fns};
  nnrt_status *st = nnrt_status_new();
  if (nnrt_model *m = nnrt_model_open_linked(&a, st)) {
    FILE *null = std::fopen("/dev/null", "w");
    nnrt_model_print_summary(m, null);
    std::fclose(null);
    // A large model is legal, but initialising hundreds of MB of weights
    // under ASan is a timeout, not a finding: the initialisers run on the
    // models of a realistic size.
    if (nnrt_model_total_params(m) <= (int64_t(1) << 22))
      nnrt_model_init_params(m, 1, st);
    if (nnrt_model_can_train(m))
      nnrt_trainer_free(nnrt_trainer_new(m, st));
    nnrt_model_free(m);
  }
  nnrt_status_free(st);
  return 0;
}
