// Frame assembly without C-Blosc2's per-chunk copies; see frame_writer.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "blosc2_core.h"

namespace blosc2_node {

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
    return static_cast<int64_t>(header.size()) + chunksLength + static_cast<int64_t>(offsets.size()) +
           static_cast<int64_t>(trailer.size());
  }
  // Writes the frame to dest; where dest is the placed frame, the chunks are
  // already in their place and only the rest is written.
  void WriteTo(uint8_t* dest) const;
};

// Where the whole frame will go, asked once its worst-case length is known:
// returns at least that many writable bytes, or nullptr for a region of the
// writer's own (then WriteTo copies the frame out).
using PlaceFrame = std::function<uint8_t*(size_t capacity)>;

// Builds the same bytes as EncodeFrame (C-Blosc2's schunk + append_chunk
// route), but compresses every chunk straight into one region instead of
// having C-Blosc2 copy each chunk into a growing frame.
// The worst-case length of the frame AssembleFrame builds for these
// arguments: what it asks PlaceFrame for.
Failure FrameCapacity(blosc2_cparams cp, const Geometry& g, const std::string& dtype, const std::string& jsKind,
                      const View& src, size_t* capacity);

Failure AssembleFrame(blosc2_cparams cp, const Geometry& g, const std::string& dtype, const std::string& jsKind,
                      const View& src, AssembledFrame* out, const PlaceFrame& place = nullptr);

}  // namespace blosc2_node
