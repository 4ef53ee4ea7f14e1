// Frames from pieces; see frame_parts.h.
#include "frame_parts.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "cblosc2_layout.h"

namespace blosc2_node {

Failure ProbeFrame(const View& prefix, FrameLayout* out) {
  if (prefix.length < layout::kFrameHeaderMinLen) {
    return {"ERR_CORRUPT", "the frame is " + std::to_string(prefix.length) + " bytes, too short for a Blosc2 frame"};
  }
  const uint8_t* h = prefix.data;
  static const char kMagic[] = "b2frame";  // and its NUL
  if (std::memcmp(h + 2, kMagic, sizeof kMagic) != 0 || h[layout::kFrameHeaderLen - 1] != layout::kMarkInt32 ||
      h[layout::kFrameLen - 1] != layout::kMarkUint64 || h[layout::kFrameCbytes - 1] != layout::kMarkInt64) {
    return {"ERR_CORRUPT", "not a Blosc2 frame"};
  }
  int64_t headerLen = static_cast<int32_t>(layout::GetBig32(h + layout::kFrameHeaderLen));
  uint64_t frameLength = layout::GetBig64(h + layout::kFrameLen);
  int64_t cbytes = static_cast<int64_t>(layout::GetBig64(h + layout::kFrameCbytes));
  // 2^53: the frame's offsets travel to JS as doubles.
  constexpr uint64_t kMaxLength = uint64_t{1} << 53;
  if (headerLen < static_cast<int64_t>(layout::kFrameHeaderMinLen) || frameLength > kMaxLength || cbytes < 0 ||
      static_cast<uint64_t>(headerLen) + layout::kTrailerMinLen > frameLength ||
      static_cast<uint64_t>(cbytes) > frameLength - static_cast<uint64_t>(headerLen) - layout::kTrailerMinLen) {
    return {"ERR_CORRUPT", "the frame header's lengths disagree"};
  }
  out->headerLen = headerLen;
  out->frameLength = static_cast<int64_t>(frameLength);
  out->indexOffset = headerLen + cbytes;
  return Ok();
}

Failure OpenFrameParts(const View& header, const View& tail, int64_t frameLength, FrameMeta* meta) {
  FrameLayout fl;
  Failure f = ProbeFrame(header, &fl);
  if (f.code) return f;
  if (fl.frameLength != frameLength || static_cast<int64_t>(header.length) != fl.headerLen ||
      static_cast<int64_t>(tail.length) != frameLength - fl.indexOffset) {
    return {"ERR_CORRUPT", "the pieces of the frame disagree with its header"};
  }
  // The trailer ends the tail; its last bytes give its length.
  const uint8_t* end = tail.data + tail.length;
  if (tail.length < layout::kTrailerMinLen || end[-static_cast<ptrdiff_t>(layout::kTrailerLenFromEnd) - 1] != layout::kMarkUint32) {
    return {"ERR_CORRUPT", "the frame's trailer is corrupt"};
  }
  uint32_t trailerLen = layout::GetBig32(end - layout::kTrailerLenFromEnd);
  if (trailerLen < layout::kTrailerMinLen || trailerLen > tail.length) return {"ERR_CORRUPT", "the frame's trailer is corrupt"};
  // C-Blosc2 reads the header and metalayers from the front of a frame and the
  // variable-length metalayers from its trailer: hand it both, back to back,
  // as a frame of their length.
  std::vector<uint8_t> readable(header.length + trailerLen);
  std::memcpy(readable.data(), header.data, header.length);
  std::memcpy(readable.data() + header.length, end - trailerLen, trailerLen);
  uint64_t shortLength = readable.size();
  for (int i = 7; i >= 0; i--, shortLength >>= 8) readable[layout::kFrameLen + i] = static_cast<uint8_t>(shortLength & 0xff);
  f = OpenFrameMeta(View{readable.data(), readable.size()}, frameLength, meta);
  if (f.code) return f;
  if (meta->headerLen != fl.headerLen || meta->cbytes != fl.indexOffset - fl.headerLen) {
    return {"ERR_CORRUPT", "the frame header is inconsistent"};
  }
  return Ok();
}

Failure LoadChunkIndex(const View& index, uint64_t maxChunks, FrameMeta* meta) {
  if (meta->indexed) return {"ERR_INVALID_ARG", "the frame's index is already loaded"};
  ChunkIndex ci;
  // Two vectors of int64 per chunk: the offsets and the sorted ones below.
  Failure f = DecodeChunkIndex(index, *meta, maxChunks, &ci);
  if (f.code) return f;
  if (meta->nchunks > 0) {
    ci.sorted.reserve(ci.offsets.size());
    for (int64_t offset : ci.offsets) {
      if (offset >= 0) ci.sorted.push_back(offset);
    }
    std::sort(ci.sorted.begin(), ci.sorted.end());
  } else {
    ci.headerLen = meta->headerLen;
    ci.dataEnd = meta->headerLen + meta->cbytes;
  }
  meta->index = std::move(ci);
  meta->indexed = true;
  return Ok();
}

void ChunkExtent(const FrameMeta& meta, int64_t n, int64_t* offset, int64_t* length) {
  const ChunkIndex& ci = meta.index;
  int64_t at = ci.offsets[static_cast<size_t>(n)];
  if (at < 0) {
    *offset = -1;
    *length = 0;
    return;
  }
  auto next = std::upper_bound(ci.sorted.begin(), ci.sorted.end(), at);
  int64_t end = next == ci.sorted.end() ? ci.dataEnd - ci.headerLen : *next;
  int64_t most = static_cast<int64_t>(std::max(meta.chunksize, 0)) + BLOSC2_MAX_OVERHEAD;
  *offset = ci.headerLen + at;
  *length = std::min(end - at, most);
}

}  // namespace blosc2_node
