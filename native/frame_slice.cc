// Slices of frames; see frame_slice.h.
#include "frame_slice.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace blosc2_node {

namespace {

constexpr int kMaxDim = BLOSC2_MAX_DIM;

Failure Corrupt(const char* what) { return {"ERR_CORRUPT", what}; }

int64_t CeilDiv(int64_t a, int64_t b) { return a / b + (a % b != 0); }

// How the items of the array lie in its chunks.
struct Layout {
  int nd = 1;
  int64_t shape[kMaxDim] = {}, chunk[kMaxDim] = {}, block[kMaxDim] = {};
  int64_t grid[kMaxDim] = {}, gridStride[kMaxDim] = {};
  int64_t blocksPer[kMaxDim] = {};  // b2nd blocks along each axis of a (padded) chunk
  // Where item (l_0, ..) of a chunk sits in the decoded chunk: in tiles of
  // tile[] items, the tiles in C order (tileStride, in tiles), the items of a
  // tile in C order (inStride). A chunk in C order is one tile.
  int64_t tile[kMaxDim] = {}, tileStride[kMaxDim] = {}, inStride[kMaxDim] = {}, tileItems = 1;
  int64_t blockItems = 1, extItems = 1, chunkBytes = 0, nchunks = 0;
  int32_t ts = 0;
  bool plain = false;  // a super-chunk: 1-D, blocks as each chunk's header says, the last chunk short
  bool tiled = false;  // python-blosc2's geometries (not a C-order slice per chunk)
};

Failure MakeLayout(const FrameMeta& meta, Layout* L) {
  const Geometry& g = meta.g;
  L->ts = g.typesize;
  if (L->ts <= 0) return Corrupt("the frame header is inconsistent");
  if (!meta.isB2nd) {
    // A super-chunk reads as its bytes (as unpack gives it).
    L->plain = true;
    L->ts = 1;
    if (meta.nbytes < 0) return Corrupt("the frame header is inconsistent");
    L->shape[0] = meta.nbytes;
    if (meta.nchunks > 0 && meta.chunksize <= 0) return Corrupt("the frame header is inconsistent");
    L->chunk[0] = L->block[0] = meta.nchunks > 0 ? meta.chunksize : 1;
  } else if (g.ndim == 0) {
    L->shape[0] = L->chunk[0] = L->block[0] = 1;
  } else {
    L->nd = g.ndim;
    for (int d = 0; d < g.ndim; d++) {
      if (g.shape[d] < 0) return Corrupt("the frame has a negative dimension");
      L->shape[d] = g.shape[d];
      L->chunk[d] = g.chunkshape[d];
      L->block[d] = g.blockshape[d];
    }
    ChunkPlan plan;
    if (!ContiguousPlan(g, &plan)) {
      L->tiled = true;
      if (!ForeignGeometryOk(g)) return Corrupt("the b2nd metalayer has an impossible chunkshape/blockshape");
    }
  }
  int64_t nchunks = 1, items = 1;
  for (int d = 0; d < L->nd; d++) {
    if (L->chunk[d] <= 0 || L->block[d] <= 0 || L->block[d] > L->chunk[d])
      return Corrupt("the b2nd metalayer has an impossible chunkshape/blockshape");
    L->grid[d] = L->shape[d] == 0 ? 0 : CeilDiv(L->shape[d], L->chunk[d]);
    L->blocksPer[d] = CeilDiv(L->chunk[d], L->block[d]);
    int64_t ext = L->blocksPer[d] * L->block[d];
    if (__builtin_mul_overflow(nchunks, L->grid[d], &nchunks) || __builtin_mul_overflow(L->extItems, ext, &L->extItems) ||
        __builtin_mul_overflow(items, L->shape[d], &items)) {
      return Corrupt("the frame's shape overflows");
    }
    L->blockItems *= L->block[d];
    L->tile[d] = L->tiled ? L->block[d] : L->chunk[d];
  }
  if (L->plain) {
    L->chunkBytes = meta.chunksize;
  } else if (__builtin_mul_overflow(L->extItems, static_cast<int64_t>(L->ts), &L->chunkBytes)) {
    return Corrupt("the frame's chunks overflow");
  }
  if (nchunks != meta.nchunks || (nchunks > 0 && L->chunkBytes != meta.chunksize)) {
    return Corrupt("the frame's chunks disagree with its b2nd metalayer");
  }
  L->nchunks = nchunks;
  for (int d = L->nd - 1; d >= 0; d--) {
    bool last = d == L->nd - 1;
    // nchunks bounds this product unless another dimension is empty (found by fuzz_slice).
    L->gridStride[d] = 1;
    if (!last && __builtin_mul_overflow(L->gridStride[d + 1], L->grid[d + 1], &L->gridStride[d])) {
      return Corrupt("the frame's shape overflows");
    }
    L->inStride[d] = last ? 1 : L->inStride[d + 1] * L->tile[d + 1];
    L->tileStride[d] = last ? 1 : L->tileStride[d + 1] * CeilDiv(L->chunk[d + 1], L->tile[d + 1]);
    L->tileItems *= L->tile[d];
  }
  return Ok();
}

// The selection checked against the layout (a 0-d array's becomes 1-D), and
// the items it selects.
Failure CheckSelection(const FrameMeta& meta, const Layout& L, const Selection& in, Selection* s, int64_t* items) {
  int want = meta.isB2nd ? meta.g.ndim : 1;
  if (in.ndim != want)
    return {"ERR_INVALID_ARG", "the selection has " + std::to_string(in.ndim) + " dimensions, the array " + std::to_string(want)};
  *s = in;
  if (in.ndim == 0) {
    s->ndim = 1;
    s->start[0] = 0;
    s->step[0] = 1;
    s->count[0] = 1;
  }
  *items = 1;
  for (int d = 0; d < s->ndim; d++) {
    int64_t start = s->start[d], step = s->step[d], count = s->count[d], last = 0;
    if (count < 0 || step == 0) return {"ERR_INVALID_ARG", "a selection's count or step is invalid"};
    if (count > 0 && (start < 0 || start >= L.shape[d] || __builtin_mul_overflow(count - 1, step, &last) ||
                      __builtin_add_overflow(start, last, &last) || last < 0 || last >= L.shape[d])) {
      return {"ERR_INVALID_ARG", "a selection reaches outside the array"};
    }
    if (__builtin_mul_overflow(*items, count, items)) return {"ERR_INVALID_ARG", "the selection is too large"};
  }
  return Ok();
}

// One chunk along one axis that the selection touches: its number c, and the
// selected k in [k0, k1) that fall in it.
struct Run {
  int64_t c, k0, k1;
};

// The runs along an axis, ascending in c.
void RunsAlong(int64_t start, int64_t step, int64_t count, int64_t chunk, int64_t shape, std::vector<Run>* out) {
  out->clear();
  for (int64_t k = 0; k < count;) {
    int64_t i = start + k * step;
    int64_t c = i / chunk;
    int64_t lo = c * chunk, hi = std::min(lo + chunk, shape);
    // The first k past this chunk: i_k >= hi going up, i_k < lo going down.
    int64_t k1 = step > 0 ? CeilDiv(hi - start, step) : (start - lo) / -step + 1;
    k1 = std::min(k1, count);
    out->push_back({c, k, k1});
    k = k1;
  }
  if (step < 0) std::reverse(out->begin(), out->end());
}

// Decodes the part of one chunk that a selection holds.
class ChunkSlicer {
 public:
  ChunkSlicer(const Layout& L, const Selection& s, uint8_t* dest, const ThreadRequest& threads)
      : L_(L), s_(s), dest_(dest), threads_(threads) {
    // BLOSC2_BLOCK_MASK=0 (read once) decodes whole chunks: bench/random-access.js
    // measures what the mask saves.
    static const bool kMaskBlocks = [] {
      const char* mask = std::getenv("BLOSC2_BLOCK_MASK");
      return mask == nullptr || std::strcmp(mask, "0") != 0;
    }();
    maskBlocks_ = kMaskBlocks;
    for (int d = s.ndim - 1; d >= 0; d--) outStride_[d] = d == s.ndim - 1 ? 1 : outStride_[d + 1] * s.count[d + 1];
    inner_ = s.ndim - 1;
    while (inner_ > 0 && s.count[inner_] == 1) inner_--;
  }

