// The refusals the README promises (Chunks section, CParams), drawn at random:
// filter pipelines of every filter in any order, typesizes and lengths.
// Whatever the library refuses, it refuses as documented (exact code, a
// message that names the argument and the rule, the input left as it was),
// and every combination it accepts round-trips bit-exact. Chunks that name a
// C-Blosc2 plugin filter or codec (ids 32 and up) are ERR_UNSUPPORTED naming
// it. The model of the rules is test/support/refusals.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Codec,
  type CParams,
  type Filter,
  NDArray,
  Packer,
  cbufferInfo,
  compress,
  compressAsync,
  decompress,
  decompressAsync,
} from '../src/index';
import { sameBytes, diff } from '../test/support/compare';
import { TYPED_CTORS, makeTyped, sampleBytes } from '../test/support/data';
import { catchBlosc2Error, rejectionOf } from '../test/support/errors';
import {
  FILTER_NAMES,
  LOSSLESS_FILTERS,
  type Refusal,
  acceptedPipelineArb,
  compressRefusal,
  expectRefusal,
  pipelineArb,
  pipelineRefusal,
  pluginRefusal,
} from '../test/support/refusals';

const CODECS: readonly Codec[] = ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'];

/** Which rule a refusal applies (for the tally that keeps the properties from passing vacuously). */
function ruleOf(refusal: Refusal | null): string {
  if (refusal === null) return 'accepted';
  if (refusal.code === 'ERR_UNSUPPORTED') return 'bytedelta';
  if (refusal.names === 'src') return 'whole items';
  return refusal.says.map((s) => s.replace(/^Expected /, '')).join(' + ');
}

/** Expects every rule of `rules` to have been drawn at least once. */
function expectDrawn(tally: Map<string, number>, rules: readonly string[]): void {
  const seen = new Set([...tally.keys()].flatMap((k) => k.split(' + ')));
  for (const rule of rules) expect(seen.has(rule), `${rule} was drawn (${JSON.stringify([...tally])})`).toBe(true);
}

const PIPELINE_RULES = [
  "'delta' before any 'shuffle'/'bitshuffle'",
  "at most one 'delta'",
  'at most two filters besides nofilter',
  'bytedelta',
  'accepted',
];

/** Half the pipelines among those accepted, half anything: both sides of every rule get drawn. */
const filtersArb = (names: readonly Filter[]): fc.Arbitrary<Filter[]> => fc.oneof(pipelineArb(names), acceptedPipelineArb(names));

const compressCaseArb = fc
  .record({
    filters: filtersArb(FILTER_NAMES),
    typesize: fc.oneof(fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 1, max: 255 })),
    wideFloat: fc.boolean(),
    items: fc.nat(3000),
    // A whole number of items half the time, else a few bytes more.
    tail: fc.oneof(fc.constant(0), fc.nat(254)),
    zeros: fc.boolean(),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    codec: fc.constantFrom(...CODECS),
    clevel: fc.integer({ min: 0, max: 9 }),
    asyncFirst: fc.boolean(),
  })
  .map(({ filters, typesize: drawn, wideFloat, items, tail, zeros, seed, codec, clevel, asyncFirst }) => {
    // truncPrec exists for float32/float64 items only; keeping every mantissa bit, it is lossless.
    const truncPrec = filters.includes('truncPrec');
    const typesize = truncPrec ? (wideFloat ? 8 : 4) : drawn;
    const length = Math.min(items, Math.floor(40_000 / typesize)) * typesize + (tail % typesize);
    const cparams: CParams = { codec, clevel, filters, typesize };
    if (truncPrec) cparams.filtersMeta = filters.map((f) => (f === 'truncPrec' ? (typesize === 4 ? 23 : 52) : 0));
    return { filters, typesize, cparams, data: zeros ? new Uint8Array(length) : sampleBytes(length, seed), asyncFirst };
  });

