// Random access (issue 13): for random shapes (1 to 8 dimensions), chunk and
// block shapes, dtypes and selections (steps, negatives, empty), get(sel)
// equals the same selection taken from the whole array, for our contiguous
// frames, python-blosc2's tiled ones (C-Blosc2's b2nd route) and FrameWriter's,
// in memory and through a range reader that counts the bytes it serves.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AsyncLazyArray, Blosc2Error, NDArray, openFrame, pack, unpack, type LazyArray, type LazyArrayBase } from '../src/index';
import { resolveSelection } from '../src/random-access/selection';
import { bytesOf } from '../test/support/compare';
import {
  arrayCaseArb,
  caseBytes,
  caseFrame,
  countingReader,
  referenceSelect,
  selectionArb,
  touchedChunks,
} from '../test/support/random-access';

describe('get(selection) equals the selection of the whole array', () => {
  it('in memory and through a range reader, for every geometry', async () => {
    await fc.assert(
      fc.asyncProperty(
        arrayCaseArb.chain((c) => fc.tuple(fc.constant(c), fc.array(selectionArb(c.shape), { minLength: 1, maxLength: 4 }))),
        async ([c, selections]) => {
          const bytes = caseBytes(c);
          const frame = await caseFrame(c, bytes);
          const lazy = openFrame(frame);
          expect(lazy.shape).toEqual(c.shape);
          expect(lazy.dtype).toBe(c.dtype);
          if (c.kind !== 'ours') expect(lazy.chunkshape).toEqual(c.chunkshape);
          const whole = lazy.toArray() as NDArray;
          expect(Buffer.from(bytesOf(whole.data)).equals(Buffer.from(bytes))).toBe(true);

          const reader = countingReader(frame);
          const remote = await openFrame(reader.read);
          const opening = reader.served();
          // The header, the offsets index and the trailer: not the chunks (at most the first read's slack).
          expect(opening).toBeLessThanOrEqual(frame.length - (lazy.cbytes - 1024));
          for (const sel of selections) {
            const want = referenceSelect(bytes, c.shape, c.itemsize, sel);
            const r = resolveSelection(sel, c.shape);
            const got = lazy.get(sel);
            expect(got.shape).toEqual(r.shape);
            expect(got.dtype).toBe(c.dtype);
            expect(Buffer.from(bytesOf(got.data)).equals(Buffer.from(want))).toBe(true);
            const before = reader.served();
            const far = await remote.get(sel);
            expect(far.shape).toEqual(r.shape);
            expect(Buffer.from(bytesOf(far.data)).equals(Buffer.from(want))).toBe(true);
            // Only the chunks the selection touches: no more than that many chunks' worth.
            const touched = r.items === 0 ? 0 : touchedChunks(c.shape, lazy.chunkshape, sel);
            const padded = lazy.chunkshape.reduce(
              (p, n, d) => p * Math.ceil(n / (lazy.blockshape[d] as number)) * (lazy.blockshape[d] as number),
              1,
            );
            const chunkBytes = padded * c.itemsize + 64;
            expect(reader.served() - before).toBeLessThanOrEqual(Math.min(lazy.cbytes, touched * chunkBytes));
          }
          expect(remote.bytesRead).toBe(reader.served());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('through unpack(bytes, { lazy: true }) inside a message', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 400 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (rows, cols, seed) => {
          const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i + seed));
          const value = { id: seed, a: new NDArray(data, [rows, cols]), small: new Int16Array([1, 2, 3]) };
          const msg = pack(value, { threshold: 64 });
          const back = unpack(msg, { lazy: true }) as { id: number; a: LazyArray; small: Int16Array };
          expect(back.id).toBe(seed);
          expect(back.small).toEqual(new Int16Array([1, 2, 3]));
          const a = back.a;
          const want = referenceSelect(bytesOf(data), [rows, cols], 4, [[null, null, -2], cols - 1]);
          expect(Buffer.from(bytesOf(a.get([[null, null, -2], cols - 1]).data)).equals(Buffer.from(want))).toBe(true);
          expect((a.toArray() as NDArray).data).toEqual(data);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('hostile frames give a Blosc2Error or right-sized values, never a crash', () => {
  it('bit flips, byte runs and truncations, in memory and through a range reader', async () => {
    await fc.assert(
      fc.asyncProperty(
        arrayCaseArb.chain((c) =>
          fc.tuple(
            fc.constant(c),
            selectionArb(c.shape),
            fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
            fc.option(fc.nat(), { nil: undefined }),
          ),
        ),
        async ([c, sel, edits, cut]) => {
          const frame = Buffer.from(await caseFrame(c, caseBytes(c)));
          for (const [at, value] of edits) frame[at % frame.length] = value;
          const bad = cut === undefined ? frame : frame.subarray(0, cut % frame.length);
          const attempt = async (open: () => Promise<LazyArrayBase> | LazyArrayBase): Promise<void> => {
            try {
              const lazy = await open();
              const got = lazy instanceof AsyncLazyArray ? await lazy.get(sel) : (lazy as LazyArray).get(sel);
              // A frame that still opens may hold other values, but never another amount of them.
              const items = resolveSelection(sel, lazy.shape).items;
              expect(got.data.byteLength).toBe(items * (lazy.size === 0 ? 0 : lazy.nbytes / lazy.size));
            } catch (err) {
              if (!(err instanceof Blosc2Error)) throw err;
            }
          };
          await attempt(() => openFrame(bad, { maxOutputBytes: 1 << 24 }));
          await attempt(() => openFrame(countingReader(bad).read, { maxOutputBytes: 1 << 24 }));
        },
      ),
      { numRuns: 400 },
    );
  });
});
