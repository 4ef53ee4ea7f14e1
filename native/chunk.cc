// One C-Blosc2 chunk on raw memory; see chunk.h.
#include "chunk.h"

#include <cstring>
#include <memory>
#include <string>

#include "cblosc2_layout.h"
#include "huge_pages.h"

namespace blosc2_node {

using CtxPtr = std::unique_ptr<blosc2_context, decltype(&blosc2_free_ctx)>;

std::string BloscMessage(const char* what, int rc) {
  return std::string(what) + " (C-Blosc2 error " + std::to_string(rc) + ": " + print_error(rc) + ")";
}

int ThreadsFor(size_t nbytes, int requested) { return nbytes < kSmallCallBytes ? 1 : requested; }

size_t CompressBound(size_t nbytes) { return nbytes + BLOSC2_MAX_OVERHEAD; }

Failure DoCompress(blosc2_cparams cp, const View& src, uint8_t* dest, size_t destCap, int32_t* cbytes) {
  if (src.length > static_cast<size_t>(BLOSC2_MAX_BUFFERSIZE)) {
    return {"ERR_INVALID_ARG", "src is " + std::to_string(src.length) + " bytes; one chunk holds at most " +
                                   std::to_string(BLOSC2_MAX_BUFFERSIZE) + " bytes (use pack for larger arrays)"};
  }
  CtxPtr ctx(blosc2_create_cctx(cp), blosc2_free_ctx);
  if (!ctx) return {"ERR_INVALID_ARG", "C-Blosc2 refused the compression parameters"};
  int rc = blosc2_compress_ctx(ctx.get(), src.data, static_cast<int32_t>(src.length), dest, static_cast<int32_t>(destCap));
  if (rc <= 0) return {"ERR_COMPRESS", BloscMessage("compression failed", rc), rc};
  *cbytes = rc;
  return Ok();
}

Failure CompressChunk(blosc2_cparams cp, const View& src, const View& dest, int32_t* cbytes) {
  if (dest.length < CompressBound(src.length)) return {"ERR_OUTPUT_TOO_SMALL", "out is shorter than compressBound(src)"};
  cp.nthreads = static_cast<int16_t>(ThreadsFor(src.length, cp.nthreads));
  AdviseHugePages(dest.data, dest.length);
  Failure f = DoCompress(cp, src, dest.data, dest.length, cbytes);
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
  if ((src.data[BLOSC2_CHUNK_FLAGS] >> 5) == BLOSC_UDCODEC_FORMAT) {
    int id = src.data[layout::kChunkUdcompcode];
    if (id >= BLOSC2_GLOBAL_REGISTERED_CODECS_START) {
      return {"ERR_UNSUPPORTED", std::string("the chunk needs the C-Blosc2 codec ") + std::to_string(id) + " (" + PluginName(false, id) +
                                     "), a plugin this build does not include"};
    }
  }
  return Ok();
}

DecompressContexts::~DecompressContexts() {
  if (single_) blosc2_free_ctx(single_);
  if (many_) blosc2_free_ctx(many_);
}

blosc2_context* DecompressContexts::For(int nthreads) {
  blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
  dp.nthreads = static_cast<int16_t>(nthreads);
  if (nthreads <= 1) {
    if (!single_) single_ = blosc2_create_dctx(dp);
    return single_;
  }
  if (many_ && manyThreads_ != nthreads) {
    blosc2_free_ctx(many_);
    many_ = nullptr;
  }
  if (!many_) {
    many_ = blosc2_create_dctx(dp);
    manyThreads_ = nthreads;
  }
  return many_;
}

Failure DoDecompressBlocks(int nthreads, const View& src, const ChunkHeader& h, uint8_t* dest, size_t destCap, bool* maskout, int nblocks,
                           DecompressContexts* contexts) {
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
  CtxPtr own(nullptr, blosc2_free_ctx);
  blosc2_context* ctx = nullptr;
  if (contexts) {
    ctx = contexts->For(threads);
  } else {
    blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
    dp.nthreads = static_cast<int16_t>(threads);
    own.reset(blosc2_create_dctx(dp));
    ctx = own.get();
  }
  if (!ctx) return {"ERR_NO_MEMORY", "cannot create a decompression context"};
  if (maskout != nullptr && h.special == 0) {
    // DELTA undoes every block against block 0 of the destination: it must be decoded.
    if (delta && nblocks > 0) maskout[0] = false;
    int rc = blosc2_set_maskout(ctx, maskout, nblocks);
    if (rc < 0) return {"ERR_NO_MEMORY", BloscMessage("cannot set the block mask", rc), rc};
  }
  int rc = blosc2_decompress_ctx(ctx, src.data, h.cbytes, dest, h.nbytes);
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

Failure DecompressChunk(const View& src, const View& dest, int nthreads) {
  ChunkHeader h;
  Failure f = ReadChunkHeader(src, &h, HeaderCheck::kExact);
  if (f.code) return f;
  AdviseHugePages(dest.data, dest.length);
  return DoDecompress(ThreadsFor(static_cast<size_t>(h.nbytes), nthreads), src, h, dest.data, dest.length);
}

}  // namespace blosc2_node
