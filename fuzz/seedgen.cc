// Writes the seed corpora of the harnesses: valid outputs of our own encoder
// (DoCompress, AssembleFrame) across codecs, filters, type sizes and shapes,
// plus the special chunks, python-blosc2-style (non-contiguous) b2nd frames
// and a plain super-chunk frame, which our encoder never makes but we decode.
// Usage: seedgen <dir>   (creates <dir>/chunk and <dir>/frame)
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include "chunk.h"
#include "frame_writer.h"

extern "C" {
#include <b2nd.h>
}

using namespace blosc2_node;

namespace {

std::string outDir;
int counter = 0;

void Write(const char* kind, const uint8_t* data, size_t len) {
  std::string path = outDir + "/" + kind + "/seed-" + std::to_string(counter++);
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::fwrite(data, 1, len, f);
  std::fclose(f);
}

// Data that compresses somewhat but not trivially, so blocks take real codec paths.
std::vector<uint8_t> Sample(size_t n, int typesize, unsigned seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    v[i] = static_cast<uint8_t>((i / static_cast<size_t>(typesize)) * 3 + ((x >> 16) & 0x3));
  }
  return v;
}

blosc2_cparams Params(int codec, int clevel, int typesize, uint8_t filter, int splitmode) {
  blosc2_cparams cp = BLOSC2_CPARAMS_DEFAULTS;
  cp.compcode = static_cast<uint8_t>(codec);
  cp.clevel = static_cast<uint8_t>(clevel);
  cp.typesize = typesize;
  cp.nthreads = 1;
  cp.splitmode = splitmode;
  for (int i = 0; i < BLOSC2_MAX_FILTERS; i++) cp.filters[i] = 0;
  cp.filters[BLOSC2_MAX_FILTERS - 1] = filter;
  if (filter == BLOSC_TRUNC_PREC) cp.filters_meta[BLOSC2_MAX_FILTERS - 1] = 10;
  return cp;
}

void Chunks() {
  const int codecs[] = {BLOSC_BLOSCLZ, BLOSC_LZ4, BLOSC_LZ4HC, BLOSC_ZLIB, BLOSC_ZSTD};
  const uint8_t filters[] = {BLOSC_NOFILTER, BLOSC_SHUFFLE, BLOSC_BITSHUFFLE, BLOSC_DELTA, 35 /* bytedelta, a filter plugin id */};
  const size_t sizes[] = {0, 1, 37, 1000, 70000};
  for (int codec : codecs) {
    for (uint8_t filter : filters) {
      for (size_t n : sizes) {
        int typesize = (n % 4 == 0) ? 4 : 1;
        for (int splitmode : {BLOSC_ALWAYS_SPLIT, BLOSC_NEVER_SPLIT}) {
          if (splitmode == BLOSC_NEVER_SPLIT && n != 70000) continue;
          std::vector<uint8_t> src = Sample(n, typesize, static_cast<unsigned>(n + codec + filter));
          std::vector<uint8_t> out(CompressBound(n));
          int32_t cbytes = 0;
          if (!DoCompress(Params(codec, 5, typesize, filter, splitmode), View{src.data(), n}, out.data(), out.size(), &cbytes).code) {
            Write("chunk", out.data(), static_cast<size_t>(cbytes));
          }
        }
      }
    }
  }
  // Incompressible data: a memcpyed chunk.
  std::vector<uint8_t> noise(4096);
  uint32_t x = 7;
  for (auto& b : noise) b = static_cast<uint8_t>((x = x * 1664525u + 1013904223u) >> 24);
  std::vector<uint8_t> out(CompressBound(noise.size()));
  int32_t cbytes = 0;
  if (!DoCompress(Params(BLOSC_LZ4, 9, 1, BLOSC_NOFILTER, BLOSC_ALWAYS_SPLIT), View{noise.data(), noise.size()}, out.data(), out.size(),
                  &cbytes)
           .code) {
    Write("chunk", out.data(), static_cast<size_t>(cbytes));
  }
  // Special chunks: header-only, announcing a size they do not carry.
  uint8_t special[BLOSC_EXTENDED_HEADER_LENGTH + 8];
  blosc2_cparams cp8 = Params(BLOSC_ZSTD, 5, 8, BLOSC_SHUFFLE, BLOSC_ALWAYS_SPLIT);
  int rc = blosc2_chunk_zeros(cp8, 8000, special, sizeof(special));
  if (rc > 0) Write("chunk", special, static_cast<size_t>(rc));
  rc = blosc2_chunk_uninit(cp8, 8000, special, sizeof(special));
  if (rc > 0) Write("chunk", special, static_cast<size_t>(rc));
  rc = blosc2_chunk_nans(cp8, 8000, special, sizeof(special));
  if (rc > 0) Write("chunk", special, static_cast<size_t>(rc));
  double value = 3.5;
  rc = blosc2_chunk_repeatval(cp8, 8000, special, sizeof(special), &value);
  if (rc > 0) Write("chunk", special, static_cast<size_t>(rc));
}

