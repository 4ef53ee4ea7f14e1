// threads.h and context_pool.h for the WebAssembly core, in place of
// native/threads.cc and native/context_pool.cc there (scripts/build-wasm.js):
// every call runs on one thread (WASI has no threads here), and each call
// makes its own C-Blosc2 context (a context of one thread costs a couple of
// microseconds to make: nothing a cache, and its reaper thread, would repay).
#include "../context_pool.h"
#include "../threads.h"

namespace blosc2_node {

int ThreadsBySize(size_t, size_t, int) { return 1; }

int CpuBudget() { return 1; }

ThreadGrant::ThreadGrant(const ThreadRequest&, size_t, size_t) {}

ThreadGrant::~ThreadGrant() {}

QueuedCall::QueuedCall() {}

void QueuedCall::Start() { counted_ = false; }

void PooledContext::Release() {
  if (ctx_ != nullptr) blosc2_free_ctx(ctx_);
  ctx_ = nullptr;
}

PooledContext AcquireCompression(const blosc2_cparams& cp) {
  PooledContext lease;
  blosc2_cparams one = cp;
  one.nthreads = 1;
  lease.ctx_ = blosc2_create_cctx(one);
  return lease;
}

PooledContext AcquireDecompression(int) {
  PooledContext lease;
  blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
  dp.nthreads = 1;
  lease.ctx_ = blosc2_create_dctx(dp);
  return lease;
}

ContextPoolStats GetContextPoolStats() {
  ContextPoolStats stats;
  stats.enabled = false;
  return stats;
}

void DrainContextPool(bool) {}

}  // namespace blosc2_node
