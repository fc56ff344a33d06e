//===- ReferenceEvaluator.cpp - the naive oracle for nn IR ----------------===//

#include "compiler/Reference/ReferenceEvaluator.h"
#include "compiler/Reference/ReferenceImages.h"

#include "dialects/nn/IR/NNOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace nnc;
using ref::Tensor;

namespace {

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// The multi-index of flat position `flat` in `shape` (row-major).
std::vector<int64_t> unflatten(int64_t flat, const std::vector<int64_t> &shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    idx[i] = flat % shape[i];
    flat /= shape[i];
  }
  return idx;
}

/// Element of `t` at `idx` of a (right-aligned) broadcast result.
double broadcastRead(const Tensor &t, const std::vector<int64_t> &idx) {
  size_t offset = idx.size() - t.shape.size();
  int64_t flat = 0;
  for (size_t i = 0; i < t.shape.size(); ++i) {
    int64_t j = t.shape[i] == 1 ? 0 : idx[offset + i];
    flat = flat * t.shape[i] + j;
  }
  return t.data[flat];
}

Tensor unary(const Tensor &x, double (*f)(double)) {
  Tensor r = x;
  for (double &v : r.data)
    v = f(v);
  return r;
}

Tensor binary(const Tensor &a, const Tensor &b, double (*f)(double, double)) {
  size_t rank = std::max(a.shape.size(), b.shape.size());
  Tensor r;
  r.shape.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i + a.shape.size() >= rank ? a.shape[i + a.shape.size() - rank] : 1;
    int64_t db = i + b.shape.size() >= rank ? b.shape[i + b.shape.size() - rank] : 1;
    r.shape[i] = std::max(da, db);
  }
  r.data.resize(numElements(r.shape));
  for (int64_t k = 0; k < (int64_t)r.data.size(); ++k) {
    std::vector<int64_t> idx = unflatten(k, r.shape);
    r.data[k] = f(broadcastRead(a, idx), broadcastRead(b, idx));
  }
  return r;
}

enum class Reduce { Sum, Mean, Max };

Tensor reduce(const Tensor &x, std::vector<int64_t> axes, bool keepdims,
              Reduce kind) {
  int64_t rank = x.shape.size();
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  for (int64_t &a : axes)
    if (a < 0)
      a += rank;
  auto reduced = [&](int64_t i) {
    return std::find(axes.begin(), axes.end(), i) != axes.end();
  };
  Tensor r;
  for (int64_t i = 0; i < rank; ++i)
    if (!reduced(i) || keepdims)
      r.shape.push_back(reduced(i) ? 1 : x.shape[i]);
  int64_t outN = numElements(r.shape);
  r.data.assign(outN, kind == Reduce::Max ? -INFINITY : 0.0);
  std::vector<int64_t> counts(outN, 0);
  for (int64_t k = 0; k < (int64_t)x.data.size(); ++k) {
    std::vector<int64_t> idx = unflatten(k, x.shape);
    int64_t flat = 0;
    for (int64_t i = 0, o = 0; i < rank; ++i) {
      if (reduced(i) && !keepdims)
        continue;
      flat = flat * r.shape[o] + (reduced(i) ? 0 : idx[i]);
      ++o;
    }
    double v = x.data[k];
    r.data[flat] = kind == Reduce::Max ? std::max(r.data[flat], v)
                                       : r.data[flat] + v;
    counts[flat]++;
  }
  if (kind == Reduce::Mean)
    for (int64_t k = 0; k < outN; ++k)
      r.data[k] /= counts[k];
  return r;
}

/// A reduction's axes; none listed means all.
template <typename ReduceOp> std::vector<int64_t> axesOf(ReduceOp op) {
  std::optional<llvm::ArrayRef<int64_t>> axes = op.getAxes();
  return axes ? std::vector<int64_t>(axes->begin(), axes->end())
              : std::vector<int64_t>{};
}

Tensor matmul(const Tensor &a, const Tensor &b) {
  // Rows of any rank: every axis of `a` but the last.
  int64_t k = a.shape.back(), n = b.shape[1], m = numElements(a.shape) / k;
  std::vector<int64_t> shape = a.shape;
  shape.back() = n;
  Tensor r{shape, std::vector<double>(m * n, 0.0)};
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p)
        r.data[i * n + j] += a.data[i * k + p] * b.data[p * n + j];
  return r;
}

/// Whether float id `v` names a table row (truncated toward zero), and
/// which.
bool tableRow(double v, int64_t vocabulary, int64_t &row) {
  if (!(v > -1.0 && v < static_cast<double>(vocabulary)))
    return false;
  row = static_cast<int64_t>(std::trunc(v));
  return true;
}

