//===- Patterns.h - nn-to-linalg pattern families ---------------*- C++ -*-===//

#ifndef NNC_COMPILER_CONVERSION_NNTOLINALG_PATTERNS_H
#define NNC_COMPILER_CONVERSION_NNTOLINALG_PATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace nnc {

/// Unary and binary elementwise ops, bias_add, activations and softmax.
void populateElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// matmul.
void populateMatmulToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// reduce_sum/mean/max and reshape.
void populateReductionToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// conv2d and its input and kernel gradients; with `implicitKernelGradients`
/// a unit-stride, undilated kernel gradient reads the input in place (one
/// generic marked nn.implicit_kernel_gradient) instead of its window copy,
/// and with `implicitConvolutions` so does the forward convolution (marked
/// nn.implicit_convolution).
void populateConvolutionToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                         bool implicitKernelGradients = false,
                                         bool implicitConvolutions = false);
/// pool2d and its gradients, upsample2d, pad2d, crop2d.
void populatePoolingToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateGradientOpsToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// resample (a constant matrix along one axis).
void populateResampleToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// embedding (a gather) and its table gradient (a serial scatter-add).
void populateEmbeddingToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// dropout_mask (nn.dropout itself is gone: nnc-resolve-dropout).
void populateDropoutToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateScanToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateSparseToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Replaces every nn.scan under `root` (bodies already converted) by an
/// scf.for over its steps (Scan.cpp).
mlir::LogicalResult lowerScans(mlir::Operation *root);

} // namespace nnc

#endif // NNC_COMPILER_CONVERSION_NNTOLINALG_PATTERNS_H
