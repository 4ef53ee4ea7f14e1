/**
 * Every error path of the chunk-level API: bad arguments (one message shape,
 * code ERR_INVALID_ARG), detached and resizable memory, truncated, corrupted
 * and inconsistent chunks, output limits, and the caller's stack on async
 * errors. Bad input must give a Blosc2Error with a stable code: never a
 * crash, a hang or a wrong value.
 */
import { describe, expect, it } from 'vitest';
import {
  Blosc2Error,
  type CParams,
  DEFAULT_MAX_OUTPUT_BYTES,
  type DecompressOptions,
  cbufferInfo,
  compress,
  compressAsync,
  decompress,
  decompressAsync,
  getCbufferSizes,
  getNthreads,
  setNthreads,
} from '../src/index';
import { specialChunk } from './support/bytes';
import { sameBytes } from './support/compare';
import { sampleBytes } from './support/data';
import { catchBlosc2Error, expectInvalidArg, rejectionOf } from './support/errors';
import { type Mutation, mutate } from './support/mutate';
import { prng } from './support/random';

/** Calls the API with a deliberately mistyped argument. */
const loose = <T>(value: unknown): T => value as T;

const SRC_EXPECTED = 'a TypedArray, DataView, Buffer, ArrayBuffer or SharedArrayBuffer';
const NOT_BINARY: ReadonlyArray<[unknown, string]> = [
  ['abc', "'abc' of type string"],
  [42, '42 of type number'],
  [null, 'null'],
  [undefined, 'undefined'],
  [{}, 'an instance of Object'],
  [[1, 2, 3], 'the array ['],
  [true, 'true of type boolean'],
  [5n, '5 of type bigint'],
  [() => 0, 'a function'],
];

