// Writing b2nd frames (the CFrame + "b2nd" metalayer that python-blosc2 reads
// with ndarray_from_cframe) from an array in C order, chunk by chunk straight
// from its memory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chunk.h"
#include "geometry_plan.h"

namespace blosc2_node {

// An array to frame: its bytes, shape and item size in g, its NumPy dtype,
// the JS class it came from ("js" metalayer; empty for none), how to
// compress it, and on how many threads (cp.nthreads is not read).
struct FrameSpec {
  View data;
  Geometry g;
  std::string dtype, jsKind;
  blosc2_cparams cp = BLOSC2_CPARAMS_DEFAULTS;
  ThreadRequest threads;
};

// Checks spec->data against g.shape and g.typesize, then fills g's chunkshape
// and blockshape (geometry_plan.h): the geometry of every frame we write.
Failure ChooseFrameGeometry(FrameSpec* spec);

// A b2nd CFrame in four pieces, written out by WriteTo: header, the chunks
// back to back, the compressed offsets, trailer.
struct AssembledFrame {
  std::vector<uint8_t> header;
  std::unique_ptr<uint8_t, decltype(&free)> ownChunks{nullptr, free};
  uint8_t* chunks = nullptr;  // ownChunks, or inside the caller's placed frame
  int64_t chunksLength = 0;
  std::vector<uint8_t> offsets;
  std::vector<uint8_t> trailer;

  int64_t Length() const {
    return static_cast<int64_t>(header.size()) + chunksLength + static_cast<int64_t>(offsets.size()) + static_cast<int64_t>(trailer.size());
  }
  // Writes the frame to dest; where dest is the placed frame, the chunks are
  // already in their place and only the rest is written.
  void WriteTo(uint8_t* dest) const;
};

// Where the whole frame will go, asked once its worst-case length is known:
// returns at least that many writable bytes, or nullptr for a region of the
// writer's own (then WriteTo copies the frame out).
using PlaceFrame = std::function<uint8_t*(size_t capacity)>;

// The worst-case length of the frame AssembleFrame builds for spec: what it
// asks PlaceFrame for.
Failure FrameCapacity(const FrameSpec& spec, size_t* capacity);

// Builds the same bytes as C-Blosc2's super-chunk route (schunk_new +
// append_chunk + to_buffer; test/frame-writer.test.ts compares them), but
// compresses every chunk straight into one region instead of having C-Blosc2
// copy each chunk into a growing frame.
Failure AssembleFrame(const FrameSpec& spec, AssembledFrame* out, const PlaceFrame& place = nullptr);

// ---------------------------------------------------------------------------
// Pieces shared with the test-only reference encoders (native/test_addon/).

// A b2nd frame's chunk layout for spec, with cp set as the frame needs it
// (typesize, blocksize; one thread: AssembleFrame sets the count it is granted).
struct FramePlan {
  blosc2_cparams cp;
  ChunkPlan chunks;
  int64_t chunkBytes = 0;
};
Failure PlanFrame(const FrameSpec& spec, FramePlan* plan);

// Adds the "b2nd" metalayer and, when jsKind is set, our "js" one.
Failure AddFrameMetalayers(blosc2_schunk* schunk, const Geometry& g, const std::string& dtype, const std::string& jsKind);

// Copies the valid part of an edge chunk into *bounce (allocated once,
// chunkBytes long), zero-pads the rest, and points *from at it.
Failure PadEdgeChunk(const uint8_t** from, size_t used, size_t chunkBytes, std::unique_ptr<uint8_t[]>* bounce);

// A super-chunk and its serialized frame, freed together.
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

}  // namespace blosc2_node
