//===- Scratch.cpp - the temporaries of compiled entries, without malloc --===//
//
// A compiled step allocates its temporaries (activations kept for the
// backward pass, row buffers of a softmax tile, ...) through MLIR's generic
// allocation functions, defined here, and every entry wrapper brackets its
// call with nnc_scratch_mark / nnc_scratch_release. The temporaries come
// from one per-thread arena:
//
//  - an allocation bumps the arena's top (64-byte aligned, a 64-byte header
//    before it);
//  - a free marks its block free, and the top falls back over every freed
//    block at the top, so a tile loop's alloc/free pairs reuse one place;
//  - a freed block below the top is a hole that a later allocation of
//    about its size takes (best fit among the most recent holes): a scan
//    step's state outlives the step's other temporaries, so without this
//    the top climbed by a whole step's temporaries every step (an
//    LSTM(64) over 200 steps: 28 MB of fresh memory per training step,
//    each temporary cold in cache; issue 15's step 20 -> 24 ms). A nested
//    entry may take an outer entry's hole; one it then does not free stays
//    taken until the outer entry's release (never lost, only unused);
//  - release(mark) drops everything above the entry's mark;
//  - an allocation that does not fit comes from malloc, and the arena grows
//    to the call's high-water mark once the outermost entry returns (live
//    malloc'd blocks count towards it as if they sat above the top): from
//    the second step on, a step calls malloc no more (issue 13: malloc and
//    free were a fifth of an iris step).
//
// The arena keeps its high-water mark between calls (the temporaries of
// the largest step the thread ran). Built alone as libnnrt_scratch.a too,
// for `nnc --shared` libraries. Under AddressSanitizer every allocation is
// a plain malloc, so the sanitizer still sees the generated code's
// temporaries.
//
//===----------------------------------------------------------------------===//

#include "ScratchHooks.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NNRT_SCRATCH_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define NNRT_SCRATCH_MALLOC 1
#endif

namespace {

constexpr size_t kAlign = 64;

/// Before every block: where its reservation began (the top before it),
/// the previous block's header, the bytes it holds, whether it was freed
/// and, when it is a hole (freed below the top), its neighbours in the
/// list of holes.
struct alignas(kAlign) Header {
  size_t start;
  Header *previous;
  size_t bytes;
  Header *nextHole, *previousHole;
  bool freed, hole;
};

/// How many holes, most recently freed first, an allocation looks at: a
/// loop frees and allocates the same sizes step after step, so its match
/// is among the last few.
constexpr int kHolesSearched = 16;

/// A block that did not fit and came from malloc, with the arena bytes it
/// would have taken.
struct Fallback {
  void *p;
  size_t bytes;
};
constexpr int kTrackedFallbacks = 64;

struct Arena {
  char *base = nullptr;
  size_t capacity = 0, top = 0, highWater = 0;
  Header *last = nullptr; // the block at the top
  Header *holes = nullptr; // freed blocks below the top, newest first
  int depth = 0;          // entries running on this thread
  // Live malloc'd blocks count towards the high-water mark as if they sat
  // above the top: without them a step whose temporaries mostly missed the
  // arena measured only its largest block, and the arena grew by a little
  // each step while every step still malloc'd (and page-faulted) tens of MB
  // (a CNN step ran 3x slower for its first hundreds of steps). Frees of
  // untracked blocks (more than kTrackedFallbacks live at once) are not
  // subtracted: the estimate errs high.
  size_t fallbackBytes = 0;
  Fallback tracked[kTrackedFallbacks];
  int numTracked = 0;
};

thread_local Arena arena;
thread_local const nnrt::ScratchHooks *hooks = nullptr;

size_t roundUp(size_t v, size_t a) { return (v + a - 1) / a * a; }

bool inArena(const void *p) {
  const char *c = static_cast<const char *>(p);
  return arena.base && c >= arena.base && c < arena.base + arena.capacity;
}

void linkHole(Header *h) {
  h->hole = true;
  h->previousHole = nullptr;
  h->nextHole = arena.holes;
  if (arena.holes)
    arena.holes->previousHole = h;
  arena.holes = h;
}

void unlinkHole(Header *h) {
  if (!h->hole)
    return;
  h->hole = false;
  if (h->previousHole)
    h->previousHole->nextHole = h->nextHole;
  else
    arena.holes = h->nextHole;
  if (h->nextHole)
    h->nextHole->previousHole = h->previousHole;
}

/// The top falls back over freed blocks (holes among them stop being
/// holes).
void popFreed() {
  while (arena.last && arena.last->freed) {
    unlinkHole(arena.last);
    arena.top = arena.last->start;
    arena.last = arena.last->previous;
  }
}

/// The smallest of the recent holes that holds `bytes` without wasting
/// more than as much again (a small temporary must not take the place a
/// large one comes back for), or null.
Header *takeHole(size_t bytes) {
  Header *best = nullptr;
  int seen = 0;
  for (Header *h = arena.holes; h && seen < kHolesSearched;
       h = h->nextHole, ++seen)
    if (h->bytes >= bytes && h->bytes <= 2 * bytes + 4096 &&
        (!best || h->bytes < best->bytes))
      best = h;
  if (best) {
    unlinkHole(best);
    best->freed = false;
  }
  return best;
}

void *allocate(size_t alignment, size_t size) {
#ifdef NNRT_SCRATCH_MALLOC
  void *p = nullptr;
  return posix_memalign(&p, alignment < sizeof(void *) ? sizeof(void *)
                                                       : alignment,
                        size ? size : 1)
             ? nullptr
             : p;
#else
  if (alignment < kAlign)
    alignment = kAlign;
  if (alignment == kAlign)
    if (Header *h = takeHole(roundUp(size ? size : 1, kAlign)))
      return reinterpret_cast<char *>(h) + sizeof(Header);
  size_t data = roundUp(arena.top + sizeof(Header), alignment);
  size_t end = data + roundUp(size ? size : 1, kAlign);
  if (end + arena.fallbackBytes > arena.highWater)
    arena.highWater = end + arena.fallbackBytes;
  if (alignment > kAlign || end > arena.capacity) {
    // Grows once the outermost entry returns; until then, malloc.
    void *p = nullptr;
    if (posix_memalign(&p, alignment, size ? size : 1))
      return nullptr;
    size_t bytes = end - arena.top;
    arena.fallbackBytes += bytes;
    if (arena.numTracked < kTrackedFallbacks)
      arena.tracked[arena.numTracked++] = {p, bytes};
    return p;
  }
  auto *h = reinterpret_cast<Header *>(arena.base + data - sizeof(Header));
  h->start = arena.top;
  h->previous = arena.last;
  h->bytes = end - data;
  h->freed = false;
  h->hole = false;
  arena.last = h;
  arena.top = end;
  return arena.base + data;
#endif
}

} // namespace