// Our encoder: contiguous geometries, as native/geometry_plan.cc picks them.
void OurFrames() {
  struct Case {
    int ndim;
    int64_t shape[3];
    int32_t chunk[3];
    int32_t block[3];
    int typesize;
    const char* dtype;
    const char* kind;
  };
  const Case cases[] = {
      {1, {1000}, {1000}, {250}, 4, "<f4", "Float32Array"},
      {1, {1000}, {300}, {100}, 8, "<f8", "Float64Array"},  // padded edge chunk
      {1, {0}, {1}, {1}, 1, "|u1", "Uint8Array"},
      {1, {5}, {5}, {5}, 1, "|u1", "Buffer"},
      {2, {10, 20}, {4, 20}, {2, 20}, 2, "<i2", ""},
      {3, {3, 7, 5}, {1, 4, 5}, {1, 2, 5}, 4, "<i4", ""},
      {0, {}, {}, {}, 8, "<f8", ""},
  };
  for (const Case& c : cases) {
    for (int codec : {BLOSC_BLOSCLZ, BLOSC_LZ4, BLOSC_ZSTD, BLOSC_ZLIB}) {
      Geometry g;
      g.ndim = static_cast<int8_t>(c.ndim);
      g.typesize = c.typesize;
      int64_t items = 1;
      for (int i = 0; i < c.ndim; i++) {
        g.shape[i] = c.shape[i];
        g.chunkshape[i] = c.chunk[i];
        g.blockshape[i] = c.block[i];
        items *= c.shape[i];
      }
      std::vector<uint8_t> src = Sample(static_cast<size_t>(items * c.typesize), c.typesize, static_cast<unsigned>(codec + items));
      FrameSpec spec;
      spec.data = View{src.data(), src.size()};
      spec.g = g;
      spec.dtype = c.dtype;
      spec.jsKind = c.kind;
      spec.cp = Params(codec, 5, c.typesize, BLOSC_SHUFFLE, BLOSC_FORWARD_COMPAT_SPLIT);
      AssembledFrame frame;
      Failure f = AssembleFrame(spec, &frame);
      if (f.code) {
        std::fprintf(stderr, "seedgen: AssembleFrame failed: %s\n", f.message.c_str());
        std::exit(1);
      }
      std::vector<uint8_t> out(static_cast<size_t>(frame.Length()));
      frame.WriteTo(out.data());
      Write("frame", out.data(), out.size());
    }
  }
}

void WriteArray(b2nd_array_t* arr) {
  uint8_t* cframe = nullptr;
  int64_t len = 0;
  bool needsFree = false;
  if (b2nd_to_cframe(arr, &cframe, &len, &needsFree) == 0) {
    Write("frame", cframe, static_cast<size_t>(len));
    if (needsFree) std::free(cframe);
  }
  b2nd_free(arr);
}

