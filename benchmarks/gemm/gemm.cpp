// The compiled contraction kernels (benchmarks/gemm/gemm.py writes and
// compiles them: kernels.inc lists the shapes) against oneDNN's and
// OpenBLAS's sgemm, all row-major, one thread. Each kernel's result is
// checked against oneDNN's before timing; a mismatch aborts the run.
// Counters: GFLOP/s and the percentage of the FMA peak measured by
// BM_fma_peak (independent FMAs at the widest vector width, in registers).
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <dnnl.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

struct Memref2 {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};

Memref2 view(float *p, int64_t rows, int64_t cols) {
  return {p, p, 0, {rows, cols}, {cols, 1}};
}

/// A compiled kernel: (a, b, c), c written in place.
using Kernel = void (*)(Memref2 *, Memref2 *, Memref2 *);

template <int Rank> struct Memref {
  float *allocated, *aligned;
  int64_t offset, sizes[Rank], strides[Rank];
};

/// A row-major view of `p` with the given sizes.
template <int Rank> Memref<Rank> view(float *p, const int64_t (&sizes)[Rank]) {
  Memref<Rank> m{p, p, 0, {}, {}};
  int64_t stride = 1;
  for (int d = Rank - 1; d >= 0; --d) {
    m.sizes[d] = sizes[d];
    m.strides[d] = stride;
    stride *= sizes[d];
  }
  return m;
}

/// A compiled convolution kernel gradient: (x as [N, H, W*C], dy, dw as
/// [KH, KW*C, F]), dw written in place.
using ConvKernel = void (*)(Memref<3> *, Memref<4> *, Memref<3> *);
/// A compiled convolution: (x as [N, H, W*C], the kernel as [KH, KW*C, F],
/// y), y written in place.
using ConvForward = void (*)(Memref<3> *, Memref<3> *, Memref<4> *);

} // namespace

#define KERNEL(m, k, n)                                                        \
  extern "C" void _mlir_ciface_fwd_##m##_##k##_##n(Memref2 *, Memref2 *,       \
                                                   Memref2 *);                 \
  extern "C" void _mlir_ciface_bwd_data_##m##_##k##_##n(Memref2 *, Memref2 *,  \
                                                        Memref2 *);            \
  extern "C" void _mlir_ciface_bwd_weight_##m##_##k##_##n(                     \
      Memref2 *, Memref2 *, Memref2 *);
#include "kernels.inc"
#undef KERNEL
#define CONV_KERNEL(n, h, w, c, kh, kw, f)                                     \
  extern "C" void                                                              \
      _mlir_ciface_conv_kgrad_##n##_##h##_##w##_##c##_##kh##_##kw##_##f(       \
          Memref<3> *, Memref<4> *, Memref<3> *);                          \
  extern "C" void                                                              \
      _mlir_ciface_conv_fwd_##n##_##h##_##w##_##c##_##kh##_##kw##_##f(         \
          Memref<3> *, Memref<3> *, Memref<4> *);
#include "convs.inc"
#undef CONV_KERNEL

namespace {

/// Independent FMAs on registers: 16 zmm (or 12 ymm) accumulators, enough to
/// cover the FMA latency on every x86 core with two FMA units.
double fmaLoop(long iterations) {
  long c = iterations;
#if defined(__AVX512F__)
#define F(i) "vfmadd231ps %%zmm30, %%zmm31, %%zmm" #i "\n"
  __asm__ volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n"
                   "vpxord %%zmm31, %%zmm31, %%zmm31\n"
                   "1:\n" F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9)
                       F(10) F(11) F(12) F(13) F(14) F(15)
                   "dec %0\njnz 1b\n"
                   : "+r"(c)::"memory");
  return 16.0 * 32 * iterations;
#undef F
#else
#define F(i) "vfmadd231ps %%ymm14, %%ymm15, %%ymm" #i "\n"
  __asm__ volatile("vpxor %%ymm14, %%ymm14, %%ymm14\n"
                   "vpxor %%ymm15, %%ymm15, %%ymm15\n"
                   "1:\n" F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9)
                       F(10) F(11)
                   "dec %0\njnz 1b\n"
                   : "+r"(c)::"memory");
  return 12.0 * 16 * iterations;
#undef F
#endif
}

double measuredPeak() {
  static double peak = [] {
    double best = 0;
    for (int r = 0; r < 5; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      double flops = fmaLoop(20000000);
      double s = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - t0)
                     .count();
      best = std::max(best, flops / s);
    }
    return best;
  }();
  return peak;
}

void BM_fma_peak(benchmark::State &state) {
  double flops = 0;
  for (auto _ : state)
    flops += fmaLoop(1000000);
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_fma_peak)->UseRealTime();

std::vector<float> randomMatrix(int64_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(gen);
  return v;
}

enum class Kind { Forward, BackwardData, BackwardWeight };

