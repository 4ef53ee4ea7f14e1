// Chunk and frame mechanics on raw memory; see blosc2_core.h.
#include "blosc2_core.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

namespace blosc2_node {


std::string BloscMessage(const char* what, int rc) {
  return std::string(what) + " (C-Blosc2 error " + std::to_string(rc) + ": " + print_error(rc) + ")";
}



// ---------------------------------------------------------------------------
// Plain chunks.

// The worst case fits nbytes + overhead, so compression into a buffer of that
// size cannot fail for lack of room.
size_t CompressBound(size_t nbytes) { return nbytes + BLOSC2_MAX_OVERHEAD; }

Failure DoCompress(blosc2_cparams cp, const View& src, uint8_t* dest, size_t destCap, int32_t* cbytes) {
  if (src.length > static_cast<size_t>(BLOSC2_MAX_BUFFERSIZE)) {
    return {"ERR_INVALID_ARG", "src is " + std::to_string(src.length) + " bytes; one chunk holds at most " +
                                   std::to_string(BLOSC2_MAX_BUFFERSIZE) + " bytes (use pack for larger arrays)"};
  }
  CtxPtr ctx(blosc2_create_cctx(cp), blosc2_free_ctx);
  if (!ctx) return {"ERR_INVALID_ARG", "C-Blosc2 refused the compression parameters"};
  int rc = blosc2_compress_ctx(ctx.get(), src.data, static_cast<int32_t>(src.length), dest, static_cast<int32_t>(destCap));
  if (rc <= 0) return {"ERR_COMPRESS", BloscMessage("compression failed", rc), rc};
  *cbytes = rc;
  return {nullptr, ""};
}


// Validates that src holds a whole chunk before anything reads past its header.
Failure ReadChunkHeader(const View& src, ChunkHeader* h, HeaderCheck check) {
  if (src.length < BLOSC_MIN_HEADER_LENGTH) {
    return {"ERR_CORRUPT", "src is " + std::to_string(src.length) + " bytes, shorter than a Blosc2 chunk header (16 bytes)"};
  }
  int rc = blosc2_cbuffer_sizes(src.data, &h->nbytes, &h->cbytes, &h->blocksize);
  if (rc < 0) return {"ERR_CORRUPT", BloscMessage("src is not a Blosc2 chunk", rc), rc};
  if (h->cbytes < BLOSC_MIN_HEADER_LENGTH || h->nbytes < 0 ||
      (check != HeaderCheck::kHeaderOnly && static_cast<size_t>(h->cbytes) > src.length) ||
      (check == HeaderCheck::kExact && static_cast<size_t>(h->cbytes) != src.length)) {
    return {"ERR_CORRUPT", "the chunk header says " + std::to_string(h->cbytes) + " compressed bytes but src holds " +
                               std::to_string(src.length)};
  }
  bool extended = (src.data[BLOSC2_CHUNK_FLAGS] & 0x5) == 0x5;
  if (extended && src.length >= BLOSC_EXTENDED_HEADER_LENGTH) {
    h->special = (src.data[BLOSC2_CHUNK_BLOSC2_FLAGS] >> 4) & BLOSC2_SPECIAL_MASK;
  }
  return {nullptr, ""};
}

// C-Blosc2's threads undo DELTA against block 0 and wait until the thread
// decoding block 0 signals; if that block fails to decode, nobody signals and
// the others wait forever. Such chunks are decoded on one thread.
static bool UsesDelta(const View& src) {
  uint8_t flags = src.data[BLOSC2_CHUNK_FLAGS];
  if ((flags & 0x5) == 0x5) {
    if (src.length < BLOSC_EXTENDED_HEADER_LENGTH) return true;
    for (int i = 0; i < BLOSC2_MAX_FILTERS; i++) {
      if (src.data[BLOSC2_CHUNK_FILTER_CODES + i] == BLOSC_DELTA) return true;
    }
    return false;
  }
  return (flags & BLOSC_DODELTA) != 0;
}

Failure DoDecompress(int nthreads, const View& src, const ChunkHeader& h, uint8_t* dest, size_t destCap) {
  if (static_cast<size_t>(h.nbytes) > destCap) {
    return {"ERR_OUTPUT_TOO_SMALL", "out has " + std::to_string(destCap) + " bytes but the chunk decompresses to " +
                                        std::to_string(h.nbytes)};
  }
  if (h.nbytes == 0) return {nullptr, ""};
  // An "uninitialized" special chunk leaves the destination untouched; hand
  // back zeros rather than whatever the memory held.
  if (h.special == BLOSC2_SPECIAL_UNINIT) {
    std::memset(dest, 0, static_cast<size_t>(h.nbytes));
    return {nullptr, ""};
  }
  blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
  dp.nthreads = static_cast<int16_t>(UsesDelta(src) ? 1 : nthreads);
  CtxPtr ctx(blosc2_create_dctx(dp), blosc2_free_ctx);
  if (!ctx) return {"ERR_NO_MEMORY", "cannot create a decompression context"};
  int rc = blosc2_decompress_ctx(ctx.get(), src.data, h.cbytes, dest, h.nbytes);
  if (rc < 0) return {"ERR_CORRUPT", BloscMessage("decompression failed: the chunk is corrupt", rc), rc};
  if (rc != h.nbytes) return {"ERR_CORRUPT", "the chunk decompressed to " + std::to_string(rc) + " bytes, not the " +
                                             std::to_string(h.nbytes) + " its header announces"};
  return {nullptr, ""};
}

// ---------------------------------------------------------------------------
// b2nd frames (the CFrame + "b2nd" metalayer that python-blosc2 reads with
// from_cframe). The JS layer picks a chunk/block geometry whose chunks are
// contiguous slices of the C-order array, so each chunk is compressed straight
// from the array's memory and decompressed straight into the destination;
// only a padded edge chunk goes through a bounce buffer. Frames with any
// other geometry (python-blosc2's defaults) decode through b2nd_to_cbuffer.

// Chunks of a contiguous geometry: chunkshape is (1, .., 1, c_k, s_k+1, ..),
// so chunk n starts at a computable flat offset and its valid items are a
// prefix of the chunk. Returns false when the geometry is not of that form.

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

// Flat item offset and valid item count of chunk n under a contiguous plan.
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

FrameOut::~FrameOut() {
  if (needsFree) free(data);
  if (schunk) blosc2_schunk_free(schunk);
}

// Builds the whole frame in C-Blosc2's memory; the caller copies it into
// JS-owned memory (the only copy of the compressed bytes).
Failure PrepareFrameParams(blosc2_cparams* cp, const Geometry& g, const View& src, ChunkPlan* plan, int64_t* chunkBytes) {
  if (!ContiguousPlan(g, plan)) return {"ERR_INVALID_ARG", "chunkshape/blockshape are not a contiguous layout"};
  int64_t items = 1;
  for (int i = 0; i < g.ndim; i++) items *= g.shape[i];
  if (static_cast<uint64_t>(items) * g.typesize != src.length) {
    return {"ERR_INVALID_ARG", "the data holds " + std::to_string(src.length) + " bytes but the shape needs " +
                                   std::to_string(items * g.typesize)};
  }
  *chunkBytes = plan->chunkItems * g.typesize;
  int64_t blockItems = 1;
  for (int i = 0; i < g.ndim; i++) blockItems *= g.blockshape[i];
  if (*chunkBytes > BLOSC2_MAX_BUFFERSIZE) return {"ERR_INVALID_ARG", "chunkshape makes chunks over 2 GiB"};
  cp->typesize = g.typesize;
  cp->blocksize = static_cast<int32_t>(blockItems * g.typesize);
  return {nullptr, ""};
}

Failure AddFrameMetalayers(blosc2_schunk* schunk, const Geometry& g, const std::string& dtype, const std::string& jsKind) {
  uint8_t* smeta = nullptr;
  int32_t smetaLen = b2nd_serialize_meta(g.ndim, g.shape, g.chunkshape, g.blockshape, dtype.c_str(),
                                         DTYPE_NUMPY_FORMAT, &smeta);
  if (smetaLen < 0) return {"ERR_INVALID_ARG", BloscMessage("cannot serialize the b2nd metalayer", smetaLen), smetaLen};
  int rc = blosc2_meta_add(schunk, "b2nd", smeta, smetaLen);
  free(smeta);
  if (rc < 0) return {"ERR_COMPRESS", BloscMessage("cannot add the b2nd metalayer", rc), rc};
  if (!jsKind.empty()) {
    if (jsKind.size() > 31) return {"ERR_INVALID_ARG", "the js metalayer name is too long"};
    // A msgpack fixstr, so python-blosc2's schunk.meta["js"] decodes it.
    std::vector<uint8_t> content(1 + jsKind.size());
    content[0] = static_cast<uint8_t>(0xa0 | jsKind.size());
    std::memcpy(content.data() + 1, jsKind.data(), jsKind.size());
    rc = blosc2_meta_add(schunk, "js", content.data(), static_cast<int32_t>(content.size()));
    if (rc < 0) return {"ERR_COMPRESS", BloscMessage("cannot add the js metalayer", rc), rc};
  }
  return {nullptr, ""};
}

Failure PadEdgeChunk(const uint8_t** from, size_t used, size_t chunkBytes, std::unique_ptr<uint8_t[]>* bounce) {
  // b2nd chunks always hold the full chunkshape; the edge chunk is padded with zeros.
  if (!*bounce) bounce->reset(new (std::nothrow) uint8_t[chunkBytes]);
  if (!*bounce) return {"ERR_NO_MEMORY", "cannot allocate the edge chunk"};
  std::memcpy(bounce->get(), *from, used);
  std::memset(bounce->get() + used, 0, chunkBytes - used);
  *from = bounce->get();
  return {nullptr, ""};
}

Failure EncodeFrame(blosc2_cparams cp, const Geometry& g, const std::string& dtype, const std::string& jsKind,
                    const View& src, FrameOut* out) {
  ChunkPlan plan;
  int64_t chunkBytes = 0;
  Failure f = PrepareFrameParams(&cp, g, src, &plan, &chunkBytes);
  if (f.code) return f;
  blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
  blosc2_storage storage = BLOSC2_STORAGE_DEFAULTS;
  storage.contiguous = true;
  storage.cparams = &cp;
  storage.dparams = &dp;
  out->schunk = blosc2_schunk_new(&storage);
  if (!out->schunk) return {"ERR_NO_MEMORY", "cannot create a super-chunk"};
  f = AddFrameMetalayers(out->schunk, g, dtype, jsKind);
  if (f.code) return f;

  std::unique_ptr<uint8_t[]> bounce;
  for (int64_t n = 0; n < plan.nchunks; n++) {
    int64_t start = 0, valid = 0;
    ChunkSpan(g, plan, n, &start, &valid);
    const uint8_t* from = src.data + start * g.typesize;
    if (valid < plan.chunkItems) {
      f = PadEdgeChunk(&from, static_cast<size_t>(valid * g.typesize), static_cast<size_t>(chunkBytes), &bounce);
      if (f.code) return f;
    }
    // append_chunk(copy=false) takes ownership and frees it after copying it into the frame.
    uint8_t* chunk = static_cast<uint8_t*>(malloc(static_cast<size_t>(CompressBound(chunkBytes))));
    if (!chunk) return {"ERR_NO_MEMORY", "cannot allocate a chunk buffer"};
    int32_t cbytes = blosc2_compress_ctx(out->schunk->cctx, from, static_cast<int32_t>(chunkBytes), chunk,
                                         static_cast<int32_t>(CompressBound(chunkBytes)));
    if (cbytes <= 0) {
      free(chunk);
      return {"ERR_COMPRESS", BloscMessage("compression failed", cbytes), cbytes};
    }
    int64_t r = blosc2_schunk_append_chunk(out->schunk, chunk, false);
    if (r < 0) return {"ERR_COMPRESS", BloscMessage("cannot append a chunk to the frame", static_cast<int>(r)), static_cast<int>(r)};
  }
  out->length = blosc2_schunk_to_buffer(out->schunk, &out->data, &out->needsFree);
  if (out->length < 0) return {"ERR_COMPRESS", BloscMessage("cannot serialize the frame", static_cast<int>(out->length)), static_cast<int>(out->length)};
  return {nullptr, ""};
}

FrameIn::~FrameIn() {
  if (schunk) blosc2_schunk_free(schunk);
}

// frame_to_schunk (inside blosc2_schunk_from_buffer) returns without freeing
// the super-chunk it is building when C-Blosc2 refuses the header's filter
// pipeline: a leak per hostile frame. Refuse undefined filter ids first; the
// pipeline sits at a fixed offset of the frame header (C-Blosc2's frame.h,
// FRAME_FILTER_PIPELINE: a count, then the ids).
static bool FrameFiltersDefined(const View& src) {
  constexpr size_t kPipeline = 70;
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
// walks first: [version, ndim, shape (ndim x int64), chunkshape and blockshape
// (ndim x int32 each)], then optionally dtype format, str32 length, dtype.
static bool B2ndMetaLayoutOk(const uint8_t* m, int32_t len) {
  if (m == nullptr || len < 3) return false;
  int ndim = static_cast<int8_t>(m[2]);
  if (ndim < 0 || ndim > BLOSC2_MAX_DIM) return false;
  int64_t fixed = 3 + (1 + 9 * ndim) + 2 * (1 + 5 * ndim);
  if (fixed > len) return false;
  if (fixed == len) return true;
  if (fixed + 6 > len) return false;
  const uint8_t* p = m + fixed + 2;
  uint32_t dtypeLen = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
  return dtypeLen <= static_cast<uint32_t>(len - (fixed + 6));
}

// Opens a frame in place (no copy; the caller keeps the memory alive) and reads
// its geometry. A frame without "b2nd" is a plain super-chunk: 1-D bytes.
Failure OpenFrame(const View& src, FrameIn* in, Geometry* g, std::string* dtype, std::string* jsKind, bool* isB2nd) {
  if (src.length < 64) return {"ERR_CORRUPT", "the frame is " + std::to_string(src.length) + " bytes, too short for a Blosc2 frame"};
  if (!FrameFiltersDefined(src)) return {"ERR_CORRUPT", "the frame header names an undefined filter"};
  in->schunk = blosc2_schunk_from_buffer(src.data, static_cast<int64_t>(src.length), false);
  if (!in->schunk) return {"ERR_CORRUPT", "not a valid Blosc2 frame"};
  blosc2_schunk* sc = in->schunk;
  // A frame without chunks keeps chunksize -1.
  if (sc->typesize <= 0 || sc->nchunks < 0 || (sc->chunksize < 0 && sc->nchunks > 0)) {
    return {"ERR_CORRUPT", "the frame header is inconsistent"};
  }
  uint8_t* content = nullptr;
  int32_t contentLen = 0;
  *isB2nd = blosc2_meta_exists(sc, "b2nd") >= 0;
  if (*isB2nd) {
    if (blosc2_meta_get(sc, "b2nd", &content, &contentLen) < 0) return {"ERR_CORRUPT", "cannot read the b2nd metalayer"};
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
    *dtype = dt ? dt : "";
    free(dt);
  } else {
    g->ndim = 1;
    g->shape[0] = sc->nbytes / sc->typesize;
    g->chunkshape[0] = sc->chunksize > 0 ? sc->chunksize / sc->typesize : 0;
    g->blockshape[0] = sc->blocksize > 0 ? sc->blocksize / sc->typesize : 0;
  }
  g->typesize = sc->typesize;
  if (blosc2_meta_exists(sc, "js") >= 0 && blosc2_meta_get(sc, "js", &content, &contentLen) >= 0) {
    if (contentLen >= 1 && (content[0] & 0xe0) == 0xa0 && (content[0] & 0x1f) == contentLen - 1) {
      jsKind->assign(reinterpret_cast<char*>(content) + 1, contentLen - 1);
    }
    free(content);
  }
  return {nullptr, ""};
}

// b2nd_from_schunk counts the items of a chunk and of a block in int32
// (overflowing on hostile extents), and b2nd_to_cbuffer loops forever on a
// negative extent: refuse any geometry a real b2nd array cannot have.
static bool ForeignGeometryOk(const Geometry& g) {
  int64_t chunkItems = 1;
  for (int i = 0; i < g.ndim; i++) {
    if (g.chunkshape[i] <= 0 || g.blockshape[i] <= 0 || g.blockshape[i] > g.chunkshape[i]) return false;
    // b2nd pads the chunk to a whole number of blocks.
    int64_t padded = (static_cast<int64_t>(g.chunkshape[i]) + g.blockshape[i] - 1) / g.blockshape[i] * g.blockshape[i];
    chunkItems *= padded;
    if (chunkItems * g.typesize > BLOSC2_MAX_BUFFERSIZE) return false;
  }
  // b2nd_from_schunk (update_shape) rounds every extent up to whole chunks and
  // multiplies, unchecked, the products (extshape * chunkshape) of the later
  // axes into its chunk strides: refuse shapes that would overflow them.
  int64_t stride = 1;
  for (int i = g.ndim - 1; i >= 0; i--) {
    int64_t ext = 0, factor = 0;
    if (__builtin_add_overflow(g.shape[i], static_cast<int64_t>(g.chunkshape[i]) - 1, &ext)) return false;
    ext = ext / g.chunkshape[i] * g.chunkshape[i];
    if (i == 0) break;
    if (__builtin_mul_overflow(ext, static_cast<int64_t>(g.chunkshape[i]), &factor) ||
        __builtin_mul_overflow(stride, factor, &stride)) {
      return false;
    }
  }
  return true;
}

// Chunk n of a frame and its checked header; owned holds the chunk when
// C-Blosc2 had to build it (a special chunk kept in its offset).
struct FrameChunk {
  View view;
  ChunkHeader header;
  std::unique_ptr<uint8_t, decltype(&free)> owned{nullptr, free};
};

static Failure GetFrameChunk(blosc2_schunk* sc, int64_t n, FrameChunk* out) {
  uint8_t* chunk = nullptr;
  bool needsFree = false;
  int cbytes = blosc2_schunk_get_chunk(sc, n, &chunk, &needsFree);
  if (cbytes < 0) return {"ERR_CORRUPT", BloscMessage("cannot read a chunk of the frame", cbytes), cbytes};
  if (needsFree) out->owned.reset(chunk);
  out->view = View{chunk, static_cast<size_t>(cbytes)};
  return ReadChunkHeader(out->view, &out->header, HeaderCheck::kWithin);
}

// b2nd_to_cbuffer (C-Blosc2 2.17) has two flaws on hostile frames: it leaks
// its scratch buffers when a chunk fails to decompress, and for an
// "uninitialized" special chunk it copies out a scratch buffer it never wrote
// (stale heap bytes). So every chunk is checked before it runs (present, whole,
// decompressible), and the regions of uninit chunks are zeroed after it.
static Failure CheckForeignChunks(b2nd_array_t* arr, const Geometry& g, std::vector<int64_t>* uninit) {
  blosc2_schunk* sc = arr->sc;
  int64_t grid = 1;
  for (int i = 0; i < g.ndim; i++) grid *= (g.shape[i] + g.chunkshape[i] - 1) / g.chunkshape[i];
  int64_t chunkBytes = arr->extchunknitems * g.typesize;
  if (sc->nchunks != grid || chunkBytes != sc->chunksize) {
    return {"ERR_CORRUPT", "the frame's chunks disagree with its b2nd metalayer"};
  }
  std::unique_ptr<uint8_t[]> scratch(new (std::nothrow) uint8_t[static_cast<size_t>(chunkBytes)]);
  if (!scratch) return {"ERR_NO_MEMORY", "cannot allocate a chunk buffer"};
  if (arr->blocknitems <= 0) return {"ERR_CORRUPT", "the b2nd metalayer has an empty blockshape"};
  int32_t nblocks = static_cast<int32_t>(arr->extchunknitems / arr->blocknitems);
  std::unique_ptr<bool[]> noMask(new (std::nothrow) bool[static_cast<size_t>(nblocks)]());
  if (!noMask) return {"ERR_NO_MEMORY", "cannot allocate a block mask"};
  for (int64_t n = 0; n < sc->nchunks; n++) {
    FrameChunk fc;
    Failure f = GetFrameChunk(sc, n, &fc);
    if (f.code) return f;
    const ChunkHeader& h = fc.header;
    if (h.nbytes != chunkBytes) return {"ERR_CORRUPT", "a chunk of the frame has the wrong size"};
    if (h.special == BLOSC2_SPECIAL_UNINIT) uninit->push_back(n);
    // Exactly the calls b2nd_to_cbuffer makes for a whole-array read: a
    // maskout with one (false) entry per b2nd block, which C-Blosc2 refuses
    // when the chunk header implies another block count, then decompression
    // through the frame's own dctx.
    // A fresh context per chunk: C-Blosc2 frees a context's zstd dictionary
    // when the next chunk also carries one, and returns on a bad dictionary
    // size without clearing the pointer, so a context that met two dictionary
    // chunks, the second corrupt, double-frees later. One chunk per context
    // never does; b2nd_to_cbuffer only runs on chunks that all passed.
    blosc2_dparams* dp = nullptr;
    if (blosc2_schunk_get_dparams(sc, &dp) < 0 || dp == nullptr) return {"ERR_NO_MEMORY", "cannot read the frame's dparams"};
    blosc2_context* fresh = blosc2_create_dctx(*dp);
    free(dp);
    if (fresh == nullptr) return {"ERR_NO_MEMORY", "cannot create a decompression context"};
    blosc2_free_ctx(sc->dctx);
    sc->dctx = fresh;
    if (blosc2_set_maskout(sc->dctx, noMask.get(), nblocks) < 0) return {"ERR_NO_MEMORY", "cannot set a block mask"};
    int rc = blosc2_schunk_decompress_chunk(sc, n, scratch.get(), static_cast<int32_t>(chunkBytes));
    if (rc != chunkBytes) {
      return {"ERR_CORRUPT", BloscMessage("decompression failed: a chunk of the frame is corrupt", rc < 0 ? rc : BLOSC2_ERROR_DATA),
              rc < 0 ? rc : BLOSC2_ERROR_DATA};
    }
  }
  return {nullptr, ""};
}

// Zeroes, in the C-order array dest, the region of each listed chunk.
static void ZeroChunkRegions(const Geometry& g, const std::vector<int64_t>& chunks, const View& dest) {
  int nd = g.ndim;
  if (nd == 0 || chunks.empty()) return;
  int64_t perAxis[BLOSC2_MAX_DIM], rowItems[BLOSC2_MAX_DIM];
  for (int i = 0; i < nd; i++) perAxis[i] = (g.shape[i] + g.chunkshape[i] - 1) / g.chunkshape[i];
  rowItems[nd - 1] = 1;
  for (int i = nd - 2; i >= 0; i--) rowItems[i] = rowItems[i + 1] * g.shape[i + 1];
  for (int64_t n : chunks) {
    // The chunk's box [lo, hi) in array coordinates, clipped to the shape.
    int64_t lo[BLOSC2_MAX_DIM] = {}, hi[BLOSC2_MAX_DIM] = {}, at[BLOSC2_MAX_DIM] = {};
    int64_t rest = n;
    for (int i = nd - 1; i >= 0; i--) {
      lo[i] = (rest % perAxis[i]) * g.chunkshape[i];
      rest /= perAxis[i];
      hi[i] = std::min<int64_t>(lo[i] + g.chunkshape[i], g.shape[i]);
    }
    // Walk the rows of the box along the last axis, odometer-style.
    std::copy(lo, lo + nd, at);
    for (;;) {
      int64_t item = 0;
      for (int i = 0; i < nd; i++) item += at[i] * rowItems[i];
      size_t offset = static_cast<size_t>(item) * static_cast<size_t>(g.typesize);
      size_t len = static_cast<size_t>(hi[nd - 1] - lo[nd - 1]) * static_cast<size_t>(g.typesize);
      if (offset + len <= dest.length) std::memset(dest.data + offset, 0, len);
      int i = nd - 2;
      for (; i >= 0; i--) {
        if (++at[i] < hi[i]) break;
        at[i] = lo[i];
      }
      if (i < 0) break;
    }
  }
}

// frame_get_chunk (C-Blosc2 2.17) checks a chunk's offset against the frame
// length, but reads the chunk at header_len + offset: an offset near the end
// makes it read the chunk header, then cbytes, past the frame (heap over-read
// of the caller's memory). Check every offset first: the offsets index is the
// chunk right after the data chunks (header_len + cbytes, as get_coffsets
// finds it), and each stored chunk must lie whole inside the data area.
// Every chunk yields at least one output item, so nchunks <= dest length
// bounds the index we decompress.
static Failure CheckChunkOffsets(const View& src, const blosc2_schunk* sc, size_t destLength) {
  if (sc->nchunks <= 0) return {nullptr, ""};
  constexpr size_t kHeaderLenAt = 11;  // frame.h FRAME_HEADER_LEN: int32, big-endian
  const uint8_t* p = src.data + kHeaderLenAt;
  int64_t headerLen = static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]});
  int64_t length = static_cast<int64_t>(src.length);
  if (headerLen < 0 || sc->cbytes < 0 || headerLen > length || sc->cbytes > length - headerLen ||
      static_cast<uint64_t>(sc->nchunks) > destLength) {
    return {"ERR_CORRUPT", "the frame's chunk area disagrees with its length"};
  }
  int64_t dataEnd = headerLen + sc->cbytes;
  View index{src.data + dataEnd, src.length - static_cast<size_t>(dataEnd)};
  ChunkHeader h;
  Failure f = ReadChunkHeader(index, &h, HeaderCheck::kWithin);
  if (f.code) return f;
  if (static_cast<uint64_t>(h.nbytes) != static_cast<uint64_t>(sc->nchunks) * sizeof(int64_t)) {
    return {"ERR_CORRUPT", "the frame's offsets index disagrees with its chunk count"};
  }
  // C-Blosc2 reads each offset with blosc2_getitem into an uninitialized
  // int64: an index of items other than 8 bytes fills it only in part, and an
  // "uninitialized" special index not at all, so the offset it then follows is
  // stack garbage. C-Blosc2 only writes 8-byte indexes (possibly a repeated
  // value, for frames of special chunks): refuse anything else.
  if (index.data[BLOSC2_CHUNK_TYPESIZE] != sizeof(int64_t) || h.special == BLOSC2_SPECIAL_UNINIT) {
    return {"ERR_CORRUPT", "the frame's offsets index is not an index of 64-bit offsets"};
  }
  std::vector<int64_t> offsets(static_cast<size_t>(sc->nchunks));
  f = DoDecompress(1, index, h, reinterpret_cast<uint8_t*>(offsets.data()), offsets.size() * sizeof(int64_t));
  if (f.code) return f;
  for (int64_t offset : offsets) {
    if (offset < 0) continue;  // a special chunk, encoded in the offset itself
    // C-Blosc2 reads a chunk's 32-byte extended header before anything else
    // (frame_get_chunk -> blosc2_cbuffer_sizes), and every chunk of a Blosc2
    // frame has one: the whole header must lie in the chunk area.
    if (offset > dataEnd - headerLen - BLOSC_EXTENDED_HEADER_LENGTH) {
      return {"ERR_CORRUPT", "a chunk offset points outside the frame"};
    }
    View chunk{src.data + headerLen + offset, static_cast<size_t>(dataEnd - headerLen - offset)};
    f = ReadChunkHeader(chunk, &h, HeaderCheck::kWithin);
    if (f.code) return {"ERR_CORRUPT", "a chunk offset points outside the frame's chunks"};
  }
  return {nullptr, ""};
}

