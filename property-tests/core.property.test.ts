/**
 * Property tests of the chunk-level API (fast-check): random bytes and random
 * valid parameters round-trip bit-exact, sync and async. Each run makes a
 * batch of calls, keeps every output, scribbles over the inputs and chunks,
 * and only then checks: a result that aliases an input, a chunk or another
 * call's memory shows up as a mismatch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Blosc2Error,
  type Codec,
  type CParams,
  type SplitMode,
  cbufferInfo,
  compress,
  compressAsync,
  decompress,
  decompressAsync,
  getCbufferSizes,
} from '../src/index';
import { type Mutation, mutate, mutationArb } from '../test/support/mutate';
import { uint32s } from '../test/support/random';
import { acceptedPipelineArb, compressRefusal } from '../test/support/refusals';

const CODECS: readonly Codec[] = ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'];
const SPLITMODES: readonly SplitMode[] = ['always', 'never', 'auto', 'forwardCompat'];
const MAX_LEN = 70_000;

/** Bytes worth compressing as well as noise: random, runs, or a noisy ramp. */
const bytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: MAX_LEN }),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 3000 })), { maxLength: 40 }).map((runs) => {
    const out: number[] = [];
    for (const [value, count] of runs) for (let i = 0; i < count && out.length < MAX_LEN; i++) out.push(value);
    return Uint8Array.from(out);
  }),
  fc
    .record({
      length: fc.integer({ min: 0, max: MAX_LEN }),
      step: fc.integer({ min: 0, max: 9 }),
      noise: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map(({ length, step, noise }) => {
      const out = new Uint8Array(length);
      const next = uint32s(noise);
      for (let i = 0; i < length; i++) {
        const x = next();
        out[i] = ((i >> 1) * step + (x >>> 29 === 0 ? x >>> 24 : 0)) & 0xff;
      }
      return out;
    }),
);

/**
 * Valid compression parameters: every lossless filter pipeline the library
 * accepts (truncPrec has its own property below; the refused pipelines and
 * lengths have theirs in refusals.property.test.ts).
 */
const cparamsArb: fc.Arbitrary<CParams> = fc.record(
  {
    codec: fc.constantFrom(...CODECS),
    clevel: fc.integer({ min: 0, max: 9 }),
    filters: acceptedPipelineArb(),
    typesize: fc.oneof(fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 1, max: 255 })),
    nthreads: fc.integer({ min: 1, max: 4 }),
    blocksize: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1 << 17 })),
    splitmode: fc.constantFrom(...SPLITMODES),
  },
  { requiredKeys: [] },
);

interface Case {
  data: Uint8Array;
  cparams: CParams;
  /** Compress with compressAsync instead of compress. */
  asyncCompress: boolean;
  /** Decompress with decompressAsync instead of decompress. */
  asyncDecompress: boolean;
  /** Decompress into a caller view at this offset of a larger buffer, or into a new Buffer (-1). */
  outOffset: number;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    data: bytesArb,
    cparams: cparamsArb,
    asyncCompress: fc.boolean(),
    asyncDecompress: fc.boolean(),
    outOffset: fc.integer({ min: -1, max: 64 }),
  })
  .map((c) => {
    // 'delta' on a length that is not a whole number of items is refused (refusals.property.test.ts): cut the input to whole items.
    const typesize = c.cparams.typesize ?? 1;
    if (compressRefusal(c.cparams.filters ?? [], typesize, c.data.length) !== null) {
      return { ...c, data: c.data.subarray(0, c.data.length - (c.data.length % typesize)) };
    }
    return c;
  });

