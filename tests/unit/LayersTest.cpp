//===- LayersTest.cpp - layer specs and their elaborations ----------------===//
//
// Paths of the built-in layers that no .nn source reaches (MLIRGen handles
// them before the spec is called), checked directly: they must report, not
// crash or build IR.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/Layers.h"
#include "dialects/nn/IR/NNDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace nnc;

namespace {

/// Records the errors a layer reports; parameters are never expected.
class RecordingContext final : public LayerContext {
public:
  using LayerContext::LayerContext;
  mlir::Value addParam(llvm::StringRef, llvm::ArrayRef<int64_t>, mlir::Type,
                       llvm::StringRef, bool) override {
    ++params;
    return {};
  }
  void error(const llvm::Twine &message) override {
    errors.push_back(message.str());
  }
  std::vector<std::string> errors;
  int params = 0;
};

} // namespace

// bidirectional's argument is a layer call, so MLIRGen elaborates it itself
// (applyBidirectional); its spec exists for argument binding and the
// layer list. Called as a plain layer it reports an internal error.
TEST(Bidirectional, SpecCalledAsAPlainLayerReports) {
  mlir::MLIRContext context;
  context.loadDialect<nn::NNDialect>();
  mlir::OpBuilder b(&context);
  mlir::Location loc = b.getUnknownLoc();
  auto module = mlir::ModuleOp::create(loc);
  b.setInsertionPointToEnd(module.getBody());
  const LayerSpec *spec = lookupLayer("bidirectional");
  ASSERT_NE(spec, nullptr);
  ASSERT_NE(spec->elaborate, nullptr);
  BoundArgs args;
  RecordingContext ctx(b, loc, "bidirectional", args);
  std::optional<mlir::Value> y = spec->elaborate(ctx, mlir::Value());
  EXPECT_FALSE(y.has_value());
  ASSERT_EQ(ctx.errors.size(), 1u);
  EXPECT_EQ(ctx.errors[0],
            "internal: bidirectional elaborated as a plain layer");
  EXPECT_EQ(ctx.params, 0);
  EXPECT_TRUE(module.getBody()->empty());
  module->erase();
}
