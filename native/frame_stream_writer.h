// Writing a b2nd frame chunk by chunk while the array arrives slab by slab
// along its first dimension, whose extent may be unknown until the end. The
// frame's header comes first and holds sizes known only at the end, so the
// writer hands out a placeholder header of the final header's exact length
// (every size field and the shape are fixed-width) and the real one at
// Finish: the caller writes the chunks behind the placeholder and the real
// header over it. Header, offsets and trailer are frame_writer.cc's.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frame_writer.h"

namespace blosc2_node {

// What to write: g.shape[0] < 0 when unknown until Finish; g.chunkshape and
// g.blockshape all 0 to have them chosen (as pack chooses them), or a
// chunkshape alone to have blocks chosen inside it.
struct StreamSpec {
  Geometry g;
  std::string dtype, jsKind;
  blosc2_cparams cp = BLOSC2_CPARAMS_DEFAULTS;
  ThreadRequest threads;  // per chunk (threads.h)
};

class StreamWriter {
 public:
  StreamWriter() = default;
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;

  // Chooses or checks the geometry and builds the placeholder header.
  Failure Open(const StreamSpec& spec);

  const Geometry& geometry() const { return g_; }
  int64_t RowBytes() const { return rowBytes_; }                                         // one step along axis 0
  int64_t ChunkRows() const { return g_.chunkshape[0]; }                                 // rows of one chunk row
  int64_t ChunksPerRow() const { return chunksPerRow_; }                                 // chunks in one chunk row
  size_t ChunkBound() const { return CompressBound(static_cast<size_t>(chunkBytes_)); }  // one compressed chunk at worst
  const std::vector<uint8_t>& PlaceholderHeader() const { return header_; }

  // Compresses the next chunks of a chunk row into out, back to back: as many
  // as out holds at ChunkBound() each (fewer only where the row ends); *written is their length (a chunk of
  // zeros, NaN or uninit takes no bytes: it lives in its offset). rows holds
  // whole rows, ChunkRows() of them (fewer only in the last chunk row), and
  // is passed again, unchanged, until the row's ChunksPerRow() chunks are done.
  Failure Append(const View& rows, const View& out, size_t* written);

  // The real header (the placeholder's length) and what follows the chunks:
  // the offsets index and the trailer.
  Failure Finish(std::vector<uint8_t>* header, std::vector<uint8_t>* tail, int64_t* frameLength);

  int64_t Rows() const { return rows_; }
  // A chunk row is in progress: Append wants the same rows again.
  bool InRow() const { return inRow_; }
  int64_t StoredBytes() const { return stored_; }

  // Refuses overlapping calls (the async binding runs them on the pool).
  bool Enter() { return !busy_.exchange(true); }
  void Leave() { busy_.store(false); }

 private:
  Failure ChunkSource(int64_t m, const uint8_t** from);

  Geometry g_;
  bool rowsKnown_ = false;
  int64_t expectRows_ = 0;
  std::string dtype_, jsKind_;
  blosc2_cparams cp_ = BLOSC2_CPARAMS_DEFAULTS;        // the chunks'
  blosc2_cparams headerCp_ = BLOSC2_CPARAMS_DEFAULTS;  // the header's (one thread, as pack writes it)
  ThreadRequest threads_;
  bool contiguous_ = false;  // each chunk a C-order slice of its chunk row
  int64_t rowBytes_ = 0, chunkBytes_ = 0, chunksPerRow_ = 0;
  int64_t ext_[BLOSC2_MAX_DIM] = {};
  std::vector<uint8_t> header_, trailer_;
  std::vector<int64_t> offsets_;
  int64_t stored_ = 0, rows_ = 0;
  bool opened_ = false, lastRowDone_ = false, finished_ = false;
  // The chunk row in progress.
  View row_;
  int64_t rowRows_ = 0, nextChunk_ = 0;
  bool inRow_ = false;
  std::unique_ptr<uint8_t[]> tile_;
  std::atomic<bool> busy_{false};
};

}  // namespace blosc2_node