extern "C" {

// MLIR's generic allocation functions (finalize-memref-to-llvm with
// use-generic-functions), which the compiled code calls for memref.alloc
// and memref.dealloc.
void *_mlir_memref_to_llvm_alloc(size_t size) {
  if (hooks)
    return hooks->alloc(size);
  return allocate(kAlign, size);
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  if (hooks)
    return hooks->alloc(size);
  return allocate(alignment, size);
}

void _mlir_memref_to_llvm_free(void *p) {
  if (hooks) // device temporaries go with the entry's release
    return;
#ifndef NNRT_SCRATCH_MALLOC
  if (inArena(p)) {
    auto *h =
        reinterpret_cast<Header *>(static_cast<char *>(p) - sizeof(Header));
    h->freed = true;
    if (h == arena.last)
      popFreed();
    else
      linkHole(h);
    return;
  }
  for (int i = 0; i < arena.numTracked; ++i)
    if (arena.tracked[i].p == p) {
      arena.fallbackBytes -= arena.tracked[i].bytes;
      arena.tracked[i] = arena.tracked[--arena.numTracked];
      break;
    }
#endif
  std::free(p);
}

/// Called by every entry wrapper before the entry runs; the returned mark
/// goes to nnc_scratch_release after it.
int64_t nnc_scratch_mark(void) {
  if (hooks)
    return hooks->mark();
  ++arena.depth;
  return static_cast<int64_t>(arena.top);
}

void nnc_scratch_release(int64_t mark) {
  if (hooks)
    return hooks->release(mark);
  // Everything the entry allocated above its mark goes (a temporary the
  // compiled code did not free, too).
  while (arena.last && arena.last->start >= static_cast<size_t>(mark)) {
    unlinkHole(arena.last);
    arena.last = arena.last->previous;
  }
  arena.top = static_cast<size_t>(mark);
  if (--arena.depth > 0)
    return;
  arena.fallbackBytes = 0;
  arena.numTracked = 0;
  if (arena.highWater <= arena.capacity)
    return;
  // The outermost entry returned with more temporaries than the arena
  // holds: grow it to the high-water mark (with room to spare), so the
  // next call of the same size allocates nothing.
  std::free(arena.base);
  arena.capacity = roundUp(arena.highWater + arena.highWater / 4, 4096);
  void *p = nullptr;
  if (posix_memalign(&p, 4096, arena.capacity)) {
    p = nullptr;
    arena.capacity = 0;
  }
  arena.base = static_cast<char *>(p);
  arena.top = 0;
  arena.last = nullptr;
  arena.holes = nullptr;
}

} // extern "C"

void nnrt::setScratchHooks(const ScratchHooks *h) { hooks = h; }
