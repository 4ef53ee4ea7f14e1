// The cache of C-Blosc2 contexts (native/context_pool.cc) and the thread
// rule (native/threads.cc): reused contexts give the bytes of fresh ones, for
// any input length and parameters, interleaved on the same context; failed
// calls drop their context; idle contexts are freed; BLOSC2_CONTEXT_POOL=0
// turns reuse off with the same results.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Blosc2Error, Packer, compress, compressAsync, decompress, decompressAsync, type Codec, type Filter } from '../src/index';
import { backend } from '../src/backend';
import { runNode } from './support/child';
import { coreCParams, referenceAddon } from './support/reference-addon';

const CODECS: Codec[] = ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'];
const FILTERS: Filter[][] = [[], ['shuffle'], ['bitshuffle'], ['delta', 'shuffle']];

function bytes(n: number, seed: number, kind: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = kind === 0 ? i & 0xff : kind === 1 ? (x >>> 24) & 0xff : (i >> 9) & 0x7 ? 0 : x & 0xff;
  }
  return out;
}

describe('reused C-Blosc2 contexts', () => {
  it('compress() gives the bytes of a fresh context, for any length and parameters, calls interleaved', () => {
    const before = backend.contextPoolStats();
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1_200_000 }), { minLength: 2, maxLength: 3 }),
        fc.constantFrom(...CODECS),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(1, 2, 4, 8, 16),
        fc.constantFrom(...FILTERS),
        fc.constantFrom(0, 0, 65536, 300_000),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (lengths, codec, clevel, typesize, filters, blocksize, kind, seed) => {
          const cparams = { codec, clevel, typesize, filters, blocksize, nthreads: 1 };
          // The same lengths twice, so that each context serves inputs of other lengths in between.
          for (const n of [...lengths, ...lengths]) {
            const len = filters.includes('delta') ? n - (n % typesize) : n;
            if (len === 0) continue;
            const src = bytes(len, seed + n, kind);
            const ours = compress(src, cparams);
            const fresh = referenceAddon.compressFresh({ src, cparams: coreCParams(cparams, typesize) });
            expect(
              Buffer.compare(ours, fresh),
              `${len} bytes of kind ${kind} seed ${seed + n} (lengths ${lengths.join()}), ${JSON.stringify(cparams)}`,
            ).toBe(0);
          }
        },
      ),
      { numRuns: 60 },
    );
    const after = backend.contextPoolStats();
    expect(after.enabled).toBe(true);
    expect(after.reused - before.reused).toBeGreaterThan(50);
  });

  it('frames from reused contexts are byte-identical to those of fresh ones (one thread), and decode exactly at any thread count', () => {
    const data = Float64Array.from({ length: 1_500_000 }, (_, i) => Math.sin(i / 700) + i / 1e6);
    const one = new Packer({ nthreads: 1 });
    const first = one.pack(data);
    for (const nthreads of [2, 3, 4]) {
      // With more threads C-Blosc2 places blocks in completion order, so only the values are compared.
      const p = new Packer({ nthreads });
      const back = p.unpack(p.pack(data)) as Float64Array;
      expect(Buffer.compare(Buffer.from(back.buffer, back.byteOffset, back.byteLength), Buffer.from(data.buffer))).toBe(0);
    }
    expect(Buffer.compare(one.pack(data), first)).toBe(0);
  });

  it('a call that fails drops its context, and the next calls are exact', async () => {
    const src = bytes(2_000_000, 7, 0);
    const good = compress(src, { nthreads: 2, codec: 'zstd' });
    const bad = Buffer.from(good);
    for (let k = 400; k < 2000; k++) bad[k] = 0xff;
    const before = backend.contextPoolStats();
    for (let i = 0; i < 5; i++) {
      expect(() => decompress(bad, { nthreads: 2 })).toThrow(Blosc2Error);
      await expect(decompressAsync(bad, { nthreads: 2 })).rejects.toThrow(Blosc2Error);
      expect(Buffer.compare(decompress(good, { nthreads: 2 }), Buffer.from(src))).toBe(0);
      expect(Buffer.compare(await decompressAsync(good, { nthreads: 2 }), Buffer.from(src))).toBe(0);
    }
    const after = backend.contextPoolStats();
    expect(after.discarded - before.discarded).toBeGreaterThanOrEqual(10);
  });

  it('idle contexts are freed after about a second, and made again when needed', async () => {
    const src = bytes(4_000_000, 3, 0);
    const c = await compressAsync(src, { nthreads: 2 });
    decompress(c, { nthreads: 2 });
    expect(backend.contextPoolStats().idle).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 2600));
    const idle = backend.contextPoolStats();
    expect(idle.idle).toBe(0);
    expect(idle.idleThreads).toBe(0);
    expect(Buffer.compare(decompress(compress(src, { nthreads: 2 }), { nthreads: 2 }), Buffer.from(src))).toBe(0);
  });

  it('BLOSC2_CONTEXT_POOL=0 makes a context per call, with the same bytes', () => {
    const script = `
      const lib = require('./src/index.ts');
      const { backend } = require('./src/backend/index.ts');
      const a = Float64Array.from({ length: 800000 }, (_, i) => Math.cos(i / 99));
      const c = lib.compress(a, { nthreads: 1 });
      lib.compress(a, { nthreads: 1 });
      lib.compress(a, { nthreads: 2 });
      const p = lib.pack(a, { nthreads: 1 });
      const hash = (b) => require('node:crypto').createHash('sha256').update(b).digest('hex');
      process.stdout.write(JSON.stringify({ stats: backend.contextPoolStats(), c: hash(c), p: hash(p) }));
    `;
    const run = (pool: string) => {
      const r = runNode(['-e', script], { env: { ...process.env, BLOSC2_CONTEXT_POOL: pool } });
      expect(r.status, `${r.signal} ${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout) as { stats: { enabled: boolean; reused: number; idle: number }; c: string; p: string };
    };
    const off = run('0');
    const on = run('1');
    expect(off.stats.enabled).toBe(false);
    expect(off.stats.reused).toBe(0);
    expect(off.stats.idle).toBe(0);
    expect(on.stats.reused).toBeGreaterThan(0);
    expect(off.c).toBe(on.c);
    expect(off.p).toBe(on.p);
  });
});