// What python-blosc2 writes: square-ish chunks and blocks (non-contiguous),
// and special-chunk arrays (zeros, uninit, full).
void ForeignFrames() {
  blosc2_cparams cp = Params(BLOSC_ZSTD, 1, 4, BLOSC_SHUFFLE, BLOSC_FORWARD_COMPAT_SPLIT);
  blosc2_storage storage = BLOSC2_STORAGE_DEFAULTS;
  storage.contiguous = true;
  storage.cparams = &cp;
  const int64_t shape[2] = {30, 50};
  const int32_t chunk[2] = {16, 16};
  const int32_t block[2] = {8, 4};
  std::vector<uint8_t> src = Sample(30 * 50 * 4, 4, 99);
  b2nd_context_t* ctx = b2nd_create_ctx(&storage, 2, shape, chunk, block, "<i4", DTYPE_NUMPY_FORMAT, nullptr, 0);
  b2nd_array_t* arr = nullptr;
  if (b2nd_from_cbuffer(ctx, &arr, src.data(), static_cast<int64_t>(src.size())) == 0) WriteArray(arr);
  if (b2nd_zeros(ctx, &arr) == 0) WriteArray(arr);
  if (b2nd_uninit(ctx, &arr) == 0) WriteArray(arr);
  int32_t fill = 7;
  if (b2nd_full(ctx, &arr, &fill) == 0) WriteArray(arr);
  b2nd_free_ctx(ctx);

  // python-blosc2's non-array frames: an empty carrier with the metalayers and
  // vlmeta that mark a lazy expression (LazyArray, _LazyArray, b2o).
  {
    blosc2_metalayer metas[2];
    uint8_t lazy[] = {0x00};                                                                        // msgpack 0
    uint8_t b2o[] = {0x82, 0xa4, 'k', 'i', 'n', 'd', 0xa8, 'l', 'a', 'z', 'y', 'e', 'x', 'p', 'r',  // {kind: 'lazyexpr',
                     0xa7, 'v',  'e', 'r', 's', 'i', 'o',  'n', 0x01};                              //  version: 1}
    metas[0] = {const_cast<char*>("LazyArray"), lazy, sizeof(lazy)};
    metas[1] = {const_cast<char*>("b2o"), b2o, sizeof(b2o)};
    const int64_t lshape[1] = {10};
    const int32_t lchunk[1] = {10};
    b2nd_context_t* lctx = b2nd_create_ctx(&storage, 1, lshape, lchunk, lchunk, "<f8", DTYPE_NUMPY_FORMAT, metas, 2);
    b2nd_array_t* lazyArr = nullptr;
    if (b2nd_uninit(lctx, &lazyArr) == 0) {
      uint8_t expr[] = {0x81, 0xaa, 'e', 'x', 'p', 'r', 'e', 's', 's', 'i', 'o', 'n', 0xa7, 'o', '0', ' ', '+', ' ', 'o', '1'};
      blosc2_vlmeta_add(lazyArr->sc, "_LazyArray", expr, sizeof(expr), nullptr);
      WriteArray(lazyArr);
    }
    b2nd_free_ctx(lctx);
  }

  // A plain super-chunk (no b2nd metalayer): python-blosc2's SChunk.
  blosc2_schunk* sc = blosc2_schunk_new(&storage);
  std::vector<uint8_t> part = Sample(4000, 4, 5);
  for (int i = 0; i < 3; i++) blosc2_schunk_append_buffer(sc, part.data(), static_cast<int32_t>(part.size()));
  uint8_t* buf = nullptr;
  bool needsFree = false;
  int64_t len = blosc2_schunk_to_buffer(sc, &buf, &needsFree);
  if (len > 0) Write("frame", buf, static_cast<size_t>(len));
  if (needsFree) std::free(buf);
  blosc2_schunk_free(sc);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: seedgen <dir>\n");
    return 2;
  }
  outDir = argv[1];
  mkdir(outDir.c_str(), 0755);
  mkdir((outDir + "/chunk").c_str(), 0755);
  mkdir((outDir + "/frame").c_str(), 0755);
  blosc2_init();
  Chunks();
  OurFrames();
  ForeignFrames();
  blosc2_destroy();
  std::printf("seedgen: %d seeds in %s\n", counter, outDir.c_str());
  return 0;
}
