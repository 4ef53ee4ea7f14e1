// Test-only encoders: the same frames built through C-Blosc2's own APIs, for
// tests and the fuzzers' seed corpus to compare against. Never in the product
// addon (CMakeLists.txt builds them into build/Release/blosc2_test.node).
#pragma once

#include "../frame_writer.h"

namespace blosc2_node::reference {

// Our frame (spec's geometry, contiguous) through schunk_new + append_chunk +
// to_buffer: what AssembleFrame must match byte for byte.
Failure EncodeFrameReference(const FrameSpec& spec, FrameOut* out);

// A frame of any geometry (python-blosc2's tiled ones included) through
// b2nd_from_cbuffer + b2nd_to_cframe.
Failure EncodeTiledReference(const FrameSpec& spec, FrameOut* out);

}  // namespace blosc2_node::reference