/** [cparams, the parameter the message must name, what it must say is expected, how it describes the value]. */
const BAD_CPARAMS: ReadonlyArray<[unknown, string, string | RegExp, string]> = [
  ['fast', 'cparams', 'an object', "'fast' of type string"],
  [null, 'cparams', 'an object', 'null'],
  [[], 'cparams', 'an object', 'the array ['],
  [7, 'cparams', 'an object', '7 of type number'],
  [{ codec: 'lz5' }, 'cparams.codec', "one of 'blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'", "'lz5' of type string"],
  [{ codec: 1 }, 'cparams.codec', /Expected one of 'blosclz'/, '1 of type number'],
  [{ codec: null }, 'cparams.codec', /Expected one of/, 'null'],
  [{ clevel: 10 }, 'cparams.clevel', 'an integer between 0 and 9', '10 of type number'],
  [{ clevel: -1 }, 'cparams.clevel', 'an integer between 0 and 9', '-1 of type number'],
  [{ clevel: 2.5 }, 'cparams.clevel', 'an integer between 0 and 9', '2.5 of type number'],
  [{ clevel: '5' }, 'cparams.clevel', 'an integer between 0 and 9', "'5' of type string"],
  [{ clevel: NaN }, 'cparams.clevel', 'an integer between 0 and 9', 'NaN of type number'],
  [{ filters: 'shuffle' }, 'cparams.filters', 'an array of at most 6 filter names', "'shuffle' of type string"],
  [{ filters: Array(7).fill('shuffle') }, 'cparams.filters', 'an array of at most 6 filter names', 'the array ['],
  [
    { filters: ['shuffle', 'zip'] },
    'cparams.filters[1]',
    /Expected one of 'nofilter', 'shuffle', 'bitshuffle', 'delta', 'truncPrec', 'bytedelta'/,
    "'zip' of type string",
  ],
  [{ filters: [1] }, 'cparams.filters[0]', /Expected one of 'nofilter'/, '1 of type number'],
  [{ filtersMeta: 'x' }, 'cparams.filtersMeta', 'an array of at most 1 bytes (one per filter)', "'x' of type string"],
  [{ filters: ['shuffle'], filtersMeta: [1, 2] }, 'cparams.filtersMeta', 'an array of at most 1 bytes (one per filter)', 'the array ['],
  [{ filters: ['truncPrec'], filtersMeta: [256] }, 'cparams.filtersMeta[0]', 'an integer between -128 and 255', '256 of type number'],
  [{ filters: ['truncPrec'], filtersMeta: [-129] }, 'cparams.filtersMeta[0]', 'an integer between -128 and 255', '-129 of type number'],
  [{ filters: ['truncPrec'], filtersMeta: [1.5] }, 'cparams.filtersMeta[0]', 'an integer between -128 and 255', '1.5 of type number'],
  [{ typesize: 0 }, 'cparams.typesize', 'an integer between 1 and 255', '0 of type number'],
  [{ typesize: 256 }, 'cparams.typesize', 'an integer between 1 and 255', '256 of type number'],
  [{ typesize: '4' }, 'cparams.typesize', 'an integer between 1 and 255', "'4' of type string"],
  [{ nthreads: 0 }, 'cparams.nthreads', 'an integer between 1 and 256', '0 of type number'],
  [{ nthreads: 257 }, 'cparams.nthreads', 'an integer between 1 and 256', '257 of type number'],
  [{ nthreads: 1.5 }, 'cparams.nthreads', 'an integer between 1 and 256', '1.5 of type number'],
  [{ blocksize: -1 }, 'cparams.blocksize', 'an integer between 0 and 2147483647', '-1 of type number'],
  [{ blocksize: 2 ** 31 }, 'cparams.blocksize', 'an integer between 0 and 2147483647', '2147483648 of type number'],
  [{ splitmode: 'sometimes' }, 'cparams.splitmode', "one of 'always', 'never', 'auto', 'forwardCompat'", "'sometimes' of type string"],
  [{ splitmode: 1 }, 'cparams.splitmode', /Expected one of 'always'/, '1 of type number'],
  // Unknown keys are refused, so a typo never silently falls back to a default.
  [
    { level: 5 },
    'cparams.level',
    'a known option (codec, clevel, filters, filtersMeta, typesize, nthreads, blocksize, splitmode)',
    "5 of type number; did you mean 'clevel'?",
  ],
  [
    { codec: 'zstd', clevle: 9 },
    'cparams.clevle',
    'a known option (codec, clevel, filters, filtersMeta, typesize, nthreads, blocksize, splitmode)',
    "9 of type number; did you mean 'clevel'?",
  ],
  [
    { typeSize: 4 },
    'cparams.typeSize',
    'a known option (codec, clevel, filters, filtersMeta, typesize, nthreads, blocksize, splitmode)',
    "4 of type number; did you mean 'typesize'?",
  ],
  [
    { maxOutputBytes: 10 },
    'cparams.maxOutputBytes',
    'a known option (codec, clevel, filters, filtersMeta, typesize, nthreads, blocksize, splitmode)',
    '10 of type number',
  ],
];

