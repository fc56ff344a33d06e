//===- ReferenceImages.cpp - the oracle's image ops -----------------------===//

#include "compiler/Reference/ReferenceImages.h"

#include "dialects/nn/IR/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace nnc;
using ref::Tensor;

namespace {

/// Row-major NHWC indexing.
struct Image {
  int64_t n, h, w, c;
  explicit Image(const std::vector<int64_t> &s)
      : n(s[0]), h(s[1]), w(s[2]), c(s[3]) {}
  int64_t at(int64_t in, int64_t ih, int64_t iw, int64_t ic) const {
    return ((in * h + ih) * w + iw) * c + ic;
  }
};

Tensor zeros(std::vector<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return Tensor{std::move(shape), std::vector<double>(n, 0.0)};
}

/// Geometry of one spatial dimension: the input row an output position
/// `i` reads at tap `a` (may fall in the padding: outside [0, size)).
struct Axis {
  int64_t stride, dilation, padBefore;
  int64_t input(int64_t i, int64_t a) const {
    return i * stride + a * dilation - padBefore;
  }
};

struct Geometry {
  Axis rows, cols;
  static Geometry of(ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                     ArrayRef<int64_t> padding) {
    return {{strides[0], dilations[0], padding[0]},
            {strides[1], dilations[1], padding[2]}};
  }
};

/// Calls f(n, i, j, a, b, h, w) for every output position (i, j), window tap
/// (a, b) and the real input position (h, w) it reads; padding is skipped.
template <typename F>
void forEachTap(int64_t batch, int64_t outH, int64_t outW, int64_t kh,
                int64_t kw, int64_t inH, int64_t inW, const Geometry &g,
                F f) {
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < outH; ++i)
      for (int64_t j = 0; j < outW; ++j)
        for (int64_t a = 0; a < kh; ++a)
          for (int64_t b = 0; b < kw; ++b) {
            int64_t h = g.rows.input(i, a), w = g.cols.input(j, b);
            if (h >= 0 && h < inH && w >= 0 && w < inW)
              f(n, i, j, a, b, h, w);
          }
}

Tensor conv2d(const Tensor &x, const Tensor &k, const std::vector<int64_t> &yShape,
              const Geometry &g) {
  Image X(x.shape), Y(yShape);
  int64_t kh = k.shape[0], kw = k.shape[1], C = k.shape[2], F = k.shape[3];
  Tensor y = zeros(yShape);
  forEachTap(X.n, Y.h, Y.w, kh, kw, X.h, X.w, g,
             [&](int64_t n, int64_t i, int64_t j, int64_t a, int64_t b,
                 int64_t h, int64_t w) {
               for (int64_t c = 0; c < C; ++c)
                 for (int64_t f = 0; f < F; ++f)
                   y.data[Y.at(n, i, j, f)] +=
                       x.data[X.at(n, h, w, c)] *
                       k.data[((a * kw + b) * C + c) * F + f];
             });
  return y;
}

/// dx of conv2d: each product of the forward sum sends dy * kernel back to
/// the input element it read.
Tensor conv2dBackpropInput(const Tensor &dy, const Tensor &k,
                           std::vector<int64_t> xShape, const Geometry &g) {
  Image DY(dy.shape);
  int64_t kh = k.shape[0], kw = k.shape[1], C = k.shape[2], F = k.shape[3];
  xShape[0] = DY.n;
  Tensor dx = zeros(xShape);
  Image X(xShape);
  forEachTap(DY.n, DY.h, DY.w, kh, kw, X.h, X.w, g,
             [&](int64_t n, int64_t i, int64_t j, int64_t a, int64_t b,
                 int64_t h, int64_t w) {
               for (int64_t c = 0; c < C; ++c)
                 for (int64_t f = 0; f < F; ++f)
                   dx.data[X.at(n, h, w, c)] +=
                       dy.data[DY.at(n, i, j, f)] *
                       k.data[((a * kw + b) * C + c) * F + f];
             });
  return dx;
}

Tensor conv2dBackpropFilter(const Tensor &x, const Tensor &dy, int64_t kh,
                            int64_t kw, const Geometry &g) {
  Image X(x.shape), DY(dy.shape);
  int64_t C = X.c, F = DY.c;
  Tensor dk = zeros({kh, kw, C, F});
  forEachTap(X.n, DY.h, DY.w, kh, kw, X.h, X.w, g,
             [&](int64_t n, int64_t i, int64_t j, int64_t a, int64_t b,
                 int64_t h, int64_t w) {
               for (int64_t c = 0; c < C; ++c)
                 for (int64_t f = 0; f < F; ++f)
                   dk.data[((a * kw + b) * C + c) * F + f] +=
                       x.data[X.at(n, h, w, c)] * dy.data[DY.at(n, i, j, f)];
             });
  return dk;
}

