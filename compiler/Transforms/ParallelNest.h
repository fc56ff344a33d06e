//===- ParallelNest.h - one iteration range for a parallel loop nest -*- C++ -*-===//
//
// Not a pass: what nnc-outline-kernels uses to make a top-level loop nest
// a parallel kernel, a function of an iteration range the runtime's pool
// can split between threads (docs/architecture.md, "Threads").
//
//===----------------------------------------------------------------------===//

#ifndef NNC_COMPILER_TRANSFORMS_PARALLELNEST_H
#define NNC_COMPILER_TRANSFORMS_PARALLELNEST_H

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <optional>

namespace nnc {

/// The estimated work (ParallelRange::work) from which a parallel kernel
/// is handed to the runtime's thread pool; below it, the kernel is called
/// directly, so small kernels (all of iris) pay one compare. The pool's
/// fork and join cost 0.7-1.0 us on 2 threads; 65,536 ops are roughly
/// 10-20 us of work. On the MLP step, thresholds from 16,384 to 262,144
/// measured the same (nnc --min-parallel-work, 2026-11-22).
inline constexpr int64_t kMinParallelWork = 1 << 16;

/// A parallel nest rewritten as `scf.for %t = 0 to %count step 1`.
struct ParallelRange {
  mlir::scf::ForOp loop;
  mlir::Value count;
  /// An estimate of the whole nest's work in executed operations (each
  /// op of the body once per iteration of the loops around it, vector ops
  /// counting one), computed before the loop.
  mlir::Value work;
};

/// When `nest`, an op of a function body, is a parallel loop (an
/// scf.parallel without reductions, or an scf.for marked nn.parallel),
/// rewrites it and the parallel loops perfectly nested in it (only pure
/// ops beside them, bounds defined outside the nest), provided the IR
/// shows the iterations write disjoint memory, into one loop over
/// their collapsed iterations, outer loops slowest, and returns it. Each
/// iteration of the new loop runs one iteration of the innermost collapsed
/// body, so any partition of its range into parts computes the same
/// values as the original nest.
std::optional<ParallelRange> collapseParallelNest(mlir::Operation *nest);

} // namespace nnc

#endif // NNC_COMPILER_TRANSFORMS_PARALLELNEST_H
