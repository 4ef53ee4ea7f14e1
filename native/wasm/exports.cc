// The WebAssembly binding of the core: a C ABI over the same chunk, geometry,
// frame writer and frame reader code as the Node-API addon, mirroring
// native/addon/binding.cc call for call (src/backend/wasm.ts is its JS side;
// random access and the chunk-by-chunk writer are in random_access.cc).
//
// Memory: the JS side copies inputs into buffers it gets from the exported
// malloc and copies results out; it frees them with the exported free. Each
// request is a struct the JS side writes field by field (the layouts below and
// in abi.h, checked by static_assert here and by b2_abi() when the module loads).
// Every call returns 0 on success or 1 on failure; a failure leaves its
// stable code, message and C-Blosc2 error number for b2_error_*() (the JS
// side turns them into the same Blosc2Error the addon throws).
//
// Threads: always one (native/wasm/single_thread.cc stands in for
// threads.cc and context_pool.cc). WASI has none here, and C-Blosc2 2.17.1
// leaks its thread context when a context with more threads fails to start them.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "../chunk.h"
#include "../frame_reader.h"
#include "../frame_writer.h"
#include "abi.h"

namespace blosc2_wasm {

// An array to frame (FrameEncodeRequest): its bytes, shape, item size, dtype
// and js metalayer as NUL-terminated strings, and how to compress it.
struct FrameSpecAbi {
  uint32_t data;                 // 0: pointer
  uint32_t dataLength;           // 4
  int32_t ndim;                  // 8
  int32_t itemsize;              // 12
  uint32_t dtype;                // 16: pointer to a C string
  uint32_t jsKind;               // 20: pointer to a C string
  double shape[BLOSC2_MAX_DIM];  // 24
  CParamsAbi cparams;            // 88
};
static_assert(sizeof(FrameSpecAbi) == 120 && offsetof(FrameSpecAbi, shape) == 24 && offsetof(FrameSpecAbi, cparams) == 88);

// What a chunk header says (ChunkInfo).
struct ChunkInfoAbi {
  int32_t nbytes, cbytes, blocksize, typesize, flags, special;  // 0..20
  int32_t extended;                                             // 24: filters are meaningful
  uint32_t complib;                                             // 28: pointer to a C string, or 0
  uint8_t filters[BLOSC2_MAX_FILTERS];                          // 32
  uint8_t filtersMeta[BLOSC2_MAX_FILTERS];                      // 38
};
static_assert(sizeof(ChunkInfoAbi) == 44 && offsetof(ChunkInfoAbi, filters) == 32);

// An encoded frame: malloc'd (capacity bytes, the worst case), the caller frees it.
struct FrameOutAbi {
  uint32_t data;    // 0: pointer
  double length;    // 8
  double capacity;  // 16
};
static_assert(sizeof(FrameOutAbi) == 24 && offsetof(FrameOutAbi, length) == 8);

namespace {

// The last failure, for b2_error_*().
struct LastError {
  std::string code, message;
  int cerr = 0;
} g_error;

}  // namespace

int32_t Report(const Failure& f) {
  if (!f.code) return 0;
  g_error.code = f.code;
  g_error.message = f.message;
  g_error.cerr = f.cerr;
  return 1;
}

namespace {

// As requests.cc's ReadFrameSpec: the geometry is chosen here.
Failure ReadFrameSpec(const FrameSpecAbi& in, FrameSpec* spec) {
  if (in.ndim < 0 || in.ndim > BLOSC2_MAX_DIM) return {"ERR_INVALID_ARG", "internal: bad request to the wasm core: shape"};
  spec->data = View{Ptr<uint8_t>(in.data), in.dataLength};
  spec->g.ndim = static_cast<int8_t>(in.ndim);
  for (int i = 0; i < in.ndim; i++) spec->g.shape[i] = Int64Of(in.shape[i]);
  spec->g.typesize = in.itemsize;
  spec->dtype = Ptr<const char>(in.dtype);
  spec->jsKind = Ptr<const char>(in.jsKind);
  spec->cp = ToCParams(in.cparams);
  spec->threads = kOneThread;
  return ChooseFrameGeometry(spec);
}

struct Init {
  Init() { blosc2_init(); }
} g_init;  // runs in _initialize (a reactor module), before any export

}  // namespace
}  // namespace blosc2_wasm

