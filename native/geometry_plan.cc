// Chunk and block geometry; see geometry_plan.h.
#include "geometry_plan.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "chunk.h"

namespace blosc2_node {

namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Every divisor of n, ascending.
std::vector<int64_t> Divisors(int64_t n) {
  std::vector<int64_t> low, high;
  for (int64_t i = 1; i <= n / i; i++) {
    if (n % i != 0) continue;
    low.push_back(i);
    if (i != n / i) high.push_back(n / i);
  }
  low.insert(low.end(), high.rbegin(), high.rend());
  return low;
}

double Distance(double a, double b) { return a >= b ? a / b : b / a; }

// A padded chunk holds at most this many blocks, so that only a few blocks'
// worth of a long axis goes through the bounce copy its edge chunk needs.
constexpr int64_t kPaddedChunkBlocks = 32;
// An N-d geometry may make the array this much larger than its bytes in 1-D
// would be (by the sample's estimate) to save a bounce copy or a lone block.
constexpr double kSizeSlack = 1.03;
// Padding that a block near the 1-D one may take without weighing: 1% of the
// axis (stored as such only where the data does not compress).
constexpr double kNearPadding = 0.01;

// One layout: chunks of `chunk` items along axis k, blocks of `block` items
// along the block axis, and what it implies.
struct Layout {
  int k = 0;
  int64_t chunk = 1, block = 1;
  int64_t pad = 0;     // items of padding along the block axis, per row
  double bounced = 0;  // the edge chunk (bounced whole), as a fraction of the axis
  int64_t blocksPerChunk = 1;
};

// Equal chunks that tile an axis of ext items exactly (at most limit each), in
// blocks that tile the chunk: the one whose block is nearest t within [lo, hi].
bool ExactTiling(int64_t ext, int64_t limit, double t, double lo, double hi, int64_t* chunk, int64_t* block) {
  int64_t minChunks = CeilDiv(ext, limit);
  for (int64_t nc = minChunks; nc < minChunks + 16 && nc <= ext; nc++) {
    if (ext % nc != 0) continue;
    int64_t even = ext / nc, best = 0;
    for (int64_t d : Divisors(even)) {
      if (d >= lo && d <= hi && (best == 0 || Distance(static_cast<double>(d), t) <= Distance(static_cast<double>(best), t))) best = d;
    }
    if (best > 0) {
      *chunk = even;
      *block = best;
      return true;
    }
  }
  return false;
}

// Equal blocks of about t items padding an axis of ext items (fewer than
// one item of padding per block), as many to a chunk as limit allows (all
// where the axis fits; at most kPaddedChunkBlocks unless storing).
Layout Padded(int k, int64_t ext, int64_t limit, int64_t nb, bool store) {
  Layout l;
  l.k = k;
  l.block = CeilDiv(ext, std::max<int64_t>(1, nb));
  int64_t blocks = CeilDiv(ext, l.block);
  l.pad = blocks * l.block - ext;
  int64_t perChunk = limit >= ext ? blocks : std::max<int64_t>(1, std::min(blocks, limit / l.block));
  if (!store) perChunk = std::min(perChunk, kPaddedChunkBlocks);
  // Chunks of equal block counts: the edge chunk, copied through a bounce
  // buffer whole (its padding zeroed, compressed and decoded too), holds as
  // little padding as the blocks allow.
  perChunk = CeilDiv(blocks, CeilDiv(blocks, perChunk));
  l.chunk = perChunk * l.block;
  l.blocksPerChunk = perChunk;
  int64_t lastValid = ext - (CeilDiv(ext, l.chunk) - 1) * l.chunk;
  l.bounced = lastValid < l.chunk ? static_cast<double>(l.chunk) / static_cast<double>(ext) : 0;
  return l;
}

// 1-D arrays: blocks near C-Blosc2's target; chunks that tile the array
// exactly where a divisor allows, else equal padded blocks.
void ChooseFlat(Geometry* g, int64_t blockBytes, int64_t chunkBytes, bool store) {
  const int64_t n = g->shape[0];
  const double t = std::min(static_cast<double>(n), std::max(1.0, static_cast<double>(blockBytes) / g->typesize));
  const int64_t limit = std::max<int64_t>(1, std::min(n, chunkBytes / g->typesize));
  int64_t chunk = 0, block = 0;
  if (!ExactTiling(n, limit, t, t / 2, 2 * t, &chunk, &block)) {
    Layout l = Padded(0, n, limit, std::max<int64_t>(1, std::llround(static_cast<double>(n) / t)), store);
    chunk = l.chunk;
    block = l.block;
  }
  g->chunkshape[0] = static_cast<int32_t>(chunk);
  g->blockshape[0] = static_cast<int32_t>(block);
}

}  // namespace

