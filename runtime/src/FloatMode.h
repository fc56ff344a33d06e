//===- FloatMode.h - compiled entries run with subnormals flushed ---------===//
//
// Every call into compiled code runs with the CPU's flush-to-zero and
// denormals-are-zero modes on, as XLA and TensorFlow run theirs: a result
// or an operand below 1.2e-38 (f32) counts as zero. Without it, Adam's
// moments of weights whose gradient is exactly zero (the always-black
// border pixels of Fashion-MNIST) decay geometrically into the subnormal
// range, where each operation costs about a hundred cycles: the Fashion-MNIST
// step took 4.4x as long (1079 against 241 us, docs/numerics.md).
// NNRT_KEEP_DENORMALS=1 in the environment keeps IEEE subnormals.
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_FLOATMODE_H
#define NNRT_FLOATMODE_H

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define NNRT_HAVE_MXCSR 1
#endif

namespace nnrt {

/// Flush-to-zero and denormals-are-zero for the guard's lifetime (the
/// calling thread's floating-point control register), restored after.
class ScopedFlushDenormals {
public:
  ScopedFlushDenormals() {
#ifdef NNRT_HAVE_MXCSR
    if (!enabled())
      return;
    saved = _mm_getcsr();
    _mm_setcsr(saved | kFlushToZero | kDenormalsAreZero);
    active = true;
#endif
  }
  ~ScopedFlushDenormals() {
#ifdef NNRT_HAVE_MXCSR
    if (active)
      _mm_setcsr(saved);
#endif
  }
  ScopedFlushDenormals(const ScopedFlushDenormals &) = delete;
  ScopedFlushDenormals &operator=(const ScopedFlushDenormals &) = delete;

  /// False when NNRT_KEEP_DENORMALS is set to anything but "0" or "".
  static bool enabled() {
    static const bool on = [] {
      const char *v = std::getenv("NNRT_KEEP_DENORMALS");
      return !v || !*v || std::strcmp(v, "0") == 0;
    }();
    return on;
  }

private:
  static constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;
  unsigned saved = 0;
  bool active = false;
};

} // namespace nnrt

#endif // NNRT_FLOATMODE_H