using namespace blosc2_wasm;

// The sizes of the request and result structs, for the JS side to check its
// layouts against when the module loads: CParamsAbi, FrameSpecAbi,
// ChunkInfoAbi, FrameOutAbi, FrameInfoAbi, one byte each.
B2_EXPORT(b2_abi) uint64_t b2_abi() {
  return (uint64_t{sizeof(CParamsAbi)} << 32) | (uint64_t{sizeof(FrameSpecAbi)} << 24) | (uint64_t{sizeof(ChunkInfoAbi)} << 16) |
         (uint64_t{sizeof(FrameOutAbi)} << 8) | uint64_t{sizeof(FrameInfoAbi)};
}

B2_EXPORT(b2_error_code) const char* b2_error_code() { return g_error.code.c_str(); }
B2_EXPORT(b2_error_message) const char* b2_error_message() { return g_error.message.c_str(); }
B2_EXPORT(b2_error_errno) int32_t b2_error_errno() { return g_error.cerr; }

B2_EXPORT(b2_version) const char* b2_version() { return BLOSC2_VERSION_STRING; }
B2_EXPORT(b2_compressors) const char* b2_compressors() { return blosc2_list_compressors(); }
B2_EXPORT(b2_max_buffer_size) int32_t b2_max_buffer_size() { return BLOSC2_MAX_BUFFERSIZE; }
B2_EXPORT(b2_max_overhead) int32_t b2_max_overhead() { return BLOSC2_MAX_OVERHEAD; }

// compress: src into out (at least src + maxOverhead bytes); *cbytes the chunk's length.
B2_EXPORT(b2_compress)
int32_t b2_compress(const CParamsAbi* cparams, uint8_t* src, uint32_t srcLength, uint8_t* out, uint32_t outLength, int32_t* cbytes) {
  return Report(CompressChunk(ToCParams(*cparams), kOneThread, View{src, srcLength}, View{out, outLength}, cbytes));
}

// decompress: exactly one chunk in src, into out (at least its nbytes).
B2_EXPORT(b2_decompress) int32_t b2_decompress(uint8_t* src, uint32_t srcLength, uint8_t* out, uint32_t outLength) {
  return Report(DecompressChunk(View{src, srcLength}, View{out, outLength}, kOneThread));
}

// chunkInfo: what the header says; check 0 header only, 1 within, 2 exact.
B2_EXPORT(b2_chunk_info) int32_t b2_chunk_info(uint8_t* src, uint32_t srcLength, int32_t check, ChunkInfoAbi* info) {
  View v{src, srcLength};
  ChunkHeader h;
  if (check < 0 || check > 2) return Report({"ERR_INVALID_ARG", "internal: bad request to the wasm core: check"});
  Failure f = ReadChunkHeader(v, &h, static_cast<HeaderCheck>(check));
  if (f.code) return Report(f);
  std::memset(info, 0, sizeof *info);
  info->nbytes = h.nbytes;
  info->cbytes = h.cbytes;
  info->blocksize = h.blocksize;
  info->typesize = src[BLOSC2_CHUNK_TYPESIZE];
  info->flags = src[BLOSC2_CHUNK_FLAGS];
  info->special = h.special;
  info->extended = (src[BLOSC2_CHUNK_FLAGS] & 0x5) == 0x5 && srcLength >= BLOSC_EXTENDED_HEADER_LENGTH;
  if (info->extended) {
    std::memcpy(info->filters, src + BLOSC2_CHUNK_FILTER_CODES, BLOSC2_MAX_FILTERS);
    std::memcpy(info->filtersMeta, src + BLOSC2_CHUNK_FILTER_META, BLOSC2_MAX_FILTERS);
  }
  info->complib = Addr(blosc2_cbuffer_complib(src));
  return 0;
}

