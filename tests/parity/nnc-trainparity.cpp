//===- nnc-trainparity.cpp - compiled train steps, run and checked --------===//
//
//   nnc-trainparity model.nn model.so DIR --steps N [--seed S] [--only M]
//
// The compiled half of the Keras parity test (tests/parity/keras_parity.py),
// and its second oracle. For every model of model.nn with a train section,
// from DIR/<m>.x.npy and DIR/<m>.y.npy (absent for a loss without targets;
// <m>.x0.npy, <m>.x1.npy, ... and <m>.y0.npy, ... for a model with several
// inputs or outputs), N consecutive batches of the train section's batch
// size:
//
//  1. initialises the parameters with the runtime's Keras initialisers
//     (seeded) and writes them to DIR/<m>.init.safetensors, which the Keras
//     side loads, so both start from identical weights;
//  2. runs N compiled train steps (nnrt_trainer_step on the .so, as `train`
//     does), writing a checkpoint (parameters and every optimizer slot)
//     after step 1 and step N to DIR/<m>.step<k>.safetensors and the loss
//     and metrics of each step to DIR/<m>.log;
//  3. runs the same @<m>_train function of nn IR, built by the training
//     pipeline, in f64 through the naive reference evaluator, feeding its
//     own results back for N steps, and prints the worst relative
//     difference between the compiled and reference values after step 1
//     and step N (the reference values go to DIR/<m>.ref<k>.safetensors).
//     The compiled step differing from the reference points at
//     the lowering; agreeing with the reference while differing from Keras
//     points at a formula (a gradient rule, a loss, an optimizer).
//
// A tensor's difference is max|got - ref| / (max|ref| + 1e-3): relative to
// the tensor's scale, not element by element (f32 rounding of an element
// that is near zero is not a lowering bug). Each tensor may differ by
// --tolerance (default 1e-4) plus twice its f32 noise: the distance from
// the f64 reference of the same steps evaluated with every op rounded to
// f32 (an independent f32 computation; it is tiny except where the model is
// ill-conditioned). Exit 1 when any difference exceeds that, 2 on a usage
// or I/O error.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/MLIRGen.h"
#include "compiler/Pipelines/CPUPipeline.h"
#include "compiler/Pipelines/TrainingPipeline.h"
#include "compiler/Reference/ReferenceEvaluator.h"
#include "dialects/nn/IR/NNDialect.h"
#include "nnrt.h"
#include "runtime/src/Safetensors.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>

using namespace nnc;

namespace {

struct Options {
  std::string source, library, dir, only;
  int64_t steps = 10;
  uint64_t seed = 1;
  double tolerance = 1e-4;
};

/// Rows [first, first + n) of a (rows, ...) tensor, as a new tensor.
nnrt_tensor *rows(const nnrt_tensor *t, int64_t first, int64_t n) {
  std::vector<int64_t> shape;
  for (size_t d = 0; d < nnrt_tensor_rank(t); ++d)
    shape.push_back(nnrt_tensor_dim(t, d));
  int64_t width = nnrt_tensor_size(t) / shape[0];
  shape[0] = n;
  nnrt_tensor *out = nnrt_tensor_new(shape.size(), shape.data(), nullptr);
  std::copy_n(nnrt_tensor_cdata(t) + first * width, n * width,
              nnrt_tensor_data(out));
  return out;
}

ref::Tensor toRef(const nnrt_tensor *t) {
  ref::Tensor r;
  for (size_t d = 0; d < nnrt_tensor_rank(t); ++d)
    r.shape.push_back(nnrt_tensor_dim(t, d));
  r.data.assign(nnrt_tensor_cdata(t),
                nnrt_tensor_cdata(t) + nnrt_tensor_size(t));
  return r;
}

double difference(const std::vector<float> &got, const ref::Tensor &want) {
  double worst = 0, scale = 0;
  for (size_t i = 0; i < want.data.size(); ++i) {
    worst = std::max(worst, std::fabs(got[i] - want.data[i]));
    scale = std::max(scale, std::fabs(want.data[i]));
  }
  if (got.size() != want.data.size() ||
      std::any_of(got.begin(), got.end(), [](float v) { return !std::isfinite(v); }))
    return INFINITY;
  return worst / (scale + 1e-3);
}

/// A noise estimate that diverged allows nothing.
double finiteOrZero(double v) { return std::isfinite(v) ? v : 0.0; }

/// The f64 state of @<m>_train between steps: its arguments by name.
struct ReferenceRun {
  mlir::func::FuncOp fn;
  ref::Precision precision = ref::Precision::F64;
  std::vector<ref::Tensor> args;
  std::map<std::string, unsigned> byName; // param and state names
  std::vector<unsigned> inputArgs, targetArgs;
  int lrArg = -1, stepArg = -1;
  std::vector<double> lossAndMetrics;

