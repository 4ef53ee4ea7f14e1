// libFuzzer harness: random access into frames, as the lazy arrays of
// src/random-access/ drive it. The input is a frame followed by 8 bytes that
// pick a selection (indices, ranges, negative steps) within the frame's shape.
//  - In memory (openFrame(bytes)): OpenFrame, LoadChunkIndex, DecodeSlice.
//  - In pieces (openFrame(reader)): ProbeFrame on a prefix, OpenFrameParts on
//    the header and tail, LoadChunkIndex, PlanSlice, ChunkExtent, and
//    DecodeSliceChunks on the bytes of each extent (a read past the input is
//    a short read, which the JS layer refuses before the core sees it).
// Outputs and chunks are bounded as maxOutputBytes bounds them; every
// successful decode must write every output byte (decoded twice, compared).
#include <algorithm>
#include <cstring>
#include <vector>

#include "frame_parts.h"
#include "frame_slice.h"
#include "fuzz_common.h"

using namespace blosc2_node;

namespace {

constexpr size_t kPickBytes = 8;
constexpr int64_t kMaxItems = 1 << 18;

uint64_t Next(uint64_t* state) {  // splitmix64
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A selection the JS layer could have resolved for this shape: each item in
// bounds, at most kMaxItems in all.
bool PickSelection(const FrameMeta& meta, uint64_t seed, Selection* s, int64_t* items) {
  int nd = meta.isB2nd ? meta.g.ndim : 1;
  int64_t shape[BLOSC2_MAX_DIM];
  for (int d = 0; d < nd; d++) shape[d] = meta.isB2nd ? meta.g.shape[d] : meta.nbytes;
  s->ndim = nd;
  *items = 1;
  for (int d = 0; d < nd; d++) {
    int64_t n = shape[d];
    if (n < 0) return false;
    uint64_t r = Next(&seed);
    if (n == 0) {
      s->start[d] = 0;
      s->step[d] = 1;
      s->count[d] = 0;
      continue;
    }
    int64_t start = static_cast<int64_t>(r % static_cast<uint64_t>(n));
    int64_t step = 1 + static_cast<int64_t>((r >> 32) % 5);
    if (r & (1ull << 62)) step = -step;
    int64_t room = step > 0 ? (n - 1 - start) / step + 1 : start / -step + 1;
    int64_t count = 1 + static_cast<int64_t>((r >> 40) % 48);
    if (r & (1ull << 63)) count = room;  // to the end
    count = std::min(count, room);
    if ((r >> 8) % 7 == 0) {  // the whole axis
      start = 0;
      step = 1;
      count = n;
    }
    s->start[d] = start;
    s->step[d] = step;
    s->count[d] = count;
    if (__builtin_mul_overflow(*items, count, items) || *items > kMaxItems) return false;
  }
  return true;
}

// The output's bytes, or 0 past the output bound (maxOutputBytes refuses those).
size_t OutputBytes(const FrameMeta& meta, int64_t items) {
  uint64_t n = static_cast<uint64_t>(items) * static_cast<uint64_t>(meta.isB2nd ? meta.g.typesize : 1);
  return n > fuzz::kMaxOutput ? 0 : static_cast<size_t>(n);
}

void InMemory(const View& src, uint64_t seed) {
  FrameMeta meta;
  if (OpenFrame(src, &meta).code) return;
  if (meta.chunksize > static_cast<int64_t>(fuzz::kMaxOutput)) return;
  // As lazy-array.ts: the frame's bytes from indexOffset on (none past its end).
  size_t at = std::min<size_t>(src.length, static_cast<size_t>(std::max<int64_t>(0, meta.headerLen + meta.cbytes)));
  View index{src.data + at, src.length - at};
  if (CheckSliceable(meta).code || LoadChunkIndex(index, fuzz::kMaxOutput / 16, &meta).code) return;
  Selection s;
  int64_t items = 0;
  if (!PickSelection(meta, seed, &s, &items)) return;
  size_t n = OutputBytes(meta, items);
  if (n == 0) return;
  fuzz::DecodeTwiceAndCompare(n, [&](uint8_t* dest) {
    return DecodeSlice(src, meta, s, View{dest, n}, ThreadRequest{1, false}).code == nullptr;
  });
}

void InPieces(const View& src, uint64_t seed) {
  FrameLayout fl;
  if (ProbeFrame(View{src.data, std::min<size_t>(src.length, 1024)}, &fl).code) return;
  if (fl.headerLen > static_cast<int64_t>(src.length) || fl.frameLength > static_cast<int64_t>(src.length)) return;
  View header{src.data, static_cast<size_t>(fl.headerLen)};
  View tail{src.data + fl.indexOffset, static_cast<size_t>(fl.frameLength - fl.indexOffset)};
  FrameMeta meta;
  if (OpenFrameParts(header, tail, fl.frameLength, &meta).code) return;
  if (meta.chunksize > static_cast<int64_t>(fuzz::kMaxOutput)) return;
  if (CheckSliceable(meta).code || LoadChunkIndex(tail, fuzz::kMaxOutput / 16, &meta).code) return;
  Selection s;
  int64_t items = 0;
  if (!PickSelection(meta, seed, &s, &items)) return;
  std::vector<int64_t> ids;
  if (PlanSlice(meta, s, &ids).code) return;
  std::vector<View> chunks;
  for (int64_t id : ids) {
    int64_t offset = 0, length = 0;
    ChunkExtent(meta, id, &offset, &length);
    if (length == 0) {
      chunks.push_back(View{});
      continue;
    }
    if (offset < 0 || length < 0 || offset + length > static_cast<int64_t>(src.length)) return;  // a short read
    chunks.push_back(View{src.data + offset, static_cast<size_t>(length)});
  }
  size_t n = OutputBytes(meta, items);
  if (n == 0) return;
  fuzz::DecodeTwiceAndCompare(n, [&](uint8_t* dest) {
    return DecodeSliceChunks(meta, s, ids.data(), chunks.data(), ids.size(), View{dest, n}, ThreadRequest{1, false}).code == nullptr;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kPickBytes) return 0;
  fuzz::InitOnce();
  uint64_t seed = 0;
  std::memcpy(&seed, data + size - kPickBytes, kPickBytes);
  fuzz::InputCopy input(data, size - kPickBytes);
  InMemory(input.view(), seed);
  InPieces(input.view(), seed);
  return 0;
}
