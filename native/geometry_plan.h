// Chunk and block geometry of b2nd frames: the one place that chooses the
// geometry of the frames we write (FORMAT.md, "Chunk geometry"), and the plan
// that walks the chunks of a contiguous geometry (ours, when writing and
// reading).
#pragma once

#include <cstdint>
#include <functional>

#include "errors.h"

extern "C" {
#include <blosc2.h>
}

namespace blosc2_node {

struct Geometry {
  int8_t ndim = 0;
  int64_t shape[BLOSC2_MAX_DIM] = {};
  int32_t chunkshape[BLOSC2_MAX_DIM] = {};
  int32_t blockshape[BLOSC2_MAX_DIM] = {};
  int32_t typesize = 0;
};

// Target bytes of one chunk: large enough that per-chunk costs vanish, far
// below C-Blosc2's 2 GiB limit.
constexpr int64_t kChunkTargetBytes = int64_t{64} << 20;
// Chunk bytes for clevel 0: as large as C-Blosc2 allows (2 GiB less its
// header), rounded down to 1 MiB, so stored items stay contiguous in the frame.
constexpr int64_t kStoreChunkBytes = (int64_t{1} << 31) - (int64_t{1} << 20);

// How the array's bytes compress, as compressed bytes per byte of a sample of
// them with blocks of the target size, half of it and twice it.
struct SampleSizes {
  double atTarget = 1, atHalf = 1, atDouble = 1;
};
// Compresses a sample of the array with blocks around target bytes; asked
// only where no geometry is clearly as good as the 1-D one.
using SampleCompression = std::function<SampleSizes(int64_t target)>;

// Fills g->chunkshape and g->blockshape for g->shape and g->typesize: every
// chunk a contiguous slice of the C-order array, its blocks following each
// other in C order, so chunks compress straight from the array's memory and
// decompress straight into the result; an N-d array's blocks as close as its
// shape allows to the block its bytes get in 1-D (FORMAT.md, "Chunk and block
// geometry"), weighed by sample where that takes padding or other sizes.
void ChooseGeometry(Geometry* g, int64_t blockBytes, int64_t chunkBytes, const SampleCompression& sample = nullptr);

// How the chunks of a contiguous geometry lie in the C-order array: chunkshape
// is (1, .., 1, c_k, s_k+1, ..), so chunk n starts at a computable flat
// offset and its valid items are a prefix of the chunk.
struct ChunkPlan {
  int k = 0;               // the split axis
  int64_t inner = 1;       // items of one step along axis k (product of later dims)
  int64_t chunkItems = 1;  // items of one (padded) chunk
  int64_t perRow = 1;      // chunks along axis k
  int64_t nchunks = 0;
};

// Returns false when the geometry is not of that form (or its products overflow).
bool ContiguousPlan(const Geometry& g, ChunkPlan* p);

// Flat item offset and valid item count of chunk n under a contiguous plan.
void ChunkSpan(const Geometry& g, const ChunkPlan& p, int64_t n, int64_t* start, int64_t* valid);

}  // namespace blosc2_node