/// Per window and channel: the first extreme's input position (row-major
/// tap order, strict comparison), the sum and the number of real elements.
struct WindowStats {
  std::vector<int64_t> extreme; // flat index into x, -1 if none
  std::vector<double> sum, count;
};

WindowStats windowStats(const Tensor &x, const std::vector<int64_t> &yShape,
                        ArrayRef<int64_t> window, const Geometry &g,
                        bool max) {
  Image X(x.shape), Y(yShape);
  int64_t outN = Y.n * Y.h * Y.w * Y.c;
  WindowStats s{std::vector<int64_t>(outN, -1), std::vector<double>(outN, 0),
                std::vector<double>(outN, 0)};
  forEachTap(X.n, Y.h, Y.w, window[0], window[1], X.h, X.w, g,
             [&](int64_t n, int64_t i, int64_t j, int64_t, int64_t,
                 int64_t h, int64_t w) {
               for (int64_t c = 0; c < X.c; ++c) {
                 int64_t o = Y.at(n, i, j, c), from = X.at(n, h, w, c);
                 double v = x.data[from];
                 int64_t &e = s.extreme[o];
                 if (e < 0 || (max ? v > x.data[e] : v < x.data[e]))
                   e = from;
                 s.sum[o] += v;
                 s.count[o] += 1;
               }
             });
  return s;
}

/// windowStats for a pooling op (pool2d, pool2d_grad, pool2d_gather).
template <typename PoolOp>
WindowStats statsOf(PoolOp o, const Tensor &x,
                    const std::vector<int64_t> &yShape) {
  return windowStats(x, yShape, o.getWindow(),
                     Geometry::of(o.getStrides(), {1, 1}, o.getPadding()),
                     o.getKind() == "max");
}

/// f(outer element, inner element) for every element of the smaller image
/// `inner`, which sits inside `outer` at row `top` and column `left`.
template <typename F>
void forEachInside(Tensor &outer, Tensor &inner, int64_t top, int64_t left,
                   F f) {
  Image O(outer.shape), I(inner.shape);
  for (int64_t n = 0; n < I.n; ++n)
    for (int64_t h = 0; h < I.h; ++h)
      for (int64_t w = 0; w < I.w; ++w)
        for (int64_t c = 0; c < I.c; ++c)
          f(outer.data[O.at(n, h + top, w + left, c)],
            inner.data[I.at(n, h, w, c)]);
}

std::vector<int64_t> shapeOf(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return {t.getShape().begin(), t.getShape().end()};
}

/// A result shape with the run-time batch of `like`.
std::vector<int64_t> withBatch(Value result, const Tensor &like) {
  std::vector<int64_t> s = shapeOf(result);
  s[0] = like.shape[0];
  return s;
}

} // namespace

