//===- ApproximateMath.cpp - inline polynomial exp, log and tanh ----------===//
//
// A libm call in a loop body stops LLVM's vectoriser and costs a call per
// element (an iris step made ~300 of them). MLIR's approximation patterns
// expand the transcendental functions the courses' models use into arith
// ops that vectorise like any other elementwise code; the predicate below
// picks the ones whose approximations hold their accuracy over the whole
// f32 range.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nnc {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// The patterns ask by full operation name ("math.exp").
bool approximated(StringRef op) {
  return op.consume_front("math.") &&
         llvm::is_contained({"exp", "expm1", "log", "log1p", "log2", "tanh"},
                            op);
}

struct ApproximateMathPass
    : nnc::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
