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

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "cblosc2_layout.h"
#include "context_pool.h"
#include "huge_pages.h"

extern "C" {
#include <b2nd.h>
}

namespace blosc2_node {

using CtxPtr = std::unique_ptr<blosc2_context, decltype(&blosc2_free_ctx)>;

FrameOut::~FrameOut() {
  if (needsFree) free(data);
  if (schunk) blosc2_schunk_free(schunk);
}

Failure ChooseFrameGeometry(FrameSpec* spec) {
  Geometry& g = spec->g;
  if (g.ndim < 0 || g.ndim > BLOSC2_MAX_DIM || g.typesize <= 0) return {"ERR_INVALID_ARG", "impossible shape or item size"};
  int64_t items = 1;
  for (int i = 0; i < g.ndim; i++) {
    if (g.shape[i] < 0 || __builtin_mul_overflow(items, g.shape[i], &items)) return {"ERR_INVALID_ARG", "impossible shape"};
  }
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(items), static_cast<uint64_t>(g.typesize), &bytes) || bytes != spec->data.length) {
    return {"ERR_INVALID_ARG", "the data holds " + std::to_string(spec->data.length) + " bytes but the shape needs " +
                                   std::to_string(items) + " items of " + std::to_string(g.typesize) + " bytes"};
  }
  blosc2_cparams cp = spec->cp;
  cp.typesize = g.typesize;
  const View data = spec->data;
  // A sample from the middle of the array, compressed on one thread with
  // blocks of half, once and twice the target (FORMAT.md: the geometry weighs
  // awkward shapes by it).
  auto sample = [&](int64_t target) {
    SampleSizes f;
    int64_t length = std::min<int64_t>(static_cast<int64_t>(data.length), 4 * target) / g.typesize * g.typesize;
    if (length <= 0) return f;
    const uint8_t* from = data.data + (static_cast<int64_t>(data.length) - length) / 2 / g.typesize * g.typesize;
    std::vector<uint8_t> out(CompressBound(static_cast<size_t>(length)));
    double* sizes[] = {&f.atHalf, &f.atTarget, &f.atDouble};
    for (int i = 0; i < 3; i++) {
      blosc2_cparams scp = cp;
      scp.nthreads = 1;
      scp.blocksize = static_cast<int32_t>(std::max<int64_t>(g.typesize, (target << i) / 2 / g.typesize * g.typesize));
      int32_t cbytes = 0;
      if (DoCompress(scp, View{const_cast<uint8_t*>(from), static_cast<size_t>(length)}, out.data(), out.size(), &cbytes).code)
        return SampleSizes{};
      *sizes[i] = static_cast<double>(cbytes) / static_cast<double>(length);
    }
    return f;
  };
  ChooseGeometry(&g, BlockTarget(cp), cp.clevel == 0 ? kStoreChunkBytes : kChunkTargetBytes, sample);
  return Ok();
}

Failure PlanFrame(const FrameSpec& spec, FramePlan* plan) {
  const Geometry& g = spec.g;
  if (!ContiguousPlan(g, &plan->chunks)) return {"ERR_INVALID_ARG", "chunkshape/blockshape are not a contiguous layout"};
  int64_t items = 1;
  for (int i = 0; i < g.ndim; i++) items *= g.shape[i];
  if (static_cast<uint64_t>(items) * g.typesize != spec.data.length) {
    return {"ERR_INVALID_ARG",
            "the data holds " + std::to_string(spec.data.length) + " bytes but the shape needs " + std::to_string(items * g.typesize)};
  }
  plan->chunkBytes = plan->chunks.chunkItems * g.typesize;
  int64_t blockItems = 1;
  for (int i = 0; i < g.ndim; i++) blockItems *= g.blockshape[i];
  if (plan->chunkBytes > BLOSC2_MAX_BUFFERSIZE) return {"ERR_INVALID_ARG", "chunkshape makes chunks over 2 GiB"};
  plan->cp = spec.cp;
  plan->cp.typesize = g.typesize;
  plan->cp.blocksize = static_cast<int32_t>(blockItems * g.typesize);
  plan->cp.nthreads = 1;
  return Ok();
}

Failure AddFrameMetalayers(blosc2_schunk* schunk, const Geometry& g, const std::string& dtype, const std::string& jsKind) {
  uint8_t* smeta = nullptr;
  int32_t smetaLen = b2nd_serialize_meta(g.ndim, g.shape, g.chunkshape, g.blockshape, dtype.c_str(), DTYPE_NUMPY_FORMAT, &smeta);
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
  return Ok();
}

