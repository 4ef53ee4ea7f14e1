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

// Byte 22 of an extended header: the codec id when the flags name a
// user-defined codec (blosc2.c's blosc_header.udcompcode).
constexpr size_t kChunkUdcompcode = 0x16;

static const char* PluginName(bool filter, int id) {
  static const char* const kFilters[] = {"ndcell", "ndmean", "bytedelta (old)", "bytedelta", "int_trunc"};
  static const char* const kCodecs[] = {"ndlz", "zfp_acc", "zfp_prec", "zfp_rate", "openhtj2k", "grok"};
  int i = id - 32;
  if (filter && i >= 0 && i < 5) return kFilters[i];
  if (!filter && i >= 0 && i < 6) return kCodecs[i];
  return id >= 160 ? "user-registered" : "plugin";
}

// C-Blosc2 is built without its plugins (deps/build.js), and nobody here
// registers filters or codecs, so a chunk that needs one cannot be decoded
// whatever its bytes; say so instead of letting C-Blosc2 report a failure
// that reads like corruption. Special chunks run no filter or codec.
static Failure CheckBuiltIn(const View& src, const ChunkHeader& h) {
  if (h.special != 0 || (src.data[BLOSC2_CHUNK_FLAGS] & 0x5) != 0x5 || src.length < BLOSC_EXTENDED_HEADER_LENGTH) {
    return {nullptr, ""};
  }
  for (int i = 0; i < BLOSC2_MAX_FILTERS; i++) {
    int id = src.data[BLOSC2_CHUNK_FILTER_CODES + i];
    if (id >= BLOSC2_GLOBAL_REGISTERED_FILTERS_START) {
      return {"ERR_UNSUPPORTED", std::string("the chunk needs the C-Blosc2 filter ") + std::to_string(id) + " (" +
                                     PluginName(true, id) + "), a plugin this build does not include"};
    }
  }
  if ((src.data[BLOSC2_CHUNK_FLAGS] >> 5) == BLOSC_UDCODEC_FORMAT) {
    int id = src.data[kChunkUdcompcode];
    if (id >= BLOSC2_GLOBAL_REGISTERED_CODECS_START) {
      return {"ERR_UNSUPPORTED", std::string("the chunk needs the C-Blosc2 codec ") + std::to_string(id) + " (" +
                                     PluginName(false, id) + "), a plugin this build does not include"};
    }
  }
  return {nullptr, ""};
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
  Failure f = CheckBuiltIn(src, h);
  if (f.code) return f;
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
// other geometry (python-blosc2's defaults) decode through DecodeTiled.

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

// A b2nd frame of any geometry, made by C-Blosc2's own b2nd route
// (b2nd_from_cbuffer + b2nd_to_cframe): the tests' reference for the tiled
// frames python-blosc2 writes and this library only reads.
Failure EncodeTiledReference(blosc2_cparams cp, const Geometry& g, const std::string& dtype, const View& src, FrameOut* out) {
  cp.typesize = g.typesize;
  blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
  blosc2_storage storage = BLOSC2_STORAGE_DEFAULTS;
  storage.contiguous = true;
  storage.cparams = &cp;
  storage.dparams = &dp;
  b2nd_context_t* ctx = b2nd_create_ctx(&storage, g.ndim, g.shape, g.chunkshape, g.blockshape, dtype.c_str(), DTYPE_NUMPY_FORMAT,
                                        nullptr, 0);
  if (!ctx) return {"ERR_INVALID_ARG", "C-Blosc2 refused the b2nd geometry"};
  b2nd_array_t* arr = nullptr;
  int rc = b2nd_from_cbuffer(ctx, &arr, src.data, static_cast<int64_t>(src.length));
  Failure f{nullptr, ""};
  if (rc < 0) {
    f = {"ERR_COMPRESS", BloscMessage("b2nd_from_cbuffer failed", rc), rc};
  } else {
    uint8_t* cframe = nullptr;
    int64_t len = 0;
    bool needsFree = false;
    rc = b2nd_to_cframe(arr, &cframe, &len, &needsFree);
    if (rc < 0) {
      f = {"ERR_COMPRESS", BloscMessage("b2nd_to_cframe failed", rc), rc};
    } else {
      // The frame may live inside arr: keep a copy of our own.
      out->data = static_cast<uint8_t*>(malloc(static_cast<size_t>(len)));
      if (out->data) {
        std::memcpy(out->data, cframe, static_cast<size_t>(len));
        out->length = len;
        out->needsFree = true;
      } else {
        f = {"ERR_NO_MEMORY", "cannot copy the frame"};
      }
      if (needsFree) free(cframe);
    }
  }
  if (arr) b2nd_free(arr);
  b2nd_free_ctx(ctx);
  return f;
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

// Refuses any geometry a real b2nd array cannot have: extents that are not
// positive, blocks larger than their chunk, a padded chunk over C-Blosc2's
// buffer limit (DecodeTiled's scratch), and shapes whose chunk strides
// overflow int64 -- which C-Blosc2's own b2nd code (what python-blosc2 reads
// with) mishandles, so a frame accepted here is one python-blosc2 can read.
static bool ForeignGeometryOk(const Geometry& g) {
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
    if (__builtin_mul_overflow(ext, static_cast<int64_t>(g.chunkshape[i]), &factor) ||
        __builtin_mul_overflow(stride, factor, &stride)) {
      return false;
    }
  }
  return true;
}

// Chunk n of a frame and its checked header; owned holds the chunk when it
// had to be built (a special chunk kept in its offset).
struct FrameChunk {
  View view;
  ChunkHeader header;
  std::unique_ptr<uint8_t, decltype(&free)> owned{nullptr, free};
};

// Where the chunks of an in-memory frame are. The offsets index is decoded
// here, not by C-Blosc2: frame_get_chunk (2.17) trusts it more than a hostile
// frame deserves -- it reads a chunk at header_len + offset after checking the
// offset against the frame length only (heap over-read near the end), and it
// reads each offset with blosc2_getitem into an uninitialized int64, which an
// index of items other than 8 bytes, or an "uninitialized" special index,
// fills only in part or not at all.
struct ChunkIndex {
  int64_t headerLen = 0;
  int64_t dataEnd = 0;  // end of the chunk area: headerLen + the frame's cbytes
  std::vector<int64_t> offsets;
};

// The index is the chunk right after the data chunks (header_len + cbytes, as
// get_coffsets finds it). Every stored chunk must have its whole 32-byte
// extended header inside the chunk area. maxChunks bounds the index decoded
// (every chunk yields at least one output item, so the output length does).
static Failure ReadChunkIndex(const View& src, const blosc2_schunk* sc, size_t maxChunks, ChunkIndex* out) {
  if (sc->nchunks <= 0) return {nullptr, ""};
  constexpr size_t kHeaderLenAt = 11;  // frame.h FRAME_HEADER_LEN: int32, big-endian
  const uint8_t* p = src.data + kHeaderLenAt;
  int64_t headerLen = static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]});
  int64_t length = static_cast<int64_t>(src.length);
  if (headerLen < 0 || sc->cbytes < 0 || headerLen > length || sc->cbytes > length - headerLen ||
      static_cast<uint64_t>(sc->nchunks) > maxChunks) {
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
  // C-Blosc2 only writes indexes of 8-byte items (possibly a repeated value,
  // for frames of special chunks).
  if (index.data[BLOSC2_CHUNK_TYPESIZE] != sizeof(int64_t) || h.special == BLOSC2_SPECIAL_UNINIT) {
    return {"ERR_CORRUPT", "the frame's offsets index is not an index of 64-bit offsets"};
  }
  out->offsets.assign(static_cast<size_t>(sc->nchunks), 0);
  f = DoDecompress(1, View{index.data, static_cast<size_t>(h.cbytes)}, h, reinterpret_cast<uint8_t*>(out->offsets.data()),
                   out->offsets.size() * sizeof(int64_t));
  if (f.code) return f;
  for (int64_t offset : out->offsets) {
    if (offset < 0) continue;  // a special chunk, encoded in the offset itself
    if (offset > dataEnd - headerLen - BLOSC_EXTENDED_HEADER_LENGTH) {
      return {"ERR_CORRUPT", "a chunk offset points outside the frame"};
    }
  }
  out->headerLen = headerLen;
  out->dataEnd = dataEnd;
  return {nullptr, ""};
}