/** [dparams, parameter named, expected, received]. */
const BAD_DPARAMS: ReadonlyArray<[unknown, string, string | RegExp, string]> = [
  ['all', 'dparams', 'an object', "'all' of type string"],
  [null, 'dparams', 'an object', 'null'],
  [[1], 'dparams', 'an object', 'the array ['],
  [{ nthreads: 0 }, 'dparams.nthreads', 'an integer between 1 and 256', '0 of type number'],
  [{ nthreads: '2' }, 'dparams.nthreads', 'an integer between 1 and 256', "'2' of type string"],
  [{ maxOutputBytes: -1 }, 'dparams.maxOutputBytes', `an integer between 0 and ${Number.MAX_SAFE_INTEGER}`, '-1 of type number'],
  [{ maxOutputBytes: 1.5 }, 'dparams.maxOutputBytes', `an integer between 0 and ${Number.MAX_SAFE_INTEGER}`, '1.5 of type number'],
  [{ maxOutputBytes: 'big' }, 'dparams.maxOutputBytes', `an integer between 0 and ${Number.MAX_SAFE_INTEGER}`, "'big' of type string"],
  [
    { maxOutputBytes: Infinity },
    'dparams.maxOutputBytes',
    `an integer between 0 and ${Number.MAX_SAFE_INTEGER}`,
    'Infinity of type number',
  ],
  [{ out: [0, 0] }, 'dparams.out', 'an ArrayBufferView', 'the array ['],
  [{ out: new ArrayBuffer(10_000) }, 'dparams.out', 'an ArrayBufferView', 'an instance of ArrayBuffer'],
  [{ out: 'buf' }, 'dparams.out', 'an ArrayBufferView', "'buf' of type string"],
  [{ limit: 5 }, 'dparams.limit', 'a known option (nthreads, maxOutputBytes, out)', '5 of type number'],
  [{ codec: 'lz4' }, 'dparams.codec', 'a known option (nthreads, maxOutputBytes, out)', "'lz4' of type string"],
];

const CHUNK = compress(sampleBytes(10_000, 21), { typesize: 8, codec: 'zstd' });

describe('wrong argument types: ERR_INVALID_ARG naming the parameter, what it must be and what it got', () => {
  it('src of compress, compressAsync, decompress, decompressAsync, getCbufferSizes, cbufferInfo', async () => {
    for (const [value, received] of NOT_BINARY) {
      expectInvalidArg(
        catchBlosc2Error(() => compress(loose(value))),
        'src',
        SRC_EXPECTED,
        received,
      );
      expectInvalidArg(
        catchBlosc2Error(() => decompress(loose(value))),
        'src',
        SRC_EXPECTED,
        received,
      );
      expectInvalidArg(
        catchBlosc2Error(() => getCbufferSizes(loose(value))),
        'src',
        SRC_EXPECTED,
        received,
      );
      expectInvalidArg(
        catchBlosc2Error(() => cbufferInfo(loose(value))),
        'src',
        SRC_EXPECTED,
        received,
      );
      // Async functions reject; they never throw synchronously.
      let compressPromise: Promise<unknown> | undefined;
      let decompressPromise: Promise<unknown> | undefined;
      expect(() => {
        compressPromise = compressAsync(loose(value));
        decompressPromise = decompressAsync(loose(value));
      }).not.toThrow();
      expectInvalidArg(await rejectionOf(compressPromise as Promise<unknown>), 'src', SRC_EXPECTED, received);
      expectInvalidArg(await rejectionOf(decompressPromise as Promise<unknown>), 'src', SRC_EXPECTED, received);
    }
  });

  it('every cparams field of compress and compressAsync, and unknown keys', async () => {
    const data = sampleBytes(1000, 22);
    for (const [cparams, name, expected, received] of BAD_CPARAMS) {
      expectInvalidArg(
        catchBlosc2Error(() => compress(data, loose<CParams>(cparams))),
        name,
        expected,
        received,
      );
      expectInvalidArg(await rejectionOf(compressAsync(data, loose<CParams>(cparams))), name, expected, received);
    }
  });

  it('every dparams field of decompress and decompressAsync, and unknown keys', async () => {
    for (const [dparams, name, expected, received] of BAD_DPARAMS) {
      expectInvalidArg(
        catchBlosc2Error(() => decompress(CHUNK, loose<DecompressOptions>(dparams))),
        name,
        expected,
        received,
      );
      expectInvalidArg(await rejectionOf(decompressAsync(CHUNK, loose<DecompressOptions>(dparams))), name, expected, received);
    }
  });

  it('setNthreads refuses anything but an integer 1-256 and keeps the old value', () => {
    const before = getNthreads();
    for (const [value, received] of [
      [0, '0 of type number'],
      [257, '257 of type number'],
      [1.5, '1.5 of type number'],
      ['2', "'2' of type string"],
      [null, 'null'],
      [undefined, 'undefined'],
    ] as const) {
      expectInvalidArg(
        catchBlosc2Error(() => setNthreads(loose(value))),
        'nthreads',
        'an integer between 1 and 256',
        received,
      );
      expect(getNthreads()).toBe(before);
    }
  });

  it("a filter pipeline C-Blosc2 cannot undo ('delta' after a shuffle) is ERR_INVALID_ARG naming cparams.filters", async () => {
    const data = sampleBytes(4096, 29);
    for (const filters of [
      ['shuffle', 'delta'],
      ['bitshuffle', 'nofilter', 'delta'],
      ['delta', 'shuffle', 'delta'],
    ] as const) {
      for (const err of [catchBlosc2Error(() => compress(data, { filters })), await rejectionOf(compressAsync(data, { filters }))]) {
        expect(err.code, filters.join(',')).toBe('ERR_INVALID_ARG');
        expect(err.message).toContain("Expected 'delta' before any 'shuffle'/'bitshuffle'");
        expect(err.message).toContain(`for cparams.filters but received`);
        expect(err.message).toContain(filters.map((f) => `'${f}'`).join(', '));
      }
    }
    // Delta first, then a shuffle, is fine.
    expect(sameBytes(decompress(compress(data, { filters: ['delta', 'shuffle'], typesize: 4 })), data)).toBe(true);
  });

  it('a long string is cut in the message', () => {
    const err = catchBlosc2Error(() => compress(loose('x'.repeat(1000))));
    expect(err.message).toContain(`'${'x'.repeat(40)}...' of type string`);
    expect(err.message.length).toBeLessThan(200);
  });
});