  Failure Decode(const Run* const* r, int64_t n, const FrameChunk& fc) {
    const ChunkHeader& h = fc.header;
    int64_t validItems = 1;
    for (int d = 0; d < L_.nd; d++) {
      lo_[d] = r[d]->c * L_.chunk[d];
      valid_[d] = std::min(L_.chunk[d], L_.shape[d] - lo_[d]);
      validItems *= valid_[d];
    }
    size_t ts = static_cast<size_t>(L_.ts);
    size_t validBytes = static_cast<size_t>(validItems) * ts;
    if (L_.plain) {
      if (h.nbytes != L_.chunkBytes && !(n == L_.nchunks - 1 && static_cast<size_t>(h.nbytes) == validBytes)) {
        return Corrupt("a chunk of the frame has the wrong size");
      }
    } else if (h.nbytes != L_.chunkBytes) {
      return Corrupt("a chunk of the frame has the wrong size");
    } else if (L_.tiled && (h.blocksize <= 0 || CeilDiv(h.nbytes, h.blocksize) != L_.extItems / L_.blockItems)) {
      // python-blosc2 reads such a chunk block by block and refuses it too.
      return Corrupt("a chunk's blocks disagree with the b2nd blockshape");
    }
    int64_t outBase = 0;
    for (int d = 0; d < s_.ndim; d++) outBase += r[d]->k0 * outStride_[d];
    uint8_t* to = dest_ + static_cast<size_t>(outBase) * ts;
    if (LandsWhole(r)) {
      ThreadGrant grant(threads_, static_cast<size_t>(h.nbytes), static_cast<size_t>(std::max(h.blocksize, 1)));
      if (static_cast<size_t>(h.nbytes) == validBytes) return DoDecompress(grant.count(), fc.view, h, to, validBytes);
      Failure f = EnsureScratch(h.nbytes);
      if (f.code) return f;
      f = DoDecompress(grant.count(), fc.view, h, scratch_.get(), scratchSize_);
      if (f.code) return f;
      std::memcpy(to, scratch_.get(), validBytes);
      return Ok();
    }
    Failure f = EnsureScratch(h.nbytes);
    if (f.code) return f;
    int nblocks = 0, needed = 0;
    bool masked = h.special == 0 && maskBlocks_ && BuildMask(r, h, &nblocks, &needed);
    // Threads by the bytes actually decoded: a few blocks go faster on one.
    int64_t decoded = masked ? static_cast<int64_t>(needed) * h.blocksize : h.nbytes;
    ThreadGrant grant(threads_, static_cast<size_t>(std::min<int64_t>(decoded, h.nbytes)), static_cast<size_t>(std::max(h.blocksize, 1)));
    f = DoDecompressBlocks(grant.count(), fc.view, h, scratch_.get(), scratchSize_, masked ? mask_.get() : nullptr, nblocks);
    if (f.code) return f;
    Gather(r);
    return Ok();
  }

