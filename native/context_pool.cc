// The cache of C-Blosc2 contexts; see context_pool.h.
//
// Why a context may serve many calls (C-Blosc2 2.17.1, blosc/blosc2.c): each
// blosc2_compress_ctx / blosc2_decompress_ctx call sets the context up afresh
// from its arguments (initialize_context_compression) or from the chunk's
// header (initialize_context_decompression). What carries over is what is
// worth keeping: the thread pool, each thread's scratch (grown when a larger
// block comes), the serial scratch (rebuilt when the block size changes), and
// the codecs' own states (zstd contexts, made to be reused). One field carries
// over that changes results: the block size. stune.c stores the size it
// picked in the context and takes a stored size as the caller's on the next
// call, capped at that call's input. So compression contexts are made with an
// explicit block size, and one whose block size a call changed (an input
// shorter than a block) is freed instead of kept. After an error a context is
// freed: C-Blosc2 makes no promise about it. Chunks with a zstd dictionary
// never meet a cached context (chunk.cc: C-Blosc2 2.17.1 keeps a context's
// dictionary state across calls, and can leave it freed).
//
// Bounds: at most kMaxIdle idle contexts and kMaxIdleThreadsPerCpu threads per
// CPU among them (the least recently used go first), each freed after
// kIdleMs unused by a reaper thread, and all freed when an environment that
// loaded the addon ends. BLOSC2_CONTEXT_POOL=0 turns reuse off (for A/B runs).
#include "context_pool.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "threads.h"

namespace blosc2_node {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxIdle = 64;
constexpr int kMaxIdleThreadsPerCpu = 2;
constexpr auto kIdle = std::chrono::milliseconds(1000);

enum : int32_t { kCompress = 1, kDecompress = 2 };
// Where the fields sit in a ContextKey.
enum KeyField { kKind = 0, kThreads = 1, kBlocksize = 2, kTypesize = 3 };

struct Idle {
  ContextKey key;
  blosc2_context* ctx;
  int threads;
  Clock::time_point since;
};

bool Enabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("BLOSC2_CONTEXT_POOL");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return enabled;
}

class Pool {
 public:
  // An idle context made with key (the most recently used), or nullptr.
  blosc2_context* Take(const ContextKey& key) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = idle_.size(); i-- > 0;) {
      if (idle_[i].key == key) {
        blosc2_context* ctx = idle_[i].ctx;
        idleThreads_ -= idle_[i].threads;
        idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
        stats_.reused++;
        return ctx;
      }
    }
    return nullptr;
  }

  void Created() {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.created++;
  }

  void Put(const ContextKey& key, blosc2_context* ctx, int threads) {
    std::vector<blosc2_context*> evicted;
    {
      std::lock_guard<std::mutex> lock(mu_);
      idle_.push_back({key, ctx, threads, Clock::now()});
      idleThreads_ += threads;
      const int maxThreads = kMaxIdleThreadsPerCpu * CpuBudget();
      while (idle_.size() > kMaxIdle || (idleThreads_ > maxThreads && idle_.size() > 1)) {
        evicted.push_back(idle_.front().ctx);
        idleThreads_ -= idle_.front().threads;
        idle_.erase(idle_.begin());
        stats_.evicted++;
      }
      if (!reaper_.joinable()) reaper_ = std::thread([this] { Reap(); });
      cv_.notify_one();
    }
    for (blosc2_context* c : evicted) blosc2_free_ctx(c);
  }

  void Discarded() {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.discarded++;
  }

  void Drain(bool stop) {
    std::vector<Idle> all;
    std::thread reaper;
    {
      std::lock_guard<std::mutex> lock(mu_);
      all.swap(idle_);
      idleThreads_ = 0;
      if (stop && reaper_.joinable()) {
        stopping_ = true;
        reaper = std::move(reaper_);
        cv_.notify_one();
      }
    }
    if (reaper.joinable()) {
      reaper.join();
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = false;
    }
    for (const Idle& e : all) blosc2_free_ctx(e.ctx);
  }

  ContextPoolStats Stats() {
    std::lock_guard<std::mutex> lock(mu_);
    ContextPoolStats s = stats_;
    s.idle = static_cast<uint32_t>(idle_.size());
    s.idleThreads = static_cast<uint32_t>(idleThreads_);
    s.enabled = Enabled();
    return s;
  }

 private:
  // Frees the contexts left idle for kIdle; sleeps while there are none.
  void Reap() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      if (idle_.empty()) {
        cv_.wait(lock);
        continue;
      }
      cv_.wait_for(lock, kIdle);
      Clock::time_point cutoff = Clock::now() - kIdle;
      std::vector<blosc2_context*> old;
      for (size_t i = 0; i < idle_.size();) {
        if (idle_[i].since <= cutoff) {
          old.push_back(idle_[i].ctx);
          idleThreads_ -= idle_[i].threads;
          idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
          stats_.evicted++;
        } else {
          i++;
        }
      }
      if (old.empty()) continue;
      lock.unlock();
      for (blosc2_context* c : old) blosc2_free_ctx(c);
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Idle> idle_;  // oldest first
  int idleThreads_ = 0;
  std::thread reaper_;
  bool stopping_ = false;
  ContextPoolStats stats_;
};

