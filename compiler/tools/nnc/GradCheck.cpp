//===- GradCheck.cpp - compiled gradients against finite differences ------===//
//
// `nnc --gradcheck model.nn`: the gradient entry the training pipeline
// builds (@<model>_grad: loss and d loss / d parameter, produced by
// nnc-autodiff from the ops' gradient rules) is evaluated in f64 by the
// naive reference evaluator, on random inputs, targets and parameters.
// Every parameter element is then perturbed by ±h and the loss evaluated
// again; the central difference (L(p+h) - L(p-h)) / 2h must agree with the
// derived gradient. The evaluator shares no code with autodiff, so a wrong
// rule shows up as a large error on the parameters it feeds.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/nnc/GradCheck.h"

#include "compiler/Reference/ReferenceEvaluator.h"
#include "dialects/nn/IR/NNDialect.h"
#include "dialects/nn/IR/NNOps.h"

#include "llvm/Support/Format.h"

#include <cmath>
#include <random>

using namespace mlir;
using namespace nnc;

namespace {

constexpr int64_t kBatch = 4;
constexpr double kStep = 1e-5;

std::vector<int64_t> concrete(Type t) {
  std::vector<int64_t> shape;
  for (int64_t d : cast<ShapedType>(t).getShape())
    shape.push_back(ShapedType::isDynamic(d) ? kBatch : d);
  return shape;
}

int64_t count(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// The smallest vocabulary of the embeddings that read argument `arg` as
/// token ids; 0 when none does.
int64_t vocabularyOf(BlockArgument arg) {
  int64_t vocabulary = 0;
  for (Operation *user : arg.getUsers())
    if (auto e = dyn_cast<nn::EmbeddingOp>(user))
      if (e.getIds() == arg) {
        int64_t v = e.getTable().getType().getDimSize(0);
        vocabulary = vocabulary ? std::min(vocabulary, v) : v;
      }
  return vocabulary;
}

/// The number of inputs of the sparse products that read `v` as their
/// columns (through scans' consts too); 0 when none does.
int64_t sparseInputsOf(Value v) {
  int64_t inputs = 0;
  auto take = [&](int64_t n) { inputs = inputs ? std::min(inputs, n) : n; };
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (auto m = dyn_cast<nn::SparseMatmulOp>(user)) {
      if (m.getColumns() == v)
        take(m.getX().getType().getDimSize(1));
    } else if (auto t = dyn_cast<nn::SparseMatmulTOp>(user)) {
      if (t.getColumns() == v)
        take(static_cast<int64_t>(t.getInputs()));
    } else if (auto scan = dyn_cast<nn::ScanOp>(user)) {
      unsigned first = scan.getInit().size() + scan.getXs().size();
      unsigned i = use.getOperandNumber();
      if (i >= first)
        if (int64_t n = sparseInputsOf(scan.getConstArgs()[i - first]))
          take(n);
    }
  }
  return inputs;
}

/// Random arguments: normal inputs and parameters, token ids in the table
/// for inputs an embedding reads, column indices for a sparse matrix's
/// connections; targets that every loss accepts (one-hot
/// rows for several outputs, values in (0, 1) for one).
std::vector<ref::Tensor> randomArgs(func::FuncOp f, std::mt19937_64 &rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.05, 0.95);
  std::vector<ref::Tensor> args;
  for (unsigned i = 0; i < f.getNumArguments(); ++i) {
    ref::Tensor t{concrete(f.getArgument(i).getType()), {}};
    int64_t n = count(t.shape);
    if (int64_t vocabulary = vocabularyOf(f.getArgument(i))) {
      for (int64_t k = 0; k < n; ++k)
        t.data.push_back(static_cast<double>(rng() % vocabulary));
    } else if (int64_t inputs = sparseInputsOf(f.getArgument(i))) {
      // A sparse matrix's connections: column indices it can read.
      for (int64_t k = 0; k < n; ++k)
        t.data.push_back(static_cast<double>(rng() % inputs));
    } else if (f.getArgAttr(i, nn::kTargetAttr)) {
      int64_t width = t.shape.empty() ? 1 : t.shape.back();
      t.data.assign(n, 0.0);
      for (int64_t r = 0; r < n / width; ++r) {
        if (width == 1)
          t.data[r] = unit(rng);
        else
          t.data[r * width + rng() % width] = 1.0;
      }
    } else {
      double scale = f.getArgAttr(i, nn::kParamAttr) ? 0.5 : 1.0;
      for (int64_t k = 0; k < n; ++k)
        t.data.push_back(scale * normal(rng));
    }
    args.push_back(std::move(t));
  }
  return args;
}

} // namespace