/** ES2024 constructors (resizable / growable buffers) the ES2022 lib does not declare. */
const ResizableArrayBuffer = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer;
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (
  length: number,
  options: { maxByteLength: number },
) => SharedArrayBuffer;

/** Detaches `buffer` the way a postMessage transfer does. */
function detach(buffer: ArrayBuffer): void {
  structuredClone(buffer, { transfer: [buffer] });
  expect(buffer.byteLength).toBe(0);
}

describe('detached and resizable memory', () => {
  it('a detached ArrayBuffer, or a view made before the detach, is ERR_DETACHED for every function, sync and async', async () => {
    const buffer = compress(sampleBytes(4096, 23)).buffer.slice(0) as ArrayBuffer;
    const bytes = new Uint8Array(buffer);
    const floats = new Float64Array(buffer, 8, 10);
    const dataView = new DataView(buffer);
    detach(buffer);
    for (const src of [buffer, bytes, floats, dataView]) {
      const what = src.constructor.name;
      expect(catchBlosc2Error(() => compress(src)).code, what).toBe('ERR_DETACHED');
      expect(catchBlosc2Error(() => decompress(src)).code, what).toBe('ERR_DETACHED');
      expect(catchBlosc2Error(() => getCbufferSizes(src)).code, what).toBe('ERR_DETACHED');
      expect(catchBlosc2Error(() => cbufferInfo(src)).code, what).toBe('ERR_DETACHED');
      expect((await rejectionOf(compressAsync(src))).code, what).toBe('ERR_DETACHED');
      expect((await rejectionOf(decompressAsync(src))).code, what).toBe('ERR_DETACHED');
      expect(catchBlosc2Error(() => compress(src)).message).toMatch(/^src .*detached ArrayBuffer/);
    }
  });

  it('an empty ArrayBuffer that is not detached is fine', () => {
    const chunk = compress(new ArrayBuffer(0));
    expect(decompress(chunk).length).toBe(0);
  });

  // A detached out must be found before its length is compared (it once was
  // reported as ERR_OUTPUT_TOO_SMALL, "has 0 bytes").
  it('a detached out is ERR_DETACHED, sync and async', async () => {
    const out = new Uint8Array(new ArrayBuffer(10_000));
    detach(out.buffer);
    expect(catchBlosc2Error(() => decompress(CHUNK, { out })).code).toBe('ERR_DETACHED');
    expect((await rejectionOf(decompressAsync(CHUNK, { out }))).code).toBe('ERR_DETACHED');
  });

  it('async calls refuse resizable ArrayBuffers (src and out) with ERR_INVALID_ARG; sync calls read them', async () => {
    const data = sampleBytes(4096, 24);
    const resizable = new ResizableArrayBuffer(4096, { maxByteLength: 8192 });
    expect((resizable as ArrayBuffer & { resizable: boolean }).resizable).toBe(true);
    new Uint8Array(resizable).set(data);
    for (const src of [resizable, new Uint8Array(resizable), new Uint8Array(resizable, 0, 100), new DataView(resizable)]) {
      const err = await rejectionOf(compressAsync(src));
      expectInvalidArg(err, 'src', /fixed-length ArrayBuffer/, `an instance of ${src instanceof DataView ? 'DataView' : 'Uint8Array'}`);
    }
    const chunk = compress(resizable);
    expect(sameBytes(decompress(chunk), data)).toBe(true);

    const resizableChunk = new ResizableArrayBuffer(chunk.length, { maxByteLength: chunk.length * 2 });
    new Uint8Array(resizableChunk).set(chunk);
    expect((await rejectionOf(decompressAsync(resizableChunk))).code).toBe('ERR_INVALID_ARG');
    expect(sameBytes(decompress(resizableChunk), data)).toBe(true);

    const resizableOut = new Uint8Array(new ResizableArrayBuffer(4096, { maxByteLength: 8192 }));
    const outErr = await rejectionOf(decompressAsync(chunk, { out: resizableOut }));
    expectInvalidArg(outErr, 'dparams.out', /fixed-length ArrayBuffer/, 'an instance of Uint8Array');
    expect(resizableOut.every((b) => b === 0)).toBe(true);
  });

  it('a growable SharedArrayBuffer (which can never shrink) is accepted by async calls', async () => {
    const data = sampleBytes(4096, 25);
    const growable = new GrowableSharedArrayBuffer(4096, { maxByteLength: 8192 });
    new Uint8Array(growable).set(data);
    const chunk = await compressAsync(growable);
    expect(sameBytes(await decompressAsync(chunk), data)).toBe(true);
  });
});