// Chunk n: the stored bytes in place, or for an offset that encodes a special
// chunk, that chunk built as frame_special_chunk builds it (zeros win over
// uninit over NaN, as its bit tests do; the last chunk of a super-chunk may be
// short).
static Failure ChunkAt(const View& src, const blosc2_schunk* sc, const ChunkIndex& index, int64_t n, FrameChunk* out) {
  int64_t offset = index.offsets[static_cast<size_t>(n)];
  if (offset >= 0) {
    View chunk{src.data + index.headerLen + offset, static_cast<size_t>(index.dataEnd - index.headerLen - offset)};
    Failure f = ReadChunkHeader(chunk, &out->header, HeaderCheck::kWithin);
    if (f.code) return {"ERR_CORRUPT", "a chunk offset points outside the frame's chunks"};
    out->view = View{chunk.data, static_cast<size_t>(out->header.cbytes)};
    return CheckBuiltIn(out->view, out->header);
  }
  if (sc->chunksize <= 0) return {"ERR_CORRUPT", "the frame header is inconsistent"};
  int32_t nbytes = sc->chunksize;
  if (n == sc->nchunks - 1 && sc->nbytes % sc->chunksize != 0) nbytes = static_cast<int32_t>(sc->nbytes % sc->chunksize);
  blosc2_cparams cp = BLOSC2_CPARAMS_DEFAULTS;
  cp.typesize = sc->typesize;
  cp.blocksize = sc->blocksize;
  out->owned.reset(static_cast<uint8_t*>(malloc(BLOSC_EXTENDED_HEADER_LENGTH)));
  if (!out->owned) return {"ERR_NO_MEMORY", "cannot allocate a special chunk"};
  uint64_t bits = static_cast<uint64_t>(offset);
  int rc = BLOSC2_ERROR_DATA;
  if (bits & (uint64_t{BLOSC2_SPECIAL_ZERO} << 56)) {
    rc = blosc2_chunk_zeros(cp, nbytes, out->owned.get(), BLOSC_EXTENDED_HEADER_LENGTH);
  } else if (bits & (uint64_t{BLOSC2_SPECIAL_UNINIT} << 56)) {
    rc = blosc2_chunk_uninit(cp, nbytes, out->owned.get(), BLOSC_EXTENDED_HEADER_LENGTH);
  } else if (bits & (uint64_t{BLOSC2_SPECIAL_NAN} << 56)) {
    rc = blosc2_chunk_nans(cp, nbytes, out->owned.get(), BLOSC_EXTENDED_HEADER_LENGTH);
  }
  if (rc < 0) return {"ERR_CORRUPT", BloscMessage("a special chunk of the frame is invalid", rc), rc};
  out->view = View{out->owned.get(), BLOSC_EXTENDED_HEADER_LENGTH};
  return ReadChunkHeader(out->view, &out->header, HeaderCheck::kWithin);
}

