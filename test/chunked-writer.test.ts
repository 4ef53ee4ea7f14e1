// FrameWriter / packChunks (issue 13): an array written chunk by chunk, slab by
// slab along its first dimension, is the frame pack writes for it (byte for
// byte, with the same parameters), to memory, a path, a FileHandle or a
// Writable, synchronously or on the pool; and every misuse is a Blosc2Error.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Blosc2Error, FrameWriter, NDArray, openFrame, pack, packChunks, type Slab } from '../src/index';
import { bytesOf } from './support/compare';
import { extAt } from './support/bytes';
import { rejectionOf } from './support/errors';
import { nums } from './support/random-access';

function frameOf(msg: Buffer): Buffer {
  return msg.subarray(extAt(msg).start);
}

/** Splits rows into slabs of the given row counts (cycled). */
function slabs<T extends Float32Array | Int16Array>(data: T, rowItems: number, sizes: number[]): T[] {
  const out: T[] = [];
  const rows = data.length / rowItems;
  for (let r = 0, i = 0; r < rows; i++) {
    const n = Math.min(sizes[i % sizes.length] as number, rows - r);
    out.push(data.subarray(r * rowItems, (r + n) * rowItems) as T);
    r += n;
  }
  return out;
}

const rejection = rejectionOf;

function tmpFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-writer-')), name);
}

describe('FrameWriter writes the frame pack writes', () => {
  it('byte for byte where the geometry is the same (always in 1-D), for any shape and any split into slabs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (shape, sizes, known) => {
          const rowItems = shape.slice(1).reduce((p, n) => p * n, 1);
          const data = Float32Array.from({ length: (shape[0] as number) * rowItems }, (_, i) => Math.cos(i / 17));
          const want = frameOf(pack(new NDArray(data, shape), { threshold: 0, nthreads: 1 }));
          const got = await packChunks(slabs(data, rowItems, sizes), {
            shape: [known ? (shape[0] as number) : null, ...shape.slice(1)],
            dtype: '<f4',
            nthreads: 1,
          });
          // With the whole shape known, FrameWriter picks pack's geometry without pack's sample of the data
          // (which only N-d shapes can consult): the same geometry gives pack's bytes; 1-D arrays always do.
          const mine = openFrame(got);
          const packs = openFrame(want);
          const same = String(mine.chunkshape) === String(packs.chunkshape) && String(mine.blockshape) === String(packs.blockshape);
          if (known && shape.length === 1) expect(same).toBe(true);
          if (known && same) expect(Buffer.from(got).equals(want)).toBe(true);
          const back = openFrame(got).toArray() as NDArray;
          expect(back.shape).toEqual(shape);
          expect(back.data).toEqual(data);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('across chunk rows of a large array (several 64 MiB chunks), on the pool too', async () => {
    const rows = 12_000;
    const cols = 1_500; // 72 MB of float32: two chunks
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = (i % 9973) * 0.5;
    const want = frameOf(pack(new NDArray(data, [rows, cols]), { threshold: 0, nthreads: 1 }));
    for (const async of [false, true]) {
      const got = await packChunks(slabs(data, cols, [777, 5000]), { shape: [rows, cols], dtype: '<f4', nthreads: 1, async });
      expect(Buffer.from(got).equals(want), `async ${async}`).toBe(true);
    }
  });

  it('to a path, a FileHandle and a Writable: the same bytes', async () => {
    const data = Int16Array.from({ length: 300 * 7 }, (_, i) => i % 1000);
    const options = { shape: [null, 7], dtype: '<i2', chunkshape: [64, 4], nthreads: 1 } as const;
    const inMemory = await packChunks(slabs(data, 7, [33]), options);

    const file = tmpFile('a.b2nd');
    const w1 = new FrameWriter(file, options);
    await w1.writeAll(slabs(data, 7, [33]));
    const r1 = await w1.close();
    expect(r1.frame).toBeUndefined();
    expect(r1.shape).toEqual([300, 7]);
    expect(r1.chunkshape).toEqual([64, 4]);
    expect(r1.frameLength).toBe(inMemory.length);
    expect(fs.readFileSync(file).equals(inMemory)).toBe(true);

    // A FileHandle over a longer file: written from offset 0, left open.
    const file2 = tmpFile('b.b2nd');
    fs.writeFileSync(file2, Buffer.alloc(inMemory.length + 10, 0xee));
    const handle = await fs.promises.open(file2, 'r+');
    const w2 = new FrameWriter(handle, options);
    for (const s of slabs(data, 7, [300])) await w2.write(s);
    await w2.close();
    await handle.close();
    expect(fs.readFileSync(file2).subarray(0, inMemory.length).equals(inMemory)).toBe(true);

    const parts: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _enc, cb) {
        parts.push(chunk);
        setImmediate(cb);
      },
    });
    const w3 = new FrameWriter(sink, { ...options, async: true });
    await w3.writeAll(
      (async function* () {
        for (const s of slabs(data, 7, [1, 2, 3])) yield await Promise.resolve(s);
      })(),
    );
    await w3.close();
    expect(Buffer.concat(parts).equals(inMemory)).toBe(true);
    expect(sink.writableEnded).toBe(false);
  });

  it('writes empty arrays, known or not', async () => {
    for (const shape of [
      [0, 3],
      [null, 3],
    ] as const) {
      const frame = await packChunks([], { shape, dtype: '<f8' });
      const lazy = openFrame(frame);
      expect(lazy.shape).toEqual([0, 3]);
      expect(lazy.get().data.length).toBe(0);
      expect(lazy.nchunks).toBe(0);
    }
    const want = frameOf(pack(new NDArray(new Float64Array(0), [0, 3]), { threshold: 0, nthreads: 1 }));
    expect(Buffer.from(await packChunks([], { shape: [0, 3], dtype: '<f8', nthreads: 1 })).equals(want)).toBe(true);
  });

  it('takes NDArrays, Buffers and DataViews of whole rows', async () => {
    const data = Float32Array.from({ length: 60 }, (_, i) => i);
    const frame = await packChunks(
      [new NDArray(data.subarray(0, 20), [4, 5]), Buffer.from(data.buffer, 80, 80), new DataView(data.buffer, 160, 80)] as Slab[],
      { shape: [null, 5], dtype: '<f4' },
    );
    expect((openFrame(frame).toArray() as NDArray).data).toEqual(data);
  });
});