/// table[ids[...], :], NaN rows for ids outside the table.
Tensor embedding(const Tensor &ids, const Tensor &table) {
  int64_t vocabulary = table.shape[0], features = table.shape[1];
  Tensor y{ids.shape, {}};
  y.shape.push_back(features);
  for (double v : ids.data) {
    int64_t row;
    bool in = tableRow(v, vocabulary, row);
    for (int64_t f = 0; f < features; ++f)
      y.data.push_back(in ? table.data[row * features + f]
                          : std::numeric_limits<double>::quiet_NaN());
  }
  return y;
}

/// The table gradient: each position's dy row added to its id's row.
Tensor embeddingGrad(const Tensor &ids, const Tensor &dy, int64_t vocabulary) {
  int64_t features = dy.shape.back();
  Tensor g{{vocabulary, features},
           std::vector<double>(vocabulary * features, 0.0)};
  for (size_t p = 0; p < ids.data.size(); ++p) {
    int64_t row;
    if (tableRow(ids.data[p], vocabulary, row))
      for (int64_t f = 0; f < features; ++f)
        g.data[row * features + f] += dy.data[p * features + f];
  }
  return g;
}

/// The dropout mask (docs/numerics.md), straight from its definition: for
/// element i, h = H(H(i XOR k) + k) with k = H(H(lo(seed) XOR H(hi(seed)))
/// XOR step) and H Wellons' lowbias32 mixer; kept iff h / 2^8 >= ceil(rate *
/// 2^24), scaled by 1 / (1 - rate).
Tensor dropoutMask(const Tensor &like, double step, double rate,
                   uint64_t seed) {
  auto H = [](uint32_t x) -> uint32_t {
    x = (x ^ (x >> 16)) * 0x7feb352du;
    x = (x ^ (x >> 15)) * 0x846ca68bu;
    return x ^ (x >> 16);
  };
  uint32_t lo = uint32_t(seed & 0xffffffffu), hi = uint32_t(seed >> 32);
  uint32_t k = H(H(lo ^ H(hi)) ^ uint32_t(step));
  double threshold = std::ceil(rate * 16777216.0);
  Tensor t{like.shape, std::vector<double>(like.data.size())};
  for (size_t i = 0; i < t.data.size(); ++i) {
    uint32_t h = H(H(uint32_t(i) ^ k) + k);
    t.data[i] = double(h >> 8) >= threshold ? 1.0 / (1.0 - rate) : 0.0;
  }
  return t;
}

Tensor softmax(const Tensor &x, int64_t axis) {
  std::vector<int64_t> ax{axis};
  Tensor mx = reduce(x, ax, true, Reduce::Max);
  Tensor e = binary(x, mx, [](double a, double b) { return std::exp(a - b); });
  Tensor s = reduce(e, ax, true, Reduce::Sum);
  return binary(e, s, [](double a, double b) { return a / b; });
}


/// x[:, t, ...]: one step of a [batch, steps, ...] sequence.
Tensor stepOf(const Tensor &x, int64_t t) {
  int64_t batch = x.shape[0], steps = x.shape[1];
  int64_t inner = numElements(x.shape) / std::max<int64_t>(batch * steps, 1);
  Tensor r;
  r.shape = x.shape;
  r.shape.erase(r.shape.begin() + 1);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < inner; ++i)
      r.data.push_back(x.data[(b * steps + t) * inner + i]);
  return r;
}

/// Writes `y` ([batch, ...]) as step t of `stack` ([batch, steps, ...]).
void setStep(Tensor &stack, const Tensor &y, int64_t t) {
  int64_t batch = stack.shape[0], steps = stack.shape[1];
  int64_t inner = numElements(y.shape) / std::max<int64_t>(batch, 1);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < inner; ++i)
      stack.data[(b * steps + t) * inner + i] = y.data[b * inner + i];
}

/// x's elements with index `offset + i` along `axis` (i < size), or (with
/// `unslice`) x placed at `offset` into zeros of `size` along `axis`.
Tensor sliceAxis(const Tensor &x, int64_t axis, int64_t offset, int64_t size,
                 bool unslice) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= x.shape[d];
  for (size_t d = axis + 1; d < x.shape.size(); ++d)
    inner *= x.shape[d];
  int64_t from = x.shape[axis];
  Tensor r;
  r.shape = x.shape;
  r.shape[axis] = size;
  r.data.assign(outer * size * inner, 0.0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t a = 0; a < (unslice ? from : size); ++a)
      for (int64_t i = 0; i < inner; ++i) {
        if (unslice)
          r.data[(o * size + offset + a) * inner + i] =
              x.data[(o * from + a) * inner + i];
        else
          r.data[(o * size + a) * inner + i] =
              x.data[(o * from + offset + a) * inner + i];
      }
  return r;
}