describe('truncated, inconsistent and corrupted chunks', () => {
  it('a truncated chunk is ERR_CORRUPT, sync and async', async () => {
    for (const cut of [CHUNK.length - 1, CHUNK.length >> 1, 32, 31, 16, 15, 1, 0]) {
      const part = CHUNK.subarray(0, cut);
      expect(catchBlosc2Error(() => decompress(part)).code, `${cut} bytes`).toBe('ERR_CORRUPT');
      expect((await rejectionOf(decompressAsync(part))).code, `${cut} bytes`).toBe('ERR_CORRUPT');
    }
    expect(catchBlosc2Error(() => decompress(CHUNK.subarray(0, 10))).message).toMatch(/shorter than a Blosc2 chunk header/);
  });

  it('getCbufferSizes needs only the header; cbufferInfo and getCbufferSizes refuse less than 16 bytes', () => {
    expect(getCbufferSizes(CHUNK.subarray(0, 16))).toEqual(getCbufferSizes(CHUNK));
    expect(getCbufferSizes(CHUNK.subarray(0, 32)).nbytes).toBe(10_000);
    expect(catchBlosc2Error(() => getCbufferSizes(CHUNK.subarray(0, 15))).code).toBe('ERR_CORRUPT');
    expect(catchBlosc2Error(() => cbufferInfo(new Uint8Array(8))).code).toBe('ERR_CORRUPT');
  });

  it('a header whose cbytes disagrees with the buffer length is ERR_CORRUPT (longer buffer, edited cbytes)', async () => {
    const longer = Buffer.concat([CHUNK, Buffer.alloc(7)]);
    for (const bad of [longer]) {
      const err = catchBlosc2Error(() => decompress(bad));
      expect(err.code).toBe('ERR_CORRUPT');
      expect(err.message).toContain(`says ${CHUNK.length} compressed bytes but src holds ${bad.length}`);
    }
    for (const cbytes of [CHUNK.length + 1, CHUNK.length - 1, 2 ** 31 - 1, 40]) {
      const edited = Buffer.from(CHUNK);
      edited.writeInt32LE(cbytes, 12);
      expect(catchBlosc2Error(() => decompress(edited)).code, `cbytes ${cbytes}`).toBe('ERR_CORRUPT');
      expect((await rejectionOf(decompressAsync(edited))).code, `cbytes ${cbytes}`).toBe('ERR_CORRUPT');
    }
    for (const cbytes of [0, 15, -1]) {
      const edited = Buffer.from(CHUNK);
      edited.writeInt32LE(cbytes, 12);
      expect(catchBlosc2Error(() => decompress(edited)).code, `cbytes ${cbytes}`).toBe('ERR_CORRUPT');
      expect(catchBlosc2Error(() => getCbufferSizes(edited)).code, `cbytes ${cbytes}`).toBe('ERR_CORRUPT');
    }
  });

  it('a header with a negative nbytes or a future format version is ERR_CORRUPT', () => {
    const negative = Buffer.from(CHUNK);
    negative.writeInt32LE(-5, 4);
    expect(catchBlosc2Error(() => decompress(negative)).code).toBe('ERR_CORRUPT');
    const future = Buffer.from(CHUNK);
    future[0] = 99;
    expect(catchBlosc2Error(() => decompress(future)).code).toBe('ERR_CORRUPT');
  });

  it('a chunk that needs a C-Blosc2 plugin filter or codec (not in this build) is ERR_UNSUPPORTED naming it, sync and async', async () => {
    const src = sampleBytes(64 * 1024, 4);
    const chunk = compress(src, { typesize: 4, nthreads: 1 });
    // A filter slot naming bytedelta (35), and the user-defined codec flag (6) with codec 32 (ndlz).
    const filter = Buffer.from(chunk);
    filter[0x10] = 35;
    const codec = Buffer.from(chunk);
    codec[2] = ((codec[2] as number) & 0x1f) | (6 << 5);
    codec[0x16] = 32;
    const user = Buffer.from(chunk);
    user[0x11] = 200;
    for (const [bad, name] of [
      [filter, 'filter 35 (bytedelta)'],
      [codec, 'codec 32 (ndlz)'],
      [user, 'filter 200 (user-registered)'],
    ] as const) {
      for (const err of [catchBlosc2Error(() => decompress(bad)), await rejectionOf(decompressAsync(bad))]) {
        expect(err.code).toBe('ERR_UNSUPPORTED');
        expect(err.message).toContain(name);
      }
      // Describing such a chunk still works.
      expect(cbufferInfo(bad).nbytes).toBe(src.byteLength);
    }
  });

  it('random bit flips anywhere in a chunk give the right length or a Blosc2Error, never a crash (every codec/filter)', async () => {
    const rand = prng(2024);
    const plain = sampleBytes(20_000, 26);
    let decoded = 0;
    let refused = 0;
    const codes = new Set<string>();
    for (const codec of ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'] as const) {
      for (const filters of [['nofilter'], ['shuffle'], ['bitshuffle'], ['delta']] as const) {
        const chunk = compress(plain, { codec, filters, typesize: 4, blocksize: 4096 });
        for (let trial = 0; trial < 60; trial++) {
          // Mostly 1 flip, sometimes a burst; the header gets its share.
          const flips: Mutation[] = [];
          for (let f = 1 + Math.floor(rand() * rand() * 8); f > 0; f--) {
            const at = rand() < 0.3 ? Math.floor(rand() * 32) : Math.floor(rand() * chunk.length);
            flips.push({ op: 'flip', at, bit: Math.floor(rand() * 8) });
          }
          const bad = mutate(chunk, flips);
          const useAsync = trial % 4 === 0;
          try {
            const out = useAsync ? await decompressAsync(bad, { maxOutputBytes: 1 << 22 }) : decompress(bad, { maxOutputBytes: 1 << 22 });
            expect(out.length).toBe(getCbufferSizes(bad).nbytes);
            decoded++;
          } catch (err) {
            expect(err).toBeInstanceOf(Blosc2Error);
            codes.add((err as Blosc2Error).code);
            refused++;
          }
        }
      }
    }
    expect(decoded + refused).toBe(5 * 4 * 60);
    expect(refused).toBeGreaterThan(0);
    // A flipped filter or codec byte can name a plugin: ERR_UNSUPPORTED, which is what such a header says.
    for (const code of codes) expect(['ERR_CORRUPT', 'ERR_MAX_OUTPUT', 'ERR_UNSUPPORTED']).toContain(code);
  });

  it('random bytes are never mistaken for a chunk that crashes', () => {
    const rand = prng(99);
    for (let i = 0; i < 500; i++) {
      const junk = new Uint8Array(16 + Math.floor(rand() * 200)).map(() => Math.floor(rand() * 256));
      try {
        const out = decompress(junk, { maxOutputBytes: 1 << 20 });
        expect(out.length).toBe(getCbufferSizes(junk).nbytes);
      } catch (err) {
        expect(err).toBeInstanceOf(Blosc2Error);
      }
    }
  });
});

