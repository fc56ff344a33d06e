//===- CLITrain.cpp - the `train` and `evaluate` subcommands --------------===//
//
//   <model> train (--data D | --x X... [--y Y...]) [--epochs N] [--batch N]
//                 [--validation-split F] [--learning-rate LR] [--seed S]
//                 [--label-column K] [--classes C] [--weights init.st]
//                 [--save w.safetensors] [--checkpoint c.safetensors]
//                 [--resume c.safetensors] [--history PREFIX]
//   <model> evaluate --weights w.safetensors (--data D | --x X... [--y Y...])
//                    [--batch N] [--label-column K] [--classes C]
//
// The data options (--data, --x, --y, --target-is-input) are read in
// CLIData.cpp; options given twice other than --x and --y take the first.
//
//===----------------------------------------------------------------------===//

#include "CLIData.h"
#include "Internal.h"
#include "ModelImpl.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace nnrt {

const std::vector<std::string> kTrainOptions = {
    "data",  "x", "y", "target-is-input", "validation-data", "validation-x",
    "validation-y", "verbose", "epochs",  "batch",
    "validation-split", "learning-rate",
    "seed",  "label-column", "classes", "weights", "save",
    "checkpoint", "resume", "history", "threads", "padding", "truncating",
    "num-words", "device"};
const std::vector<std::string> kEvaluateOptions = {
    "data", "x", "y", "target-is-input", "weights", "batch", "label-column",
    "classes", "threads", "padding", "truncating", "num-words", "device"};

namespace {

int error(const char *prog, int code, const std::string &msg) {
  std::fprintf(stderr, "%s: error: %s\n", prog, msg.c_str());
  return code;
}

} // namespace

