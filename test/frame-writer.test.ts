// The frame assembler (native/frame_writer.cc) must write exactly the bytes
// C-Blosc2's own super-chunk API writes for the same chunks. With one thread
// C-Blosc2's output is deterministic (with more, blocks land in completion
// order), so the comparison runs single-threaded. The assembler is reached
// through the test-only addon, which can give it small chunk targets; the last
// test ties the product addon's own frames to it.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backend, type FrameEncodeRequest } from '../src/backend';
import type { Codec } from '../src/params';
import { coreCParams, referenceAddon } from './support/reference-addon';
import { randomBytes } from './support/random';

function request(
  data: ArrayBufferView,
  itemsize: number,
  dtype: string,
  jsKind: string,
  shape: number[],
  clevel: number,
  codec: Codec,
): FrameEncodeRequest {
  return { data, shape, itemsize, dtype, jsKind, cparams: coreCParams({ clevel, codec, nthreads: 1 }, itemsize) };
}

function encodeBoth(req: FrameEncodeRequest, chunkBytes?: number) {
  const g = referenceAddon.planGeometry(chunkBytes === undefined ? req : { ...req, chunkBytes });
  const ours = referenceAddon.assembleFrame({ ...req, ...g });
  const reference = referenceAddon.encodeFrameReference({ ...req, ...g });
  // The same frame written in place (packSingle's route), into memory full of
  // stale bytes at an odd offset: nothing may depend on zeroed or aligned memory.
  let target: Buffer | undefined;
  const length = referenceAddon.assembleFrame({
    ...req,
    ...g,
    place: (capacity: number) => {
      target = Buffer.alloc(capacity + 3, 0xa5);
      return target.subarray(3);
    },
  });
  const placed = (target as Buffer).subarray(3, 3 + length);
  expect(placed.equals(reference), 'frame written in place').toBe(true);
  return { ours, reference };
}

describe('frame assembler', () => {
  it('matches C-Blosc2 byte for byte on representative arrays', () => {
    const cases: Array<[string, ArrayBufferView, number, string, number[]]> = [
      ['smooth f8, two chunks', Float64Array.from({ length: 9_000_000 }, (_, i) => i / 9e6), 8, '<f8', [9_000_000]],
      ['all zeros (special chunks)', new Float64Array(9_000_000), 8, '<f8', [9_000_000]],
      ['NaN (special chunk)', new Float64Array(300_000).fill(NaN), 8, '<f8', [300_000]],
      ['half zeros, half data', Float64Array.from({ length: 9_000_000 }, (_, i) => (i < 4_500_000 ? 0 : i)), 8, '<f8', [9_000_000]],
      ['3-d int16', Int16Array.from({ length: 64 * 64 * 64 }, (_, i) => i % 1000), 2, '<i2', [64, 64, 64]],
      ['prime length (padded edge)', Float32Array.from({ length: 1_000_003 }, (_, i) => Math.sin(i)), 4, '<f4', [1_000_003]],
      ['empty', new Float32Array(0), 4, '<f4', [0]],
      ['0-d', new Float32Array([1.5]), 4, '<f4', []],
    ];
    for (const [label, data, itemsize, dtype, shape] of cases) {
      for (const codec of ['lz4', 'zstd'] as const) {
        const { ours, reference } = encodeBoth(request(data, itemsize, dtype, '', shape, 5, codec), 32 * 2 ** 20);
        expect(ours.equals(reference), `${label} / ${codec}`).toBe(true);
      }
    }
  });

  it('matches C-Blosc2 with clevel 0 and incompressible data', () => {
    const r = randomBytes(5_000_000, 13);
    for (const clevel of [0, 5]) {
      const { ours, reference } = encodeBoth(request(r, 1, '|u1', 'Uint8Array', [r.length], clevel, 'lz4'));
      expect(ours.equals(reference)).toBe(true);
    }
  });

  it('matches C-Blosc2 for random shapes, dtypes, codecs and levels', () => {
    const dtypes: Array<[string, number, (n: number) => ArrayBufferView]> = [
      ['|u1', 1, (n) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff)],
      ['<i2', 2, (n) => Int16Array.from({ length: n }, (_, i) => i % 300)],
      ['<f4', 4, (n) => Float32Array.from({ length: n }, (_, i) => Math.cos(i / 50))],
      ['<f8', 8, (n) => Float64Array.from({ length: n }, (_, i) => i * 0.5)],
    ];
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...dtypes),
        fc.constantFrom<Codec>('blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 256, max: 64 * 1024 }),
        (shape, [dtype, itemsize, make], codec, clevel, chunkBytes) => {
          const n = shape.reduce((a, b) => a * b, 1);
          const { ours, reference } = encodeBoth(request(make(n), itemsize, dtype, '', shape, clevel, codec), chunkBytes);
          expect(ours.equals(reference)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the product addon writes the same frame, geometry chosen by itself', () => {
    const data = Float64Array.from({ length: 300_000 }, (_, i) => Math.sqrt(i));
    const req = request(data, 8, '<f8', 'Float64Array', [300_000], 5, 'lz4');
    let out: Uint8Array | undefined;
    const length = backend.frameEncode({ ...req, allocate: (n) => (out = new Uint8Array(n)) });
    expect(Buffer.from((out as Uint8Array).subarray(0, length)).equals(referenceAddon.encodeFrameReference(req))).toBe(true);
  });
});