bool evaluateBlock(Block &block, const std::vector<Tensor> &args,
                   std::vector<Tensor> &results, std::string &error,
                   ref::Precision precision);

/// Runs a scan's body step by step: the carried values through, each
/// per-step output into its stack.
bool evaluateScan(nn::ScanOp scan, llvm::function_ref<const Tensor &(Value)> in,
                  std::vector<Tensor> &results, std::string &error,
                  ref::Precision precision) {
  std::vector<Tensor> carried;
  for (Value c : scan.getInit())
    carried.push_back(in(c));
  std::vector<Tensor> xs;
  for (Value x : scan.getXs())
    xs.push_back(in(x));
  int64_t steps = xs[0].shape[1];
  std::vector<Tensor> stacks;
  for (int64_t t0 = 0; t0 < steps; ++t0) {
    int64_t t = scan.getReverse() ? steps - 1 - t0 : t0;
    std::vector<Tensor> args = carried;
    for (const Tensor &x : xs)
      args.push_back(stepOf(x, t));
    for (Value k : scan.getConsts())
      args.push_back(in(k));
    std::vector<Tensor> out;
    if (!evaluateBlock(scan.getBody().front(), args, out, error, precision))
      return false;
    carried.assign(out.begin(), out.begin() + carried.size());
    for (size_t j = carried.size(); j < out.size(); ++j) {
      size_t k = j - carried.size();
      if (stacks.size() <= k) {
        Tensor s;
        s.shape = out[j].shape;
        s.shape.insert(s.shape.begin() + 1, steps);
        s.data.assign(numElements(s.shape), 0.0);
        stacks.push_back(s);
      }
      setStep(stacks[k], out[j], t);
    }
  }
  results = carried;
  results.insert(results.end(), stacks.begin(), stacks.end());
  return true;
}