int cliTrain(const char *prog, nnrt_model *m, const Args &a, nnrt_status *st) {
  nnrt_fit_options o;
  nnrt_fit_options_init(m, &o);
  if (a.help) {
    std::printf(
        "usage: %s train (--data FILE | --x X... [--y Y...]) [options]\n\n"
        "Trains the parameters with the compiled train step (loss, gradients "
        "and optimizer update in one function), Keras style: per-epoch "
        "shuffling, the validation split taken from the end of the data.\n"
        "  --data FILE             CSV: features and a label column; or an "
        ".npz with every input by name and the targets as y (y_0, y_1, ... "
        "for several outputs); or a CIFAR-10 batch\n"
        "  --x FILE, --y FILE      inputs and targets as arrays (.npy, .npz, "
        "IDX as MNIST ships it, .gz too, or CSV), one sample per row, shaped "
        "as the model's input and target (d.csv:0-3 or d.csv:name,... picks "
        "CSV columns); once per input and per target, in "
        "order (or once naming an .npz that holds them all); a classifier's "
        "--y may hold class indices\n"
        "  --target-is-input       the targets are the inputs (an "
        "autoencoder: fit(x, x))\n"
        "  --validation-data FILE, --validation-x FILE, --validation-y FILE\n"
        "                          validation data, as --data/--x/--y take it "
        "(Keras' validation_data; replaces the validation split)\n"
        "  --verbose 0|1|2|auto    1 (auto, the default): a progress bar on a "
        "terminal, one line per epoch otherwise; 2: epoch lines; 0: none\n"
        "  --label-column K        the label's column, 0-based (default: the "
        "last)\n"
        "  --padding pre|post, --truncating pre|post\n"
        "                          sequences of different lengths (an array of "
        "lists, as Keras' imdb.npz): zeros before (pre, the default, as "
        "Keras' pad_sequences) or after them, tokens cut from their start "
        "(pre) or end to the model's steps\n"
        "  --num-words N           such sequences as Keras' "
        "imdb.load_data(num_words=N) gives them: 1 first, each stored rank "
        "+ 3, ids of N or more as 2\n"
        "  --classes C             classes of a classifier (default: the "
        "model's output width)\n"
        "  --epochs N              (default %lld)\n"
        "  --batch N               (default %lld)\n"
        "  --validation-split F    fraction in [0, 1) (default %g)\n"
        "  --learning-rate LR      (default %g)\n"
        "  --seed S                initialisation and shuffling (default 0)\n"
        "  --weights FILE          start from these weights, not from the "
        "initialisers\n"
        "  --save FILE             write the trained weights (safetensors)\n"
        "  --checkpoint FILE       parameters + optimizer state after every "
        "epoch (atomic)\n"
        "  --resume FILE           continue from a checkpoint, exactly\n"
        "  --history PREFIX        write PREFIX.csv, PREFIX.json and "
        "PREFIX.svg (loss and metric curves)\n"
        "  --threads N             threads the compiled kernels use "
        "(default: NNC_NUM_THREADS, else every CPU)\n"
        "  --device cpu|cuda       where the compiled kernels run (cuda: a "
        "model compiled with --target=cuda)\n",
        prog, static_cast<long long>(o.epochs),
        static_cast<long long>(o.batch_size), o.validation_split,
        o.learning_rate);
    return 0;
  }
  if (!nnrt_model_can_train(m))
    return error(prog, 2,
                 std::string("model '") + nnrt_model_name(m) +
                     "' has no train section; add one to its .nn file");
  if (!a.get("data") && !a.get("x") && !a.get("y"))
    return error(prog, 2, "train needs --data FILE, or --x FILE [--y FILE]");
  std::string bad;
  double seed = 0;
  if (!readCount(a, "epochs", o.epochs, 0, bad) ||
      !readCount(a, "batch", o.batch_size, 1, bad) ||
      !readNumber(a, "validation-split", o.validation_split, bad) ||
      !readNumber(a, "learning-rate", o.learning_rate, bad) ||
      !readNumber(a, "seed", seed, bad))
    return error(prog, 2, bad);
  if (!(o.validation_split >= 0 && o.validation_split < 1))
    return error(prog, 2,
                 "--validation-split must be in [0, 1), got " +
                     (a.get("validation-split")
                          ? std::string(a.get("validation-split"))
                          : std::to_string(o.validation_split) +
                                " (the model's setting)"));
  if (seed < 0 || seed != std::floor(seed) || seed > kMaxCount)
    return error(prog, 2, "--seed takes an integer in [0, 2^53]");
  int verbose = 1;
  if (const char *v = a.get("verbose")) {
    std::string s = v;
    if (s != "0" && s != "1" && s != "2" && s != "auto")
      return error(prog, 2, "--verbose takes 0, 1, 2 or auto, got '" + s +
                                "'");
    verbose = s == "auto" ? 1 : s[0] - '0';
  }
  o.seed = static_cast<uint64_t>(seed);

  Dataset data, validation;
  Failure f;
  if (!loadData(m, a, data, f, st))
    return error(prog, f.code, f.message);
  // Keras' validation_data: the same forms as the data, under their own
  // options; it replaces the validation split.
  if (a.get("validation-data") || a.get("validation-x") ||
      a.get("validation-y")) {
    if (a.get("validation-split"))
      return error(prog, 2, "--validation-split and validation data are two "
                            "ways to validate; use one");
    if (!loadData(m, a, validation, f, st, "validation-"))
      return error(prog, f.code, f.message);
    o.validation_x = validation.inputs();
    o.validation_nx = validation.x.size();
    o.validation_y = validation.targets();
    o.validation_ny = validation.y.size();
  }

  nnrt_trainer *t = nnrt_trainer_new(m, st);
  int rc = 0;
  const char *resume = a.get("resume"), *weights = a.get("weights");
  if (!t) {
    rc = error(prog, 1, nnrt_status_message(st));
  } else if (resume) {
    if (nnrt_trainer_load_checkpoint(t, resume, &o.seed, st))
      rc = error(prog, 1, nnrt_status_message(st));
  } else if (weights ? nnrt_model_load_weights(m, weights, st)
                     : nnrt_model_init_params(m, o.seed, st)) {
    rc = error(prog, 1, nnrt_status_message(st));
  }
  o.checkpoint = a.get("checkpoint") ? a.get("checkpoint") : resume;
  // Keras' verbose: 1 (the default) a progress bar on a terminal and one
  // line per epoch elsewhere, 2 epoch lines, 0 none.
  o.log = verbose ? stdout : nullptr;
  o.progress = verbose == 1 && isatty(fileno(stdout));
  nnrt_history *h = nullptr;
  int64_t stepsBefore = t ? nnrt_trainer_step_count(t) : 0;
  int64_t epochBefore = t ? nnrt_trainer_epoch(t) : 0;
  if (rc == 0) {
    h = nnrt_trainer_fit_arrays(t, data.inputs(), data.x.size(),
                                data.targets(), data.y.size(), &o, st);
    if (!h)
      rc = error(prog, 1, nnrt_status_message(st));
  }
  if (h) {
    int64_t steps = nnrt_trainer_step_count(t) - stepsBefore;
    std::printf("fit: %lld epochs in %.2f ms; %lld train steps, %.2f us "
                "per step\n",
                static_cast<long long>(std::max<int64_t>(o.epochs - epochBefore, 0)),
                nnrt_history_fit_seconds(h) * 1e3,
                static_cast<long long>(steps),
                steps ? nnrt_history_step_seconds(h) * 1e6 / steps : 0.0);
    const char *save = a.get("save");
    if (save && nnrt_model_save_weights(m, save, st))
      rc = error(prog, 1, nnrt_status_message(st));
    if (const char *prefix = a.get("history"); prefix && rc == 0) {
      std::string p(prefix);
      if (nnrt_history_write_csv(h, (p + ".csv").c_str(), st) ||
          nnrt_history_write_json(h, (p + ".json").c_str(), st) ||
          nnrt_history_write_svg(h, nnrt_model_name(m), (p + ".svg").c_str(),
                                 st))
        rc = error(prog, 1, nnrt_status_message(st));
    }
  }
  nnrt_history_free(h);
  nnrt_trainer_free(t);
  return rc;
}

