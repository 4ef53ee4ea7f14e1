/**
 * The chunk-level API, synchronous half: round trips over every codec x
 * filter x typesize at small sizes, what cbufferInfo / getCbufferSizes report,
 * special chunks, `out`, the input kinds, thread settings and versions.
 * The async half and the 100 MB cases are in core-async.test.ts; error paths
 * in core-errors.test.ts.
 */
import * as os from 'node:os';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Blosc2Error,
  type CParams,
  type Filter,
  cbufferInfo,
  compress,
  compressAsync,
  decompress,
  defaultCParams,
  getCbufferSizes,
  getNthreads,
  setNthreads,
  versions,
} from '../src/index';
import { specialChunk } from './support/bytes';
import { LOADER, runNode } from './support/child';
import { sameBytes } from './support/compare';
import { sampleBytes } from './support/data';
import { randomBytes } from './support/random';
import { catchBlosc2Error, rejectionOf } from './support/errors';
import {
  CODECS,
  FILTERS,
  cellsOf,
  expectCellBack,
  expectCellError,
  expectHeaderMatches,
  losslessTruncMeta,
  matrixBytes,
} from './support/matrix';
import { compressRefusal, expectRefusal } from './support/refusals';

describe('round trips, sync: every codec x filter x typesize at 0 B, 1 B and a few KB', () => {
  for (const codec of CODECS) {
    for (const filter of FILTERS) {
      it(`${codec} + ${filter}`, () => {
        for (const cell of cellsOf(codec, filter)) {
          if (cell.expected !== 'exact') {
            expectCellError(
              cell,
              catchBlosc2Error(() => compress(cell.data, cell.cparams)),
            );
            continue;
          }
          const chunk = compress(cell.data, cell.cparams);
          expectHeaderMatches(chunk, codec, filter, cell.typesize, cell.size);
          expectCellBack(cell, decompress(chunk));
        }
      });
    }
  }
});

