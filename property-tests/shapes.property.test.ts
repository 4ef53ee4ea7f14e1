// Any shape compresses as well as its bytes: an N-d array (up to 8
// dimensions, prime and 1-sized extents, a long axis after a short one) packs
// to within 5% of the same bytes packed as a 1-D array with the same codec and
// filters (plus the b2nd metalayer's bytes for the extra dimensions and a few
// hundred bytes of block bookkeeping), and round-trips exactly. The geometry behind it is native/geometry_plan.cc
// (FORMAT.md, "Chunk and block geometry").
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NDArray, pack, unpack, type Codec, type Filter } from '../src/index';

const PRIMES = [2, 3, 5, 7, 11, 13, 31, 101, 127, 1009, 4099, 10007, 65537, 100003, 1000003];
const OTHERS = [1, 1, 2, 4, 6, 8, 10, 16, 64, 100, 256, 1000, 4096];
const MAX_BYTES = 12 << 20;

const CTORS = [Uint8Array, Int16Array, Float32Array, Float64Array] as const;

/** A shape of 1-8 extents, mostly primes and ones, with at most MAX_BYTES of items. */
const shapeArb = (itemsize: number) =>
  fc
    .array(fc.oneof(fc.constantFrom(...PRIMES), fc.constantFrom(...OTHERS), fc.integer({ min: 1, max: 3000 })), {
      minLength: 1,
      maxLength: 8,
    })
    .map((dims) => {
      // Drop extents from the front until the array fits.
      const out = [...dims];
      while (out.length > 1 && out.reduce((a, b) => a * b, itemsize) > MAX_BYTES) out.shift();
      if (out.reduce((a, b) => a * b, itemsize) > MAX_BYTES) out[0] = Math.floor(MAX_BYTES / itemsize);
      return out;
    });

const caseArb = fc
  .record({
    ctor: fc.integer({ min: 0, max: CTORS.length - 1 }),
    fill: fc.constantFrom('linspace', 'sine', 'noisy', 'random', 'sparse', 'steps'),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    params: fc.constantFrom<{ codec: Codec; clevel: number; filters: Filter[] }>(
      { codec: 'lz4', clevel: 5, filters: ['shuffle'] },
      { codec: 'zstd', clevel: 3, filters: ['bitshuffle'] },
      { codec: 'blosclz', clevel: 7, filters: ['shuffle'] },
    ),
  })
  .chain((c) => shapeArb((CTORS[c.ctor] as (typeof CTORS)[number]).BYTES_PER_ELEMENT).map((shape) => ({ ...c, shape })));

function fillArray(ctor: (typeof CTORS)[number], n: number, fill: string, seed: number): InstanceType<(typeof CTORS)[number]> {
  const a = new ctor(n);
  let x = seed >>> 0;
  // mulberry32: LCG low bits repeat with short periods, which some block sizes would catch.
  const rnd = () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = Math.imul(x ^ (x >>> 15), x | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    let v: number;
    if (fill === 'linspace') v = (i / n) * (ctor === Uint8Array ? 255 : 30000);
    else if (fill === 'sine') v = Math.sin(i / 500) * 100;
    else if (fill === 'noisy') v = Math.sin(i / 500) * 100 + rnd();
    else if (fill === 'steps') v = Math.floor(i / 3000) % 200;
    else if (fill === 'random') v = rnd() * 256;
    else v = ((i >> 7) & 7) === 0 ? rnd() * 100 : 0;
    a[i] = ctor === Uint8Array ? v & 0xff : ctor === Int16Array ? Math.round(v) : v;
  }
  return a;
}

describe('any shape packs as small as its bytes in 1-D', () => {
  it('random N-d shapes: within 5% (+ metalayer bytes) of the 1-D packing, exact round trip', () => {
    fc.assert(
      fc.property(caseArb, ({ ctor: ci, fill, seed, params, shape }) => {
        const ctor = CTORS[ci] as (typeof CTORS)[number];
        const n = shape.reduce((a, b) => a * b, 1);
        const data = fillArray(ctor, n, fill, seed);
        const options = { ...params, threshold: 0 };
        const nd = pack(new NDArray(data, shape), options);
        const flat = pack(data, options);
        // The b2nd metalayer holds 19 bytes per dimension, and the js metalayer
        // names NDArray (about 8 bytes more); a padded row or one more chunk
        // or block adds a few bytes of bookkeeping, which only counts for
        // arrays that compress to a few KB.
        const allowance = 19 * shape.length + 16 + 256;
        // An exact linear ramp is the exception: its size moves by up to 20%
        // with the block size alone, in 1-D too (a 2.8 MB Float64Array ramp
        // with LZ4: 108 KB to 140 KB for block sizes from 400 KB to 800 KB), so
        // no geometry can hold 5% there; it is held to 25%.
        const margin = fill === 'linspace' ? 1.25 : 1.05;
        expect(nd.length, `shape ${JSON.stringify(shape)} ${ctor.name} ${fill} ${params.codec}`).toBeLessThanOrEqual(
          Math.ceil(margin * flat.length) + allowance,
        );
        const back = unpack(nd) as NDArray;
        expect(back.shape).toEqual(shape);
        expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(data.buffer))).toBe(true);
      }),
      { numRuns: Number(process.env['SHAPES_RUNS'] ?? 60), seed: Number(process.env['SHAPES_SEED'] ?? 20261201) },
    );
  });

  it('shapes that made blocks of a few bytes (a prime extent after a short one) pack within 5% of 1-D', () => {
    const data = fillArray(Float64Array, 3 * 1000003, 'noisy', 7);
    const options = { threshold: 0 };
    for (const shape of [
      [3, 1000003],
      [1000003, 3],
      [3, 1, 1000003],
      [1, 3, 333334 + 333335 + 333334],
    ]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const view = data.subarray(0, n);
      const nd = pack(new NDArray(view, shape), options).length;
      const flat = pack(view, options).length;
      expect(nd, JSON.stringify(shape)).toBeLessThanOrEqual(1.05 * flat + 19 * shape.length + 16);
    }
  });
});
