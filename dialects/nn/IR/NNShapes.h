//===- NNShapes.h - shape functions shared by ops and the front end -------===//
//
// The rules that decide an op's result shape live here once. Ops call them
// from inferReturnTypes/verify; the front end calls them first so that a user's
// shape mistake is reported at the `.nn` source location, naming the layer and
// both shapes, instead of surfacing as an op verifier failure.
//
// Shapes use mlir::ShapedType::kDynamic for the dynamic (batch) dimension.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_IR_NNSHAPES_H
#define NNC_DIALECTS_NN_IR_NNSHAPES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace nnc::nn {

using Shape = llvm::SmallVector<int64_t, 4>;

/// NumPy broadcasting. A dynamic dimension matches any size (checked at run
/// time) and a size-1 dimension stretches. Returns std::nullopt when two
/// static sizes disagree.
std::optional<Shape> broadcastShapes(llvm::ArrayRef<int64_t> lhs,
                                     llvm::ArrayRef<int64_t> rhs);

/// [..., k] x [k, n] -> [..., n] (rows of any rank: a sequence's steps
/// multiply like a batch's rows). std::nullopt when x's rank is below 2,
/// w's is not 2, or the static contracting sizes differ.
std::optional<Shape> matmulShape(llvm::ArrayRef<int64_t> x,
                                 llvm::ArrayRef<int64_t> w);

/// Normalises `axes` (negative counts from the end) against `rank`; returns
/// std::nullopt for an axis out of range or repeated. Empty means all axes.
std::optional<llvm::SmallVector<int64_t>>
normalizeAxes(llvm::ArrayRef<int64_t> axes, int64_t rank);

/// The shape left after reducing `axes` (already normalised).
Shape reducedShape(llvm::ArrayRef<int64_t> shape,
                   llvm::ArrayRef<int64_t> axes, bool keepDims);

/// Whether a reshape between the two shapes keeps the element count. A
/// dynamic leading dimension on both sides is the same batch.
bool isValidReshape(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to);

/// Whether `to` is `from` with the static axes right after a dynamic batch
/// merged into it ([?, a, ..., rest] -> [?, rest]), or the reverse split
/// (the batch's size then a multiple of their product). A sequence's steps
/// become rows of one matrix product this way.
bool isBatchMerge(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to);

/// Keras' `same` padding of one spatial dimension of size `in` for a window
/// of `window` taps `dilation` apart moved by `stride`: the output has
/// ceil(in / stride) positions and the padding is split with the extra
/// element after, as TensorFlow and Keras split it. Returns {before, after}.
std::pair<int64_t, int64_t> samePadding(int64_t in, int64_t window,
                                        int64_t stride, int64_t dilation);

/// The output shape [batch, OH, OW, C] of sliding a `window` (2 entries)
/// with `strides` and `dilations` (2 each) over `x` = [batch, H, W, C]
/// padded by `padding` = [top, bottom, left, right]. H, W and C must be
/// static, windows, strides and dilations positive, and each pad at most
/// the window's reach minus one. On failure returns std::nullopt and says
/// why in `why`.
std::optional<Shape> windowShape(llvm::ArrayRef<int64_t> x,
                                 llvm::ArrayRef<int64_t> window,
                                 llvm::ArrayRef<int64_t> strides,
                                 llvm::ArrayRef<int64_t> dilations,
                                 llvm::ArrayRef<int64_t> padding,
                                 std::string &why);

/// conv2d's result [batch, OH, OW, F] for `x` = [batch, H, W, C] and the
/// kernel `w` = [KH, KW, C, F].
std::optional<Shape> conv2dShape(llvm::ArrayRef<int64_t> x,
                                 llvm::ArrayRef<int64_t> w,
                                 llvm::ArrayRef<int64_t> strides,
                                 llvm::ArrayRef<int64_t> dilations,
                                 llvm::ArrayRef<int64_t> padding,
                                 std::string &why);

/// The most elements one sample (or one parameter) may have: 2^32, 16 GiB
/// of f32. The runtime refuses larger buffers too; shapes are checked
/// against it where they are made, so that no size arithmetic overflows.
inline constexpr int64_t kMaxElements = int64_t(1) << 32;

/// The product of the static sizes of `shape` (dynamic ones count as 1), or
/// std::nullopt when it exceeds kMaxElements (computed without overflow).
std::optional<int64_t> elementCount(llvm::ArrayRef<int64_t> shape);

/// Renders a shape the way Keras prints it: (None, 4).
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace nnc::nn

#endif // NNC_DIALECTS_NN_IR_NNSHAPES_H
