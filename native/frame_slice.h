// Reading part of a frame: the items a selection names (per dimension a start,
// a step and a count: python-blosc2's __getitem__ once the JS layer has
// resolved negative indices and steps), decoding only the chunks it touches
// and, within each, only the blocks it needs (C-Blosc2's block mask). Works on
// our contiguous geometries, python-blosc2's tiled ones and plain super-chunks
// (1-D bytes); the frame must be indexed (LoadChunkIndex, frame_parts.h).
// Threads are granted per chunk by the bytes it decodes (threads.h).
#pragma once

#include <cstdint>
#include <vector>

#include "frame_reader.h"

namespace blosc2_node {

// Item i_k = start + k * step for k in [0, count), per dimension. A 0-d array
// takes a selection of no dimensions.
struct Selection {
  int ndim = 0;
  int64_t start[BLOSC2_MAX_DIM] = {};
  int64_t step[BLOSC2_MAX_DIM] = {};
  int64_t count[BLOSC2_MAX_DIM] = {};
};

// Checks once that the frame's geometry can be sliced: the checks DecodeFrame
// makes of the whole frame.
Failure CheckSliceable(const FrameMeta& meta);

// The numbers of the chunks sel touches, ascending.
Failure PlanSlice(const FrameMeta& meta, const Selection& sel, std::vector<int64_t>* chunks);

// Decodes sel from the in-memory frame src (the bytes meta was opened from)
// into dest: the selected items in C order over sel.count, exactly their bytes.
Failure DecodeSlice(const View& src, const FrameMeta& meta, const Selection& sel, const View& dest, const ThreadRequest& threads);

// The same from chunks read apart: chunks[i] holds the stored bytes of chunk
// ids[i] (its ChunkExtent; ignored for a chunk kept in its offset), each id one
// that PlanSlice lists. Writes the parts of dest that these chunks hold.
Failure DecodeSliceChunks(const FrameMeta& meta, const Selection& sel, const int64_t* ids, const View* chunks, size_t n, const View& dest,
                          const ThreadRequest& threads);

// Where DecodeSliceChunks writes the items of chunks ids[0..count) in dest:
// per chunk, the box [k0, k1) of sel's item indices along each of *ndim axes
// (sel's dimensions; 1 for a 0-d array), as boxes[i * 2 * *ndim + d] = k0 and
// [.. + *ndim + d] = k1. For a binding that decodes into memory of its own
// and copies back only what a call wrote (the WebAssembly one).
Failure SliceChunkBoxes(const FrameMeta& meta, const Selection& sel, const int64_t* ids, size_t count, int* ndim, int64_t* boxes);

}  // namespace blosc2_node
