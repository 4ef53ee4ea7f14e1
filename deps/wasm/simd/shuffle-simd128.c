/* Byte shuffle and unshuffle with WebAssembly SIMD128, for C-Blosc2 on wasm32.
 *
 * Why: C-Blosc2 2.17.1 has SIMD shuffles for SSE2/AVX2/AVX512, NEON and
 * AltiVec only; on wasm32 its dispatch (blosc/shuffle.c) falls back to
 * shuffle_generic/unshuffle_generic, a byte-at-a-time loop that took about 70%
 * of decompression time (lz4, shuffle, float64). This file defines those two
 * symbols itself. They are all that C-Blosc2's blosc/shuffle-generic.c
 * defines, so when this object is linked before libblosc2.a that archive
 * member is never pulled in: C-Blosc2's sources stay unpatched, and a future
 * C-Blosc2 that added a symbol there would fail the link loudly rather than
 * mix the two.
 *
 * Type sizes 2, 4 and 8 use ports of C-Blosc2's SSE2 kernels (shuffle2/4/8_sse2,
 * unshuffle2/4/8_sse2 in blosc/shuffle-sse2.c, BSD-3-Clause, Copyright (c)
 * 2021 The Blosc Development Team), with each _mm_unpack* and _mm_shuffle_epi32
 * written as the equivalent wasm i8x16/i16x8/i32x4/i64x2 shuffle; the output
 * is byte-identical to the generic code. Other type sizes, blocks shorter than
 * 16 elements and the tail of a block use the scalar loops of
 * blosc/shuffle-generic.h.
 *
 * Optional: deps/build-wasm.js compiles it (-msimd128) into
 * <prefix>/lib/blosc2_shuffle_simd128.o; a module that links it needs a
 * runtime with SIMD128 (Node >= 16.4, Chrome 91, Firefox 89, Safari 16.4).
 */
#include <stdint.h>
#include <string.h>
#include <wasm_simd128.h>

#define LO8(a, b) wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)
#define HI8(a, b) wasm_i8x16_shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)
#define LO16(a, b) wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11)
#define HI16(a, b) wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15)
#define LO32(a, b) wasm_i32x4_shuffle(a, b, 0, 4, 1, 5)
#define HI32(a, b) wasm_i32x4_shuffle(a, b, 2, 6, 3, 7)
#define LO64(a, b) wasm_i64x2_shuffle(a, b, 0, 2)
#define HI64(a, b) wasm_i64x2_shuffle(a, b, 1, 3)

/* shuffle_generic_inline of blosc/shuffle-generic.h, from element from_elem on. */
static void shuffle_scalar(int32_t ts, int32_t from_elem, int32_t blocksize, const uint8_t* src, uint8_t* dest) {
  const int32_t n = blocksize / ts, rem = blocksize % ts;
  for (int32_t j = 0; j < ts; j++)
    for (int32_t i = from_elem; i < n; i++) dest[j * n + i] = src[i * ts + j];
  memcpy(dest + (blocksize - rem), src + (blocksize - rem), rem);
}

/* unshuffle_generic_inline of blosc/shuffle-generic.h, from element from_elem on. */
static void unshuffle_scalar(int32_t ts, int32_t from_elem, int32_t blocksize, const uint8_t* src, uint8_t* dest) {
  const int32_t n = blocksize / ts, rem = blocksize % ts;
  for (int32_t i = from_elem; i < n; i++)
    for (int32_t j = 0; j < ts; j++) dest[i * ts + j] = src[j * n + i];
  memcpy(dest + (blocksize - rem), src + (blocksize - rem), rem);
}

static void unshuffle8(uint8_t* dest, const uint8_t* src, int32_t vec, int32_t n) {
  v128_t x[8], y[8];
  for (int32_t i = 0; i < vec; i += 16) {
    for (int j = 0; j < 8; j++) x[j] = wasm_v128_load(src + i + j * n);
    for (int j = 0; j < 4; j++) {
      y[j] = LO8(x[2 * j], x[2 * j + 1]);
      y[4 + j] = HI8(x[2 * j], x[2 * j + 1]);
    }
    for (int j = 0; j < 4; j++) {
      x[j] = LO16(y[2 * j], y[2 * j + 1]);
      x[4 + j] = HI16(y[2 * j], y[2 * j + 1]);
    }
    for (int j = 0; j < 4; j++) {
      y[j] = LO32(x[2 * j], x[2 * j + 1]);
      y[4 + j] = HI32(x[2 * j], x[2 * j + 1]);
    }
    uint8_t* d = dest + i * 8;
    wasm_v128_store(d + 0, y[0]);
    wasm_v128_store(d + 16, y[4]);
    wasm_v128_store(d + 32, y[2]);
    wasm_v128_store(d + 48, y[6]);
    wasm_v128_store(d + 64, y[1]);
    wasm_v128_store(d + 80, y[5]);
    wasm_v128_store(d + 96, y[3]);
    wasm_v128_store(d + 112, y[7]);
  }
}

static void unshuffle4(uint8_t* dest, const uint8_t* src, int32_t vec, int32_t n) {
  v128_t x[4], y[4];
  for (int32_t i = 0; i < vec; i += 16) {
    for (int j = 0; j < 4; j++) x[j] = wasm_v128_load(src + i + j * n);
    for (int j = 0; j < 2; j++) {
      y[j] = LO8(x[2 * j], x[2 * j + 1]);
      y[2 + j] = HI8(x[2 * j], x[2 * j + 1]);
    }
    for (int j = 0; j < 2; j++) {
      x[j] = LO16(y[2 * j], y[2 * j + 1]);
      x[2 + j] = HI16(y[2 * j], y[2 * j + 1]);
    }
    uint8_t* d = dest + i * 4;
    wasm_v128_store(d + 0, x[0]);
    wasm_v128_store(d + 16, x[2]);
    wasm_v128_store(d + 32, x[1]);
    wasm_v128_store(d + 48, x[3]);
  }
}