Failure PadEdgeChunk(const uint8_t** from, size_t used, size_t chunkBytes, std::unique_ptr<uint8_t[]>* bounce) {
  // b2nd chunks always hold the full chunkshape; the edge chunk is padded with zeros.
  if (!*bounce) {
    bounce->reset(new (std::nothrow) uint8_t[chunkBytes]);
    if (!*bounce) return {"ERR_NO_MEMORY", "cannot allocate the edge chunk"};
    AdviseHugePages(bounce->get(), chunkBytes);
  }
  std::memcpy(bounce->get(), *from, used);
  std::memset(bounce->get() + used, 0, chunkBytes - used);
  *from = bounce->get();
  return Ok();
}

namespace {

void PutBig(uint8_t* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) {
    p[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
}

uint32_t GetBig32(const uint8_t* p) { return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]}; }

// Header and trailer of an empty frame with these parameters and metalayers.
Failure FrameTemplate(const blosc2_cparams& cp, const FrameSpec& spec, AssembledFrame* out) {
  blosc2_cparams cparams = cp;
  blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
  blosc2_storage storage = BLOSC2_STORAGE_DEFAULTS;
  storage.contiguous = true;
  storage.cparams = &cparams;
  storage.dparams = &dp;
  FrameOut empty;
  empty.schunk = blosc2_schunk_new(&storage);
  if (!empty.schunk) return {"ERR_NO_MEMORY", "cannot create a super-chunk"};
  Failure f = AddFrameMetalayers(empty.schunk, spec.g, spec.dtype, spec.jsKind);
  if (f.code) return f;
  empty.length = blosc2_schunk_to_buffer(empty.schunk, &empty.data, &empty.needsFree);
  if (empty.length < static_cast<int64_t>(layout::kFrameHeaderMinLen)) {
    return {"ERR_COMPRESS", BloscMessage("cannot serialize the frame header", static_cast<int>(empty.length)),
            static_cast<int>(empty.length)};
  }
  uint32_t headerLen = GetBig32(empty.data + layout::kFrameHeaderLen);
  if (headerLen < layout::kFrameHeaderMinLen || headerLen >= empty.length) {
    return {"ERR_COMPRESS", "unexpected frame header from C-Blosc2"};
  }
  out->header.assign(empty.data, empty.data + headerLen);
  out->trailer.assign(empty.data + headerLen, empty.data + empty.length);
  return Ok();
}

// Every chunk fits in chunkBytes + overhead; the chunk region holds them all.
struct FrameBounds {
  size_t chunkBound = 0;  // one chunk
  size_t chunks = 0;      // all chunks
  size_t offsets = 0;     // the compressed offsets index
  size_t Total(const AssembledFrame& f) const { return f.header.size() + chunks + offsets + f.trailer.size(); }
};

