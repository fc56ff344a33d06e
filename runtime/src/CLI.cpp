//===- CLI.cpp - the generated executable's command line ------------------===//
//
//   <model> summary
//   <model> init --output w.safetensors [--seed N]
//   <model> predict --weights w.safetensors --input X... [--output y.csv|y.npy]
//   <model> train --data D [...]     (CLITrain.cpp; data: CLIData.cpp)
//   <model> evaluate --weights w.safetensors --data D
//
// Exit codes: 0 success, 1 bad input data or files, 2 bad command line.
//
//===----------------------------------------------------------------------===//

#include "CLIData.h"
#include "Internal.h"
#include "ModelImpl.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace nnrt;

namespace {

class CLI {
public:
  CLI(const char *prog, nnrt_model *m) : prog(prog), model(m) {}

  int usage(FILE *out) {
    std::fprintf(out,
                 "usage: %s <command> [options]\n\n"
                 "The compiled model '%s' (built by nnc).\n\n"
                 "commands:\n"
                 "  summary   print the layers, output shapes and parameter "
                 "counts\n"
                 "  init      write freshly initialised weights\n"
                 "  predict   run the model on a CSV or .npy file of inputs\n"
                 "  train     fit the parameters to labelled data (compiled "
                 "train step)\n"
                 "  evaluate  loss and metrics on labelled data\n\n"
                 "Run '%s <command> --help' for a command's options. With "
                 "several models in the .nn file, '--model NAME' picks one "
                 "(default: the first).\n",
                 prog, nnrt_model_name(model), prog);
    return 0;
  }

  int error(int code, const std::string &msg) {
    std::fprintf(stderr, "%s: error: %s\n", prog, msg.c_str());
    return code;
  }

  int summary(const Args &a) {
    if (a.help) {
      std::printf("usage: %s summary\n\nPrints the Keras-style table of "
                  "layers, output shapes and parameter counts.\n",
                  prog);
      return 0;
    }
    nnrt_model_print_summary(model, stdout);
    return 0;
  }

  int init(const Args &a, nnrt_status *st) {
    if (a.help) {
      std::printf("usage: %s init --output w.safetensors [--seed N]\n\n"
                  "Initialises every parameter with its initializer "
                  "(glorot_uniform, zeros, ...) and saves them.\n"
                  "  --output FILE   the safetensors file to write\n"
                  "  --seed N        random seed (default 0)\n",
                  prog);
      return 0;
    }
    const char *out = a.get("output");
    if (!out)
      return error(2, "init needs --output FILE");
    uint64_t seed = 0;
    if (const char *s = a.get("seed")) {
      char *end = nullptr;
      seed = std::strtoull(s, &end, 10);
      if (*s == '\0' || *end != '\0' || *s == '-')
        return error(2, std::string("--seed takes a non-negative integer, "
                                    "got '") + s + "'");
    }
    if (nnrt_model_init_params(model, seed, st) ||
        nnrt_model_save_weights(model, out, st))
      return error(1, nnrt_status_message(st));
    return 0;
  }