static void unshuffle2(uint8_t* dest, const uint8_t* src, int32_t vec, int32_t n) {
  for (int32_t i = 0; i < vec; i += 16) {
    v128_t a = wasm_v128_load(src + i), b = wasm_v128_load(src + i + n);
    wasm_v128_store(dest + i * 2, LO8(a, b));
    wasm_v128_store(dest + i * 2 + 16, HI8(a, b));
  }
}

static void shuffle8(uint8_t* dest, const uint8_t* src, int32_t vec, int32_t n) {
  v128_t x0[8], x1[8];
  for (int32_t j = 0; j < vec; j += 16) {
    for (int k = 0; k < 8; k++) {
      x0[k] = wasm_v128_load(src + j * 8 + k * 16);
      x1[k] = wasm_i32x4_shuffle(x0[k], x0[k], 2, 3, 0, 1);
      x1[k] = LO8(x0[k], x1[k]);
    }
    for (int k = 0, l = 0; k < 4; k++, l += 2) {
      x0[k * 2] = LO16(x1[l], x1[l + 1]);
      x0[k * 2 + 1] = HI16(x1[l], x1[l + 1]);
    }
    for (int k = 0, l = 0; k < 4; k++, l++) {
      if (k == 2) l += 2;
      x1[k * 2] = LO32(x0[l], x0[l + 2]);
      x1[k * 2 + 1] = HI32(x0[l], x0[l + 2]);
    }
    for (int k = 0; k < 4; k++) {
      x0[k * 2] = LO64(x1[k], x1[k + 4]);
      x0[k * 2 + 1] = HI64(x1[k], x1[k + 4]);
    }
    for (int k = 0; k < 8; k++) wasm_v128_store(dest + j + k * n, x0[k]);
  }
}

static void shuffle4(uint8_t* dest, const uint8_t* src, int32_t vec, int32_t n) {
  v128_t x0[4], x1[4];
  for (int32_t i = 0; i < vec; i += 16) {
    for (int j = 0; j < 4; j++) {
      x0[j] = wasm_v128_load(src + i * 4 + j * 16);
      x1[j] = wasm_i32x4_shuffle(x0[j], x0[j], 0, 2, 1, 3); /* _mm_shuffle_epi32 0xd8 */
      x0[j] = wasm_i32x4_shuffle(x0[j], x0[j], 1, 3, 0, 2); /* 0x8d */
      x0[j] = LO8(x1[j], x0[j]);
      x1[j] = wasm_i32x4_shuffle(x0[j], x0[j], 2, 3, 0, 1); /* 0x4e */
      x0[j] = LO16(x0[j], x1[j]);
    }
    for (int j = 0; j < 2; j++) {
      x1[j * 2] = LO32(x0[j * 2], x0[j * 2 + 1]);
      x1[j * 2 + 1] = HI32(x0[j * 2], x0[j * 2 + 1]);
    }
    for (int j = 0; j < 2; j++) {
      x0[j * 2] = LO64(x1[j], x1[j + 2]);
      x0[j * 2 + 1] = HI64(x1[j], x1[j + 2]);
    }
    for (int j = 0; j < 4; j++) wasm_v128_store(dest + i + j * n, x0[j]);
  }
}

static void shuffle2(uint8_t* dest, const uint8_t* src, int32_t vec, int32_t n) {
  for (int32_t j = 0; j < vec; j += 16) {
    v128_t a = wasm_v128_load(src + j * 2), b = wasm_v128_load(src + j * 2 + 16);
    /* even bytes (byte 0 of each element) and odd bytes */
    wasm_v128_store(dest + j, wasm_i8x16_shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30));
    wasm_v128_store(dest + j + n, wasm_i8x16_shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));
  }
}

typedef void (*kernel)(uint8_t*, const uint8_t*, int32_t, int32_t);

/* The vectorizable part (whole groups of 16 elements) with a kernel, the rest
 * (and every type size without a kernel) with the scalar loop. */
static void run(int shuffle, int32_t ts, int32_t blocksize, const uint8_t* src, uint8_t* dest) {
  kernel k = 0;
  if (ts == 8)
    k = shuffle ? shuffle8 : unshuffle8;
  else if (ts == 4)
    k = shuffle ? shuffle4 : unshuffle4;
  else if (ts == 2)
    k = shuffle ? shuffle2 : unshuffle2;
  const int32_t chunk = ts * 16;
  const int32_t vbytes = k && blocksize >= chunk ? blocksize - blocksize % chunk : 0;
  if (vbytes) k(dest, src, vbytes / ts, blocksize / ts);
  (shuffle ? shuffle_scalar : unshuffle_scalar)(ts, vbytes / ts, blocksize, src, dest);
}

void shuffle_generic(const int32_t bytesoftype, const int32_t blocksize, const uint8_t* src, uint8_t* dest) {
  run(1, bytesoftype, blocksize, src, dest);
}

void unshuffle_generic(const int32_t bytesoftype, const int32_t blocksize, const uint8_t* src, uint8_t* dest) {
  run(0, bytesoftype, blocksize, src, dest);
}
