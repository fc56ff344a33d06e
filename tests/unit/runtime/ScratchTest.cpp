//===- ScratchTest.cpp - the arena of the compiled code's temporaries -----===//
//
// The functions the compiled code calls (MLIR's generic allocation
// functions and the entry wrappers' mark/release), driven here the way a
// step drives them. Under AddressSanitizer the arena is plain malloc (so
// the sanitizer sees every temporary); only alignment is checked then.
//
//===----------------------------------------------------------------------===//

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

extern "C" {
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *p);
int64_t nnc_scratch_mark(void);
void nnc_scratch_release(int64_t mark);
}

namespace {

bool underAsan() {
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
  return true;
#endif
  return false;
}

uintptr_t address(void *p) { return reinterpret_cast<uintptr_t>(p); }

/// One "step": a batch-sized temporary kept to the end, and a tile loop of
/// alloc/free pairs (freed in the order a softmax tile frees them: the
/// first one first). Returns the pointers it got.
std::vector<void *> step() {
  std::vector<void *> got;
  int64_t mark = nnc_scratch_mark();
  void *kept = _mlir_memref_to_llvm_alloc(1000 * 4);
  std::memset(kept, 1, 1000 * 4);
  got.push_back(kept);
  for (int tile = 0; tile < 100; ++tile) {
    void *a = _mlir_memref_to_llvm_alloc(16 * 4);
    void *b = _mlir_memref_to_llvm_alloc(16 * 10 * 4);
    std::memset(a, 2, 16 * 4);
    std::memset(b, 3, 16 * 10 * 4);
    got.push_back(a);
    got.push_back(b);
    _mlir_memref_to_llvm_free(a); // not the top: the top falls back later
    _mlir_memref_to_llvm_free(b);
  }
  _mlir_memref_to_llvm_free(kept);
  nnc_scratch_release(mark);
  return got;
}

} // namespace

TEST(Scratch, AlignedAndReusedFromTheSecondStepOn) {
  std::vector<void *> first = step(), second = step(), third = step();
  for (void *p : second)
    EXPECT_EQ(address(p) % 64, 0u);
  void *wide = _mlir_memref_to_llvm_aligned_alloc(256, 100);
  EXPECT_EQ(address(wide) % 256, 0u);
  _mlir_memref_to_llvm_free(wide);
  if (underAsan())
    GTEST_SKIP() << "the arena is plain malloc under AddressSanitizer";
  // The first step grew the arena; from then on a step gets the same
  // places: the tile loop's pairs one place each, whatever the order of
  // their frees.
  EXPECT_EQ(second, third);
  EXPECT_EQ(second[1], second[3]);
  EXPECT_EQ(second[2], second[4]);
  EXPECT_GT(address(second[1]), address(second[0]));
}

TEST(Scratch, ReleaseDropsWhatAnEntryDidNotFree) {
  step(); // the arena holds a step
  if (underAsan())
    GTEST_SKIP() << "the arena is plain malloc under AddressSanitizer";
  int64_t mark = nnc_scratch_mark();
  void *leaked = _mlir_memref_to_llvm_alloc(64);
  nnc_scratch_release(mark);
  mark = nnc_scratch_mark();
  void *again = _mlir_memref_to_llvm_alloc(64);
  EXPECT_EQ(leaked, again);
  _mlir_memref_to_llvm_free(again);
  nnc_scratch_release(mark);
}

TEST(Scratch, NestedEntriesKeepTheOuterOnesTemporaries) {
  step();
  int64_t outer = nnc_scratch_mark();
  auto *kept = static_cast<int *>(_mlir_memref_to_llvm_alloc(4 * 64));
  for (int i = 0; i < 64; ++i)
    kept[i] = i;
  int64_t inner = nnc_scratch_mark();
  void *t = _mlir_memref_to_llvm_alloc(4 * 64);
  std::memset(t, 0xFF, 4 * 64);
  nnc_scratch_release(inner);
  for (int i = 0; i < 64; ++i)
    ASSERT_EQ(kept[i], i);
  _mlir_memref_to_llvm_free(kept);
  nnc_scratch_release(outer);
}

