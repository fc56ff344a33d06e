//===- ShapesTest.cpp - the shape rules shared by ops and front end -------===//

#include "dialects/nn/IR/NNShapes.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"

#include <gtest/gtest.h>

using namespace nnc::nn;
static constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

TEST(Broadcast, AlignsFromTheRight) {
  EXPECT_EQ(broadcastShapes({kDyn, 8}, {8}), Shape({kDyn, 8}));
  EXPECT_EQ(broadcastShapes({}, {kDyn, 3}), Shape({kDyn, 3}));
  EXPECT_EQ(broadcastShapes({3, 1, 5}, {4, 1}), Shape({3, 4, 5}));
}

TEST(Broadcast, DynamicMatchesAnySize) {
  EXPECT_EQ(broadcastShapes({kDyn, 1}, {1, 5}), Shape({kDyn, 5}));
  EXPECT_EQ(broadcastShapes({kDyn}, {7}), Shape({7}));
  EXPECT_EQ(broadcastShapes({kDyn}, {kDyn}), Shape({kDyn}));
}

TEST(Broadcast, RejectsDisagreeingSizes) {
  EXPECT_FALSE(broadcastShapes({kDyn, 3}, {kDyn, 4}));
  EXPECT_FALSE(broadcastShapes({2, 3}, {3, 3}));
}

TEST(Matmul, ContractsTheInnerDimension) {
  EXPECT_EQ(matmulShape({kDyn, 4}, {4, 8}), Shape({kDyn, 8}));
  EXPECT_FALSE(matmulShape({kDyn, 4}, {5, 8}));
  // Rows of any rank: a sequence's steps multiply like a batch's rows.
  EXPECT_EQ(matmulShape({kDyn, 2, 4}, {4, 8}), Shape({kDyn, 2, 8}));
  EXPECT_FALSE(matmulShape({kDyn, 2, 4}, {5, 8}));
  EXPECT_FALSE(matmulShape({4}, {4, 8}));
  EXPECT_FALSE(matmulShape({kDyn, 4}, {4, 8, 2}));
}

TEST(Reshape, MergesTheAxesAfterABatch) {
  EXPECT_TRUE(isBatchMerge({kDyn, 5, 4}, {kDyn, 4}));
  EXPECT_TRUE(isBatchMerge({kDyn, 4}, {kDyn, 5, 4}));
  EXPECT_TRUE(isBatchMerge({kDyn, 3, 5, 4}, {kDyn, 4}));
  EXPECT_FALSE(isBatchMerge({kDyn, 5, 4}, {kDyn, 5}));   // not a suffix
  EXPECT_FALSE(isBatchMerge({kDyn, 5, 4}, {kDyn, 5, 4})); // the same rank
  EXPECT_FALSE(isBatchMerge({3, 5, 4}, {kDyn, 4}));      // no dynamic batch
  EXPECT_FALSE(isBatchMerge({kDyn, kDyn, 4}, {kDyn, 4})); // a dynamic merge
}

TEST(Axes, NormalisesNegativeAndSorts) {
  EXPECT_EQ(normalizeAxes({-1, 0}, 3), llvm::SmallVector<int64_t>({0, 2}));
  EXPECT_EQ(normalizeAxes({}, 2), llvm::SmallVector<int64_t>({0, 1}));
  EXPECT_FALSE(normalizeAxes({3}, 3));
  EXPECT_FALSE(normalizeAxes({-4}, 3));
  EXPECT_FALSE(normalizeAxes({1, -2}, 3)); // the same axis twice
}

TEST(Reduce, DropsOrKeepsAxes) {
  EXPECT_EQ(reducedShape({kDyn, 3, 4}, {1}, false), Shape({kDyn, 4}));
  EXPECT_EQ(reducedShape({kDyn, 3, 4}, {1}, true), Shape({kDyn, 1, 4}));
  EXPECT_EQ(reducedShape({kDyn, 3}, {0, 1}, false), Shape({}));
}

TEST(Reshape, KeepsTheElementCount) {
  EXPECT_TRUE(isValidReshape({kDyn, 28, 28, 1}, {kDyn, 784}));
  EXPECT_TRUE(isValidReshape({2, 3}, {6}));
  EXPECT_FALSE(isValidReshape({kDyn, 4}, {kDyn, 3, 2}));
  // A dynamic size on one side only cannot be proven to match.
  EXPECT_FALSE(isValidReshape({kDyn, 4}, {4, 4}));
}

TEST(Format, PrintsLikeKeras) {
  EXPECT_EQ(formatShape({kDyn, 4}), "(None, 4)");
  EXPECT_EQ(formatShape({kDyn}), "(None,)");
  EXPECT_EQ(formatShape({}), "()");
}