 private:
  // Whether the chunk's items, all selected in order, are one run of dest:
  // then they are decoded straight into it.
  bool LandsWhole(const Run* const* r) const {
    if (L_.tiled) return false;
    bool many = false;
    for (int d = 0; d < L_.nd; d++) {
      int64_t span = r[d]->k1 - r[d]->k0;
      if (span != valid_[d] || (span > 1 && s_.step[d] != 1)) return false;
      if (many && span != s_.count[d]) return false;
      if (span > 1) many = true;
    }
    return true;
  }

  Failure EnsureScratch(int64_t bytes) {
    if (scratchSize_ >= static_cast<size_t>(bytes) && scratch_) return Ok();
    scratchSize_ = static_cast<size_t>(std::max<int64_t>(bytes, L_.chunkBytes));
    scratch_.reset(new (std::nothrow) uint8_t[scratchSize_]);
    if (!scratch_) {
      scratchSize_ = 0;
      return {"ERR_NO_MEMORY", "cannot allocate a chunk buffer"};
    }
    return Ok();
  }

  // Marks the blocks that hold no selected item to be skipped; false when
  // every block is needed or the chunk's blocks are not the layout's.
  bool BuildMask(const Run* const* r, const ChunkHeader& h, int* nblocks, int* needed) {
    int64_t B[kMaxDim], nb[kMaxDim];
    int64_t total = 1;
    if (L_.plain) {
      if (h.blocksize <= 0 || h.blocksize % L_.ts != 0) return false;
      B[0] = h.blocksize / L_.ts;
      nb[0] = CeilDiv(h.nbytes, h.blocksize);
      total = nb[0];
    } else {
      if (h.blocksize != L_.blockItems * L_.ts) return false;
      for (int d = 0; d < L_.nd; d++) {
        B[d] = L_.block[d];
        nb[d] = L_.blocksPer[d];
        total *= nb[d];
      }
      if (total != CeilDiv(h.nbytes, h.blocksize)) return false;
    }
    if (total <= 1 || total > (int64_t{1} << 30)) return false;
    bool all = true;
    for (int d = 0; d < L_.nd; d++) {
      std::vector<uint8_t>& t = touched_[d];
      t.assign(static_cast<size_t>(nb[d]), 0);
      int64_t step = s_.step[d];
      int64_t first = s_.start[d] + r[d]->k0 * step - lo_[d], last = s_.start[d] + (r[d]->k1 - 1) * step - lo_[d];
      if (step <= B[d] && -step <= B[d]) {
        std::fill(t.begin() + std::min(first, last) / B[d], t.begin() + std::max(first, last) / B[d] + 1, 1);
      } else {
        // At most one selected item per block.
        for (int64_t k = r[d]->k0; k < r[d]->k1; k++) t[static_cast<size_t>((s_.start[d] + k * step - lo_[d]) / B[d])] = 1;
      }
      all = all && std::find(t.begin(), t.end(), 0) == t.end();
    }
    if (all) return false;
    if (maskSize_ < total) {
      mask_.reset(new (std::nothrow) bool[static_cast<size_t>(total)]);
      maskSize_ = mask_ ? total : 0;
      if (!mask_) return false;
    }
    int64_t at[kMaxDim] = {};
    *needed = 0;
    for (int64_t b = 0; b < total; b++) {
      bool need = true;
      for (int d = 0; d < L_.nd && need; d++) need = touched_[d][static_cast<size_t>(at[d])] != 0;
      mask_[b] = !need;
      *needed += need;
      for (int d = L_.nd - 1; d >= 0; d--) {
        if (++at[d] < nb[d]) break;
        at[d] = 0;
      }
    }
    // Masked decompression schedules blocks one by one (C-Blosc2 drops its
    // static schedule) and, decoding less, may get fewer threads: it paid in
    // bench/random-access.js when it skipped most blocks (a column, 15 of 16)
    // and cost when it skipped few (a slab of rows, 1 to 4 of 8).
    if (*needed * 2 > total) return false;
    *nblocks = static_cast<int>(total);
    return true;
  }