/// One dense layer's contraction: sizes of the operands and how each
/// library computes it (row-major; m = batch, k = inputs, n = outputs).
struct Problem {
  Kind kind;
  int64_t m, k, n;
  Kernel nnc;
  // Operand shapes (rows, cols) of the kernel's three arguments.
  int64_t rows(int i) const {
    switch (kind) {
    case Kind::Forward: return i == 0 ? m : i == 1 ? k : m;
    case Kind::BackwardData: return i == 0 ? m : i == 1 ? k : m;
    case Kind::BackwardWeight: return i == 0 ? m : i == 1 ? m : k;
    }
    return 0;
  }
  int64_t cols(int i) const {
    switch (kind) {
    case Kind::Forward: return i == 0 ? k : n;
    case Kind::BackwardData: return i == 0 ? n : i == 1 ? n : k;
    case Kind::BackwardWeight: return i == 0 ? k : n;
    }
    return 0;
  }
  double flops() const { return 2.0 * m * k * n; }

  void runNNC(std::vector<float> *x) const {
    Memref2 a = view(x[0].data(), rows(0), cols(0));
    Memref2 b = view(x[1].data(), rows(1), cols(1));
    Memref2 c = view(x[2].data(), rows(2), cols(2));
    nnc(&a, &b, &c);
  }
  void runDNNL(std::vector<float> *x) const {
    const float *a = x[0].data(), *b = x[1].data();
    float *c = x[2].data();
    switch (kind) {
    case Kind::Forward: // C[m,n] = A[m,k] B[k,n]
      dnnl_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c, n);
      break;
    case Kind::BackwardData: // dX[m,k] = dY[m,n] W[k,n]^T
      dnnl_sgemm('N', 'T', m, k, n, 1, a, n, b, n, 0, c, k);
      break;
    case Kind::BackwardWeight: // dW[k,n] = X[m,k]^T dY[m,n]
      dnnl_sgemm('T', 'N', k, n, m, 1, a, k, b, n, 0, c, n);
      break;
    }
  }
  void runBLAS(std::vector<float> *x) const {
    const float *a = x[0].data(), *b = x[1].data();
    float *c = x[2].data();
    switch (kind) {
    case Kind::Forward:
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k,
                  b, n, 0, c, n);
      break;
    case Kind::BackwardData:
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, k, n, 1, a, n, b,
                  n, 0, c, k);
      break;
    case Kind::BackwardWeight:
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, n, m, 1, a, k, b,
                  n, 0, c, n);
      break;
    }
  }
};

void operands(const Problem &p, std::vector<float> *x) {
  for (int i = 0; i < 3; ++i)
    x[i] = randomMatrix(p.rows(i) * p.cols(i), 7 + i);
}

/// A problem's operands: x[0..2] for a product, plus the window rows in
/// x[3] for a convolution (ConvProblem::operands).
void fill(const Problem &p, std::vector<float> *x) { operands(p, x); }

/// nnc's result (x[2]) against oneDNN's: every element within 1e-4
/// relative to the largest magnitude (both sum the same products in f32).
template <class P> void check(const P &p, const std::string &name) {
  std::vector<float> x[4], y[4];
  fill(p, x);
  fill(p, y);
  p.runNNC(x);
  p.runDNNL(y);
  float scale = 0, worst = 0;
  for (float v : y[2])
    scale = std::max(scale, std::fabs(v));
  for (size_t i = 0; i < x[2].size(); ++i)
    worst = std::max(worst, std::fabs(x[2][i] - y[2][i]));
  if (!(worst <= 1e-4f * std::max(scale, 1.0f))) {
    std::fprintf(stderr, "%s: nnc differs from oneDNN by %g (scale %g)\n",
                 name.c_str(), worst, scale);
    std::exit(1);
  }
}

template <class P>
void run(benchmark::State &state, const P &p,
         void (P::*impl)(std::vector<float> *) const) {
  std::vector<float> x[4];
  fill(p, x);
  for (auto _ : state) {
    (p.*impl)(x);
    benchmark::DoNotOptimize(x[2].data());
    benchmark::ClobberMemory();
  }
  double rate = p.flops() * state.iterations();
  state.counters["GFLOP/s"] =
      benchmark::Counter(rate / 1e9, benchmark::Counter::kIsRate);
  state.counters["%peak"] = benchmark::Counter(
      rate * 100 / measuredPeak(), benchmark::Counter::kIsRate);
}

/// nnc's, oneDNN's and OpenBLAS's runs of `p`, after checking nnc's.
template <class P> void registerAll(const std::string &name, const P &p) {
  check(p, name);
  benchmark::RegisterBenchmark((name + "/nnc").c_str(), run<P>, p,
                               &P::runNNC)
      ->UseRealTime();
  benchmark::RegisterBenchmark((name + "/onednn").c_str(), run<P>, p,
                               &P::runDNNL)
      ->UseRealTime();
  benchmark::RegisterBenchmark((name + "/openblas").c_str(), run<P>, p,
                               &P::runBLAS)
      ->UseRealTime();
}

void registerProblem(const std::string &name, Problem p) {
  registerAll(name, p);
}