FrameBounds BoundsFor(const FramePlan& plan) {
  FrameBounds b;
  b.chunkBound = CompressBound(static_cast<size_t>(plan.chunkBytes));
  b.chunks = b.chunkBound * static_cast<size_t>(plan.chunks.nchunks);
  b.offsets = plan.chunks.nchunks > 0 ? static_cast<size_t>(plan.chunks.nchunks) * sizeof(int64_t) + BLOSC2_MAX_OVERHEAD : 0;
  return b;
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

Failure FrameCapacity(const FrameSpec& spec, size_t* capacity) {
  FramePlan plan;
  Failure f = PlanFrame(spec, &plan);
  if (f.code) return f;
  AssembledFrame frame;
  f = FrameTemplate(plan.cp, spec, &frame);
  if (f.code) return f;
  *capacity = BoundsFor(plan).Total(frame);
  return Ok();
}

Failure AssembleFrame(const FrameSpec& spec, AssembledFrame* out, const PlaceFrame& place) {
  FramePlan plan;
  Failure f = PlanFrame(spec, &plan);
  if (f.code) return f;
  f = FrameTemplate(plan.cp, spec, out);
  if (f.code) return f;
  const Geometry& g = spec.g;
  const ChunkPlan& chunks = plan.chunks;

  FrameBounds bounds = BoundsFor(plan);
  uint8_t* placed = place ? place(bounds.Total(*out)) : nullptr;
  if (placed != nullptr) {
    out->chunks = placed + out->header.size();
  } else if (bounds.chunks > 0) {
    out->ownChunks.reset(static_cast<uint8_t*>(malloc(bounds.chunks)));
    if (!out->ownChunks) return {"ERR_NO_MEMORY", "cannot allocate the frame's chunks"};
    out->chunks = out->ownChunks.get();
    AdviseHugePages(out->chunks, bounds.chunks);
  }
  std::vector<int64_t> offsets(static_cast<size_t>(chunks.nchunks));
  // Threads by the bytes of one chunk: what each C-Blosc2 call compresses.
  ThreadGrant grant(spec.threads, static_cast<size_t>(plan.chunkBytes), static_cast<size_t>(plan.cp.blocksize));
  blosc2_cparams cp = plan.cp;
  cp.nthreads = static_cast<int16_t>(grant.count());
  PooledContext cctx = AcquireCompression(cp);
  if (!cctx) return {"ERR_INVALID_ARG", "C-Blosc2 refused the compression parameters"};
  std::unique_ptr<uint8_t[]> bounce;
  int64_t stored = 0;  // bytes of chunks in the region
  for (int64_t n = 0; n < chunks.nchunks; n++) {
    int64_t start = 0, valid = 0;
    ChunkSpan(g, chunks, n, &start, &valid);
    const uint8_t* from = spec.data.data + start * g.typesize;
    if (valid < chunks.chunkItems) {
      f = PadEdgeChunk(&from, static_cast<size_t>(valid * g.typesize), static_cast<size_t>(plan.chunkBytes), &bounce);
      if (f.code) return f;
    }
    uint8_t* to = out->chunks + stored;
    int32_t cbytes =
        blosc2_compress_ctx(cctx.get(), from, static_cast<int32_t>(plan.chunkBytes), to, static_cast<int32_t>(bounds.chunkBound));
    if (cbytes <= 0) {
      cctx.Discard();
      return {"ERR_COMPRESS", BloscMessage("compression failed", cbytes), cbytes};
    }
    // As frame_append_chunk: zero, NaN and uninit chunks live in their offset only.
    int special = layout::ChunkSpecial(to);
    if (cbytes >= BLOSC_EXTENDED_HEADER_LENGTH &&
        (special == BLOSC2_SPECIAL_ZERO || special == BLOSC2_SPECIAL_NAN || special == BLOSC2_SPECIAL_UNINIT)) {
      offsets[static_cast<size_t>(n)] =
          static_cast<int64_t>(layout::kSpecialOffsetFlag + (static_cast<uint64_t>(special) << layout::kSpecialOffsetShift));
    } else {
      offsets[static_cast<size_t>(n)] = stored;
      stored += cbytes;
    }
  }
  out->chunksLength = stored;

  if (chunks.nchunks > 0) {
    // The offsets chunk, compressed exactly as frame.c does.
    blosc2_cparams ocp = BLOSC2_CPARAMS_DEFAULTS;
    ocp.splitmode = BLOSC_NEVER_SPLIT;
    ocp.typesize = layout::kOffsetsTypesize;
    ocp.blocksize = layout::kOffsetsBlocksize;
    // frame.c asks for 4 threads, but the offsets of up to 2048 chunks are one
    // block, so the bytes are the same, without starting a thread pool per frame.
    ocp.nthreads = 1;
    ocp.compcode = layout::kOffsetsCodec;
    CtxPtr octx(blosc2_create_cctx(ocp), blosc2_free_ctx);
    if (!octx) return {"ERR_NO_MEMORY", "cannot create a compression context"};
    int32_t onbytes = static_cast<int32_t>(offsets.size() * sizeof(int64_t));
    out->offsets.resize(bounds.offsets);
    int32_t ocbytes =
        blosc2_compress_ctx(octx.get(), offsets.data(), onbytes, out->offsets.data(), static_cast<int32_t>(out->offsets.size()));
    if (ocbytes <= 0) return {"ERR_COMPRESS", BloscMessage("cannot compress the chunk offsets", ocbytes), ocbytes};
    out->offsets.resize(static_cast<size_t>(ocbytes));
  }

  uint8_t* h = out->header.data();
  PutBig(h + layout::kFrameLen, static_cast<uint64_t>(out->Length()), 8);
  PutBig(h + layout::kFrameNbytes, static_cast<uint64_t>(chunks.nchunks * plan.chunkBytes), 8);
  // Chunks kept only in their offset (zeros, NaN, uninit) count no bytes, and
  // a frame without chunks keeps the template's chunk size of -1.
  PutBig(h + layout::kFrameCbytes, static_cast<uint64_t>(stored), 8);
  if (chunks.nchunks > 0) PutBig(h + layout::kFrameChunksize, static_cast<uint64_t>(plan.chunkBytes), 4);
  return Ok();
}

}  // namespace blosc2_node