  // Copies the selected items of the decoded chunk to their places in dest.
  void Gather(const Run* const* r) {
    const size_t ts = static_cast<size_t>(L_.ts);
    const uint8_t* chunk = scratch_.get();
    const int in = inner_;
    int64_t k[kMaxDim];
    for (int d = 0; d < L_.nd; d++) k[d] = r[d]->k0;
    const int64_t T = L_.tile[in], tileSpan = L_.tileStride[in] * L_.tileItems, is = L_.inStride[in], step = s_.step[in];
    for (;;) {
      int64_t base = 0, out = 0;
      for (int d = 0; d < L_.nd; d++) {
        if (d == in) continue;
        int64_t l = s_.start[d] + k[d] * s_.step[d] - lo_[d];
        base += (l / L_.tile[d]) * L_.tileStride[d] * L_.tileItems + (l % L_.tile[d]) * L_.inStride[d];
        out += k[d] * outStride_[d];
      }
      uint8_t* o = dest_ + static_cast<size_t>(out + r[in]->k0 * outStride_[in]) * ts;
      int64_t l = s_.start[in] + r[in]->k0 * step - lo_[in];
      int64_t left = r[in]->k1 - r[in]->k0;
      if (step == 1 && is == 1 && T == 1) {
        // Tiles one item wide along this axis (python-blosc2's column strips): a strided copy.
        const uint8_t* from = chunk + static_cast<size_t>(base + l * tileSpan) * ts;
        for (const size_t stride = static_cast<size_t>(tileSpan) * ts; left > 0; left--, o += ts, from += stride) CopyRun(o, from, ts);
      } else if (step == 1 && is == 1) {
        while (left > 0) {
          int64_t run = std::min(left, T - l % T);
          std::memcpy(o, chunk + static_cast<size_t>(base + (l / T) * tileSpan + l % T) * ts, static_cast<size_t>(run) * ts);
          o += static_cast<size_t>(run) * ts;
          l += run;
          left -= run;
        }
      } else {
        for (; left > 0; left--, l += step, o += ts) {
          CopyRun(o, chunk + static_cast<size_t>(base + (l / T) * tileSpan + (l % T) * is) * ts, ts);
        }
      }
      int d = L_.nd - 1;
      for (; d >= 0; d--) {
        if (d == in) continue;
        if (++k[d] < r[d]->k1) break;
        k[d] = r[d]->k0;
      }
      if (d < 0) break;
    }
  }

