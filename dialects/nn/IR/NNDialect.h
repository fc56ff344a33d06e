//===- NNDialect.h - the nn dialect -----------------------------*- C++ -*-===//
//
// Declares the dialect class and the names of the attributes it attaches to
// function arguments (parameters and inputs) and to functions (models).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_IR_NNDIALECT_H
#define NNC_DIALECTS_NN_IR_NNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include "dialects/nn/IR/NNDialect.h.inc"

namespace nnc::nn {

/// Argument attributes: a parameter's name (unique in the model, e.g.
/// "dense_1.kernel"), its initialiser, whether training updates it, and the
/// source name of a model input.
inline constexpr llvm::StringLiteral kParamAttr = "nn.param";
inline constexpr llvm::StringLiteral kInitAttr = "nn.init";
inline constexpr llvm::StringLiteral kTrainableAttr = "nn.trainable";
inline constexpr llvm::StringLiteral kInputAttr = "nn.input";
/// Marks a caller-owned output buffer (added by nnc-results-to-arguments).
inline constexpr llvm::StringLiteral kOutputAttr = "nn.output";
/// On a model function: the Keras-style layer table, an array of
/// {name, type, shape, params} dictionaries (shape: -1 for the batch).
inline constexpr llvm::StringLiteral kLayersAttr = "nn.layers";
/// Function attribute: this func.func is a model (inputs, then parameters).
inline constexpr llvm::StringLiteral kModelAttr = "nn.model";

/// Training entry points (built by nnc-build-training):
/// - on the function, {kind = "train" | "eval" | "grad", model = "<name>"};
inline constexpr llvm::StringLiteral kEntryAttr = "nn.entry";
/// - argument attributes: the targets (y_true), optimizer state (its name,
///   e.g. "dense.kernel/m") and run-time hyper-parameters ("learning_rate",
///   "step");
inline constexpr llvm::StringLiteral kTargetAttr = "nn.target";
inline constexpr llvm::StringLiteral kStateAttr = "nn.state";
inline constexpr llvm::StringLiteral kHyperAttr = "nn.hyper";
/// - result attributes: the argument a result is the new value of (updated
///   in place), or the name of a reported value ("loss", "accuracy").
inline constexpr llvm::StringLiteral kUpdatesAttr = "nn.updates";
inline constexpr llvm::StringLiteral kResultAttr = "nn.result";

/// On a model function once its nn.train_config is gone
/// (nnc-keep-artifact-functions): the train section's settings, for the
/// manifest.
inline constexpr llvm::StringLiteral kTrainAttr = "nn.train";
/// On a function holding one loop nest, outlined from a model or entry
/// (nnc-outline-kernels); nnc-deduplicate-kernels merges identical ones.
inline constexpr llvm::StringLiteral kKernelAttr = "nn.kernel";
/// On a kernel: which of its memref arguments (ordinals among the memref
/// arguments only) overlap no other argument: each is a different
/// allocation or a different buffer of the entry (the ABI: one call's
/// buffers do not overlap). It stays through func-to-llvm, after which
/// nnc-mark-noalias makes those data pointers LLVM `noalias`.
inline constexpr llvm::StringLiteral kNoAliasAttr = "nn.noalias_memrefs";
/// On an scf.for on buffers: its iterations write disjoint parts of its
/// outputs and read nothing another iteration writes (the tile loops of
/// nnc-tile-and-fuse-*, the block loops of nnc-vectorize-contractions).
/// A top-level one becomes a parallel kernel (nnc-outline-kernels).
inline constexpr llvm::StringLiteral kParallelAttr = "nn.parallel";
/// On an scf.for over blocks of a contraction's reduction loop
/// (nnc-tile-and-fuse-contractions): its iterations run in order, each one
/// accumulating into the whole output, and the loop nests in its body are
/// kernels of their own (nnc-outline-kernels), parallel ones included.
inline constexpr llvm::StringLiteral kReductionBlocksAttr =
    "nn.reduction_blocks";
/// On the linalg.generic a unit-stride convolution's kernel gradient
/// becomes on the CPU (the value: the input's channels, C): loops
/// (a, q, f, n, i, j), dw[a, q, f] += x[n, i + a, j*C + q] * dy[n, i, j, f]
/// with x as [N, H, W*C] and dw as [KH, KW*C, F].
/// nnc-lower-implicit-kernel-gradients gives it its micro-kernels.
inline constexpr llvm::StringLiteral kImplicitKernelGradientAttr =
    "nn.implicit_kernel_gradient";
/// That generic's indexing maps for C channels, in the order x, dy, dw:
/// the one place both its producer and its lowering take them from.
llvm::SmallVector<mlir::AffineMap, 3>
implicitKernelGradientMaps(mlir::MLIRContext *ctx, int64_t channels);
/// On the linalg.generic a unit-stride, undilated convolution becomes on
/// the CPU (the value: the input's channels, C): loops (n, i, j, f, a, q),
/// y[n, i, j, f] += x[n, i + a, j*C + q] * w[a, q, f] with x as
/// [N, H, W*C] and w as [KH, KW*C, F]. nnc-lower-implicit-convolutions
/// gives it its micro-kernels.
inline constexpr llvm::StringLiteral kImplicitConvolutionAttr =
    "nn.implicit_convolution";
/// That generic's indexing maps for C channels, in the order x, w, y.
llvm::SmallVector<mlir::AffineMap, 3>
implicitConvolutionMaps(mlir::MLIRContext *ctx, int64_t channels);
/// On the scf.for that an nn.scan becomes: one iteration per step, in
/// order; like a reduction-blocks loop, it stays in the caller and the loop
/// nests of its body are kernels of their own (nnc-outline-kernels).
inline constexpr llvm::StringLiteral kSequenceStepsAttr =
    "nn.sequence_steps";
/// On the call of a parallel kernel that is worth running on several
/// threads: nnc-dispatch-parallel-kernels makes it a call of the
/// runtime's nnc_parallel_for.
inline constexpr llvm::StringLiteral kParallelDispatchAttr =
    "nn.parallel_dispatch";
/// Module attributes: the source file, {name = "iris.nn", sha256 = "..."}
/// (set by the driver), and the manifest JSON the export step writes
/// (nnc-export-artifact), which the emitter embeds in the artifact.
inline constexpr llvm::StringLiteral kSourceAttr = "nn.source";
inline constexpr llvm::StringLiteral kManifestAttr = "nn.manifest";

} // namespace nnc::nn

#endif // NNC_DIALECTS_NN_IR_NNDIALECT_H