  bool init(mlir::func::FuncOp f) {
    fn = f;
    args.resize(f.getNumArguments());
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      auto str = [&](llvm::StringRef attr) {
        auto s = f.getArgAttrOfType<mlir::StringAttr>(i, attr);
        return s ? s.str() : std::string();
      };
      auto type = mlir::cast<mlir::ShapedType>(f.getArgument(i).getType());
      for (int64_t d : type.getShape())
        args[i].shape.push_back(d);
      if (f.getArgAttr(i, nn::kInputAttr)) {
        inputArgs.push_back(i);
      } else if (f.getArgAttr(i, nn::kTargetAttr)) {
        targetArgs.push_back(i);
      } else if (f.getArgAttr(i, nn::kParamAttr)) {
        byName[str(nn::kParamAttr)] = i;
      } else if (f.getArgAttr(i, nn::kStateAttr)) {
        byName["optimizer/" + str(nn::kStateAttr)] = i;
        args[i].data.assign(type.getNumElements(), 0.0);
      } else if (str(nn::kHyperAttr) == "learning_rate") {
        lrArg = i;
      } else if (str(nn::kHyperAttr) == "step") {
        stepArg = i;
      }
    }
    return !inputArgs.empty() && lrArg >= 0 && stepArg >= 0;
  }

  /// One step on a batch: the inputs' arrays, then the targets'.
  bool step(const std::vector<nnrt_tensor *> &data, double lr, int64_t step,
            std::string &error) {
    for (size_t k = 0; k < inputArgs.size(); ++k)
      args[inputArgs[k]] = toRef(data[k]);
    for (size_t k = 0; k < targetArgs.size(); ++k)
      args[targetArgs[k]] = toRef(data[inputArgs.size() + k]);
    args[lrArg] = {{}, {lr}};
    args[stepArg] = {{}, {static_cast<double>(step)}};
    std::vector<ref::Tensor> results;
    if (!ref::evaluate(fn, args, results, error, precision))
      return false;
    lossAndMetrics.clear();
    for (unsigned r = 0; r < results.size(); ++r) {
      if (auto updated =
              fn.getResultAttrOfType<mlir::IntegerAttr>(r, nn::kUpdatesAttr))
        args[updated.getInt()].data = results[r].data;
      else
        lossAndMetrics.push_back(results[r].data[0]);
    }
    return true;
  }
};

int fail(const std::string &message) {
  llvm::errs() << "nnc-trainparity: " << message << "\n";
  return 2;
}