// Decodes a frame into dest. dest was sized by the JS layer from b2ndInfo and
// checked against the caller's maxOutputBytes; everything is checked again
// here so that a lying frame can never make us write outside dest.
Failure DecodeFrame(const View& src, const View& dest, int nthreads) {
  FrameIn in;
  Geometry g;
  std::string dtype, jsKind;
  bool isB2nd = false;
  Failure f = OpenFrame(src, &in, &g, &dtype, &jsKind, &isB2nd);
  if (f.code) return f;
  blosc2_schunk* sc = in.schunk;
  f = CheckChunkOffsets(src, sc, dest.length);
  if (f.code) return f;
  int64_t items = 1;
  for (int i = 0; i < g.ndim; i++) {
    if (g.shape[i] < 0) return {"ERR_CORRUPT", "the frame has a negative dimension"};
    if (__builtin_mul_overflow(items, g.shape[i], &items)) return {"ERR_CORRUPT", "the frame's shape overflows"};
  }
  if (!isB2nd) items = sc->nbytes / g.typesize;
  uint64_t wantBytes = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(items), static_cast<uint64_t>(g.typesize), &wantBytes) ||
      wantBytes != dest.length) {
    return {"ERR_CORRUPT", "the frame's shape and dtype disagree with its data"};
  }
  if (items == 0) return {nullptr, ""};

  ChunkPlan plan;
  if (!isB2nd) {
    // A plain super-chunk: its chunks follow each other.
    plan.chunkItems = sc->chunksize / g.typesize;
    plan.nchunks = sc->nchunks;
  } else if (!ContiguousPlan(g, &plan)) {
    // Any other geometry: let C-Blosc2 reassemble the blocks.
    if (!ForeignGeometryOk(g)) return {"ERR_CORRUPT", "the b2nd metalayer has an impossible chunkshape/blockshape"};
    b2nd_array_t* arr = nullptr;
    int rc = b2nd_from_schunk(sc, &arr);
    if (rc < 0) return {"ERR_CORRUPT", BloscMessage("the b2nd frame is corrupt", rc), rc};
    in.schunk = nullptr;  // now owned by arr
    std::vector<int64_t> uninit;
    f = CheckForeignChunks(arr, g, &uninit);
    if (!f.code) {
      rc = b2nd_to_cbuffer(arr, dest.data, static_cast<int64_t>(dest.length));
      if (rc < 0) f = {"ERR_CORRUPT", BloscMessage("cannot decode the b2nd frame", rc), rc};
    }
    if (!f.code) ZeroChunkRegions(g, uninit, dest);
    b2nd_free(arr);
    return f;
  }
  int64_t chunkBytes = plan.chunkItems * g.typesize;
  if (plan.nchunks != sc->nchunks || (sc->nchunks > 0 && chunkBytes != sc->chunksize)) {
    return {"ERR_CORRUPT", "the frame's chunks disagree with its b2nd metalayer"};
  }
  std::unique_ptr<uint8_t[]> bounce;
  size_t bounceSize = 0;
  int64_t written = 0;
  for (int64_t n = 0; n < plan.nchunks; n++) {
    int64_t start = 0, valid = 0;
    if (isB2nd) {
      ChunkSpan(g, plan, n, &start, &valid);
    } else {
      start = n * plan.chunkItems;
      valid = std::min(plan.chunkItems, items - start);
    }
    if (valid <= 0 || start + valid > items) return {"ERR_CORRUPT", "the frame holds more chunks than its shape"};
    FrameChunk fc;
    f = GetFrameChunk(sc, n, &fc);
    if (f.code) return f;
    const ChunkHeader& h = fc.header;
    const View& cv = fc.view;
    int64_t want = valid * g.typesize;
    if (h.nbytes != chunkBytes && !(!isB2nd && h.nbytes == want)) {
      return {"ERR_CORRUPT", "a chunk of the frame has the wrong size"};
    }
    uint8_t* to = dest.data + start * g.typesize;
    if (h.nbytes > want) {
      if (bounceSize < static_cast<size_t>(h.nbytes)) {
        bounceSize = static_cast<size_t>(h.nbytes);
        bounce.reset(new (std::nothrow) uint8_t[bounceSize]);
        if (!bounce) return {"ERR_NO_MEMORY", "cannot allocate the edge chunk"};
      }
      f = DoDecompress(nthreads, cv, h, bounce.get(), bounceSize);
      if (f.code) return f;
      std::memcpy(to, bounce.get(), static_cast<size_t>(want));
    } else {
      f = DoDecompress(nthreads, cv, h, to, static_cast<size_t>(want));
      if (f.code) return f;
    }
    written += want;
  }
  if (written != static_cast<int64_t>(dest.length)) return {"ERR_CORRUPT", "the frame's chunks do not cover its shape"};
  return {nullptr, ""};
}


// C-Blosc2 picks a block size from the codec, level, type size and filters; a
// b2nd frame must fix one, so ask C-Blosc2 what it would pick for this many
// bytes (compressing zeros is cheap and the answer is cached by the caller).
int32_t SuggestBlocksize(blosc2_cparams cp, int32_t nbytes) {
  cp.blocksize = 0;
  cp.nthreads = 1;
  std::vector<uint8_t> zeros(static_cast<size_t>(nbytes), 0);
  std::vector<uint8_t> out(CompressBound(static_cast<size_t>(nbytes)));
  CtxPtr ctx(blosc2_create_cctx(cp), blosc2_free_ctx);
  if (!ctx) return -1;
  int rc = blosc2_compress_ctx(ctx.get(), zeros.data(), nbytes, out.data(), static_cast<int32_t>(out.size()));
  if (rc < 0) return rc;
  int32_t nb = 0, cb = 0, bs = 0;
  blosc2_cbuffer_sizes(out.data(), &nb, &cb, &bs);
  return bs;
}

}  // namespace blosc2_node
