// Chunk and block geometry; see geometry_plan.h.
#include "geometry_plan.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "chunk.h"

namespace blosc2_node {

namespace {

#if defined(__wasi__)
// WebAssembly (native/wasm/): one thread, and a libc++ without std::mutex.
struct CacheMutex {
  void lock() {}
  void unlock() {}
};
#else
using CacheMutex = std::mutex;
#endif

// C-Blosc2 picks a block size from the codec, level, type size and filters
// when it compresses; a b2nd frame must fix one up front, so ask C-Blosc2 what
// it would pick for a large input (compressing zeros is cheap, and the answer
// is cached per parameter set).
constexpr int32_t kBlocksizeProbeBytes = 8 << 20;
constexpr int32_t kFallbackBlockBytes = 256 * 1024;

int32_t AskBlocksize(blosc2_cparams cp) {
  cp.blocksize = 0;
  cp.nthreads = 1;
  std::vector<uint8_t> zeros(kBlocksizeProbeBytes, 0);
  std::vector<uint8_t> out(CompressBound(kBlocksizeProbeBytes));
  int32_t cbytes = 0;
  if (DoCompress(cp, View{zeros.data(), zeros.size()}, out.data(), out.size(), &cbytes).code) return -1;
  int32_t nb = 0, cb = 0, bs = 0;
  blosc2_cbuffer_sizes(out.data(), &nb, &cb, &bs);
  return bs;
}

// The largest divisor of n in [lo, hi], or 0 when there is none; divisors
// avoid padding, and padding costs a bounce copy of the edge chunk.
int64_t DivisorIn(int64_t n, int64_t lo, int64_t hi) {
  for (int64_t d = std::min(hi, n); d >= std::max<int64_t>(1, lo); d--) {
    if (n % d == 0) return d;
  }
  return 0;
}

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

int32_t BlockTarget(const blosc2_cparams& cp) {
  if (cp.blocksize > 0) return cp.blocksize;
  using Key = std::tuple<int, int, int32_t, int32_t, std::vector<uint8_t>>;
  static CacheMutex mutex;
  static std::map<Key, int32_t> cache;
  std::vector<uint8_t> pipeline(cp.filters, cp.filters + BLOSC2_MAX_FILTERS);
  pipeline.insert(pipeline.end(), cp.filters_meta, cp.filters_meta + BLOSC2_MAX_FILTERS);
  Key key{cp.compcode, cp.clevel, cp.typesize, cp.splitmode, pipeline};
  {
    std::lock_guard<CacheMutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  int32_t asked = AskBlocksize(cp);
  int32_t b = asked > 0 ? asked : kFallbackBlockBytes;
  std::lock_guard<CacheMutex> lock(mutex);
  cache.emplace(key, b);
  return b;
}

void ChooseGeometry(Geometry* g, int64_t blockBytes, int64_t chunkBytes) {
  const int nd = g->ndim;
  if (nd == 0) return;
  bool empty = false;
  for (int i = 0; i < nd; i++) empty = empty || g->shape[i] == 0;
  if (empty) {
    for (int i = 0; i < nd; i++) {
      g->chunkshape[i] = static_cast<int32_t>(std::max<int64_t>(1, g->shape[i]));
      g->blockshape[i] = 1;
    }
    return;
  }
  // step[i]: bytes of one step along axis i (the product of later extents).
  int64_t step[BLOSC2_MAX_DIM] = {};
  int64_t total = g->typesize;
  for (int i = nd - 1; i >= 0; i--) {
    step[i] = total;
    total *= g->shape[i];
  }
  const int64_t* s = g->shape;

  // Block axis j: the first whose step fits in a block.
  int j = 0;
  while (j < nd - 1 && step[j] > blockBytes) j++;
  int64_t bj = std::max<int64_t>(1, std::min(s[j], blockBytes / step[j]));

  // Chunk axis k <= j: the whole array if it fits, else the first axis whose step fits.
  int k = 0;
  int64_t ck = s[0];
  if (total > chunkBytes) {
    while (k < j && step[k] > chunkBytes) k++;
    ck = std::max<int64_t>(1, std::min(s[k], chunkBytes / step[k]));
    if (k == j) {
      // Equal chunks that tile axis k exactly, with blocks that tile the
      // chunks, need no padding and so no bounce copy: look for a chunk count
      // near the minimum that divides the axis.
      int64_t minChunks = CeilDiv(s[k], ck);
      for (int64_t nc = minChunks; nc < minChunks + 16 && nc <= s[k]; nc++) {
        if (s[k] % nc != 0) continue;
        int64_t even = s[k] / nc;
        int64_t d = DivisorIn(even, CeilDiv(bj, 2), bj);
        if (d > 0) {
          ck = even;
          bj = d;
          break;
        }
      }
    }
  }
  if (k < j) {
    // The chunk spans axis j whole, so blocks must divide it exactly.
    bj = DivisorIn(s[j], 1, bj);
  } else {
    // Same axis: prefer a block that divides the chunk extent, else round the chunk up.
    int64_t d = DivisorIn(ck, CeilDiv(bj, 2), bj);
    if (d > 0) {
      bj = d;
    } else {
      ck = CeilDiv(ck, bj) * bj;
    }
  }
  for (int i = 0; i < nd; i++) {
    g->chunkshape[i] = static_cast<int32_t>(i < k ? 1 : i == k ? ck : s[i]);
    g->blockshape[i] = static_cast<int32_t>(i < j ? 1 : i == j ? bj : s[i]);
  }
}

bool ContiguousPlan(const Geometry& g, ChunkPlan* p) {
  int nd = g.ndim;
  if (nd == 0) {
    p->nchunks = 1;
    return true;
  }
  for (int i = 0; i < nd; i++) {
    if (g.chunkshape[i] <= 0 || g.blockshape[i] <= 0 || g.blockshape[i] > g.chunkshape[i]) return false;
  }
  for (int i = 0; i < nd; i++) {
    // An empty array has no chunks: any (positive) geometry describes it.
    if (g.shape[i] == 0) {
      p->chunkItems = 1;
      for (int j = 0; j < nd; j++) {
        if (__builtin_mul_overflow(p->chunkItems, static_cast<int64_t>(g.chunkshape[j]), &p->chunkItems)) return false;
      }
      p->nchunks = 0;
      return true;
    }
  }
  int k = 0;
  // Leading axes of chunk extent 1 (any shape), one split axis, then full axes.
  for (k = 0; k < nd; k++) {
    if (g.chunkshape[k] != 1) break;
  }
  if (k == nd) k = nd - 1;
  for (int i = k + 1; i < nd; i++) {
    if (g.chunkshape[i] != g.shape[i]) return false;
  }
  // Blocks must tile the chunk in C order: (1, .., 1, b_j, full..) with j >= k
  // and no padding between blocks.
  int j = 0;
  for (j = 0; j < nd; j++) {
    if (g.blockshape[j] != 1) break;
  }
  if (j == nd) j = nd - 1;
  if (j < k) return false;
  for (int i = j + 1; i < nd; i++) {
    if (g.blockshape[i] != g.chunkshape[i]) return false;
  }
  if (g.blockshape[j] <= 0 || g.chunkshape[j] % g.blockshape[j] != 0) return false;
  // A frame's metalayer can claim any extents: refuse negative ones and any
  // product that overflows (signed overflow is UB; found by fuzz_frame).
  for (int i = 0; i < nd; i++) {
    if (g.shape[i] < 0 || g.chunkshape[i] <= 0) return false;
  }
  p->k = k;
  p->inner = 1;
  for (int i = k + 1; i < nd; i++) {
    if (__builtin_mul_overflow(p->inner, g.shape[i], &p->inner)) return false;
  }
  if (__builtin_mul_overflow(static_cast<int64_t>(g.chunkshape[k]), p->inner, &p->chunkItems)) return false;
  int64_t outer = 1;
  for (int i = 0; i < k; i++) {
    if (__builtin_mul_overflow(outer, g.shape[i], &outer)) return false;
  }
  p->perRow = g.shape[k] == 0 ? 0 : (g.shape[k] - 1) / g.chunkshape[k] + 1;
  if (__builtin_mul_overflow(outer, p->perRow, &p->nchunks)) return false;
  return true;
}

void ChunkSpan(const Geometry& g, const ChunkPlan& p, int64_t n, int64_t* start, int64_t* valid) {
  if (g.ndim == 0) {
    *start = 0;
    *valid = 1;
    return;
  }
  int64_t row = n / p.perRow, m = n % p.perRow;
  int64_t along = static_cast<int64_t>(g.chunkshape[p.k]) * m;
  int64_t extent = std::min<int64_t>(g.chunkshape[p.k], g.shape[p.k] - along);
  *start = (row * g.shape[p.k] + along) * p.inner;
  *valid = extent * p.inner;
}

}  // namespace blosc2_node
