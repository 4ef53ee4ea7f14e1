// Every raw offset into C-Blosc2's bytes that this code relies on, and the
// C-Blosc2 release they were read from. C-Blosc2's public headers name the
// chunk header's fields (BLOSC2_CHUNK_*); the frame format's offsets live in
// its private frame.h, and a few encodings (special chunks kept in their
// offset, the offsets index's parameters, the b2nd metalayer's layout) only
// in its .c files. Before building against another C-Blosc2 release, compare
// each value below with that release's blosc/frame.h, frame.c, blosc2.c and
// b2nd.c, then update kCheckedMinor.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {
#include <blosc2.h>
}

namespace blosc2_node::layout {

constexpr int kCheckedMajor = 2;
constexpr int kCheckedMinor = 17;

#ifndef BLOSC2_NODE_UNCHECKED_VERSION
static_assert(BLOSC2_VERSION_MAJOR == kCheckedMajor && BLOSC2_VERSION_MINOR == kCheckedMinor,
              "native/cblosc2_layout.h was checked against C-Blosc2 2.17: re-check its offsets against this release "
              "(or define BLOSC2_NODE_UNCHECKED_VERSION to build anyway)");
#endif

// Frame header (frame.h). Each value follows a one-byte msgpack marker; the
// offsets point at the value, which is big-endian.
constexpr size_t kFrameHeaderLen = 11;       // FRAME_HEADER_LEN: int32, bytes of the header
constexpr size_t kFrameLen = 16;             // FRAME_LEN: uint64, bytes of the whole frame
constexpr size_t kFrameNbytes = 30;          // FRAME_NBYTES: int64, uncompressed bytes
constexpr size_t kFrameCbytes = 39;          // FRAME_CBYTES: int64, bytes of the chunks
constexpr size_t kFrameChunksize = 58;       // FRAME_CHUNKSIZE: int32
constexpr size_t kFrameFilterPipeline = 70;  // FRAME_FILTER_PIPELINE: a count, then the filter ids
constexpr size_t kFrameHeaderMinLen = 87;    // FRAME_HEADER_MINLEN
constexpr size_t kFrameMinLen = 64;          // shorter input is not worth handing to C-Blosc2
// The value markers in front of those fields (msgpack int32, uint64, int64).
constexpr uint8_t kMarkInt32 = 0xd2, kMarkUint64 = 0xcf, kMarkInt64 = 0xd3;
// Frame trailer (frame.c: frame_update_trailer): its last FRAME_TRAILER_MINLEN
// bytes end with a uint32 marker and value (the trailer's length), then a
// fixext16 fingerprint.
constexpr size_t kTrailerMinLen = 25;      // FRAME_TRAILER_MINLEN
constexpr size_t kTrailerLenFromEnd = 22;  // FRAME_TRAILER_LEN_OFFSET: the value's offset from the end
constexpr uint8_t kMarkUint32 = 0xce;

inline uint32_t GetBig32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint64_t GetBig64(const uint8_t* p) { return (uint64_t{GetBig32(p)} << 32) | GetBig32(p + 4); }

// A chunk kept only in its offset (frame.c: frame_append_chunk, frame_special_chunk):
// the top bit set, the special kind (BLOSC2_SPECIAL_*) in bits 56-62.
constexpr uint64_t kSpecialOffsetFlag = uint64_t{1} << 63;
constexpr int kSpecialOffsetShift = 56;

// The offsets index, compressed as frame.c compresses it.
constexpr int32_t kOffsetsBlocksize = 16 * 1024;
constexpr uint8_t kOffsetsCodec = BLOSC_BLOSCLZ;
constexpr int32_t kOffsetsTypesize = 8;

// Chunk header byte 22: the codec id when the flags name a user-defined codec
// (blosc2.c: blosc_header.udcompcode). blosc2.h has no name for it.
constexpr size_t kChunkUdcompcode = 0x16;

// Chunk header byte 31 (BLOSC2_CHUNK_BLOSC2_FLAGS): the special kind in bits 4-6.
inline int ChunkSpecial(const uint8_t* chunk) { return (chunk[BLOSC2_CHUNK_BLOSC2_FLAGS] >> 4) & BLOSC2_SPECIAL_MASK; }
// Flags bits 0 and 2 both set: an extended (32-byte) header.
inline bool ChunkExtended(const uint8_t* chunk) { return (chunk[BLOSC2_CHUNK_FLAGS] & 0x5) == 0x5; }

// The "b2nd" metalayer (b2nd.c: b2nd_serialize_meta): a fixarray marker, the
// version, ndim, then shape as a msgpack array of int64 (a marker + 8 bytes
// each), chunkshape and blockshape as arrays of int32 (marker + 4 bytes each),
// and optionally the dtype format byte and a str32 dtype.
constexpr size_t kB2ndNdim = 2;
constexpr size_t kB2ndShapeItem = 9;
constexpr size_t kB2ndGridItem = 5;
inline int64_t B2ndFixedLength(int ndim) { return 3 + (1 + kB2ndShapeItem * ndim) + 2 * (1 + kB2ndGridItem * ndim); }
constexpr size_t kB2ndDtypeLengthAfterFixed = 2;  // the format byte and the str32 marker

}  // namespace blosc2_node::layout
