// Reading frames; see frame_reader.h.
#include "frame_reader.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "cblosc2_layout.h"
#include "huge_pages.h"

extern "C" {
#include <b2nd.h>
}

namespace blosc2_node {

namespace {

// frame_to_schunk (inside blosc2_schunk_from_buffer) returns without freeing
// the super-chunk it is building when C-Blosc2 refuses the header's filter
// pipeline: a leak per hostile frame. Refuse undefined filter ids first.
bool FrameFiltersDefined(const View& src) {
  constexpr size_t kPipeline = layout::kFrameFilterPipeline;
  if (src.length < kPipeline + 1 + BLOSC2_MAX_FILTERS) return true;  // too short: refused, and freed, by C-Blosc2
  int count = src.data[kPipeline];
  for (int i = 0; i < count && i < BLOSC2_MAX_FILTERS; i++) {
    int id = src.data[kPipeline + 1 + i];
    if ((id >= BLOSC_LAST_FILTER && id <= BLOSC2_DEFINED_FILTERS_STOP) ||
        (id > BLOSC_LAST_REGISTERED_FILTER && id <= BLOSC2_GLOBAL_REGISTERED_FILTERS_STOP)) {
      return false;
    }
  }
  return true;
}

// b2nd_deserialize_meta trusts its input: it reads ndim entries without
// looking at the length (writing them into arrays of BLOSC2_MAX_DIM) and
// copies a dtype of whatever length the bytes claim. Check the layout it
// walks first (cblosc2_layout.h).
bool B2ndMetaLayoutOk(const uint8_t* m, int32_t len) {
  if (m == nullptr || len < 3) return false;
  int ndim = static_cast<int8_t>(m[layout::kB2ndNdim]);
  if (ndim < 0 || ndim > BLOSC2_MAX_DIM) return false;
  int64_t fixed = layout::B2ndFixedLength(ndim);
  if (fixed > len) return false;
  if (fixed == len) return true;
  if (fixed + 6 > len) return false;
  const uint8_t* p = m + fixed + layout::kB2ndDtypeLengthAfterFixed;
  uint32_t dtypeLen = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
  return dtypeLen <= static_cast<uint32_t>(len - (fixed + 6));
}

struct SchunkPtr {
  blosc2_schunk* p = nullptr;
  ~SchunkPtr() {
    if (p) blosc2_schunk_free(p);
  }
};

// The offsets index of an in-memory frame: the chunk right after the data
// chunks (header_len + cbytes, as get_coffsets finds it). maxChunks bounds the
// index decoded (every chunk yields at least one output item, so the output
// length does).
Failure ReadChunkIndex(const View& src, const FrameMeta& meta, size_t maxChunks, ChunkIndex* out) {
  if (meta.nchunks <= 0) return Ok();
  int64_t length = static_cast<int64_t>(src.length);
  if (meta.headerLen < 0 || meta.cbytes < 0 || meta.headerLen > length || meta.cbytes > length - meta.headerLen) {
    return {"ERR_CORRUPT", "the frame's chunk area disagrees with its length"};
  }
  int64_t dataEnd = meta.headerLen + meta.cbytes;
  return DecodeChunkIndex(View{src.data + dataEnd, src.length - static_cast<size_t>(dataEnd)}, meta, maxChunks, out);
}

// Chunk n of an in-memory frame: the stored bytes in place.
Failure ChunkAt(const View& src, const FrameMeta& meta, const ChunkIndex& index, int64_t n, FrameChunk* out) {
  int64_t offset = index.offsets[static_cast<size_t>(n)];
  View stored;
  if (offset >= 0) stored = View{src.data + index.headerLen + offset, static_cast<size_t>(index.dataEnd - index.headerLen - offset)};
  return ChunkFrom(stored, meta, index, n, out);
}

// Where the stored bytes of a one-chunk frame start, when they are the items
// verbatim: one memcpyed chunk (clevel 0 or incompressible) in a contiguous
// geometry, so its valid items are a prefix of the chunk's data. Else -1.
int64_t RawOffset(const View& src, const FrameMeta& meta) {
  if (!meta.contiguous || meta.nchunks != 1) return -1;
  ChunkIndex index;
  if (ReadChunkIndex(src, meta, 1, &index).code || index.offsets[0] < 0) return -1;
  FrameChunk fc;
  if (ChunkAt(src, meta, index, 0, &fc).code) return -1;
  const uint8_t* chunk = fc.view.data;
  bool memcpyed = (chunk[BLOSC2_CHUNK_FLAGS] & BLOSC_MEMCPYED) != 0;
  if (!memcpyed || fc.header.special != 0 || fc.header.cbytes != fc.header.nbytes + BLOSC_EXTENDED_HEADER_LENGTH ||
      !layout::ChunkExtended(chunk)) {
    return -1;
  }
  return static_cast<int64_t>(chunk - src.data) + BLOSC_EXTENDED_HEADER_LENGTH;
}

// python-blosc2's own geometries (chunks and blocks that are not contiguous
// slices of the array): each chunk decoded into a scratch buffer, then its
// blocks scattered into place. This replaces b2nd_to_cbuffer (C-Blosc2 2.17),
// which leaks its buffers when a chunk fails, copies out unwritten memory for
// "uninitialized" chunks, and needed every chunk decoded once more beforehand
// to be safe.
Failure DecodeTiled(const View& src, const FrameMeta& meta, const ChunkIndex& index, const View& dest, int nthreads) {
  const Geometry& g = meta.g;
  if (g.ndim < 1 || !ForeignGeometryOk(g)) return {"ERR_CORRUPT", "the b2nd metalayer has an impossible chunkshape/blockshape"};
  int64_t grid[BLOSC2_MAX_DIM], ext[BLOSC2_MAX_DIM];
  int64_t nchunks = 1, extItems = 1, blockItems = 1;
  for (int i = 0; i < g.ndim; i++) {
    grid[i] = (g.shape[i] + g.chunkshape[i] - 1) / g.chunkshape[i];
    ext[i] = (static_cast<int64_t>(g.chunkshape[i]) + g.blockshape[i] - 1) / g.blockshape[i] * g.blockshape[i];
    nchunks *= grid[i];
    extItems *= ext[i];
    blockItems *= g.blockshape[i];
  }
  int64_t chunkBytes = extItems * g.typesize;
  if (meta.nchunks != nchunks || chunkBytes != meta.chunksize)
    return {"ERR_CORRUPT", "the frame's chunks disagree with its b2nd metalayer"};
  std::unique_ptr<uint8_t[]> scratch(new (std::nothrow) uint8_t[static_cast<size_t>(chunkBytes)]);
  if (!scratch) return {"ERR_NO_MEMORY", "cannot allocate a chunk buffer"};
  int64_t coord[BLOSC2_MAX_DIM] = {};
  for (int64_t n = 0; n < nchunks; n++) {
    FrameChunk fc;
    Failure f = ChunkAt(src, meta, index, n, &fc);
    if (f.code) return f;
    const ChunkHeader& h = fc.header;
    if (h.nbytes != chunkBytes) return {"ERR_CORRUPT", "a chunk of the frame has the wrong size"};
    // C-Blosc2 reads b2nd chunks block by block (a mask with one entry per
    // b2nd block) and refuses a chunk whose own blocks number otherwise, so
    // python-blosc2 cannot read such a frame either: refuse it the same way.
    if (h.blocksize <= 0 || (h.nbytes + static_cast<int64_t>(h.blocksize) - 1) / h.blocksize != extItems / blockItems) {
      return {"ERR_CORRUPT", "a chunk's blocks disagree with the b2nd blockshape"};
    }
    f = DoDecompress(nthreads, fc.view, h, scratch.get(), static_cast<size_t>(chunkBytes));
    if (f.code) return f;
    CopyChunkTiles(g, ext, coord, scratch.get(), dest.data, TileCopy::kToArray);
    for (int i = g.ndim - 1; i >= 0; i--) {
      if (++coord[i] < grid[i]) break;
      coord[i] = 0;
    }
  }
  return Ok();
}

}  // namespace

// Refuses any geometry a real b2nd array cannot have: extents that are not
// positive, blocks larger than their chunk, a padded chunk over C-Blosc2's
// buffer limit (DecodeTiled's scratch), and shapes whose chunk strides
// overflow int64 -- which C-Blosc2's own b2nd code (what python-blosc2 reads
// with) mishandles, so a frame accepted here is one python-blosc2 can read.
bool ForeignGeometryOk(const Geometry& g) {
  int64_t chunkItems = 1;
  for (int i = 0; i < g.ndim; i++) {
    if (g.chunkshape[i] <= 0 || g.blockshape[i] <= 0 || g.blockshape[i] > g.chunkshape[i]) return false;
    // b2nd pads the chunk to a whole number of blocks.
    int64_t padded = (static_cast<int64_t>(g.chunkshape[i]) + g.blockshape[i] - 1) / g.blockshape[i] * g.blockshape[i];
    chunkItems *= padded;
    if (chunkItems * g.typesize > BLOSC2_MAX_BUFFERSIZE) return false;
  }
  // C-Blosc2's update_shape rounds every extent up to whole chunks and
  // multiplies, unchecked, the products (extshape * chunkshape) of the later
  // axes into its chunk strides.
  int64_t stride = 1;
  for (int i = g.ndim - 1; i >= 0; i--) {
    int64_t ext = 0, factor = 0;
    if (__builtin_add_overflow(g.shape[i], static_cast<int64_t>(g.chunkshape[i]) - 1, &ext)) return false;
    ext = ext / g.chunkshape[i] * g.chunkshape[i];
    if (i == 0) break;
    if (__builtin_mul_overflow(ext, static_cast<int64_t>(g.chunkshape[i]), &factor) || __builtin_mul_overflow(stride, factor, &stride)) {
      return false;
    }
  }
  return true;
}

// A b2nd chunk holds its blocks in C order over the chunk's block grid (the
// chunk padded to whole blocks, ext), each block's items in C order; the
// array's edge chunks are padded too. Rows along the last axis are copied in
// runs that end at block boundaries.
void CopyChunkTiles(const Geometry& g, const int64_t* ext, const int64_t* chunkCoord, uint8_t* chunk, uint8_t* array, TileCopy dir) {
  const int nd = g.ndim;
  const size_t ts = static_cast<size_t>(g.typesize);
  int64_t lo[BLOSC2_MAX_DIM], extent[BLOSC2_MAX_DIM], dstStride[BLOSC2_MAX_DIM], inBlock[BLOSC2_MAX_DIM], blockStride[BLOSC2_MAX_DIM];
  int64_t blockItems = 1;
  for (int i = nd - 1; i >= 0; i--) {
    lo[i] = chunkCoord[i] * g.chunkshape[i];
    extent[i] = std::min<int64_t>(g.chunkshape[i], g.shape[i] - lo[i]);
    dstStride[i] = i == nd - 1 ? 1 : dstStride[i + 1] * g.shape[i + 1];
    inBlock[i] = i == nd - 1 ? 1 : inBlock[i + 1] * g.blockshape[i + 1];
    blockStride[i] = i == nd - 1 ? 1 : blockStride[i + 1] * (ext[i + 1] / g.blockshape[i + 1]);
    blockItems *= g.blockshape[i];
  }
  const int64_t last = g.blockshape[nd - 1];
  int64_t at[BLOSC2_MAX_DIM] = {};  // position in the chunk, all axes but the last
  for (;;) {
    int64_t rowSrc = 0, rowBlock = 0, rowDst = 0;
    for (int i = 0; i < nd - 1; i++) {
      rowBlock += (at[i] / g.blockshape[i]) * blockStride[i];
      rowSrc += (at[i] % g.blockshape[i]) * inBlock[i];
      rowDst += (lo[i] + at[i]) * dstStride[i];
    }
    rowDst += lo[nd - 1];
    for (int64_t c = 0; c < extent[nd - 1];) {
      int64_t run = std::min(extent[nd - 1] - c, last - c % last);
      int64_t from = (rowBlock + c / last) * blockItems + rowSrc + c % last;
      uint8_t* inArray = array + static_cast<size_t>(rowDst + c) * ts;
      uint8_t* inChunk = chunk + static_cast<size_t>(from) * ts;
      if (dir == TileCopy::kToArray) {
        CopyRun(inArray, inChunk, static_cast<size_t>(run) * ts);
      } else {
        CopyRun(inChunk, inArray, static_cast<size_t>(run) * ts);
      }
      c += run;
    }
    int i = nd - 2;
    for (; i >= 0; i--) {
      if (++at[i] < extent[i]) break;
      at[i] = 0;
    }
    if (i < 0) break;
  }
}

Failure DecodeChunkIndex(const View& index, const FrameMeta& meta, uint64_t maxChunks, ChunkIndex* out) {
  if (meta.nchunks <= 0) return Ok();
  if (meta.headerLen < 0 || meta.cbytes < 0 || meta.cbytes > meta.length - meta.headerLen ||
      static_cast<uint64_t>(meta.nchunks) > maxChunks) {
    return {"ERR_CORRUPT", "the frame's chunk area disagrees with its length"};
  }
  ChunkHeader h;
  Failure f = ReadChunkHeader(index, &h, HeaderCheck::kWithin);
  if (f.code) return f;
  if (static_cast<uint64_t>(h.nbytes) != static_cast<uint64_t>(meta.nchunks) * sizeof(int64_t)) {
    return {"ERR_CORRUPT", "the frame's offsets index disagrees with its chunk count"};
  }
  // C-Blosc2 only writes indexes of 8-byte items (possibly a repeated value,
  // for frames of special chunks).
  if (index.data[BLOSC2_CHUNK_TYPESIZE] != sizeof(int64_t) || h.special == BLOSC2_SPECIAL_UNINIT) {
    return {"ERR_CORRUPT", "the frame's offsets index is not an index of 64-bit offsets"};
  }
  std::vector<int64_t> offsets(static_cast<size_t>(meta.nchunks), 0);
  f = DoDecompress(1, View{index.data, static_cast<size_t>(h.cbytes)}, h, reinterpret_cast<uint8_t*>(offsets.data()),
                   offsets.size() * sizeof(int64_t));
  if (f.code) return f;
  // Every stored chunk must have its whole 32-byte extended header inside the chunk area.
  for (int64_t offset : offsets) {
    if (offset < 0) continue;  // a special chunk, encoded in the offset itself
    if (offset > meta.cbytes - BLOSC_EXTENDED_HEADER_LENGTH) return {"ERR_CORRUPT", "a chunk offset points outside the frame"};
  }
  out->offsets = std::move(offsets);
  out->headerLen = meta.headerLen;
  out->dataEnd = meta.headerLen + meta.cbytes;
  return Ok();
}

// The stored bytes of chunk n, or for an offset that encodes a special chunk,
// that chunk built as frame_special_chunk builds it (zeros win over uninit
// over NaN, as its bit tests do; the last chunk of a super-chunk may be short).
Failure ChunkFrom(const View& stored, const FrameMeta& meta, const ChunkIndex& index, int64_t n, FrameChunk* out) {
  int64_t offset = index.offsets[static_cast<size_t>(n)];
  if (offset >= 0) {
    Failure f = ReadChunkHeader(stored, &out->header, HeaderCheck::kWithin);
    if (f.code) return {"ERR_CORRUPT", "a chunk offset points outside the frame's chunks"};
    out->view = View{stored.data, static_cast<size_t>(out->header.cbytes)};
    return CheckBuiltIn(out->view, out->header);
  }
  if (meta.chunksize <= 0) return {"ERR_CORRUPT", "the frame header is inconsistent"};
  int32_t nbytes = meta.chunksize;
  if (n == meta.nchunks - 1 && meta.nbytes % meta.chunksize != 0) nbytes = static_cast<int32_t>(meta.nbytes % meta.chunksize);
  blosc2_cparams cp = BLOSC2_CPARAMS_DEFAULTS;
  cp.typesize = meta.typesize;
  cp.blocksize = meta.blocksize;
  out->owned.reset(static_cast<uint8_t*>(malloc(BLOSC_EXTENDED_HEADER_LENGTH)));
  if (!out->owned) return {"ERR_NO_MEMORY", "cannot allocate a special chunk"};
  uint64_t bits = static_cast<uint64_t>(offset);
  int rc = BLOSC2_ERROR_DATA;
  if (bits & (uint64_t{BLOSC2_SPECIAL_ZERO} << layout::kSpecialOffsetShift)) {
    rc = blosc2_chunk_zeros(cp, nbytes, out->owned.get(), BLOSC_EXTENDED_HEADER_LENGTH);
  } else if (bits & (uint64_t{BLOSC2_SPECIAL_UNINIT} << layout::kSpecialOffsetShift)) {
    rc = blosc2_chunk_uninit(cp, nbytes, out->owned.get(), BLOSC_EXTENDED_HEADER_LENGTH);
  } else if (bits & (uint64_t{BLOSC2_SPECIAL_NAN} << layout::kSpecialOffsetShift)) {
    rc = blosc2_chunk_nans(cp, nbytes, out->owned.get(), BLOSC_EXTENDED_HEADER_LENGTH);
  }
  if (rc < 0) return {"ERR_CORRUPT", BloscMessage("a special chunk of the frame is invalid", rc), rc};
  out->view = View{out->owned.get(), BLOSC_EXTENDED_HEADER_LENGTH};
  return ReadChunkHeader(out->view, &out->header, HeaderCheck::kWithin);
}

Failure OpenFrameMeta(const View& src, int64_t frameLength, FrameMeta* meta) {
  if (src.length < layout::kFrameMinLen) {
    return {"ERR_CORRUPT", "the frame is " + std::to_string(src.length) + " bytes, too short for a Blosc2 frame"};
  }
  if (!FrameFiltersDefined(src)) return {"ERR_CORRUPT", "the frame header names an undefined filter"};
  SchunkPtr schunk;
  schunk.p = blosc2_schunk_from_buffer(src.data, static_cast<int64_t>(src.length), false);
  if (!schunk.p) return {"ERR_CORRUPT", "not a valid Blosc2 frame"};
  const blosc2_schunk* sc = schunk.p;
  // A frame without chunks keeps chunksize -1.
  if (sc->typesize <= 0 || sc->nchunks < 0 || (sc->chunksize < 0 && sc->nchunks > 0)) {
    return {"ERR_CORRUPT", "the frame header is inconsistent"};
  }
  meta->length = frameLength;
  meta->headerLen = static_cast<int32_t>(layout::GetBig32(src.data + layout::kFrameHeaderLen));
  meta->nchunks = sc->nchunks;
  meta->nbytes = sc->nbytes;
  meta->cbytes = sc->cbytes;
  meta->chunksize = sc->chunksize;
  meta->blocksize = sc->blocksize;
  meta->typesize = sc->typesize;
  Geometry* g = &meta->g;
  uint8_t* content = nullptr;
  int32_t contentLen = 0;
  meta->isB2nd = blosc2_meta_exists(schunk.p, "b2nd") >= 0;
  if (meta->isB2nd) {
    if (blosc2_meta_get(schunk.p, "b2nd", &content, &contentLen) < 0) return {"ERR_CORRUPT", "cannot read the b2nd metalayer"};
    char* dt = nullptr;
    int8_t fmt = 0;
    if (!B2ndMetaLayoutOk(content, contentLen)) {
      free(content);
      return {"ERR_CORRUPT", "the b2nd metalayer is corrupt"};
    }
    int rc = b2nd_deserialize_meta(content, contentLen, &g->ndim, g->shape, g->chunkshape, g->blockshape, &dt, &fmt);
    free(content);
    if (rc < 0 || g->ndim < 0 || g->ndim > BLOSC2_MAX_DIM) {
      free(dt);
      return {"ERR_CORRUPT", "the b2nd metalayer is corrupt"};
    }
    meta->dtype = dt ? dt : "";
    free(dt);
  } else {
    g->ndim = 1;
    g->shape[0] = sc->nbytes / sc->typesize;
    g->chunkshape[0] = sc->chunksize > 0 ? sc->chunksize / sc->typesize : 0;
    g->blockshape[0] = sc->blocksize > 0 ? sc->blocksize / sc->typesize : 0;
  }
  g->typesize = sc->typesize;
  // The names C-Blosc2 parsed from the header and the trailer (fixstr, at most
  // 31 bytes each); nothing more of the variable-length metalayers is read.
  for (int i = 0; i < sc->nmetalayers && i < BLOSC2_MAX_METALAYERS; i++) {
    if (sc->metalayers[i] && sc->metalayers[i]->name) meta->metalayers.emplace_back(sc->metalayers[i]->name);
  }
  for (int i = 0; i < sc->nvlmetalayers && i < BLOSC2_MAX_VLMETALAYERS; i++) {
    if (sc->vlmetalayers[i] && sc->vlmetalayers[i]->name) meta->vlmetalayers.emplace_back(sc->vlmetalayers[i]->name);
  }
  if (blosc2_meta_exists(schunk.p, "b2o") >= 0 && blosc2_meta_get(schunk.p, "b2o", &content, &contentLen) >= 0) {
    meta->b2o.assign(reinterpret_cast<char*>(content), static_cast<size_t>(std::min(std::max(contentLen, 0), kMarkerContentMax)));
    free(content);
  }
  if (blosc2_meta_exists(schunk.p, "js") >= 0 && blosc2_meta_get(schunk.p, "js", &content, &contentLen) >= 0) {
    if (contentLen >= 1 && (content[0] & 0xe0) == 0xa0 && (content[0] & 0x1f) == contentLen - 1) {
      meta->jsKind.assign(reinterpret_cast<char*>(content) + 1, contentLen - 1);
    }
    free(content);
  }
  ChunkPlan plan;
  meta->contiguous = meta->isB2nd && ContiguousPlan(*g, &plan);
  return Ok();
}

Failure OpenFrame(const View& src, FrameMeta* meta) {
  Failure f = OpenFrameMeta(src, static_cast<int64_t>(src.length), meta);
  if (f.code) return f;
  meta->rawOffset = RawOffset(src, *meta);
  return Ok();
}

Failure DecodeFrame(const View& src, const FrameMeta& meta, const View& dest, const ThreadRequest& threads) {
  if (static_cast<int64_t>(src.length) != meta.length) return {"ERR_INVALID_ARG", "the frame is not the one that was opened"};
  AdviseHugePages(dest.data, dest.length);
  const Geometry& g = meta.g;
  ChunkIndex index;
  Failure f = ReadChunkIndex(src, meta, dest.length, &index);
  if (f.code) return f;
  int64_t items = 1;
  for (int i = 0; i < g.ndim; i++) {
    if (g.shape[i] < 0) return {"ERR_CORRUPT", "the frame has a negative dimension"};
    if (__builtin_mul_overflow(items, g.shape[i], &items)) return {"ERR_CORRUPT", "the frame's shape overflows"};
  }
  if (!meta.isB2nd) items = meta.nbytes / g.typesize;
  uint64_t wantBytes = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(items), static_cast<uint64_t>(g.typesize), &wantBytes) || wantBytes != dest.length) {
    return {"ERR_CORRUPT", "the frame's shape and dtype disagree with its data"};
  }
  if (items == 0) return Ok();
  // Threads by the size of one chunk: that is what each C-Blosc2 call decodes.
  int64_t perCall = meta.chunksize > 0 ? std::min<int64_t>(meta.chunksize, static_cast<int64_t>(dest.length)) : dest.length;
  ThreadGrant grant(threads, static_cast<size_t>(perCall), static_cast<size_t>(meta.blocksize > 0 ? meta.blocksize : perCall));
  const int nthreads = grant.count();

  ChunkPlan plan;
  if (!meta.isB2nd) {
    // A plain super-chunk: its chunks follow each other.
    plan.chunkItems = meta.chunksize / g.typesize;
    plan.nchunks = meta.nchunks;
  } else if (!ContiguousPlan(g, &plan)) {
    return DecodeTiled(src, meta, index, dest, nthreads);
  }
  int64_t chunkBytes = plan.chunkItems * g.typesize;
  if (plan.nchunks != meta.nchunks || (meta.nchunks > 0 && chunkBytes != meta.chunksize)) {
    return {"ERR_CORRUPT", "the frame's chunks disagree with its b2nd metalayer"};
  }
  std::unique_ptr<uint8_t[]> bounce;
  size_t bounceSize = 0;
  int64_t written = 0;
  for (int64_t n = 0; n < plan.nchunks; n++) {
    int64_t start = 0, valid = 0;
    if (meta.isB2nd) {
      ChunkSpan(g, plan, n, &start, &valid);
    } else {
      start = n * plan.chunkItems;
      valid = std::min(plan.chunkItems, items - start);
    }
    if (valid <= 0 || start + valid > items) return {"ERR_CORRUPT", "the frame holds more chunks than its shape"};
    FrameChunk fc;
    f = ChunkAt(src, meta, index, n, &fc);
    if (f.code) return f;
    const ChunkHeader& h = fc.header;
    int64_t want = valid * g.typesize;
    if (h.nbytes != chunkBytes && !(!meta.isB2nd && h.nbytes == want)) return {"ERR_CORRUPT", "a chunk of the frame has the wrong size"};
    uint8_t* to = dest.data + start * g.typesize;
    if (h.nbytes > want) {
      if (bounceSize < static_cast<size_t>(h.nbytes)) {
        bounceSize = static_cast<size_t>(h.nbytes);
        bounce.reset(new (std::nothrow) uint8_t[bounceSize]);
        if (!bounce) return {"ERR_NO_MEMORY", "cannot allocate the edge chunk"};
        AdviseHugePages(bounce.get(), bounceSize);
      }
      f = DoDecompress(nthreads, fc.view, h, bounce.get(), bounceSize);
      if (f.code) return f;
      std::memcpy(to, bounce.get(), static_cast<size_t>(want));
    } else {
      f = DoDecompress(nthreads, fc.view, h, to, static_cast<size_t>(want));
      if (f.code) return f;
    }
    written += want;
  }
  if (written != static_cast<int64_t>(dest.length)) return {"ERR_CORRUPT", "the frame's chunks do not cover its shape"};
  return Ok();
}

}  // namespace blosc2_node
