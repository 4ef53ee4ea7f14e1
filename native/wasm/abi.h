// What the two files of the WebAssembly C ABI share (exports.cc, random_access.cc):
// the structs both read or write, failures as codes, pointers as u32 offsets.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "../chunk.h"
#include "../frame_reader.h"

#define B2_EXPORT(name) extern "C" __attribute__((export_name(#name)))

namespace blosc2_wasm {

using namespace blosc2_node;

// Compression parameters (src/backend/types.ts, CoreCParams).
struct CParamsAbi {
  int32_t clevel;                           // 0
  int32_t codec;                            // 4
  int32_t typesize;                         // 8
  int32_t blocksize;                        // 12
  int32_t splitmode;                        // 16
  uint8_t filters[BLOSC2_MAX_FILTERS];      // 20
  uint8_t filtersMeta[BLOSC2_MAX_FILTERS];  // 26
};
static_assert(sizeof(CParamsAbi) == 32 && offsetof(CParamsAbi, filters) == 20 && offsetof(CParamsAbi, filtersMeta) == 26);

// What frameOpen and frameOpenParts learned (OpenedFrame); strings point into the handle.
struct FrameInfoAbi {
  uint32_t handle;                     // 0: FrameMeta*, closed by b2_frame_close
  int32_t ndim;                        // 4
  double shape[BLOSC2_MAX_DIM];        // 8
  int32_t chunkshape[BLOSC2_MAX_DIM];  // 72
  int32_t blockshape[BLOSC2_MAX_DIM];  // 104
  int32_t typesize;                    // 136
  int32_t chunksize;                   // 140
  double nchunks;                      // 144
  double nbytes;                       // 152
  double rawOffset;                    // 160
  int32_t b2nd;                        // 168
  int32_t contiguous;                  // 172
  uint32_t dtype;                      // 176: pointer to a C string
  uint32_t jsKind;                     // 180: pointer to a C string
  double cbytes;                       // 184
  double frameLength;                  // 192
  double headerLength;                 // 200
  double indexOffset;                  // 208
};
static_assert(sizeof(FrameInfoAbi) == 216 && offsetof(FrameInfoAbi, chunkshape) == 72 && offsetof(FrameInfoAbi, nchunks) == 144 &&
              offsetof(FrameInfoAbi, dtype) == 176 && offsetof(FrameInfoAbi, cbytes) == 184);

// Every call runs on exactly one thread.
constexpr ThreadRequest kOneThread{1, false};

template <typename T>
T* Ptr(uint32_t p) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(p));
}

inline uint32_t Addr(const void* p) { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p)); }

// Records f for b2_error_*() (exports.cc); 0 when f is Ok, else 1.
int32_t Report(const Failure& f);

// A JS number as the addon reads it (Node-API's Int64Value): NaN is 0, and
// out-of-range values saturate (a plain cast would trap in wasm32).
inline int64_t Int64Of(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9223372036854775807.0) return INT64_MAX;
  if (v <= -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(v);
}

inline blosc2_cparams ToCParams(const CParamsAbi& c) {
  blosc2_cparams cp = BLOSC2_CPARAMS_DEFAULTS;
  cp.clevel = static_cast<uint8_t>(c.clevel);
  cp.compcode = static_cast<uint8_t>(c.codec);
  cp.typesize = c.typesize;
  cp.nthreads = 1;
  cp.blocksize = c.blocksize;
  cp.splitmode = c.splitmode;
  std::memcpy(cp.filters, c.filters, BLOSC2_MAX_FILTERS);
  std::memcpy(cp.filters_meta, c.filtersMeta, BLOSC2_MAX_FILTERS);
  return cp;
}

// Fills info from an opened frame and hands it the handle (meta's ownership).
inline void WriteFrameInfo(FrameMeta* meta, FrameInfoAbi* info) {
  const Geometry& g = meta->g;
  std::memset(info, 0, sizeof *info);
  info->ndim = g.ndim;
  for (int i = 0; i < g.ndim; i++) {
    info->shape[i] = static_cast<double>(g.shape[i]);
    info->chunkshape[i] = g.chunkshape[i];
    info->blockshape[i] = g.blockshape[i];
  }
  info->typesize = g.typesize;
  info->chunksize = meta->chunksize;
  info->nchunks = static_cast<double>(meta->nchunks);
  info->nbytes = static_cast<double>(meta->nbytes);
  info->rawOffset = static_cast<double>(meta->rawOffset);
  info->b2nd = meta->isB2nd;
  info->contiguous = meta->contiguous;
  info->dtype = Addr(meta->dtype.c_str());
  info->jsKind = Addr(meta->jsKind.c_str());
  info->cbytes = static_cast<double>(meta->cbytes);
  info->frameLength = static_cast<double>(meta->length);
  info->headerLength = static_cast<double>(meta->headerLen);
  info->indexOffset = static_cast<double>(meta->headerLen + meta->cbytes);
  info->handle = Addr(meta);
}

}  // namespace blosc2_wasm
