// Frame assembly.
//
// C-Blosc2 builds an in-memory frame by reallocating it on every appended
// chunk and copying the chunk in: for 100 MB of incompressible data that is
// two extra passes over fresh (page-faulting) memory, and the frame then
// still has to be copied into JS memory. Here C-Blosc2 still writes every
// byte of metadata -- the header with the metalayers and the trailer come from
// its own serialization of an empty super-chunk with the same parameters, and
// the offsets are compressed with the parameters frame.c uses -- while the
// chunks are compressed back to back into a single region. The result is
// byte-identical to C-Blosc2's (test/frame-writer.test.ts compares them).
#include "frame_writer.h"

#include "huge_pages.h"

#include <cstdlib>
#include <cstring>

namespace blosc2_node {

namespace {

// Offsets of the values (after their msgpack markers) of the header fields
// that depend on the chunks (frame.h).
constexpr size_t kHeaderLen = 11;   // int32, big-endian
constexpr size_t kFrameLen = 16;    // uint64
constexpr size_t kNbytes = 30;      // int64
constexpr size_t kCbytes = 39;      // int64
constexpr size_t kChunksize = 58;   // int32
constexpr size_t kHeaderMinLen = 87;

void PutBig(uint8_t* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) {
    p[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
}

uint32_t GetBig32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}


// Header and trailer of an empty frame with these parameters and metalayers.
Failure FrameTemplate(const blosc2_cparams& cp, const Geometry& g, const std::string& dtype, const std::string& jsKind,
                      AssembledFrame* out) {
  blosc2_cparams cparams = cp;
  blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
  blosc2_storage storage = BLOSC2_STORAGE_DEFAULTS;
  storage.contiguous = true;
  storage.cparams = &cparams;
  storage.dparams = &dp;
  FrameOut empty;  // owns the super-chunk and the serialized bytes
  empty.schunk = blosc2_schunk_new(&storage);
  if (!empty.schunk) return {"ERR_NO_MEMORY", "cannot create a super-chunk"};
  Failure f = AddFrameMetalayers(empty.schunk, g, dtype, jsKind);
  if (f.code) return f;
  empty.length = blosc2_schunk_to_buffer(empty.schunk, &empty.data, &empty.needsFree);
  if (empty.length < static_cast<int64_t>(kHeaderMinLen)) {
    return {"ERR_COMPRESS", BloscMessage("cannot serialize the frame header", static_cast<int>(empty.length)),
            static_cast<int>(empty.length)};
  }
  uint32_t headerLen = GetBig32(empty.data + kHeaderLen);
  if (headerLen < kHeaderMinLen || headerLen >= empty.length) return {"ERR_COMPRESS", "unexpected frame header from C-Blosc2"};
  out->header.assign(empty.data, empty.data + headerLen);
  out->trailer.assign(empty.data + headerLen, empty.data + empty.length);
  return {nullptr, ""};
}

}  // namespace

void AssembledFrame::WriteTo(uint8_t* dest) const {
  std::memcpy(dest, header.data(), header.size());
  dest += header.size();
  if (chunksLength > 0 && dest != chunks) std::memcpy(dest, chunks, static_cast<size_t>(chunksLength));
  dest += chunksLength;
  if (!offsets.empty()) std::memcpy(dest, offsets.data(), offsets.size());
  dest += offsets.size();
  std::memcpy(dest, trailer.data(), trailer.size());
}

namespace {

// Every chunk fits in chunkBytes + overhead; the chunk region holds them all.
struct FrameBounds {
  size_t chunkBound = 0;    // one chunk
  size_t chunks = 0;        // all chunks
  size_t offsets = 0;       // the compressed offsets index
  size_t Total(const AssembledFrame& f) const { return f.header.size() + chunks + offsets + f.trailer.size(); }
};

FrameBounds BoundsFor(const ChunkPlan& plan, int64_t chunkBytes) {
  FrameBounds b;
  b.chunkBound = CompressBound(static_cast<size_t>(chunkBytes));
  b.chunks = b.chunkBound * static_cast<size_t>(plan.nchunks);
  b.offsets = plan.nchunks > 0 ? static_cast<size_t>(plan.nchunks) * sizeof(int64_t) + BLOSC2_MAX_OVERHEAD : 0;
  return b;
}

}  // namespace

Failure FrameCapacity(blosc2_cparams cp, const Geometry& g, const std::string& dtype, const std::string& jsKind,
                      const View& src, size_t* capacity) {
  ChunkPlan plan;
  int64_t chunkBytes = 0;
  Failure f = PrepareFrameParams(&cp, g, src, &plan, &chunkBytes);
  if (f.code) return f;
  AssembledFrame frame;
  f = FrameTemplate(cp, g, dtype, jsKind, &frame);
  if (f.code) return f;
  *capacity = BoundsFor(plan, chunkBytes).Total(frame);
  return {nullptr, ""};
}

Failure AssembleFrame(blosc2_cparams cp, const Geometry& g, const std::string& dtype, const std::string& jsKind,
                      const View& src, AssembledFrame* out, const PlaceFrame& place) {
  ChunkPlan plan;
  int64_t chunkBytes = 0;
  Failure f = PrepareFrameParams(&cp, g, src, &plan, &chunkBytes);
  if (f.code) return f;
  f = FrameTemplate(cp, g, dtype, jsKind, out);
  if (f.code) return f;

  FrameBounds bounds = BoundsFor(plan, chunkBytes);
  size_t bound = bounds.chunkBound;
  size_t capacity = bounds.chunks;
  size_t offsetsBound = bounds.offsets;
  uint8_t* placed = place ? place(bounds.Total(*out)) : nullptr;
  if (placed != nullptr) {
    out->chunks = placed + out->header.size();
  } else if (capacity > 0) {
    out->ownChunks.reset(static_cast<uint8_t*>(malloc(capacity)));
    if (!out->ownChunks) return {"ERR_NO_MEMORY", "cannot allocate the frame's chunks"};
    out->chunks = out->ownChunks.get();
    AdviseHugePages(out->chunks, capacity);
  }
  std::vector<int64_t> offsets(static_cast<size_t>(plan.nchunks));
  CtxPtr cctx(blosc2_create_cctx(cp), blosc2_free_ctx);
  if (!cctx) return {"ERR_INVALID_ARG", "C-Blosc2 refused the compression parameters"};
  std::unique_ptr<uint8_t[]> bounce;
  int64_t stored = 0;  // bytes of chunks in the region
  for (int64_t n = 0; n < plan.nchunks; n++) {
    int64_t start = 0, valid = 0;
    ChunkSpan(g, plan, n, &start, &valid);
    const uint8_t* from = src.data + start * g.typesize;
    if (valid < plan.chunkItems) {
      f = PadEdgeChunk(&from, static_cast<size_t>(valid * g.typesize), static_cast<size_t>(chunkBytes), &bounce);
      if (f.code) return f;
    }
    uint8_t* to = out->chunks + stored;
    int32_t cbytes = blosc2_compress_ctx(cctx.get(), from, static_cast<int32_t>(chunkBytes), to, static_cast<int32_t>(bound));
    if (cbytes <= 0) return {"ERR_COMPRESS", BloscMessage("compression failed", cbytes), cbytes};
    // As frame_append_chunk: zero, NaN and uninit chunks live in their offset only.
    int special = (to[BLOSC2_CHUNK_BLOSC2_FLAGS] >> 4) & BLOSC2_SPECIAL_MASK;
    if (cbytes >= BLOSC_EXTENDED_HEADER_LENGTH &&
        (special == BLOSC2_SPECIAL_ZERO || special == BLOSC2_SPECIAL_NAN || special == BLOSC2_SPECIAL_UNINIT)) {
      offsets[static_cast<size_t>(n)] = static_cast<int64_t>((uint64_t{1} << 63) + (static_cast<uint64_t>(special) << 56));
    } else {
      offsets[static_cast<size_t>(n)] = stored;
      stored += cbytes;
    }
  }
  out->chunksLength = stored;

  if (plan.nchunks > 0) {
    // The offsets chunk, compressed exactly as frame.c does.
    blosc2_cparams ocp = BLOSC2_CPARAMS_DEFAULTS;
    ocp.splitmode = BLOSC_NEVER_SPLIT;
    ocp.typesize = sizeof(int64_t);
    ocp.blocksize = 16 * 1024;
    // frame.c asks for 4 threads, but the offsets of up to 2048 chunks are one
    // block, so the bytes are the same, without starting a thread pool per frame.
    ocp.nthreads = 1;
    ocp.compcode = BLOSC_BLOSCLZ;
    CtxPtr octx(blosc2_create_cctx(ocp), blosc2_free_ctx);
    if (!octx) return {"ERR_NO_MEMORY", "cannot create a compression context"};
    int32_t onbytes = static_cast<int32_t>(offsets.size() * sizeof(int64_t));
    out->offsets.resize(offsetsBound);
    int32_t ocbytes = blosc2_compress_ctx(octx.get(), offsets.data(), onbytes, out->offsets.data(),
                                          static_cast<int32_t>(out->offsets.size()));
    if (ocbytes <= 0) return {"ERR_COMPRESS", BloscMessage("cannot compress the chunk offsets", ocbytes), ocbytes};
    out->offsets.resize(static_cast<size_t>(ocbytes));
  }

  uint8_t* h = out->header.data();
  PutBig(h + kFrameLen, static_cast<uint64_t>(out->Length()), 8);
  PutBig(h + kNbytes, static_cast<uint64_t>(plan.nchunks * chunkBytes), 8);
  // Chunks kept only in their offset (zeros, NaN, uninit) count no bytes, and
  // a frame without chunks keeps the template's chunk size of -1.
  PutBig(h + kCbytes, static_cast<uint64_t>(stored), 8);
  if (plan.nchunks > 0) PutBig(h + kChunksize, static_cast<uint64_t>(chunkBytes), 4);
  return {nullptr, ""};
}

}  // namespace blosc2_node
