// How many threads a C-Blosc2 call runs on: the caller's count when it gave
// one, else a count chosen by the call's size (the rule, in threads.cc), in
// both cases drawn from one budget per process so that concurrent calls (the
// libuv pool, worker threads) share the cores instead of oversubscribing them.
#pragma once

#include <cstddef>

namespace blosc2_node {

// What the caller asked for: exactly `count` threads, or (bySize) as many as
// the call's size is worth, at most `count`.
struct ThreadRequest {
  int count = 1;
  bool bySize = true;
};

// The rule: threads worth running on a call over nbytes in blocks of
// blockBytes, at most max.
int ThreadsBySize(size_t nbytes, size_t blockBytes, int max);

// CPUs this process may run on (its affinity mask): the budget.
int CpuBudget();

// Threads taken from the budget for one call, given back when it ends. An
// exact request gets its count (no more than the call has blocks); a by-size request gets the rule's count, no
// more than the budget left nor its share among the calls in flight (queued
// async jobs included, as many as the libuv pool runs at once), and at least one.
class ThreadGrant {
 public:
  ThreadGrant(const ThreadRequest& req, size_t nbytes, size_t blockBytes);
  ~ThreadGrant();
  ThreadGrant(const ThreadGrant&) = delete;
  ThreadGrant& operator=(const ThreadGrant&) = delete;
  int count() const { return count_; }

 private:
  int count_ = 1;
};

// Counts an async job from the moment it is queued until it starts (Start) or
// is dropped: a call that will soon want threads too.
class QueuedCall {
 public:
  QueuedCall();
  ~QueuedCall() { Start(); }
  QueuedCall(const QueuedCall&) = delete;
  QueuedCall& operator=(const QueuedCall&) = delete;
  void Start();

 private:
  bool counted_ = true;
};

}  // namespace blosc2_node
