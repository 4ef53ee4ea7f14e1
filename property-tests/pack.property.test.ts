// Property tests of pack/unpack (issue 3): arbitrary nested values holding
// every binary kind, random shapes and views at random offsets, random
// compression options; every entry point must give the value back bit-exact
// (bytes compared, never float values). Each result is checked at once (so
// fast-check can shrink) and again after every run of its property ("late"),
// which catches results that alias memory a later call reuses or overwrites.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NDArray, Packer } from '../src/index';
import { type Leaf, optionsArb, valueArb } from '../test/support/arbitraries';
import { bytesOf, copyBytes, diff } from '../test/support/compare';
import { TYPED_CTORS } from '../test/support/data';
import { fillRandom } from '../test/support/random';

/** The binary leaves of a value, in traversal order (objects, arrays, Maps, Sets). */
function leavesOf(value: unknown, out: Leaf[] = [], seen = new Set<unknown>()): Leaf[] {
  if (typeof value !== 'object' || value === null || seen.has(value)) return out;
  seen.add(value);
  if (value instanceof NDArray || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    out.push(value);
  } else if (value instanceof Map) {
    for (const [k, v] of value) {
      leavesOf(k, out, seen);
      leavesOf(v, out, seen);
    }
  } else if (value instanceof Set || Array.isArray(value)) {
    for (const v of value) leavesOf(v, out, seen);
  } else {
    for (const v of Object.values(value)) leavesOf(v, out, seen);
  }
  return out;
}

interface Kept {
  value: unknown;
  snapshots: Uint8Array[];
  result: unknown;
  resultSnapshots: Uint8Array[];
}

/** Checks kept results again, after all runs of a property. */
function checkLate(kept: readonly Kept[]): void {
  for (const [i, k] of kept.entries()) {
    // The inputs were not modified by packing (nor by anything since).
    const leaves = leavesOf(k.value);
    leaves.forEach((leaf, j) =>
      expect(Buffer.compare(bytesOf(leaf), k.snapshots[j] as Uint8Array), `run ${i}: input leaf ${j} changed`).toBe(0),
    );
    // The results still hold exactly what they held when decoded, and equal the inputs.
    const resultLeaves = leavesOf(k.result);
    resultLeaves.forEach((leaf, j) =>
      expect(Buffer.compare(bytesOf(leaf), k.resultSnapshots[j] as Uint8Array), `run ${i}: result leaf ${j} changed after decoding`).toBe(
        0,
      ),
    );
    expect(diff(k.result, k.value), `run ${i}`).toBe('');
  }
}

function keep(kept: Kept[], value: unknown, snapshots: Uint8Array[], result: unknown): void {
  kept.push({ value, snapshots, result, resultSnapshots: leavesOf(result).map(copyBytes) });
}

const RUNS = 300;

/** One draw: the value, and its round trip (which may check more on the way). */
interface Trip {
  value: unknown;
  roundTrip: () => unknown;
}

/**
 * Asserts that every draw's round trip gives its value back bit-exact, then
 * checks every result again after the last run ({@link checkLate}).
 */
async function assertRoundTrips<T>(arb: fc.Arbitrary<T>, trip: (draw: T) => Trip, numRuns = RUNS): Promise<void> {
  const kept: Kept[] = [];
  await fc.assert(
    fc.asyncProperty(arb, async (draw) => {
      const { value, roundTrip } = trip(draw);
      const snapshots = leavesOf(value).map(copyBytes);
      const result = await roundTrip();
      expect(diff(result, value)).toBe('');
      keep(kept, value, snapshots, result);
    }),
    { numRuns },
  );
  checkLate(kept);
}