bool evaluateBlock(Block &block, const std::vector<Tensor> &args,
                   std::vector<Tensor> &results, std::string &error,
                   ref::Precision precision) {
  using ref::Precision;
  llvm::DenseMap<Value, Tensor> env;
  for (auto [arg, t] : llvm::zip(block.getArguments(), args))
    env[arg] = t;
  auto in = [&](Value v) -> const Tensor & { return env[v]; };
  for (Operation &op : block) {
    if (isa<func::ReturnOp, nn::YieldOp>(op)) {
      for (Value v : op.getOperands())
        results.push_back(in(v));
      return true;
    }
    if (auto scan = dyn_cast<nn::ScanOp>(op)) {
      std::vector<Tensor> out;
      if (!evaluateScan(scan, in, out, error, precision))
        return false;
      for (auto [r, t] : llvm::zip(scan.getResults(), out))
        env[r] = t;
      continue;
    }
    std::optional<Tensor> r =
        llvm::TypeSwitch<Operation *, std::optional<Tensor>>(&op)
            .Case([&](nn::SliceOp o) {
              return sliceAxis(in(o.getX()), o.getAxis(), o.getOffset(),
                               o.getSize(), false);
            })
            .Case([&](nn::UnsliceOp o) {
              // Each piece placed into zeros, the placements summed (the
              // pieces are disjoint: each element is one piece's or 0).
              std::optional<Tensor> sum;
              for (auto [x, offset] : llvm::zip(o.getXs(), o.getOffsets())) {
                Tensor placed =
                    sliceAxis(in(x), o.getAxis(), offset, o.getFull(), true);
                if (!sum)
                  sum = std::move(placed);
                else
                  for (size_t i = 0; i < sum->data.size(); ++i)
                    sum->data[i] += placed.data[i];
              }
              return sum;
            })
            .Case([&](nn::SparseMatmulOp o) {
              const Tensor &x = in(o.getX()), &c = in(o.getColumns()),
                           &v = in(o.getValues());
              int64_t rows = x.shape[0], n = x.shape[1], m = c.shape[0],
                      k = c.shape[1];
              Tensor r{{rows, m}, std::vector<double>(rows * m, 0.0)};
              for (int64_t b = 0; b < rows; ++b)
                for (int64_t i = 0; i < m; ++i)
                  for (int64_t j = 0; j < k; ++j) {
                    double col = c.data[i * k + j];
                    r.data[b * m + i] +=
                        col >= 0 && col < n
                            ? v.data[i * k + j] * x.data[b * n + (int64_t)col]
                            : std::nan("");
                  }
              return r;
            })
            .Case([&](nn::SparseMatmulTOp o) {
              const Tensor &dy = in(o.getDy()), &c = in(o.getColumns()),
                           &v = in(o.getValues());
              int64_t rows = dy.shape[0], n = (int64_t)o.getInputs(),
                      m = c.shape[0], k = c.shape[1];
              Tensor r{{rows, n}, std::vector<double>(rows * n, 0.0)};
              for (int64_t b = 0; b < rows; ++b)
                for (int64_t i = 0; i < m; ++i)
                  for (int64_t j = 0; j < k; ++j) {
                    double col = c.data[i * k + j];
                    if (col >= 0 && col < n)
                      r.data[b * n + (int64_t)col] +=
                          v.data[i * k + j] * dy.data[b * m + i];
                  }
              return r;
            })
            .Case([&](nn::ReverseOp o) {
              const Tensor &x = in(o.getX());
              int64_t axis = o.getAxis(), n = x.shape[axis], inner = 1,
                      outer = 1;
              for (int64_t d = 0; d < axis; ++d)
                outer *= x.shape[d];
              for (size_t d = axis + 1; d < x.shape.size(); ++d)
                inner *= x.shape[d];
              Tensor r = x;
              for (int64_t o2 = 0; o2 < outer; ++o2)
                for (int64_t a = 0; a < n; ++a)
                  for (int64_t i = 0; i < inner; ++i)
                    r.data[(o2 * n + a) * inner + i] =
                        x.data[(o2 * n + n - 1 - a) * inner + i];
              return r;
            })
            .Case([&](nn::BatchZerosOp o) {
              Tensor t;
              t.shape.assign(o.getType().getShape().begin(),
                             o.getType().getShape().end());
              t.shape[0] = in(o.getX()).shape[0];
              t.data.assign(numElements(t.shape), 0.0);
              return t;
            })
            .Case([&](nn::NegOp o) { return unary(in(o.getX()), [](double v) { return -v; }); })
            .Case([&](nn::ExpOp o) { return unary(in(o.getX()), [](double v) { return std::exp(v); }); })
            .Case([&](nn::LogOp o) { return unary(in(o.getX()), [](double v) { return std::log(v); }); })
            .Case([&](nn::SqrtOp o) { return unary(in(o.getX()), [](double v) { return std::sqrt(v); }); })
            .Case([&](nn::AbsOp o) { return unary(in(o.getX()), [](double v) { return std::fabs(v); }); })
            .Case([&](nn::SinOp o) { return unary(in(o.getX()), [](double v) { return std::sin(v); }); })
            .Case([&](nn::CosOp o) { return unary(in(o.getX()), [](double v) { return std::cos(v); }); })
            .Case([&](nn::TanhOp o) { return unary(in(o.getX()), [](double v) { return std::tanh(v); }); })
            .Case([&](nn::ReluOp o) { return unary(in(o.getX()), [](double v) { return v > 0 ? v : 0.0; }); })
            .Case([&](nn::EluOp o) { return unary(in(o.getX()), [](double v) { return v > 0 ? v : std::expm1(v); }); })
            .Case([&](nn::SigmoidOp o) { return unary(in(o.getX()), [](double v) { return 1.0 / (1.0 + std::exp(-v)); }); })
            .Case([&](nn::AddOp o) { return binary(in(o.getLhs()), in(o.getRhs()), [](double a, double b) { return a + b; }); })
            .Case([&](nn::SubOp o) { return binary(in(o.getLhs()), in(o.getRhs()), [](double a, double b) { return a - b; }); })
            .Case([&](nn::MulOp o) { return binary(in(o.getLhs()), in(o.getRhs()), [](double a, double b) { return a * b; }); })
            .Case([&](nn::DivOp o) { return binary(in(o.getLhs()), in(o.getRhs()), [](double a, double b) { return a / b; }); })
            .Case([&](nn::PowOp o) { return binary(in(o.getLhs()), in(o.getRhs()), [](double a, double b) { return std::pow(a, b); }); })
            .Case([&](nn::MaximumOp o) { return binary(in(o.getLhs()), in(o.getRhs()), [](double a, double b) { return std::max(a, b); }); })
            .Case([&](nn::MinimumOp o) { return binary(in(o.getLhs()), in(o.getRhs()), [](double a, double b) { return std::min(a, b); }); })
            .Case([&](nn::BiasAddOp o) { return binary(in(o->getOperand(0)), in(o->getOperand(1)), [](double a, double b) { return a + b; }); })
            .Case([&](nn::MatmulOp o) { return matmul(in(o->getOperand(0)), in(o->getOperand(1))); })
            .Case([&](nn::SoftmaxOp o) {
              const Tensor &x = in(o->getOperand(0));
              int64_t axis = static_cast<int64_t>(o.getAxis());
              return softmax(x, axis < 0 ? axis + (int64_t)x.shape.size() : axis);
            })
            .Case([&](nn::ReduceSumOp o) { return reduce(in(o->getOperand(0)), axesOf(o), o.getKeepdims(), Reduce::Sum); })
            .Case([&](nn::ReduceMeanOp o) { return reduce(in(o->getOperand(0)), axesOf(o), o.getKeepdims(), Reduce::Mean); })
            .Case([&](nn::ReduceMaxOp o) { return reduce(in(o->getOperand(0)), axesOf(o), o.getKeepdims(), Reduce::Max); })
            .Case([&](nn::ReshapeOp o) {
              Tensor t = in(o->getOperand(0));
              auto type = cast<ShapedType>(o->getResult(0).getType());
              std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
              int64_t known = 1;
              for (int64_t d : shape)
                if (!ShapedType::isDynamic(d))
                  known *= d;
              for (int64_t &d : shape)
                if (ShapedType::isDynamic(d))
                  d = (int64_t)t.data.size() / known;
              t.shape = shape;
              return t;
            })
            .Case([&](nn::StepOp o) { return unary(in(o.getX()), [](double v) { return v > 0 ? 1.0 : 0.0; }); })
            .Case([&](nn::StopGradientOp o) { return in(o.getX()); })
            .Case([&](nn::EmbeddingOp o) {
              return embedding(in(o.getIds()), in(o.getTable()));
            })
            .Case([&](nn::EmbeddingGradOp o) {
              return embeddingGrad(in(o.getIds()), in(o.getDy()),
                                   static_cast<int64_t>(o.getVocabulary()));
            })
            .Case([&](nn::DropoutMaskOp o) {
              return dropoutMask(in(o.getLike()), in(o.getStep()).data[0],
                                 o.getRate().convertToDouble(),
                                 static_cast<uint64_t>(o.getSeed()));
            })
            .Case([&](nn::TransposeOp o) {
              const Tensor &x = in(o.getX());
              Tensor t{{x.shape[1], x.shape[0]}, std::vector<double>(x.data.size())};
              for (int64_t i = 0; i < x.shape[0]; ++i)
                for (int64_t j = 0; j < x.shape[1]; ++j)
                  t.data[j * x.shape[0] + i] = x.data[i * x.shape[1] + j];
              return t;
            })
            .Case([&](nn::BroadcastOp o) {
              // `like` only gives the shape: every element becomes x's.
              return binary(in(o.getX()), in(o.getLike()), [](double a, double) { return a; });
            })
            .Case([&](nn::CountOp o) {
              const Tensor &x = in(o.getX());
              double n = 1;
              std::vector<int64_t> axes = axesOf(o);
              if (axes.empty())
                for (size_t i = 0; i < x.shape.size(); ++i)
                  axes.push_back(i);
              for (int64_t a : axes)
                n *= x.shape[a < 0 ? a + (int64_t)x.shape.size() : a];
              return Tensor{{}, {n}};
            })
            .Case([&](arith::ConstantOp o) -> std::optional<Tensor> {
              auto dense = dyn_cast<DenseElementsAttr>(o.getValue());
              if (auto f = dyn_cast<FloatAttr>(o.getValue()))
                return Tensor{{}, {f.getValueAsDouble()}};
              if (!dense)
                return std::nullopt;
              Tensor t;
              auto type = cast<ShapedType>(dense.getType());
              t.shape.assign(type.getShape().begin(), type.getShape().end());
              for (APFloat v : dense.getValues<APFloat>())
                t.data.push_back(v.convertToDouble());
              return t;
            })
            .Default([&](Operation *o) {
              return ref::evaluateImageOp(
                  o, [&](Value v) -> const Tensor & { return in(v); });
            });
    if (!r) {
      error = "the reference evaluator does not know '" +
              op.getName().getStringRef().str() + "'";
      return false;
    }
    if (precision == Precision::F32)
      for (double &v : r->data)
        v = static_cast<float>(v);
    env[op.getResult(0)] = *r;
  }
  error = "block without terminator";
  return false;
}

} // namespace

bool ref::evaluate(func::FuncOp func, const std::vector<Tensor> &args,
                   std::vector<Tensor> &results, std::string &error,
                   Precision precision) {
  return evaluateBlock(func.getBody().front(), args, results, error,
                       precision);
}