  int predict(const Args &a, nnrt_status *st) {
    if (a.help) {
      std::printf(
          "usage: %s predict --weights w.safetensors --input x.csv "
          "[--output y.csv] [--function NAME] [--threads N]\n\n"
          "Runs the model on every row of the input and prints (or writes) "
          "one row of outputs per sample (several outputs: side by side, each flattened).\n"
          "  --weights FILE   trained weights (safetensors)\n"
          "  --input FILE     inputs: CSV (one sample per row, an optional "
          "header line), .npy, .npz or IDX (.gz too), shaped as the model's "
          "input; once per input, in order (or once naming an .npz that "
          "holds every input by name)\n"
          "  --output FILE    where to write the outputs (.csv or .npy; "
          "default: standard output as CSV)\n"
          "  --function NAME  evaluate a def of the model's .nn file instead "
          "(one that takes the model's inputs and applies it, such as a "
          "trial solution g(x) = 1 + x * u(x))\n"
          "  --padding pre|post, --truncating pre|post\n"
          "                   sequences of different lengths (an .npy/.npz "
          "array of lists): zeros before (pre, the default) or after them, "
          "and the tokens cut from their start (pre) or end to the model's "
          "steps\n"
          "  --num-words N    such sequences as Keras' "
          "imdb.load_data(num_words=N) gives them: 1 first, each stored rank "
          "+ 3, ids of N or more as 2\n"
          "  --threads N      threads the compiled kernels use (default: "
          "NNC_NUM_THREADS, else every CPU)\n"
          "  --device cpu|cuda where the compiled kernels run (cuda: a model "
          "compiled with --target=cuda)%s\n",
          prog, functionList().c_str());
      return 0;
    }
    const char *weights = a.get("weights"), *input = a.get("input");
    if (!weights || !input)
      return error(2, "predict needs --weights FILE and --input FILE");
    if (nnrt_model_load_weights(model, weights, st))
      return error(1, nnrt_status_message(st));
    nnrt::Dataset data;
    nnrt::Failure f;
    if (!nnrt::loadInputs(model, a, a.getAll("input"), "--input", data, f,
                          st))
      return error(f.code, f.message);
    nnrt_tensor *y = nullptr;
    if (const char *function = a.get("function")) {
      y = nnrt_model_predict_function(model, function, data.inputs(),
                                      data.x.size(), st);
      if (!y)
        return error(1, nnrt_status_message(st));
    } else {
      std::vector<nnrt_tensor *> ys(nnrt_model_num_outputs(model), nullptr);
      if (nnrt_model_run(model, data.inputs(), data.x.size(), ys.data(),
                         ys.size(), st))
        return error(1, nnrt_status_message(st));
      y = joinPerSample(ys);
    }
    const char *out = a.get("output");
    int rc = 0;
    if (out && endsWith(out, ".npy"))
      rc = nnrt_write_npy(y, out, st);
    else if (out)
      rc = nnrt_write_csv(y, out, st);
    else
      rc = printCSV(y);
    nnrt_tensor_free(y);
    return rc ? error(1, nnrt_status_message(st)) : 0;
  }

private:
  /// " (this model's: g, r)" for the help text, or "".
  std::string functionList() const {
    std::string names;
    for (size_t i = 0; i < nnrt_model_num_functions(model); ++i)
      names += (i ? ", " : "") + std::string(nnrt_model_function_name(model, i));
    return names.empty() ? "" : "; this model's: " + names;
  }

  const char *prog;
  nnrt_model *model;

  /// One (batch, features) table from every output: a sample's outputs,
  /// each flattened, side by side in manifest order. Frees `ys`.
  static nnrt_tensor *joinPerSample(std::vector<nnrt_tensor *> &ys) {
    int64_t batch = nnrt_tensor_rank(ys[0]) ? nnrt_tensor_dim(ys[0], 0) : 1;
    int64_t cols = 0;
    for (nnrt_tensor *y : ys)
      cols += batch ? nnrt_tensor_size(y) / batch : 0;
    int64_t shape[] = {batch, cols};
    nnrt_tensor *out = nnrt_tensor_new(2, shape, nullptr);
    float *o = nnrt_tensor_data(out);
    for (int64_t b = 0; b < batch; ++b)
      for (nnrt_tensor *y : ys) {
        int64_t n = nnrt_tensor_size(y) / batch;
        const float *d = nnrt_tensor_cdata(y) + b * n;
        o = std::copy(d, d + n, o);
      }
    for (nnrt_tensor *y : ys)
      nnrt_tensor_free(y);
    return out;
  }

