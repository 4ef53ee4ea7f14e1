// One C-Blosc2 chunk on raw memory: compress, read and check a header,
// decompress. The frame reader and writer build on these.
#pragma once

#include <cstddef>
#include <cstdint>

#include "errors.h"

extern "C" {
#include <blosc2.h>
}

namespace blosc2_node {

struct View {
  uint8_t* data = nullptr;
  size_t length = 0;
};

struct ChunkHeader {
  int32_t nbytes = 0, cbytes = 0, blocksize = 0;
  int special = 0;
};

// Below this many bytes C-Blosc2 gains nothing from its thread pool (a block
// or two) and starting one costs ~100 us per call: such calls run on one thread.
constexpr size_t kSmallCallBytes = 512 * 1024;

// The thread count a call over this many bytes uses, given the caller's.
int ThreadsFor(size_t nbytes, int requested);

// The worst case fits nbytes + overhead, so compression into a buffer of that
// size cannot fail for lack of room.
size_t CompressBound(size_t nbytes);

// Compresses src into dest (at least CompressBound(src.length) bytes) with
// exactly these parameters (cp.nthreads as given).
Failure DoCompress(blosc2_cparams cp, const View& src, uint8_t* dest, size_t destCap, int32_t* cbytes);

// compress(): DoCompress on ThreadsFor(src) threads, with the header of an
// all-zeros chunk made readable (see chunk.cc).
Failure CompressChunk(blosc2_cparams cp, const View& src, const View& dest, int32_t* cbytes);

// How much of the chunk src must hold: its header, the whole chunk, or exactly the chunk.
enum class HeaderCheck { kHeaderOnly = 0, kWithin = 1, kExact = 2 };
Failure ReadChunkHeader(const View& src, ChunkHeader* h, HeaderCheck check);

// Refuses chunks that need a C-Blosc2 plugin (filter or codec id >= 32).
Failure CheckBuiltIn(const View& src, const ChunkHeader& h);

// Decompresses a chunk whose header h was read from src into dest.
Failure DoDecompress(int nthreads, const View& src, const ChunkHeader& h, uint8_t* dest, size_t destCap);

// Decompression contexts kept across the calls of one job (one per thread
// count), so that C-Blosc2 starts its thread pool once, not once per chunk.
class DecompressContexts {
 public:
  DecompressContexts() = default;
  DecompressContexts(const DecompressContexts&) = delete;
  DecompressContexts& operator=(const DecompressContexts&) = delete;
  ~DecompressContexts();
  blosc2_context* For(int nthreads);  // nullptr when none can be made

 private:
  blosc2_context* single_ = nullptr;
  blosc2_context* many_ = nullptr;
  int manyThreads_ = 0;
};

// DoDecompress skipping the blocks whose maskout entry is true (nblocks
// entries, one per block of the chunk; C-Blosc2 refuses another count): their
// bytes of dest are left as they were. Block 0 is always decoded when the
// chunk uses DELTA, which undoes every block against it. With contexts, the
// context comes from there.
Failure DoDecompressBlocks(int nthreads, const View& src, const ChunkHeader& h, uint8_t* dest, size_t destCap, bool* maskout, int nblocks,
                           DecompressContexts* contexts = nullptr);

// decompress(): exactly one chunk in src, on ThreadsFor(nbytes) threads.
Failure DecompressChunk(const View& src, const View& dest, int nthreads);

}  // namespace blosc2_node
