// One C-Blosc2 chunk on raw memory; see chunk.h.
#include "chunk.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "cache_mutex.h"
#include "cblosc2_layout.h"
#include "context_pool.h"
#include "huge_pages.h"

namespace blosc2_node {

using CtxPtr = std::unique_ptr<blosc2_context, decltype(&blosc2_free_ctx)>;

std::string BloscMessage(const char* what, int rc) {
  return std::string(what) + " (C-Blosc2 error " + std::to_string(rc) + ": " + print_error(rc) + ")";
}

size_t CompressBound(size_t nbytes) { return nbytes + BLOSC2_MAX_OVERHEAD; }

namespace {

// C-Blosc2 picks a block size from the codec, level, type size and filters
// when it compresses; a b2nd frame must fix one up front, so ask C-Blosc2 what
// it would pick for a large input (compressing zeros is cheap, and the answer
// is cached per parameter set).
constexpr int32_t kBlocksizeProbeBytes = 8 << 20;
constexpr int32_t kFallbackBlockBytes = 256 * 1024;

int32_t AskBlocksize(blosc2_cparams cp) {
  cp.blocksize = 0;
  cp.nthreads = 1;
  std::vector<uint8_t> zeros(kBlocksizeProbeBytes, 0);
  std::vector<uint8_t> out(CompressBound(kBlocksizeProbeBytes));
  CtxPtr ctx(blosc2_create_cctx(cp), blosc2_free_ctx);
  if (!ctx || blosc2_compress_ctx(ctx.get(), zeros.data(), kBlocksizeProbeBytes, out.data(), static_cast<int32_t>(out.size())) <= 0) {
    return -1;
  }
  int32_t nb = 0, cb = 0, bs = 0;
  blosc2_cbuffer_sizes(out.data(), &nb, &cb, &bs);
  return bs;
}

// stune.c's L1: inputs shorter than this are one block.
constexpr size_t kStuneL1 = 32 * 1024;

}  // namespace

int32_t BlockTarget(const blosc2_cparams& cp) {
  if (cp.blocksize > 0) return cp.blocksize;
  using Key = std::tuple<int, int, int32_t, int32_t, std::vector<uint8_t>>;
  static CacheMutex mutex;
  static std::map<Key, int32_t> cache;
  std::vector<uint8_t> pipeline(cp.filters, cp.filters + BLOSC2_MAX_FILTERS);
  pipeline.insert(pipeline.end(), cp.filters_meta, cp.filters_meta + BLOSC2_MAX_FILTERS);
  Key key{cp.compcode, cp.clevel, cp.typesize, cp.splitmode, pipeline};
  {
    std::lock_guard<CacheMutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  int32_t asked = AskBlocksize(cp);
  int32_t b = asked > 0 ? asked : kFallbackBlockBytes;
  std::lock_guard<CacheMutex> lock(mutex);
  cache.emplace(key, b);
  return b;
}

// C-Blosc2 2.17.1's automatic block size (stune.c, blosc_stune_next_blocksize)
// depends on the input's length only through a cap: an input of at least L1
// bytes gets min(the size for a large input, its length), a shorter one its
// length. Naming that size explicitly gives the same chunk bytes
// (test/context-pool.test.ts compares them with a fresh context's) and lets a
// context be reused, since a reused context keeps the block size it was made
// with.
int32_t CallBlocksize(const blosc2_cparams& cp, size_t nbytes) {
  if (cp.blocksize > 0) return cp.blocksize;
  if (nbytes < kStuneL1) return static_cast<int32_t>(std::max<size_t>(nbytes, 1));
  return static_cast<int32_t>(std::min<size_t>(static_cast<size_t>(BlockTarget(cp)), nbytes));
}

Failure DoCompress(blosc2_cparams cp, const View& src, uint8_t* dest, size_t destCap, int32_t* cbytes) {
  if (src.length > static_cast<size_t>(BLOSC2_MAX_BUFFERSIZE)) {
    return {"ERR_INVALID_ARG", "src is " + std::to_string(src.length) + " bytes; one chunk holds at most " +
                                   std::to_string(BLOSC2_MAX_BUFFERSIZE) + " bytes (use pack for larger arrays)"};
  }
  int32_t blocksize = CallBlocksize(cp, src.length);
  int rc = 0;
  if (cp.blocksize == 0 && static_cast<size_t>(blocksize) >= src.length) {
    // One block, so one thread: a context of its own costs what a cached one
    // does (~3 us), and its length would key a cache entry of its own.
    cp.nthreads = 1;
    CtxPtr ctx(blosc2_create_cctx(cp), blosc2_free_ctx);
    if (!ctx) return {"ERR_INVALID_ARG", "C-Blosc2 refused the compression parameters"};
    rc = blosc2_compress_ctx(ctx.get(), src.data, static_cast<int32_t>(src.length), dest, static_cast<int32_t>(destCap));
  } else {
    cp.blocksize = blocksize;
    PooledContext ctx = AcquireCompression(cp);
    if (!ctx) return {"ERR_INVALID_ARG", "C-Blosc2 refused the compression parameters"};
    rc = blosc2_compress_ctx(ctx.get(), src.data, static_cast<int32_t>(src.length), dest, static_cast<int32_t>(destCap));
    if (rc <= 0) ctx.Discard();
  }
  if (rc <= 0) return {"ERR_COMPRESS", BloscMessage("compression failed", rc), rc};
  *cbytes = rc;
  return Ok();
}

Failure CompressChunk(blosc2_cparams cp, const ThreadRequest& threads, const View& src, const View& dest, int32_t* cbytes) {
  if (dest.length < CompressBound(src.length)) return {"ERR_OUTPUT_TOO_SMALL", "out is shorter than compressBound(src)"};
  ThreadGrant grant(threads, src.length, static_cast<size_t>(CallBlocksize(cp, src.length)));
  cp.nthreads = static_cast<int16_t>(grant.count());
  AdviseHugePages(dest.data, dest.length);
  // Exactly the worst case, however long dest is: with more room C-Blosc2
  // keeps an incompressible chunk as raw streams instead of one memcpyed
  // block, so the bytes would depend on the caller's buffer (a kept one is up
  // to twice the size).
  Failure f = DoCompress(cp, src, dest.data, CompressBound(src.length), cbytes);
  if (f.code) return f;
  // C-Blosc2 2.17.1 stores all-zero input as a header-only "zeros" chunk even
  // when nbytes is not a multiple of typesize, then refuses to read that
  // header back. The typesize of a zeros chunk means nothing: make it 1.
  uint8_t* h = dest.data;
  if (*cbytes == BLOSC_EXTENDED_HEADER_LENGTH && layout::ChunkSpecial(h) == BLOSC2_SPECIAL_ZERO) {
    int32_t nbytes = 0;
    std::memcpy(&nbytes, h + BLOSC2_CHUNK_NBYTES, sizeof nbytes);
    int typesize = h[BLOSC2_CHUNK_TYPESIZE] ? h[BLOSC2_CHUNK_TYPESIZE] : 1;
    if (nbytes % typesize != 0) h[BLOSC2_CHUNK_TYPESIZE] = 1;
  }
  return Ok();
}

// Validates that src holds a whole chunk before anything reads past its header.
Failure ReadChunkHeader(const View& src, ChunkHeader* h, HeaderCheck check) {
  if (src.length < BLOSC_MIN_HEADER_LENGTH) {
    return {"ERR_CORRUPT", "src is " + std::to_string(src.length) + " bytes, shorter than a Blosc2 chunk header (16 bytes)"};
  }
  int rc = blosc2_cbuffer_sizes(src.data, &h->nbytes, &h->cbytes, &h->blocksize);
  if (rc < 0) return {"ERR_CORRUPT", BloscMessage("src is not a Blosc2 chunk", rc), rc};
  if (h->cbytes < BLOSC_MIN_HEADER_LENGTH || h->nbytes < 0 ||
      (check != HeaderCheck::kHeaderOnly && static_cast<size_t>(h->cbytes) > src.length) ||
      (check == HeaderCheck::kExact && static_cast<size_t>(h->cbytes) != src.length)) {
    return {"ERR_CORRUPT",
            "the chunk header says " + std::to_string(h->cbytes) + " compressed bytes but src holds " + std::to_string(src.length)};
  }
  if (layout::ChunkExtended(src.data) && src.length >= BLOSC_EXTENDED_HEADER_LENGTH) h->special = layout::ChunkSpecial(src.data);
  return Ok();
}

// C-Blosc2's threads undo DELTA against block 0 and wait until the thread
// decoding block 0 signals; if that block fails to decode, nobody signals and
// the others wait forever. Such chunks are decoded on one thread.
static bool UsesDelta(const View& src) {
  if (layout::ChunkExtended(src.data)) {
    if (src.length < BLOSC_EXTENDED_HEADER_LENGTH) return true;
    for (int i = 0; i < BLOSC2_MAX_FILTERS; i++) {
      if (src.data[BLOSC2_CHUNK_FILTER_CODES + i] == BLOSC_DELTA) return true;
    }
    return false;
  }
  return (src.data[BLOSC2_CHUNK_FLAGS] & BLOSC_DODELTA) != 0;
}

// Whether the chunk's extended header sets BLOSC2_USEDICT (a zstd dictionary
// follows its block starts).
static bool UsesDict(const View& src) {
  return layout::ChunkExtended(src.data) && src.length >= BLOSC_EXTENDED_HEADER_LENGTH &&
         (src.data[BLOSC2_CHUNK_BLOSC2_FLAGS] & BLOSC2_USEDICT) != 0;
}

static const char* PluginName(bool filter, int id) {
  static const char* const kFilters[] = {"ndcell", "ndmean", "bytedelta (old)", "bytedelta", "int_trunc"};
  static const char* const kCodecs[] = {"ndlz", "zfp_acc", "zfp_prec", "zfp_rate", "openhtj2k", "grok"};
  int i = id - 32;
  if (filter && i >= 0 && i < 5) return kFilters[i];
  if (!filter && i >= 0 && i < 6) return kCodecs[i];
  return id >= 160 ? "user-registered" : "plugin";
}

// C-Blosc2 is built without its plugins (deps/build.js), and nobody here
// registers filters or codecs, so a chunk that needs one cannot be decoded
// whatever its bytes; say so instead of letting C-Blosc2 report a failure
// that reads like corruption. Special chunks run no filter or codec.
Failure CheckBuiltIn(const View& src, const ChunkHeader& h) {
  if (h.special != 0 || !layout::ChunkExtended(src.data) || src.length < BLOSC_EXTENDED_HEADER_LENGTH) return Ok();
  for (int i = 0; i < BLOSC2_MAX_FILTERS; i++) {
    int id = src.data[BLOSC2_CHUNK_FILTER_CODES + i];
    if (id >= BLOSC2_GLOBAL_REGISTERED_FILTERS_START) {
      return {"ERR_UNSUPPORTED", std::string("the chunk needs the C-Blosc2 filter ") + std::to_string(id) + " (" + PluginName(true, id) +
                                     "), a plugin this build does not include"};
    }
  }
  // C-Blosc2 2.17.1 undoes DELTA against the destination's block 0, and for
  // some filter orders reads that block before writing it, or reads a scratch
  // buffer never written: the output then depends on what memory held (found
  // by fuzz_chunk, fuzz_frame and fuzz_slice). Measured on chunks written by
  // python-blosc2 (C-Blosc2 3.x), every order of one SHUFFLE or BITSHUFFLE
  // and one DELTA over int16/32/64 and float32 items, one or many blocks:
  // DELTA applied first is right; DELTA after SHUFFLE is wrong or varies;
  // DELTA after BITSHUFFLE is right unless DELTA is in the last slot of the
  // pipeline. Those, and a second DELTA, are refused. A memcpyed chunk runs
  // no filter at all.
  if (!(src.data[BLOSC2_CHUNK_FLAGS] & BLOSC_MEMCPYED)) {
    const uint8_t* filters = src.data + BLOSC2_CHUNK_FILTER_CODES;
    const uint8_t* delta = static_cast<const uint8_t*>(std::memchr(filters, BLOSC_DELTA, BLOSC2_MAX_FILTERS));
    if (delta != nullptr) {
      const int at = static_cast<int>(delta - filters);
      const char* why = nullptr;
      if (std::memchr(delta + 1, BLOSC_DELTA, static_cast<size_t>(BLOSC2_MAX_FILTERS - at - 1))) why = "applies DELTA twice";
      for (int i = 0; i < at && !why; i++) {
        if (filters[i] == BLOSC_SHUFFLE) why = "applies DELTA after SHUFFLE";
        if (filters[i] == BLOSC_BITSHUFFLE && at == BLOSC2_MAX_FILTERS - 1) why = "applies DELTA after BITSHUFFLE in the last filter slot";
      }
      if (why) return {"ERR_UNSUPPORTED", std::string("the chunk ") + why + ", which C-Blosc2 2.17.1 does not decode correctly"};
    }
  }
  if ((src.data[BLOSC2_CHUNK_FLAGS] >> 5) == BLOSC_UDCODEC_FORMAT) {
    int id = src.data[layout::kChunkUdcompcode];
    if (id >= BLOSC2_GLOBAL_REGISTERED_CODECS_START) {
      return {"ERR_UNSUPPORTED", std::string("the chunk needs the C-Blosc2 codec ") + std::to_string(id) + " (" + PluginName(false, id) +
                                     "), a plugin this build does not include"};
    }
  }
  return Ok();
}

Failure DoDecompressBlocks(int nthreads, const View& src, const ChunkHeader& h, uint8_t* dest, size_t destCap, bool* maskout, int nblocks) {
  if (static_cast<size_t>(h.nbytes) > destCap) {
    return {"ERR_OUTPUT_TOO_SMALL",
            "out has " + std::to_string(destCap) + " bytes but the chunk decompresses to " + std::to_string(h.nbytes)};
  }
  if (h.nbytes == 0) return Ok();
  // An "uninitialized" special chunk leaves the destination untouched; hand
  // back zeros rather than whatever the memory held.
  if (h.special == BLOSC2_SPECIAL_UNINIT) {
    std::memset(dest, 0, static_cast<size_t>(h.nbytes));
    return Ok();
  }
  Failure f = CheckBuiltIn(src, h);
  if (f.code) return f;
  bool delta = UsesDelta(src);
  int threads = delta ? 1 : nthreads;
  // DELTA undoes every block against block 0 of the destination: it must be decoded.
  if (maskout != nullptr && delta && nblocks > 0) maskout[0] = false;
  bool masked = maskout != nullptr && h.special == 0;
  int rc = 0;
  if (UsesDict(src)) {
    // C-Blosc2 2.17.1 keeps a context's use_dict set after a chunk with a
    // zstd dictionary (so later chunks would be read with it), and frees the
    // held dictionary before reading the new one's length, leaving it to be
    // freed again when that length is bad (found by fuzz_chunk): such a
    // chunk gets a context of its own, used once.
    blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
    dp.nthreads = static_cast<int16_t>(threads);
    CtxPtr ctx(blosc2_create_dctx(dp), blosc2_free_ctx);
    if (!ctx) return {"ERR_NO_MEMORY", "cannot create a decompression context"};
    if (masked && (rc = blosc2_set_maskout(ctx.get(), maskout, nblocks)) < 0) {
      return {"ERR_NO_MEMORY", BloscMessage("cannot set the block mask", rc), rc};
    }
    rc = blosc2_decompress_ctx(ctx.get(), src.data, h.cbytes, dest, h.nbytes);
  } else {
    PooledContext ctx = AcquireDecompression(threads);
    if (!ctx) return {"ERR_NO_MEMORY", "cannot create a decompression context"};
    // The mask holds for the next decompression only (C-Blosc2 drops it after
    // every call), so the context goes back to the cache without it.
    if (masked && (rc = blosc2_set_maskout(ctx.get(), maskout, nblocks)) < 0) {
      ctx.Discard();
      return {"ERR_NO_MEMORY", BloscMessage("cannot set the block mask", rc), rc};
    }
    rc = blosc2_decompress_ctx(ctx.get(), src.data, h.cbytes, dest, h.nbytes);
    if (rc != h.nbytes) ctx.Discard();
  }
  if (rc < 0) return {"ERR_CORRUPT", BloscMessage("decompression failed: the chunk is corrupt", rc), rc};
  if (rc != h.nbytes) {
    return {"ERR_CORRUPT",
            "the chunk decompressed to " + std::to_string(rc) + " bytes, not the " + std::to_string(h.nbytes) + " its header announces"};
  }
  return Ok();
}

Failure DoDecompress(int nthreads, const View& src, const ChunkHeader& h, uint8_t* dest, size_t destCap) {
  return DoDecompressBlocks(nthreads, src, h, dest, destCap, nullptr, 0);
}

Failure DecompressChunk(const View& src, const View& dest, const ThreadRequest& threads) {
  ChunkHeader h;
  Failure f = ReadChunkHeader(src, &h, HeaderCheck::kExact);
  if (f.code) return f;
  AdviseHugePages(dest.data, dest.length);
  ThreadGrant grant(threads, static_cast<size_t>(h.nbytes), static_cast<size_t>(std::max(h.blocksize, 1)));
  return DoDecompress(grant.count(), src, h, dest.data, dest.length);
}

}  // namespace blosc2_node