/** Compresses and decompresses a whole batch, checking everything at the end. */
async function runBatch(cases: readonly Case[]): Promise<void> {
  // Inputs live in their own buffers (fast-check may share memory between values).
  const inputs = cases.map((c) => c.data.slice());
  const expected = cases.map((c) => c.data.slice());
  const chunks = await Promise.all(
    cases.map((c, i) =>
      c.asyncCompress ? compressAsync(inputs[i] as Uint8Array, c.cparams) : Promise.resolve(compress(inputs[i] as Uint8Array, c.cparams)),
    ),
  );
  const infos = chunks.map((chunk) => cbufferInfo(chunk));
  // Compressing must not have written into the inputs; then scribble over them.
  inputs.forEach((input, i) => expect(Buffer.from(input).equals(expected[i] as Uint8Array), `input ${i} changed`).toBe(true));
  for (const input of inputs) input.fill(0xee);

  const backings = cases.map((c) => (c.outOffset < 0 ? null : new Uint8Array(c.data.length + c.outOffset + 8).fill(0x3c)));
  const outs = await Promise.all(
    cases.map((c, i) => {
      const chunk = chunks[i] as Buffer;
      const backing = backings[i];
      const dparams = backing ? { out: backing.subarray(c.outOffset, c.outOffset + c.data.length) } : {};
      return c.asyncDecompress ? decompressAsync(chunk, dparams) : Promise.resolve(decompress(chunk, dparams));
    }),
  );
  for (const chunk of chunks) chunk.fill(0x5a);

  cases.forEach((c, i) => {
    const info = infos[i];
    const chunkLength = (chunks[i] as Buffer).length;
    expect(info?.nbytes).toBe(c.data.length);
    expect(info?.cbytes).toBe(chunkLength);
    // An all-zero input of a partial last item becomes a header-only zeros chunk whose
    // typesize is 1 (native/chunk.cc CompressChunk: C-Blosc2 cannot read the header back otherwise).
    const typesize = c.cparams.typesize ?? 1;
    const zerosOfPartialItems = info?.special === 'zeros' && c.data.length % typesize !== 0;
    expect(info?.typesize).toBe(zerosOfPartialItems ? 1 : typesize);
    expect(chunkLength).toBeLessThanOrEqual(c.data.length + 32);
    const out = outs[i] as Uint8Array;
    expect(out.length).toBe(c.data.length);
    expect(Buffer.from(out.buffer, out.byteOffset, out.byteLength).equals(expected[i] as Uint8Array), `case ${i} round trip`).toBe(true);
    const backing = backings[i];
    if (backing) {
      // Nothing written outside the out view.
      expect(backing.subarray(0, c.outOffset).every((b) => b === 0x3c)).toBe(true);
      expect(backing.subarray(c.outOffset + c.data.length).every((b) => b === 0x3c)).toBe(true);
    }
  });
}

describe('core properties', () => {
  it('compress -> decompress is bit-exact for random bytes and random valid parameters (batches, checked late)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(caseArb, { minLength: 1, maxLength: 6 }), runBatch), { numRuns: 150 });
  });

  it('truncPrec keeping every mantissa bit is lossless on whole float32/float64 items', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(4, 8),
        fc.integer({ min: 0, max: 4000 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(...CODECS),
        fc.boolean(),
        async (typesize, items, seed, codec, useAsync) => {
          const data = new Uint8Array(items * typesize);
          const next = uint32s(seed);
          for (let i = 0; i < data.length; i++) {
            const x = next();
            data[i] = (i % typesize < typesize / 2 ? x >>> 24 : i >> 6) & 0xff;
          }
          const cp: CParams = { codec, filters: ['truncPrec', 'shuffle'], filtersMeta: [typesize === 4 ? 23 : 52, 0], typesize };
          const chunk = useAsync ? await compressAsync(data, cp) : compress(data, cp);
          const back = useAsync ? await decompressAsync(chunk) : decompress(chunk);
          expect(back.equals(data)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('bit flips in a valid chunk give a Blosc2Error or output of the announced length, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, fc.array(mutationArb({ ops: ['flip'] }), { minLength: 1, maxLength: 4 }), async (c, flips: Mutation[]) => {
        const chunk = mutate(compress(c.data, c.cparams), flips);
        try {
          const out = c.asyncDecompress
            ? await decompressAsync(chunk, { maxOutputBytes: 1 << 22 })
            : decompress(chunk, { maxOutputBytes: 1 << 22 });
          expect(out.length).toBe(getCbufferSizes(chunk).nbytes);
        } catch (err) {
          expect(err).toBeInstanceOf(Blosc2Error);
          expect(['ERR_CORRUPT', 'ERR_MAX_OUTPUT', 'ERR_UNSUPPORTED']).toContain((err as Blosc2Error).code);
        }
      }),
      { numRuns: 300 },
    );
  });
});
