// Opening a frame from pieces read apart (a range reader: a file, Redis, HTTP):
// the fixed part of the header from a prefix, the header, the offsets index
// and trailer from the frame's tail, then each chunk from its own bytes. Every
// length and offset is checked against what the header claims.
#pragma once

#include <cstdint>

#include "frame_reader.h"

namespace blosc2_node {

// What the fixed part of a frame header says about where things are.
struct FrameLayout {
  int64_t headerLen = 0;    // the header, metalayers included: [0, headerLen)
  int64_t frameLength = 0;  // the whole frame
  int64_t indexOffset = 0;  // the offsets index, then the trailer: [indexOffset, frameLength)
};

// Reads prefix (at least the first kFrameHeaderMinLen bytes of a frame).
Failure ProbeFrame(const View& prefix, FrameLayout* out);

// Opens a frame from its header (exactly the headerLen bytes) and its tail
// (the bytes from indexOffset to the end of the frame), as OpenFrame opens a
// whole one. The chunks are not needed.
Failure OpenFrameParts(const View& header, const View& tail, int64_t frameLength, FrameMeta* meta);

// Decodes the offsets index into meta, once: index holds the bytes from the
// frame's indexOffset on (the whole frame's tail will do). maxChunks bounds
// the chunk count, and so the memory the index takes (16 bytes a chunk).
Failure LoadChunkIndex(const View& index, uint64_t maxChunks, FrameMeta* meta);

// Where chunk n's stored bytes lie: *offset from the frame's start and a
// *length that holds the whole chunk (up to the next stored chunk, and no more
// than a chunk can take: chunksize + BLOSC2_MAX_OVERHEAD). A chunk kept in its
// offset (zeros, NaN, uninit) has no bytes: *offset -1, *length 0.
void ChunkExtent(const FrameMeta& meta, int64_t n, int64_t* offset, int64_t* length);

}  // namespace blosc2_node
