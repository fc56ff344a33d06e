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
  if (x.size() != 2 || w.size() != 2)
    return std::nullopt;
  if (!ShapedType::isDynamic(x[1]) && !ShapedType::isDynamic(w[0]) &&
      x[1] != w[0])
    return std::nullopt;
  return Shape{x[0], w[1]};
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