/// "[2, 5]": the multi-index of element `flat` of `shape`.
static std::string indexOf(int64_t flat, const std::vector<int64_t> &shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  std::string s = "[";
  for (size_t d = 0; d < idx.size(); ++d)
    s += (d ? ", " : "") + std::to_string(idx[d]);
  return s + "]";
}

int nnc::runGradCheck(ModuleOp module, double atol, double rtol,
                      uint64_t seed, llvm::raw_ostream &out,
                      llvm::raw_ostream &err) {
  int checked = 0;
  bool passed = true;
  for (auto f : module.getOps<func::FuncOp>()) {
    auto entry = f->getAttrOfType<DictionaryAttr>(nn::kEntryAttr);
    if (!entry || entry.getAs<StringAttr>("kind").getValue() != "grad")
      continue;
    ++checked;
    std::mt19937_64 rng(seed);
    std::vector<ref::Tensor> args = randomArgs(f, rng);
    std::vector<ref::Tensor> results;
    std::string error;
    if (!ref::evaluate(f, args, results, error)) {
      err << "nnc: error: gradcheck: " << error << "\n";
      return 4;
    }
    auto loss = [&](std::vector<ref::Tensor> &a) {
      std::vector<ref::Tensor> r;
      std::string e;
      ref::evaluate(f, a, r, e);
      return r.empty() ? NAN : r[0].data[0];
    };
    out << "gradcheck " << entry.getAs<StringAttr>("model").getValue()
        << ": loss " << llvm::format("%.6g", results[0].data[0])
        << " on a random batch of " << kBatch
        << ", f64, central differences (h = " << llvm::format("%g", kStep)
        << ")\n";
    out << llvm::format("  %-28s %9s %11s %13s %13s %10s\n", "parameter",
                        "elements", "worst at", "derived", "finite diff",
                        "err/bound");
    // Results 1.. are the gradients, in the order of the trainable
    // parameters among the arguments.
    unsigned result = 1;
    for (unsigned i = 0; i < f.getNumArguments() && result < results.size();
         ++i) {
      auto name = f.getArgAttrOfType<StringAttr>(i, nn::kParamAttr);
      auto gradName = f.getResultAttrOfType<StringAttr>(result, nn::kResultAttr);
      if (!name || !gradName || gradName.getValue() != ("grad/" + name.getValue()).str())
        continue;
      const ref::Tensor &g = results[result++];
      // The element with the largest error relative to its bound.
      double worst = 0;
      int64_t worstAt = 0;
      double worstFd = 0;
      for (size_t k = 0; k < args[i].data.size(); ++k) {
        double saved = args[i].data[k];
        args[i].data[k] = saved + kStep;
        double up = loss(args);
        args[i].data[k] = saved - kStep;
        double down = loss(args);
        args[i].data[k] = saved;
        double fd = (up - down) / (2 * kStep);
        double ratio = std::fabs(fd - g.data[k]) / (atol + rtol * std::fabs(fd));
        if (!(ratio <= worst)) {
          worst = ratio;
          worstAt = static_cast<int64_t>(k);
          worstFd = fd;
        }
      }
      bool ok = worst <= 1.0;
      passed &= ok;
      out << llvm::format("  %-28s %9zu %11s %13.6g %13.6g %10.3g%s\n",
                          name.str().c_str(), args[i].data.size(),
                          indexOf(worstAt, args[i].shape).c_str(),
                          g.data.empty() ? 0.0 : g.data[worstAt], worstFd,
                          worst, ok ? "" : "  FAIL");
    }
  }
  if (!checked) {
    err << "nnc: error: --gradcheck needs a model with a train section (the "
           "loss to differentiate)\n";
    return 1;
  }
  out << (passed ? "passed" : "FAILED") << " (|derived - fd| <= "
      << llvm::format("%.0e", atol) << " + " << llvm::format("%.0e", rtol)
      << " |fd|)\n";
  return passed ? 0 : 1;
}