TEST(Scratch, ManyLiveBlocksFitAfterOneStep) {
  // Four 1 MB temporaries alive at once (a CNN step's window copies). The
  // first step finds no arena and mallocs them all; the arena must then
  // grow to hold all four, not just the largest, so that the second step
  // allocates nothing (it once grew by one block per step, and each step
  // malloc'd and page-faulted the rest).
  auto bigStep = [] {
    std::vector<void *> got;
    int64_t mark = nnc_scratch_mark();
    for (int i = 0; i < 4; ++i) {
      got.push_back(_mlir_memref_to_llvm_alloc(1 << 20));
      std::memset(got.back(), i, 1 << 20);
    }
    for (void *p : got)
      _mlir_memref_to_llvm_free(p);
    nnc_scratch_release(mark);
    return got;
  };
  bigStep();
  std::vector<void *> second = bigStep(), third = bigStep();
  if (underAsan())
    GTEST_SKIP() << "the arena is plain malloc under AddressSanitizer";
  EXPECT_EQ(second, third);
  // One arena, blocks one after another.
  for (int i = 1; i < 4; ++i) {
    EXPECT_GE(address(second[i]), address(second[i - 1]) + (1 << 20));
    EXPECT_LE(address(second[i]), address(second[i - 1]) + (1 << 20) + 256);
  }
}

TEST(Scratch, AScanStepsStateDoesNotMakeTheTopClimb) {
  // A scan's step allocates the next state (kept: the next step reads it)
  // and temporaries (freed at the step's end), then frees the previous
  // state, which sits below them. Freed blocks below the top are holes
  // that the next step's allocations of the same sizes take; before, the
  // top climbed by a whole step every step (an LSTM over 200 steps took
  // 28 MB of fresh, cold memory per training step).
  auto scan = [] {
    std::set<void *> places;
    int64_t mark = nnc_scratch_mark();
    void *state = _mlir_memref_to_llvm_alloc(8 << 10);
    std::memset(state, 0, 8 << 10);
    for (int t = 0; t < 200; ++t) {
      void *gates = _mlir_memref_to_llvm_alloc(32 << 10);
      void *next = _mlir_memref_to_llvm_alloc(8 << 10);
      void *cell = _mlir_memref_to_llvm_alloc(8 << 10);
      std::memcpy(next, state, 8 << 10);
      std::memset(gates, t, 32 << 10);
      std::memset(cell, t, 8 << 10);
      places.insert(gates);
      places.insert(next);
      places.insert(cell);
      _mlir_memref_to_llvm_free(state);
      _mlir_memref_to_llvm_free(gates);
      _mlir_memref_to_llvm_free(cell);
      state = next;
    }
    _mlir_memref_to_llvm_free(state);
    nnc_scratch_release(mark);
    return places;
  };
  scan();
  std::set<void *> places = scan();
  if (underAsan())
    GTEST_SKIP() << "the arena is plain malloc under AddressSanitizer";
  // A handful of places for 600 allocations (the climbing top: 600).
  EXPECT_LE(places.size(), 8u);
}

TEST(Scratch, ASmallTemporaryLeavesALargeHoleAlone) {
  step();
  if (underAsan())
    GTEST_SKIP() << "the arena is plain malloc under AddressSanitizer";
  int64_t mark = nnc_scratch_mark();
  void *large = _mlir_memref_to_llvm_alloc(64 << 10);
  void *kept = _mlir_memref_to_llvm_alloc(64);
  _mlir_memref_to_llvm_free(large); // a hole below `kept`
  void *small = _mlir_memref_to_llvm_alloc(64);
  EXPECT_NE(small, large);
  void *again = _mlir_memref_to_llvm_alloc(60 << 10);
  EXPECT_EQ(again, large); // the hole, best fit
  std::memset(again, 1, 60 << 10);
  _mlir_memref_to_llvm_free(small);
  _mlir_memref_to_llvm_free(again);
  _mlir_memref_to_llvm_free(kept);
  nnc_scratch_release(mark);
}
