//===- FuzzCheckpoint.cpp - libFuzzer target: checkpoint loading ----------===//
//
// Any bytes as a checkpoint of a small trainable model (hand-written
// manifest, entries that do nothing): loading must refuse what does not
// fit with a message and change nothing; a checkpoint that loads must then
// resume a fit without reading past its history.
//
//===----------------------------------------------------------------------===//

#include "ScratchFile.h"
#include "nnrt.h"

static void noop(int64_t, void **) {}

static const char *kManifest = R"({"models": [{"name": "m",
  "params": [{"name": "w", "shape": [3], "init": "ones"}],
  "train": {"loss": "mse", "optimizer": "sgd", "batch_size": 2, "epochs": 3,
            "validation_split": 0.25, "optimizer_config": {"learning_rate": 0.1}},
  "entries": [
    {"kind": "infer", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 3]},
      {"role": "param", "name": "w", "shape": [3]},
      {"role": "output", "name": "output_0", "shape": [-1, 3]}]},
    {"kind": "train", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 3]},
      {"role": "target", "name": "y_true", "shape": [-1, 3]},
      {"role": "param", "name": "w", "shape": [3]},
      {"role": "state", "name": "w/momentum", "shape": [3]},
      {"role": "hyper", "name": "learning_rate", "shape": []},
      {"role": "hyper", "name": "step", "shape": []},
      {"role": "output", "name": "loss", "shape": []},
      {"role": "output", "name": "accuracy", "shape": []}]},
    {"kind": "eval", "symbol": "s", "buffers": [
      {"role": "input", "name": "x", "shape": [-1, 3]},
      {"role": "target", "name": "y_true", "shape": [-1, 3]},
      {"role": "param", "name": "w", "shape": [3]},
      {"role": "output", "name": "loss", "shape": []},
      {"role": "output", "name": "accuracy", "shape": []}]}]}]})";

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *names[] = {"m.infer", "m.train", "m.eval"};
  static const nnrt_entry_fn fns[] = {noop, noop, noop};
  static nnc_artifact a{1, kManifest, 3, names, fns};
  ScratchFile file("ckpt", data, size);
  if (!file.ok)
    return 0;
  const std::string &path = file.path;
  nnrt_status *st = nnrt_status_new();
  nnrt_model *m = nnrt_model_open_linked(&a, st);
  nnrt_trainer *t = m ? nnrt_trainer_new(m, st) : nullptr;
  if (t && nnrt_trainer_load_checkpoint(t, path.c_str(), nullptr, st) == 0) {
    int64_t shape[] = {8, 3};
    nnrt_tensor *x = nnrt_tensor_new(2, shape, st);
    nnrt_fit_options o;
    nnrt_fit_options_init(m, &o);
    o.log = nullptr;
    o.epochs = nnrt_trainer_epoch(t) < 4 ? nnrt_trainer_epoch(t) + 1 : 0;
    nnrt_history_free(nnrt_trainer_fit(t, x, x, &o, st));
    nnrt_tensor_free(x);
  }
  nnrt_trainer_free(t);
  nnrt_model_free(m);
  nnrt_status_free(st);
  return 0;
}
