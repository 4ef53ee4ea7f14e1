// Test-only reference encoders; see reference_encoders.h.
#include "reference_encoders.h"

#include <cstdlib>
#include <cstring>

extern "C" {
#include <b2nd.h>
}

namespace blosc2_node::reference {

Failure EncodeFrameReference(const FrameSpec& spec, FrameOut* out) {
  FramePlan plan;
  Failure f = PlanFrame(spec, &plan);
  if (f.code) return f;
  const Geometry& g = spec.g;
  blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
  blosc2_storage storage = BLOSC2_STORAGE_DEFAULTS;
  storage.contiguous = true;
  storage.cparams = &plan.cp;
  storage.dparams = &dp;
  out->schunk = blosc2_schunk_new(&storage);
  if (!out->schunk) return {"ERR_NO_MEMORY", "cannot create a super-chunk"};
  f = AddFrameMetalayers(out->schunk, g, spec.dtype, spec.jsKind);
  if (f.code) return f;
  std::unique_ptr<uint8_t[]> bounce;
  for (int64_t n = 0; n < plan.chunks.nchunks; n++) {
    int64_t start = 0, valid = 0;
    ChunkSpan(g, plan.chunks, n, &start, &valid);
    const uint8_t* from = spec.data.data + start * g.typesize;
    if (valid < plan.chunks.chunkItems) {
      f = PadEdgeChunk(&from, static_cast<size_t>(valid * g.typesize), static_cast<size_t>(plan.chunkBytes), &bounce);
      if (f.code) return f;
    }
    // append_chunk(copy=false) takes ownership and frees it after copying it into the frame.
    size_t bound = CompressBound(static_cast<size_t>(plan.chunkBytes));
    uint8_t* chunk = static_cast<uint8_t*>(malloc(bound));
    if (!chunk) return {"ERR_NO_MEMORY", "cannot allocate a chunk buffer"};
    int32_t cbytes =
        blosc2_compress_ctx(out->schunk->cctx, from, static_cast<int32_t>(plan.chunkBytes), chunk, static_cast<int32_t>(bound));
    if (cbytes <= 0) {
      free(chunk);
      return {"ERR_COMPRESS", BloscMessage("compression failed", cbytes), cbytes};
    }
    int64_t r = blosc2_schunk_append_chunk(out->schunk, chunk, false);
    if (r < 0) return {"ERR_COMPRESS", BloscMessage("cannot append a chunk to the frame", static_cast<int>(r)), static_cast<int>(r)};
  }
  out->length = blosc2_schunk_to_buffer(out->schunk, &out->data, &out->needsFree);
  if (out->length < 0) {
    return {"ERR_COMPRESS", BloscMessage("cannot serialize the frame", static_cast<int>(out->length)), static_cast<int>(out->length)};
  }
  return Ok();
}

namespace {

// b2nd_from_cbuffer, except for an array that is exactly one chunk: there
// C-Blosc2 2.17.1 takes a fast path (nchunk_fastpath) that compresses the
// buffer as it stands, in C order, and its test of whether the blocks tile
// the chunk in C order passes blockshapes that do not (chunk (4, 9, 6),
// block (4, 1, 6)). python-blosc2 4.14.1 (C-Blosc2 3.3.5) writes and reads
// such a chunk block by block, as this library does. Writing the array in two
// slices keeps C-Blosc2 on its block-by-block path.
int WriteTiled(b2nd_context_t* ctx, const Geometry& g, const View& data, b2nd_array_t** arr) {
  int axis = 0;
  while (axis < g.ndim && g.shape[axis] == 1) axis++;
  bool oneChunk = true;
  for (int i = 0; i < g.ndim; i++) oneChunk = oneChunk && g.shape[i] == g.chunkshape[i];
  if (!oneChunk || axis == g.ndim) return b2nd_from_cbuffer(ctx, arr, data.data, static_cast<int64_t>(data.length));
  int rc = b2nd_empty(ctx, arr);
  if (rc < 0) return rc;
  // Split at 1 along the first axis longer than 1: the axes before it have
  // extent 1, so each slice is one run of the C-order buffer.
  int64_t headBytes = g.typesize;
  for (int i = axis + 1; i < g.ndim; i++) headBytes *= g.shape[i];
  int64_t start[B2ND_MAX_DIM] = {}, stop[B2ND_MAX_DIM], sliceShape[B2ND_MAX_DIM];
  for (int i = 0; i < g.ndim; i++) stop[i] = sliceShape[i] = g.shape[i];
  stop[axis] = sliceShape[axis] = 1;
  rc = b2nd_set_slice_cbuffer(data.data, sliceShape, headBytes, start, stop, *arr);
  if (rc < 0) return rc;
  start[axis] = 1;
  stop[axis] = g.shape[axis];
  sliceShape[axis] = g.shape[axis] - 1;
  return b2nd_set_slice_cbuffer(data.data + headBytes, sliceShape, static_cast<int64_t>(data.length) - headBytes, start, stop, *arr);
}

}  // namespace

Failure EncodeTiledReference(const FrameSpec& spec, FrameOut* out) {
  const Geometry& g = spec.g;
  blosc2_cparams cp = spec.cp;
  cp.typesize = g.typesize;
  blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
  blosc2_storage storage = BLOSC2_STORAGE_DEFAULTS;
  storage.contiguous = true;
  storage.cparams = &cp;
  storage.dparams = &dp;
  b2nd_context_t* ctx =
      b2nd_create_ctx(&storage, g.ndim, g.shape, g.chunkshape, g.blockshape, spec.dtype.c_str(), DTYPE_NUMPY_FORMAT, nullptr, 0);
  if (!ctx) return {"ERR_INVALID_ARG", "C-Blosc2 refused the b2nd geometry"};
  b2nd_array_t* arr = nullptr;
  int rc = WriteTiled(ctx, g, spec.data, &arr);
  Failure f = Ok();
  if (rc < 0) {
    f = {"ERR_COMPRESS", BloscMessage("C-Blosc2's b2nd writer failed", rc), rc};
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

}  // namespace blosc2_node::reference
