// Reading frames we are given: b2nd frames (ours and python-blosc2's, any
// geometry) and plain super-chunks, opened once and decoded into memory the
// caller sized. Nothing of C-Blosc2's chunk lookup is run on these bytes: the
// offsets index is decoded and checked here (see frame_reader.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chunk.h"
#include "geometry_plan.h"

namespace blosc2_node {

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
  // Names of the fixed and variable-length metalayers, and the content of a
  // python-blosc2 "b2o" metalayer (capped at kMarkerContentMax bytes): what the
  // JS layer needs to refuse frames that hold no array data (lazy
  // expressions, containers of other objects).
  std::vector<std::string> metalayers, vlmetalayers;
  std::string b2o;
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

}  // namespace blosc2_node
