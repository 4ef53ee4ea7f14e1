// One C-Blosc2 chunk on raw memory: compress, read and check a header,
// decompress. The frame reader and writer build on these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "errors.h"
#include "threads.h"

extern "C" {
#include <blosc2.h>
}

namespace blosc2_node {

struct View {
  uint8_t* data = nullptr;
  size_t length = 0;
};

// Copies a run of bytes; runs of one item of 1, 2, 4 or 8 bytes are common
// (python-blosc2's column strips, strided selections), and a call to memcpy
// per item costs more than the copy itself.
inline void CopyRun(uint8_t* to, const uint8_t* from, size_t bytes) {
  switch (bytes) {
    case 1:
      *to = *from;
      return;
    case 2:
      std::memcpy(to, from, 2);
      return;
    case 4:
      std::memcpy(to, from, 4);
      return;
    case 8:
      std::memcpy(to, from, 8);
      return;
    default:
      std::memcpy(to, from, bytes);
  }
}

struct ChunkHeader {
  int32_t nbytes = 0, cbytes = 0, blocksize = 0;
  int special = 0;
};

// The block size C-Blosc2 itself picks for these parameters on a large input
// (asked once per parameter set, then cached; thread-safe), or cp.blocksize
// when set.
int32_t BlockTarget(const blosc2_cparams& cp);

// The block size a compression of nbytes with cp runs on: cp.blocksize, or
// for 0 the one C-Blosc2's automatic choice (stune.c) makes for that input.
int32_t CallBlocksize(const blosc2_cparams& cp, size_t nbytes);

// The worst case fits nbytes + overhead, so compression into a buffer of that
// size cannot fail for lack of room.
size_t CompressBound(size_t nbytes);

// Compresses src into dest (at least CompressBound(src.length) bytes) with
// exactly these parameters (cp.nthreads as given), on a reused context
// (context_pool.h); the bytes are those of a fresh context.
Failure DoCompress(blosc2_cparams cp, const View& src, uint8_t* dest, size_t destCap, int32_t* cbytes);

// compress(): DoCompress on the threads granted for src (threads.h), with the
// header of an all-zeros chunk made readable (see chunk.cc).
Failure CompressChunk(blosc2_cparams cp, const ThreadRequest& threads, const View& src, const View& dest, int32_t* cbytes);

// How much of the chunk src must hold: its header, the whole chunk, or exactly the chunk.
enum class HeaderCheck { kHeaderOnly = 0, kWithin = 1, kExact = 2 };
Failure ReadChunkHeader(const View& src, ChunkHeader* h, HeaderCheck check);

// Refuses chunks that need a C-Blosc2 plugin (filter or codec id >= 32).
Failure CheckBuiltIn(const View& src, const ChunkHeader& h);

// Decompresses a chunk whose header h was read from src into dest, on
// nthreads threads (one for chunks with the delta filter), on a reused context.
Failure DoDecompress(int nthreads, const View& src, const ChunkHeader& h, uint8_t* dest, size_t destCap);

// DoDecompress skipping the blocks whose maskout entry is true (nblocks
// entries, one per block of the chunk; C-Blosc2 refuses another count): their
// bytes of dest are left as they were. Block 0 is always decoded when the
// chunk uses DELTA, which undoes every block against it.
Failure DoDecompressBlocks(int nthreads, const View& src, const ChunkHeader& h, uint8_t* dest, size_t destCap, bool* maskout, int nblocks);

// decompress(): exactly one chunk in src, on the threads granted for it.
Failure DecompressChunk(const View& src, const View& dest, const ThreadRequest& threads);

}  // namespace blosc2_node
