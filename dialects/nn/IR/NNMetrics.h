//===- NNMetrics.h - the built-in metrics, one entry each -------*- C++ -*-===//
//
// A metric is an accuracy (its entry in NNMetrics.cpp says how it is
// computed in nn ops) or, as in Keras, any built-in loss by name. The front
// end and the train_config verifier check names here; nnc-build-training
// builds the values here.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_IR_NNMETRICS_H
#define NNC_DIALECTS_NN_IR_NNMETRICS_H

#include "dialects/nn/IR/NNBuilder.h"

#include <string>
#include <vector>

namespace nnc::nn {

struct MetricSpec {
  llvm::StringRef name;
  /// The batch mean of the metric, a rank-0 tensor; null when nnc cannot
  /// compute it yet.
  mlir::Value (*build)(NNBuilder &ops, mlir::Value yPred, mlir::Value yTrue);
};

/// The accuracies (losses are metrics too, see isMetric).
llvm::ArrayRef<MetricSpec> builtinMetrics();
/// Every name a metrics list accepts: the accuracies, then the losses.
std::vector<std::string> metricNames();
bool isMetric(llvm::StringRef name);
/// The value of metric `name` of (y_pred, y_true); null when unknown or
/// not supported yet.
mlir::Value buildMetric(NNBuilder &ops, llvm::StringRef name,
                        mlir::Value yPred, mlir::Value yTrue);

} // namespace nnc::nn

#endif // NNC_DIALECTS_NN_IR_NNMETRICS_H