/// A unit-stride convolution (forward) or its kernel gradient: nnc's
/// implicit-GEMM kernel (the input read in place) against the libraries'
/// sgemm on the window rows, which are copied once before timing (their
/// im2col is not timed).
struct ConvProblem {
  int64_t n, h, w, c, kh, kw, f;
  ConvKernel kgrad; // the kernel gradient's kernel, or
  ConvForward fwd;  // the forward one
  int64_t oh() const { return h - kh + 1; }
  int64_t ow() const { return w - kw + 1; }
  int64_t rows() const { return n * oh() * ow(); } // the product's M
  int64_t depth() const { return kh * kw * c; }     // its K
  double flops() const { return 2.0 * rows() * depth() * f; }

  /// x, then dy and dw (kernel gradient) or the kernel and y (forward),
  /// and the window rows P[(n, i, j), (a, b, c)] of x. The result is x[2].
  void operands(std::vector<float> *v) const {
    v[0] = randomMatrix(n * h * w * c, 7);
    v[1] = fwd ? randomMatrix(depth() * f, 8) : randomMatrix(rows() * f, 8);
    v[2] = fwd ? randomMatrix(rows() * f, 9) : randomMatrix(depth() * f, 9);
    v[3].assign(rows() * depth(), 0);
    for (int64_t im = 0; im < n; ++im)
      for (int64_t i = 0; i < oh(); ++i)
        for (int64_t j = 0; j < ow(); ++j)
          for (int64_t a = 0; a < kh; ++a)
            for (int64_t b = 0; b < kw; ++b)
              for (int64_t ch = 0; ch < c; ++ch)
                v[3][((im * oh() + i) * ow() + j) * depth() +
                     (a * kw + b) * c + ch] =
                    v[0][((im * h + i + a) * w + j + b) * c + ch];
  }
  void runNNC(std::vector<float> *v) const {
    Memref<3> x = view<3>(v[0].data(), {n, h, w * c});
    if (fwd) {
      Memref<3> k = view<3>(v[1].data(), {kh, kw * c, f});
      Memref<4> y = view<4>(v[2].data(), {n, oh(), ow(), f});
      fwd(&x, &k, &y);
      return;
    }
    Memref<4> dy = view<4>(v[1].data(), {n, oh(), ow(), f});
    Memref<3> dw = view<3>(v[2].data(), {kh, kw * c, f});
    kgrad(&x, &dy, &dw);
  }
  void runDNNL(std::vector<float> *v) const {
    if (fwd)
      dnnl_sgemm('N', 'N', rows(), f, depth(), 1, v[3].data(), depth(),
                 v[1].data(), f, 0, v[2].data(), f);
    else
      dnnl_sgemm('T', 'N', depth(), f, rows(), 1, v[3].data(), depth(),
                 v[1].data(), f, 0, v[2].data(), f);
  }
  void runBLAS(std::vector<float> *v) const {
    if (fwd)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows(), f,
                  depth(), 1, v[3].data(), depth(), v[1].data(), f, 0,
                  v[2].data(), f);
    else
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, depth(), f, rows(),
                  1, v[3].data(), depth(), v[1].data(), f, 0, v[2].data(), f);
  }
};

void fill(const ConvProblem &p, std::vector<float> *x) { p.operands(x); }

void registerConv(ConvProblem p) {
  // Named by the product's shape, as the im2col rows above.
  std::string name = std::string(p.fwd ? "conv_fwd/" : "conv_kgrad/") +
                     std::to_string(p.rows()) + "x" +
                     std::to_string(p.depth()) + "x" + std::to_string(p.f);
  registerAll(name, p);
}

} // namespace

int main(int argc, char **argv) {
  openblas_set_num_threads(1);
#define KERNEL(m, k, n)                                                        \
  registerProblem("fwd/" #m "x" #k "x" #n,                                     \
                  {Kind::Forward, m, k, n, _mlir_ciface_fwd_##m##_##k##_##n}); \
  registerProblem("bwd_data/" #m "x" #k "x" #n,                                \
                  {Kind::BackwardData, m, k, n,                                \
                   _mlir_ciface_bwd_data_##m##_##k##_##n});                    \
  registerProblem("bwd_weight/" #m "x" #k "x" #n,                              \
                  {Kind::BackwardWeight, m, k, n,                              \
                   _mlir_ciface_bwd_weight_##m##_##k##_##n});
#include "kernels.inc"
#undef KERNEL
#define CONV_KERNEL(n, h, w, c, kh, kw, f)                                     \
  registerConv({n, h, w, c, kh, kw, f,                                         \
                _mlir_ciface_conv_kgrad_##n##_##h##_##w##_##c##_##kh##_##kw##_##f, \
                nullptr});                                                     \
  registerConv({n, h, w, c, kh, kw, f, nullptr,                                \
                _mlir_ciface_conv_fwd_##n##_##h##_##w##_##c##_##kh##_##kw##_##f});
#include "convs.inc"
#undef CONV_KERNEL
  std::printf("measured FMA peak: %.1f GFLOP/s\n", measuredPeak() / 1e9);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