// Never destroyed: contexts may be given back by pool threads while the
// process exits, and a joinable std::thread must not be destroyed.
Pool& ThePool() {
  static Pool* pool = new Pool;
  return *pool;
}

}  // namespace

void PooledContext::Release() {
  if (ctx_ == nullptr) return;
  if (pooled_ && keep_ && key_[kKind] == kCompress) {
    blosc2_cparams now;
    blosc2_ctx_get_cparams(ctx_, &now);
    keep_ = now.blocksize == key_[kBlocksize] && now.typesize == key_[kTypesize];
  }
  if (pooled_ && keep_) {
    ThePool().Put(key_, ctx_, threads_);
  } else {
    if (pooled_) ThePool().Discarded();
    blosc2_free_ctx(ctx_);
  }
  ctx_ = nullptr;
}

PooledContext AcquireCompression(const blosc2_cparams& cp) {
  PooledContext lease;
  ContextKey& k = lease.key_;
  k[kKind] = kCompress;
  k[kThreads] = cp.nthreads;
  k[kBlocksize] = cp.blocksize;
  k[kTypesize] = cp.typesize;
  k[4] = cp.compcode;
  k[5] = cp.compcode_meta;
  k[6] = cp.clevel;
  k[7] = cp.splitmode;
  k[8] = cp.use_dict;
  for (int i = 0; i < BLOSC2_MAX_FILTERS; i++) {
    k[static_cast<size_t>(9 + i)] = cp.filters[i];
    k[static_cast<size_t>(9 + BLOSC2_MAX_FILTERS + i)] = cp.filters_meta[i];
  }
  lease.threads_ = std::max<int>(1, cp.nthreads);
  // Reuse needs an explicit block size, and nothing of the caller's own
  // (prefilters, tuners, dictionaries, a super-chunk) that this key misses.
  bool reusable = Enabled() && cp.blocksize > 0 && cp.prefilter == nullptr && cp.tuner_id == 0 && !cp.use_dict && cp.schunk == nullptr;
  lease.ctx_ = reusable ? ThePool().Take(k) : nullptr;
  if (lease.ctx_ == nullptr) {
    lease.ctx_ = blosc2_create_cctx(cp);
    if (reusable) ThePool().Created();
  }
  lease.pooled_ = reusable && lease.ctx_ != nullptr;
  return lease;
}

PooledContext AcquireDecompression(int nthreads) {
  PooledContext lease;
  lease.key_[kKind] = kDecompress;
  lease.key_[kThreads] = nthreads;
  lease.threads_ = std::max(1, nthreads);
  lease.ctx_ = Enabled() ? ThePool().Take(lease.key_) : nullptr;
  if (lease.ctx_ == nullptr) {
    blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
    dp.nthreads = static_cast<int16_t>(nthreads);
    lease.ctx_ = blosc2_create_dctx(dp);
    if (Enabled()) ThePool().Created();
  }
  lease.pooled_ = Enabled() && lease.ctx_ != nullptr;
  return lease;
}

ContextPoolStats GetContextPoolStats() { return ThePool().Stats(); }

void DrainContextPool(bool stop) { ThePool().Drain(stop); }

}  // namespace blosc2_node
