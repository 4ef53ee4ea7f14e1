// Frames written chunk by chunk; see frame_stream_writer.h.
#include "frame_stream_writer.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "context_pool.h"
#include "frame_reader.h"

namespace blosc2_node {

namespace {

Failure Invalid(const std::string& what) { return {"ERR_INVALID_ARG", what}; }

int64_t CeilDiv(int64_t a, int64_t b) { return a / b + (a % b != 0); }

}  // namespace

Failure StreamWriter::Open(const StreamSpec& spec) {
  if (opened_) return Invalid("the writer is already open");
  g_ = spec.g;
  const int nd = g_.ndim;
  if (nd < 1 || nd > BLOSC2_MAX_DIM || g_.typesize <= 0) return Invalid("a frame written chunk by chunk needs 1 to 8 dimensions");
  rowsKnown_ = g_.shape[0] >= 0;
  expectRows_ = g_.shape[0];
  int64_t rowItems = 1;
  for (int i = 1; i < nd; i++) {
    if (g_.shape[i] <= 0 || __builtin_mul_overflow(rowItems, g_.shape[i], &rowItems)) {
      return Invalid("every dimension after the first must be a positive size");
    }
  }
  if (__builtin_mul_overflow(rowItems, static_cast<int64_t>(g_.typesize), &rowBytes_)) return Invalid("the rows are too large");
  bool givenChunks = g_.chunkshape[0] > 0, givenBlocks = g_.blockshape[0] > 0;
  for (int i = 0; i < nd; i++) {
    if ((g_.chunkshape[i] > 0) != givenChunks || (g_.blockshape[i] > 0) != givenBlocks || g_.chunkshape[i] < 0 || g_.blockshape[i] < 0) {
      return Invalid("chunkshape and blockshape need a positive size for every dimension");
    }
  }
  if (givenBlocks && !givenChunks) return Invalid("a blockshape needs a chunkshape");
  cp_ = spec.cp;
  cp_.typesize = g_.typesize;
  if (!givenBlocks) ChooseStreamGeometry(&g_, BlockTarget(cp_), cp_.clevel == 0 ? kStoreChunkBytes : kChunkTargetBytes);
  // The geometry must be one python-blosc2 reads, for any number of rows.
  Geometry probe = g_;
  probe.shape[0] = std::max<int64_t>(rowsKnown_ ? expectRows_ : 0, g_.chunkshape[0]);
  if (!ForeignGeometryOk(probe)) return Invalid("impossible chunkshape/blockshape (blocks larger than chunks, or chunks over 2 GiB)");
  int64_t extItems = 1, blockItems = 1;
  chunksPerRow_ = 1;
  for (int i = 0; i < nd; i++) {
    ext_[i] = CeilDiv(g_.chunkshape[i], g_.blockshape[i]) * g_.blockshape[i];
    extItems *= ext_[i];
    blockItems *= g_.blockshape[i];
    if (i > 0) chunksPerRow_ *= CeilDiv(g_.shape[i], g_.chunkshape[i]);
  }
  chunkBytes_ = extItems * g_.typesize;
  Geometry row = g_;
  row.shape[0] = g_.chunkshape[0];
  ChunkPlan plan;
  contiguous_ = ContiguousPlan(row, &plan) && plan.nchunks == chunksPerRow_;
  cp_.blocksize = static_cast<int32_t>(blockItems * g_.typesize);
  cp_.nthreads = 1;
  // As pack writes it (frame_writer.cc PlanFrame): the header records one thread.
  headerCp_ = cp_;
  threads_ = spec.threads;
  dtype_ = spec.dtype;
  jsKind_ = spec.jsKind;
  Geometry placeholder = g_;
  placeholder.shape[0] = rowsKnown_ ? expectRows_ : 0;
  AssembledFrame frame;
  Failure f = FrameTemplate(headerCp_, placeholder, dtype_, jsKind_, &frame);
  if (f.code) return f;
  header_ = std::move(frame.header);
  trailer_ = std::move(frame.trailer);
  opened_ = true;
  return Ok();
}

// Where chunk m of the row in progress comes from: the row itself when the
// chunk is a C-order slice of it, else gathered (and padded) into tile_.
Failure StreamWriter::ChunkSource(int64_t m, const uint8_t** from) {
  const size_t ts = static_cast<size_t>(g_.typesize);
  Geometry row = g_;
  row.shape[0] = rowRows_;
  if (contiguous_) {
    ChunkPlan plan;
    ContiguousPlan(row, &plan);
    int64_t start = 0, valid = 0;
    ChunkSpan(row, plan, m, &start, &valid);
    *from = row_.data + static_cast<size_t>(start) * ts;
    if (valid * g_.typesize < chunkBytes_) {
      return PadEdgeChunk(from, static_cast<size_t>(valid) * ts, static_cast<size_t>(chunkBytes_), &tile_);
    }
    return Ok();
  }
  if (!tile_) tile_.reset(new (std::nothrow) uint8_t[static_cast<size_t>(chunkBytes_)]);
  if (!tile_) return {"ERR_NO_MEMORY", "cannot allocate a chunk buffer"};
  std::memset(tile_.get(), 0, static_cast<size_t>(chunkBytes_));
  // Chunk m's coordinates over the row's chunk grid (one chunk along axis 0).
  int64_t coord[BLOSC2_MAX_DIM] = {};
  for (int i = g_.ndim - 1; i >= 1; i--) {
    int64_t along = CeilDiv(g_.shape[i], g_.chunkshape[i]);
    coord[i] = m % along;
    m /= along;
  }
  CopyChunkTiles(row, ext_, coord, tile_.get(), row_.data, TileCopy::kToChunk);
  *from = tile_.get();
  return Ok();
}

Failure StreamWriter::Append(const View& rows, const View& out, size_t* written) {
  *written = 0;
  if (!opened_ || finished_) return Invalid("the writer is not open");
  if (!inRow_) {
    if (rows.length == 0 || rows.length % static_cast<size_t>(rowBytes_) != 0) {
      return Invalid("a chunk row must hold whole rows of " + std::to_string(rowBytes_) + " bytes");
    }
    int64_t n = static_cast<int64_t>(rows.length / static_cast<size_t>(rowBytes_));
    if (n > ChunkRows()) return Invalid("a chunk row holds at most " + std::to_string(ChunkRows()) + " rows");
    if (lastRowDone_) return Invalid("only the last chunk row may be short");
    if (rowsKnown_ && rows_ + n > expectRows_) return Invalid("more rows than the shape's " + std::to_string(expectRows_));
    row_ = rows;
    rowRows_ = n;
    nextChunk_ = 0;
    inRow_ = true;
  } else if (rows.data != row_.data || rows.length != row_.length) {
    return Invalid("the chunk row in progress must be passed again until it is done");
  }
  size_t bound = ChunkBound();
  if (out.length < bound) return {"ERR_OUTPUT_TOO_SMALL", "out holds less than one compressed chunk"};
  // Threads by the bytes of one chunk (what each C-Blosc2 call compresses),
  // and a context from the cache for this call's chunks.
  ThreadGrant grant(threads_, static_cast<size_t>(chunkBytes_), static_cast<size_t>(cp_.blocksize));
  blosc2_cparams cp = cp_;
  cp.nthreads = static_cast<int16_t>(grant.count());
  PooledContext cctx = AcquireCompression(cp);
  if (!cctx) return Invalid("C-Blosc2 refused the compression parameters");
  // Exactly out.length / bound chunks a call (fewer only at the row's end), so
  // that the caller knows when the row is done.
  for (size_t room = out.length / bound; room > 0 && nextChunk_ < chunksPerRow_; room--) {
    const uint8_t* from = nullptr;
    Failure f = ChunkSource(nextChunk_, &from);
    if (f.code) return f;
    uint8_t* to = out.data + *written;
    // Room for exactly the worst case: given more, C-Blosc2 may keep a
    // compressed chunk larger than the stored one it falls back to.
    int32_t cbytes = blosc2_compress_ctx(cctx.get(), from, static_cast<int32_t>(chunkBytes_), to, static_cast<int32_t>(bound));
    if (cbytes <= 0) {
      cctx.Discard();
      return {"ERR_COMPRESS", BloscMessage("compression failed", cbytes), cbytes};
    }
    int64_t before = stored_;
    offsets_.push_back(ChunkOffset(to, cbytes, &stored_));
    *written += static_cast<size_t>(stored_ - before);
    nextChunk_++;
  }
  if (nextChunk_ == chunksPerRow_) {
    inRow_ = false;
    rows_ += rowRows_;
    if (rowRows_ < ChunkRows()) lastRowDone_ = true;
    row_ = View{};
  }
  return Ok();
}

Failure StreamWriter::Finish(std::vector<uint8_t>* header, std::vector<uint8_t>* tail, int64_t* frameLength) {
  if (!opened_ || finished_) return Invalid("the writer is not open");
  if (inRow_) return Invalid("a chunk row is half written");
  if (rowsKnown_ && rows_ != expectRows_) {
    return Invalid("the shape has " + std::to_string(expectRows_) + " rows but " + std::to_string(rows_) + " were written");
  }
  Geometry written = g_;
  written.shape[0] = rows_;
  AssembledFrame frame;
  Failure f = FrameTemplate(headerCp_, written, dtype_, jsKind_, &frame);
  if (f.code) return f;
  if (frame.header.size() != header_.size() || frame.trailer != trailer_) {
    return {"ERR_COMPRESS", "C-Blosc2 wrote a header of another length for the final shape"};
  }
  std::vector<uint8_t> index;
  f = CompressOffsets(offsets_, &index);
  if (f.code) return f;
  int64_t nchunks = static_cast<int64_t>(offsets_.size());
  *frameLength = static_cast<int64_t>(frame.header.size() + index.size() + trailer_.size()) + stored_;
  PatchFrameHeader(frame.header.data(), *frameLength, nchunks, chunkBytes_, stored_);
  *header = std::move(frame.header);
  tail->assign(index.begin(), index.end());
  tail->insert(tail->end(), trailer_.begin(), trailer_.end());
  finished_ = true;
  return Ok();
}

}  // namespace blosc2_node
