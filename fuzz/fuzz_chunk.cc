// libFuzzer harness: plain C-Blosc2 chunks as the addon reads them.
//  - chunkInfo: ReadChunkHeader(kHeaderOnly) then every header byte ChunkInfo
//    reads, and blosc2_cbuffer_complib;
//  - decompress: ReadChunkHeader(kExact / kWithin) then DoDecompress into a
//    destination of exactly nbytes, as core.ts sizes it (bounded like
//    maxOutputBytes).
#include <cstdio>

#include "fuzz_common.h"

using namespace blosc2_node;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  fuzz::InputCopy input(data, size);
  View src = input.view();

  ChunkHeader info;
  if (!ReadChunkHeader(src, &info, HeaderCheck::kHeaderOnly).code) {
    volatile unsigned sink = src.data[BLOSC2_CHUNK_TYPESIZE] + src.data[BLOSC2_CHUNK_FLAGS];
    bool extended = (src.data[BLOSC2_CHUNK_FLAGS] & 0x5) == 0x5 && src.length >= BLOSC_EXTENDED_HEADER_LENGTH;
    if (extended) {
      for (int i = 0; i < BLOSC2_MAX_FILTERS; i++) {
        sink = sink + src.data[BLOSC2_CHUNK_FILTER_CODES + i] + src.data[BLOSC2_CHUNK_FILTER_META + i];
      }
    }
    const char* lib = blosc2_cbuffer_complib(src.data);
    if (lib) sink = sink + static_cast<unsigned>(std::strlen(lib));
    (void)sink;
  }

  // decompress() insists on an exact chunk; frames hand over a chunk that may
  // be followed by other bytes (kWithin). Try both.
  for (HeaderCheck check : {HeaderCheck::kExact, HeaderCheck::kWithin}) {
    ChunkHeader h;
    if (ReadChunkHeader(src, &h, check).code) continue;
    size_t n = static_cast<size_t>(h.nbytes);
    if (n > fuzz::kMaxOutput) continue;  // the JS layer refuses with ERR_MAX_OUTPUT
    fuzz::DecodeTwiceAndCompare(n, [&](uint8_t* dest) { return DoDecompress(1, src, h, dest, n).code == nullptr; });
    // A destination one byte short must be refused, never overrun.
    if (n > 0) {
      uint8_t* shortDest = static_cast<uint8_t*>(std::malloc(n - 1 ? n - 1 : 1));
      if (!DoDecompress(1, src, h, shortDest, n - 1).code) {
        std::fprintf(stderr, "fuzz: DoDecompress accepted a destination shorter than nbytes\n");
        std::abort();
      }
      std::free(shortDest);
    }
    if (check == HeaderCheck::kExact) break;  // kWithin accepts the same bytes the same way
  }
  return 0;
}