// frameCapacity: the worst-case length of the frame frameEncode writes.
B2_EXPORT(b2_frame_capacity) int32_t b2_frame_capacity(const FrameSpecAbi* request, double* capacity) {
  FrameSpec spec;
  Failure f = ReadFrameSpec(*request, &spec);
  if (f.code) return Report(f);
  size_t c = 0;
  f = FrameCapacity(spec, &c);
  *capacity = static_cast<double>(c);
  return Report(f);
}

// frameEncode: the frame, its chunks compressed straight into one malloc'd
// region of the worst-case size (the caller copies the frame out and frees it).
B2_EXPORT(b2_frame_encode) int32_t b2_frame_encode(const FrameSpecAbi* request, FrameOutAbi* out) {
  FrameSpec spec;
  Failure f = ReadFrameSpec(*request, &spec);
  if (f.code) return Report(f);
  AssembledFrame frame;
  std::unique_ptr<uint8_t, decltype(&free)> region(nullptr, free);
  size_t capacity = 0;
  f = AssembleFrame(spec, &frame, [&](size_t c) {
    capacity = c;
    region.reset(static_cast<uint8_t*>(malloc(c > 0 ? c : 1)));
    return region.get();
  });
  if (f.code) return Report(f);
  if (!region) return Report({"ERR_NO_MEMORY", "cannot allocate the frame (WebAssembly memory is full)"});
  frame.WriteTo(region.get());
  out->length = static_cast<double>(frame.Length());
  out->capacity = static_cast<double>(capacity);
  out->data = Addr(region.release());
  return 0;
}

// frameOpen: parses the frame's header and metalayers once; the handle (a
// FrameMeta) lives until b2_frame_close.
B2_EXPORT(b2_frame_open) int32_t b2_frame_open(uint8_t* frame, uint32_t length, FrameInfoAbi* info) {
  std::unique_ptr<FrameMeta> meta(new (std::nothrow) FrameMeta());
  if (!meta) return Report({"ERR_NO_MEMORY", "cannot allocate a frame handle"});
  Failure f = OpenFrame(View{frame, length}, meta.get());
  if (f.code) return Report(f);
  WriteFrameInfo(meta.release(), info);
  return 0;
}

// frameDecode: the opened frame (the same bytes) into out, exactly the array's size.
B2_EXPORT(b2_frame_decode) int32_t b2_frame_decode(uint32_t handle, uint8_t* frame, uint32_t length, uint8_t* out, uint32_t outLength) {
  return Report(DecodeFrame(View{frame, length}, *Ptr<const FrameMeta>(handle), View{out, outLength}, kOneThread));
}

// The name of an opened frame's fixed (vl = 0) or variable-length (vl = 1)
// metalayer number i, or 0 past the last one.
B2_EXPORT(b2_frame_metalayer) const char* b2_frame_metalayer(uint32_t handle, int32_t vl, uint32_t i) {
  const FrameMeta& meta = *Ptr<const FrameMeta>(handle);
  const std::vector<std::string>& names = vl ? meta.vlmetalayers : meta.metalayers;
  return i < names.size() ? names[i].c_str() : nullptr;
}

// The content of an opened frame's "b2o" metalayer (*length bytes; 0 without one).
B2_EXPORT(b2_frame_b2o) const char* b2_frame_b2o(uint32_t handle, uint32_t* length) {
  const FrameMeta& meta = *Ptr<const FrameMeta>(handle);
  *length = static_cast<uint32_t>(meta.b2o.size());
  return meta.b2o.data();
}

B2_EXPORT(b2_frame_close) void b2_frame_close(uint32_t handle) { delete Ptr<FrameMeta>(handle); }