describe('output limits', () => {
  it('a 32-byte special chunk that claims 2 GiB - 33 bytes is ERR_MAX_OUTPUT under the default 1 GiB limit, before any allocation', async () => {
    const claim = 2 ** 31 - 33;
    const chunk = specialChunk('zeros', claim, { typesize: 1 });
    expect(chunk.length).toBe(32);
    expect(cbufferInfo(chunk)).toMatchObject({ nbytes: claim, cbytes: 32, special: 'zeros' });
    expect(DEFAULT_MAX_OUTPUT_BYTES).toBe(2 ** 30);
    const memoryBefore = process.memoryUsage().rss;
    const err = catchBlosc2Error(() => decompress(chunk));
    expect(err.code).toBe('ERR_MAX_OUTPUT');
    expect(err.message).toContain('maxOutputBytes');
    expect(err.message).toContain(String(claim));
    expect((await rejectionOf(decompressAsync(chunk))).code).toBe('ERR_MAX_OUTPUT');
    // Nothing near 2 GiB was allocated to find that out.
    expect(process.memoryUsage().rss - memoryBefore).toBeLessThan(256 << 20);
    // The same chunk into a small out is ERR_OUTPUT_TOO_SMALL.
    expect(catchBlosc2Error(() => decompress(chunk, { out: new Uint8Array(64) })).code).toBe('ERR_OUTPUT_TOO_SMALL');
  });

  it('a raised maxOutputBytes lets a large zeros claim decode (64 MiB, sync and async)', async () => {
    const claim = 64 << 20;
    const chunk = specialChunk('zeros', claim, { typesize: 4 });
    expect(catchBlosc2Error(() => decompress(chunk, { maxOutputBytes: 1 << 20 })).code).toBe('ERR_MAX_OUTPUT');
    const out = await decompressAsync(chunk, { maxOutputBytes: claim });
    expect(out.length).toBe(claim);
    expect(out.every((b) => b === 0)).toBe(true);
  });

  it('maxOutputBytes exceeded by a real chunk is ERR_MAX_OUTPUT naming the option; equal is fine', async () => {
    const err = catchBlosc2Error(() => decompress(CHUNK, { maxOutputBytes: 9_999 }));
    expect(err.code).toBe('ERR_MAX_OUTPUT');
    expect(err.message).toContain('dparams.maxOutputBytes (9999)');
    expect(err.message).toContain('10000');
    const asyncErr = await rejectionOf(decompressAsync(CHUNK, { maxOutputBytes: 0 }));
    expect(asyncErr.code).toBe('ERR_MAX_OUTPUT');
    expect(asyncErr.message).toContain('maxOutputBytes');
    expect(decompress(CHUNK, { maxOutputBytes: 10_000 }).length).toBe(10_000);
    expect(decompress(compress(new Uint8Array(0)), { maxOutputBytes: 0 }).length).toBe(0);
  });

  it('an out one byte too small is ERR_OUTPUT_TOO_SMALL and left untouched, sync and async', async () => {
    const out = new Uint8Array(9_999).fill(0x77);
    const err = catchBlosc2Error(() => decompress(CHUNK, { out }));
    expect(err.code).toBe('ERR_OUTPUT_TOO_SMALL');
    expect(err.message).toContain('dparams.out has 9999 bytes but the chunk decompresses to 10000');
    expect((await rejectionOf(decompressAsync(CHUNK, { out }))).code).toBe('ERR_OUTPUT_TOO_SMALL');
    expect(out.every((b) => b === 0x77)).toBe(true);
    expect(catchBlosc2Error(() => decompress(CHUNK, { out: new Float64Array(1249) })).code).toBe('ERR_OUTPUT_TOO_SMALL');
  });
});

