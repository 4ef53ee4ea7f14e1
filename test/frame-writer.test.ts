// The frame assembler (native/frame_writer.cc) must write exactly the bytes
// C-Blosc2's own super-chunk API writes for the same chunks. With one thread
// C-Blosc2's output is deterministic (with more, blocks land in completion
// order), so the comparison runs single-threaded.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { native, type CParamArgs } from '../src/native';
import { chooseGeometry, STORE_CHUNK_BYTES } from '../src/geometry';
import { CODECS } from '../src/params';
import { randomBytes } from './support/random';

function encodeBoth(data: ArrayBufferView, itemsize: number, dtype: string, kind: string, shape: number[], cp: CParamArgs, chunkBytes?: number) {
  const blockBytes = native.suggestBlocksize(8 << 20, ...cp);
  const g = chooseGeometry(shape, itemsize, blockBytes, chunkBytes ?? (cp[0] === 0 ? STORE_CHUNK_BYTES : undefined));
  const ours = native.b2ndEncode(data, itemsize, dtype, kind, shape, g.chunkshape, g.blockshape, ...cp);
  const reference = native.b2ndEncodeReference(data, itemsize, dtype, kind, shape, g.chunkshape, g.blockshape, ...cp);
  // The same frame written in place (packSingle's route), into memory full of
  // stale bytes at an odd offset: nothing may depend on zeroed or aligned memory.
  let target: Buffer | undefined;
  const length = native.b2ndEncode(data, itemsize, dtype, kind, shape, g.chunkshape, g.blockshape, ...cp, undefined, (capacity) => {
    target = Buffer.alloc(capacity + 3, 0xa5);
    return target.subarray(3);
  });
  const placed = (target as Buffer).subarray(3, 3 + length);
  expect(placed.equals(reference), 'frame written in place').toBe(true);
  return { ours: Buffer.from(ours.buffer, ours.byteOffset, ours.byteLength), reference };
}

const cparams = (clevel: number, codec: number, typesize: number): CParamArgs => [clevel, codec, typesize, 1, 0, 4, 256 ** 5, 0];

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
        const { ours, reference } = encodeBoth(data, itemsize, dtype, '', shape, cparams(5, CODECS[codec], itemsize), 32 * 2 ** 20);
        expect(ours.equals(reference), `${label} / ${codec}`).toBe(true);
      }
    }
  });

  it('matches C-Blosc2 with clevel 0 and incompressible data', () => {
    const r = randomBytes(5_000_000, 13);
    for (const clevel of [0, 5]) {
      const { ours, reference } = encodeBoth(r, 1, '|u1', 'Uint8Array', [r.length], cparams(clevel, CODECS.lz4, 1));
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
        fc.constantFrom('blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 256, max: 64 * 1024 }),
        (shape, [dtype, itemsize, make], codec, clevel, chunkBytes) => {
          const n = shape.reduce((a, b) => a * b, 1);
          const { ours, reference } = encodeBoth(make(n), itemsize, dtype, '', shape, cparams(clevel, CODECS[codec as keyof typeof CODECS], itemsize), chunkBytes);
          expect(ours.equals(reference)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