describe('FrameWriter refuses misuse with ERR_INVALID_ARG', () => {
  const options = { shape: [10, 4], dtype: '<i2' } as const;

  it('bad options', () => {
    const bad: Array<[unknown, RegExp]> = [
      [undefined, /options/],
      [{ dtype: '<i2' }, /options.shape/],
      [{ shape: [], dtype: '<i2' }, /options.shape/],
      [{ shape: [1, 2, 3, 4, 5, 6, 7, 8, 9], dtype: '<i2' }, /options.shape/],
      [{ shape: [4, null], dtype: '<i2' }, /options.shape\[1\]/],
      [{ shape: [4, 0], dtype: '<i2' }, /options.shape\[1\]/],
      [{ shape: [-1, 2], dtype: '<i2' }, /options.shape\[0\]/],
      [{ shape: [4, 2], dtype: '>i2' }, /options.dtype/],
      [{ shape: [4, 2], dtype: '<i2', chunkshape: [2] }, /options.chunkshape/],
      [{ shape: [4, 2], dtype: '<i2', chunkshape: [2, 0] }, /options.chunkshape\[1\]/],
      [{ shape: [4, 2], dtype: '<i2', blockshape: [1, 1] }, /blockshape/],
      [{ shape: [4, 2], dtype: '<i2', chunkshape: [2, 2], blockshape: [3, 1] }, /impossible chunkshape/],
      [{ shape: [4, 2], dtype: '<i2', async: 1 }, /options.async/],
      [{ shape: [4, 2], dtype: '<i2', level: 3 }, /options.level/],
      [{ shape: [4, 2], dtype: '<i2', codec: 'nope' }, /options.codec/],
    ];
    for (const [o, message] of bad) {
      let err: unknown;
      try {
        new FrameWriter(null, o as never);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(o)).toBeInstanceOf(Blosc2Error);
      expect((err as Blosc2Error).code).toBe('ERR_INVALID_ARG');
      expect((err as Error).message).toMatch(message);
    }
    expect(() => new FrameWriter(42 as never, options)).toThrow(/target/);
  });

  it('partial rows, wrong item sizes, too many or too few rows, writes after close', async () => {
    const w = new FrameWriter(null, options);
    expect((await rejection(w.write(new Int16Array(6)))).message).toMatch(/whole rows of 8 bytes/);
    expect((await rejection(w.write(new Float32Array(4)))).message).toMatch(/items of 2 bytes/);
    await w.write(new Int16Array(4 * 8));
    expect((await rejection(w.write(new Int16Array(4 * 3)))).message).toMatch(/at most 10 rows/);
    // A failed write breaks the writer: later calls give the same error.
    expect((await rejection(w.close())).message).toMatch(/at most 10 rows/);
    expect((await rejection(w.write(new Int16Array(4)))).message).toMatch(/closed/);
    expect((await rejection(w.close())).message).toMatch(/closed/);
    const few = new FrameWriter(null, options);
    await few.write(new Int16Array(4 * 8));
    expect((await rejection(few.close())).message).toMatch(/the shape has 10 rows but 8 were written/);
  });

  it('keeps writes in call order and fails every later call after a failure', async () => {
    const w = new FrameWriter(null, { shape: [null, 2], dtype: '<u1', chunkshape: [3, 2] });
    const writes = [w.write(Uint8Array.of(1, 2)), w.write(Uint8Array.of(3, 4, 5, 6)), w.write(Uint8Array.of(7, 8))];
    await Promise.all(writes);
    const done = await w.close();
    expect(nums((openFrame(done.frame as Buffer).toArray() as NDArray).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const broken = new FrameWriter(null, { shape: [2, 2], dtype: '<u1' });
    await rejection(broken.write(Uint8Array.of(1, 2, 3, 4, 5, 6)));
    const next = await rejection(broken.write(Uint8Array.of(1, 2)));
    expect(next.message).toMatch(/at most 2 rows/);
    await broken.abort();
  });

  it('passes a Writable error through and removes its temporary file', async () => {
    const spools = () => new Set(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('blosc2-frame-')));
    const before = spools();
    const failing = new PassThrough();
    failing.on('error', () => undefined);
    const w = new FrameWriter(failing, { shape: [null, 4], dtype: '<f4' });
    await w.write(new Float32Array(400));
    expect([...spools()].filter((n) => !before.has(n))).toHaveLength(1);
    failing.destroy(new Error('pipe closed'));
    await expect(w.close()).rejects.toThrow(/pipe closed|destroyed|write after/);
    expect([...spools()].filter((n) => !before.has(n))).toEqual([]);
  });
});

describe('packChunks', () => {
  it('aborts on an iterable that throws', async () => {
    const bad = (function* () {
      yield new Float64Array(4);
      throw new Error('source failed');
    })();
    await expect(packChunks(bad, { shape: [null, 2], dtype: '<f8' })).rejects.toThrow('source failed');
  });

  it('keeps the data of slabs that end inside a chunk row', async () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => i & 255);
    const frame = await packChunks(slabs(new Int16Array(data.buffer), 5, [3, 7, 11]), {
      shape: [null, 5],
      dtype: '<i2',
      chunkshape: [8, 5],
      blockshape: [2, 5],
    });
    const lazy = openFrame(frame);
    expect(Buffer.from(bytesOf(lazy.get().data)).equals(Buffer.from(data))).toBe(true);
  });
});
