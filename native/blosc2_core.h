// The N-API-free core of the addon: chunk and frame mechanics on raw memory.
// blosc2_addon.cc binds it to JS; fuzz/ harnesses link it directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

extern "C" {
#include <b2nd.h>
#include <blosc2.h>
}

namespace blosc2_node {

struct Failure {
  const char* code;  // stable error code, nullptr on success
  std::string message;
  int cerr = 0;      // C-Blosc2's own error number, 0 when there is none
};

struct View {
  uint8_t* data = nullptr;
  size_t length = 0;
};

struct ChunkHeader {
  int32_t nbytes = 0, cbytes = 0, blocksize = 0;
  int special = 0;
};

struct Geometry {
  int8_t ndim = 0;
  int64_t shape[BLOSC2_MAX_DIM] = {};
  int32_t chunkshape[BLOSC2_MAX_DIM] = {};
  int32_t blockshape[BLOSC2_MAX_DIM] = {};
  int32_t typesize = 0;
};

struct ChunkPlan {
  int k = 0;               // the split axis
  int64_t inner = 1;       // items of one step along axis k (product of later dims)
  int64_t chunkItems = 1;  // items of one (padded) chunk
  int64_t perRow = 1;      // chunks along axis k
  int64_t nchunks = 0;
};

struct FrameOut {
  uint8_t* data = nullptr;
  int64_t length = 0;
  bool needsFree = false;
  blosc2_schunk* schunk = nullptr;
  FrameOut() = default;
  FrameOut(const FrameOut&) = delete;
  FrameOut& operator=(const FrameOut&) = delete;
  ~FrameOut();
};

struct FrameIn {
  blosc2_schunk* schunk = nullptr;
  FrameIn() = default;
  FrameIn(const FrameIn&) = delete;
  FrameIn& operator=(const FrameIn&) = delete;
  ~FrameIn();
};

using CtxPtr = std::unique_ptr<blosc2_context, decltype(&blosc2_free_ctx)>;

std::string BloscMessage(const char* what, int rc);
size_t CompressBound(size_t nbytes);
Failure DoCompress(blosc2_cparams cp, const View& src, uint8_t* dest, size_t destCap, int32_t* cbytes);
// How much of the chunk src must hold: its header, the whole chunk, or exactly the chunk.
enum class HeaderCheck { kHeaderOnly = 0, kWithin = 1, kExact = 2 };
Failure ReadChunkHeader(const View& src, ChunkHeader* h, HeaderCheck check);
Failure DoDecompress(int nthreads, const View& src, const ChunkHeader& h, uint8_t* dest, size_t destCap);
bool ContiguousPlan(const Geometry& g, ChunkPlan* p);
void ChunkSpan(const Geometry& g, const ChunkPlan& p, int64_t n, int64_t* start, int64_t* valid);
// Checks data against the geometry, fills its plan and chunk size, and sets
// the type and block size of cp for a b2nd frame.
Failure PrepareFrameParams(blosc2_cparams* cp, const Geometry& g, const View& src, ChunkPlan* plan, int64_t* chunkBytes);
// Adds the "b2nd" metalayer and, when jsKind is set, our "js" one.
Failure AddFrameMetalayers(blosc2_schunk* schunk, const Geometry& g, const std::string& dtype, const std::string& jsKind);
// Copies the valid part of an edge chunk into *bounce (allocated once, chunkBytes
// long), zero-pads the rest, and points *from at it.
Failure PadEdgeChunk(const uint8_t** from, size_t used, size_t chunkBytes, std::unique_ptr<uint8_t[]>* bounce);
Failure EncodeFrame(blosc2_cparams cp, const Geometry& g, const std::string& dtype, const std::string& jsKind,
                    const View& src, FrameOut* out);
Failure OpenFrame(const View& src, FrameIn* in, Geometry* g, std::string* dtype, std::string* jsKind, bool* isB2nd);
Failure DecodeFrame(const View& src, const View& dest, int nthreads);
Failure EncodeTiledReference(blosc2_cparams cp, const Geometry& g, const std::string& dtype, const View& src, FrameOut* out);
// Offset in the frame of the items stored verbatim (one memcpyed chunk in a
// contiguous geometry), or -1: where the JS layer can view them in place.
double FrameRawOffset(const View& src, const FrameIn& in, bool contiguous);
int32_t SuggestBlocksize(blosc2_cparams cp, int32_t nbytes);

}  // namespace blosc2_node