describe('pack/unpack properties', () => {
  it('sync round trip of nested objects and arrays, any options, is bit-exact', async () => {
    await assertRoundTrips(fc.tuple(valueArb('objects'), optionsArb), ([value, options]) => {
      const packer = new Packer(options);
      return { value, roundTrip: () => packer.unpack(packer.pack(value)) };
    });
  });

  it('Maps and Sets (mapsAsObjects: false, moreTypes) round-trip bit-exact', async () => {
    await assertRoundTrips(fc.tuple(valueArb('maps'), optionsArb), ([value, options]) => {
      const packer = new Packer({ ...options, mapsAsObjects: false, moreTypes: true });
      return { value, roundTrip: () => packer.unpack(packer.pack(value)) };
    });
  });

  it('structuredClone: any containers, views over shared buffers keep sharing and offsets', async () => {
    // Several views over one buffer, mixed into an arbitrary value.
    const sharedArb = fc
      .record({
        seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        bytes: fc.integer({ min: 8, max: 12000 }),
        views: fc.array(
          fc.record({
            ctor: fc.constantFrom(...TYPED_CTORS),
            at: fc.double({ min: 0, max: 1, noNaN: true }),
            len: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 2, maxLength: 4 },
        ),
      })
      .map(({ seed, bytes, views }) => {
        const ab = new ArrayBuffer(bytes - (bytes % 8));
        fillRandom(new Uint8Array(ab), seed);
        return views.map(({ ctor, at, len }) => {
          const size = ctor.BYTES_PER_ELEMENT;
          const slots = ab.byteLength / size;
          const start = Math.floor(at * slots);
          return new ctor(ab, start * size, Math.floor(len * (slots - start)));
        });
      });
    await assertRoundTrips(fc.tuple(valueArb('all'), sharedArb, optionsArb), ([value, shared, options]) => {
      const whole = { value, shared };
      const packer = new Packer({ ...options, structuredClone: true });
      const roundTrip = () => {
        const result = packer.unpack(packer.pack(whole)) as typeof whole;
        expect(new Set(result.shared.map((v) => v.buffer)).size).toBe(1);
        result.shared.forEach((v, i) => expect(v.byteOffset).toBe((shared[i] as ArrayBufferView).byteOffset));
        // Every view keeps its offset into its (whole) buffer; a Buffer travels as its own bytes.
        const before = leavesOf(whole);
        leavesOf(result).forEach((leaf, i) => {
          const orig = before[i];
          if (ArrayBuffer.isView(leaf) && ArrayBuffer.isView(orig) && !Buffer.isBuffer(orig)) {
            expect(leaf.byteOffset).toBe(orig.byteOffset);
            expect(leaf.buffer.byteLength).toBe(orig.buffer.byteLength);
          }
        });
        return result;
      };
      return { value: whole, roundTrip };
    });
  });

  it('packAsync / unpackAsync round trip is bit-exact, and matches the sync decoder', async () => {
    await assertRoundTrips(
      fc.tuple(valueArb('objects'), optionsArb),
      ([value, options]) => {
        const packer = new Packer(options);
        const roundTrip = async () => {
          const m = await packer.packAsync(value);
          const result = await packer.unpackAsync(m);
          expect(diff(packer.unpack(m), value)).toBe('');
          return result;
        };
        return { value, roundTrip };
      },
      RUNS / 2,
    );
  });

  it('packOutOfBand / unpackOutOfBand round trip is bit-exact (clevel 0 included)', async () => {
    await assertRoundTrips(fc.tuple(valueArb('objects'), optionsArb, fc.boolean()), ([value, options, stored]) => {
      const packer = new Packer(stored ? { ...options, clevel: 0 } : options);
      const roundTrip = () => {
        const { message, buffers } = packer.packOutOfBand(value);
        return packer.unpackOutOfBand(message, buffers);
      };
      return { value, roundTrip };
    });
  });

  it('zeroCopy unpack is bit-exact, and its views stay valid across later packs', async () => {
    const packer = new Packer({ zeroCopy: true });
    await assertRoundTrips(fc.tuple(valueArb('objects'), fc.nat(7), fc.boolean()), ([value, shift, direct]) => {
      const roundTrip = () => {
        const m = packer.pack(value);
        // Unpack pack's own Buffer (which may sit in msgpackr's reused memory), or a copy at a random alignment.
        let input: Uint8Array = m;
        if (!direct) {
          input = new Uint8Array(new ArrayBuffer(m.byteLength + 8), shift, m.byteLength);
          input.set(m);
        }
        return packer.unpack(input);
      };
      return { value, roundTrip };
    });
  });
});