describe('compression failures', () => {
  it('C-Blosc2 refusing the parameters is ERR_COMPRESS with its errno and message', async () => {
    const data = sampleBytes(4096, 27);
    const err = catchBlosc2Error(() => compress(data, { filters: ['truncPrec'], filtersMeta: [10], typesize: 2 }));
    expect(err.code).toBe('ERR_COMPRESS');
    expect(err.errno).toBe(-18);
    expect(err.message).toMatch(/C-Blosc2 error -18/);
    const asyncErr = await rejectionOf(compressAsync(data, { filters: ['truncPrec'], filtersMeta: [10], typesize: 2 }));
    expect(asyncErr.code).toBe('ERR_COMPRESS');
    expect(asyncErr.errno).toBe(-18);
  });
});

describe('async errors carry the caller stack', () => {
  async function decompressACorruptChunkFromHere(chunk: Uint8Array): Promise<unknown> {
    return decompressAsync(chunk);
  }
  async function compressWithParamsCBlosc2Refuses(data: Uint8Array): Promise<unknown> {
    // truncPrec on 2-byte items: valid here, refused inside C-Blosc2 on the thread pool.
    return compressAsync(data, { filters: ['truncPrec'], filtersMeta: [8], typesize: 2 });
  }

  it('a native failure in decompressAsync names the calling function in err.stack', async () => {
    const bad = Buffer.from(
      compress(
        new Float32Array(4096).map((_, i) => Math.cos(i / 50)),
        { filters: ['shuffle'] },
      ),
    );
    bad[16 + 5] = 20; // an undefined filter id: fails inside C-Blosc2, on the thread pool
    const err = await rejectionOf(decompressACorruptChunkFromHere(bad));
    expect(err.code).toBe('ERR_CORRUPT');
    expect(err.stack).toContain('decompressACorruptChunkFromHere');
    expect(err.stack?.split('\n')[0]).toBe(`Blosc2Error: ${err.message}`);
  });

  it('a native failure in compressAsync names the calling function in err.stack', async () => {
    const err = await rejectionOf(compressWithParamsCBlosc2Refuses(sampleBytes(4096, 28)));
    expect(err.code).toBe('ERR_COMPRESS');
    expect(err.errno).toBe(-18);
    expect(err.stack).toContain('compressWithParamsCBlosc2Refuses');
  });

  it('an argument error from an async call names the calling function too', async () => {
    async function callCompressAsyncWithAString(): Promise<unknown> {
      return compressAsync(loose('nope'));
    }
    const err = await rejectionOf(callCompressAsyncWithAString());
    expect(err.stack).toContain('callCompressAsyncWithAString');
  });
});
