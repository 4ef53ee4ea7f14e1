// compress, compressAsync and the lone-array pack write into a reused
// worst-case buffer (src/buffer-pool.ts). A reuse bug would show as one result
// changing when a later call writes, so every result here is checked only
// after all the calls are done.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Packer, compress, compressAsync, decompress, unpack } from '../src/index';
import { backend, type FrameEncodeRequest } from '../src/backend';
import { hasSpare } from '../src/buffer-pool';
import { coreCParams } from './support/reference-addon';
import { Blosc2Error } from '../src/errors';
import { sameBytes } from './support/compare';
import { randomBytes } from './support/random';

const MiB = 1 << 20;

/** n bytes, compressible (a ramp) or not (pseudo-random noise), different for every seed. */
function data(n: number, compressible: boolean, seed: number): Uint8Array {
  if (!compressible) return randomBytes(n, seed);
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = (i >>> 10) + seed;
  return a;
}

/** Whether two views share any byte of memory. */
function overlap(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

const pattern = [true, true, false, true, false, false, true, true, false, true];
const sizes = [MiB, 3 * MiB, 2 * MiB + 24, 5 * MiB];

afterEach(() => {
  vi.useRealTimers();
});

describe('reused compression outputs', () => {
  it('compress: results stay intact and disjoint across calls that reuse the buffer', () => {
    const inputs = pattern.map((c, i) => data(sizes[i % sizes.length] as number, c, i + 1));
    const chunks = inputs.map((a) => compress(a));
    expect(hasSpare()).toBe(true);
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i] as Buffer;
      expect(c.length).toBe(c.readInt32LE(12));
      for (let j = 0; j < i; j++) expect(overlap(c, chunks[j] as Buffer)).toBe(false);
      expect(sameBytes(decompress(c), inputs[i] as Uint8Array)).toBe(true);
    }
  });

  it('compress: a compressible result is its own small buffer, an incompressible one a view of the worst-case buffer', () => {
    const small = compress(data(4 * MiB, true, 3));
    expect(small.buffer.byteLength).toBe(small.length);
    const big = compress(data(4 * MiB, false, 4));
    expect(big.length).toBeGreaterThan(4 * MiB);
    expect(big.buffer.byteLength).toBeLessThan(2 * big.length);
  });

  it('compressAsync: concurrent calls each get their own output', async () => {
    const inputs = pattern.map((c, i) => data(sizes[i % sizes.length] as number, c, 100 + i));
    const chunks = await Promise.all(inputs.map((a) => compressAsync(a)));
    const again = await Promise.all(inputs.map((a) => compressAsync(a)));
    for (let i = 0; i < inputs.length; i++) {
      for (const other of [...chunks.slice(0, i), ...again]) expect(overlap(chunks[i] as Buffer, other)).toBe(false);
      expect(sameBytes(decompress(chunks[i] as Buffer), inputs[i] as Uint8Array)).toBe(true);
      expect(sameBytes(decompress(again[i] as Buffer), inputs[i] as Uint8Array)).toBe(true);
    }
  });

  it('pack of a lone array: messages stay intact and disjoint across calls', () => {
    const packer = new Packer();
    const inputs = pattern.map((c, i) => new Float64Array(data(sizes[i % sizes.length] as number, c, 200 + i).buffer));
    const messages = inputs.map((a) => packer.pack(a));
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as Buffer;
      for (let j = 0; j < i; j++) expect(overlap(m, messages[j] as Buffer)).toBe(false);
      const back = unpack(m) as Float64Array;
      expect(back).toBeInstanceOf(Float64Array);
      expect(sameBytes(back, (inputs[i] as Float64Array).buffer)).toBe(true);
    }
  });

  it("pack of a lone array writes the same bytes as pack through msgpackr's own buffer", () => {
    const a = new Int32Array(data(3 * MiB, true, 7).buffer);
    const lone = new Packer({ nthreads: 1 }).pack(a);
    // Inside a map the array goes through msgpackr's buffer: its record is the same bytes.
    const inMap = new Packer({ nthreads: 1 }).pack({ a });
    expect(inMap.includes(lone)).toBe(true);
  });

  it('packAsync of a lone array: the same bytes as pack, messages intact and disjoint across concurrent calls', async () => {
    const packer = new Packer({ nthreads: 1 });
    const inputs = pattern.map((c, i) => new Float32Array(data(sizes[i % sizes.length] as number, c, 300 + i).buffer));
    const messages = await Promise.all(inputs.map((a) => packer.packAsync(a)));
    const again = inputs.map((a) => packer.pack(a));
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as Buffer;
      for (let j = 0; j < i; j++) expect(overlap(m, messages[j] as Buffer)).toBe(false);
      expect(m.equals(again[i] as Buffer)).toBe(true);
      const back = unpack(m) as Float32Array;
      expect(sameBytes(back, inputs[i] as Float32Array)).toBe(true);
    }
  });

  it('the addon refuses targets shorter than the worst case', async () => {
    const src = data(MiB, true, 12);
    const cparams = coreCParams({ clevel: 5, codec: 'lz4', nthreads: 1, splitmode: 'always' }, 1);
    const req: FrameEncodeRequest = { data: src, shape: [MiB], itemsize: 1, dtype: '|u1', jsKind: 'Uint8Array', cparams };
    const capacity = backend.frameCapacity(req);
    expect(capacity).toBeGreaterThan(MiB);
    const into = new Uint8Array(capacity);
    const length = await backend.frameEncodeAsync({ ...req, into });
    let exact: Uint8Array | undefined;
    backend.frameEncode({ ...req, allocate: (n) => (exact = new Uint8Array(n)) });
    expect(Buffer.from(into.subarray(0, length)).equals(Buffer.from(exact as Uint8Array))).toBe(true);
    await expect(backend.frameEncodeAsync({ ...req, into: new Uint8Array(capacity - 1) })).rejects.toMatchObject({
      code: 'ERR_OUTPUT_TOO_SMALL',
    });
  });

  it('the addon refuses outputs shorter than the worst case', () => {
    const src = data(MiB, true, 11);
    const cparams = coreCParams({ clevel: 5, codec: 'lz4', nthreads: 1, splitmode: 'always' }, 1);
    expect(() => backend.compress({ src, out: new Uint8Array(MiB), cparams })).toThrow(
      expect.objectContaining({ code: 'ERR_OUTPUT_TOO_SMALL' }),
    );
    const req: FrameEncodeRequest = { data: src, shape: [MiB], itemsize: 1, dtype: '|u1', jsKind: 'Uint8Array', cparams };
    expect(() => backend.frameEncode({ ...req, place: () => new Uint8Array(16) })).toThrow(
      expect.objectContaining({ code: 'ERR_OUTPUT_TOO_SMALL' }),
    );
    expect(() => backend.compress({ src, out: new Uint8Array(16), cparams })).toThrow(Blosc2Error);
  });

  it('drops the kept buffer after a second without use', async () => {
    vi.useFakeTimers();
    // Last in the file: fresh module instances (which also register a new
    // Blosc2Error class with the addon), so no timer armed by the tests above
    // (on real time) is in the way.
    vi.resetModules();
    const { compress } = await import('../src/core.js');
    const { hasSpare } = await import('../src/buffer-pool.js');
    expect(hasSpare()).toBe(false);
    compress(data(2 * MiB, true, 9));
    expect(hasSpare()).toBe(true);
    vi.advanceTimersByTime(600);
    compress(data(2 * MiB, true, 10));
    vi.advanceTimersByTime(600);
    expect(hasSpare()).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(hasSpare()).toBe(false);
    // Calls too small to take a large kept buffer do not keep it alive.
    compress(data(4 * MiB, true, 11));
    expect(hasSpare()).toBe(true);
    for (let i = 0; i < 2; i++) {
      vi.advanceTimersByTime(400);
      compress(data(MiB + MiB / 4, true, 12 + i));
    }
    vi.advanceTimersByTime(300);
    expect(hasSpare()).toBe(false);
  });
});