void ChooseGeometry(Geometry* g, int64_t blockBytes, int64_t chunkBytes, const SampleCompression& sample) {
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
  // Stored arrays (clevel 0) stay one chunk where they can, to be viewed in place.
  const bool store = chunkBytes > kChunkTargetBytes;
  if (nd == 1) return ChooseFlat(g, blockBytes, chunkBytes, store);

  // step[i]: bytes of one step along axis i (the product of later extents).
  int64_t step[BLOSC2_MAX_DIM] = {};
  int64_t total = g->typesize;
  for (int i = nd - 1; i >= 0; i--) {
    step[i] = total;
    total *= g->shape[i];
  }
  const int64_t* s = g->shape;

  // The block to match: the one the same bytes get as a 1-D array.
  Geometry flat;
  flat.ndim = 1;
  flat.typesize = g->typesize;
  flat.shape[0] = total / g->typesize;
  ChooseFlat(&flat, blockBytes, chunkBytes, store);
  const int64_t target = static_cast<int64_t>(flat.blockshape[0]) * g->typesize;

  // Block axis j: the first whose step fits in that block; t its extent there.
  int j = 0;
  while (j < nd - 1 && step[j] > target) j++;
  const double t = std::min(static_cast<double>(s[j]), static_cast<double>(target) / static_cast<double>(step[j]));
  const int64_t rows = total / (s[j] * step[j]);  // rows of axis j (the product of earlier extents)

  // Chunk axis k0 <= j: the whole array if it fits, else the first axis whose step fits.
  int k0 = 0;
  int64_t ck0 = s[0];
  if (total > chunkBytes) {
    while (k0 < j && step[k0] > chunkBytes) k0++;
    ck0 = std::max<int64_t>(1, std::min(s[k0], chunkBytes / step[k0]));
  }
  const int64_t limit = std::max<int64_t>(1, std::min(s[j], chunkBytes / step[j]));

  std::vector<Layout> layouts;
  if (k0 < j) {
    // Chunks span axis j whole: blocks must divide it.
    for (int64_t d : Divisors(s[j])) {
      Layout l;
      l.k = k0;
      l.chunk = ck0;
      l.block = d;
      l.blocksPerChunk = ck0 * step[k0] / (d * step[j]);
      layouts.push_back(l);
    }
  }
  // Chunks along axis j (for k0 < j: slices of its rows), tiling it exactly...
  int64_t chunk = 0, block = 0;
  if (ExactTiling(s[j], limit, t, t / 4, 4 * t, &chunk, &block)) {
    Layout l;
    l.k = j;
    l.chunk = chunk;
    l.block = block;
    l.blocksPerChunk = chunk / block;
    layouts.push_back(l);
  }
  // ... or in equal blocks that pad it (or tile it, by another route; never
  // none: nb = 1 is always a layout).
  int64_t around = std::max<int64_t>(1, std::llround(static_cast<double>(s[j]) / t));
  for (int64_t nb = std::max<int64_t>(1, around - 32); nb <= std::min(s[j], around + 32); nb++) {
    layouts.push_back(Padded(j, s[j], limit, nb, store));
  }

  // A layout whose blocks are the 1-D block or up to half again as large
  // compresses as well: take one without padding (the nearest), else one that
  // pads the axis by at most kNearPadding (the least bounce copying).
  auto blockBytesOf = [&](const Layout& l) { return static_cast<double>(l.block * step[j]); };
  const Layout* pick = nullptr;
  for (int pass = 0; pass < 2 && !pick; pass++) {
    for (const Layout& l : layouts) {
      double bytes = blockBytesOf(l);
      if (bytes < target || bytes > 1.5 * target) continue;
      if (pass == 0 ? l.pad > 0 || l.bounced > 0 : static_cast<double>(l.pad) > kNearPadding * static_cast<double>(s[j])) continue;
      if (!pick || l.bounced < pick->bounced ||
          (l.bounced == pick->bounced &&
           Distance(bytes, static_cast<double>(target)) < Distance(blockBytesOf(*pick), static_cast<double>(target)))) {
        pick = &l;
      }
    }
  }
  if (!pick) {
    // Else weigh them by a sample of the data: how its compressed size grows
    // with smaller blocks (a codec starts afresh in each) and with larger ones
    // (BloscLZ finds fewer matches), and how much padding would be stored.
    // Among the layouts estimated within kSizeSlack of the 1-D size, the one
    // with the least extra work: bounce copies, lone blocks, oversize blocks.
    SampleSizes f = sample ? sample(target) : SampleSizes{};
    auto size = [&](const Layout& l) {
      double b = blockBytesOf(l), r = static_cast<double>(target);
      double perByte =
          b <= r ? f.atTarget + (f.atHalf - f.atTarget) * (r / b - 1) : f.atTarget * (1 + (f.atDouble / f.atTarget - 1) * std::log2(b / r));
      // Each block also carries its start and its streams' lengths (4 bytes each).
      double headers = static_cast<double>(rows * CeilDiv(s[j], l.block)) * 4 * (1 + g->typesize);
      return perByte * static_cast<double>(total) + f.atTarget * static_cast<double>(rows * l.pad * step[j]) + headers;
    };
    // Work against the 1-D layout's: bounce copies (a memcpy costs about a
    // third of compressing the same bytes), chunks of one block (one thread),
    // blocks far larger than the target (few threads, out of cache), and each
    // block's fixed cost (about that of compressing 4 KB).
    auto work = [&](const Layout& l) {
      double b = blockBytesOf(l);
      double w = 1 + 0.3 * l.bounced + 4096.0 / b + 0.01 * std::fabs(std::log2(b / static_cast<double>(target)));
      if (l.blocksPerChunk < 2 && total > 2 * target) w += 0.5;
      if (b > 2.0 * target) w += 0.2 * std::log2(b / (2.0 * target));
      return w;
    };
    const double flatSize =
        f.atTarget * static_cast<double>(total) + std::ceil(static_cast<double>(total) / target) * 4 * (1 + g->typesize);
    for (const Layout& l : layouts) {
      double bytes = blockBytesOf(l);
      if ((bytes < target / 8.0 || bytes > 16.0 * target) && bytes != static_cast<double>(total)) continue;
      bool fits = size(l) <= kSizeSlack * flatSize;
      bool pickFits = pick && size(*pick) <= kSizeSlack * flatSize;
      if (!pick || (fits && !pickFits) || (fits == pickFits && (fits ? work(l) < work(*pick) : size(l) < size(*pick)))) pick = &l;
    }
    if (!pick) pick = &layouts.front();
  }
  const int k = pick->k;
  const int64_t ck = pick->chunk, bj = pick->block;
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