  static int printCSV(const nnrt_tensor *y) {
    int64_t cols = nnrt_tensor_dim(y, 1);
    const float *d = nnrt_tensor_cdata(y);
    for (int64_t i = 0; i < nnrt_tensor_size(y); ++i)
      std::printf("%.9g%c", d[i], (i + 1) % cols == 0 ? '\n' : ',');
    return 0;
  }
};

/// --threads N: the compiled kernels' thread count. False (and `rc` set)
/// when N is not a positive integer.
bool setThreads(const Args &a, int *rc, CLI &cli) {
  const char *v = a.get("threads");
  if (!v)
    return true;
  char *end = nullptr;
  long long n = std::strtoll(v, &end, 10);
  if (end == v || *end != '\0' || n < 1 || n > 256) {
    *rc = cli.error(2, std::string("--threads takes an integer from 1 to 256, "
                                   "not '") + v + "'");
    return false;
  }
  nnrt_set_num_threads(static_cast<int>(n));
  return true;
}

/// --device cpu|cuda: where the compiled entries run. False (and `rc`
/// set) for an unknown device, a GPU that cannot be used, or a model
/// compiled without --target=cuda.
bool setDevice(const Args &a, int *rc, CLI &cli, nnrt_model *model) {
  const char *v = a.get("device");
  if (!v)
    return true;
  std::string error;
  if (std::string(v) == "cuda" && !model->infer.cudaFn) {
    *rc = cli.error(1, "model '" + model->name +
                           "' was compiled without --target=cuda; it runs "
                           "on the CPU only");
    return false;
  }
  if (!nnrt::selectDevice(v, error)) {
    *rc = cli.error(std::string(v) == "cuda" ? 1 : 2, "--device " +
                                                          std::string(v) +
                                                          ": " + error);
    return false;
  }
  return true;
}

} // namespace

extern "C" int nnrt_cli_main(int argc, char **argv,
                             const struct nnc_artifact *artifact) {
  const char *prog = argc > 0 ? std::strrchr(argv[0], '/') : nullptr;
  prog = prog ? prog + 1 : (argc > 0 ? argv[0] : "model");
  // --model NAME (any command): which model of a .nn file with several.
  std::vector<char *> rest(argv, argv + argc);
  const char *wanted = nullptr;
  for (size_t i = 1; i + 1 < rest.size(); ++i)
    if (std::strcmp(rest[i], "--model") == 0) {
      wanted = rest[i + 1];
      rest.erase(rest.begin() + i, rest.begin() + i + 2);
      break;
    }
  argc = static_cast<int>(rest.size());
  argv = rest.data();
  nnrt_status *st = nnrt_status_new();
  nnrt_model *model = nnrt_model_open_linked_named(artifact, wanted, st);
  if (!model) {
    std::fprintf(stderr, "%s: error: %s\n", prog, nnrt_status_message(st));
    nnrt_status_free(st);
    return 1;
  }
  CLI cli(prog, model);
  int rc;
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd.empty() || cmd == "--help" || cmd == "-h" || cmd == "help") {
    rc = cmd.empty() ? (cli.usage(stderr), 2) : cli.usage(stdout);
  } else {
    std::vector<std::string> allowed =
        cmd == "predict" ? std::vector<std::string>{"weights", "input", "function",
                                                    "output", "threads",
                                                    "padding", "truncating",
                                                    "num-words", "device"}
        : cmd == "init"     ? std::vector<std::string>{"output", "seed"}
        : cmd == "train"    ? kTrainOptions
        : cmd == "evaluate" ? kEvaluateOptions
                            : std::vector<std::string>{};
    Args a = parse(argc, argv, 2, allowed);
    if (cmd != "summary" && cmd != "predict" && cmd != "init" &&
        cmd != "train" && cmd != "evaluate")
      rc = cli.error(2, "unknown command '" + cmd + "' (try --help)");
    else if (!a.error.empty())
      rc = cli.error(2, a.error + " (try '" + cmd + " --help')");
    else if (!setThreads(a, &rc, cli))
      ;
    else if (!setDevice(a, &rc, cli, model))
      ;
    else if (cmd == "summary")
      rc = cli.summary(a);
    else if (cmd == "init")
      rc = cli.init(a, st);
    else if (cmd == "train")
      rc = cliTrain(prog, model, a, st);
    else if (cmd == "evaluate")
      rc = cliEvaluate(prog, model, a, st);
    else
      rc = cli.predict(a, st);
  }
  nnrt_model_free(model);
  nnrt_status_free(st);
  return rc;
}
