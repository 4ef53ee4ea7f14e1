// python-blosc2 writes b2nd frames whose chunks and blocks tile the array
// (any chunkshape, any blockshape, padded edges); this library never writes
// them but must read them. The decoder scatters each chunk's blocks into place
// itself (native/frame_reader.cc DecodeTiled); here C-Blosc2's own b2nd route
// (b2nd_from_cbuffer + b2nd_to_cframe) writes random geometries and the
// decoded bytes must equal the source, through the addon and through unpack.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NDArray, unpack, type Codec, type Filter } from '../src/index';
import { backend } from '../src/backend';
import { coreCParams, referenceAddon } from '../test/support/reference-addon';
import { ext42 } from '../test/support/bytes';
import { uint32s } from '../test/support/random';

const DTYPES: ReadonlyArray<readonly [string, number]> = [
  ['|u1', 1],
  ['<i2', 2],
  ['<f4', 4],
  ['<f8', 8],
];

/** A geometry: per axis a shape, a chunk extent and a block extent (block <= chunk). */
// C-Blosc2's b2nd_from_cbuffer refuses empty buffers; empty arrays are covered by the interop tests.
const axisArb = fc
  .record({ n: fc.integer({ min: 1, max: 13 }), c: fc.integer({ min: 1, max: 9 }), b: fc.integer({ min: 1, max: 9 }) })
  .map(({ n, c, b }) => ({ n, c, b: Math.min(b, c) }));

const caseArb = fc.record({
  axes: fc.array(axisArb, { minLength: 1, maxLength: 4 }),
  dtype: fc.constantFrom(...DTYPES),
  // Some inputs all zeros in places, so that C-Blosc2 stores special (zero) chunks in their offsets.
  fill: fc.constantFrom('random', 'zeros', 'sparse'),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  clevel: fc.integer({ min: 0, max: 9 }),
  codec: fc.constantFrom<Codec>('blosclz', 'lz4', 'zstd'),
  filter: fc.constantFrom<Filter>('nofilter', 'shuffle', 'bitshuffle'),
  nthreads: fc.constantFrom(1, 2),
});

function bytesFor(n: number, fill: string, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  if (fill === 'zeros') return out;
  const next = uint32s(seed);
  for (let i = 0; i < n; i++) {
    const x = next();
    if (fill === 'sparse' && ((i >> 5) & 3) !== 0) continue;
    out[i] = x >>> 24;
  }
  return out;
}

describe('tiled b2nd frames (python-blosc2 geometries) decode to their source bytes', () => {
  it('random shapes, chunkshapes, blockshapes, dtypes and codecs', () => {
    fc.assert(
      fc.property(caseArb, ({ axes, dtype, fill, seed, clevel, codec, filter, nthreads }) => {
        const [name, itemsize] = dtype;
        const shape = axes.map((a) => a.n);
        const chunks = axes.map((a) => a.c);
        const blocks = axes.map((a) => a.b);
        const items = shape.reduce((p, n) => p * n, 1);
        const src = bytesFor(items * itemsize, fill, seed);
        const cparams = coreCParams({ clevel, codec, filters: [filter], nthreads }, itemsize);
        const frame = referenceAddon.encodeTiledReference({
          data: src,
          shape,
          itemsize,
          dtype: name,
          jsKind: '',
          cparams,
          chunkshape: chunks,
          blockshape: blocks,
        });
        const info = backend.frameOpen({ frame });
        expect(info.shape).toEqual(shape);
        const out = new Uint8Array(items * itemsize).fill(0xa5);
        backend.frameDecode({ frame, handle: info.handle, out, nthreads, threadsBySize: false });
        expect(Buffer.from(out).equals(Buffer.from(src))).toBe(true);
        // The same frame as python-blosc2's ext 42 record (an ext32), through the public unpack.
        const value = unpack(ext42(frame, 4));
        expect(value).toBeInstanceOf(NDArray);
        const data = (value as NDArray).data;
        expect(Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(Buffer.from(src))).toBe(true);
        expect((value as NDArray).shape).toEqual(shape);
      }),
      {
        numRuns: 400,
        examples: [
          // One chunk whose blocks do not tile it in C order: C-Blosc2 2.17.1's b2nd_from_cbuffer wrote it
          // unblocked (test_addon/reference_encoders.cc WriteTiled says why); found by this property in CI.
          [
            {
              axes: [
                { n: 4, c: 4, b: 4 },
                { n: 9, c: 9, b: 1 },
                { n: 6, c: 6, b: 6 },
              ],
              dtype: ['|u1', 1] as const,
              fill: 'random',
              seed: 1,
              clevel: 0,
              codec: 'blosclz',
              filter: 'nofilter',
              nthreads: 1,
            },
          ],
        ],
      },
    );
  });
});
