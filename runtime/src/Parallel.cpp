//===- Parallel.cpp - the thread pool compiled kernels run on -------------===//
//
// A parallel kernel (nnc-outline-kernels) is a function of an iteration
// range [lo, hi) whose iterations write disjoint parts of its outputs: the
// row and column tiles of a contraction, the rows of an elementwise chain
// or of an optimizer update. When a kernel's estimated work is large enough
// to pay for a fork (the compiled code decides; see docs/architecture.md),
// it calls nnc_parallel_for, which cuts the range into one contiguous part
// per thread and runs the parts on this pool.
//
// Why a pool of our own rather than OpenMP (libomp from Debian's packages):
// measured on this machine kind, libomp's fork-join of 2 threads cost
// 2.6-2.9 us and even a parallel region whose `if` clause is false cost
// 0.64-0.76 us, against an iris training step of 1.8 us in all. Here a
// kernel too small to split costs one compare in the compiled code, and
// the pool's fork is one store and one counter.
//
// Reproducibility: every iteration is computed whole by one thread, in the
// same order as the serial loop, so results are bitwise identical for any
// thread count (no reduction is split across threads).
//
// Threads: NNC_NUM_THREADS in the environment, or nnc_parallel_set_threads
// (the runtime's --threads), else every CPU the process may run on. The
// workers start on the first parallel call, spin for a while after each
// job (the next kernel usually follows within microseconds), then sleep.
// Each worker runs with the caller's floating-point control register (the
// flush-to-zero mode, FloatMode.h) and brackets its part with a scratch
// mark and release like an entry does (Scratch.cpp).
//
// NNC_PARALLEL_TRACE=1 prints, at exit, how many kernels were split.
//
// Built into libnnrt.a and libnnrt_scratch.a (the support `nnc --shared`
// libraries carry), without libstdc++'s run-time library: pthreads and
// header-only atomics.
//
//===----------------------------------------------------------------------===//

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <pthread.h>
#include <sched.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NNC_HAVE_MXCSR 1
#endif

extern "C" {
int64_t nnc_scratch_mark(void);
void nnc_scratch_release(int64_t mark);
}

namespace {

using Task = void (*)(void *ctx, int64_t lo, int64_t hi);

constexpr int kMaxThreads = 256; // parts fit the job word's 16 bits
/// How long an idle worker spins before it sleeps.
constexpr int64_t kSpinNanoseconds = 200 * 1000;

int64_t nowNanoseconds() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec;
}

void pause() {
#ifdef NNC_HAVE_MXCSR
  _mm_pause();
#endif
}

int cpusAvailable() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0)
      return n;
  }
  return 1;
}

/// NNC_NUM_THREADS when it is a positive number, else the CPU count.
int defaultThreads() {
  if (const char *v = std::getenv("NNC_NUM_THREADS")) {
    char *end = nullptr;
    long n = std::strtol(v, &end, 10);
    if (end != v && *end == '\0' && n > 0)
      return n > kMaxThreads ? kMaxThreads : int(n);
  }
  int n = cpusAvailable();
  return n > kMaxThreads ? kMaxThreads : n;
}

/// One job at a time. The caller writes the job's fields, then publishes
/// it with one store of `job`: the job's number and its part count in one
/// word, so a worker that missed jobs (it had no part in them) reads a
/// consistent pair. Worker w (1 .. parts-1) runs part w, the caller part
/// 0; the fields do not change until every part is done.
struct Pool {
  std::atomic<int> threads{0}; // wanted; 0 until first asked
  int started = 0;             // workers running (threads - 1 at most)
  std::atomic<bool> busy{false};

  // The job.
  Task task = nullptr;
  void *ctx = nullptr;
  int64_t lo = 0, hi = 0;
  int parts = 0;
  unsigned csr = 0;
  std::atomic<uint64_t> job{0}; // number << 16 | parts
  uint64_t jobAtStart[kMaxThreads] = {};
  pthread_t workers[kMaxThreads];
  std::atomic<bool> stopping{false};
  std::atomic<int> pending{0};

  // Sleeping workers wait here for the next job.
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
  std::atomic<int> sleepers{0};
};

Pool pool;
thread_local bool insideParallel = false;

// NNC_PARALLEL_TRACE=1: at exit, how many kernels ran split between
// threads (the tests check that the parallel path was taken).
std::atomic<long> splitJobs{0};
std::atomic<int> mostParts{1}; // the workers may be joined before the report

void printTrace() {
  std::fprintf(stderr, "nnc: %ld parallel kernels split between %d threads\n",
               splitJobs.load(), mostParts.load());
}

bool tracing() {
  static const bool on = [] {
    const char *v = std::getenv("NNC_PARALLEL_TRACE");
    bool set = v && *v && std::strcmp(v, "0") != 0;
    if (set)
      std::atexit(printTrace);
    return set;
  }();
  return on;
}

int wantedThreads() {
  int t = pool.threads.load(std::memory_order_relaxed);
  if (t == 0) {
    int d = defaultThreads();
    // Another thread may have set it meanwhile; its value wins.
    if (!pool.threads.compare_exchange_strong(t, d))
      return t;
    return d;
  }
  return t;
}

void runPart(int part) {
  int64_t n = pool.hi - pool.lo;
  int64_t begin = pool.lo + n * part / pool.parts;
  int64_t end = pool.lo + n * (part + 1) / pool.parts;
  if (begin < end)
    pool.task(pool.ctx, begin, end);
}

