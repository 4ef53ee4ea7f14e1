// Frame assembly without C-Blosc2's per-chunk copies; see frame_writer.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "blosc2_core.h"

namespace blosc2_node {

// A b2nd CFrame in four pieces, written out by WriteTo: header, the chunks
// back to back, the compressed offsets, trailer.
struct AssembledFrame {
  std::vector<uint8_t> header;
  std::unique_ptr<uint8_t, decltype(&free)> chunks{nullptr, free};
  int64_t chunksLength = 0;
  std::vector<uint8_t> offsets;
  std::vector<uint8_t> trailer;

  int64_t Length() const {
    return static_cast<int64_t>(header.size()) + chunksLength + static_cast<int64_t>(offsets.size()) +
           static_cast<int64_t>(trailer.size());
  }
  void WriteTo(uint8_t* dest) const;
};

// Builds the same bytes as EncodeFrame (C-Blosc2's schunk + append_chunk
// route), but compresses every chunk straight into one region instead of
// having C-Blosc2 copy each chunk into a growing frame.
Failure AssembleFrame(blosc2_cparams cp, const Geometry& g, const std::string& dtype, const std::string& jsKind,
                      const View& src, AssembledFrame* out);

}  // namespace blosc2_node