  const Layout& L_;
  const Selection& s_;
  uint8_t* dest_;
  ThreadRequest threads_;
  bool maskBlocks_ = true;
  int inner_ = 0;  // the axis copied in runs: the last one selecting more than one item
  int64_t outStride_[kMaxDim] = {};
  int64_t lo_[kMaxDim] = {}, valid_[kMaxDim] = {};
  std::unique_ptr<uint8_t[]> scratch_;
  size_t scratchSize_ = 0;
  std::unique_ptr<bool[]> mask_;
  int64_t maskSize_ = 0;
  std::vector<uint8_t> touched_[kMaxDim];
};

// Everything a slice needs: the layout, the checked selection, its runs.
struct SlicePlan {
  Layout L;
  Selection s;
  int64_t items = 0;
  std::vector<Run> runs[kMaxDim];
};

Failure Prepare(const FrameMeta& meta, const Selection& sel, SlicePlan* p) {
  if (!meta.indexed) return {"ERR_INVALID_ARG", "the frame's index is not loaded"};
  Failure f = MakeLayout(meta, &p->L);
  if (f.code) return f;
  f = CheckSelection(meta, p->L, sel, &p->s, &p->items);
  if (f.code) return f;
  for (int d = 0; d < p->L.nd; d++) RunsAlong(p->s.start[d], p->s.step[d], p->s.count[d], p->L.chunk[d], p->L.shape[d], &p->runs[d]);
  return Ok();
}

Failure CheckDest(const SlicePlan& p, const View& dest) {
  uint64_t bytes = static_cast<uint64_t>(p.items) * static_cast<uint64_t>(p.L.ts);
  if (p.items > 0 && bytes / static_cast<uint64_t>(p.items) != static_cast<uint64_t>(p.L.ts))
    return {"ERR_INVALID_ARG", "the selection is too large"};
  if (bytes != dest.length) return {"ERR_INVALID_ARG", "out must hold exactly the selected items"};
  return Ok();
}

// Calls fn(runs, n) for every chunk the selection touches, in C order of the runs.
template <typename Fn>
Failure ForEachChunk(const SlicePlan& p, Fn fn) {
  if (p.items == 0) return Ok();
  const int nd = p.L.nd;
  size_t e[kMaxDim] = {};
  const Run* r[kMaxDim];
  for (;;) {
    int64_t n = 0;
    for (int d = 0; d < nd; d++) {
      r[d] = &p.runs[d][e[d]];
      n += r[d]->c * p.L.gridStride[d];
    }
    Failure f = fn(r, n);
    if (f.code) return f;
    int d = nd - 1;
    for (; d >= 0; d--) {
      if (++e[d] < p.runs[d].size()) break;
      e[d] = 0;
    }
    if (d < 0) return Ok();
  }
}

// The runs of chunk n along each axis: where the selection meets it.
Failure ChunkRuns(const SlicePlan& p, int64_t n, const Run** r) {
  if (n < 0 || n >= p.L.nchunks || p.items == 0) return {"ERR_INVALID_ARG", "chunk " + std::to_string(n) + " is not in the selection"};
  int64_t rest = n;
  for (int d = 0; d < p.L.nd; d++) {
    int64_t c = rest / p.L.gridStride[d];
    rest %= p.L.gridStride[d];
    const std::vector<Run>& runs = p.runs[d];
    auto it = std::lower_bound(runs.begin(), runs.end(), c, [](const Run& run, int64_t v) { return run.c < v; });
    if (it == runs.end() || it->c != c) return {"ERR_INVALID_ARG", "chunk " + std::to_string(n) + " is not in the selection"};
    r[d] = &*it;
  }
  return Ok();
}

}  // namespace