std::optional<Tensor>
ref::evaluateImageOp(Operation *op,
                     llvm::function_ref<const Tensor &(Value)> in) {
  return llvm::TypeSwitch<Operation *, std::optional<Tensor>>(op)
      .Case([&](nn::Conv2DOp o) {
        const Tensor &x = in(o.getX());
        return conv2d(x, in(o.getW()), withBatch(o.getResult(), x),
                      Geometry::of(o.getStrides(), o.getDilations(),
                                   o.getPadding()));
      })
      .Case([&](nn::Conv2DBackpropInputOp o) {
        return conv2dBackpropInput(in(o.getDy()), in(o.getW()),
                                   shapeOf(o.getResult()),
                                   Geometry::of(o.getStrides(),
                                                o.getDilations(),
                                                o.getPadding()));
      })
      .Case([&](nn::Conv2DBackpropFilterOp o) {
        ArrayRef<int64_t> k = o.getKernelSize();
        return conv2dBackpropFilter(in(o.getX()), in(o.getDy()), k[0], k[1],
                                    Geometry::of(o.getStrides(),
                                                 o.getDilations(),
                                                 o.getPadding()));
      })
      .Case([&](nn::Pool2DOp o) {
        const Tensor &x = in(o.getX());
        std::vector<int64_t> yShape = withBatch(o.getResult(), x);
        WindowStats s = statsOf(o, x, yShape);
        Tensor y = zeros(yShape);
        for (size_t k = 0; k < y.data.size(); ++k)
          y.data[k] = o.getKind() == "avg" ? s.sum[k] / s.count[k]
                                           : x.data[s.extreme[k]];
        return y;
      })
      .Case([&](nn::Pool2DGradOp o) {
        const Tensor &x = in(o.getX()), &dy = in(o.getDy());
        WindowStats s = statsOf(o, x, dy.shape);
        Tensor dx = zeros(x.shape);
        if (o.getKind() != "avg") {
          for (size_t k = 0; k < dy.data.size(); ++k)
            dx.data[s.extreme[k]] += dy.data[k];
          return dx;
        }
        Image X(x.shape), DY(dy.shape);
        forEachTap(X.n, DY.h, DY.w, o.getWindow()[0], o.getWindow()[1], X.h,
                   X.w, Geometry::of(o.getStrides(), {1, 1}, o.getPadding()),
                   [&](int64_t n, int64_t i, int64_t j, int64_t, int64_t,
                       int64_t h, int64_t w) {
                     for (int64_t c = 0; c < X.c; ++c) {
                       int64_t k = DY.at(n, i, j, c);
                       dx.data[X.at(n, h, w, c)] += dy.data[k] / s.count[k];
                     }
                   });
        return dx;
      })
      .Case([&](nn::Pool2DGatherOp o) {
        const Tensor &x = in(o.getX()), &g = in(o.getG());
        std::vector<int64_t> yShape = withBatch(o.getResult(), x);
        WindowStats s = statsOf(o, x, yShape);
        Tensor z = zeros(yShape);
        for (size_t k = 0; k < z.data.size(); ++k)
          z.data[k] = g.data[s.extreme[k]];
        return z;
      })
      .Case([&](nn::ResampleOp o) {
        // x as [outer, in, inner] around the axis.
        const Tensor &x = in(o.getX());
        int64_t axis = o.getAxis(), outer = 1, inner = 1;
        for (int64_t d = 0; d < axis; ++d)
          outer *= x.shape[d];
        for (size_t d = axis + 1; d < x.shape.size(); ++d)
          inner *= x.shape[d];
        auto wType = cast<ShapedType>(o.getWeights().getType());
        int64_t rows = wType.getDimSize(0), cols = wType.getDimSize(1);
        std::vector<double> w(o.getWeights().getValues<double>().begin(),
                              o.getWeights().getValues<double>().end());
        Tensor y{x.shape, {}};
        y.shape[axis] = rows;
        y.data.assign(outer * rows * inner, 0.0);
        for (int64_t a = 0; a < outer; ++a)
          for (int64_t i = 0; i < rows; ++i)
            for (int64_t p = 0; p < cols; ++p)
              for (int64_t k = 0; k < inner; ++k)
                y.data[(a * rows + i) * inner + k] +=
                    w[i * cols + p] * x.data[(a * cols + p) * inner + k];
        return y;
      })
      .Case([&](nn::Upsample2DOp o) {
        const Tensor &x = in(o.getX());
        std::vector<int64_t> yShape = withBatch(o.getResult(), x);
        Image X(x.shape), Y(yShape);
        Tensor y = zeros(yShape);
        ArrayRef<int64_t> size = o.getSize();
        for (int64_t n = 0; n < Y.n; ++n)
          for (int64_t h = 0; h < Y.h; ++h)
            for (int64_t w = 0; w < Y.w; ++w)
              for (int64_t c = 0; c < Y.c; ++c)
                y.data[Y.at(n, h, w, c)] =
                    x.data[X.at(n, h / size[0], w / size[1], c)];
        return y;
      })
      .Case([&](nn::Pad2DOp o) {
        Tensor x = in(o.getX());
        Tensor y = zeros(withBatch(o.getResult(), x));
        ArrayRef<int64_t> p = o.getPadding();
        forEachInside(y, x, p[0], p[2], [](double &outer, double &inner) {
          outer = inner;
        });
        return y;
      })
      .Case([&](nn::Crop2DOp o) {
        Tensor x = in(o.getX());
        Tensor y = zeros(withBatch(o.getResult(), x));
        ArrayRef<int64_t> p = o.getCropping();
        forEachInside(x, y, p[0], p[2], [](double &outer, double &inner) {
          inner = outer;
        });
        return y;
      })
      .Default([](Operation *) { return std::nullopt; });
}