describe('documented refusals, drawn at random', () => {
  it('compress / compressAsync: refused parameters are refused as documented; every accepted set round-trips exactly', async () => {
    const tally = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(compressCaseArb, async ({ filters, typesize, cparams, data, asyncFirst }) => {
        const where = `${JSON.stringify(cparams)} on ${data.length} B`;
        const original = data.slice();
        const refusal = compressRefusal(filters, typesize, data.length);
        tally.set(ruleOf(refusal), (tally.get(ruleOf(refusal)) ?? 0) + 1);
        if (refusal) {
          const sync = () => catchBlosc2Error(() => compress(data, cparams));
          const async = () => rejectionOf(compressAsync(data, cparams));
          const [first, second] = asyncFirst ? [await async(), sync()] : [sync(), await async()];
          expectRefusal(first, refusal, where);
          expectRefusal(second, refusal, where);
        } else {
          const chunk = asyncFirst ? await compressAsync(data, cparams) : compress(data, cparams);
          const back = asyncFirst ? decompress(chunk) : await decompressAsync(chunk);
          expect(back.length, where).toBe(original.length);
          expect(sameBytes(back, original), `${where}: round trip`).toBe(true);
        }
        expect(sameBytes(data, original), `${where}: the input is unchanged`).toBe(true);
      }),
      { numRuns: 400 },
    );
    expectDrawn(tally, [...PIPELINE_RULES, 'whole items']);
  });

  it('Packer: refused filter pipelines are refused as documented (options.filters); every accepted one round-trips exactly', () => {
    const tally = new Map<string, number>();
    fc.assert(
      fc.property(
        filtersArb([...LOSSLESS_FILTERS, 'bytedelta']),
        fc.constantFrom(...TYPED_CTORS),
        fc.nat(3000),
        fc.boolean(),
        fc.constantFrom(...CODECS),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (filters, ctor, items, nd, codec, seed) => {
          const refusal = pipelineRefusal(filters, 'options');
          tally.set(ruleOf(refusal), (tally.get(ruleOf(refusal)) ?? 0) + 1);
          const options = { threshold: 0, codec, filters };
          const array = makeTyped(ctor === Uint8ClampedArray && nd ? Uint8Array : ctor, items, seed);
          const value = { a: nd ? new NDArray(array, [items]) : array, tag: 'x' };
          if (refusal) {
            expectRefusal(
              catchBlosc2Error(() => new Packer(options)),
              refusal,
              filters.join(','),
            );
            return;
          }
          const packer = new Packer(options);
          expect(diff(packer.unpack(packer.pack(value)), value), filters.join(',')).toBe('');
        },
      ),
      { numRuns: 200 },
    );
    expectDrawn(tally, PIPELINE_RULES);
  });

  it('chunks that name a plugin filter or codec (ids 32 and up) are ERR_UNSUPPORTED naming it, sync and async; cbufferInfo still reads them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 64, max: 20_000 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(...CODECS),
        acceptedPipelineArb(),
        fc.constantFrom(1, 2, 4, 8),
        fc.constantFrom<'filter' | 'codec'>('filter', 'codec'),
        fc.nat(5),
        fc.integer({ min: 32, max: 255 }),
        async (length, seed, codec, filters, typesize, kind, slot, id) => {
          const data = sampleBytes(length - (length % typesize), seed);
          const chunk = Buffer.from(compress(data, { codec, filters, typesize }));
          if (kind === 'filter') {
            chunk[16 + slot] = id;
          } else {
            // The user-defined codec flag (6 in bits 5-7) and the codec id byte.
            chunk[2] = ((chunk[2] as number) & 0x1f) | (6 << 5);
            chunk[0x16] = id;
          }
          const where = `${kind} ${id} in a ${codec}/${filters.join(',')} chunk`;
          expectRefusal(
            catchBlosc2Error(() => decompress(chunk)),
            pluginRefusal(kind, id),
            where,
          );
          expectRefusal(await rejectionOf(decompressAsync(chunk)), pluginRefusal(kind, id), where);
          expect(cbufferInfo(chunk).nbytes, where).toBe(data.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