/// Runs model `name`; returns 0 (agrees), 1 (differs) or 2 (error).
int runModel(const Options &o, const std::string &name,
             mlir::func::FuncOp trainFn, nnrt_status *st) {
  std::string base = o.dir + "/" + name;
  nnrt_model *m = nnrt_model_open_shared_named(o.library.c_str(), name.c_str(), st);
  if (!m)
    return fail(nnrt_status_message(st));
  nnrt_fit_options fit;
  nnrt_fit_options_init(m, &fit);
  // The inputs' arrays, then the targets': x.npy / y.npy, or x0.npy,
  // x1.npy, ... when there are several.
  size_t nx = nnrt_model_num_inputs(m), ny = nnrt_model_num_targets(m);
  std::vector<nnrt_tensor *> data;
  bool read = true;
  for (size_t k = 0; read && k < nx + ny; ++k) {
    bool input = k < nx;
    size_t count = input ? nx : ny, i = input ? k : k - nx;
    std::string path = base + (input ? ".x" : ".y") +
                       (count == 1 ? std::string() : std::to_string(i)) +
                       ".npy";
    data.push_back(nnrt_read_npy(path.c_str(), st));
    read = data.back() != nullptr;
  }
  // Step s reads rows [(s - 1) * batch, s * batch): past the end it would
  // read whatever memory follows (found when a test asked for 3 steps of
  // 33 rows from 66).
  for (size_t k = 0; read && k < data.size(); ++k)
    if (nnrt_tensor_dim(data[k], 0) < o.steps * fit.batch_size)
      return fail(name + ": " + std::to_string(o.steps) + " steps of " +
                  std::to_string(fit.batch_size) + " rows need " +
                  std::to_string(o.steps * fit.batch_size) +
                  " rows of data, the files have " +
                  std::to_string(nnrt_tensor_dim(data[k], 0)));
  nnrt_trainer *t = read ? nnrt_trainer_new(m, st) : nullptr;
  if (!t || nnrt_model_init_params(m, o.seed, st) ||
      nnrt_model_save_weights(m, (base + ".init.safetensors").c_str(), st))
    return fail(nnrt_status_message(st));

  // The f64 reference, and the same steps with every op rounded to f32:
  // their distance is the f32 noise of each tensor in this model.
  ReferenceRun ref, ref32;
  ref32.precision = ref::Precision::F32;
  for (ReferenceRun *r : {&ref, &ref32}) {
    if (!r->init(trainFn))
      return fail(name + ": the train function does not have inputs, a "
                         "learning rate and a step");
    for (size_t p = 0; p < nnrt_model_num_params(m); ++p)
      r->args[r->byName.at(nnrt_model_param_name(m, p))] =
          toRef(nnrt_model_param(m, p));
  }

  std::ofstream log(base + ".log");
  int64_t batch = fit.batch_size;
  std::vector<float> metrics(nnrt_model_num_metrics(m));
  int status = 0;
  for (int64_t s = 1; s <= o.steps; ++s) {
    std::vector<nnrt_tensor *> b;
    for (nnrt_tensor *array : data)
      b.push_back(rows(array, (s - 1) * batch, batch));
    float loss;
    std::string error;
    if (nnrt_trainer_step_arrays(t, b.data(), nx, b.data() + nx, ny,
                                 static_cast<float>(fit.learning_rate), &loss,
                                 metrics.data(), st))
      return fail(nnrt_status_message(st));
    if (!ref.step(b, fit.learning_rate, s, error) ||
        !ref32.step(b, fit.learning_rate, s, error))
      return fail(name + ": reference evaluator: " + error);
    log << s << " " << llvm::formatv("{0:e9}", loss).str();
    for (float v : metrics)
      log << " " << llvm::formatv("{0:e9}", v).str();
    log << "\n";
    for (nnrt_tensor *array : b)
      nnrt_tensor_free(array);
    if (s != 1 && s != o.steps)
      continue;
    std::string path = base + ".step" + std::to_string(s) + ".safetensors";
    if (nnrt_trainer_save_checkpoint(t, path.c_str(), o.seed, st))
      return fail(nnrt_status_message(st));
    std::vector<nnrt::NamedTensor> got;
    if (!nnrt::readSafetensors(path, got, error))
      return fail(error);
    double worst = 0, worstNoise = 0;
    std::string worstName;
    bool ok = true;
    std::vector<nnrt::NamedTensor> reference;
    for (const nnrt::NamedTensor &g : got) {
      unsigned arg = ref.byName.at(g.name);
      const ref::Tensor &r = ref.args[arg];
      const std::vector<double> &r32 = ref32.args[arg].data;
      double d = difference(g.data, r);
      // An ill-conditioned tensor (a saturated softmax under a clipped
      // cross-entropy) moves by more than --tolerance under any f32
      // computation; the independent one measures by how much.
      double noise =
          finiteOrZero(difference(std::vector<float>(r32.begin(), r32.end()), r));
      ok &= d <= o.tolerance + 2 * noise;
      if (!(d <= worst))
        worst = d, worstName = g.name, worstNoise = noise;
      reference.push_back(
          {g.name, g.shape, std::vector<float>(r.data.begin(), r.data.end())});
    }
    // The f64 values (rounded to f32) beside the checkpoint: how far f32
    // rounding alone moves each tensor, for the Keras comparison.
    if (!nnrt::writeSafetensors(base + ".ref" + std::to_string(s) +
                                    ".safetensors",
                                reference, "", error))
      return fail(error);
    std::vector<float> outs{loss};
    outs.insert(outs.end(), metrics.begin(), metrics.end());
    for (size_t k = 0; k < outs.size(); ++k) {
      double d = difference({outs[k]}, {{}, {ref.lossAndMetrics[k]}});
      double noise = finiteOrZero(
          difference({static_cast<float>(ref32.lossAndMetrics[k])},
                     {{}, {ref.lossAndMetrics[k]}}));
      ok &= d <= o.tolerance + 2 * noise;
      if (!(d <= worst))
        worst = d, worstName = k ? "metric " + std::to_string(k) : "loss",
        worstNoise = noise;
    }
    llvm::outs() << llvm::formatv("{0} step {1}: reference f64 worst {2:e2} "
                                  "({3}, f32 noise {4:e2}){5}\n",
                                  name, s, worst, worstName, worstNoise,
                                  ok ? "" : "  FAIL");
    if (!ok)
      status = 1;
  }
  nnrt_trainer_free(t);
  for (nnrt_tensor *array : data)
    nnrt_tensor_free(array);
  nnrt_model_free(m);
  return status;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool hasValue = i + 1 < argc;
    if (a == "--steps" && hasValue)
      o.steps = std::atoll(argv[++i]);
    else if (a == "--seed" && hasValue)
      o.seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--tolerance" && hasValue)
      o.tolerance = std::atof(argv[++i]);
    else if (a == "--only" && hasValue)
      o.only = argv[++i];
    else
      positional.push_back(a);
  }
  if (positional.size() != 3 || o.steps < 1)
    return fail("usage: nnc-trainparity model.nn model.so DIR --steps N "
                "[--seed S] [--tolerance T] [--only MODEL]");
  o.source = positional[0];
  o.library = positional[1];
  o.dir = positional[2];

  auto file = llvm::MemoryBuffer::getFile(o.source);
  if (!file)
    return fail("cannot read " + o.source);
  llvm::SourceMgr sm;
  sm.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
  DiagnosticEngine diags(sm);
  mlir::DialectRegistry registry;
  registerCPUPipelineDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadDialect<nn::NNDialect>();
  auto ir = generateMLIRFromSource(ctx, diags);
  if (!ir)
    return 2;
  mlir::PassManager pm(&ctx);
  buildTrainingPipeline(pm);
  if (mlir::failed(pm.run(*ir)))
    return 2;

  nnrt_status *st = nnrt_status_new();
  int status = 0, models = 0;
  for (auto f : ir->getOps<mlir::func::FuncOp>()) {
    auto entry = f->getAttrOfType<mlir::DictionaryAttr>(nn::kEntryAttr);
    if (!entry || entry.getAs<mlir::StringAttr>("kind").getValue() != "train")
      continue;
    std::string name = entry.getAs<mlir::StringAttr>("model").str();
    if (!o.only.empty() && name != o.only)
      continue;
    ++models;
    status = std::max(status, runModel(o, name, f, st));
  }
  nnrt_status_free(st);
  if (!models)
    return fail("no model with a train section in " + o.source);
  return status;
}