void *worker(void *arg) {
  int self = int(reinterpret_cast<intptr_t>(arg));
  insideParallel = true;
  // The job published when this worker was created, which it must not
  // run; not pool.job now, which may already be the job it was made for.
  uint64_t seen = pool.jobAtStart[self];
  for (;;) {
    // Wait for the next job: spin, then sleep. (Sequentially consistent
    // `job` and `sleepers`: either the caller sees this worker asleep and
    // wakes it, or the worker sees the new job before it sleeps.)
    int64_t spinUntil = nowNanoseconds() + kSpinNanoseconds;
    uint64_t j;
    for (int i = 0;; ++i) {
      j = pool.job.load();
      if (j != seen)
        break;
      if ((i & 255) == 255 && nowNanoseconds() > spinUntil) {
        pthread_mutex_lock(&pool.mutex);
        pool.sleepers.fetch_add(1);
        while ((j = pool.job.load()) == seen)
          pthread_cond_wait(&pool.wake, &pool.mutex);
        pool.sleepers.fetch_sub(1);
        pthread_mutex_unlock(&pool.mutex);
        break;
      }
      pause();
    }
    seen = j;
    if (pool.stopping.load())
      return nullptr;
    if (self < int(j & 0xffff)) {
#ifdef NNC_HAVE_MXCSR
      unsigned saved = _mm_getcsr();
      _mm_setcsr(pool.csr);
#endif
      int64_t mark = nnc_scratch_mark();
      runPart(self);
      nnc_scratch_release(mark);
#ifdef NNC_HAVE_MXCSR
      _mm_setcsr(saved);
#endif
      pool.pending.fetch_sub(1, std::memory_order_release);
    }
  }
  return nullptr;
}

/// Starts workers up to `wanted - 1`; false when none could be started.
bool ensureWorkers(int wanted) {
  while (pool.started < wanted - 1) {
    int id = pool.started + 1;
    pool.jobAtStart[id] = pool.job.load();
    if (pthread_create(&pool.workers[id], nullptr, worker,
                       reinterpret_cast<void *>(intptr_t(id))) != 0)
      break;
    ++pool.started;
  }
  return pool.started > 0;
}

/// Stops and joins the workers when the program exits or, for a `--shared`
/// library, when it is unloaded: a worker must not be running (or spinning
/// in) code that dlclose unmaps.
__attribute__((destructor)) void stopWorkers() {
  if (pool.started == 0)
    return;
  pool.stopping.store(true);
  pool.job.store(pool.job.load() + (uint64_t(1) << 16));
  pthread_mutex_lock(&pool.mutex);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mutex);
  for (int i = 1; i <= pool.started; ++i)
    pthread_join(pool.workers[i], nullptr);
  pool.started = 0;
}

} // namespace

extern "C" {

/// Runs task(ctx, a, b) over a partition of [lo, hi) into contiguous
/// parts, one per thread, and returns when all are done. Serial (one call
/// of the whole range) with one thread, inside another parallel kernel, or
/// while another thread of the process has the pool.
void nnc_parallel_for(Task task, void *ctx, int64_t lo, int64_t hi) {
  int64_t n = hi - lo;
  int threads = wantedThreads();
  (void)tracing(); // registers the report at the first kernel
  if (n <= 1 || threads <= 1 || insideParallel || pool.stopping.load()) {
    task(ctx, lo, hi);
    return;
  }
  bool expected = false;
  if (!pool.busy.compare_exchange_strong(expected, true,
                                         std::memory_order_acquire)) {
    task(ctx, lo, hi);
    return;
  }
  if (!ensureWorkers(threads)) {
    pool.busy.store(false, std::memory_order_release);
    task(ctx, lo, hi);
    return;
  }
  int parts = pool.started + 1 < threads ? pool.started + 1 : threads;
  if (n < parts)
    parts = int(n);
  if (tracing()) {
    splitJobs.fetch_add(1, std::memory_order_relaxed);
    if (parts > mostParts.load())
      mostParts.store(parts);
  }
  pool.task = task;
  pool.ctx = ctx;
  pool.lo = lo;
  pool.hi = hi;
  pool.parts = parts;
#ifdef NNC_HAVE_MXCSR
  pool.csr = _mm_getcsr();
#endif
  pool.pending.store(parts - 1, std::memory_order_relaxed);
  uint64_t number = (pool.job.load(std::memory_order_relaxed) >> 16) + 1;
  pool.job.store(number << 16 | uint64_t(parts));
  if (pool.sleepers.load() > 0) {
    pthread_mutex_lock(&pool.mutex);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mutex);
  }
  insideParallel = true;
  runPart(0);
  insideParallel = false;
  while (pool.pending.load(std::memory_order_acquire) > 0)
    pause();
  pool.busy.store(false, std::memory_order_release);
}

/// The thread count for the next parallel kernels (0: the default,
/// NNC_NUM_THREADS or the CPU count). Workers already started stay, idle
/// when fewer are wanted.
void nnc_parallel_set_threads(int64_t n) {
  if (n <= 0)
    n = defaultThreads();
  pool.threads.store(n > kMaxThreads ? kMaxThreads : int(n));
}

int64_t nnc_parallel_threads(void) { return wantedThreads(); }

} // extern "C"
