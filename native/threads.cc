// Threads per call and the process's thread budget; see threads.h.
#include "threads.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace blosc2_node {

namespace {

// A thread of a call is only worth waking for this many bytes of its own: the
// rule's one constant, measured (README, "Threads by size"). C-Blosc2 hands
// out whole blocks, so a call never gets more threads than it has blocks.
constexpr size_t kBytesPerThread = 256 * 1024;

std::atomic<int> g_held{0};    // threads granted and not given back
std::atomic<int> g_calls{0};   // calls holding a grant
std::atomic<int> g_queued{0};  // async jobs queued, not started

// How many async jobs run at once: the libuv pool's size (libuv reads the
// same variable once, when its pool starts; default 4, at most 1024).
int UvPoolSize() {
  static const int size = [] {
    const char* v = std::getenv("UV_THREADPOOL_SIZE");
    int n = v ? std::atoi(v) : 0;
    return n > 0 ? std::min(n, 1024) : 4;
  }();
  return size;
}

}  // namespace

int ThreadsBySize(size_t nbytes, size_t blockBytes, int max) {
  if (max <= 1) return 1;
  size_t blocks = blockBytes > 0 ? (nbytes + blockBytes - 1) / blockBytes : 1;
  size_t worth = std::min(blocks, nbytes / kBytesPerThread);
  return static_cast<int>(std::max<size_t>(1, std::min(worth, static_cast<size_t>(max))));
}

int CpuBudget() {
  static const int cpus = [] {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
      int n = CPU_COUNT(&set);
      if (n > 0) return n;
    }
#endif
    unsigned n = std::thread::hardware_concurrency();
    return n > 0 ? static_cast<int>(n) : 1;
  }();
  return cpus;
}

ThreadGrant::ThreadGrant(const ThreadRequest& req, size_t nbytes, size_t blockBytes) {
  int calls = g_calls.fetch_add(1) + 1;
  if (!req.bySize) {
    // C-Blosc2 gives each thread whole blocks: threads past the block count
    // would only be started and wait.
    size_t blocks = blockBytes > 0 ? (nbytes + blockBytes - 1) / blockBytes : 1;
    count_ = static_cast<int>(std::max<size_t>(1, std::min(blocks, static_cast<size_t>(std::max(1, req.count)))));
  } else {
    int want = ThreadsBySize(nbytes, blockBytes, req.count);
    int budget = CpuBudget();
    // The calls that will run beside this one: those holding threads, and the
    // queued async jobs the libuv pool will start while this one runs.
    int beside = calls + std::min(g_queued.load(), std::max(0, UvPoolSize() - calls));
    int share = (budget + beside - 1) / beside;
    int left = budget - g_held.load();
    count_ = std::max(1, std::min({want, share, left}));
  }
  g_held.fetch_add(count_);
}

ThreadGrant::~ThreadGrant() {
  g_held.fetch_sub(count_);
  g_calls.fetch_sub(1);
}

QueuedCall::QueuedCall() { g_queued.fetch_add(1); }

void QueuedCall::Start() {
  if (counted_) g_queued.fetch_sub(1);
  counted_ = false;
}

}  // namespace blosc2_node
