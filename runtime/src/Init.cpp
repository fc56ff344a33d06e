//===- Init.cpp - Keras' parameter initialisers, seeded -------------------===//
//
// Definitions follow Keras (keras.initializers): for a kernel of shape
// (..., fan_in, fan_out) with receptive field r = product of the leading
// dims, fan_in *= r and fan_out *= r.
//   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))
//   glorot_normal   truncated N(0, s), s = sqrt(2 / (fan_in + fan_out)) / .8796
//   he_uniform      l = sqrt(6 / fan_in);   he_normal     s = sqrt(2 / fan_in)
//   lecun_uniform   l = sqrt(3 / fan_in);   lecun_normal  s = sqrt(1 / fan_in)
//   random_uniform  U(-0.05, 0.05);         random_normal N(0, 0.05)
//   orthogonal      Keras' Orthogonal (gain 1): a (rows, cols) matrix, rows
//                   the product of the leading dims, drawn N(0, 1) as
//                   (max, min) and orthonormalised column by column (Gram-
//                   Schmidt, which gives QR's Q with R's diagonal positive,
//                   Keras' sign correction), transposed when rows < cols
//   unit_forget_bias an LSTM bias (4 units): zeros, ones for the forget gate
//   reservoir_input  U(-1, 1) (a reservoir's input weights; the layer
//                   multiplies by its input_scaling)
//   reservoir_columns a reservoir's (units, k) connections: each unit's k
//                   inputs drawn without repetition, ascending, as floats
//   reservoir_values  their weights: U(-1, 1), then divided by the spectral
//                   radius of the (units, units) matrix they form with the
//                   columns (drawn again from the columns' name and seed), so
//                   that its spectral radius is 1 (the layer multiplies by
//                   spectral_radius). The radius is Gelfand's limit
//                   ||W^t v||^(1/t), a geometric mean of power-iteration
//                   growth factors over iterations 100-300.
// Truncated normals redraw samples beyond two standard deviations, and the
// 0.8796 factor is the standard deviation of N(0,1) truncated to [-2, 2].
// The generator is splitmix64-seeded xoshiro256**: small, fast, documented.
//
//===----------------------------------------------------------------------===//

#include "Init.h"

#include <algorithm>
#include <cmath>

using namespace nnrt;

uint64_t nnrt::splitmix64(uint64_t &x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

namespace {

class Rng {
public:
  explicit Rng(uint64_t seed) {
    for (uint64_t &w : s)
      w = splitmix64(seed);
  }
  uint64_t next() {
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
  }
  /// Uniform in [0, 1).
  double uniform() { return (next() >> 11) * 0x1.0p-53; }
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2 * M_PI * u2);
  }
  double truncatedNormal() {
    double x;
    do
      x = normal();
    while (std::fabs(x) > 2.0);
    return x;
  }

private:
  uint64_t s[4];
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
};

uint64_t hashName(const std::string &s) {
  uint64_t h = 1469598103934665603ull; // FNV-1a
  for (unsigned char c : s)
    h = (h ^ c) * 1099511628211ull;
  return h;
}

/// A reservoir's connections: `units` rows of `k` distinct ascending
/// columns of [0, units).
std::vector<int64_t> reservoirColumns(int64_t units, int64_t k, Rng &rng) {
  std::vector<int64_t> cols(units * k), pool(units);
  for (int64_t i = 0; i < units; ++i) {
    for (int64_t c = 0; c < units; ++c)
      pool[c] = c;
    for (int64_t j = 0; j < k; ++j) {
      int64_t pick = j + static_cast<int64_t>(rng.uniform() * (units - j));
      std::swap(pool[j], pool[std::min(pick, units - 1)]);
    }
    std::sort(pool.begin(), pool.begin() + k);
    std::copy(pool.begin(), pool.begin() + k, cols.begin() + i * k);
  }
  return cols;
}

/// The spectral radius of the sparse matrix (cols, vals), [units, k].
double spectralRadius(const std::vector<int64_t> &cols,
                      const std::vector<float> &vals, int64_t units,
                      int64_t k, Rng &rng) {
  std::vector<double> v(units), w(units);
  for (double &x : v)
    x = rng.normal();
  double logSum = 0;
  int counted = 0;
  for (int it = 0; it < 300; ++it) {
    double norm = 0;
    for (int64_t i = 0; i < units; ++i) {
      double s = 0;
      for (int64_t j = 0; j < k; ++j)
        s += vals[i * k + j] * v[cols[i * k + j]];
      w[i] = s;
      norm += s * s;
    }
    norm = std::sqrt(norm);
    if (norm == 0)
      return 0;
    for (int64_t i = 0; i < units; ++i)
      v[i] = w[i] / norm;
    if (it >= 100) {
      logSum += std::log(norm);
      ++counted;
    }
  }
  return std::exp(logSum / counted);
}

