//===- ParallelTest.cpp - the compiled kernels' thread pool ---------------===//
//
// runtime/src/Parallel.cpp, through the C functions the compiled code and
// the runtime call: the parts partition the range exactly, run on
// different threads, inherit the caller's floating-point mode and run
// serially when nested or with one thread.
//
//===----------------------------------------------------------------------===//

#include "nnrt.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

extern "C" {
void nnc_parallel_for(void (*task)(void *, int64_t, int64_t), void *ctx,
                      int64_t lo, int64_t hi);
void nnc_parallel_set_threads(int64_t n);
int64_t nnc_parallel_threads(void);
}

namespace {

struct Record {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> parts;
  std::set<std::thread::id> threads;
  std::vector<int> hits;
};

void recordPart(void *ctx, int64_t lo, int64_t hi) {
  auto *r = static_cast<Record *>(ctx);
  std::lock_guard<std::mutex> lock(r->mutex);
  r->parts.emplace_back(lo, hi);
  r->threads.insert(std::this_thread::get_id());
  for (int64_t i = lo; i < hi; ++i)
    ++r->hits[i];
}

/// Restores the default thread count after each test.
class Parallel : public ::testing::Test {
protected:
  void TearDown() override { nnrt_set_num_threads(0); }
};

TEST_F(Parallel, PartsCoverTheRangeOnceInContiguousPieces) {
  nnrt_set_num_threads(2);
  for (int64_t n : {2, 3, 17, 1000}) {
    Record r;
    r.hits.assign(n + 5, 0);
    nnc_parallel_for(recordPart, &r, 5, n + 5);
    for (int64_t i = 0; i < 5; ++i)
      EXPECT_EQ(r.hits[i], 0);
    for (int64_t i = 5; i < n + 5; ++i)
      EXPECT_EQ(r.hits[i], 1) << "element " << i << " of " << n;
    EXPECT_EQ(r.parts.size(), 2u);
  }
}

TEST_F(Parallel, TwoThreadsRunTwoParts) {
  nnrt_set_num_threads(2);
  EXPECT_EQ(nnrt_num_threads(), 2);
  Record r;
  r.hits.assign(64, 0);
  nnc_parallel_for(recordPart, &r, 0, 64);
  EXPECT_EQ(r.threads.size(), 2u);
  EXPECT_TRUE(r.threads.count(std::this_thread::get_id()))
      << "the caller runs a part itself";
}

TEST_F(Parallel, OneThreadOrOneIterationIsOneCallOnTheCaller) {
  nnrt_set_num_threads(1);
  Record r;
  r.hits.assign(64, 0);
  nnc_parallel_for(recordPart, &r, 0, 64);
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0], std::make_pair(int64_t(0), int64_t(64)));
  EXPECT_EQ(*r.threads.begin(), std::this_thread::get_id());

  nnrt_set_num_threads(2);
  Record one;
  one.hits.assign(8, 0);
  nnc_parallel_for(recordPart, &one, 7, 8);
  ASSERT_EQ(one.parts.size(), 1u);
  EXPECT_EQ(*one.threads.begin(), std::this_thread::get_id());
}

struct Nested {
  Record inner;
  std::atomic<int> outerParts{0};
};

void nestedPart(void *ctx, int64_t lo, int64_t hi) {
  auto *n = static_cast<Nested *>(ctx);
  ++n->outerParts;
  // A kernel called from a part: serial, on this thread.
  Record local;
  local.hits.assign(16, 0);
  nnc_parallel_for(recordPart, &local, 0, 16);
  std::lock_guard<std::mutex> lock(n->inner.mutex);
  n->inner.parts.insert(n->inner.parts.end(), local.parts.begin(),
                        local.parts.end());
  n->inner.threads.insert(local.threads.begin(), local.threads.end());
  EXPECT_EQ(local.threads.size(), 1u);
  EXPECT_EQ(*local.threads.begin(), std::this_thread::get_id());
  (void)lo;
  (void)hi;
}

TEST_F(Parallel, NestedCallsRunSerially) {
  nnrt_set_num_threads(2);
  Nested n;
  nnc_parallel_for(nestedPart, &n, 0, 2);
  EXPECT_EQ(n.outerParts.load(), 2);
  EXPECT_EQ(n.inner.parts.size(), 2u) << "one whole-range call per part";
}

#if defined(__x86_64__)
void readMode(void *ctx, int64_t lo, int64_t hi) {
  auto *modes = static_cast<unsigned *>(ctx);
  for (int64_t i = lo; i < hi; ++i)
    modes[i] = _mm_getcsr() & 0x8040; // FTZ | DAZ
}

TEST_F(Parallel, WorkersRunInTheCallersFloatMode) {
  nnrt_set_num_threads(2);
  unsigned saved = _mm_getcsr();
  unsigned modes[2] = {0, 0};
  _mm_setcsr(saved | 0x8040);
  nnc_parallel_for(readMode, modes, 0, 2);
  _mm_setcsr(saved);
  EXPECT_EQ(modes[0], 0x8040u);
  EXPECT_EQ(modes[1], 0x8040u) << "the worker's part";
  nnc_parallel_for(readMode, modes, 0, 2);
  EXPECT_EQ(modes[1], saved & 0x8040u) << "and the next job's mode";
}
#endif

void sumPart(void *ctx, int64_t lo, int64_t hi) {
  auto *v = static_cast<std::vector<int64_t> *>(ctx);
  for (int64_t i = lo; i < hi; ++i)
    (*v)[i] = i * i;
}

TEST_F(Parallel, CallersOnSeveralThreadsEachGetTheirWholeResult) {
  nnrt_set_num_threads(2);
  // While one caller has the pool, another runs its kernel serially.
  auto work = [] {
    for (int round = 0; round < 200; ++round) {
      std::vector<int64_t> v(257, -1);
      nnc_parallel_for(sumPart, &v, 0, 257);
      for (int64_t i = 0; i < 257; ++i)
        if (v[i] != i * i)
          return false;
    }
    return true;
  };
  bool a = false, b = false;
  std::thread t1([&] { a = work(); }), t2([&] { b = work(); });
  t1.join();
  t2.join();
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
}

TEST_F(Parallel, ZeroRestoresTheDefault) {
  nnrt_set_num_threads(5);
  EXPECT_EQ(nnrt_num_threads(), 5);
  nnrt_set_num_threads(0);
  EXPECT_GE(nnrt_num_threads(), 1);
}

} // namespace
