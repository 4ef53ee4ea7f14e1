// Reading frames we are given: b2nd frames (ours and python-blosc2's, any
// geometry) and plain super-chunks, opened once and decoded into memory the
// caller sized. Nothing of C-Blosc2's chunk lookup is run on these bytes: the
// offsets index is decoded and checked here (see frame_reader.cc).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "chunk.h"
#include "geometry_plan.h"

namespace blosc2_node {

// Where the chunks of a frame are: its offsets index, decoded and checked
// here (see ReadChunkIndex in frame_reader.cc for why not by C-Blosc2).
// Offsets count from headerLen; a negative one encodes a special chunk.
struct ChunkIndex {
  int64_t headerLen = 0;
  int64_t dataEnd = 0;  // end of the chunk area: headerLen + the frame's cbytes
  std::vector<int64_t> offsets;
  std::vector<int64_t> sorted;  // the stored chunks' offsets in order (LoadChunkIndex, frame_parts.h)
};

// What OpenFrame learned from a frame's header and metalayers. It holds no
// pointer into the frame: decoding is handed the same bytes again.
struct FrameMeta {
  Geometry g;  // for a plain super-chunk: 1-D bytes of its typesize
  std::string dtype, jsKind;
  bool isB2nd = false;
  int64_t length = 0;  // bytes of the frame it was read from
  int64_t nchunks = 0, nbytes = 0, cbytes = 0;
  int32_t chunksize = 0, blocksize = 0, typesize = 0;
  bool contiguous = false;  // a geometry of ours (geometry_plan.h), decoded straight into place
  // Offset in the frame of the items stored verbatim (one memcpyed chunk in a
  // contiguous geometry), or -1: where the JS layer can view them in place.
  int64_t rawOffset = -1;
  int64_t headerLen = 0;  // bytes of the header (metalayers included): the chunks start here
  // The offsets index, once LoadChunkIndex (frame_parts.h) has read it: lazy
  // arrays keep it for every read of a chunk.
  bool indexed = false;
  ChunkIndex index;
  // Names of the fixed and variable-length metalayers, and the content of a
  // python-blosc2 "b2o" metalayer (capped at kMarkerContentMax bytes): what the
  // JS layer needs to refuse frames that hold no array data (lazy
  // expressions, containers of other objects).
  std::vector<std::string> metalayers, vlmetalayers;
  std::string b2o;
};

// Chunk n of a frame and its checked header; owned holds the chunk when it
// had to be built (a special chunk kept in its offset).
struct FrameChunk {
  View view;
  ChunkHeader header;
  std::unique_ptr<uint8_t, decltype(&free)> owned{nullptr, free};
};

// The most bytes of a "b2o" metalayer reported (python-blosc2 writes
// {kind, version}, well under this).
constexpr int32_t kMarkerContentMax = 256;

// Parses the header and metalayers of the frame in src (no copy).
Failure OpenFrame(const View& src, FrameMeta* meta);

// Decodes the frame src (the bytes OpenFrame read meta from) into dest, which
// must be exactly the array's size, on the threads granted for one chunk.
// Everything is checked again here, so that a lying frame can never make us
// write outside dest or leave part of it unwritten.
Failure DecodeFrame(const View& src, const FrameMeta& meta, const View& dest, const ThreadRequest& threads);

// ---------------------------------------------------------------------------
// Pieces shared with random access (frame_parts.cc, frame_slice.cc).

// Parses a frame's header and metalayers from a buffer that C-Blosc2 can read
// as a frame (the frame itself, or its header and trailer put together) and
// records frameLength as the frame's length.
Failure OpenFrameMeta(const View& readable, int64_t frameLength, FrameMeta* meta);

// Decodes the offsets index from indexChunk (bytes starting at the index
// chunk, holding at least all of it) and checks every offset against the
// chunk area of meta. maxChunks bounds the chunk count (and so the memory).
Failure DecodeChunkIndex(const View& indexChunk, const FrameMeta& meta, uint64_t maxChunks, ChunkIndex* out);

// Chunk n from its stored bytes (at least the whole chunk; ignored for a
// chunk kept in its offset, which is built here): header checked, plugins refused.
Failure ChunkFrom(const View& stored, const FrameMeta& meta, const ChunkIndex& index, int64_t n, FrameChunk* out);

// Copies the items of the chunk at chunkCoord between a decoded b2nd chunk
// (its blocks in b2nd's tiled order) and their places in the C-order array g
// describes: into the array when decoding, into the chunk when writing (the
// chunk's padding is left as it was).
enum class TileCopy { kToArray, kToChunk };
void CopyChunkTiles(const Geometry& g, const int64_t* ext, const int64_t* chunkCoord, uint8_t* chunk, uint8_t* array, TileCopy dir);

// False for a chunk/block geometry no real b2nd array can have (frame_reader.cc).
bool ForeignGeometryOk(const Geometry& g);

}  // namespace blosc2_node