/// Keras' Orthogonal initializer (gain 1) into `data`.
void orthogonal(const std::vector<int64_t> &shape, Rng &rng,
                std::vector<float> &data) {
  size_t cols = shape.empty() ? 1 : static_cast<size_t>(shape.back());
  size_t rows = cols ? data.size() / cols : 0;
  size_t n = std::max(rows, cols), m = std::min(rows, cols);
  // q: n x m, column-major (column j at q[j * n]).
  std::vector<double> q(n * m);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < m; ++j)
      q[j * n + i] = rng.normal();
  for (size_t j = 0; j < m; ++j) {
    double *col = &q[j * n];
    // Twice, for orthogonality to rounding error.
    for (int pass = 0; pass < 2; ++pass)
      for (size_t k = 0; k < j; ++k) {
        const double *prev = &q[k * n];
        double dot = 0;
        for (size_t i = 0; i < n; ++i)
          dot += prev[i] * col[i];
        for (size_t i = 0; i < n; ++i)
          col[i] -= dot * prev[i];
      }
    double norm = 0;
    for (size_t i = 0; i < n; ++i)
      norm += col[i] * col[i];
    norm = std::sqrt(norm);
    for (size_t i = 0; i < n; ++i)
      col[i] = norm > 0 ? col[i] / norm : 0.0;
  }
  // rows >= cols: element (r, c) is q(r, c); else the transpose.
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c)
      data[r * cols + c] = static_cast<float>(
          rows >= cols ? q[c * n + r] : q[r * n + c]);
}

} // namespace

bool nnrt::initialize(const std::string &name,
                      const std::vector<int64_t> &shape, uint64_t seed,
                      const std::string &paramName, std::vector<float> &data) {
  double fanIn = 1, fanOut = 1;
  if (shape.size() == 1) {
    fanIn = fanOut = static_cast<double>(shape[0]);
  } else if (shape.size() >= 2) {
    double receptive = 1;
    for (size_t i = 0; i + 2 < shape.size(); ++i)
      receptive *= static_cast<double>(shape[i]);
    fanIn = static_cast<double>(shape[shape.size() - 2]) * receptive;
    fanOut = static_cast<double>(shape.back()) * receptive;
  }
  Rng rng(seed ^ hashName(paramName));
  auto uniform = [&](double limit) {
    for (float &v : data)
      v = static_cast<float>((2 * rng.uniform() - 1) * limit);
  };
  auto truncated = [&](double variance) {
    double stddev = std::sqrt(variance) / 0.87962566103423978;
    for (float &v : data)
      v = static_cast<float>(rng.truncatedNormal() * stddev);
  };
  if (name == "zeros" || name == "ones") {
    for (float &v : data)
      v = name == "ones" ? 1.0f : 0.0f;
  } else if (name == "glorot_uniform") {
    uniform(std::sqrt(6.0 / (fanIn + fanOut)));
  } else if (name == "glorot_normal") {
    truncated(2.0 / (fanIn + fanOut));
  } else if (name == "he_uniform") {
    uniform(std::sqrt(6.0 / fanIn));
  } else if (name == "he_normal") {
    truncated(2.0 / fanIn);
  } else if (name == "lecun_uniform") {
    uniform(std::sqrt(3.0 / fanIn));
  } else if (name == "lecun_normal") {
    truncated(1.0 / fanIn);
  } else if (name == "random_uniform") {
    uniform(0.05);
  } else if (name == "orthogonal") {
    orthogonal(shape, rng, data);
  } else if (name == "reservoir_input") {
    uniform(1.0);
  } else if (name == "reservoir_columns" || name == "reservoir_values") {
    if (shape.size() != 2 || shape[1] > shape[0])
      return false;
    int64_t units = shape[0], k = shape[1];
    std::string columnsName = paramName;
    const std::string values = "recurrent_values";
    if (name == "reservoir_values" && columnsName.size() >= values.size() &&
        columnsName.compare(columnsName.size() - values.size(), values.size(),
                            values) == 0)
      columnsName.replace(columnsName.size() - values.size(), values.size(),
                          "recurrent_columns");
    Rng columnRng(seed ^ hashName(columnsName));
    std::vector<int64_t> cols = reservoirColumns(units, k, columnRng);
    if (name == "reservoir_columns") {
      for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<float>(cols[i]);
    } else {
      uniform(1.0);
      double radius = spectralRadius(cols, data, units, k, rng);
      if (radius > 0)
        for (float &v : data)
          v = static_cast<float>(v / radius);
    }
  } else if (name == "unit_forget_bias") {
    size_t units = data.size() / 4;
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = i >= units && i < 2 * units ? 1.0f : 0.0f;
  } else if (name == "random_normal") {
    for (float &v : data)
      v = static_cast<float>(rng.normal() * 0.05);
  } else {
    return false;
  }
  return true;
}