describe('compressed data', () => {
  it('compressible data really compresses with every codec, and clevel 0 stores', () => {
    const data = sampleBytes(1 << 16, 3);
    for (const codec of CODECS) {
      const info = cbufferInfo(compress(data, { codec, typesize: 8 }));
      expect(info.memcpyed, codec).toBe(false);
      expect(info.cbytes, codec).toBeLessThan(data.length);
    }
    const stored = compress(data, { clevel: 0 });
    expect(cbufferInfo(stored).memcpyed).toBe(true);
    expect(stored.length).toBe(data.length + 32);
    expect(sameBytes(decompress(stored), data)).toBe(true);
  });

  it('uses the defaults: lz4, shuffle, typesize from the view', () => {
    const data = new Float64Array(4096).map((_, i) => Math.sqrt(i));
    const info = cbufferInfo(compress(data));
    expect(defaultCParams.codec).toBe('lz4');
    expect(info.codec).toBe('lz4');
    expect(info.typesize).toBe(8);
    expect(info.filters).toEqual(['shuffle']);
    expect(info.filtersMeta).toEqual([0]);
    expect(cbufferInfo(compress(new Uint16Array(4096).map((_, i) => i))).typesize).toBe(2);
    expect(cbufferInfo(compress(new DataView(data.buffer))).typesize).toBe(1);
    expect(cbufferInfo(compress(data.buffer)).typesize).toBe(1);
    expect(cbufferInfo(compress(data, { typesize: 4 })).typesize).toBe(4);
  });

  it('returns a Buffer exactly the chunk long; a well-compressed chunk does not keep the worst-case allocation', () => {
    const data = matrixBytes(1 << 20, 5);
    const chunk = compress(data, { codec: 'zstd', typesize: 4 });
    expect(Buffer.isBuffer(chunk)).toBe(true);
    expect(chunk.length).toBe(getCbufferSizes(chunk).cbytes);
    expect(chunk.length).toBeLessThan(data.length / 4);
    // The worst case is nbytes + 32; a chunk this small gets a buffer of its own.
    expect(chunk.buffer.byteLength).toBeLessThan(data.length / 2);
    // Incompressible input: whatever buffer backs it, the view is exactly the chunk.
    const noise = randomBytes(1 << 16, 11);
    const stored = compress(noise);
    expect(stored.length).toBe(getCbufferSizes(stored).cbytes);
    expect(sameBytes(decompress(stored), noise)).toBe(true);
  });

  it('keeps a pipeline of two filters, right-aligned, with their meta', () => {
    const data = new Float32Array(8192).map((_, i) => Math.cos(i / 50));
    const cp: CParams = { filters: ['truncPrec', 'bitshuffle'], filtersMeta: [23, 0], codec: 'zstd', blocksize: 4096 };
    const chunk = compress(data, cp);
    const info = cbufferInfo(chunk);
    expect(info.filters).toEqual(['truncPrec', 'bitshuffle']);
    expect(info.filtersMeta).toEqual([23, 0]);
    // As CParams takes them: the same pipeline again.
    const again = cbufferInfo(compress(data, { ...cp, filters: info.filters as Filter[], filtersMeta: info.filtersMeta }));
    expect([again.filters, again.filtersMeta, again.codec]).toEqual([info.filters, info.filtersMeta, 'zstd']);
    expect(sameBytes(decompress(chunk), data)).toBe(true);
  });

  it('reports codec, filters and filtersMeta as CParams takes them: compressing with them gives the same header (property)', () => {
    const names: Filter[] = ['nofilter', 'shuffle', 'bitshuffle', 'delta', 'truncPrec'];
    fc.assert(
      fc.property(
        fc.constantFrom(...CODECS),
        fc.constantFrom(1, 2, 4, 8),
        fc.array(fc.tuple(fc.constantFrom(...names), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        (codec, typesize, pipeline) => {
          const data = matrixBytes(typesize * 600, typesize);
          const cp: CParams = { codec, typesize, filters: pipeline.map(([f]) => f), filtersMeta: pipeline.map(([, m]) => m) };
          let chunk: Buffer;
          try {
            chunk = compress(data, cp);
          } catch (err) {
            // Pipelines C-Blosc2 cannot undo, or trunc-prec on integers: not this property's business.
            fc.pre(!(err instanceof Blosc2Error));
            throw err;
          }
          const info = cbufferInfo(chunk);
          expect(info.codec).toBe(codec);
          const again = compress(data, {
            codec: info.codec as typeof codec,
            typesize,
            filters: info.filters as Filter[],
            filtersMeta: info.filtersMeta,
          });
          // Bytes 16-31 of the header: the six filter slots, codec and its meta, the six filter metas, flags.
          expect(Buffer.from(again.subarray(16, 32)).toString('hex')).toBe(Buffer.from(chunk.subarray(16, 32)).toString('hex'));
          expect(cbufferInfo(again)).toEqual(info);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('names the codec and filters of C-Blosc1 headers, and gives plugin ids as numbers', () => {
    // A C-Blosc1 header (16 bytes): version 2, flags = zstd format (4) << 5 | delta | bitshuffle.
    const blosc1 = Buffer.alloc(16);
    blosc1.set([2, 1, (4 << 5) | 0x8 | 0x4, 4]);
    blosc1.writeInt32LE(4096, 4);
    blosc1.writeInt32LE(4096, 8);
    blosc1.writeInt32LE(1000, 12);
    expect(cbufferInfo(blosc1)).toMatchObject({ codec: 'zstd', filters: ['delta', 'bitshuffle'], filtersMeta: [0, 0], typesize: 4 });
    // A C-Blosc2 chunk that needs the int_trunc filter (37) and the ndlz codec (32), plugins this build lacks.
    const plugin = Buffer.from(
      compress(
        new Float32Array(4096).map((_, i) => i),
        { codec: 'zstd' },
      ),
    );
    plugin[2] = ((plugin[2] as number) & 0x1f) | (6 << 5); // codec format: user-defined
    plugin[21] = 37;
    plugin[22] = 32;
    expect(cbufferInfo(plugin)).toMatchObject({ codec: 32, filters: [37], filtersMeta: [0] });
    expect(catchBlosc2Error(() => decompress(plugin)).code).toBe('ERR_UNSUPPORTED');
  });

  it('round-trips every splitmode and explicit block sizes', () => {
    const data = sampleBytes(200_000, 9);
    for (const splitmode of ['always', 'never', 'auto', 'forwardCompat'] as const) {
      for (const blocksize of [0, 4096, 65536, 200_000]) {
        const chunk = compress(data, { splitmode, blocksize, typesize: 8, codec: 'zstd' });
        if (blocksize > 0) expect(getCbufferSizes(chunk).blocksize).toBe(blocksize);
        expect(sameBytes(decompress(chunk), data), `${splitmode}/${blocksize}`).toBe(true);
      }
    }
  });

  it('all-zero input becomes a 32-byte special zeros chunk and decodes to zeros', () => {
    const chunk = compress(new Uint8Array(1 << 20));
    expect(chunk.length).toBe(32);
    expect(cbufferInfo(chunk).special).toBe('zeros');
    const back = decompress(chunk);
    expect(back.length).toBe(1 << 20);
    expect(back.every((b) => b === 0)).toBe(true);
  });
});

describe('truncPrec (lossy)', () => {
  it('keeps the error within the kept mantissa bits, float32 and float64', () => {
    const f32 = new Float32Array(10_000).map((_, i) => Math.sin(i / 31) * 1e3 + 1e-3 * i);
    const f64 = new Float64Array(10_000).map((_, i) => Math.sin(i / 31) * 1e6 + 1e-7 * i);
    for (const [data, bits] of [
      [f32, 10],
      [f64, 20],
    ] as const) {
      const chunk = compress(data, { filters: ['truncPrec', 'shuffle'], filtersMeta: [bits] });
      const out = data instanceof Float32Array ? new Float32Array(data.length) : new Float64Array(data.length);
      decompress(chunk, { out });
      let changed = 0;
      for (let i = 0; i < data.length; i++) {
        const x = data[i] ?? 0;
        const y = out[i] ?? 0;
        // Truncation toward zero of the mantissa: same sign, |y| <= |x|, relative error < 2^-bits.
        expect(Math.abs(x - y)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -bits);
        expect(Math.abs(y)).toBeLessThanOrEqual(Math.abs(x));
        if (x !== y) changed++;
      }
      expect(changed).toBeGreaterThan(data.length / 2);
    }
  });

  it('negative filtersMeta zeroes that many low bits', () => {
    const data = new Float32Array(4096).map((_, i) => 1 + i / 4096);
    const out = new Float32Array(data.length);
    decompress(compress(data, { filters: ['truncPrec'], filtersMeta: [-8] }), { out });
    const bits = new Uint32Array(out.buffer);
    expect(bits.every((w) => (w & 0xff) === 0)).toBe(true);
    for (let i = 0; i < data.length; i++) expect(Math.abs((data[i] ?? 0) - (out[i] ?? 0))).toBeLessThan(2 ** -15);
  });

  it('is refused by C-Blosc2 (ERR_COMPRESS) for typesizes other than 4 and 8, and for meta 0', () => {
    const data = sampleBytes(4096, 2);
    for (const typesize of [1, 2, 16]) {
      expect(catchBlosc2Error(() => compress(data, { filters: ['truncPrec'], filtersMeta: [8], typesize })).code).toBe('ERR_COMPRESS');
    }
    // meta 0 would keep no mantissa bit at all: C-Blosc2 refuses it.
    expect(catchBlosc2Error(() => compress(data, { filters: ['truncPrec'], typesize: 4 })).code).toBe('ERR_COMPRESS');
  });
});

describe('bytedelta (a C-Blosc2 plugin filter; plugins are off in this build)', () => {
  it('is refused up front with ERR_UNSUPPORTED at any size, sync and async', async () => {
    for (const size of [0, 1, 31, 4096]) {
      for (const filters of [['bytedelta'], ['shuffle', 'bytedelta']] as const) {
        const err = catchBlosc2Error(() => compress(sampleBytes(size, 1), { filters, typesize: 4 }));
        expect(err.code, `${size} B`).toBe('ERR_UNSUPPORTED');
        expect(err.message).toContain('bytedelta');
        expect((await rejectionOf(compressAsync(sampleBytes(size, 1), { filters, typesize: 4 }))).code).toBe('ERR_UNSUPPORTED');
      }
    }
  });

  it('a chunk whose pipeline names bytedelta cannot be decoded: ERR_UNSUPPORTED naming the plugin, not garbage', () => {
    // Take a real shuffled chunk and rename its filter to bytedelta, as a
    // python-blosc2 chunk made with Filter.BYTEDELTA reads here.
    const chunk = compress(
      new Float32Array(4096).map((_, i) => Math.cos(i / 50)),
      { filters: ['shuffle'] },
    );
    expect(cbufferInfo(chunk).memcpyed).toBe(false);
    expect(chunk[16 + 5]).toBe(1);
    chunk[16 + 5] = 35;
    const err = catchBlosc2Error(() => decompress(chunk));
    expect(err.code).toBe('ERR_UNSUPPORTED');
    expect(err.message).toContain('filter 35 (bytedelta), a plugin this build does not include');
  });
});

describe('DELTA in filter orders C-Blosc2 2.17.1 does not decode correctly', () => {
  // C-Blosc2 2.17.1 undoes DELTA against the output's block 0; after SHUFFLE,
  // or after BITSHUFFLE with DELTA in the last slot, it reads memory it never
  // wrote (fuzz_chunk). python-blosc2 writes such chunks (test/interop.test.ts
  // reads its DELTA-after-BITSHUFFLE one, which decodes right).
  const valid = (filters: ['delta', 'shuffle' | 'bitshuffle']) => {
    const chunk = compress(
      new Int32Array(4096).map((_, i) => i * 7),
      { filters },
    );
    expect(cbufferInfo(chunk).memcpyed).toBe(false);
    expect([chunk[16 + 4], chunk[16 + 5]]).toEqual([3, filters[1] === 'shuffle' ? 1 : 2]);
    return chunk;
  };

  it('the order C-Blosc2 writes (DELTA first applied) decodes', () => {
    for (const second of ['shuffle', 'bitshuffle'] as const) {
      expect(Array.from(new Int32Array(decompress(valid(['delta', second])).buffer).subarray(0, 3))).toEqual([0, 7, 14]);
    }
  });

  it('DELTA after SHUFFLE: ERR_UNSUPPORTED, not bytes that depend on memory', () => {
    const chunk = valid(['delta', 'shuffle']);
    [chunk[16 + 4], chunk[16 + 5]] = [1, 3];
    const err = catchBlosc2Error(() => decompress(chunk));
    expect(err.code).toBe('ERR_UNSUPPORTED');
    expect(err.message).toContain('DELTA after SHUFFLE');
  });

  it('DELTA after BITSHUFFLE in the last slot: ERR_UNSUPPORTED', () => {
    const chunk = valid(['delta', 'bitshuffle']);
    [chunk[16 + 4], chunk[16 + 5]] = [2, 3];
    const err = catchBlosc2Error(() => decompress(chunk));
    expect(err.code).toBe('ERR_UNSUPPORTED');
    expect(err.message).toContain('DELTA after BITSHUFFLE in the last filter slot');
  });

  it('DELTA twice: ERR_UNSUPPORTED', () => {
    const chunk = valid(['delta', 'shuffle']);
    chunk[16 + 5] = 3;
    const err = catchBlosc2Error(() => decompress(chunk));
    expect(err.code).toBe('ERR_UNSUPPORTED');
    expect(err.message).toContain('DELTA twice');
  });
});

describe('decompress into out', () => {
  it('writes exactly nbytes into a larger out and leaves the rest alone', () => {
    const data = sampleBytes(10_000, 8);
    const chunk = compress(data);
    const backing = new Uint8Array(10_100).fill(0xee);
    const out = backing.subarray(50, 10_080);
    const ret = decompress(chunk, { out });
    expect(ret).toBe(out);
    expect(sameBytes(backing.subarray(50, 10_050), data)).toBe(true);
    expect(backing.subarray(0, 50).every((b) => b === 0xee)).toBe(true);
    expect(backing.subarray(10_050).every((b) => b === 0xee)).toBe(true);
  });

  it('accepts any view type as out, e.g. a Float64Array or a DataView', () => {
    const data = new Float64Array(1000).map((_, i) => i * 0.5);
    const chunk = compress(data);
    const f = decompress(chunk, { out: new Float64Array(1000) });
    expect([...f]).toEqual([...data]);
    const dv = decompress(chunk, { out: new DataView(new ArrayBuffer(8000)) });
    expect(dv.getFloat64(8 * 999, true)).toBe(499.5);
  });

  it('out does not need maxOutputBytes: the caller already allocated it', () => {
    const chunk = compress(sampleBytes(4096, 1));
    expect(decompress(chunk, { out: new Uint8Array(4096), maxOutputBytes: 10 }).length).toBe(4096);
  });
});

describe('input kinds', () => {
  it('reads ArrayBuffer, SharedArrayBuffer, DataView, Buffer and offset views in place', () => {
    const data = sampleBytes(6000, 12);
    const backing = new Uint8Array(7000);
    backing.set(data, 333);
    const sab = new SharedArrayBuffer(6000);
    new Uint8Array(sab).set(data);
    const inputs = [
      data.slice().buffer,
      sab,
      new DataView(backing.buffer, 333, 6000),
      Buffer.from(data),
      backing.subarray(333, 6333),
      new Uint16Array(backing.buffer.slice(333, 6333)),
    ];
    for (const input of inputs) {
      const chunk = compress(input, { typesize: 2 });
      expect(sameBytes(decompress(chunk), data)).toBe(true);
      // The chunk itself can arrive as any kind of binary too.
      const sabChunk = new SharedArrayBuffer(chunk.length);
      new Uint8Array(sabChunk).set(chunk);
      expect(sameBytes(decompress(sabChunk), data)).toBe(true);
      expect(sameBytes(decompress(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.length)), data)).toBe(true);
      expect(sameBytes(decompress(new DataView(chunk.buffer, chunk.byteOffset, chunk.length)), data)).toBe(true);
    }
  });

  it('a chunk inside a larger buffer is read through an exact view', () => {
    const chunk = compress(sampleBytes(3000, 13));
    const big = new Uint8Array(chunk.length + 100);
    big.set(chunk, 40);
    expect(decompress(big.subarray(40, 40 + chunk.length)).length).toBe(3000);
    // getCbufferSizes needs the header only.
    expect(getCbufferSizes(big.subarray(40, 72)).cbytes).toBe(chunk.length);
  });
});

describe('special chunks made by hand', () => {
  it('zeros: 64 MiB decode to zeros within the default limit', () => {
    const chunk = specialChunk('zeros', 64 << 20);
    expect(cbufferInfo(chunk)).toMatchObject({ nbytes: 64 << 20, cbytes: 32, special: 'zeros', memcpyed: false });
    const back = decompress(chunk);
    expect(back.length).toBe(64 << 20);
    expect(back.every((b) => b === 0)).toBe(true);
  });

  it('zeros with maxOutputBytes exactly nbytes decodes; one byte less is ERR_MAX_OUTPUT', () => {
    const chunk = specialChunk('zeros', 64 << 20);
    expect(decompress(chunk, { maxOutputBytes: 64 << 20 }).length).toBe(64 << 20);
    const err = catchBlosc2Error(() => decompress(chunk, { maxOutputBytes: (64 << 20) - 1 }));
    expect(err.code).toBe('ERR_MAX_OUTPUT');
  });

  it('uninit decodes to zeros, even into an out full of old data', () => {
    const fresh = decompress(specialChunk('uninit', 1 << 20));
    expect(fresh.every((b) => b === 0)).toBe(true);
    const out = new Uint8Array(5000).fill(0x5a);
    decompress(specialChunk('uninit', 5000), { out });
    expect(out.every((b) => b === 0)).toBe(true);
    expect(cbufferInfo(specialChunk('uninit', 5000)).special).toBe('uninit');
  });

  it('nan decodes to NaNs for float32 and float64', () => {
    const f32 = decompress(specialChunk('nan', 400, { typesize: 4 }), { out: new Float32Array(100) });
    expect(f32.every(Number.isNaN)).toBe(true);
    const f64 = decompress(specialChunk('nan', 800, { typesize: 8 }), { out: new Float64Array(100) });
    expect(f64.every(Number.isNaN)).toBe(true);
    expect(cbufferInfo(specialChunk('nan', 800, { typesize: 8 })).special).toBe('nan');
  });

  it('value repeats the typesize bytes after the header', () => {
    const chunk = specialChunk('value', 400, { typesize: 4, value: new Uint8Array([0xef, 0xbe, 0xad, 0xde]) });
    expect(cbufferInfo(chunk)).toMatchObject({ special: 'value', cbytes: 36 });
    const out = decompress(chunk, { out: new Uint32Array(100) });
    expect(out.every((w) => w === 0xdeadbeef)).toBe(true);
  });

  it('a zero-byte chunk decodes to an empty Buffer', () => {
    const back = decompress(compress(new Uint8Array(0)));
    expect(Buffer.isBuffer(back)).toBe(true);
    expect(back.length).toBe(0);
  });
});

describe('threads and versions', () => {
  it('setNthreads returns the previous value and sets the default', () => {
    const original = getNthreads();
    try {
      expect(setNthreads(3)).toBe(original);
      expect(getNthreads()).toBe(3);
      expect(setNthreads(1)).toBe(3);
      expect(getNthreads()).toBe(1);
      // Still compresses and decompresses with the new default.
      const data = sampleBytes(100_000, 14);
      expect(sameBytes(decompress(compress(data)), data)).toBe(true);
    } finally {
      setNthreads(original);
    }
    expect(getNthreads()).toBe(original);
  });

  it('defaults to the CPU count without BLOSC_NTHREADS', () => {
    if (process.env['BLOSC_NTHREADS'] === undefined) expect(getNthreads()).toBe(Math.min(256, os.availableParallelism()));
    else expect(getNthreads()).toBe(Number(process.env['BLOSC_NTHREADS']));
  });

  it('BLOSC_NTHREADS sets the default (child process); invalid values fall back to the CPU count', () => {
    const script = `const b = require(${JSON.stringify(LOADER)}).loadLibrary(); process.stdout.write(JSON.stringify({ n: b.getNthreads(), prev: b.setNthreads(2), now: b.getNthreads() }))`;
    const run = (value: string | undefined): { n: number; prev: number; now: number } => {
      const env = { ...process.env };
      if (value === undefined) delete env['BLOSC_NTHREADS'];
      else env['BLOSC_NTHREADS'] = value;
      const r = runNode(['-e', script], { env });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { n: number; prev: number; now: number };
    };
    const cpus = Math.min(256, os.availableParallelism());
    expect(run('3')).toEqual({ n: 3, prev: 3, now: 2 });
    expect(run('256').n).toBe(256);
    expect(run(undefined).n).toBe(cpus);
    for (const bad of ['0', '257', 'abc', '1.5', '-2', '']) expect(run(bad).n, `BLOSC_NTHREADS=${bad}`).toBe(cpus);
  });

  it('versions names C-Blosc2 (2.17 or later) and the five codecs', () => {
    const [major, minor] = versions.cblosc2.split('.').map(Number);
    expect(versions.cblosc2).toMatch(/^\d+\.\d+\.\d+/);
    expect(major).toBe(2);
    expect(minor).toBeGreaterThanOrEqual(17);
    expect([...versions.codecs].sort()).toEqual(['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd']);
    expect(Object.isFrozen(versions)).toBe(true);
    expect(Object.isFrozen(versions.codecs)).toBe(true);
  });
});

// The refusals the README promises (CParams): C-Blosc2 2.17.1 would decode
// these pipelines or inputs wrongly (each test says how), so compress and
// compressAsync refuse them up front with the documented code and a message
// that names the argument; the input is left as it was.
// property-tests/refusals.property.test.ts draws many more.
describe('documented refusals: input the item-wise filters would mishandle', () => {
  // C-Blosc2 2.17.1's item-wise filters (trunc-prec.c, and delta.c for 8-
  // and 16-byte items) never write the last `bsize % typesize` bytes of a
  // block, so when the input is not a whole number of items the final
  // (short) block would keep stale bytes of an earlier block, even with
  // lossless truncPrec (meta 23 / 52).
  it('truncPrec keeping every mantissa bit, on a length that is not a multiple of typesize: ERR_INVALID_ARG naming src', async () => {
    for (const [typesize, size] of [
      [4, 4099],
      [8, 8195],
      [4, 1027],
    ] as const) {
      // A compressible pattern, as if the filters were to run on it.
      const data = new Uint8Array(size).map((_, i) => (i * 31) % 251);
      await expectRefused(
        data,
        { filters: ['truncPrec'], filtersMeta: [losslessTruncMeta(typesize)], typesize },
        `typesize ${typesize}, ${size} B`,
      );
    }
  });

  it('delta with 2-, 4-, 8- and 16-byte items, on a length that is not a multiple of typesize: ERR_INVALID_ARG naming src', async () => {
    for (const codec of ['blosclz', 'lz4', 'zlib', 'zstd', 'lz4hc'] as const) {
      for (const [typesize, size] of [
        [2, 1303],
        [4, 1303],
        [8, 4099],
        [16, 4097],
        [8, 100_003],
      ] as const) {
        const data = new Uint8Array(size).map((_, i) => (i >> 1) & 0xff);
        await expectRefused(data, { codec, filters: ['delta'], typesize }, `${codec}, typesize ${typesize}, ${size} B`);
      }
    }
  });

  // C-Blosc2 2.17.1's pipeline_forward rotates three pointers (src, dest,
  // tmp) starting from the caller's input: a third active filter would write
  // its output into the caller's memory, and with delta first (whose
  // reference is block 0 of src) later blocks would be encoded against
  // clobbered bytes.
  it('compress never writes into its input: three or more active filters are ERR_INVALID_ARG naming cparams.filters', async () => {
    const original = new Float32Array(65536).map((_, i) => Math.cos(i / 50));
    for (const filters of [
      ['shuffle', 'shuffle', 'shuffle'],
      ['delta', 'truncPrec', 'bitshuffle'],
      ['shuffle', 'bitshuffle', 'nofilter', 'shuffle'],
    ] as const) {
      const input = original.slice();
      await expectRefused(
        input,
        { filters, filtersMeta: filters.map((f) => (f === 'truncPrec' ? 23 : 0)), blocksize: 16384 },
        filters.join(','),
      );
      expect(sameBytes(input, original), filters.join(',')).toBe(true);
    }
  });

  it('three filters with delta first are ERR_INVALID_ARG naming cparams.filters', async () => {
    const original = new Float32Array(65536).map((_, i) => Math.cos(i / 50));
    for (const filters of [
      ['delta', 'shuffle', 'bitshuffle'],
      ['delta', 'truncPrec', 'shuffle'],
    ] as const) {
      const bytes = new Uint8Array(original.buffer.slice(0));
      await expectRefused(
        bytes,
        { filters, filtersMeta: filters.map((f) => (f === 'truncPrec' ? 23 : 0)), blocksize: 16384, typesize: 4 },
        filters.join(','),
      );
    }
  });
});

// C-Blosc2 2.17.1 turns an all-zero input into a 32-byte "zeros" special
// chunk whatever its length, but refuses to decode a special chunk whose
// nbytes is not a multiple of its typesize (read_chunk_header: "Invalid value
// in header", -11). compress must not make chunks decompress cannot read:
// such input round-trips (a zeros chunk's typesize means nothing).
describe('all-zero input', () => {
  it('all zeros of a length that is not a multiple of typesize decode back to zeros, sync and async', async () => {
    for (const [size, typesize] of [
      [33, 4],
      [34, 4],
      [33, 2],
      [64, 3],
      [1001, 8],
      [4097, 4],
    ] as const) {
      const where = `${size} B of zeros, typesize ${typesize}`;
      for (const chunk of [compress(new Uint8Array(size), { typesize }), await compressAsync(new Uint8Array(size), { typesize })]) {
        const back = decompress(chunk);
        expect(back.length, where).toBe(size);
        expect(
          back.every((b) => b === 0),
          where,
        ).toBe(true);
      }
    }
  });
});

// C-Blosc2 2.17.1 undoes delta against the already-restored first block (the
// reason 'delta' after a shuffle is refused too), so a second delta in the
// pipeline would decode to wrong values without any error.
describe('documented refusals: a second delta', () => {
  it('delta twice is ERR_INVALID_ARG naming cparams.filters', async () => {
    for (const [filters, typesize] of [
      [['delta', 'delta'], 1],
      [['delta', 'nofilter', 'delta'], 1],
      [['delta', 'delta', 'shuffle'], 4],
    ] as const) {
      const data = new Uint8Array(4096).map((_, i) => i & 0xff);
      await expectRefused(data, { filters, typesize }, filters.join(','));
    }
  });
});

/**
 * compress and compressAsync refuse `cp` for `data` as the README documents
 * (./support/refusals), and leave `data` as it was.
 */
async function expectRefused(data: ArrayBufferView, cp: CParams, where: string): Promise<void> {
  const expected = Uint8Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const typesize = cp.typesize ?? (data as Partial<Float32Array>).BYTES_PER_ELEMENT ?? 1;
  const refusal = compressRefusal(cp.filters ?? [], typesize, data.byteLength);
  expect(refusal, `${where}: a documented refusal`).not.toBeNull();
  if (!refusal) return;
  expectRefusal(
    catchBlosc2Error(() => compress(data, cp)),
    refusal,
    where,
  );
  expectRefusal(await rejectionOf(compressAsync(data, cp)), refusal, where);
  expect(sameBytes(data, expected), `${where}: the input is unchanged`).toBe(true);
}