int cliEvaluate(const char *prog, nnrt_model *m, const Args &a,
                nnrt_status *st) {
  nnrt_fit_options o;
  nnrt_fit_options_init(m, &o);
  if (a.help) {
    std::printf("usage: %s evaluate --weights w.safetensors "
                "(--data FILE | --x X... [--y Y...]) [--batch N] "
                "[--label-column K] [--classes C] [--threads N] "
                "[--padding pre|post] [--truncating pre|post] [--num-words N] "
                "[--device cpu|cuda]\n\n"
                "Prints the loss and metrics of the model on labelled data "
                "(the same sources as train; sequences of different lengths "
                "fitted to the model's steps as train fits them).\n",
                prog);
    return 0;
  }
  if (!nnrt_model_can_train(m))
    return error(prog, 2,
                 std::string("model '") + nnrt_model_name(m) +
                     "' has no train section (no loss to evaluate)");
  if ((!a.get("data") && !a.get("x") && !a.get("y")) || !a.get("weights"))
    return error(prog, 2, "evaluate needs --weights FILE and --data FILE "
                          "(or --x FILE [--y FILE])");
  std::string bad;
  if (!readCount(a, "batch", o.batch_size, 1, bad))
    return error(prog, 2, bad);
  if (nnrt_model_load_weights(m, a.get("weights"), st))
    return error(prog, 1, nnrt_status_message(st));
  Dataset data;
  Failure f;
  if (!loadData(m, a, data, f, st))
    return error(prog, f.code, f.message);
  double loss;
  std::vector<double> metrics(nnrt_model_num_metrics(m));
  int rc = 0;
  if (nnrt_model_evaluate_arrays(m, data.inputs(), data.x.size(),
                                 data.targets(), data.y.size(), o.batch_size,
                                 &loss, metrics.data(), st)) {
    rc = error(prog, 1, nnrt_status_message(st));
  } else {
    std::printf("loss: %.4f", loss);
    for (size_t i = 0; i < metrics.size(); ++i)
      std::printf(" - %s: %.4f", nnrt_model_metric_name(m, i), metrics[i]);
    std::printf("\n");
  }
  return rc;
}

} // namespace nnrt
