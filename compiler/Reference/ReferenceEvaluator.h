//===- ReferenceEvaluator.h - the naive oracle for nn IR ---------*- C++ -*-===//
//
// Evaluates a function of nn ops in double precision with the plainest
// loops possible: no fusion, no tiling, no vectorization, no shared code with
// the compiler's lowering. Differential tests compare compiled kernels
// against it. Clarity over speed, always.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_TESTS_REFERENCE_REFERENCEEVALUATOR_H
#define NNC_TESTS_REFERENCE_REFERENCEEVALUATOR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace nnc::ref {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;
};

/// F64: exact to double precision. F32: every op's result rounded to f32,
/// an independent f32 computation whose distance from F64 measures how much
/// f32 rounding alone moves a result (the conditioning of the computation),
/// not a model of any kernel's order of operations.
enum class Precision { F64, F32 };

/// Runs `func` on `args` (one per function argument, shapes concrete).
/// Returns false with a message for an op it does not know.
bool evaluate(mlir::func::FuncOp func, const std::vector<Tensor> &args,
              std::vector<Tensor> &results, std::string &error,
              Precision precision = Precision::F64);

} // namespace nnc::ref

#endif
