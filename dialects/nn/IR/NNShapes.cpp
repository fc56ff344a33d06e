//===- NNShapes.cpp - shape functions shared by ops and the front end -----===//

#include "dialects/nn/IR/NNShapes.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "llvm/ADT/STLExtras.h"

using mlir::ShapedType;

namespace nnc::nn {

std::optional<Shape> broadcastShapes(llvm::ArrayRef<int64_t> lhs,
                                     llvm::ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the right.
    int64_t a = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t b = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    int64_t &r = out[rank - 1 - i];
    if (a == b)
      r = a;
    else if (a == 1)
      r = b;
    else if (b == 1)
      r = a;
    else if (ShapedType::isDynamic(a))
      r = b;
    else if (ShapedType::isDynamic(b))
      r = a;
    else
      return std::nullopt;
  }
  return out;
}

std::optional<Shape> matmulShape(llvm::ArrayRef<int64_t> x,
                                 llvm::ArrayRef<int64_t> w) {
  if (x.size() < 2 || w.size() != 2)
    return std::nullopt;
  if (!ShapedType::isDynamic(x.back()) && !ShapedType::isDynamic(w[0]) &&
      x.back() != w[0])
    return std::nullopt;
  Shape out(x.drop_back());
  out.push_back(w[1]);
  return out;
}

std::optional<llvm::SmallVector<int64_t>>
normalizeAxes(llvm::ArrayRef<int64_t> axes, int64_t rank) {
  llvm::SmallVector<int64_t> out;
  if (axes.empty()) {
    for (int64_t i = 0; i < rank; ++i)
      out.push_back(i);
    return out;
  }
  for (int64_t a : axes) {
    int64_t n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank || llvm::is_contained(out, n))
      return std::nullopt;
    out.push_back(n);
  }
  llvm::sort(out);
  return out;
}

Shape reducedShape(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> axes,
                   bool keepDims) {
  Shape out;
  for (int64_t i = 0, e = shape.size(); i < e; ++i) {
    if (!llvm::is_contained(axes, i))
      out.push_back(shape[i]);
    else if (keepDims)
      out.push_back(1);
  }
  return out;
}

bool isValidReshape(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to) {
  // Sizes past kMaxElements are never valid (and would overflow here).
  auto product = [](llvm::ArrayRef<int64_t> s, int64_t &out) {
    if (llvm::any_of(s, ShapedType::isDynamic))
      return false;
    std::optional<int64_t> n = elementCount(s);
    out = n.value_or(0);
    return n.has_value();
  };
  // A dynamic batch on both sides cancels out.
  if (!from.empty() && !to.empty() && ShapedType::isDynamic(from[0]) &&
      ShapedType::isDynamic(to[0])) {
    from = from.drop_front();
    to = to.drop_front();
  }
  int64_t a, b;
  if (!product(from, a) || !product(to, b))
    return false;
  return a == b;
}

bool isBatchMerge(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to) {
  if (from.size() < to.size())
    std::swap(from, to);
  if (to.empty() || from.size() == to.size() ||
      !ShapedType::isDynamic(from[0]) || !ShapedType::isDynamic(to[0]))
    return false;
  size_t merged = from.size() - to.size();
  for (size_t i = 1; i <= merged; ++i)
    if (ShapedType::isDynamic(from[i]))
      return false;
  return from.drop_front(merged + 1) == to.drop_front(1);
}

std::pair<int64_t, int64_t> samePadding(int64_t in, int64_t window,
                                        int64_t stride, int64_t dilation) {
  int64_t reach = (window - 1) * dilation + 1;
  int64_t out = (in + stride - 1) / stride;
  int64_t total = std::max<int64_t>((out - 1) * stride + reach - in, 0);
  return {total / 2, total - total / 2};
}

std::optional<Shape> windowShape(llvm::ArrayRef<int64_t> x,
                                 llvm::ArrayRef<int64_t> window,
                                 llvm::ArrayRef<int64_t> strides,
                                 llvm::ArrayRef<int64_t> dilations,
                                 llvm::ArrayRef<int64_t> padding,
                                 std::string &why) {
  if (x.size() != 4 || llvm::any_of(x.drop_front(), ShapedType::isDynamic)) {
    why = "needs an input of shape (batch, height, width, channels) with "
          "known height, width and channels, got " +
          formatShape(x);
    return std::nullopt;
  }
  if (window.size() != 2 || strides.size() != 2 || dilations.size() != 2 ||
      padding.size() != 4) {
    why = "needs 2 window sizes, 2 strides, 2 dilations and 4 paddings";
    return std::nullopt;
  }
  Shape out{x[0], 0, 0, x[3]};
  for (int d = 0; d < 2; ++d) {
    if (window[d] < 1 || strides[d] < 1 || dilations[d] < 1) {
      why = "window sizes, strides and dilations must be positive";
      return std::nullopt;
    }
    // Bounded so that the size arithmetic below cannot overflow.
    if (window[d] > kMaxElements || strides[d] > kMaxElements ||
        dilations[d] > kMaxElements) {
      why = "window sizes, strides and dilations must be at most 2^32";
      return std::nullopt;
    }
    int64_t reach = (window[d] - 1) * dilations[d] + 1;
    int64_t before = padding[2 * d], after = padding[2 * d + 1];
    if (before < 0 || after < 0 || before >= reach || after >= reach) {
      why = "padding must be between 0 and the window's reach minus one (" +
            std::to_string(reach - 1) + ")";
      return std::nullopt;
    }
    int64_t padded = x[1 + d] + before + after;
    if (padded < reach) {
      why = std::string("the ") + (d == 0 ? "height" : "width") + " of " +
            formatShape(x) + " is smaller than the window (" +
            std::to_string(reach) + ")";
      return std::nullopt;
    }
    out[1 + d] = (padded - reach) / strides[d] + 1;
  }
  return out;
}

std::optional<Shape> conv2dShape(llvm::ArrayRef<int64_t> x,
                                 llvm::ArrayRef<int64_t> w,
                                 llvm::ArrayRef<int64_t> strides,
                                 llvm::ArrayRef<int64_t> dilations,
                                 llvm::ArrayRef<int64_t> padding,
                                 std::string &why) {
  if (w.size() != 4 || llvm::any_of(w, ShapedType::isDynamic)) {
    why = "needs a kernel of static shape (height, width, in_channels, "
          "filters), got " +
          formatShape(w);
    return std::nullopt;
  }
  std::optional<Shape> out =
      windowShape(x, w.take_front(2), strides, dilations, padding, why);
  if (!out)
    return std::nullopt;
  if (x[3] != w[2]) {
    why = "kernel " + formatShape(w) + " expects " + std::to_string(w[2]) +
          " input channels, the input " + formatShape(x) + " has " +
          std::to_string(x[3]);
    return std::nullopt;
  }
  (*out)[3] = w[3];
  return out;
}

std::optional<int64_t> elementCount(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      continue; // dynamic
    if (d != 0 && n > kMaxElements / d)
      return std::nullopt;
    n *= d;
  }
  return n;
}

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(shape[i]) ? "None" : std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

} // namespace nnc::nn
