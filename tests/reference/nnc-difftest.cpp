//===- nnc-difftest.cpp - compiled kernels against the reference evaluator ===//
//
//   nnc-difftest model.nn model.so [--seed N] [--range LO HI]
//
// Elaborates model.nn to nn IR (the front end, as nnc does), loads the same
// model compiled by `nnc --shared`, fills parameters and inputs with seeded
// random numbers and compares the compiled f32 outputs with the reference
// evaluator's f64 ones at batch sizes 1, 7, 64 and 200 (200 rows: a forward
// layer's weights are packed at run time from 128 rows on). An element passes when
// |got - ref| <= 1e-5 * |ref| + 1e-6 (1e-5 relative; the 1e-6 floor is for
// values that are zero up to f32 rounding). Prints the worst error per batch
// size; exits 1 if any element fails.
//
//===----------------------------------------------------------------------===//

#include "compiler/Reference/ReferenceEvaluator.h"

#include "compiler/Frontend/MLIRGen.h"
#include "dialects/nn/IR/NNDialect.h"
#include "nnrt.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>
#include <random>

using namespace nnc;

int main(int argc, char **argv) {
  if (argc < 3) {
    llvm::errs() << "usage: nnc-difftest model.nn model.so [--seed N] "
                    "[--range LO HI]\n";
    return 2;
  }
  unsigned seed = 1;
  double lo = -2.0, hi = 2.0;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc)
      seed = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--range" && i + 2 < argc) {
      lo = std::strtod(argv[++i], nullptr);
      hi = std::strtod(argv[++i], nullptr);
    }
  }

  auto file = llvm::MemoryBuffer::getFile(argv[1]);
  if (!file) {
    llvm::errs() << "cannot read " << argv[1] << "\n";
    return 2;
  }
  llvm::SourceMgr sm;
  sm.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
  DiagnosticEngine diags(sm);
  mlir::MLIRContext ctx;
  ctx.loadDialect<nn::NNDialect>();
  auto ir = generateMLIRFromSource(ctx, diags);
  if (!ir)
    return 2;
  mlir::func::FuncOp func;
  for (auto f : ir->getOps<mlir::func::FuncOp>())
    if (f->hasAttr(nn::kModelAttr) && !func)
      func = f;

  nnrt_status *st = nnrt_status_new();
  nnrt_model *model = nnrt_model_open_shared(argv[2], st);
  if (!model) {
    llvm::errs() << nnrt_status_message(st) << "\n";
    return 2;
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> paramDist(-1.0f, 1.0f);
  std::uniform_real_distribution<float> inputDist(static_cast<float>(lo),
                                                  static_cast<float>(hi));
  size_t numInputs = nnrt_model_num_inputs(model);
  std::vector<ref::Tensor> params;
  for (size_t p = 0; p < nnrt_model_num_params(model); ++p) {
    nnrt_tensor *t = nnrt_model_param(model, p);
    ref::Tensor r;
    for (size_t d = 0; d < nnrt_tensor_rank(t); ++d)
      r.shape.push_back(nnrt_tensor_dim(t, d));
    for (int64_t i = 0; i < nnrt_tensor_size(t); ++i) {
      nnrt_tensor_data(t)[i] = paramDist(rng);
      r.data.push_back(nnrt_tensor_data(t)[i]);
    }
    params.push_back(r);
  }

  bool ok = true;
  for (int64_t batch : {1, 7, 64, 200}) {
    std::vector<nnrt_tensor *> inputs;
    std::vector<ref::Tensor> args;
    for (size_t i = 0; i < numInputs; ++i) {
      auto type = mlir::cast<mlir::ShapedType>(func.getArgument(i).getType());
      std::vector<int64_t> shape;
      for (int64_t d : type.getShape())
        shape.push_back(mlir::ShapedType::isDynamic(d) ? batch : d);
      nnrt_tensor *t = nnrt_tensor_new(shape.size(), shape.data(), st);
      ref::Tensor r{shape, {}};
      for (int64_t k = 0; k < nnrt_tensor_size(t); ++k) {
        nnrt_tensor_data(t)[k] = inputDist(rng);
        r.data.push_back(nnrt_tensor_data(t)[k]);
      }
      inputs.push_back(t);
      args.push_back(r);
    }
    args.insert(args.end(), params.begin(), params.end());
    std::vector<ref::Tensor> expected;
    std::string error;
    if (!ref::evaluate(func, args, expected, error)) {
      llvm::errs() << error << "\n";
      return 2;
    }
    nnrt_tensor *got = nnrt_model_predict(
        model, const_cast<const nnrt_tensor *const *>(inputs.data()),
        inputs.size(), st);
    if (!got) {
      llvm::errs() << nnrt_status_message(st) << "\n";
      return 2;
    }
    const ref::Tensor &want = expected[0];
    double worst = 0;
    int64_t failures = 0;
    if (nnrt_tensor_size(got) != (int64_t)want.data.size()) {
      llvm::outs() << "batch " << batch << ": size mismatch\n";
      ok = false;
      continue;
    }
    for (size_t k = 0; k < want.data.size(); ++k) {
      double g = nnrt_tensor_cdata(got)[k], w = want.data[k];
      double err = std::fabs(g - w);
      worst = std::max(worst, err / std::max(std::fabs(w), 1e-6));
      if (!(err <= 1e-5 * std::fabs(w) + 1e-6))
        ++failures;
    }
    llvm::outs() << "batch " << batch << ": " << want.data.size()
                 << " values, worst relative error " << worst << ", "
                 << failures << " outside tolerance\n";
    ok &= failures == 0;
    nnrt_tensor_free(got);
    for (nnrt_tensor *t : inputs)
      nnrt_tensor_free(t);
  }
  llvm::outs() << (ok ? "PASS" : "FAIL") << "\n";
  nnrt_model_free(model);
  nnrt_status_free(st);
  return ok ? 0 : 1;
}