// Where the stored bytes of a one-chunk frame start, when they are the items
// verbatim: one memcpyed chunk (clevel 0 or incompressible) in a contiguous
// geometry, so its valid items are a prefix of the chunk's data. Else -1.
double FrameRawOffset(const View& src, const FrameIn& in, bool contiguous) {
  const blosc2_schunk* sc = in.schunk;
  if (!contiguous || sc == nullptr || sc->nchunks != 1) return -1;
  ChunkIndex index;
  if (ReadChunkIndex(src, sc, 1, &index).code || index.offsets[0] < 0) return -1;
  FrameChunk fc;
  if (ChunkAt(src, sc, index, 0, &fc).code) return -1;
  const uint8_t* chunk = fc.view.data;
  bool memcpyed = (chunk[BLOSC2_CHUNK_FLAGS] & BLOSC_MEMCPYED) != 0;
  if (!memcpyed || fc.header.special != 0 || fc.header.cbytes != fc.header.nbytes + BLOSC_EXTENDED_HEADER_LENGTH ||
      (chunk[BLOSC2_CHUNK_FLAGS] & 0x5) != 0x5) {
    return -1;
  }
  return static_cast<double>(chunk - src.data + BLOSC_EXTENDED_HEADER_LENGTH);
}

// Copies the part of a decoded b2nd chunk that lies inside the array to its
// place in the C-order array dest. A b2nd chunk holds its blocks in C order
// over the chunk's block grid (the chunk padded to whole blocks, ext), each
// block's items in C order; the array's edge chunks are padded too. Rows along
// the last axis are copied in runs that end at block boundaries.
static void ScatterChunk(const Geometry& g, const int64_t* ext, const int64_t* chunkCoord, const uint8_t* chunk, uint8_t* dest) {
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
      std::memcpy(dest + static_cast<size_t>(rowDst + c) * ts, chunk + static_cast<size_t>(from) * ts, static_cast<size_t>(run) * ts);
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

// python-blosc2's own geometries (chunks and blocks that are not contiguous
// slices of the array): each chunk decoded into a scratch buffer, then its
// blocks scattered into place. This replaces b2nd_to_cbuffer (C-Blosc2 2.17),
// which leaks its buffers when a chunk fails, copies out unwritten memory for
// "uninitialized" chunks, and needed every chunk decoded once more beforehand
// to be safe.
static Failure DecodeTiled(const View& src, const blosc2_schunk* sc, const ChunkIndex& index, const Geometry& g,
                           const View& dest, int nthreads) {
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
  if (sc->nchunks != nchunks || chunkBytes != sc->chunksize) {
    return {"ERR_CORRUPT", "the frame's chunks disagree with its b2nd metalayer"};
  }
  std::unique_ptr<uint8_t[]> scratch(new (std::nothrow) uint8_t[static_cast<size_t>(chunkBytes)]);
  if (!scratch) return {"ERR_NO_MEMORY", "cannot allocate a chunk buffer"};
  int64_t coord[BLOSC2_MAX_DIM] = {};
  for (int64_t n = 0; n < nchunks; n++) {
    FrameChunk fc;
    Failure f = ChunkAt(src, sc, index, n, &fc);
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
    ScatterChunk(g, ext, coord, scratch.get(), dest.data);
    for (int i = g.ndim - 1; i >= 0; i--) {
      if (++coord[i] < grid[i]) break;
      coord[i] = 0;
    }
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
  ChunkIndex index;
  f = ReadChunkIndex(src, sc, dest.length, &index);
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
    return DecodeTiled(src, sc, index, g, dest, nthreads);
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
    f = ChunkAt(src, sc, index, n, &fc);
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