Failure CheckSliceable(const FrameMeta& meta) {
  Layout L;
  return MakeLayout(meta, &L);
}

Failure PlanSlice(const FrameMeta& meta, const Selection& sel, std::vector<int64_t>* chunks) {
  SlicePlan p;
  Failure f = Prepare(meta, sel, &p);
  if (f.code) return f;
  chunks->clear();
  f = ForEachChunk(p, [&](const Run* const*, int64_t n) {
    chunks->push_back(n);
    return Ok();
  });
  std::sort(chunks->begin(), chunks->end());
  return f;
}

Failure DecodeSlice(const View& src, const FrameMeta& meta, const Selection& sel, const View& dest, const ThreadRequest& threads) {
  if (static_cast<int64_t>(src.length) != meta.length) return {"ERR_INVALID_ARG", "the frame is not the one that was opened"};
  SlicePlan p;
  Failure f = Prepare(meta, sel, &p);
  if (f.code) return f;
  f = CheckDest(p, dest);
  if (f.code) return f;
  ChunkSlicer slicer(p.L, p.s, dest.data, threads);
  const ChunkIndex& index = meta.index;
  return ForEachChunk(p, [&](const Run* const* r, int64_t n) {
    int64_t offset = index.offsets[static_cast<size_t>(n)];
    View stored;
    if (offset >= 0) stored = View{src.data + index.headerLen + offset, static_cast<size_t>(index.dataEnd - index.headerLen - offset)};
    FrameChunk fc;
    Failure e = ChunkFrom(stored, meta, index, n, &fc);
    if (e.code) return e;
    return slicer.Decode(r, n, fc);
  });
}

Failure DecodeSliceChunks(const FrameMeta& meta, const Selection& sel, const int64_t* ids, const View* chunks, size_t count,
                          const View& dest, const ThreadRequest& threads) {
  SlicePlan p;
  Failure f = Prepare(meta, sel, &p);
  if (f.code) return f;
  f = CheckDest(p, dest);
  if (f.code) return f;
  ChunkSlicer slicer(p.L, p.s, dest.data, threads);
  for (size_t i = 0; i < count; i++) {
    int64_t n = ids[i];
    const Run* r[kMaxDim];
    f = ChunkRuns(p, n, r);
    if (f.code) return f;
    FrameChunk fc;
    f = ChunkFrom(chunks[i], meta, meta.index, n, &fc);
    if (f.code) return f;
    f = slicer.Decode(r, n, fc);
    if (f.code) return f;
  }
  return Ok();
}

Failure SliceChunkBoxes(const FrameMeta& meta, const Selection& sel, const int64_t* ids, size_t count, int* ndim, int64_t* boxes) {
  SlicePlan p;
  Failure f = Prepare(meta, sel, &p);
  if (f.code) return f;
  const int nd = p.L.nd;
  *ndim = nd;
  for (size_t i = 0; i < count; i++) {
    const Run* r[kMaxDim];
    f = ChunkRuns(p, ids[i], r);
    if (f.code) return f;
    int64_t* box = boxes + i * 2 * static_cast<size_t>(nd);
    for (int d = 0; d < nd; d++) {
      box[d] = r[d]->k0;
      box[nd + d] = r[d]->k1;
    }
  }
  return Ok();
}

}  // namespace blosc2_node
